r"""Batched gradient descent θ ← θ − η ∇L on N independent students of any kind (float64).

One driver for every student (``tempx.numerics.students``): the numpy engine updates the flat
parameters θ (N, P) with the student's ``loss_and_grad``; a student with a compiled kernel
(dense, diagonal, complex) runs many steps per call in it instead, with the same rules.

Each model stops on its own: ``converged`` when its loss is ≤ tol, ``diverged`` when its loss
or gradient is non-finite or the loss exceeds ``divergence_bound`` (the step is recorded and
the parameters kept at the last finite iterate), ``max_steps`` otherwise.  A model's
trajectory does not depend on the other models in its batch: every operation acts on each
model's own slice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tempx.numerics.blas_threads import with_single_blas_thread
from tempx.numerics.drivers.montecarlo import MC_SEQUENCES, extrapolation_mc
from tempx.numerics.drivers.optimizers import Optimizer, plain_gd
from tempx.numerics.extrapolation import extrapolation_losses
from tempx.numerics.losses import Objective, check_length, check_lengths, make_objective, weight_matrix
from tempx.numerics.nonlinear_teachers import NonlinearTeacher
from tempx.numerics.students import student_of
from tempx.numerics.students.protocol import weighted
from tempx.numerics.teachers import FloatArray, Teacher
from tempx.theory.display import readable_repr
from tempx.theory.errors import InvalidInput

__all__ = ["STATUSES", "GDResult", "evaluate", "gd"]

STATUSES = ("converged", "max_steps", "diverged")
DIVERGENCE_BOUND = 1e10  # far above any loss of a run that is still sane (L ≤ ‖w*‖² + … at init)


@dataclass(frozen=True, eq=False)
class GDResult:
    """Outcome of ``gd`` for a batch of N models.

    Attributes
    ----------
    params : student batch
        The final parameters (each model at its last step).
    status : tuple of str
        Per model: ``converged``, ``max_steps`` or ``diverged``.
    steps : ndarray of int
        (N,) number of updates each model took.
    diverged_at : ndarray of int
        (N,) the step at which divergence was detected (−1 if never).
    train_loss : ndarray
        (N,) the loss at the final parameters.
    qs : tuple of int
        The extrapolation lengths.
    extrapolation_loss : ndarray
        (N, len(qs)) L_q at the final parameters.
    history : dict
        When recorded: ``step`` (T,), per-model quantities (T, N) — train_loss, Q_norm, A_norm,
        A_asym, BC_gap — and ``extrapolation_loss`` (T, N, len(qs)).
    extrapolation_se : ndarray or None
        (N, len(qs)) standard errors of a non-linear student's Monte Carlo L_q.
    """

    __repr__ = readable_repr  # long rationals and arrays summarized (tempx.theory.display)

    params: Any
    status: tuple[str, ...]
    steps: NDArray[np.int64]
    diverged_at: NDArray[np.int64]
    train_loss: FloatArray
    qs: tuple[int, ...]
    extrapolation_loss: FloatArray
    history: dict[str, FloatArray] = field(default_factory=dict)
    extrapolation_se: FloatArray | None = None  # non-linear students: the Monte Carlo standard error of L_q

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for x in self.status if x == s) for s in STATUSES}


@with_single_blas_thread
def evaluate(params: Any, teacher: Teacher | NonlinearTeacher, k: int, qs: Sequence[int], weights: Any = None, moment: FloatArray | None = None,
             objective: Objective | None = None, mc: tuple[int, int] = (MC_SEQUENCES, 0),
             train_loss: FloatArray | None = None) -> dict[str, FloatArray]:
    """Train loss, extrapolation losses (N, len(qs)) and the student's norms for every model.

    A non-linear student's train loss is its loss on ``objective`` (online: on the objective's batch
    of the last step) — or ``train_loss`` when the compiled kernel has just computed it at these
    parameters — and its L_q the Monte Carlo estimate on ``mc`` = (n, seed) held-out sequences, with
    its standard error as ``extrapolation_se``; a linear student's L_q is exact.

    Parameters
    ----------
    params : student batch
        The models.
    teacher : Teacher or NonlinearTeacher
        The teacher.
    k : int
        Training length.
    qs : sequence of int
        Extrapolation lengths.
    weights : {"last", "all"} or array_like, optional
        Loss weights ω.
    moment : ndarray, optional
        Σ̂ of a data set (the empirical loss).
    objective : Objective, optional
        The training objective of a non-linear student.
    mc : (int, int), default (4096, 0)
        Held-out sequences of the Monte Carlo L_q.
    train_loss : ndarray, optional
        The train loss when already known.

    Returns
    -------
    dict
        ``train_loss`` (N,), ``extrapolation_loss`` (N, len(qs)), the norms, and
        ``extrapolation_se`` for a non-linear student.

    Raises
    ------
    InvalidInput
        For a bad length.
    """
    student = student_of(params)
    k = check_length(k)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged model's last finite iterate may overflow here
        norms = student.norms(params)
        if student.nonlinear:
            if objective is None:
                raise InvalidInput(f"a {student.name} student is evaluated on its training data (an Objective)")
            loss = (student.objective_loss_and_grad(params, objective)[0] if train_loss is None
                    else np.asarray(train_loss, dtype=np.float64))
        else:
            W = weight_matrix(k, weights, moment)
            r = student.impulse_response(params, k) - teacher.impulse_response(k)[None, :]
            loss = np.einsum("nk,nk->n", r, weighted(r, W))
    loss = np.where(np.isnan(loss), np.inf, loss)
    if student.nonlinear:
        ext, se = extrapolation_mc(params, teacher, qs, *mc)
        return {"train_loss": loss, "extrapolation_loss": ext, "extrapolation_se": se, **norms}
    return {"train_loss": loss, "extrapolation_loss": extrapolation_losses(params, teacher, qs), **norms}


def _positive(x: Any, name: str, integer: bool = False, allow_zero: bool = False) -> Any:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    if integer and not float(x).is_integer():
        raise InvalidInput(f"{name} must be an integer, got {x}")
    if not np.isfinite(x) or x < 0 or (x == 0 and not allow_zero):
        raise InvalidInput(f"{name} must be {'>= 0' if allow_zero else '> 0'} and finite, got {x}")
    return int(x) if integer else float(x)


def check_run(lr: Any, steps: Any, tol: Any, backend: str, compiled_available: bool) -> tuple[float, int, float, bool]:
    """The arguments of a GD run, validated: (η, steps, tol, use the compiled engine)."""
    lr = _positive(lr, "lr")
    steps = _positive(steps, "steps", integer=True, allow_zero=True)
    tol = _positive(tol, "tol", allow_zero=True)
    if backend not in ("auto", "numba", "numpy"):
        raise InvalidInput(f"unknown backend {backend!r} (allowed: auto, numba, numpy)")
    if backend == "numba" and not compiled_available:
        raise InvalidInput("backend 'numba' requested but no compiled kernel can run (numba is not installed, or the "
                           "student or loss has no kernel: the lru student and finite data on diagonal students use numpy)")
    return lr, steps, tol, compiled_available and backend != "numpy"


@with_single_blas_thread
def gd(
    params: Any,
    teacher: Teacher | NonlinearTeacher,
    k: int,
    lr: float,
    steps: int,
    tol: float = 0.0,
    record_every: int | None = None,
    *,
    weights: Any = None,
    moment: FloatArray | None = None,
    qs: Sequence[int] = (),
    divergence_bound: float = DIVERGENCE_BOUND,
    progress: Callable[[int, int], None] | None = None,
    backend: str = "auto",
    data: FloatArray | None = None,
    online: tuple[int, int] | None = None,
    mc: tuple[int, int] = (MC_SEQUENCES, 0),
    freeze: Sequence[str] = (),
    optimizer: Optimizer | None = None,
) -> GDResult:
    r"""Gradient descent on L_ω (or the empirical loss with ``moment``) for every model of any student.

    Update rule: θ_{t+1} = θ_t − η ∇L(θ_t), with L = Σ_{i<k} ω_i r_i² (no factor ½); complex
    parameters move by ∇ = ∂/∂Re + i ∂/∂Im.  ``optimizer`` (``drivers.optimizers``) replaces the rule by
    Adam and/or a cosine schedule of η.

    Parameters
    ----------
    params : Params, DiagParams, LRUParams or ElmanParams
        The initial batch of any student (not modified).
    teacher : Teacher or NonlinearTeacher
        For example ``memoryless(k)``.
    k : int
        Training length.
    lr : float
        Step size η > 0.
    steps : int
        Update budget per model (≥ 0).
    tol : float, default 0
        A model stops as converged once its loss ≤ tol; tol = 0 never stops early (every step is
        taken, and the status is max_steps unless the model diverges).
    record_every : int, optional
        Record the history every m steps (and at the end); None: no history.
    weights : {"last", "all"} or array_like, optional
        The loss weights ω (default ``"last"``).
    moment : ndarray, optional
        Σ̂ of a finite data set (``empirical_moment``): train on L̂ instead.
    qs : sequence of int
        Extrapolation lengths reported at the end and in the history.
    divergence_bound : float, default 1e10
        A loss above this counts as divergence.
    progress : callable, optional
        Called as ``progress(step, steps)`` every few steps (for progress bars).
    backend : {"auto", "numba", "numpy"}
        ``numba``: the student's compiled kernel; ``numpy``: the vectorized reference; ``auto``: the
        kernel where there is one and numba is installed.  Both give the same trajectories up to
        round-off (tested to 1e-12 relative).
    data : ndarray, optional
        The data set itself, X (n, k) (non-linear students need it, or ``online``; for a linear
        student it is the same as ``moment = empirical_moment(X)``).
    online : (int, int), optional
        (n, seed): n fresh Gaussian sequences every step, drawn from seed and step.
    mc : (int, int), default (4096, 0)
        (n, seed) of the held-out sequences of a non-linear student's Monte Carlo L_q.
    freeze : sequence of str
        Names of the student's fields kept at their initial values (``Student.frozen_mask``).
        Runs on the numpy engine (the kernels update every field).
    optimizer : Optimizer, optional
        ``optimizers.adam(...)`` or ``Optimizer(schedule="cosine")``; default plain gradient descent
        at rate ``lr``.  Anything but plain GD runs on the numpy engine.

    Returns
    -------
    GDResult
        Final parameters, status, steps, losses and the recorded history.

    Raises
    ------
    InvalidInput
        For a bad length, step size, budget or weight vector, a step count whose estimated time is
        over a day, or a field name the student does not have.
    TypeError
        For parameters that are not a student's batch.

    Examples
    --------
    >>> from tempx.numerics.teachers import memoryless
    >>> from tempx.numerics.students.init import init_symmetric
    >>> res = gd(init_symmetric(2, 3, 0.5, seed=0), memoryless(4), 4, lr=0.05, steps=20000, tol=1e-6)
    >>> res.status, bool(res.train_loss.max() <= 1e-6)
    (('converged', 'converged'), True)
    """
    student = student_of(params)
    k = check_length(k)
    # validated up front, so a bad argument never fails after a long run
    if isinstance(teacher, NonlinearTeacher):
        teacher.check_student(student)
        obj = make_objective(k, np.zeros(k), weights, moment, data, online, outputs=teacher.outputs)
    else:
        obj = make_objective(k, teacher.impulse_response(k), weights, moment, data, online)
    if student.nonlinear and obj.X is None and obj.online is None:
        raise InvalidInput(f"a {student.name} student trains on data: give data (n sequences) or online sequences; "
                           "its population loss has no closed form")
    if not student.nonlinear and (obj.X is not None or obj.online is not None) and obj.W.ndim == 1:
        raise InvalidInput("linear students train on finite data with the last-output loss (its Σ̂ form, C8)")
    frozen = student.frozen_mask(params, freeze) if freeze else None
    opt = plain_gd() if optimizer is None else optimizer
    if not isinstance(opt, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer (tempx.numerics.drivers.optimizers), got {type(opt).__name__}")
    kernel = student.kernel
    usable = (kernel is not None and kernel.available() and obj.online is None and frozen is None and opt.plain
              and (kernel.data or kernel.moment or obj.W.ndim == 1))
    lr, steps, tol, compiled = check_run(lr, steps, tol, backend, usable)
    if record_every is not None:
        record_every = _positive(record_every, "record_every", integer=True)
    qs = check_lengths(qs)
    hist: dict[str, list[Any]] = {}

    def record(current: Any, t: int) -> None:
        values = evaluate(current, teacher, k, qs, weights, moment, obj.at(t), mc)
        hist.setdefault("step", []).append(t)
        for name, v in values.items():
            hist.setdefault(name, []).append(v)

    kernel_loss = None  # the compiled kernel's loss at the returned parameters (used for non-linear students)
    if compiled:
        final, status, used, diverged_at, kernel_loss = _steps_compiled(student, params, obj, lr, steps, tol,
                                                                        divergence_bound, record_every, record, progress)
    else:
        final, status, used, diverged_at = _steps_numpy(student, params, obj, lr, steps, tol, divergence_bound,
                                                        record_every, record, progress, frozen, opt)
    last = int(used.max())
    if record_every is not None and hist["step"][-1] != last:
        record(final, last)
    history = {name: np.asarray(v) for name, v in hist.items()}
    values = evaluate(final, teacher, k, qs, weights, moment, obj.at(steps), mc,
                      train_loss=kernel_loss if student.nonlinear else None)
    if progress is not None:
        progress(steps, steps)
    return GDResult(
        params=final,
        status=tuple(str(s) for s in status),
        steps=used,
        diverged_at=diverged_at,
        train_loss=values["train_loss"],
        qs=qs,
        extrapolation_loss=values["extrapolation_loss"],
        history=history,
        extrapolation_se=values.get("extrapolation_se"),
    )


Record = Callable[[Any, int], None]
Outcome = tuple[Any, NDArray[np.object_], NDArray[np.int64], NDArray[np.int64]]


def _steps_numpy(student: Any, params: Any, obj: Objective, lr: float, steps: int, tol: float,
                 bound: float, record_every: int | None, record: Record, progress: Callable[[int, int], None] | None,
                 frozen: NDArray[np.bool_] | None = None, opt: Optimizer | None = None) -> Outcome:
    """The vectorized reference engine: one batched ``loss_and_grad`` per step on the flat parameters
    (``frozen``: flat entries whose gradient is not applied; ``opt``: the update rule, plain GD by default)."""
    opt = plain_gd() if opt is None else opt

    d = params.d
    theta = student.flatten(params)  # the full batch; rows are written back when a model stops
    N = theta.shape[0]
    status = np.array(["max_steps"] * N, dtype=object)
    used = np.full(N, steps, dtype=np.int64)
    diverged_at = np.full(N, -1, dtype=np.int64)
    active = np.arange(N)
    cur = theta[active]  # working copy of the active models; re-gathered only when the active set shrinks
    state = opt.init(cur)
    for t in range(steps + 1):
        if record_every is not None and t % record_every == 0:
            theta[active] = cur
            record(student.unflatten(theta, d), t)
        with np.errstate(over="ignore", invalid="ignore"):  # non-finite values are detected just below
            loss, g = student.objective_loss_and_grad(student.unflatten(cur, d), obj.at(t))
        if frozen is not None:
            g[:, frozen] = 0.0
        bad = ~(np.isfinite(loss) & np.all(np.isfinite(g), axis=1)) | (loss > bound)
        done = (loss <= tol) & ~bad & (tol > 0)  # tol = 0: never stop early (an exact 0 is round-off luck)
        if t < steps:
            with np.errstate(over="ignore", invalid="ignore"):
                delta, state = opt.update(g, state, t, opt.rate(lr, t, steps))
                new = cur + delta
            bad |= ~np.all(np.isfinite(new), axis=1) & ~done
        leaving = bad | done if t < steps else np.ones(active.size, dtype=bool)
        if np.any(leaving):
            status[active[bad]] = "diverged"
            status[active[done]] = "converged"
            used[active[bad | done]] = t
            diverged_at[active[bad]] = t
            theta[active[leaving]] = cur[leaving]
        keep = ~leaving
        active = active[keep]
        if active.size == 0:
            break
        cur = new[keep]
        if not np.all(keep):
            state = opt.select(state, keep)
        if progress is not None and t % 100 == 0:
            progress(t, steps)
    return student.unflatten(theta, d), status, used, diverged_at


CHUNK = 2000  # compiled steps between progress reports (a call costs ~10 µs; 2000 steps ≥ 2 ms)


def _steps_compiled(student: Any, params: Any, obj: Objective, lr: float, steps: int, tol: float,
                    bound: float, record_every: int | None, record: Record, progress: Callable[[int, int], None] | None
                    ) -> tuple[Any, NDArray[np.object_], NDArray[np.int64], NDArray[np.int64], FloatArray]:
    """The student's compiled kernel: many steps per call, models in parallel; same stopping rules.
    Also returns each model's loss at its returned parameters (the kernel's last evaluation)."""
    kernel = student.kernel
    arrays = kernel.arrays(params)
    out = np.zeros((params.n_models, 4))
    chunk = record_every if record_every is not None else CHUNK
    t = 0
    while t <= steps and np.any(out[:, 0] == 0.0):
        if record_every is not None and t % record_every == 0:
            record(kernel.params([a.copy() for a in arrays]), t)
        n = min(chunk, steps + 1 - t)  # the last call also evaluates the final step t = steps
        kernel.block(arrays, obj, lr, t, n, steps, tol, bound, out)
        t += n
        if progress is not None and t <= steps:
            progress(t, steps)
    names = {1: "converged", 2: "max_steps", 3: "diverged"}
    status = np.array([names[int(s)] for s in out[:, 0]], dtype=object)
    used = out[:, 1].astype(np.int64)
    diverged_at = np.where(out[:, 0] == 3, out[:, 2], -1).astype(np.int64)
    return kernel.params(arrays), status, used, diverged_at, out[:, 3].copy()

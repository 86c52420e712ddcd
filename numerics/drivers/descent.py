r"""Batched gradient descent R ← R − η ∇L on N independent linear RNNs (float64).

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

from tempx.numerics.students import dense_kernels as kernels
from tempx.numerics.losses import check_lengths, check_moment, loss_weights
from tempx.numerics.students.dense import extrapolation_losses, loss_and_grad
from tempx.numerics.teachers import FloatArray, Teacher
from tempx.numerics.students.dense import Params
from tempx.theory.errors import InvalidInput

__all__ = ["STATUSES", "GDResult", "evaluate", "gd"]

STATUSES = ("converged", "max_steps", "diverged")
DIVERGENCE_BOUND = 1e10  # far above any loss of a run that is still sane (L ≤ ‖w*‖² + … at init)


@dataclass(frozen=True, eq=False)
class GDResult:
    """Outcome of ``gd`` for a batch of N models.

    ``status[i]`` ∈ {converged, max_steps, diverged}; ``steps[i]`` is the number of updates
    model i took; ``diverged_at[i]`` the step at which divergence was detected (−1 if never);
    ``train_loss[i]`` the loss at the final parameters.  ``history`` (when recorded) maps
    ``step`` (T,) and per-model quantities (T, N) — train_loss, Q_norm, A_norm, A_asym,
    BC_gap — and ``extrapolation_loss`` (T, N, len(qs)).
    """

    params: Params
    status: tuple[str, ...]
    steps: NDArray[np.int64]
    diverged_at: NDArray[np.int64]
    train_loss: FloatArray
    qs: tuple[int, ...]
    extrapolation_loss: FloatArray
    history: dict[str, FloatArray] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for x in self.status if x == s) for s in STATUSES}


def evaluate(
    params: Params, teacher: Teacher, k: int, qs: Sequence[int], weights: Any = None, moment: FloatArray | None = None
) -> dict[str, FloatArray]:
    """Train loss, extrapolation losses (N, len(qs)) and the norms of ``Params.norms`` for every model."""
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged model's last finite iterate may overflow here
        loss, _ = loss_and_grad(params, teacher, k, weights, moment)
        norms = params.norms()
    loss = np.where(np.isnan(loss), np.inf, loss)
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
    """The arguments every GD engine shares, validated: (η, steps, tol, use the compiled engine)."""
    lr = _positive(lr, "lr")
    steps = _positive(steps, "steps", integer=True, allow_zero=True)
    tol = _positive(tol, "tol", allow_zero=True)
    if backend not in ("auto", "numba", "numpy"):
        raise InvalidInput(f"unknown backend {backend!r} (allowed: auto, numba, numpy)")
    if backend == "numba" and not compiled_available:
        raise InvalidInput("backend 'numba' requested but numba is not installed (pip install numba)")
    return lr, steps, tol, compiled_available and backend != "numpy"


def gd(
    params: Params,
    teacher: Teacher,
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
) -> GDResult:
    r"""Gradient descent on L_ω (or the empirical loss with ``moment``) for every model.

    Update rule: R_{t+1} = R_t − η ∇L(R_t), with L = Σ_{i<k} ω_i r_i² (no factor ½).

    Args:
        params: the initial batch (not modified).
        teacher: e.g. ``memoryless(k)``.
        k: training length.
        lr: step size η > 0.
        steps: update budget per model (≥ 0).
        tol: a model stops as converged once its loss ≤ tol; tol = 0 never stops early (every
            step is taken, and the status is max_steps unless the model diverges).
        record_every: record the history every m steps (and at the end); None: no history.
        weights: ``last`` (default), ``all`` or a vector ω.
        moment: Σ̂ of a finite data set (``losses.empirical_moment``): train on L̂ instead.
        qs: extrapolation lengths reported at the end and in the history.
        divergence_bound: a loss above this counts as divergence.
        progress: called as progress(step, steps) every few steps (for progress bars).
        backend: ``numba`` (compiled kernel, ``tempx.numerics.students.dense_kernels``), ``numpy`` (vectorized
            reference) or ``auto`` (numba when installed).  Both give the same trajectories
            up to round-off (tested to 1e-12 relative).

    Returns:
        A ``GDResult``.

    Example:
        >>> from tempx.numerics.teachers import memoryless
        >>> from tempx.numerics.students.init import init_symmetric
        >>> res = gd(init_symmetric(2, 3, 0.5, seed=0), memoryless(4), 4, lr=0.05, steps=20000, tol=1e-6)
        >>> res.status, bool(res.train_loss.max() <= 1e-6)
        (('converged', 'converged'), True)
    """
    if not isinstance(params, Params):
        raise TypeError(f"params must be numerics.Params, got {type(params).__name__}")
    lr, steps, tol, compiled = check_run(lr, steps, tol, backend, kernels.AVAILABLE)
    if record_every is not None:
        record_every = _positive(record_every, "record_every", integer=True)
    # Validate everything up front, so a bad argument never fails after a long run.
    loss_weights(k, None if moment is not None else weights)
    if moment is not None:
        moment = check_moment(moment, k, weights)
    qs = check_lengths(qs)
    A, B, C = (np.array(getattr(params, m)) for m in "ABC")  # full-batch copies, updated in place
    hist: dict[str, list[Any]] = {}

    def record(t: int) -> None:
        values = evaluate(Params(A, B, C), teacher, k, qs, weights, moment)
        hist.setdefault("step", []).append(t)
        for name, v in values.items():
            hist.setdefault(name, []).append(v)

    run = _steps_compiled if compiled else _steps_numpy
    status, used, diverged_at = run(A, B, C, teacher, k, lr, steps, tol, weights, moment, divergence_bound,
                                    record_every, record, progress)
    final = Params(A, B, C)
    last = int(used.max())
    if record_every is not None and hist["step"][-1] != last:
        record(last)
    history = {name: np.asarray(v) for name, v in hist.items()}
    values = evaluate(final, teacher, k, qs, weights, moment)
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
    )


Record = Callable[[int], None]


def _steps_numpy(
    A: FloatArray, B: FloatArray, C: FloatArray, teacher: Teacher, k: int, lr: float, steps: int, tol: float,
    weights: Any, moment: FloatArray | None, bound: float, record_every: int | None, record: Record,
    progress: Callable[[int, int], None] | None,
) -> tuple[NDArray[np.object_], NDArray[np.int64], NDArray[np.int64]]:
    """The vectorized reference engine: one batched ``loss_and_grad`` per step (updates A, B, C in place)."""
    N = A.shape[0]
    status = np.array(["max_steps"] * N, dtype=object)
    used = np.full(N, steps, dtype=np.int64)
    diverged_at = np.full(N, -1, dtype=np.int64)
    active = np.arange(N)
    # Working copies of the active models; re-gathered only when the active set shrinks.
    a, b, c = A[active], B[active], C[active]
    for t in range(steps + 1):
        if record_every is not None and t % record_every == 0:
            A[active], B[active], C[active] = a, b, c
            record(t)
        with np.errstate(over="ignore", invalid="ignore"):  # non-finite values are detected just below
            loss, g = loss_and_grad(Params(a, b, c), teacher, k, weights, moment)
        finite = np.isfinite(loss)
        for m in (g.A, g.B, g.C):
            finite &= np.all(np.isfinite(m), axis=(1, 2))
        bad = ~finite | (loss > bound)
        done = (loss <= tol) & ~bad & (tol > 0)  # tol = 0: never stop early (an exact 0 is round-off luck)
        if t < steps:
            with np.errstate(over="ignore", invalid="ignore"):
                a_new, b_new, c_new = a - lr * g.A, b - lr * g.B, c - lr * g.C
            ok = np.ones(active.size, dtype=bool)
            for m in (a_new, b_new, c_new):
                ok &= np.all(np.isfinite(m), axis=(1, 2))
            bad |= ~ok & ~done
        leaving = bad | done if t < steps else np.ones(active.size, dtype=bool)
        if np.any(leaving):
            ids = active[leaving]
            status[active[bad]] = "diverged"
            status[active[done]] = "converged"
            used[active[bad | done]] = t
            diverged_at[active[bad]] = t
            A[ids], B[ids], C[ids] = a[leaving], b[leaving], c[leaving]
        keep = ~leaving
        active = active[keep]
        if active.size == 0:
            break
        a, b, c = a_new[keep], b_new[keep], c_new[keep]
        if progress is not None and t % 100 == 0:
            progress(t, steps)
    return status, used, diverged_at


CHUNK = 2000  # compiled steps between progress reports (a call costs ~10 µs; 2000 steps ≥ 2 ms)


def _steps_compiled(
    A: FloatArray, B: FloatArray, C: FloatArray, teacher: Teacher, k: int, lr: float, steps: int, tol: float,
    weights: Any, moment: FloatArray | None, bound: float, record_every: int | None, record: Record,
    progress: Callable[[int, int], None] | None,
) -> tuple[NDArray[np.object_], NDArray[np.int64], NDArray[np.int64]]:
    """The numba engine: many steps per call, models in parallel; same stopping rules."""
    N = A.shape[0]
    a = np.ascontiguousarray(A)
    b = np.ascontiguousarray(B[:, :, 0])
    c = np.ascontiguousarray(C[:, 0, :])
    wstar = np.ascontiguousarray(teacher.impulse_response(k))
    # population loss: the weights ω as one row (M = diag ω, never a dense k×k matrix); finite data: Σ̂
    M = np.ascontiguousarray(loss_weights(k, weights)[None, :] if moment is None else moment, dtype=np.float64)
    out = np.zeros((N, 4))
    chunk = record_every if record_every is not None else CHUNK
    t = 0
    while t <= steps and np.any(out[:, 0] == kernels.RUNNING):
        if record_every is not None and t % record_every == 0:
            A[...], B[:, :, 0], C[:, 0, :] = a, b, c
            record(t)
        n = min(chunk, steps + 1 - t)  # the last call also evaluates the final step t = steps
        kernels.gd_block(a, b, c, wstar, M, lr, t, n, steps, tol, bound, out)
        t += n
        if progress is not None and t <= steps:
            progress(t, steps)
    A[...], B[:, :, 0], C[:, 0, :] = a, b, c
    names = {kernels.CONVERGED: "converged", kernels.MAX_STEPS: "max_steps", kernels.DIVERGED: "diverged"}
    status = np.array([names[int(s)] for s in out[:, 0]], dtype=object)
    used = out[:, 1].astype(np.int64)
    diverged_at = np.where(out[:, 0] == kernels.DIVERGED, out[:, 2], -1).astype(np.int64)
    return status, used, diverged_at

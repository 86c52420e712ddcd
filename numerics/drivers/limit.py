r"""The limit of gradient flow: integrate dθ/dt = −∇L for each model until it has converged (C7).

Any student (``tempx.numerics.students``): the flow runs on its flat parameters θ.  Each model is
integrated on its own, so its result does not depend on its batch, and models run in parallel
processes when ``jobs > 1``.  The right-hand side is the student's ``one_model`` gradient (the dense
student's is written on 2-D arrays, 2× faster than a batch of one).

The integrator (``method``) is a stiff one whose Newton iterations use the Gauss–Newton Jacobian
−2 Mᵀ W M (M = ∂(w_0 … w_{k−1})/∂θ, the student's ``jacobian``, W = diag ω or Σ̂): the exact Jacobian
at an interpolating point; it only steers the Newton iterations, the accuracy is set by rtol/atol
on the true right-hand side.  "ndf" (``tempx.numerics.drivers.ndf``), the default beyond 256 parameters, never
forms the P × P matrix: its systems are the identity plus a rank-k term, solved by the Woodbury identity in
O(P k) time and memory, so a dense student with d = 1 024 (P ≈ 10⁶) reaches its limit in about two
minutes.  "lsoda" (scipy's LSODA on the P × P matrix, O(P²) memory, O(P³) per factorization) is the default up to
256 parameters, where it is faster (its loop is Fortran, and it takes Adams steps where the flow is not
stiff); the two reach the same limits (tests/test_ndf.py).

Stopping: every few accepted steps the model is tested; it stops when both L_k ≤ loss_tol · max(1, L_k(0 model)) and
‖∇L‖_F ≤ grad_tol (status ``converged``); otherwise the model stops at ``t_max`` or after
``max_evals`` right-hand-side evaluations (status ``budget``); a solver failure is ``failed``
and non-finite parameters ``diverged``.  Unconverged models are reported, never dropped.
The student's conserved quantities (dense: Q = AAᵀ − AᵀA + BBᵀ − CᵀC, C4; diagonal, complex and
LRU: |b_j|² − |c_j|² per mode, C12b) are reported with their drift, a check of the integration.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import LSODA

from tempx.numerics.blas_threads import with_single_blas_thread
from tempx.numerics.drivers.ndf import NDF, LowRankJacobian
from tempx.numerics.extrapolation import extrapolation_losses
from tempx.numerics.losses import check_length, check_lengths, weight_matrix
from tempx.numerics.nonlinear_teachers import NonlinearTeacher
from tempx.numerics.students import student_of
from tempx.numerics.teachers import FloatArray, Teacher
from tempx.theory.budget import LSODA_MAX_PARAMS
from tempx.theory.display import readable_repr
from tempx.theory.errors import InvalidInput

__all__ = ["AUTO_LSODA_PARAMS", "LIMIT_STATUSES", "METHODS", "LimitResult", "flow_limit", "limit_result", "resolve_method"]

LIMIT_STATUSES = ("converged", "budget", "failed", "diverged")
METHODS = ("auto", "ndf", "lsoda")
# "auto": LSODA up to this many parameters (its P × P matrix is at most 0.5 MiB there, its Fortran loop and its
# switch to Adams steps on non-stiff stretches make it 2–4× faster than the NDF's Python loop: measured on
# E7's and E9's d = 6 units), the NDF beyond (dense d = 20: 2.9 s against 3.6 s for four models; d = 32: 0.7 s against 4.8 s for one).
AUTO_LSODA_PARAMS = LSODA_MAX_PARAMS  # one number for the solver's choice and its memory estimate (theory.budget)


def resolve_method(method: str, n_params: int) -> str:
    """The integrator a flow method names for a model of ``n_params`` parameters.

    Parameters
    ----------
    method : {"auto", "ndf", "lsoda"}
        "auto" picks LSODA up to ``AUTO_LSODA_PARAMS`` parameters and the NDF beyond.
    n_params : int
        P, the length of one model's flat parameters (``Student.n_params``).

    Returns
    -------
    str
        "ndf" or "lsoda".

    Raises
    ------
    InvalidInput
        For an unknown method (a ``ValueError``).

    Examples
    --------
    >>> resolve_method("auto", 48), resolve_method("auto", 4224), resolve_method("lsoda", 10**6)
    ('lsoda', 'ndf', 'lsoda')
    """
    if method not in METHODS:
        raise InvalidInput(f"unknown flow method {method!r} (allowed: {', '.join(METHODS)})")
    if method == "auto":
        return "lsoda" if n_params <= AUTO_LSODA_PARAMS else "ndf"
    return method
CHECK_EVERY = 4  # accepted solver steps between convergence tests
WATCH_SECONDS = 1.0  # at most this long between two calls of a ``watch`` callback (progress on a terminal)
Watch = Callable[[int, float, float], None]  # (model, flow time t, last tested L_k): observes, never steers


@dataclass(frozen=True, eq=False)
class LimitResult:
    """The limits of gradient flow for a batch of N models (``flow_limit``).

    Attributes
    ----------
    params : student batch
        The parameters at the end of each model's flow.
    status : tuple of str
        Per model, one of ``LIMIT_STATUSES`` (converged, budget, failed, …).
    t : ndarray
        (N,) the time reached.
    train_loss : ndarray
        (N,) L_k at the end.
    grad_norm : ndarray
        (N,) ‖∇L‖ at the end.
    qs : tuple of int
        The extrapolation lengths.
    extrapolation_loss : ndarray
        (N, len(qs)) L_q at the end.
    Q_norm : ndarray
        (N,) the norm of the student's conserved quantities at the end.
    Q_drift : ndarray
        (N,) their change along the flow (a check of the integrator).
    nfev : ndarray
        (N,) gradient evaluations.
    """

    __repr__ = readable_repr  # long rationals and arrays summarized (tempx.theory.display)

    params: Any
    status: tuple[str, ...]
    t: FloatArray
    train_loss: FloatArray
    grad_norm: FloatArray
    qs: tuple[int, ...]
    extrapolation_loss: FloatArray
    Q_norm: FloatArray
    Q_drift: FloatArray
    nfev: FloatArray

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for x in self.status if x == s) for s in LIMIT_STATUSES}


class _Budget(Exception):
    pass


@with_single_blas_thread
def _one(args: tuple[Any, ...]) -> dict[str, Any]:
    """Integrate one model (flat parameters y0 of a student) to its limit; a pure function of its arguments."""
    student, y0, d, wstar, W, t_max, loss_tol, grad_tol, rtol, atol, max_evals, index, watch, frozen, method = args
    k = wstar.size
    Wm = np.diag(W) if W.ndim == 1 else W
    scale = max(1.0, float(wstar @ Wm @ wstar))

    inner = student.one_model(d, k, wstar, W)
    evals = [0]

    def loss_grad(y: FloatArray) -> tuple[float, FloatArray]:
        if evals[0] >= max_evals:
            raise _Budget
        evals[0] += 1
        loss, g = inner(y)
        if frozen is not None:
            g = np.where(frozen, 0.0, g)
        return loss, g

    def rhs(_t: float, y: FloatArray) -> FloatArray:
        return -loss_grad(y)[1]

    def response_jacobian(y: FloatArray) -> FloatArray:
        M = student.jacobian(student.unflatten(y[None, :], d), k)
        if frozen is not None:
            M[:, frozen] = 0.0
        return M

    def jac(_t: float, y: FloatArray) -> FloatArray:  # LSODA: the P × P matrix
        M = response_jacobian(y)
        return -2.0 * (M.T @ (Wm @ M))

    def low_rank(_t: float, y: FloatArray) -> LowRankJacobian:  # NDF: M and S = 2W only
        return LowRankJacobian(response_jacobian(y), 2.0 * Wm)

    last = [time.monotonic(), float("nan")]  # when ``watch`` was last called; the last tested loss

    def converged(y: FloatArray) -> bool | None:
        loss, g = loss_grad(y)
        last[1] = float(loss)
        if not (np.isfinite(loss) and np.all(np.isfinite(g))):
            return None
        return loss <= loss_tol * scale and float(np.linalg.norm(g)) <= grad_tol

    status, t_end, y_end = "budget", 0.0, y0
    try:
        state = converged(y0)
        if state is None:
            status = "diverged"
        elif state:
            status = "converged"
        else:
            solver: Any = (NDF(rhs, 0.0, y0, float(t_max), low_rank, rtol, atol) if method == "ndf" else
                           LSODA(rhs, 0.0, y0, float(t_max), jac=jac, rtol=rtol, atol=atol))
            # the test runs on accepted steps only (every CHECK_EVERY-th, and at the end)
            n = 0
            while solver.status == "running":
                solver.step()
                n += 1
                t_end, y_end = float(solver.t), solver.y
                if watch is not None and time.monotonic() - last[0] >= WATCH_SECONDS:
                    last[0] = time.monotonic()
                    watch(index, t_end, last[1])
                if solver.status == "failed":  # a non-finite state is reported as diverged below
                    status = "failed"
                    break
                if n % CHECK_EVERY == 0 or solver.status == "finished":
                    state = converged(y_end)
                    if state is None:
                        status = "diverged"
                        break
                    if state:
                        status = "converged"
                        break
    except _Budget:
        status = "budget"
    if not np.all(np.isfinite(y_end)):
        status = "diverged"
    return {"y": y_end, "t": t_end, "status": status, "nfev": evals[0]}


@with_single_blas_thread
def flow_limit(
    params: Any,
    teacher: Teacher | NonlinearTeacher,
    k: int,
    qs: Sequence[int] = (),
    *,
    weights: Any = None,
    moment: Any = None,
    t_max: float = 1e12,
    loss_tol: float = 1e-28,
    grad_tol: float = 1e-13,
    rtol: float = 1e-11,
    atol: float = 1e-14,
    max_evals: int = 200_000,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    watch: Watch | None = None,
    freeze: Sequence[str] = (),
    method: str = "auto",
) -> LimitResult:
    """Gradient flow :math:`\\dot\\theta = -\\nabla L` of every model in ``params`` to its limit (claim C7).

    Each model is integrated on its own until :math:`L_k \\leq` ``loss_tol`` and :math:`\\|\\nabla L\\| \\leq`
    ``grad_tol`` (status "converged"), or until ``t_max`` or ``max_evals`` (status "budget"); see the module
    docstring for the integrators and the stopping rule.

    Parameters
    ----------
    params : student parameters
        A batch of N models of any linear student (dense, diagonal, complex, lru).
    teacher : Teacher
        The float teacher (``memoryless``, ``teacher_from_spec``).
    k : int
        The training length.
    qs : sequence of int, optional
        Extrapolation lengths q at which :math:`L_q` of each limit is reported.
    weights : {None, "last", "all"} or array, optional
        Loss weights :math:`\\omega`; or give ``moment`` (the empirical :math:`\\hat\\Sigma` of finite data).
    moment : array, optional
        A k × k moment matrix :math:`\\hat\\Sigma` (claim C8), instead of ``weights``.
    t_max, loss_tol, grad_tol, rtol, atol : float, optional
        The flow time budget, the stopping tolerances, and the integrator's tolerances.
    max_evals : int, optional
        The most gradient evaluations per model.
    executor : concurrent.futures.Executor, optional
        Runs the models in parallel; the result is the same as without it.
    progress : callable, optional
        ``progress(n)`` as each model finishes.
    watch : callable, optional
        ``watch(model, t, loss)`` at least every second while a model integrates (this process only).
    freeze : sequence of str, optional
        Fields of the student that keep their initial values (``Student.frozen_mask``).
    method : {"auto", "ndf", "lsoda"}, optional
        "ndf" (memory :math:`O(Pk)`, ``tempx.numerics.drivers.ndf``), "lsoda" (scipy's LSODA on the
        :math:`P \\times P` Gauss–Newton matrix), or "auto" (default: LSODA up to ``AUTO_LSODA_PARAMS``
        parameters, the NDF beyond).

    Returns
    -------
    LimitResult
        Per model: ``status``, the flow time ``t``, ``train_loss``, ``grad_norm``, ``extrapolation_loss``
        (N, len(qs)), the conserved quantities' norm and drift, ``nfev``, and the limits as ``params``.

    Raises
    ------
    InvalidInput
        For a non-linear student, an unknown method, or tolerances that are not positive numbers.

    Examples
    --------
    >>> from tempx.numerics.students.init import init_gaussian
    >>> from tempx.numerics.teachers import memoryless
    >>> res = flow_limit(init_gaussian(1, 3, 0.1, 0), memoryless(2), 2, [20])
    >>> res.status, bool(res.train_loss[0] <= 1e-28)
    (('converged',), True)
    """
    resolve_method(method, 1)
    k = check_length(k)
    qs = check_lengths(qs)
    for name, v in (("t_max", t_max), ("loss_tol", loss_tol), ("grad_tol", grad_tol), ("rtol", rtol), ("atol", atol)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (np.isfinite(v) and v > 0):
            raise InvalidInput(f"{name} must be a finite number > 0, got {v!r}")
    if isinstance(max_evals, bool) or not isinstance(max_evals, (int, np.integer)) or max_evals < 1:
        raise InvalidInput(f"max_evals must be an integer >= 1, got {max_evals!r}")
    student = student_of(params)
    method = resolve_method(method, student.n_params(params.d)) if not student.nonlinear else method
    if student.nonlinear:
        raise InvalidInput(f"the limit of gradient flow is for impulse-response students (dense, diagonal, complex, lru); "
                           f"a {student.name} student trains by GD on data")
    W = weight_matrix(k, weights, moment)
    wstar = teacher.impulse_response(k)
    theta = student.flatten(params)
    d = params.d
    frozen = student.frozen_mask(params, freeze) if freeze else None
    tasks = [(student, theta[i], d, wstar, W, float(t_max), float(loss_tol), float(grad_tol), float(rtol), float(atol),
              int(max_evals), i, watch if executor is None else None, frozen, method) for i in range(params.n_models)]
    outs: list[dict[str, Any]] = []
    results = map(_one, tasks) if executor is None else executor.map(_one, tasks)
    for out in results:
        outs.append(out)
        if progress is not None:
            progress(len(outs))
    end = student.unflatten(np.stack([o["y"] for o in outs]), d)
    return limit_result(params, end, teacher, k, qs, W, frozen, tuple(o["status"] for o in outs),
                        np.array([o["t"] for o in outs]), np.array([o["nfev"] for o in outs], dtype=float))


@with_single_blas_thread
def limit_result(start: Any, end: Any, teacher: Teacher | NonlinearTeacher, k: int, qs: Sequence[int], W: FloatArray,
                 frozen: Any, status: tuple[str, ...], t: FloatArray, nfev: FloatArray) -> LimitResult:
    """The report of limits ``end`` reached from ``start``: losses, the free parameters' gradient norm, L_q, and
    the conserved quantities with their drift (also for a limit known in closed form, C16)."""
    student = student_of(start)
    wstar = teacher.impulse_response(k)
    qs = tuple(qs)
    with np.errstate(over="ignore", invalid="ignore"):
        loss, g = student.loss_and_grad(end, wstar, W)
        if frozen is not None:  # the gradient of the free parameters: what the flow drives to 0
            g[:, frozen] = 0.0
        loss = np.where(np.isnan(loss), np.inf, loss)
        gnorm = np.linalg.norm(g, axis=1)
        ext = extrapolation_losses(end, teacher, qs) if qs else np.empty((start.n_models, 0))
        q_end = student.conserved(end)
        drift = np.linalg.norm(q_end - student.conserved(start), axis=1)
    return LimitResult(params=end, status=status, t=t, train_loss=loss, grad_norm=gnorm, qs=qs, extrapolation_loss=ext,
                       Q_norm=np.linalg.norm(q_end, axis=1), Q_drift=drift, nfev=nfev)

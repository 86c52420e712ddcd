r"""Gradient flow dθ/dt = −∇L with ``scipy.integrate.solve_ivp`` (a reference for GD, and C4(b), C4(e)).

The state is the flattened batch of any student; the right-hand side is the student's batched
analytic gradient.  Tolerances are the solver's rtol/atol; the invariants
checked along the path (Q constant, d‖A‖²/dt = −4 Σ ω_i i w_i²) hold to about those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import solve_ivp

from tempx.numerics.blas_threads import with_single_blas_thread
from tempx.numerics.losses import check_length, loss_weights
from tempx.numerics.students import student_of
from tempx.numerics.teachers import FloatArray, Teacher
from tempx.theory.errors import InvalidInput

__all__ = ["FlowResult", "gradient_flow"]


@dataclass(frozen=True, eq=False)
class FlowResult:
    """The solution of gradient flow at the requested times.

    Attributes
    ----------
    t : ndarray
        The times (T,).
    params : tuple
        ``params[j]`` is the student's batch at time ``t[j]``.
    success : bool
        Whether the integrator reached ``t_end``.
    message : str
        The integrator's message.
    nfev : int
        Number of gradient evaluations.
    """

    t: FloatArray
    params: tuple[Any, ...]
    success: bool
    message: str
    nfev: int


@with_single_blas_thread
def gradient_flow(
    params: Any,
    teacher: Teacher,
    k: int,
    t_end: float,
    t_eval: Sequence[float] | None = None,
    weights: Any = None,
    rtol: float = 1e-10,
    atol: float = 1e-12,
    method: str = "DOP853",
    freeze: Sequence[str] = (),
) -> FlowResult:
    """Integrate dR/dt = −∇L_ω(R) from t = 0 to ``t_end`` for every model in the batch.

    Parameters
    ----------
    params : student batch
        The initial point (not modified).
    teacher : Teacher
        The teacher.
    k : int
        Training length.
    t_end : float
        End time, > 0.
    t_eval : sequence of float, optional
        Times at which to return the solution (default: the integrator's steps).
    weights : {"last", "all"} or array_like, optional
        Loss weights ω.
    rtol, atol : float
        Tolerances of the integrator.
    method : str, default "DOP853"
        Any of ``scipy.integrate.solve_ivp``'s methods; LSODA for long stiff runs.
    freeze : sequence of str
        Fields kept at their initial values (``Student.frozen_mask``).

    Returns
    -------
    FlowResult

    Raises
    ------
    InvalidInput
        For a bad length, end time or field name.
    RuntimeError
        When the integrator fails.

    See Also
    --------
    flow_limit : integrate to the limit (L_k ≤ 1e-28), in memory linear in the parameters.
    """
    if not (np.isfinite(t_end) and t_end > 0):
        raise InvalidInput(f"t_end must be > 0, got {t_end}")
    student, n, d = student_of(params), params.n_models, params.d
    if student.nonlinear:
        raise InvalidInput(f"gradient_flow integrates the population loss of impulse-response students, not a {student.name} student")
    k = check_length(k)
    wstar, W = teacher.impulse_response(k), loss_weights(k, weights)
    times = np.linspace(0.0, t_end, 11) if t_eval is None else np.asarray(t_eval, dtype=float)
    if times.ndim != 1 or times.size < 1 or np.any(np.diff(times) <= 0) or times[0] < 0 or times[-1] > t_end:
        raise InvalidInput("t_eval must be increasing times within [0, t_end]")

    frozen = student.frozen_mask(params, freeze) if freeze else None

    def rhs(_t: float, y: FloatArray) -> FloatArray:
        _, g = student.loss_and_grad(student.unflatten(y.reshape(n, -1), d), wstar, W)
        if frozen is not None:
            g[:, frozen] = 0.0
        return -g.ravel()

    y0 = student.flatten(params).ravel()
    sol = solve_ivp(rhs, (0.0, float(t_end)), y0, method=method, t_eval=times, rtol=rtol, atol=atol)
    if not sol.success:
        raise RuntimeError(f"gradient flow failed: {sol.message}")
    snaps = tuple(student.unflatten(sol.y[:, j].reshape(n, -1).copy(), d) for j in range(sol.y.shape[1]))
    return FlowResult(t=sol.t, params=snaps, success=bool(sol.success), message=str(sol.message), nfev=int(sol.nfev))

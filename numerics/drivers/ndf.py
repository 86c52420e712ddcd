r"""A stiff integrator whose Newton systems are the identity plus a rank-k term: memory O(P·k), not O(P²).

The flow of a linear student, dθ/dt = −∇L(θ), has the Gauss–Newton Jacobian −2 Mᵀ W M with
M = ∂(w_0 … w_{k−1})/∂θ (k × P).  An implicit step solves (I + c Mᵀ S M) x = b with S = 2W; by the
Woodbury identity

.. math::

    (I + c\,M^\top S M)^{-1} b = b - c\,M^\top S\,(I_k + c\,G S)^{-1} M b, \qquad G = M M^\top,

which costs two products with M (as much as one gradient) and one k × k solve.  I + cGS is
invertible for every c ≥ 0: GS is similar to S^{1/2} G S^{1/2} ⪰ 0, so its eigenvalues are ≥ 0.

The time stepping is the variable-order (1–5), quasi-constant step NDF of Shampine and Reichelt
(MATLAB's ode15s; the same formulas as ``scipy.integrate.BDF``: Klopfenstein's κ, the backward
differences D, error estimates of orders k − 1, k, k + 1 for the order and step choice).  Only the
linear algebra differs: the P × P matrix is never formed.  Every product runs in one process on the
caller's BLAS threads; with one BLAS thread the result is the same bits on every run.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.linalg import lu_factor, lu_solve

from tempx.numerics.teachers import FloatArray

__all__ = ["NDF", "LowRankJacobian"]

MAX_ORDER = 5
NEWTON_MAXITER = 4
MIN_FACTOR, MAX_FACTOR = 0.2, 10.0
# Newton's corrections are stopped once their predicted remainder is below this fraction of the local error
# tolerance (CVODE's choice of the same order, 0.1 of its error test; LSODA's is looser still).  scipy's BDF
# asks for max(10 ε/rtol, √rtol), 2e-5 at rtol = 1e-11: near a limit, where θ is ill-determined by the k
# responses (δθ = M⁺ δr amplifies the rounding of r), no iteration can meet that, and every step failed.
NEWTON_TOL = 0.03
KAPPA = np.array([0.0, -0.1850, -1 / 9, -0.0823, -0.0415, 0.0])
GAMMA = np.hstack((0.0, np.cumsum(1 / np.arange(1, MAX_ORDER + 1))))
ALPHA = (1 - KAPPA) * GAMMA
ERROR_CONST = KAPPA * GAMMA + 1 / np.arange(1, MAX_ORDER + 2)

Solve = Callable[[FloatArray], FloatArray]


class LowRankJacobian:
    """The Jacobian :math:`-M^\\top S M` of the right-hand side, never formed.

    Parameters
    ----------
    M : ndarray
        The Jacobian of the k responses with respect to the P parameters, k × P.
    S : ndarray
        k × k, symmetric positive semi-definite (for a loss :math:`r^\\top W r`, :math:`S = 2W`).

    Examples
    --------
    >>> import numpy as np
    >>> J = LowRankJacobian(np.array([[1.0, 2.0, 0.0]]), np.array([[2.0]]))
    >>> J.solver(0.5)(np.array([1.0, 1.0, 1.0]))  # (I + 0.5 MᵀSM)⁻¹ b
    array([0.5, 0. , 1. ])
    """

    def __init__(self, M: FloatArray, S: FloatArray) -> None:
        self.M, self.S = M, S
        self.G = M @ M.T

    def solver(self, c: float) -> Solve:
        """The map :math:`b \\mapsto (I + c M^\\top S M)^{-1} b`, by the Woodbury identity (module docstring).

        Parameters
        ----------
        c : float
            The step's coefficient, :math:`c \\ge 0`.

        Returns
        -------
        callable
            ``solve(b)`` for b of shape (P,): one k × k LU here, two products with M per call.
        """
        M, S = self.M, self.S
        lu = lu_factor(np.eye(S.shape[0]) + c * (self.G @ S))
        return lambda b: b - c * (M.T @ (S @ lu_solve(lu, M @ b)))


def _rms(x: FloatArray) -> float:
    return float(np.linalg.norm(x)) / math.sqrt(x.size)


def _r_matrix(order: int, factor: float) -> FloatArray:
    """The matrix that rescales the backward differences to a step ``factor`` times the old one."""
    i = np.arange(1, order + 1)[:, None]
    j = np.arange(1, order + 1)
    m = np.zeros((order + 1, order + 1))
    m[1:, 1:] = (i - 1 - factor * j) / i
    m[0] = 1
    return np.asarray(np.cumprod(m, axis=0), dtype=np.float64)


def _change_differences(D: FloatArray, order: int, factor: float) -> None:
    ru = _r_matrix(order, factor) @ _r_matrix(order, 1.0)
    D[: order + 1] = ru.T @ D[: order + 1]


class NDF:
    """Integrate :math:`y' = f(t, y)` from ``t0`` towards ``t_bound``, one accepted step per ``step()`` call.

    Parameters
    ----------
    fun : callable
        ``fun(t, y)``, the right-hand side, an array of the shape of ``y0``.
    t0, t_bound : float
        The start and the end of the integration (``t_bound > t0``; otherwise the status is "finished").
    y0 : ndarray
        The initial state (copied).
    jac : callable
        ``jac(t, y)``: a ``LowRankJacobian`` (or anything with ``solver(c)``), evaluated at the start and again
        only when a Newton iteration fails to converge.
    rtol, atol : float
        The local error tolerances.

    Attributes
    ----------
    status : str
        "running", "finished" (t reached t_bound) or "failed" (the step fell below the resolution of t).
    t, y : float, ndarray
        The time and state after the last accepted step.
    nfev, njev : int
        Evaluations of ``fun`` and ``jac``.

    Examples
    --------
    >>> import numpy as np
    >>> M, S = np.array([[1.0, 0.0]]), np.array([[100.0]])  # y' = −diag(100, 0) y: stiff in y_0, still in y_1
    >>> ode = NDF(lambda t, y: -(M.T @ (S @ (M @ y))), 0.0, np.array([1.0, 2.0]), 1.0,
    ...           lambda t, y: LowRankJacobian(M, S), 1e-8, 1e-12)
    >>> while ode.status == "running":
    ...     ode.step()
    >>> bool(abs(ode.y[0]) < 1e-8), float(ode.y[1])
    (True, 2.0)
    """

    def __init__(self, fun: Callable[[float, FloatArray], FloatArray], t0: float, y0: FloatArray, t_bound: float,
                 jac: Callable[[float, FloatArray], LowRankJacobian], rtol: float, atol: float) -> None:
        self.fun, self.jac, self.rtol, self.atol = fun, jac, float(rtol), float(atol)
        self.t, self.y, self.t_bound = float(t0), np.array(y0, dtype=float), float(t_bound)
        self.status = "running" if self.t_bound > self.t else "finished"
        self.nfev = self.njev = self.nsolve = 0
        f = self._f(self.t, self.y)
        self.h = self._initial_step(f)
        self.newton_tol = NEWTON_TOL
        self.J = self._jac(self.t, self.y)
        self.solve: Solve | None = None
        self.D = np.zeros((MAX_ORDER + 3, self.y.size))
        self.D[0], self.D[1] = self.y, f * self.h
        self.order, self.n_equal_steps = 1, 0

    def _f(self, t: float, y: FloatArray) -> FloatArray:
        self.nfev += 1
        return self.fun(t, y)

    def _jac(self, t: float, y: FloatArray) -> LowRankJacobian:
        self.njev += 1
        return self.jac(t, y)

    def _initial_step(self, f0: FloatArray) -> float:
        """Hairer, Nørsett and Wanner's choice (Solving ODEs I, II.4) for a method of order 1."""
        interval = self.t_bound - self.t
        if interval <= 0 or f0.size == 0:
            return interval
        scale = self.atol + self.rtol * np.abs(self.y)
        d0, d1 = _rms(self.y / scale), _rms(f0 / scale)
        h0 = 1e-6 if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
        h0 = min(h0, interval)
        f1 = self._f(self.t + h0, self.y + h0 * f0)
        d2 = _rms((f1 - f0) / scale) / h0
        h1 = max(1e-6, h0 * 1e-3) if d1 <= 1e-15 and d2 <= 1e-15 else (0.01 / max(d1, d2)) ** 0.5
        return min(100 * h0, h1, interval)

    def _newton(self, t_new: float, y_predict: FloatArray, c: float, psi: FloatArray, scale: FloatArray,
                solve: Solve) -> tuple[bool, int, FloatArray, FloatArray]:
        y, d = y_predict.copy(), np.zeros_like(y_predict)
        dy_norm_old: float | None = None
        for it in range(NEWTON_MAXITER):
            f = self._f(t_new, y)
            if not np.all(np.isfinite(f)):
                return False, it + 1, y, d
            self.nsolve += 1
            dy = solve(c * f - psi - d)
            dy_norm = _rms(dy / scale)
            rate = None if dy_norm_old is None or dy_norm_old == 0 else dy_norm / dy_norm_old
            if rate is not None and (rate >= 1 or rate ** (NEWTON_MAXITER - it) / (1 - rate) * dy_norm > self.newton_tol):
                return False, it + 1, y, d
            y += dy
            d += dy
            if dy_norm == 0 or (rate is not None and rate / (1 - rate) * dy_norm < self.newton_tol):
                return True, it + 1, y, d
            dy_norm_old = dy_norm
        return False, NEWTON_MAXITER, y, d

    def step(self) -> None:
        """Take one accepted step (or set ``status`` to "failed")."""
        if self.status != "running":
            raise RuntimeError(f"the integration is {self.status}")
        t, D, order = self.t, self.D, self.order
        min_step = 10 * abs(np.nextafter(t, np.inf) - t)
        h = self.h
        if h < min_step:
            _change_differences(D, order, min_step / h)
            h, self.n_equal_steps = min_step, 0
        J, solve, fresh_jac = self.J, self.solve, False
        while True:
            if h < min_step:
                self.status = "failed"
                return
            t_new = t + h
            if t_new >= self.t_bound:
                t_new = self.t_bound
                _change_differences(D, order, (t_new - t) / h)
                self.n_equal_steps, solve = 0, None
                h = t_new - t
            y_predict = D[: order + 1].sum(axis=0)
            scale = self.atol + self.rtol * np.abs(y_predict)
            psi = (D[1 : order + 1].T @ GAMMA[1 : order + 1]) / ALPHA[order]
            c = h / ALPHA[order]
            while True:
                if solve is None:
                    solve = J.solver(c)
                converged, n_iter, y_new, d = self._newton(t_new, y_predict, c, psi, scale, solve)
                if converged or fresh_jac:
                    break
                J, solve, fresh_jac = self._jac(t_new, y_predict), None, True
            if not converged:
                _change_differences(D, order, 0.5)
                h, self.n_equal_steps, solve = h * 0.5, 0, None
                continue
            safety = 0.9 * (2 * NEWTON_MAXITER + 1) / (2 * NEWTON_MAXITER + n_iter)
            scale = self.atol + self.rtol * np.abs(y_new)
            error_norm = _rms(ERROR_CONST[order] * d / scale)
            if error_norm > 1:
                factor = max(MIN_FACTOR, safety * error_norm ** (-1 / (order + 1)))
                _change_differences(D, order, factor)
                h, self.n_equal_steps = h * factor, 0
                solve = None  # c changes with h
                continue
            break
        self.n_equal_steps += 1
        self.t, self.y, self.h, self.J, self.solve = t_new, y_new, h, J, solve
        D[order + 2] = d - D[order + 1]
        D[order + 1] = d
        for i in reversed(range(order + 1)):
            D[i] += D[i + 1]
        if self.t >= self.t_bound:
            self.status = "finished"
            return
        if self.n_equal_steps < order + 1:
            return
        err_m = _rms(ERROR_CONST[order - 1] * D[order] / scale) if order > 1 else math.inf
        err_p = _rms(ERROR_CONST[order + 1] * D[order + 2] / scale) if order < MAX_ORDER else math.inf
        norms = np.array([err_m, error_norm, err_p])
        with np.errstate(divide="ignore"):
            factors = norms ** (-1 / np.arange(order, order + 3))
        self.order = order = order + int(np.argmax(factors)) - 1
        factor = min(MAX_FACTOR, safety * float(np.max(factors)))
        _change_differences(D, order, factor)
        self.h *= factor
        self.n_equal_steps, self.solve = 0, None

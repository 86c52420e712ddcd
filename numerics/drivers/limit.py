r"""The limit of gradient flow: integrate dR/dt = −∇L for each model until it has converged (C7).

Each model is integrated on its own with LSODA (stiff/non-stiff switching), so its result
does not depend on its batch, and models run in parallel processes when ``jobs > 1``.
The right-hand side is the analytic gradient of ``tempx.numerics.losses`` written for one model on
2-D arrays (``one_model_loss_grad``: the solver's inner loop, 2× faster than the batched call).  LSODA's Newton
iterations use the Gauss–Newton Jacobian −2 J_wᵀ W J_w (J_w = ∂(w_0 … w_{k−1})/∂(A, B, C),
W = diag ω or Σ̂): it is the exact Jacobian at an interpolating point and only steers the
Newton iterations — the accuracy is set by rtol/atol on the true right-hand side.  It is
about 3× cheaper than a complex-step Jacobian of the gradient and gives the same limits.

Stopping: every few accepted steps the model is tested; it stops when both L_k ≤ loss_tol · max(1, L_k(0 model)) and
‖∇L‖_F ≤ grad_tol (status ``converged``); otherwise the model stops at ``t_max`` or after
``max_evals`` right-hand-side evaluations (status ``budget``); a solver failure is ``failed``
and non-finite parameters ``diverged``.  Unconverged models are reported, never dropped.
Q = AAᵀ − AᵀA + BBᵀ − CᵀC is conserved by the flow (C4); its drift is reported as a check.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.integrate import LSODA

from tempx.numerics.losses import check_length, check_lengths, check_moment, loss_weights
from tempx.numerics.students.dense import extrapolation_losses, krylov, loss_and_grad
from tempx.numerics.teachers import FloatArray, Teacher
from tempx.numerics.students.dense import Params
from tempx.theory.errors import InvalidInput

__all__ = ["LIMIT_STATUSES", "LimitResult", "flow_limit", "gauss_newton_jacobian", "one_model_loss_grad", "weight_matrix"]

LIMIT_STATUSES = ("converged", "budget", "failed", "diverged")
CHECK_EVERY = 4  # accepted solver steps between convergence tests


@dataclass(frozen=True, eq=False)
class LimitResult:
    """Per model: ``status`` (LIMIT_STATUSES), time ``t`` reached, ``train_loss`` L_k, ``grad_norm``,
    ``extrapolation_loss`` (N, len(qs)), ``Q_norm`` at the end and ``Q_drift`` = ‖Q(t) − Q(0)‖_F, ``nfev``."""

    params: Params
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


def weight_matrix(k: int, weights: Any = None, moment: Any = None) -> FloatArray:
    """W (k×k) with L = rᵀ W r: diag ω for the population loss, Σ̂ for the empirical loss."""
    if moment is not None:
        return check_moment(moment, k, weights)
    return np.diag(loss_weights(k, weights))


def gauss_newton_jacobian(A: FloatArray, B: FloatArray, C: FloatArray, k: int, W: FloatArray) -> FloatArray:
    """−2 J_wᵀ W J_w for one model (A (d, d), B (d,), C (d,)); parameters ordered A (row-major), B, C.

    ∂w_i/∂A = Σ_{j+l=i−1} (C A^j)ᵀ (A^l B)ᵀ, ∂w_i/∂B = (C A^i)ᵀ, ∂w_i/∂C = A^i B.
    """
    d = B.size
    p = Params(A[None], B[None, :, None], C[None, None, :])
    U, V = (m[0] for m in krylov(p, k))
    J = np.zeros((k, d * d + 2 * d))
    for i in range(1, k):
        J[i, : d * d] = np.einsum("ja,jb->ab", U[:i], V[i - 1 :: -1]).ravel()
    J[:, d * d : d * d + d] = U
    J[:, d * d + d :] = V
    return -2.0 * (J.T @ (W @ J))


def one_model_loss_grad(d: int, k: int, wstar: FloatArray, W: FloatArray) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """y = (A row-major, B, C) ↦ (L, ∇L) for one model: the formulas of ``tempx.numerics.losses.loss_and_grad``
    on 2-D arrays, without batch axis or validation (the solver's inner loop; tests compare the two)."""
    nA = d * d
    idx = np.add.outer(np.arange(k), np.arange(k)) + 1
    idx[idx >= k] = k  # points at a padded zero: H_{jl} = ρ_{j+l+1} if j + l + 1 < k else 0
    U, V = np.empty((k, d)), np.empty((k, d))

    def loss_grad(y: FloatArray) -> tuple[float, FloatArray]:
        A = y[:nA].reshape(d, d)
        v, u = y[nA : nA + d], y[nA + d :]
        with np.errstate(over="ignore", invalid="ignore"):
            for j in range(k):
                U[j], V[j] = u, v
                if j + 1 < k:
                    u, v = u @ A, A @ v
            r = V @ y[nA + d :] - wstar
            rho = W @ r
            H = np.append(rho, 0.0)[idx]
            g = np.concatenate([2.0 * (U.T @ (H @ V)).ravel(), 2.0 * (U.T @ rho), 2.0 * (V.T @ rho)])
            return float(r @ rho), g

    return loss_grad


class _Budget(Exception):
    pass


def _one(args: tuple[Any, ...]) -> dict[str, Any]:
    """Integrate one model (A, B, C as 2-D arrays) to its limit; a pure function of its arguments."""
    A0, B0, C0, teacher, k, W, t_max, loss_tol, grad_tol, rtol, atol, max_evals = args
    d = A0.shape[0]
    nA = d * d
    wstar = teacher.impulse_response(k)
    scale = max(1.0, float(wstar @ W @ wstar))

    inner = one_model_loss_grad(d, k, wstar, W)
    evals = [0]

    def loss_grad(y: FloatArray) -> tuple[float, FloatArray]:
        evals[0] += 1
        if evals[0] > max_evals:
            raise _Budget
        return inner(y)

    def rhs(_t: float, y: FloatArray) -> FloatArray:
        return -loss_grad(y)[1]

    def jac(_t: float, y: FloatArray) -> FloatArray:
        return gauss_newton_jacobian(y[:nA].reshape(d, d), y[nA : nA + d], y[nA + d :], k, W)

    def converged(y: FloatArray) -> bool | None:
        loss, g = loss_grad(y)
        if not (np.isfinite(loss) and np.all(np.isfinite(g))):
            return None
        return loss <= loss_tol * scale and float(np.linalg.norm(g)) <= grad_tol

    y0 = np.concatenate([A0.ravel(), B0.ravel(), C0.ravel()])
    status, t_end, y_end = "budget", 0.0, y0
    try:
        state = converged(y0)
        if state is None:
            status = "diverged"
        elif state:
            status = "converged"
        else:
            solver = LSODA(rhs, 0.0, y0, float(t_max), jac=jac, rtol=rtol, atol=atol)
            # the test runs on accepted steps only (every CHECK_EVERY-th, and at the end)
            n = 0
            while solver.status == "running":
                solver.step()
                n += 1
                t_end, y_end = float(solver.t), solver.y
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


def flow_limit(
    params: Params,
    teacher: Teacher,
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
) -> LimitResult:
    """Gradient flow of every model in ``params`` to its limit (see the module docstring).

    ``executor`` (a ``concurrent.futures.Executor``) runs the models in parallel; without it
    they run one after the other in this process.  The result is the same either way.
    """
    k = check_length(k)
    qs = check_lengths(qs)
    for name, v in (("t_max", t_max), ("loss_tol", loss_tol), ("grad_tol", grad_tol), ("rtol", rtol), ("atol", atol)):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not (np.isfinite(v) and v > 0):
            raise InvalidInput(f"{name} must be a finite number > 0, got {v!r}")
    if isinstance(max_evals, bool) or not isinstance(max_evals, (int, np.integer)) or max_evals < 1:
        raise InvalidInput(f"max_evals must be an integer >= 1, got {max_evals!r}")
    W = weight_matrix(k, weights, moment)
    tasks = [(params.A[i], params.B[i, :, 0], params.C[i, 0, :], teacher, k, W, float(t_max), float(loss_tol),
              float(grad_tol), float(rtol), float(atol), int(max_evals)) for i in range(params.n_models)]
    outs: list[dict[str, Any]] = []
    results = map(_one, tasks) if executor is None else executor.map(_one, tasks)
    for out in results:
        outs.append(out)
        if progress is not None:
            progress(len(outs))
    d = params.d
    nA = d * d
    Y = np.stack([o["y"] for o in outs])
    end = Params(Y[:, :nA].reshape(-1, d, d), Y[:, nA : nA + d].reshape(-1, d, 1), Y[:, nA + d :].reshape(-1, 1, d))
    with np.errstate(over="ignore", invalid="ignore"):
        loss, g = loss_and_grad(end, teacher, k, moment=W)
        gnorm = np.sqrt((g.A**2).sum(axis=(1, 2)) + (g.B**2).sum(axis=(1, 2)) + (g.C**2).sum(axis=(1, 2)))
        ext = extrapolation_losses(end, teacher, qs) if qs else np.empty((params.n_models, 0))
        q_end = end.q_matrix()
        drift = np.linalg.norm(q_end - params.q_matrix(), axis=(1, 2))
    return LimitResult(
        params=end, status=tuple(o["status"] for o in outs), t=np.array([o["t"] for o in outs]), train_loss=loss,
        grad_norm=gnorm, qs=qs, extrapolation_loss=ext, Q_norm=np.linalg.norm(q_end, axis=(1, 2)), Q_drift=drift,
        nfev=np.array([o["nfev"] for o in outs], dtype=float),
    )

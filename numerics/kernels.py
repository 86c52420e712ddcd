"""Compiled gradient-descent kernel (numba), used by ``numerics.descent.gd`` when available.

The kernel runs many GD steps per call for a block of models, each model in its own loop,
with the models split across threads (``prange``).  Per model and step it does exactly the
work of ``numerics.losses.loss_and_grad`` (SPEC §1), fused so that A is read while it is in
cache:

    V sweep       v_l = A^l B                         (k matrix-vector products)
    residuals     w_l = C v_l, r = w − w*, ρ = M r    (M = diag ω stored as its diagonal (1, k), or Σ̂ for finite data)
    Z_j = Σ_l ρ_{j+l+1} v_l                           (the Hankel product H V)
    U sweep       u_j = C A^j, fused with G_A += 2 u_jᵀ Z_j and G_B += 2 ρ_j u_jᵀ
    G_C = 2 Σ_l ρ_l v_l,  then R ← R − η G

Stopping rules are those of ``gd`` (converged / diverged / budget), decided per model and
step, so a model's trajectory does not depend on its batch.  Without numba the module still
imports and ``AVAILABLE`` is False; ``gd`` then uses the vectorized numpy path.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["AVAILABLE", "RUNNING", "CONVERGED", "MAX_STEPS", "DIVERGED", "gd_block"]

RUNNING, CONVERGED, MAX_STEPS, DIVERGED = 0, 1, 2, 3

try:  # numba is optional: tempx works without it, only slower
    if os.environ.get("TEMPX_DISABLE_NUMBA"):
        raise ImportError("disabled by TEMPX_DISABLE_NUMBA")
    from numba import njit, prange

    AVAILABLE = True
except ImportError:  # pragma: no cover - exercised where numba is missing
    AVAILABLE = False


if AVAILABLE:

    # Reassociation and contraction (FMA) let LLVM vectorize the dot products; 'nnan'/'ninf'
    # are left out on purpose, so that the divergence checks (isfinite) are not optimized away.
    FAST = {"reassoc", "contract", "nsz", "arcp"}

    @njit(fastmath=FAST, cache=True, nogil=True)
    def _run_model(A0: Any, b0: Any, c0: Any, wstar: Any, M: Any, diag: bool, lr: float, t_start: int, n_steps: int,
                   total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        """GD for one model on A0 (d×d), b0 (d), c0 (d) in place; out = [status, steps, diverged_at, loss].

        Two buffers per parameter alternate as current and next iterate (no copy per step);
        the final iterate is copied back into A0, b0, c0.
        """
        d = A0.shape[0]
        k = wstar.shape[0]
        V = np.empty((k, d))
        Z = np.empty((k, d))
        GA = np.empty((d, d))
        GB = np.empty(d)
        GC = np.empty(d)
        u = np.empty(d)
        unew = np.empty(d)
        r = np.empty(k)
        rho = np.empty(k)
        A, b, c = A0, b0, c0
        An, bn, cn = np.empty((d, d)), np.empty(d), np.empty(d)
        swapped = False
        for step in range(n_steps):
            t = t_start + step
            # V sweep: v_l = A^l b
            for i in range(d):
                V[0, i] = b[i]
            for l in range(1, k):
                for i in range(d):
                    s = 0.0
                    for j in range(d):
                        s += A[i, j] * V[l - 1, j]
                    V[l, i] = s
            # residuals, ρ = M r, loss = rᵀ M r
            for l in range(k):
                s = 0.0
                for i in range(d):
                    s += c[i] * V[l, i]
                r[l] = s - wstar[l]
            loss = 0.0
            if diag:  # population loss: M = diag ω held as one row, O(k) memory and work
                for l in range(k):
                    s = M[0, l] * r[l]
                    rho[l] = s
                    loss += r[l] * s
            else:
                for l in range(k):
                    s = 0.0
                    for m in range(k):
                        s += M[l, m] * r[m]
                    rho[l] = s
                    loss += r[l] * s
            # Z_j = 2 Σ_{l < k−1−j} ρ_{j+l+1} v_l  (the factor 2 of the gradient folded in)
            for j in range(k):
                for i in range(d):
                    Z[j, i] = 0.0
                for l in range(k - 1 - j):
                    coef = 2.0 * rho[j + l + 1]
                    for i in range(d):
                        Z[j, i] += coef * V[l, i]
            # G_C = 2 Σ_l ρ_l v_l
            for i in range(d):
                s = 0.0
                for l in range(k):
                    s += rho[l] * V[l, i]
                GC[i] = 2.0 * s
            # U sweep (u_j = C A^j) fused with G_A = Σ_j u_jᵀ Z_j and G_B = 2 Σ_j ρ_j u_jᵀ
            for i in range(d):
                u[i] = c[i]
            two_rho = 2.0 * rho[0]
            for row in range(d):  # j = 0 initializes G_A and G_B
                ur = u[row]
                GB[row] = two_rho * ur
                for col in range(d):
                    GA[row, col] = ur * Z[0, col]
            for jj in range(1, k):
                for i in range(d):
                    unew[i] = 0.0
                for row in range(d):
                    ur = u[row]
                    for col in range(d):
                        unew[col] += ur * A[row, col]
                two_rho = 2.0 * rho[jj]
                if jj < k - 1:
                    for row in range(d):
                        ur = unew[row]
                        u[row] = ur
                        GB[row] += two_rho * ur
                        for col in range(d):
                            GA[row, col] += ur * Z[jj, col]
                else:  # Z_{k−1} = 0: the last u only enters G_B
                    for row in range(d):
                        GB[row] += two_rho * unew[row]
            # next iterate into the other buffer; non-finite values propagate into the sums
            gsum = 0.0
            psum = 0.0
            for i in range(d):
                gsum += GB[i] + GC[i]
                bn[i] = b[i] - lr * GB[i]
                cn[i] = c[i] - lr * GC[i]
                psum += bn[i] + cn[i]
                for j in range(d):
                    g = GA[i, j]
                    gsum += g
                    x = A[i, j] - lr * g
                    An[i, j] = x
                    psum += x
            # stopping rules, as numerics.descent.gd
            bad = not (np.isfinite(loss) and np.isfinite(gsum)) or loss > bound
            done = tol > 0.0 and loss <= tol and not bad
            out[3] = loss
            if t < total and not np.isfinite(psum) and not done:
                bad = True
            if bad or done or t == total:
                if bad:
                    out[0] = 3.0
                    out[2] = t
                elif done:
                    out[0] = 1.0
                else:
                    out[0] = 2.0
                out[1] = t
                break
            A, An = An, A
            b, bn = bn, b
            c, cn = cn, c
            swapped = not swapped
        # a model still running after this block has its steps recorded when it stops (t == total at the latest)
        if swapped:  # the current iterate lives in the scratch buffers
            A0[:, :] = A
            b0[:] = b
            c0[:] = c

    @njit(parallel=True, cache=True)
    def _gd_block_parallel(A: Any, b: Any, c: Any, wstar: Any, M: Any, diag: bool, lr: float, t_start: int, n_steps: int,
                           total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        for m in prange(A.shape[0]):
            if out[m, 0] == 0.0:
                _run_model(A[m], b[m], c[m], wstar, M, diag, lr, t_start, n_steps, total, tol, bound, out[m])

    @njit(cache=True)
    def _gd_block_serial(A: Any, b: Any, c: Any, wstar: Any, M: Any, diag: bool, lr: float, t_start: int, n_steps: int,
                         total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        for m in range(A.shape[0]):
            if out[m, 0] == 0.0:
                _run_model(A[m], b[m], c[m], wstar, M, diag, lr, t_start, n_steps, total, tol, bound, out[m])


def gd_block(A: np.ndarray, b: np.ndarray, c: np.ndarray, wstar: np.ndarray, M: np.ndarray, lr: float, t_start: int,
             n_steps: int, total: int, tol: float, bound: float, out: np.ndarray) -> None:
    """Advance every running model (out[m, 0] == RUNNING) by up to ``n_steps`` steps, in place.

    A (N, d, d), b (N, d), c (N, d) are C-contiguous float64 working copies; ``out`` (N, 4) holds
    status, steps used, divergence step, last loss.  ``M`` is Σ̂ (k, k), or the loss weights ω as
    one row (1, k) for the population loss (M = diag ω).  Threads are used only when N > 1.
    """
    if not AVAILABLE:  # pragma: no cover
        raise RuntimeError("numba is not installed")
    k = wstar.shape[0]
    diag = M.shape == (1, k)
    if not diag and M.shape != (k, k):
        raise ValueError(f"M must be (1, {k}) loss weights or a ({k}, {k}) moment matrix, got {M.shape}")
    run = _gd_block_parallel if A.shape[0] > 1 else _gd_block_serial
    run(A, b, c, wstar, M, diag, float(lr), int(t_start), int(n_steps), int(total), float(tol), float(bound), out)

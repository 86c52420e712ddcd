"""Compiled gradient-descent kernel (numba), used by ``tempx.numerics.drivers.descent.gd`` when available.

The kernel runs many GD steps per call for a block of models, each model in its own loop,
with the models split across threads (``prange``).  Per model and step it does the work of
``tempx.numerics.losses.loss_and_grad`` (SPEC §1, in the order of its backward sweep):

    forward       v_l = A^l B                          (k − 1 matrix-vector products)
    residuals     w_l = C v_l, r = w − w*, ρ = M r     (M = diag ω stored as one row (1, k), or Σ̂)
    backward      g_{k−1} = 2ρ_{k−1} Cᵀ, g_l = 2ρ_l Cᵀ + Aᵀ g_{l+1}   (k − 1 products with Aᵀ)
    update        row j of A ← A_j − η Σ_{l≥1} g_l[j] v_{l−1}   (G_A is never stored)
                  B ← B − η g_0,  C ← C − η · 2 Σ_l ρ_l v_l

3kd² multiply-adds and O(kd) memory per model and step; no k×k work at any k.

Stopping rules are those of ``gd`` (converged / diverged / budget), decided per model and
step, so a model's trajectory does not depend on its batch.  Without numba the module still
imports and ``AVAILABLE`` is False; ``gd`` then uses the vectorized numpy path.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["AVAILABLE", "CONVERGED", "DIVERGED", "MAX_STEPS", "RUNNING", "gd_block"]

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

    @njit(cache=True, inline="always")
    def stopped(out: Any, t: int, total: int, bad: bool, done: bool) -> bool:  # pragma: no cover - compiled
        """The stopping rule of every GD kernel: record status and steps in ``out`` when the model stops at step t."""
        if not (bad or done or t == total):
            return False
        if bad:
            out[0] = DIVERGED
            out[2] = t
        else:
            out[0] = CONVERGED if done else MAX_STEPS
        out[1] = t
        return True

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
        G = np.empty((k, d))
        GC = np.empty(d)
        acc = np.empty(d)
        r = np.empty(k)
        rho = np.empty(k)
        A, b, c = A0, b0, c0
        An, bn, cn = np.empty((d, d)), np.empty(d), np.empty(d)
        swapped = False
        for step in range(n_steps):
            t = t_start + step
            # forward sweep: v_l = A^l b (dot products with the rows of A)
            for i in range(d):
                V[0, i] = b[i]
            d4 = d - d % 4
            for l in range(1, k):
                for i in range(0, d4, 4):  # four rows at once: each load of v_{l−1}[j] feeds four sums
                    s0 = 0.0
                    s1 = 0.0
                    s2 = 0.0
                    s3 = 0.0
                    for j in range(d):
                        vj = V[l - 1, j]
                        s0 += A[i, j] * vj
                        s1 += A[i + 1, j] * vj
                        s2 += A[i + 2, j] * vj
                        s3 += A[i + 3, j] * vj
                    V[l, i] = s0
                    V[l, i + 1] = s1
                    V[l, i + 2] = s2
                    V[l, i + 3] = s3
                for i in range(d4, d):
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
            # backward sweep: g_{k−1} = 2ρ_{k−1} c, g_l = 2ρ_l c + Aᵀ g_{l+1} (axpy over the rows of A)
            two = 2.0 * rho[k - 1]
            for i in range(d):
                G[k - 1, i] = two * c[i]
            for l in range(k - 2, -1, -1):
                two = 2.0 * rho[l]
                for i in range(d):
                    G[l, i] = two * c[i]
                for j in range(0, d4, 4):  # four rows of A per pass over g_l: a quarter of the stores
                    g0 = G[l + 1, j]
                    g1 = G[l + 1, j + 1]
                    g2 = G[l + 1, j + 2]
                    g3 = G[l + 1, j + 3]
                    for i in range(d):
                        G[l, i] += g0 * A[j, i] + g1 * A[j + 1, i] + g2 * A[j + 2, i] + g3 * A[j + 3, i]
                for j in range(d4, d):
                    gj = G[l + 1, j]
                    for i in range(d):
                        G[l, i] += gj * A[j, i]
            # G_C = 2 Σ_l ρ_l v_l
            for i in range(d):
                GC[i] = 0.0
            for l in range(k):
                two = 2.0 * rho[l]
                for i in range(d):
                    GC[i] += two * V[l, i]
            # row j of G_A = Σ_{l≥1} g_l[j] v_{l−1}, accumulated and applied at once (G_A is never stored);
            # non-finite values propagate into the sums
            gsum = 0.0
            psum = 0.0
            for j in range(d):
                for i in range(d):
                    acc[i] = 0.0
                l = 1
                while l + 3 < k:  # four terms per pass over acc
                    h0 = G[l, j]
                    h1 = G[l + 1, j]
                    h2 = G[l + 2, j]
                    h3 = G[l + 3, j]
                    for i in range(d):
                        acc[i] += h0 * V[l - 1, i] + h1 * V[l, i] + h2 * V[l + 1, i] + h3 * V[l + 2, i]
                    l += 4
                if l + 2 < k:
                    h0 = G[l, j]
                    h1 = G[l + 1, j]
                    h2 = G[l + 2, j]
                    for i in range(d):
                        acc[i] += h0 * V[l - 1, i] + h1 * V[l, i] + h2 * V[l + 1, i]
                elif l + 1 < k:
                    h0 = G[l, j]
                    h1 = G[l + 1, j]
                    for i in range(d):
                        acc[i] += h0 * V[l - 1, i] + h1 * V[l, i]
                elif l < k:
                    h0 = G[l, j]
                    for i in range(d):
                        acc[i] += h0 * V[l - 1, i]
                for i in range(d):
                    g = acc[i]
                    gsum += g
                    x = A[j, i] - lr * g
                    An[j, i] = x
                    psum += x
            for i in range(d):
                gsum += G[0, i] + GC[i]
                bn[i] = b[i] - lr * G[0, i]
                cn[i] = c[i] - lr * GC[i]
                psum += bn[i] + cn[i]
            # stopping rules, as numerics.descent.gd
            bad = not (np.isfinite(loss) and np.isfinite(gsum)) or loss > bound
            done = tol > 0.0 and loss <= tol and not bad
            out[3] = loss
            if t < total and not np.isfinite(psum) and not done:
                bad = True
            if stopped(out, t, total, bad, done):
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

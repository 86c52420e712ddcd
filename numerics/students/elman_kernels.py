"""Compiled BPTT gradient descent for Elman students (numba), used by ``tempx.numerics.drivers.descent.gd``.

Per model and step, the work of ``tempx.numerics.students.elman.ElmanStudent.objective_loss_and_grad``
(the formulas of its module docstring), one sequence at a time so that the states of one sequence
(k × d) stay in cache: forward z_t = A h_{t−1} + B x_t, h_t = φ(z_t); errors e_t = C h_t − y_t;
backward δ_t = (2/n) τ_t e_t Cᵀ + Aᵀ g_{t+1}, g_t = δ_t ⊙ φ'(z_t), accumulating ∇A, ∇B, ∇C.  About
4 n k d² multiply-adds per model and step.  The activation is a code (0 identity, 1 tanh, 2 relu);
models run in parallel threads; the stopping rules are ``gd``'s (``dense_kernels.stopped``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tempx.numerics.students.dense_kernels import AVAILABLE

__all__ = ["AVAILABLE", "gd_block"]

if AVAILABLE:
    from numba import njit, prange

    from tempx.numerics.students.dense_kernels import stopped

    FAST = {"reassoc", "contract", "nsz", "arcp"}  # no nnan/ninf: the divergence checks must stay

    @njit(fastmath=FAST, cache=True, inline="always")
    def _phi(z: float, code: int) -> float:  # pragma: no cover - compiled
        if code == 1:
            return np.tanh(z)
        if code == 2:
            return max(0.0, z)
        return z

    @njit(fastmath=FAST, cache=True, inline="always")
    def _dphi(z: float, h: float, code: int) -> float:  # pragma: no cover - compiled
        if code == 1:
            return 1.0 - h * h
        if code == 2:
            return 1.0 if z > 0.0 else 0.0
        return 1.0

    @njit(fastmath=FAST, cache=True, nogil=True)
    def _run_model(A: Any, b: Any, c: Any, code: int, X: Any, Y: Any, tw: Any, lr: float, t_start: int, n_steps: int,
                   total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        """BPTT GD for one model in place; out = [status, steps, diverged_at, loss]."""
        d = A.shape[0]
        n, k = X.shape
        Z = np.empty((k, d))
        H = np.empty((k, d))
        R = np.empty(k)
        gA = np.empty((d, d))
        gb = np.empty(d)
        gc = np.empty(d)
        g = np.empty(d)
        gnext = np.empty(d)
        scale = 2.0 / n
        for step in range(n_steps):
            t = t_start + step
            gA[:, :] = 0.0
            gb[:] = 0.0
            gc[:] = 0.0
            loss = 0.0
            for s in range(n):
                for tt in range(k):
                    x = X[s, tt]
                    for i in range(d):
                        z = b[i] * x
                        if tt > 0:
                            for j in range(d):
                                z += A[i, j] * H[tt - 1, j]
                        Z[tt, i] = z
                        H[tt, i] = _phi(z, code)
                for tt in range(k):
                    if tw[tt] == 0.0:
                        R[tt] = 0.0
                        continue
                    e = -Y[s, tt]
                    for i in range(d):
                        e += c[i] * H[tt, i]
                    loss += tw[tt] * e * e
                    R[tt] = scale * tw[tt] * e
                gnext[:] = 0.0
                for tt in range(k - 1, -1, -1):
                    r = R[tt]
                    for i in range(d):
                        delta = r * c[i]
                        for j in range(d):
                            delta += gnext[j] * A[j, i]
                        g[i] = delta * _dphi(Z[tt, i], H[tt, i], code)
                    if r != 0.0:
                        for i in range(d):
                            gc[i] += r * H[tt, i]
                    x = X[s, tt]
                    for i in range(d):
                        gi = g[i]
                        gb[i] += gi * x
                        if tt > 0:
                            for j in range(d):
                                gA[i, j] += gi * H[tt - 1, j]
                    gnext[:] = g
            loss /= n
            gsum = 0.0
            for i in range(d):
                gsum += gb[i] + gc[i]
                for j in range(d):
                    gsum += gA[i, j]
            bad = not (np.isfinite(loss) and np.isfinite(gsum)) or loss > bound
            done = tol > 0.0 and loss <= tol and not bad
            out[3] = loss
            if not (bad or done or t == total):
                psum = 0.0
                for i in range(d):
                    psum += (b[i] - lr * gb[i]) + (c[i] - lr * gc[i])
                    for j in range(d):
                        psum += A[i, j] - lr * gA[i, j]
                if not np.isfinite(psum):
                    bad = True
            if stopped(out, t, total, bad, done):
                return
            for i in range(d):
                b[i] -= lr * gb[i]
                c[i] -= lr * gc[i]
                for j in range(d):
                    A[i, j] -= lr * gA[i, j]

    @njit(parallel=True, cache=True)
    def _block_parallel(A: Any, b: Any, c: Any, code: int, X: Any, Y: Any, tw: Any, lr: float, t_start: int,
                        n_steps: int, total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover
        for m in prange(A.shape[0]):
            if out[m, 0] == 0.0:
                _run_model(A[m], b[m], c[m], code, X, Y, tw, lr, t_start, n_steps, total, tol, bound, out[m])

    @njit(cache=True)
    def _block_serial(A: Any, b: Any, c: Any, code: int, X: Any, Y: Any, tw: Any, lr: float, t_start: int,
                      n_steps: int, total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover
        for m in range(A.shape[0]):
            if out[m, 0] == 0.0:
                _run_model(A[m], b[m], c[m], code, X, Y, tw, lr, t_start, n_steps, total, tol, bound, out[m])


def gd_block(A: np.ndarray, b: np.ndarray, c: np.ndarray, code: int, X: np.ndarray, Y: np.ndarray, tw: np.ndarray,
             lr: float, t_start: int, n_steps: int, total: int, tol: float, bound: float, out: np.ndarray) -> None:
    """Advance every running model (out[m, 0] == 0) by up to ``n_steps`` BPTT steps, in place."""
    if not AVAILABLE:  # pragma: no cover
        raise RuntimeError("numba is not installed")
    run = _block_parallel if A.shape[0] > 1 else _block_serial
    run(A, b, c, int(code), np.ascontiguousarray(X), np.ascontiguousarray(Y), np.ascontiguousarray(tw), float(lr),
        int(t_start), int(n_steps), int(total), float(tol), float(bound), out)

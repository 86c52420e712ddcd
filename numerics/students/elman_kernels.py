"""Compiled BPTT gradient descent for Elman students (numba), used by ``tempx.numerics.drivers.descent.gd``.

Per model and step, the work of ``tempx.numerics.students.elman.ElmanStudent.objective_loss_and_grad``
(the formulas of its module docstring), with the n sequences as the rows of one matrix so that each
time step is three (n × d)·(d × d) products (BLAS, through numba's ``np.dot``): forward
Z_t = H_{t−1} Aᵀ + x_t bᵀ, H_t = φ(Z_t); errors e_t = H_t c − y_t; backward
G_t = ((2/n) τ_t e_t cᵀ + G_{t+1} A) ⊙ φ'(Z_t), ∇A += G_tᵀ H_{t−1}, ∇b += G_tᵀ x_t, ∇c += (2/n) τ_t H_tᵀ e_t.
About 6 n k d² flops per model and step.  The activation is a code (0 identity, 1 tanh, 2 relu);
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
        """BPTT GD for one model in place; out = [status, steps, diverged_at, loss].  All n sequences move
        together: each time step is a few (n × d)·(d × d) products (BLAS through ``np.dot``)."""
        d = A.shape[0]
        n, k = X.shape
        Z = np.empty((k, n, d))
        H = np.empty((k, n, d))
        E = np.zeros((k, n))
        G = np.empty((n, d))
        At = np.empty((d, d))
        gA = np.empty((d, d))
        gb = np.empty(d)
        gc = np.empty(d)
        scale = 2.0 / n
        for step in range(n_steps):
            t = t_start + step
            for i in range(d):
                for j in range(d):
                    At[i, j] = A[j, i]
            loss = 0.0
            for tt in range(k):  # forward: Z_t = H_{t−1} Aᵀ + x_t bᵀ, H_t = φ(Z_t)
                if tt > 0:
                    Z[tt] = np.dot(H[tt - 1], At)
                else:
                    Z[tt] = 0.0
                for s in range(n):
                    x = X[s, tt]
                    for i in range(d):
                        z = Z[tt, s, i] + x * b[i]
                        Z[tt, s, i] = z
                        H[tt, s, i] = _phi(z, code)
                if tw[tt] != 0.0:
                    E[tt] = np.dot(H[tt], c) - Y[:, tt]
                    for s in range(n):
                        loss += tw[tt] * E[tt, s] * E[tt, s]
            loss /= n
            gA[:, :] = 0.0
            gb[:] = 0.0
            gc[:] = 0.0
            for tt in range(k - 1, -1, -1):  # backward: G_t = (r_t cᵀ + G_{t+1} A) ⊙ φ'(Z_t)
                if tt < k - 1:
                    G[:, :] = np.dot(G, A)
                else:
                    G[:, :] = 0.0
                w = scale * tw[tt]
                if w != 0.0:
                    for s in range(n):
                        r = w * E[tt, s]
                        for i in range(d):
                            G[s, i] += r * c[i]
                            gc[i] += r * H[tt, s, i]
                for s in range(n):
                    x = X[s, tt]
                    for i in range(d):
                        g = G[s, i] * _dphi(Z[tt, s, i], H[tt, s, i], code)
                        G[s, i] = g
                        gb[i] += g * x
                if tt > 0:
                    gA += np.dot(G.T, H[tt - 1])
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

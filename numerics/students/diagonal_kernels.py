"""Compiled gradient descent for diagonal students (numba), used by ``tempx.numerics.drivers.diagonal_descent``.

Per model and step, the work of ``tempx.numerics.students.diagonal.loss_and_grad`` in O(k d):

    w_i = Re Σ_j p_j λ_j^i, p = c ⊙ b       (one running power per mode)
    ρ = ω ⊙ (w − w*)
    S_j, S'_j by one Horner pass            (Σ ρ_i λ^i and its derivative)
    g_b = 2 conj(c S), g_c = 2 conj(b S), g_λ = 2 conj(p S'),  then x ← x − η g

The same compiled function serves real (float64) and complex (complex128) students: numba
specializes it per dtype, and conj is the identity on reals.  Stopping rules and statuses are
those of ``tempx.numerics.drivers.descent.gd`` (and ``tempx.numerics.students.dense_kernels``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tempx.numerics.students.dense_kernels import AVAILABLE

if AVAILABLE:
    from tempx.numerics.students.dense_kernels import stopped

__all__ = ["AVAILABLE", "diag_gd_block"]

if AVAILABLE:
    from numba import njit, prange

    FAST = {"reassoc", "contract", "nsz", "arcp"}  # no nnan/ninf: the divergence checks must stay

    @njit(fastmath=FAST, cache=True, inline="always")
    def _finite(z: Any) -> bool:  # pragma: no cover - compiled
        """Both parts finite (a float's imaginary part is 0)."""
        return np.isfinite(z.real) and np.isfinite(z.imag)

    @njit(fastmath=FAST, cache=True, nogil=True)
    def _run_model(lam: Any, b: Any, c: Any, wstar: Any, omega: Any, lr: float, t_start: int, n_steps: int,
                   total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        """GD for one diagonal student in place; out = [status, steps, diverged_at, loss]."""
        d = lam.shape[0]
        k = wstar.shape[0]
        rho = np.empty(k)
        glam = np.empty_like(lam)
        gb = np.empty_like(b)
        gc = np.empty_like(c)
        nlam = np.empty_like(lam)
        nb = np.empty_like(b)
        nc = np.empty_like(c)
        t = t_start
        for step in range(n_steps):
            t = t_start + step
            for i in range(k):
                rho[i] = -wstar[i]
            for j in range(d):
                z = c[j] * b[j]
                lj = lam[j]
                for i in range(k):
                    rho[i] += z.real
                    z = z * lj
            loss = 0.0
            for i in range(k):
                r = rho[i]
                rho[i] = omega[i] * r
                loss += r * rho[i]
            finite = np.isfinite(loss)
            for j in range(d):
                lj = lam[j]
                s0 = 0.0 * lj
                s1 = 0.0 * lj
                for i in range(k - 1, -1, -1):
                    s1 = s1 * lj + s0
                    s0 = s0 * lj + rho[i]
                p = c[j] * b[j]
                glam[j] = 2.0 * np.conj(p * s1)
                gb[j] = 2.0 * np.conj(c[j] * s0)
                gc[j] = 2.0 * np.conj(b[j] * s0)
                finite = finite and _finite(glam[j]) and _finite(gb[j]) and _finite(gc[j])
            bad = not finite or loss > bound
            done = tol > 0.0 and loss <= tol and not bad
            out[3] = loss
            if not (bad or done or t == total):
                # the next iterate into the scratch buffers; a non-finite one is divergence
                for j in range(d):
                    nlam[j] = lam[j] - lr * glam[j]
                    nb[j] = b[j] - lr * gb[j]
                    nc[j] = c[j] - lr * gc[j]
                    if not (_finite(nlam[j]) and _finite(nb[j]) and _finite(nc[j])):
                        bad = True
            if stopped(out, t, total, bad, done):
                return
            lam[:] = nlam
            b[:] = nb
            c[:] = nc
        # a model still running after this block has its steps recorded when it stops (t == total at the latest)

    @njit(parallel=True, cache=True)
    def _block_parallel(lam: Any, b: Any, c: Any, wstar: Any, omega: Any, lr: float, t_start: int, n_steps: int,
                        total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        for m in prange(lam.shape[0]):
            if out[m, 0] == 0.0:
                _run_model(lam[m], b[m], c[m], wstar, omega, lr, t_start, n_steps, total, tol, bound, out[m])

    @njit(cache=True)
    def _block_serial(lam: Any, b: Any, c: Any, wstar: Any, omega: Any, lr: float, t_start: int, n_steps: int,
                      total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        for m in range(lam.shape[0]):
            if out[m, 0] == 0.0:
                _run_model(lam[m], b[m], c[m], wstar, omega, lr, t_start, n_steps, total, tol, bound, out[m])


def diag_gd_block(lam: np.ndarray, b: np.ndarray, c: np.ndarray, wstar: np.ndarray, omega: np.ndarray, lr: float,
                  t_start: int, n_steps: int, total: int, tol: float, bound: float, out: np.ndarray) -> None:
    """Advance every running model (out[m, 0] == 0) by up to ``n_steps`` steps, in place (C-contiguous arrays)."""
    if not AVAILABLE:  # pragma: no cover
        raise RuntimeError("numba is not installed")
    run = _block_parallel if lam.shape[0] > 1 else _block_serial
    run(lam, b, c, wstar, omega, float(lr), int(t_start), int(n_steps), int(total), float(tol), float(bound), out)

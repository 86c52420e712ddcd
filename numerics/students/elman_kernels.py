"""Compiled BPTT gradient descent for Elman students (numba), used by ``tempx.numerics.drivers.descent.gd``.

Per model and step, the work of ``tempx.numerics.students.elman.ElmanStudent.objective_loss_and_grad``
(the formulas of its module docstring), with the n sequences as the rows of one matrix so that each
time step is three (n × d)·(d × d) products (BLAS, through numba's ``np.dot``): forward
Z_t = H_{t−1} Aᵀ + x_t bᵀ, H_t = φ(Z_t); errors e_t = H_t c − y_t; backward
G_t = ((2/n) τ_t e_t cᵀ + G_{t+1} A) ⊙ φ'(Z_t), ∇A += G_tᵀ H_{t−1}, ∇b += G_tᵀ x_t, ∇c += (2/n) τ_t H_tᵀ e_t.
About 6 n k d² flops per model and step.  The activation is a code (0 identity, 1 tanh, 2 relu),
applied by one vectorized loop per activation (tanh by ``_tanh``, not libm's scalar call).  Models run
in parallel threads; a single model's sequences are split into a fixed number of row blocks (at most
``MAX_PARTS``, never the thread count, so the order of the sum does not depend on it), whose gradients
are summed in block order; BLAS runs on one thread inside every block (``tempx.numerics.blas_threads``).  The stopping rules are
``gd``'s (``dense_kernels.stopped``).  Timings: docs/performance.md.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tempx.numerics.blas_threads import single_blas_thread
from tempx.numerics.students.dense_kernels import AVAILABLE

__all__ = ["AVAILABLE", "gd_block"]

if AVAILABLE:
    from numba import njit, prange

    from tempx.numerics.students.dense_kernels import stopped

    FAST = {"reassoc", "contract", "nsz", "arcp"}  # no nnan/ninf: the divergence checks must stay

    # tanh(z) = expm1(2|z|) / (expm1(2|z|) + 2) with the sign of z, in operations LLVM vectorizes (the
    # libm tanh is a scalar call and was 3/4 of a tanh step): 2|z| = n ln 2 + r (Cody–Waite, |r| ≤ ln2/2),
    # expm1(r) by its Taylor polynomial of degree 14 (truncation < 1e-18 relative), 2ⁿ exactly from
    # the bits of n ≤ 55, and expm1(2|z|) = 2ⁿ expm1(r) + (2ⁿ − 1), which is expm1(r) itself when
    # n = 0 (no cancellation for small z).  Beyond |z| = 19.1 the float64 tanh is ±1 and 2|z| is
    # clamped there.  Relative error ≤ 4.2e-16 against mpmath (tests/test_elman.py); NaN stays NaN.
    # error_model="numpy": Python's ZeroDivisionError check on the division would stop vectorization.
    _INV_LN2 = 1.4426950408889634
    _LN2_HI = 6.93147180369123816490e-01  # ln 2 split so that n·_LN2_HI is exact for n < 2¹¹
    _LN2_LO = 1.90821492927058770002e-10
    _E = tuple(1.0 / math.factorial(j + 1) for j in range(14))  # 1/(j+1)!: the Taylor series of expm1(r)/r

    @njit(fastmath={"contract"}, cache=True, inline="always", error_model="numpy")
    def _tanh(z: float) -> float:  # pragma: no cover - compiled
        x = 2.0 * abs(z)
        x = min(x, 38.2)
        ni = np.int64(x * _INV_LN2 + 0.5)  # x ≥ 0: truncation rounds to nearest
        n = np.float64(ni)
        r = (x - n * _LN2_HI) - n * _LN2_LO
        q = _E[-1]
        for j in range(len(_E) - 2, -1, -1):
            q = _E[j] + r * q
        s = ((1.0 + (ni & 1)) * (1.0 + 3.0 * ((ni >> 1) & 1)) * (1.0 + 15.0 * ((ni >> 2) & 1))
             * (1.0 + 255.0 * ((ni >> 3) & 1)) * (1.0 + 65535.0 * ((ni >> 4) & 1))
             * (1.0 + 4294967295.0 * ((ni >> 5) & 1)))
        em1 = s * (r * q) + (s - 1.0)
        t = em1 / (em1 + 2.0)
        return z if np.isnan(z) else (t if z >= 0.0 else -t)  # a select, not a branch: the loop vectorizes

    @njit(fastmath={"contract"}, cache=True, error_model="numpy")
    def _activate(Z: Any, H: Any, code: int) -> None:  # pragma: no cover - compiled
        """H = φ(Z) elementwise on one (n × d) block; one loop per activation, so each vectorizes.
        Of fastmath only FMA contraction (2× faster here): reassociation would undo _tanh's Cody–Waite split."""
        n, d = Z.shape
        if code == 1:
            for s in range(n):
                for i in range(d):
                    H[s, i] = _tanh(Z[s, i])
        elif code == 2:
            for s in range(n):
                for i in range(d):
                    H[s, i] = max(0.0, Z[s, i])
        else:
            H[:, :] = Z

    @njit(fastmath=FAST, cache=True, error_model="numpy")
    def _times_dphi(G: Any, Z: Any, H: Any, code: int) -> None:  # pragma: no cover - compiled
        """G ⊙= φ'(Z) on one (n × d) block (φ' from H = φ(Z) for tanh); one vectorized loop per activation."""
        n, d = G.shape
        if code == 1:
            for s in range(n):
                for i in range(d):
                    G[s, i] *= 1.0 - H[s, i] * H[s, i]
        elif code == 2:
            for s in range(n):
                for i in range(d):
                    G[s, i] = G[s, i] if Z[s, i] > 0.0 else 0.0

    @njit(fastmath=FAST, cache=True, nogil=True, error_model="numpy")
    def _grad_rows(A: Any, At: Any, b: Any, c: Any, code: int, XT: Any, Y: Any, tw: Any, scale: float, Z: Any, H: Any,
                   G: Any, gA: Any, gb: Any, gc: Any) -> float:  # pragma: no cover - compiled
        """∇ of the loss over the sequences of these rows (XT: (k, m) inputs, Y: (m, k) targets) into gA, gb, gc
        (scaled by ``scale`` = 2/n of the whole batch); returns Σ_t τ_t Σ_s e_ts² over these rows.
        Z, H, G are (k, m, d) workspaces."""
        k, m = XT.shape
        d = A.shape[0]
        E = np.zeros((k, m))
        loss = 0.0
        for tt in range(k):  # forward: Z_t = H_{t−1} Aᵀ + x_t bᵀ, H_t = φ(Z_t)
            if tt > 0:
                Z[tt] = np.dot(H[tt - 1], At)
            else:
                Z[tt] = 0.0
            for s in range(m):
                x = XT[tt, s]
                for i in range(d):
                    Z[tt, s, i] += x * b[i]
            _activate(Z[tt], H[tt], code)
            if tw[tt] != 0.0:
                E[tt] = np.dot(H[tt], c) - Y[:, tt]
                for s in range(m):
                    loss += tw[tt] * E[tt, s] * E[tt, s]
        gA[:, :] = 0.0
        gb[:] = 0.0
        gc[:] = 0.0
        for tt in range(k - 1, -1, -1):  # backward: G_t = (r_t cᵀ + G_{t+1} A) ⊙ φ'(Z_t)
            if tt < k - 1:
                G[tt] = np.dot(G[tt + 1], A)
            else:
                G[tt] = 0.0
            w = scale * tw[tt]
            if w != 0.0:
                r = w * E[tt]
                gc += np.dot(r, H[tt])
                for s in range(m):
                    for i in range(d):
                        G[tt, s, i] += r[s] * c[i]
            _times_dphi(G[tt], Z[tt], H[tt], code)
            gb += np.dot(XT[tt], G[tt])
            if tt > 0:
                gA += np.dot(G[tt].T, H[tt - 1])
        return loss

    @njit(fastmath=FAST, cache=True, nogil=True)
    def _end_step(A: Any, b: Any, c: Any, gA: Any, gb: Any, gc: Any, loss: float, lr: float, t: int, total: int,
                  tol: float, bound: float, out: Any) -> bool:  # pragma: no cover - compiled
        """``gd``'s stopping rules at step t (``dense_kernels.stopped``); otherwise the GD update in place."""
        d = A.shape[0]
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
            return True
        for i in range(d):
            b[i] -= lr * gb[i]
            c[i] -= lr * gc[i]
            for j in range(d):
                A[i, j] -= lr * gA[i, j]
        return False

    @njit(fastmath=FAST, cache=True, nogil=True)
    def _run_model(A: Any, b: Any, c: Any, code: int, X: Any, Y: Any, tw: Any, lr: float, t_start: int, n_steps: int,
                   total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        """BPTT GD for one model in place (one thread); out = [status, steps, diverged_at, loss].  All n
        sequences move together: each time step is a few (n × d)·(d × d) products (BLAS through ``np.dot``)."""
        d = A.shape[0]
        n, k = X.shape
        XT = np.ascontiguousarray(X.T)
        Z, H, G = np.empty((k, n, d)), np.empty((k, n, d)), np.empty((k, n, d))
        At, gA, gb, gc = np.empty((d, d)), np.empty((d, d)), np.empty(d), np.empty(d)
        for step in range(n_steps):
            At[:, :] = A.T
            loss = _grad_rows(A, At, b, c, code, XT, Y, tw, 2.0 / n, Z, H, G, gA, gb, gc) / n
            if _end_step(A, b, c, gA, gb, gc, loss, lr, t_start + step, total, tol, bound, out):
                return

    @njit(cache=True, nogil=True)
    def _sum_parts(losses: Any, gA: Any, gb: Any, gc: Any, sA: Any, sb: Any, sc: Any) -> float:  # pragma: no cover
        """The row blocks' losses and gradients summed block by block, in one fixed order, into sA, sb, sc.
        Compiled apart from the parallel caller: there ``losses.sum()`` or ``gA.sum(axis=0)`` would become a
        parallel reduction whose order (and last bits) follows numba's thread count."""
        loss = 0.0
        sA[:, :] = 0.0
        sb[:] = 0.0
        sc[:] = 0.0
        for j in range(losses.shape[0]):
            loss += losses[j]
            sA += gA[j]
            sb += gb[j]
            sc += gc[j]
        return loss

    @njit(parallel=True, cache=True)
    def _run_one_split(A: Any, b: Any, c: Any, code: int, X: Any, Y: Any, tw: Any, lr: float, t_start: int,
                       n_steps: int, total: int, tol: float, bound: float, out: Any,
                       parts: int) -> None:  # pragma: no cover - compiled
        """One model, its n sequences split into ``parts`` row blocks whose gradients run in parallel threads
        and are summed (the only parallelism a single model has: its time steps are sequential)."""
        d = A.shape[0]
        n, k = X.shape
        edges = np.linspace(0, n, parts + 1).astype(np.int64)
        XTs = [np.ascontiguousarray(X[edges[j]: edges[j + 1]].T) for j in range(parts)]
        Ys = [np.ascontiguousarray(Y[edges[j]: edges[j + 1]]) for j in range(parts)]
        Zs = [np.empty((k, edges[j + 1] - edges[j], d)) for j in range(parts)]
        Hs = [np.empty((k, edges[j + 1] - edges[j], d)) for j in range(parts)]
        Gs = [np.empty((k, edges[j + 1] - edges[j], d)) for j in range(parts)]
        gA, gb, gc = np.empty((parts, d, d)), np.empty((parts, d)), np.empty((parts, d))
        losses = np.empty(parts)
        At, sA, sb, sc = np.empty((d, d)), np.empty((d, d)), np.empty(d), np.empty(d)
        for step in range(n_steps):
            At[:, :] = A.T
            for j in prange(parts):
                losses[j] = _grad_rows(A, At, b, c, code, XTs[j], Ys[j], tw, 2.0 / n, Zs[j], Hs[j], Gs[j], gA[j], gb[j],
                                       gc[j])
            loss = _sum_parts(losses, gA, gb, gc, sA, sb, sc) / n
            if _end_step(A, b, c, sA, sb, sc, loss, lr, t_start + step, total, tol, bound, out):
                return

    @njit(parallel=True, cache=True)
    def _block_parallel(A: Any, b: Any, c: Any, code: int, X: Any, Y: Any, tw: Any, lr: float, t_start: int,
                        n_steps: int, total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover
        for m in prange(A.shape[0]):
            if out[m, 0] == 0.0:
                _run_model(A[m], b[m], c[m], code, X, Y, tw, lr, t_start, n_steps, total, tol, bound, out[m])


MIN_ROWS = 64  # fewest sequences per row block of a single model (smaller blocks cost more than they save)
MAX_PARTS = 8  # most row blocks of a single model: a constant, so the gradient's sum has one order on every machine


def gd_block(A: np.ndarray, b: np.ndarray, c: np.ndarray, code: int, X: np.ndarray, Y: np.ndarray, tw: np.ndarray,
             lr: float, t_start: int, n_steps: int, total: int, tol: float, bound: float, out: np.ndarray,
             parts: int | None = None) -> None:
    """Advance every running model (out[m, 0] == 0) by up to ``n_steps`` BPTT steps, in place.  A single
    model's sequences go in ``parts`` row blocks (default: min(MAX_PARTS, n // MIN_ROWS), at least one; not the
    thread count, which would change the order of the gradient's sum)."""
    if not AVAILABLE:  # pragma: no cover
        raise RuntimeError("numba is not installed")
    args = (A, b, c, int(code), np.ascontiguousarray(X), np.ascontiguousarray(Y), np.ascontiguousarray(tw), float(lr),
            int(t_start), int(n_steps), int(total), float(tol), float(bound), out)
    if A.shape[0] == 1 and out[0, 0] != 0.0:
        return
    if parts is None:
        parts = max(1, min(MAX_PARTS, X.shape[0] // MIN_ROWS))
    with single_blas_thread():
        if A.shape[0] > 1:  # models in parallel threads
            _block_parallel(*args)
        else:  # one model: its sequences in row blocks, in parallel when there are several
            _run_one_split(A[0], b[0], c[0], *args[3:13], out[0], parts)

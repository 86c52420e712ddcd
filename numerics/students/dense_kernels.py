"""Compiled gradient-descent kernels (numba), used by ``tempx.numerics.drivers.descent.gd`` when available.

The kernels run many GD steps per call for a block of models, with the models split across
threads (``prange``).  Per model and step they do the work of ``tempx.numerics.losses.loss_and_grad``
(SPEC §1) in its Krylov form, with u_m = (Aᵀ)^m Cᵀ beside v_l = A^l B:

    chains        v_l = A v_{l−1}, u_l = Aᵀ u_{l−1}, l = 1..k−1     (2(k − 1) matrix-vector products)
    residuals     w_l = C v_l, r = w − w*, ρ = M r             (M = diag ω stored as one row (1, k), or Σ̂)
    gradients     G_A = Σ_{m+n ≤ k−2} 2ρ_{m+n+1} u_m v_nᵀ = Σ_m u_m w_mᵀ,  w_m = Σ_n 2ρ_{m+n+1} v_n
                  G_B = Σ_l 2ρ_l u_l,  G_C = Σ_l 2ρ_l v_l
    update        A ← A − η G_A (row block by row block; G_A is never stored), B, C likewise

3(k − 1)d² multiply-adds and O(kd) memory per model and step; no k×k work beyond w_m.

Two kernels compute this, with the same IEEE operations in the same order for every number
(explicit fused multiply-adds, no fast-math reassociation; ``simd``):
- ``_run_model``, one model at a time, vectorized along rows and columns of A (padded with zeros
  to a multiple of four, which stays exactly zero), keeping Aᵀ beside A so that both products
  read memory in order;
- ``_run_group``, four models at a time, model q in lane q of every 256-bit vector: each element
  of A feeds both products of a chain step and no sum crosses lanes, so short rows (d = 20)
  cost no horizontal sums or remainders.
A model's trajectory is therefore bit for bit the same whichever kernel runs it and whichever
models share its group: it does not depend on its batch, the thread count or the executor.
Running models are regrouped at every call.  Four lanes are faster than one model at a time at every
width measured (d = 20 to 256: 1.5× to 2×, docs/performance.md), so a batch runs in groups of four
and at most three models run alone.

Stopping rules are those of ``gd`` (converged / diverged / budget), decided per model and
step.  Without numba the module still imports and ``AVAILABLE`` is False; ``gd`` then uses the
vectorized numpy path.
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

    from tempx.numerics.students.simd import sfma, vadd, vfma, vlane, vload, vsplat, vstore, vstore_t4, vzero

    # No fastmath: every float operation below is the IEEE operation written, so the per-model
    # kernel and the four-lane kernel compute bit for bit the same numbers for a model.

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

    @njit(cache=True, inline="always")
    def _urow(a0: Any, a1: Any, a2: Any, a3: Any, x0: Any, x1: Any, x2: Any, x3: Any, uo: Any) -> Any:  # pragma: no cover
        """uo + Σ_r a_r x_r over four rows of A, in the one order both kernels use (four fused multiply-adds)."""
        return vfma(a0, x0, vfma(a1, x1, vfma(a2, x2, vfma(a3, x3, uo))))

    @njit(cache=True, inline="always")
    def _rho_loss(r: Any, M: Any, diag: bool, rho: Any) -> float:  # pragma: no cover - compiled
        """ρ = M r and the loss rᵀ M r (M = diag ω held as one row, or Σ̂)."""
        k = r.shape[0]
        loss = 0.0
        if diag:  # population loss: O(k) memory and work
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
        return loss

    @njit(cache=True, inline="always")
    def _decide(out: Any, t: int, total: int, tol: float, bound: float, loss: float, g_fin: bool,
                p_fin: bool) -> bool:  # pragma: no cover - compiled
        """``gd``'s stopping rules at step t, given whether the gradient and the next iterate are finite."""
        bad = not (np.isfinite(loss) and g_fin) or loss > bound
        done = tol > 0.0 and loss <= tol and not bad
        out[3] = loss
        if t < total and not p_fin and not done:
            bad = True
        return stopped(out, t, total, bad, done)

    @njit(cache=True, inline="always")
    def _urow_at(A: Any, at: int, stride: int, x0: Any, x1: Any, x2: Any, x3: Any, uo: Any) -> Any:  # pragma: no cover
        """``_urow`` of the four vectors A[at + r·stride : … + 4], r = 0..3 (four rows of A)."""
        return _urow(vload(A, at), vload(A, at + stride), vload(A, at + 2 * stride), vload(A, at + 3 * stride),
                     x0, x1, x2, x3, uo)

    @njit(cache=True, inline="always")
    def _step4(A: Any, An: Any, at: int, stride: int, nlr: Any, g0: Any, g1: Any, g2: Any, g3: Any, z0: Any, z1: Any,
               z2: Any, z3: Any) -> Any:  # pragma: no cover - compiled
        """An = A − η g for the four vectors at at + r·stride (r = 0..3), and the four next-iterate checks
        z_r ← n_r·0 + z_r (0 while every value is finite, NaN after one is not); returns the new values and checks."""
        n0 = vfma(nlr, g0, vload(A, at))
        n1 = vfma(nlr, g1, vload(A, at + stride))
        n2 = vfma(nlr, g2, vload(A, at + 2 * stride))
        n3 = vfma(nlr, g3, vload(A, at + 3 * stride))
        vstore(An, at, n0)
        vstore(An, at + stride, n1)
        vstore(An, at + 2 * stride, n2)
        vstore(An, at + 3 * stride, n3)
        zero = vzero()
        return n0, n1, n2, n3, vfma(n0, zero, z0), vfma(n1, zero, z1), vfma(n2, zero, z2), vfma(n3, zero, z3)

    @njit(cache=True, inline="always")
    def _step_block(A: Any, An: Any, Atn: Any, ib: int, jv: int, dp: int, nlr: Any, g0: Any, g1: Any, g2: Any,
                    g3: Any, z0: Any, z1: Any, z2: Any, z3: Any) -> Any:  # pragma: no cover - compiled
        """Rows ib..ib+3, columns jv..jv+3 of A − η G_A into An, and transposed into Atn; the updated checks."""
        n0, n1, n2, n3, z0, z1, z2, z3 = _step4(A, An, ib * dp + jv, dp, nlr, g0, g1, g2, g3, z0, z1, z2, z3)
        vstore_t4(Atn, jv * dp + ib, dp, n0, n1, n2, n3)
        return z0, z1, z2, z3

    @njit(cache=True)
    def _gradient_finite(U: Any, V: Any, W: Any, two: Any, k: int, dp: int, lanes: int, q: int) -> bool:  # pragma: no cover
        """Whether every entry of G_A, G_B, G_C is finite, each recomputed in the kernels' order (lane q of ``lanes``).

        Needed only when the next iterate is not finite: a finite next value a − η g implies a finite g.
        """
        for i in range(dp):
            for j in range(dp):
                g = 0.0
                for m in range(k - 1):
                    g = sfma(U[(m * dp + i) * lanes + q], W[(m * dp + j) * lanes + q], g)
                if not np.isfinite(g):
                    return False
            gb = 0.0
            gc = 0.0
            for l in range(k):
                x = two[l * lanes + q]
                gb = sfma(x, U[(l * dp + i) * lanes + q], gb)
                gc = sfma(x, V[(l * dp + i) * lanes + q], gc)
            if not (np.isfinite(gb) and np.isfinite(gc)):
                return False
        return True

    @njit(cache=True, nogil=True)
    def _run_model(A0: Any, b0: Any, c0: Any, wstar: Any, M: Any, diag: bool, lr: float, t_start: int, n_steps: int,
                   total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        """GD for one model on A0 (d×d), b0 (d), c0 (d) in place; out = [status, steps, diverged_at, loss].

        Works on copies padded with zeros to dp = 4⌈d/4⌉ (the padding stays exactly zero): A row-major
        for Aᵀ-products and updates, At = Aᵀ for A-products; two buffers of each alternate as current
        and next iterate.
        """
        d = A0.shape[0]
        k = wstar.shape[0]
        dp = (d + 3) // 4 * 4
        A, At, An, Atn = np.zeros((dp, dp)), np.zeros((dp, dp)), np.zeros((dp, dp)), np.zeros((dp, dp))
        b, c, bn, cn = np.zeros(dp), np.zeros(dp), np.zeros(dp), np.zeros(dp)
        V, U, W = np.zeros((k, dp)), np.zeros((k, dp)), np.zeros((k, dp))
        r, rho, two = np.empty(k), np.empty(k), np.empty(k)
        for i in range(d):
            b[i] = b0[i]
            c[i] = c0[i]
            for j in range(d):
                A[i, j] = A0[i, j]
                At[j, i] = A0[i, j]
        nlr = vsplat(-lr)
        zero = vzero()
        for step in range(n_steps):
            t = t_start + step
            for i in range(0, dp, 4):
                vstore(V, i, vload(b, i))
                vstore(U, i, vload(c, i))
            for s in range(1, k):
                # v_s = A v_{s−1}: columns of A (rows of At) scaled by v_{s−1}[j], sixteen rows at a time,
                # even and odd j summed apart (two chains of fused multiply-adds, added at the end)
                ig = 0
                while ig + 16 <= dp:
                    p0 = vzero()
                    p1 = vzero()
                    p2 = vzero()
                    p3 = vzero()
                    e0 = vzero()
                    e1 = vzero()
                    e2 = vzero()
                    e3 = vzero()
                    for j in range(0, dp, 2):
                        x = vsplat(V[s - 1, j])
                        y = vsplat(V[s - 1, j + 1])
                        at = j * dp + ig
                        p0 = vfma(vload(At, at), x, p0)
                        p1 = vfma(vload(At, at + 4), x, p1)
                        p2 = vfma(vload(At, at + 8), x, p2)
                        p3 = vfma(vload(At, at + 12), x, p3)
                        at += dp
                        e0 = vfma(vload(At, at), y, e0)
                        e1 = vfma(vload(At, at + 4), y, e1)
                        e2 = vfma(vload(At, at + 8), y, e2)
                        e3 = vfma(vload(At, at + 12), y, e3)
                    vstore(V, s * dp + ig, vadd(p0, e0))
                    vstore(V, s * dp + ig + 4, vadd(p1, e1))
                    vstore(V, s * dp + ig + 8, vadd(p2, e2))
                    vstore(V, s * dp + ig + 12, vadd(p3, e3))
                    ig += 16
                while ig < dp:
                    p0 = vzero()
                    e0 = vzero()
                    for j in range(0, dp, 2):
                        p0 = vfma(vload(At, j * dp + ig), vsplat(V[s - 1, j]), p0)
                        e0 = vfma(vload(At, (j + 1) * dp + ig), vsplat(V[s - 1, j + 1]), e0)
                    vstore(V, s * dp + ig, vadd(p0, e0))
                    ig += 4
                # u_s = Aᵀ u_{s−1}: rows of A scaled by u_{s−1}[i], four rows per pass, sixteen columns at a time
                jg = 0
                while jg + 16 <= dp:
                    q0 = vzero()
                    q1 = vzero()
                    q2 = vzero()
                    q3 = vzero()
                    for ib in range(0, dp, 4):
                        x0 = vsplat(U[s - 1, ib])
                        x1 = vsplat(U[s - 1, ib + 1])
                        x2 = vsplat(U[s - 1, ib + 2])
                        x3 = vsplat(U[s - 1, ib + 3])
                        at = ib * dp + jg
                        q0 = _urow_at(A, at, dp, x0, x1, x2, x3, q0)
                        q1 = _urow_at(A, at + 4, dp, x0, x1, x2, x3, q1)
                        q2 = _urow_at(A, at + 8, dp, x0, x1, x2, x3, q2)
                        q3 = _urow_at(A, at + 12, dp, x0, x1, x2, x3, q3)
                    vstore(U, s * dp + jg, q0)
                    vstore(U, s * dp + jg + 4, q1)
                    vstore(U, s * dp + jg + 8, q2)
                    vstore(U, s * dp + jg + 12, q3)
                    jg += 16
                while jg < dp:
                    q0 = vzero()
                    for ib in range(0, dp, 4):
                        q0 = _urow_at(A, ib * dp + jg, dp, vsplat(U[s - 1, ib]), vsplat(U[s - 1, ib + 1]),
                                      vsplat(U[s - 1, ib + 2]), vsplat(U[s - 1, ib + 3]), q0)
                    vstore(U, s * dp + jg, q0)
                    jg += 4
            # residuals r_l = c·v_l − w*_l (lane q sums the j ≡ q mod 4), ρ = M r, loss
            for l in range(k):
                p0 = vzero()
                for j in range(0, dp, 4):
                    p0 = vfma(vload(c, j), vload(V, l * dp + j), p0)
                r[l] = ((vlane(p0, 0) + vlane(p0, 1)) + (vlane(p0, 2) + vlane(p0, 3))) - wstar[l]
            loss = _rho_loss(r, M, diag, rho)
            for l in range(k):
                two[l] = 2.0 * rho[l]
            # w_m = Σ_n 2ρ_{m+n+1} v_n (m + n ≤ k − 2): row i of G_A is Σ_m u_m[i] w_m
            # (n outside i: the sums of a row advance side by side instead of one chain at a time)
            for m in range(k - 1):
                for i in range(0, dp, 4):
                    vstore(W, m * dp + i, zero)
                for n in range(k - 1 - m):
                    x = vsplat(two[m + n + 1])
                    for i in range(0, dp, 4):
                        vstore(W, m * dp + i, vfma(x, vload(V, n * dp + i), vload(W, m * dp + i)))
            # A ← A − η G_A, four rows by four columns at a time; At from the same numbers (transposed)
            # z0..z3 stay 0 while every next-iterate value is finite, NaN after one is not (four chains,
            # so that the checks do not wait on each other)
            z0 = vzero()
            z1 = vzero()
            z2 = vzero()
            z3 = vzero()
            for ib in range(0, dp, 4):
                jv = 0
                while jv + 8 <= dp:  # four rows by two vectors of columns: eight independent sums
                    g0 = vzero()
                    g1 = vzero()
                    g2 = vzero()
                    g3 = vzero()
                    h0 = vzero()
                    h1 = vzero()
                    h2 = vzero()
                    h3 = vzero()
                    for m in range(k - 1):
                        w = vload(W, m * dp + jv)
                        y = vload(W, m * dp + jv + 4)
                        u = vsplat(U[m, ib])
                        g0 = vfma(u, w, g0)
                        h0 = vfma(u, y, h0)
                        u = vsplat(U[m, ib + 1])
                        g1 = vfma(u, w, g1)
                        h1 = vfma(u, y, h1)
                        u = vsplat(U[m, ib + 2])
                        g2 = vfma(u, w, g2)
                        h2 = vfma(u, y, h2)
                        u = vsplat(U[m, ib + 3])
                        g3 = vfma(u, w, g3)
                        h3 = vfma(u, y, h3)
                    z0, z1, z2, z3 = _step_block(A, An, Atn, ib, jv, dp, nlr, g0, g1, g2, g3, z0, z1, z2, z3)
                    z0, z1, z2, z3 = _step_block(A, An, Atn, ib, jv + 4, dp, nlr, h0, h1, h2, h3, z0, z1, z2, z3)
                    jv += 8
                if jv < dp:
                    g0 = vzero()
                    g1 = vzero()
                    g2 = vzero()
                    g3 = vzero()
                    for m in range(k - 1):
                        w = vload(W, m * dp + jv)
                        g0 = vfma(vsplat(U[m, ib]), w, g0)
                        g1 = vfma(vsplat(U[m, ib + 1]), w, g1)
                        g2 = vfma(vsplat(U[m, ib + 2]), w, g2)
                        g3 = vfma(vsplat(U[m, ib + 3]), w, g3)
                    z0, z1, z2, z3 = _step_block(A, An, Atn, ib, jv, dp, nlr, g0, g1, g2, g3, z0, z1, z2, z3)
            # b ← b − η Σ_l 2ρ_l u_l, c ← c − η Σ_l 2ρ_l v_l
            for i in range(0, dp, 4):
                gb = vzero()
                gc = vzero()
                for l in range(k):
                    x = vsplat(two[l])
                    gb = vfma(x, vload(U, l * dp + i), gb)
                    gc = vfma(x, vload(V, l * dp + i), gc)
                nb = vfma(nlr, gb, vload(b, i))
                nc = vfma(nlr, gc, vload(c, i))
                vstore(bn, i, nb)
                vstore(cn, i, nc)
                z0 = vfma(nb, zero, z0)
                z1 = vfma(nc, zero, z1)
            chk = vadd(vadd(z0, z1), vadd(z2, z3))
            p_fin = np.isfinite((vlane(chk, 0) + vlane(chk, 1)) + (vlane(chk, 2) + vlane(chk, 3)))
            g_fin = p_fin or _gradient_finite(U.reshape(-1), V.reshape(-1), W.reshape(-1), two, k, dp, 1, 0)
            if _decide(out, t, total, tol, bound, loss, g_fin, p_fin):
                break
            A, An = An, A
            At, Atn = Atn, At
            b, bn = bn, b
            c, cn = cn, c
        # a model still running after this block has its steps recorded when it stops (t == total at the latest)
        for i in range(d):
            b0[i] = b[i]
            c0[i] = c[i]
            for j in range(d):
                A0[i, j] = A[i, j]

    @njit(cache=True, nogil=True)
    def _run_group(A0: Any, b0: Any, c0: Any, models: Any, wstar: Any, M: Any, diag: bool, lr: float, t_start: int,
                   n_steps: int, total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        """GD for four models at once, model q in lane q of every vector (A0[models[q]] etc., in place).

        The same operations as ``_run_model`` in the same order, lane by lane, on arrays laid out
        (…, 4) with the model innermost: each A-element feeds both the A-product and the Aᵀ-product
        of a step, and no sum crosses lanes.  A lane whose model stops is written back and zeroed.
        """
        d = A0.shape[1]
        k = wstar.shape[0]
        dp = (d + 3) // 4 * 4
        A, An = np.zeros(dp * dp * 4), np.zeros(dp * dp * 4)
        b, c, bn, cn = np.zeros(dp * 4), np.zeros(dp * 4), np.zeros(dp * 4), np.zeros(dp * 4)
        V, U, W = np.zeros(k * dp * 4), np.zeros(k * dp * 4), np.zeros(k * dp * 4)
        two, racc = np.zeros(k * 4), np.zeros(k * 4)
        r, rho = np.empty(k), np.empty(k)
        loss = np.zeros(4)
        running = np.zeros(4, np.bool_)
        for q in range(4):
            mq = models[q]
            running[q] = True
            for i in range(d):
                b[i * 4 + q] = b0[mq, i]
                c[i * 4 + q] = c0[mq, i]
                for j in range(d):
                    A[(i * dp + j) * 4 + q] = A0[mq, i, j]
        nlr = vsplat(-lr)
        zero = vzero()
        live = 4
        for step in range(n_steps):
            t = t_start + step
            for i in range(dp):
                vstore(V, i * 4, vload(b, i * 4))
                vstore(U, i * 4, vload(c, i * 4))
            for s in range(1, k):
                src = (s - 1) * dp
                dst = s * dp
                for j in range(dp):
                    vstore(U, (dst + j) * 4, zero)
                for ib in range(0, dp, 4):
                    x0 = vload(U, (src + ib) * 4)
                    x1 = vload(U, (src + ib + 1) * 4)
                    x2 = vload(U, (src + ib + 2) * 4)
                    x3 = vload(U, (src + ib + 3) * 4)
                    p0 = vzero()
                    p1 = vzero()
                    p2 = vzero()
                    p3 = vzero()
                    row = ib * dp * 4
                    e0 = vzero()
                    e1 = vzero()
                    e2 = vzero()
                    e3 = vzero()
                    for j in range(0, dp, 2):
                        at = row + j * 4
                        a0 = vload(A, at)
                        a1 = vload(A, at + dp * 4)
                        a2 = vload(A, at + dp * 8)
                        a3 = vload(A, at + dp * 12)
                        v = vload(V, (src + j) * 4)
                        p0 = vfma(a0, v, p0)
                        p1 = vfma(a1, v, p1)
                        p2 = vfma(a2, v, p2)
                        p3 = vfma(a3, v, p3)
                        o = (dst + j) * 4
                        vstore(U, o, _urow(a0, a1, a2, a3, x0, x1, x2, x3, vload(U, o)))
                        at += 4
                        a0 = vload(A, at)
                        a1 = vload(A, at + dp * 4)
                        a2 = vload(A, at + dp * 8)
                        a3 = vload(A, at + dp * 12)
                        v = vload(V, (src + j + 1) * 4)
                        e0 = vfma(a0, v, e0)
                        e1 = vfma(a1, v, e1)
                        e2 = vfma(a2, v, e2)
                        e3 = vfma(a3, v, e3)
                        o += 4
                        vstore(U, o, _urow(a0, a1, a2, a3, x0, x1, x2, x3, vload(U, o)))
                    vstore(V, (dst + ib) * 4, vadd(p0, e0))
                    vstore(V, (dst + ib + 1) * 4, vadd(p1, e1))
                    vstore(V, (dst + ib + 2) * 4, vadd(p2, e2))
                    vstore(V, (dst + ib + 3) * 4, vadd(p3, e3))
            for l in range(k):  # r_l: four sums (j ≡ 0, 1, 2, 3 mod 4), added as the one-model kernel adds its lanes
                p0 = vzero()
                p1 = vzero()
                p2 = vzero()
                p3 = vzero()
                for j in range(0, dp, 4):
                    o = (l * dp + j) * 4
                    p0 = vfma(vload(c, j * 4), vload(V, o), p0)
                    p1 = vfma(vload(c, j * 4 + 4), vload(V, o + 4), p1)
                    p2 = vfma(vload(c, j * 4 + 8), vload(V, o + 8), p2)
                    p3 = vfma(vload(c, j * 4 + 12), vload(V, o + 12), p3)
                vstore(racc, l * 4, vadd(vadd(p0, p1), vadd(p2, p3)))
            for q in range(4):
                if running[q]:
                    for l in range(k):
                        r[l] = racc[l * 4 + q] - wstar[l]
                    loss[q] = _rho_loss(r, M, diag, rho)
                    for l in range(k):
                        two[l * 4 + q] = 2.0 * rho[l]
                else:
                    for l in range(k):
                        two[l * 4 + q] = 0.0
            for m in range(k - 1):
                for i in range(dp):
                    vstore(W, (m * dp + i) * 4, zero)
                for n in range(k - 1 - m):
                    x = vload(two, (m + n + 1) * 4)
                    for i in range(dp):
                        o = (m * dp + i) * 4
                        vstore(W, o, vfma(x, vload(V, (n * dp + i) * 4), vload(W, o)))
            # z0..z3 stay 0 while every next-iterate value is finite, NaN after one is not (four chains,
            # so that the checks do not wait on each other)
            z0 = vzero()
            z1 = vzero()
            z2 = vzero()
            z3 = vzero()
            for i in range(0, dp, 2):
                for j in range(0, dp, 4):
                    g0 = vzero()
                    g1 = vzero()
                    g2 = vzero()
                    g3 = vzero()
                    h0 = vzero()
                    h1 = vzero()
                    h2 = vzero()
                    h3 = vzero()
                    for m in range(k - 1):
                        u0 = vload(U, (m * dp + i) * 4)
                        u1 = vload(U, (m * dp + i + 1) * 4)
                        wo = (m * dp + j) * 4
                        w0 = vload(W, wo)
                        w1 = vload(W, wo + 4)
                        w2 = vload(W, wo + 8)
                        w3 = vload(W, wo + 12)
                        g0 = vfma(u0, w0, g0)
                        g1 = vfma(u0, w1, g1)
                        g2 = vfma(u0, w2, g2)
                        g3 = vfma(u0, w3, g3)
                        h0 = vfma(u1, w0, h0)
                        h1 = vfma(u1, w1, h1)
                        h2 = vfma(u1, w2, h2)
                        h3 = vfma(u1, w3, h3)
                    at = (i * dp + j) * 4
                    _, _, _, _, z0, z1, z2, z3 = _step4(A, An, at, 4, nlr, g0, g1, g2, g3, z0, z1, z2, z3)
                    _, _, _, _, z0, z1, z2, z3 = _step4(A, An, at + dp * 4, 4, nlr, h0, h1, h2, h3, z0, z1, z2, z3)
            for i in range(dp):
                gb = vzero()
                gc = vzero()
                for l in range(k):
                    x = vload(two, l * 4)
                    gb = vfma(x, vload(U, (l * dp + i) * 4), gb)
                    gc = vfma(x, vload(V, (l * dp + i) * 4), gc)
                nb = vfma(nlr, gb, vload(b, i * 4))
                nc = vfma(nlr, gc, vload(c, i * 4))
                vstore(bn, i * 4, nb)
                vstore(cn, i * 4, nc)
                z0 = vfma(nb, zero, z0)
                z1 = vfma(nc, zero, z1)
            chk = vadd(vadd(z0, z1), vadd(z2, z3))
            for q in range(4):
                if not running[q]:
                    continue
                p_fin = np.isfinite(vlane(chk, q))
                g_fin = p_fin or _gradient_finite(U, V, W, two, k, dp, 4, q)
                if _decide(out[models[q]], t, total, tol, bound, loss[q], g_fin, p_fin):
                    running[q] = False
                    live -= 1
                    _lane_out(A, b, c, q, models[q], A0, b0, c0)
                    for i in range(dp):  # the lane goes on as zeros, which stay zero
                        b[i * 4 + q] = 0.0
                        c[i * 4 + q] = 0.0
                        bn[i * 4 + q] = 0.0
                        cn[i * 4 + q] = 0.0
                        for j in range(dp):
                            A[(i * dp + j) * 4 + q] = 0.0
                            An[(i * dp + j) * 4 + q] = 0.0
            if live == 0:
                break
            A, An = An, A
            b, bn = bn, b
            c, cn = cn, c
        for q in range(4):
            if running[q]:
                _lane_out(A, b, c, q, models[q], A0, b0, c0)

    @njit(cache=True, inline="always")
    def _lane_out(A: Any, b: Any, c: Any, q: int, m: int, A0: Any, b0: Any, c0: Any) -> None:  # pragma: no cover
        """Model m's parameters from lane q of the group arrays."""
        d = A0.shape[1]
        dp = (d + 3) // 4 * 4
        for i in range(d):
            b0[m, i] = b[i * 4 + q]
            c0[m, i] = c[i * 4 + q]
            for j in range(d):
                A0[m, i, j] = A[(i * dp + j) * 4 + q]

    @njit(parallel=True, cache=True)
    def _gd_block_parallel(A: Any, b: Any, c: Any, wstar: Any, M: Any, diag: bool, lr: float, t_start: int, n_steps: int,
                           total: int, tol: float, bound: float, out: Any) -> None:  # pragma: no cover - compiled
        """The running models, four to a lane group and the rest (at most three) one by one, across threads."""
        idx = np.empty(A.shape[0], np.int64)
        n = 0
        for m in range(A.shape[0]):
            if out[m, 0] == 0.0:
                idx[n] = m
                n += 1
        groups = n // 4
        singles = n - 4 * groups
        for w in prange(groups + singles):
            if w < groups:
                _run_group(A, b, c, idx[4 * w:4 * w + 4], wstar, M, diag, lr, t_start, n_steps, total, tol, bound, out)
            else:
                m = idx[4 * groups + w - groups]
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
    args = (A, b, c, wstar, M, diag, float(lr), int(t_start), int(n_steps), int(total), float(tol), float(bound), out)
    if A.shape[0] > 1:
        _gd_block_parallel(*args)
    else:
        _gd_block_serial(*args)

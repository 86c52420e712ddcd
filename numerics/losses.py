"""Batched float64 impulse responses, losses and analytic gradients (SPEC §1).

With ρ = ∂L/∂w / 2 (ρ_i = ω_i r_i for the population loss L_ω = Σ ω_i r_i², ρ = Σ̂ r for the
empirical loss L̂ = rᵀ Σ̂ r), U rows C A^j, V rows (A^l B)ᵀ and H_{jl} = ρ_{j+l+1}, the SPEC's
    ∇_A L = 2 Uᵀ H V,   ∇_B L = 2 Uᵀ ρ,   ∇_C L = 2 ρᵀ V
is evaluated in the order of a backward sweep: g_{k−1} = 2ρ_{k−1} Cᵀ, g_l = 2ρ_l Cᵀ + Aᵀ g_{l+1}
(so g_l = 2 Σ_j ρ_{l+j} u_jᵀ), and then
    ∇_A L = Σ_{l≥1} g_l v_{l−1}ᵀ = 2 Σ_j u_jᵀ Σ_l ρ_{j+l+1} v_l = 2 Uᵀ H V,   ∇_B L = g_0.
Same numbers, cost O(k d²) and memory O(k d) per model: H (k×k) is never formed, so the
training length can be as large as the mathematics allows.  No autograd, no matrix powers.
The exact versions (in the SPEC's Hankel form, an independent check) live in ``tempx.theory.losses``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tempx.numerics.params import FloatArray, Params, Teacher
from tempx.theory.errors import InvalidInput

__all__ = [
    "MAX_Q",
    "Grad",
    "check_lengths",
    "check_moment",
    "empirical_moment",
    "extrapolation_losses",
    "impulse_response",
    "krylov",
    "loss_and_grad",
    "loss_weights",
    "residuals",
]


@dataclass(frozen=True, eq=False)
class Grad:
    """∇L per model: A (N, d, d), B (N, d, 1), C (N, 1, d)."""

    A: FloatArray
    B: FloatArray
    C: FloatArray


def check_length(k: Any, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(k).__name__}")
    if k < 1:
        raise InvalidInput(f"{name} must be >= 1, got {k}")
    return int(k)


def loss_weights(k: int, weights: str | Sequence[float] | FloatArray | None = None) -> FloatArray:
    """ω as float64: ``None``/``"last"`` → ones, ``"all"`` → k − i, or an explicit vector ω ≥ 0."""
    k = check_length(k)
    if weights is None or (isinstance(weights, str) and weights == "last"):
        return np.ones(k)
    if isinstance(weights, str):
        if weights == "all":
            return np.arange(k, 0, -1, dtype=np.float64)
        raise InvalidInput(f"unknown loss {weights!r} (allowed: last, all, or k weights)")
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (k,) or not np.all(np.isfinite(w)) or np.any(w < 0):
        raise InvalidInput(f"weights must be k = {k} finite numbers >= 0")
    return w.copy()


def impulse_response(params: Params, n: int) -> FloatArray:
    """w_i = C A^i B for i < n, shape (N, n).  Overflow gives ±inf (never a silent NaN: see below)."""
    N = params.n_models
    out = np.empty((N, n))
    v = params.B[:, :, 0].copy()
    c = params.C[:, 0, :]
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n):
            out[:, i] = np.einsum("nd,nd->n", c, v)
            v = np.einsum("nij,nj->ni", params.A, v)
    # NaN can only come from inf − inf after an overflow: the magnitude exceeded float64.
    return np.where(np.isnan(out), np.inf, out)


def residuals(params: Params, teacher: Teacher, n: int) -> FloatArray:
    """r_i = w_i − w*_i, shape (N, n)."""
    return impulse_response(params, n) - teacher.impulse_response(n)[None, :]


def _sweep(start: FloatArray, M: FloatArray, k: int) -> FloatArray:
    """(N, k, d) with rows x_l = M^l x_0 for x_0 = ``start`` (N, d) and M (N, d, d)."""
    N, d = start.shape
    X = np.empty((N, k, d))
    x = start
    for l in range(k):
        X[:, l] = x
        if l + 1 < k:
            x = (M @ x[:, :, None])[:, :, 0]
    return X


def _forward(params: Params, k: int) -> FloatArray:
    """V (N, k, d) with rows (A^l B)ᵀ."""
    return _sweep(params.B[:, :, 0], params.A, k)


def krylov(params: Params, k: int) -> tuple[FloatArray, FloatArray]:
    """U (N, k, d) with rows C A^j and V (N, k, d) with rows (A^l B)ᵀ."""
    return _sweep(params.C[:, 0, :], params.A.transpose(0, 2, 1), k), _forward(params, k)


def empirical_moment(X: Any) -> FloatArray:
    """Σ̂ (k, k): second moments of the time-reversed inputs, Σ̂_{ij} = mean_s x_{k−i} x_{k−j} (C8)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1 or not np.all(np.isfinite(X)):
        raise InvalidInput("data must be a finite (n, k) array of n >= 1 sequences of length k >= 1")
    R = X[:, ::-1]
    S = R.T @ R / X.shape[0]
    # BLAS does not promise a bitwise symmetric RᵀR (the two triangles may be summed in different
    # orders); (S + Sᵀ)/2 is exactly symmetric because floating-point addition commutes.
    return (S + S.T) / 2


# Relative asymmetry accepted in a caller's moment matrix.  Two summation orders of a Gram entry
# over n samples differ by at most 2nu·max_i Σ̂_ii (u = 2⁻⁵³), so 1e-9 admits any BLAS result for
# n up to 4·10⁶ sequences, while a matrix that is asymmetric by mistake is far above it.
MOMENT_SYMMETRY_RTOL = 1e-9


def check_moment(moment: Any, k: int, weights: Any = None) -> FloatArray:
    """Σ̂ for the empirical loss: a finite k×k matrix, symmetric to ``MOMENT_SYMMETRY_RTOL`` relative
    to its largest entry, returned exactly symmetrized; and no loss weights beside it."""
    if weights is not None:
        raise InvalidInput("give either loss weights or an empirical moment matrix, not both")
    M = np.asarray(moment, dtype=np.float64)
    if M.shape != (k, k):
        raise InvalidInput(f"the moment matrix must be {k}×{k} (k = {k}), got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise InvalidInput("the moment matrix has non-finite entries (inf or nan)")
    scale = float(np.max(np.abs(M)))
    gap = float(np.max(np.abs(M - M.T)))
    if gap > MOMENT_SYMMETRY_RTOL * scale:
        raise InvalidInput(f"the moment matrix is not symmetric: max |M − Mᵀ| = {gap:.3g}, "
                           f"{gap / scale:.3g} of its largest entry (allowed {MOMENT_SYMMETRY_RTOL:g})")
    return (M + M.T) / 2


def loss_and_grad(
    params: Params,
    teacher: Teacher,
    k: int,
    weights: str | Sequence[float] | None = None,
    moment: FloatArray | None = None,
) -> tuple[FloatArray, Grad]:
    """Loss (N,) and its gradient for every model in the batch.

    Population loss L_ω = Σ_{i<k} ω_i r_i² by default (``weights``: last | all | vector);
    with ``moment`` = Σ̂ (see ``empirical_moment``) the empirical loss L̂ = rᵀ Σ̂ r instead.
    """
    k = check_length(k)
    V = _forward(params, k)
    C = params.C[:, 0, :]
    r = np.einsum("nkd,nd->nk", V, C) - teacher.impulse_response(k)[None, :]
    if moment is None:
        rho = r * loss_weights(k, weights)[None, :]
    else:
        rho = r @ check_moment(moment, k, weights)  # Σ̂ is symmetric
    loss = np.einsum("nk,nk->n", r, rho)
    G = np.empty_like(V)  # G[:, l] = g_l, the backward sweep
    At = params.A.transpose(0, 2, 1)
    g = 2.0 * rho[:, k - 1, None] * C
    G[:, k - 1] = g
    for l in range(k - 2, -1, -1):
        g = 2.0 * rho[:, l, None] * C + (At @ g[:, :, None])[:, :, 0]
        G[:, l] = g
    grad = Grad(
        A=G[:, 1:].transpose(0, 2, 1) @ V[:, :-1],
        B=G[:, 0, :, None].copy(),
        C=2.0 * (rho[:, None, :] @ V),
    )
    return loss, grad


MAX_Q = 10**6  # L_q is a sum of q terms, one RNN step each: beyond this, ask for L_∞ (tempx certify)


def check_lengths(qs: Sequence[int]) -> tuple[int, ...]:
    """Extrapolation lengths, each an int in [1, MAX_Q] (validated before any long run)."""
    out = tuple(check_length(q, "q") for q in qs)
    if out and max(out) > MAX_Q:
        raise InvalidInput(f"q = {max(out)} is beyond {MAX_Q}: L_q is a sum of q terms, one RNN step each; for every "
                           "length at once, 'tempx certify' encloses L_inf")
    return out


def extrapolation_losses(params: Params, teacher: Teacher, qs: Sequence[int]) -> FloatArray:
    """L_q = Σ_{i<q} r_i² for each q, shape (N, len(qs)); +inf where float64 overflowed.

    One sweep of max(qs) steps that keeps running sums (memory O(N d), not O(N q)); q ≤ ``MAX_Q``.
    """
    qs = list(check_lengths(qs))
    if not qs:
        return np.empty((params.n_models, 0))
    n = max(qs)
    wanted = {q: j for j, q in enumerate(qs)}
    ws = teacher.impulse_response(n)
    N = params.n_models
    out = np.empty((N, len(qs)))
    total = np.zeros(N)
    v = params.B[:, :, 0].copy()
    c = params.C[:, 0, :]
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n):
            r = np.einsum("nd,nd->n", c, v) - ws[i]
            total = total + r * r
            if i + 1 in wanted:
                for q, j in wanted.items():
                    if q == i + 1:
                        out[:, j] = total
            if i + 1 < n:
                v = np.einsum("nij,nj->ni", params.A, v)
    # NaN can only come from inf − inf after an overflow: the magnitude exceeded float64.
    return np.where(np.isnan(out), np.inf, out)

"""What every student is trained and measured on: loss weights ω, the empirical moment Σ̂ of
finite data (C8), and the lengths k and q (validated once, before any long run).

A loss is L = rᵀ W r on the residual r = w − w* (i < k): W = diag ω for the population loss
L_ω = Σ ω_i r_i², W = Σ̂ for the empirical loss.  The students' gradients are pullbacks of ρ = W r
(``tempx.numerics.students``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tempx.numerics.teachers import FloatArray
from tempx.theory.errors import InvalidInput

__all__ = [
    "MAX_Q",
    "MOMENT_SYMMETRY_RTOL",
    "check_length",
    "check_lengths",
    "check_moment",
    "empirical_moment",
    "extrapolation_losses",
    "loss_weights",
    "weight_matrix",
]


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


def weight_matrix(k: int, weights: Any = None, moment: Any = None) -> FloatArray:
    """W with L = rᵀ W r: the weights ω (k,) of the population loss (W = diag ω, never formed), or Σ̂ (k, k)."""
    if moment is not None:
        return check_moment(moment, k, weights)
    return loss_weights(k, weights)


MAX_Q = 10**6  # L_q is a sum of q terms, one RNN step each: beyond this, ask for L_∞ (tempx certify)


def check_lengths(qs: Sequence[int]) -> tuple[int, ...]:
    """Extrapolation lengths, each an int in [1, MAX_Q] (validated before any long run)."""
    out = tuple(check_length(q, "q") for q in qs)
    if out and max(out) > MAX_Q:
        raise InvalidInput(f"q = {max(out)} is beyond {MAX_Q}: L_q is a sum of q terms, one RNN step each; for every "
                           "length at once, 'tempx certify' encloses L_inf")
    return out


def extrapolation_losses(params: Any, teacher: Any, qs: Sequence[int]) -> FloatArray:
    """L_q = Σ_{i<q} r_i² for each q, shape (N, len(qs)); +inf where float64 overflowed.

    One sweep of max(qs) steps of the student's response that keeps running sums (memory O(N d),
    not O(N q)); q ≤ ``MAX_Q``.
    """
    qs = list(check_lengths(qs))
    if not qs:
        return np.empty((params.n_models, 0))
    n = max(qs)
    wanted: dict[int, list[int]] = {}
    for j, q in enumerate(qs):
        wanted.setdefault(q, []).append(j)
    ws = teacher.impulse_response(n)
    out = np.empty((params.n_models, len(qs)))
    total = np.zeros(params.n_models)
    with np.errstate(over="ignore", invalid="ignore"):
        from tempx.numerics.students import student_of

        for i, w in zip(range(n), student_of(params).responses(params)):
            r = w - ws[i]
            total = total + r * r
            for j in wanted.get(i + 1, ()):
                out[:, j] = total
    # NaN can only come from inf − inf after an overflow: the magnitude exceeded float64.
    return np.where(np.isnan(out), np.inf, out)

"""What every student is trained and measured on: loss weights ω, the empirical moment Σ̂ of
finite data (C8), and the lengths k and q (validated once, before any long run).

A loss is L = rᵀ W r on the residual r = w − w* (i < k): W = diag ω for the population loss
L_ω = Σ ω_i r_i², W = Σ̂ for the empirical loss.  The students' gradients are pullbacks of ρ = W r
(``tempx.numerics.students``).

This module is the floor below the students (every student imports it, it imports no student);
what needs a student's responses, like L_q, lives a floor above (``tempx.numerics.extrapolation``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from tempx.numerics.teachers import FloatArray
from tempx.theory.errors import InvalidInput

__all__ = [
    "MAX_Q",
    "MOMENT_SYMMETRY_RTOL",
    "Objective",
    "check_length",
    "check_lengths",
    "check_moment",
    "empirical_moment",
    "loss_weights",
    "make_objective",
    "teacher_outputs",
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
    """The moment matrix Σ̂ (k, k) of a data set: Σ̂_{ij} = mean_s x_{k−i} x_{k−j} (C8).

    Parameters
    ----------
    X : array_like
        (n, k) input sequences, one per row.

    Returns
    -------
    ndarray
        (k, k), symmetric (symmetrized after the product).

    Raises
    ------
    InvalidInput
        For an X that is not a finite 2-D array with at least one row.

    Examples
    --------
    >>> empirical_moment([[1.0, 2.0], [3.0, 4.0]])
    array([[10.,  7.],
           [ 7.,  5.]])
    """
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


def teacher_outputs(X: FloatArray, wstar: FloatArray) -> FloatArray:
    """y_t = Σ_{i≤t} w*_i x_{t−i} for every sequence, (n, k): the linear teacher's outputs on X (n, k)."""
    k = X.shape[1]
    T = np.zeros((k, k))
    for j in range(k):
        T[j, j:] = wstar[: k - j]
    return X @ T


@dataclass(frozen=True, eq=False)
class Objective:
    """What a student is trained on, in the two forms students use.

    Linear students read the teacher's impulse response ``wstar`` (k,) and ``W`` (ω (k,) for the
    population loss, Σ̂ (k, k) for finite data).  Students whose loss is not a function of an impulse
    response (non-linear RNNs) read the data: ``X`` (n, k) input sequences, ``Y`` the teacher's outputs
    on them, and ``time_weights`` (k,) on the squared output errors (last output: e_{k−1}; all: ones),
    L = mean_s Σ_t τ_t (ŷ_t − y_t)².  With ``online`` = (n, seed), ``at(step)`` draws fresh sequences
    for each step (an unbiased estimate of the population loss), from seed and step alone.
    """

    k: int
    wstar: FloatArray
    W: FloatArray
    X: FloatArray | None = None
    Y: FloatArray | None = None
    time_weights: FloatArray | None = None
    online: tuple[int, int] | None = None
    outputs: Any = None  # a non-linear teacher's outputs(X); None: the convolution with wstar

    def targets(self, X: FloatArray) -> FloatArray:
        """The teacher's outputs on the sequences X (n, k)."""
        return teacher_outputs(X, self.wstar) if self.outputs is None else self.outputs(X)

    def at(self, step: int) -> Objective:
        if self.online is None:
            return self
        n, seed = self.online
        rng = np.random.default_rng([seed, 0x0A11E, step])
        X = rng.normal(size=(n, self.k))
        W = empirical_moment(X) if self.W.ndim == 2 else self.W
        return replace(self, X=X, Y=self.targets(X), W=W)


def make_objective(k: int, wstar: FloatArray, weights: Any = None, moment: Any = None, data: Any = None,
                   online: tuple[int, int] | None = None, outputs: Any = None) -> Objective:
    """The objective of a run: population loss (weights), Σ̂ (moment), a data set X (n, k), or online
    sequences (n, seed); at most one of moment, data and online.  ``outputs``: a non-linear teacher's
    outputs(X), in place of the convolution with ``wstar`` (data or online sequences only)."""
    if outputs is not None and data is None and online is None:
        raise InvalidInput("a non-linear teacher is learned from data or online sequences (it has no population loss "
                           "in closed form)")
    given = [name for name, v in (("moment", moment), ("data", data), ("online", online)) if v is not None]
    if len(given) > 1:
        raise InvalidInput(f"give one of an empirical moment, a data set and online sequences, not {' and '.join(given)}")
    k = check_length(k)
    kind = "last" if weights is None or (isinstance(weights, str) and weights == "last") else weights
    tw: FloatArray | None = np.zeros(k)
    assert tw is not None
    tw[-1] = 1.0
    if isinstance(kind, str) and kind == "all":
        tw = np.ones(k)
    elif not isinstance(kind, str):
        tw = None  # explicit ω: a population-loss form only
    X = Y = None
    if data is not None:
        X = np.asarray(data, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != k or X.shape[0] < 1 or not np.all(np.isfinite(X)):
            raise InvalidInput(f"data must be a finite (n, {k}) array of n >= 1 sequences of length k = {k}")
        Y = teacher_outputs(X, wstar) if outputs is None else outputs(X)
        W = empirical_moment(X) if kind == "last" else loss_weights(k, weights)
    elif online is not None:
        n, seed = online
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InvalidInput(f"online training needs n >= 1 sequences per step, got {n!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InvalidInput(f"online training needs a seed >= 0, got {seed!r}")
        W = np.eye(k) if kind == "last" else loss_weights(k, weights)
    else:
        W = weight_matrix(k, weights, moment)
    return Objective(k, np.asarray(wstar, dtype=np.float64), W, X, Y, tw, online, outputs)

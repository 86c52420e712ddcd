"""Initializations of a batch of N students (dense, diagonal, complex, LRU), each from an explicit seed.

All randomness comes from ``numpy.random.default_rng(seed)``; no global random state.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tempx.numerics.students.dense import Params
from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import InvalidInput

__all__ = [
    "init_counterexample",
    "init_diagonal",
    "init_gaussian",
    "init_lru",
    "init_ring",
    "init_symmetric",
]


def _check(n_models: Any, d: Any, sigma: Any, seed: Any) -> tuple[int, int, float, int]:
    for name, v in (("n_models", n_models), ("d", d), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"{name} must be an int, got {type(v).__name__}")
    if n_models < 1 or d < 1:
        raise InvalidInput(f"n_models and d must be >= 1, got n_models = {n_models}, d = {d}")
    if seed < 0:
        raise InvalidInput(f"seed must be >= 0, got {seed}")
    s = float(sigma)
    if not np.isfinite(s) or s <= 0:
        raise InvalidInput(f"sigma must be > 0 and finite, got {sigma!r}")
    return int(n_models), int(d), s, int(seed)


def init_gaussian(n_models: int, d: int, sigma: float, seed: int) -> Params:
    """Entries of A, B, C i.i.d. N(0, σ²/d) (claim C7's initialization)."""
    n, d, s, seed = _check(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)
    return Params(rng.normal(0, scale, (n, d, d)), rng.normal(0, scale, (n, d, 1)), rng.normal(0, scale, (n, 1, d)))


def _signs(rng: np.random.Generator, n: int, d: int, negative_fraction: float) -> np.ndarray:
    """Sign pattern per model: round(f·d) modes at −1, placed at random, the rest +1."""
    f = float(negative_fraction)
    if not 0 <= f <= 1:
        raise InvalidInput(f"negative_fraction must lie in [0, 1], got {negative_fraction!r}")
    m = round(f * d)
    s = np.ones((n, d))
    for i in range(n):
        s[i, rng.permutation(d)[:m]] = -1.0
    return s


def init_diagonal(n_models: int, d: int, sigma: float, seed: int, *, complex_modes: bool = False,
                  balanced: bool = False, negative_fraction: float = 0.0) -> Any:
    """Diagonal students (C12): every entry of λ, b, c i.i.d. N(0, σ²/d) (complex: real and imaginary
    parts each N(0, σ²/(2d))).

    ``balanced``: c = s ⊙ b (real) with a sign pattern s of round(f·d) negative modes
    (f = ``negative_fraction``), or c = conj(b) (complex, |b_j| = |c_j| and b_j c_j = |b_j|² > 0).
    All signs + is M ∩ diagonal.
    """
    from tempx.numerics.students.diagonal import DiagParams

    n, d, s, seed = _check(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)

    def draw() -> np.ndarray:
        if complex_modes:
            return rng.normal(0, scale / np.sqrt(2), (n, d)) + 1j * rng.normal(0, scale / np.sqrt(2), (n, d))
        return rng.normal(0, scale, (n, d))

    lam, b = draw(), draw()
    if not balanced:
        return DiagParams(lam, b, draw())
    if complex_modes:
        if negative_fraction:
            raise InvalidInput("a sign pattern is for real diagonal students; complex balanced modes use c = conj(b)")
        return DiagParams(lam, b, np.conj(b))
    return DiagParams(lam, b, _signs(rng, n, d, negative_fraction) * b)


def init_ring(n_models: int, d: int, sigma: float, seed: int, r_min: float = 0.4, r_max: float = 0.9) -> Any:
    """Complex diagonal students with the LRU ring initialization: |λ_j| uniform in [r_min, r_max],
    arg λ_j uniform in [0, 2π); b, c complex N(0, σ²/d)."""
    from tempx.numerics.students.diagonal import DiagParams

    n, d, s, seed = _check(n_models, d, sigma, seed)
    lo, hi = float(r_min), float(r_max)
    if not (0 <= lo <= hi) or not np.isfinite(hi):
        raise InvalidInput(f"the ring needs 0 <= r_min <= r_max < inf, got r_min = {r_min}, r_max = {r_max}")
    rng = np.random.default_rng(seed)
    lam = rng.uniform(lo, hi, (n, d)) * np.exp(2j * np.pi * rng.uniform(0, 1, (n, d)))
    scale = s / np.sqrt(2 * d)
    b = rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    c = rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    return DiagParams(lam, b, c)


def init_lru(n_models: int, d: int, sigma: float, seed: int, r_min: float = 0.4, r_max: float = 0.9,
             balanced: bool = False) -> Any:
    """LRU students (Orvieto et al., 2023): |λ_j| uniform in [r_min, r_max] (ν = log(−log |λ|)),
    θ_j uniform in [0, 2π); b, c complex N(0, σ²/d); ``balanced``: c = conj(b) (|b_j| = |c_j|)."""
    from tempx.numerics.students.lru import LRUParams

    n, d, s, seed = _check(n_models, d, sigma, seed)
    lo, hi = float(r_min), float(r_max)
    if not (0 < lo <= hi < 1):
        raise InvalidInput(f"the LRU ring needs 0 < r_min <= r_max < 1, got r_min = {r_min}, r_max = {r_max}")
    rng = np.random.default_rng(seed)
    nu = np.log(-np.log(rng.uniform(lo, hi, (n, d))))
    theta = 2 * np.pi * rng.uniform(0, 1, (n, d))
    scale = s / np.sqrt(2 * d)
    b = rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    c = np.conj(b) if balanced else rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    return LRUParams(nu, theta, b, c)


def init_symmetric(n_models: int, d: int, sigma: float, seed: int, frobenius_cap: float | None = None) -> Params:
    """A point of M (A = Aᵀ, C = Bᵀ): A = (G + Gᵀ)/√2 with G ~ N(0, σ²/d), B ~ N(0, σ²/d), C = Bᵀ.

    With ``frobenius_cap``, each A is rescaled so that ‖A‖_F ≤ cap (C6(c) uses cap ≤ 1).
    """
    n, d, s, seed = _check(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)
    G = rng.normal(0, scale, (n, d, d))
    A = (G + G.transpose(0, 2, 1)) / np.sqrt(2.0)
    if frobenius_cap is not None:
        cap = float(frobenius_cap)
        if not np.isfinite(cap) or cap <= 0:
            raise InvalidInput(f"frobenius_cap must be > 0, got {frobenius_cap!r}")
        norms = np.linalg.norm(A, axis=(1, 2))
        A = A * np.minimum(1.0, cap / np.maximum(norms, np.finfo(float).tiny))[:, None, None]
    B = rng.normal(0, scale, (n, d, 1))
    return Params(A, B, B.transpose(0, 2, 1))


def init_counterexample(
    n_models: int, k: int, d: int | None = None, c: Any = 1, perturb: float = 0.0, seed: int = 0, disguise: int | None = None
) -> Params:
    """N copies of the exact C2 counterexample (as floats), optionally plus N(0, perturb²) noise."""
    ce = counterexample(k, d=d, c=c, disguise=disguise)
    mats = ce.rnn.as_lists()
    if perturb < 0 or not np.isfinite(perturb):
        raise InvalidInput(f"perturb must be >= 0, got {perturb}")
    rng = np.random.default_rng(seed)
    out = []
    for name in "ABC":
        base = np.array([[float(x) for x in r] for r in mats[name]])
        out.append(np.broadcast_to(base, (n_models, *base.shape)) + perturb * rng.normal(size=(n_models, *base.shape)))
    return Params(*out)

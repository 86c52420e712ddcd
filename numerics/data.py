"""Finite training data (claim C8): n Gaussian input sequences of length k, from a seed."""

from __future__ import annotations

import numpy as np

from tempx.numerics.teachers import FloatArray
from tempx.theory.errors import InvalidInput

__all__ = ["gaussian_sequences"]


def gaussian_sequences(n: int, k: int, seed: int) -> FloatArray:
    """X (n, k) with i.i.d. N(0, 1) entries; the seed stream is separate from initializations."""
    if n < 1 or k < 1:
        raise InvalidInput(f"need n >= 1 sequences of length k >= 1, got n = {n}, k = {k}")
    rng = np.random.default_rng([seed, 0xDA7A])  # a distinct stream for data
    return rng.normal(size=(n, k))

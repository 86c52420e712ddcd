"""Hypothesis strategies that draw only parameters satisfying the claims' hypotheses."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import strategies as st

small_rationals = st.fractions(min_value=-5, max_value=5, max_denominator=7)
nonzero_rationals = small_rationals.filter(lambda x: x != 0)
ks = st.integers(min_value=1, max_value=12)


@st.composite
def cyclic_params(draw: st.DrawFn) -> dict:
    """k in [1, 12], d in [k, k + 4], c != 0, an optional disguise seed."""
    k = draw(ks)
    return {
        "k": k,
        "d": draw(st.integers(k, k + 4)),
        "c": draw(nonzero_rationals),
        "disguise": draw(st.none() | st.integers(0, 2**31)),
    }


@st.composite
def tail_params(draw: st.DrawFn) -> dict:
    """k in [1, 12], a tail of 1-4 values not all zero, d in [k + m, k + m + 4]."""
    k = draw(ks)
    tail = tuple(draw(st.lists(small_rationals, min_size=1, max_size=4).filter(lambda t: any(x != 0 for x in t))))
    return {
        "k": k,
        "d": draw(st.integers(k + len(tail), k + len(tail) + 4)),
        "tail": tail,
        "disguise": draw(st.none() | st.integers(0, 2**31)),
    }


def as_fraction(x: object) -> Fraction:
    return Fraction(str(x))


def scaled(n: int) -> int:
    """An example budget that grows with the loaded hypothesis profile (default 25 → ×1)."""
    from hypothesis import settings

    return max(1, n * settings.default.max_examples // 25)


def central_differences(f: Any, theta: np.ndarray, h: float) -> np.ndarray:
    """(f(θ + h e_j) − f(θ − h e_j)) / 2h for every column j of θ (N, P); f maps (N, P) to (N, …): (N, P, …)."""
    cols = []
    for j in range(theta.shape[1]):
        up, down = theta.copy(), theta.copy()
        up[:, j] += h
        down[:, j] -= h
        cols.append((f(up) - f(down)) / (2 * h))
    return np.stack(cols, axis=1)

"""Power laws on log-log axes: the exponent of L_q(limit) against σ, with a bootstrap interval over seeds.

log10 median L = a + p · log10 σ is fitted by least squares over the σ values where at least
half the models converged and the median is above the float floor; the interval resamples the
models of each σ with replacement (``n_boot`` times, a seeded generator) and refits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["FLOAT_FLOOR", "bootstrap_slopes", "fit_exponent"]

FLOAT_FLOOR = 1e-28  # below this an extrapolation error of a float64 model is round-off, not signal


def bootstrap_slopes(usable: dict[float, np.ndarray], n_boot: int, seed: int) -> np.ndarray:
    """Slopes of log10 median L against log10 σ over ``n_boot`` resamples of the models of each σ."""
    sig = sorted(usable)
    x = np.log10(sig)
    rng = np.random.default_rng(seed)
    # the resamples are drawn in the order of the plain loop (b, then σ), as ``rng.choice(v, v.size)`` draws them
    # (it takes rng.integers(0, v.size, v.size, dtype=int64)); medians and slopes are then computed for all b at once
    idx = {s: np.empty((n_boot, usable[s].size), dtype=np.int64) for s in sig}
    for b in range(n_boot):
        for s in sig:
            idx[s][b] = rng.integers(0, usable[s].size, size=usable[s].size, dtype=np.int64)
    med = np.stack([np.median(usable[s][idx[s]], axis=1) for s in sig], axis=1)  # (n_boot, len(sig))
    y = np.log10(np.maximum(med, FLOAT_FLOOR))
    xc = x - x.mean()
    return (y - y.mean(axis=1, keepdims=True)) @ xc / (xc @ xc)  # the least-squares slope of each row


def fit_exponent(values: Mapping[float, Sequence[float]], n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> dict[str, Any] | None:
    """Fit log10 median L = intercept + p · log10 σ from ``values`` {σ: [L of each converged model]}; None with fewer than 3 usable σ."""
    usable = {s: np.asarray(v, dtype=float) for s, v in values.items()
              if len(v) and np.median(v) > FLOAT_FLOOR and np.all(np.isfinite(v))}
    if len(usable) < 3:
        return None
    sig = sorted(usable)
    x = np.log10(sig)
    y = np.log10([np.median(usable[s]) for s in sig])
    p, intercept = (float(c) for c in np.polyfit(x, y, 1))
    boots = bootstrap_slopes(usable, n_boot, seed)
    lo, hi = np.quantile(boots, [(1 - level) / 2, (1 + level) / 2])
    return {"exponent": p, "intercept": intercept, "ci_low": float(lo), "ci_high": float(hi), "level": level, "sigmas": [float(s) for s in sig],
            "n_boot": n_boot, "boot_seed": seed}

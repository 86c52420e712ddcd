"""Initializations of a batch of N students (dense, diagonal, complex, LRU), each from an explicit seed.

All randomness comes from ``numpy.random.default_rng(seed)``; no global random state.  This module gathers
them for readers and callers (each lives with its student, which it builds:
``dense.init_gaussian``, ``dense.init_symmetric``, ``diagonal.init_diagonal``, ``diagonal.init_ring``,
``lru.init_lru``), and the C2 counterexample as a float starting point."""

from __future__ import annotations

from typing import Any

import numpy as np

from tempx.numerics.students.dense import Params, init_gaussian, init_symmetric
from tempx.numerics.students.diagonal import init_diagonal, init_ring
from tempx.numerics.students.lru import init_lru
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


def init_counterexample(
    n_models: int, k: int, d: int | None = None, c: Any = 1, perturb: float = 0.0, seed: int = 0, disguise: int | None = None
) -> Params:
    """N copies of the exact C2 counterexample (as floats), optionally plus N(0, perturb²) noise.

    Parameters
    ----------
    n_models : int
        Number of copies N ≥ 1.
    k : int
        Training length of the counterexample.
    d : int, optional
        Its dimension (default k).
    c : int, Fraction or str, default 1
        The cyclic gain.
    perturb : float, default 0
        Standard deviation of Gaussian noise added to every entry.
    seed : int, default 0
        Seed of the noise.
    disguise : int, optional
        Seed of the rational change of basis.

    Returns
    -------
    Params

    Raises
    ------
    InvalidInput
        For the counterexample's bad inputs (see ``tempx.theory.counterexample``) or perturb < 0.

    Examples
    --------
    >>> p = init_counterexample(2, 3)
    >>> p.A.shape
    (2, 3, 3)
    """
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

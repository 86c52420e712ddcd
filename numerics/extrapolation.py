"""L_q of any student: the floor above the students (it streams their responses) and below the drivers.

``tempx.numerics.losses`` (weights, moments, lengths) sits below the students and imports none of
them; this module imports both, so the import graph of ``tempx.numerics`` has no cycle.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tempx.numerics.losses import check_lengths
from tempx.numerics.students import student_of
from tempx.numerics.teachers import FloatArray

__all__ = ["extrapolation_losses"]


def extrapolation_losses(params: Any, teacher: Any, qs: Sequence[int]) -> FloatArray:
    """L_q = Σ_{i<q} r_i² for each q, shape (N, len(qs)); +inf where float64 overflowed.

    One sweep of max(qs) steps of the student's response that keeps running sums (memory O(N d),
    not O(N q)).

    Parameters
    ----------
    params : student batch
        The models (any student).
    teacher : Teacher
        The teacher.
    qs : sequence of int
        Lengths, each in 1 … ``MAX_Q``.

    Returns
    -------
    ndarray
        (N, len(qs)).

    Raises
    ------
    InvalidInput
        For a length outside 1 … ``MAX_Q``.

    Examples
    --------
    >>> from tempx.numerics import init_counterexample, memoryless
    >>> extrapolation_losses(init_counterexample(1, 3, c=2), memoryless(3), [3, 4, 7])
    array([[ 0.,  4., 20.]])
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
        for i, w in zip(range(n), student_of(params).responses(params)):
            r = w - ws[i]
            total = total + r * r
            for j in wanted.get(i + 1, ()):
                out[:, j] = total
    # NaN can only come from inf − inf after an overflow: the magnitude exceeded float64.
    return np.where(np.isnan(out), np.inf, out)

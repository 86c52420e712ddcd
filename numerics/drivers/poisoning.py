"""The baseline setting of clean-label poisoning (claim C16), recognized in a training run, and its exact limit.

When a real diagonal student with b = c = 1 frozen trains by gradient flow on one unit impulse of length k
(and nothing else), its limit follows from the conservation law of C16 by one monotone scalar equation:
``tempx.theory.poisoning.baseline_limit`` brackets it exactly, in milliseconds, where integrating the flow
takes t ≈ 10¹¹ and more.  ``baseline_setting`` says whether a run is that setting (and if not, why not, for
the record); ``baseline_params`` gives the limit as float64 parameters (each λ_i the float nearest the
bracket's midpoint; the bracket's relative width is far below float64's resolution).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from tempx.numerics.teachers import FloatArray

__all__ = ["baseline_params", "baseline_setting"]


def baseline_setting(params: Any, X: FloatArray | None, freeze: tuple[str, ...], wstar: FloatArray) -> str | None:
    """None when the run is C16's baseline: a real diagonal student, b and c frozen and all 1, λ(0) in (0, 1),
    the data one unit impulse at the start of a length-k sequence, w*_{k−1} > 0; else what differs."""
    from tempx.numerics.students import student_of

    if student_of(params).name != "diagonal":
        return "not a real diagonal student"
    if not {"b", "c"} <= set(freeze):
        return "b and c are not both frozen"
    if not (np.all(params.b == 1.0) and np.all(params.c == 1.0)):
        return "b and c are not all 1"
    if X is None or X.shape[0] != 1:
        return "the data are not one sequence"
    from tempx.theory.poisoning import MAX_K, MAX_MODES

    k = X.shape[1]
    if k > MAX_K or params.d > MAX_MODES:
        return f"k > {MAX_K} or d > {MAX_MODES}: beyond the exact bracket's bounds (the flow is integrated)"
    if k < 2 or X[0, 0] != 1.0 or np.any(X[0, 1:] != 0.0):
        return "the sequence is not a unit impulse at the start of a sequence of length k >= 2"
    if not (np.all(params.lam > 0.0) and np.all(params.lam < 1.0)):
        return "some λ_i(0) lies outside (0, 1)"
    if not wstar[k - 1] > 0.0:
        return "the teacher's w*_(k-1) is not > 0"
    return None


def baseline_params(params: Any, k: int, target: float, digits: int = 20) -> tuple[Any, float]:
    """The C16 limit of every model (b = c = 1 kept) and the largest relative width of its brackets."""
    from tempx.numerics.students.diagonal import DiagParams
    from tempx.theory.poisoning import baseline_limit

    rows, width = [], Fraction(0)
    for lam in params.lam:
        lim = baseline_limit([float(x) for x in lam], k, Fraction(target), digits=digits)
        rows.append(lim.midpoints())
        width = max(width, lim.relative_width())
    return DiagParams(np.array(rows), np.array(params.b), np.array(params.c)), float(width)

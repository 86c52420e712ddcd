r"""Adam's step bound (claim C17 (e), SPEC §2): how far bias-corrected Adam moves a coordinate in one step.

With :math:`m_s = \beta_1 m_{s-1} + (1-\beta_1) g_s`, :math:`v_s = \beta_2 v_{s-1} + (1-\beta_2) g_s^2`,
:math:`\hat m = m_s/(1-\beta_1^s)`, :math:`\hat v = v_s/(1-\beta_2^s)` and the step
:math:`\eta_s \hat m/(\sqrt{\hat v} + \varepsilon)`, Cauchy–Schwarz on :math:`m_s` against :math:`v_s` gives

.. math::

    |\Delta\theta| \le \eta_s\, F, \qquad F = \frac{1-\beta_1}{\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}},

whenever :math:`\beta_1^2 < \beta_2` and :math:`1 - \beta_2^s \le (1 - \beta_1^s)^2` for every step s ≥ 1
(:func:`adam_conditions` decides both exactly).  So S steps from :math:`|b|, |c| \le r_0` keep
:math:`|b_j|, |c_j| \le r_0 + F \sum_s \eta_s` and :math:`G \le n\,(r_0 + F \sum_s \eta_s)^2` (:func:`budget_bound`).
"""

from __future__ import annotations

from fractions import Fraction
from math import isqrt
from typing import Any

from tempx.theory.errors import InvalidInput

__all__ = ["adam_conditions", "budget_bound", "step_factor", "step_factor_squared"]


def _beta(x: Any, name: str) -> Fraction:
    try:
        b = Fraction(x)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a number in [0, 1), got {x!r}") from None
    if not 0 <= b < 1:
        raise InvalidInput(f"{name} must lie in [0, 1), got {x}")
    return b


def adam_conditions(beta1: Any, beta2: Any) -> tuple[bool, int]:
    r"""Whether :math:`\beta_1^2 < \beta_2` and :math:`1-\beta_2^s \le (1-\beta_1^s)^2` for every s ≥ 1, exactly.

    Every s up to the first :math:`S` with :math:`2(\beta_1/\beta_2)^S \le 1` is checked in rationals; from S on
    :math:`1 - \beta_2^s \le 1 - 2\beta_1^s < (1 - \beta_1^s)^2` (the ratio only falls), so nothing is left out.
    Floats are taken as the exact binary fractions they are.

    Returns
    -------
    (holds, steps_checked) : (bool, int)

    Examples
    --------
    >>> adam_conditions(0.9, 0.999)
    (True, 7)
    >>> adam_conditions(0.99, 0.9)[0]
    False
    """
    b1, b2 = _beta(beta1, "beta1"), _beta(beta2, "beta2")
    if not b1 * b1 < b2:
        return False, 0
    if b1 == 0:
        return True, 1  # 1 − β2^s ≤ 1
    ratio, s = b1 / b2, 1
    while True:
        if 1 - b2**s > (1 - b1**s) ** 2:
            return False, s
        if 2 * ratio**s <= 1:
            return True, s
        s += 1
        if s > 100_000:  # β1/β2 within 1e-5 of 1: decided by the tail only after this many steps; refuse
            raise InvalidInput(f"beta1 = {b1} and beta2 = {b2} are too close to decide the step bound")


def step_factor_squared(beta1: Any, beta2: Any) -> Fraction:
    r""":math:`F^2 = (1-\beta_1)^2 / ((1-\beta_2)(1-\beta_1^2/\beta_2))`, exactly (requires :math:`\beta_1^2 < \beta_2`)."""
    b1, b2 = _beta(beta1, "beta1"), _beta(beta2, "beta2")
    if not b1 * b1 < b2:
        raise InvalidInput(f"the step bound needs beta1^2 < beta2, got beta1 = {b1}, beta2 = {b2}")
    return (1 - b1) ** 2 / ((1 - b2) * (1 - b1 * b1 / b2))


def step_factor(beta1: Any, beta2: Any, digits: int = 12) -> Fraction:
    """A rational upper bound of F, at most :math:`10^{-\\text{digits}}` above it (an integer square root, rounded up).

    Examples
    --------
    >>> float(step_factor(0.9, 0.999))  # doctest: +ELLIPSIS
    7.27029...
    """
    f2 = step_factor_squared(beta1, beta2)
    scale = 10**digits
    root = isqrt(f2.numerator * scale * scale // f2.denominator)
    while Fraction(root, scale) ** 2 < f2:
        root += 1
    return Fraction(root, scale)


def budget_bound(n: int, r0: Any, lr_sum: Any, beta1: Any, beta2: Any) -> Fraction:
    r"""(e) :math:`G \le n\,(r_0 + F \sum_s \eta_s)^2` for an Adam run of a real diagonal student with n modes.

    Parameters
    ----------
    n : int
        Number of modes.
    r0 : number
        A bound of :math:`|b_j|, |c_j|` at the start.
    lr_sum : number
        :math:`\sum_s \eta_s` over the run's steps (with a schedule: its sum).
    beta1, beta2 : number
        Adam's decay rates (checked with :func:`adam_conditions`).

    Raises
    ------
    InvalidInput
        When the conditions of the bound fail for these β's.
    """
    holds, _ = adam_conditions(beta1, beta2)
    if not holds:
        raise InvalidInput(f"Adam's step bound needs beta1^2 < beta2 and 1 - beta2^s <= (1 - beta1^s)^2 for every s; "
                           f"beta1 = {beta1}, beta2 = {beta2} do not satisfy them")
    r = Fraction(r0) + step_factor(beta1, beta2) * Fraction(lr_sum)
    return n * r * r

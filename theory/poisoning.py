r"""The limit of gradient flow on the baseline data of clean-label poisoning (claim C16), with a verified bracket.

Setting (SPEC C16): a real diagonal student with b = c = 1 frozen, λ ∈ (0, 1)^d trained by gradient flow on
L(λ) = (1/|S|) Σ_{s∈S} (ŷ_s − y*_s)², one unit impulse at the start of a length-k sequence (ŷ = w_{k−1} =
Σ_i λ_i^{k−1}).  Then λ̇_i = −(2/|S|)(k−1) r λ_i^{k−2} with one scalar r(t) for every i, so

    d/dt λ_i^{3−k} = (3−k) λ_i^{2−k} λ̇_i = −(2/|S|)(3−k)(k−1) r        (the same for every i):

λ_i^{3−k} − λ_j^{3−k} is conserved (k ≠ 3; log λ_i − log λ_j at k = 3; λ_i − λ_j at k = 2).  If the loss
tends to 0, the limit solves Σ_i λ_i^{k−1} = w*_{k−1} on the curve the law allows:
- k = 2: λ_i(∞) = λ_i(0) + δ, δ = (w*_1 − Σ λ_j(0))/d (exact rational);
- k = 3: λ_i(∞) = λ_i(0)·√(w*_2 / Σ λ_j(0)²);
- k > 3: λ_i(∞) = (s + c_i)^{−1/(k−3)}, c_i = λ_i(0)^{3−k} − λ_1(0)^{3−k}, where s > −min c_i is the unique
  root of F(s) = Σ_i (s + c_i)^{−(k−1)/(k−3)} − w*_{k−1} (F decreases strictly).
``baseline_limit`` returns each λ_i(∞) as an interval [lo, hi] of exact rationals that contains it: the
root s is bracketed by bisection on rational points whose sign of F is decided in interval arithmetic
(mpmath's ``iv`` at a working precision well above the requested digits), so the bracket is proven, not
estimated; the λ bounds are outward-rounded interval evaluations at the bracket's ends.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tempx.theory.errors import InvalidInput

__all__ = ["MAX_DIGITS", "MAX_K", "MAX_MODES", "BaselineLimit", "baseline_limit"]

MAX_DIGITS = 60  # digits of the bracket; each bisection step costs d interval powers at ~3.4·digits + 40 bits
MAX_MODES = 10_000
MAX_K = 1_000  # c_i = λ_i^{3−k} − λ_1^{3−k} is exact: a float λ_i makes it a rational of about 53·k bits


@dataclass(frozen=True)
class BaselineLimit:
    """λ_i(∞) ∈ [lower[i], upper[i]] (exact rationals) for the baseline flow; ``root``: the bracket of s (k > 3;
    for k = 2 the shift δ, for k = 3 the factor √(w*/Σλ²)); ``steps``: bisection steps taken."""

    k: int
    target: Fraction
    lower: tuple[Fraction, ...]
    upper: tuple[Fraction, ...]
    root: tuple[Fraction, Fraction]
    steps: int

    def midpoints(self) -> list[float]:
        return [float((a + b) / 2) for a, b in zip(self.lower, self.upper)]

    def relative_width(self) -> Fraction:
        return max((b - a) / max(abs(a), abs(b), Fraction(1, 10**300)) for a, b in zip(self.lower, self.upper))


def _exact(x: Any, what: str) -> Fraction:
    if isinstance(x, bool) or not isinstance(x, (int, float, Fraction, str)):
        raise TypeError(f"{what} must be a number, got {type(x).__name__}")
    if isinstance(x, str):
        from tempx.theory.exact import parse_rational

        return parse_rational(x)
    if isinstance(x, float) and not math.isfinite(x):
        raise InvalidInput(f"{what} must be finite, got {x!r}")
    return Fraction(x)


def _interval(x: Fraction) -> Any:
    from mpmath import iv

    return iv.mpf(x.numerator) / iv.mpf(x.denominator)


@contextmanager
def _precision(bits: int) -> Iterator[None]:
    """mpmath's interval and float contexts at ``bits`` of precision for the block, restored after it."""
    from mpmath import iv, mp

    before = iv.prec, mp.prec
    iv.prec = mp.prec = bits
    try:
        yield
    finally:
        iv.prec, mp.prec = before


def _to_fraction(x: Any) -> Fraction:
    from mpmath import mpf

    man, exp = mpf(x).man_exp
    return Fraction(man) * (Fraction(2) ** exp)


def baseline_limit(lam0: Sequence[Any], k: int, target: Any = 1, digits: int = 20) -> BaselineLimit:
    """Each λ_i(∞) of the baseline flow (module docstring) in an exact rational bracket of relative width
    ≤ 10^−digits.

    Args:
        lam0: λ(0), d values in (0, 1) (floats are taken as the dyadic rationals they are; strings as rationals).
        k: the length of the impulse sequence, k ≥ 2.
        target: w*_{k−1} > 0, the teacher's output on that sequence (1 for SPEC C16's teacher).
        digits: relative width of each bracket, 10^−digits (1 ≤ digits ≤ MAX_DIGITS).

    Example:
        >>> lim = baseline_limit(["1/2", "1/4"], k=2, target=1)
        >>> lim.lower == lim.upper == (Fraction(5, 8), Fraction(3, 8))
        True
    """
    if isinstance(k, bool) or not isinstance(k, int) or not 2 <= k <= MAX_K:
        raise InvalidInput(f"k must be an integer in [2, {MAX_K}] (an impulse of length k fixes w_(k-1); the exact "
                           f"conserved quantities have about 53·k bits), got {k!r}")
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= MAX_DIGITS:
        raise InvalidInput(f"digits must be an integer in [1, {MAX_DIGITS}], got {digits!r}")
    if not 1 <= len(lam0) <= MAX_MODES:
        raise InvalidInput(f"λ(0) must have 1 to {MAX_MODES} entries, got {len(lam0)}")
    lam = [_exact(x, f"λ(0)[{i}]") for i, x in enumerate(lam0)]
    if any(not 0 < x < 1 for x in lam):
        raise InvalidInput("every λ_i(0) must lie in (0, 1) (SPEC C16)")
    w = _exact(target, "target")
    if w <= 0:
        raise InvalidInput(f"the target w*_(k-1) must be > 0, got {w}")
    d = len(lam)
    if k == 2:  # every λ_i moves by the same δ: Σ(λ_i + δ) = w
        delta = (w - sum(lam)) / d
        out = tuple(x + delta for x in lam)
        return BaselineLimit(k, w, out, out, (delta, delta), 0)
    from mpmath import iv

    prec = int(3.33 * digits) + 40 + d.bit_length()
    with _precision(prec):
        if k == 3:  # λ_i(∞) = λ_i(0)·√(w/Σλ_j²)
            factor = iv.sqrt(_interval(w) / _interval(sum((x * x for x in lam), Fraction(0))))
            lo_f, hi_f = _to_fraction(factor.a), _to_fraction(factor.b)
            return BaselineLimit(k, w, tuple(x * lo_f for x in lam), tuple(x * hi_f for x in lam), (lo_f, hi_f), 0)
        m = k - 3
        p = Fraction(k - 1, m)
        c = [x ** (3 - k) - lam[0] ** (3 - k) for x in lam]  # exact rationals
        c_min = min(c)

        def sign(s: Fraction) -> int:
            """The sign of F(s), decided in interval arithmetic (raises precision until the interval excludes 0)."""
            work = prec
            while work <= 8 * prec:
                with _precision(work):
                    pe = iv.mpf(p.numerator) / p.denominator
                    f = sum((_interval(s + ci)) ** (-pe) for ci in c) - _interval(w)
                    if f.a > 0:
                        return 1
                    if f.b < 0:
                        return -1
                work *= 2
            return 0  # F(s) = 0 to 8× the precision: s is the root as far as the bracket can tell

        # F → +∞ as s ↓ −c_min, and F(s) ≤ d (s + c_min)^(−p) − w < 0 beyond s = −c_min + (d/w)^(1/p)
        t = Fraction(1)
        while sign(-c_min + t) <= 0:
            t /= 2
        lo = -c_min + t
        hi_t = Fraction(math.ceil((d / w) ** (1 / p))) + 1 if w < 10**300 else Fraction(1)
        hi = -c_min + hi_t
        while sign(hi) >= 0:
            hi = -c_min + 2 * (hi + c_min)
        steps = 0
        tolerance = Fraction(1, 10**digits)
        # a float guess of the root (mpmath's secant method), then a proven bracket around it when the signs agree
        from mpmath import findroot, mpf

        try:
            guess = findroot(lambda x: sum((x + mpf(ci.numerator) / ci.denominator) ** (-mpf(p.numerator) / p.denominator)
                                           for ci in c) - mpf(w.numerator) / w.denominator,
                             (mpf(lo.numerator) / lo.denominator, mpf(hi.numerator) / hi.denominator), solver="anderson")
            g = _to_fraction(guess)
            eps = max(abs(g), Fraction(1)) * tolerance / 4
            if lo < g - eps < g + eps < hi and sign(g - eps) > 0 and sign(g + eps) < 0:
                lo, hi = g - eps, g + eps
        except (ValueError, TypeError, ZeroDivisionError, ArithmeticError):  # no convergence: bisection from the wide bracket
            pass

        def lam_bounds(s_lo: Fraction, s_hi: Fraction) -> tuple[list[Fraction], list[Fraction]]:
            inv = iv.mpf(1) / m
            lows = [_to_fraction(((_interval(s_hi + ci)) ** (-inv)).a) for ci in c]  # decreasing in s
            highs = [_to_fraction(((_interval(s_lo + ci)) ** (-inv)).b) for ci in c]
            return lows, highs

        while True:
            lows, highs = lam_bounds(lo, hi)
            if all(h - lw <= tolerance * lw for lw, h in zip(lows, highs)) or steps >= 64 * digits:
                break
            mid = (lo + hi) / 2
            mid = Fraction(round(mid * 2**prec), 2**prec) if mid.denominator > 2**prec else mid  # keep sizes bounded
            if not lo < mid < hi:
                break
            sg = sign(mid)
            if sg > 0:
                lo = mid
            elif sg < 0:
                hi = mid
            else:
                break
            steps += 1
        return BaselineLimit(k, w, tuple(lows), tuple(highs), (lo, hi), steps)

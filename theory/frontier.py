r"""Certified bounds of the approximation frontier of real diagonal students (claim C17 (b3), (d), SPEC §2).

For a target :math:`v \in \mathbb{R}^t` and a budget G, the frontier is

.. math::

    E(G) = \min\Bigl\{ \tfrac{\|w - v\|_2^2}{\|v\|_2^2} : w_i = \textstyle\sum_j g_j \lambda_j^i,\
    \lambda_j \in [-\rho, \rho],\ \sum_j |g_j| \le G \Bigr\}

(ρ = 1 in the SPEC; a trained student whose nodes left [−1, 1] is bounded with ρ = its largest |λ|).
Every vector q gives a lower bound: :math:`\|w-v\|^2 \ge 2\langle -q, w - v\rangle - \|q\|^2` and
:math:`|\langle q, w\rangle| \le G\,S_q` with :math:`S_q \ge \max_{[-\rho,\rho]} |q(x)|`, optimized over the scale of q:

.. math::

    \|w - v\|_2 \ge \frac{(\langle q, v\rangle - G\,S_q)_+}{\|q\|_2}  \qquad \text{(b3)}.

:func:`sup_abs` proves :math:`S_q` (the roots of :math:`q'` isolated in ball arithmetic over ℚ, ``fmpq_poly.complex_roots``,
and q evaluated on each root's ball and at ±ρ); :func:`lower_bound` turns it into a lower bound of E(G), rounded
down; :func:`student_error` is the exact error of a constructed student, rounded up.  Both ends are Fractions, so
the decimal a command prints from them can be rounded outward.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import flint

from tempx.theory.enclosure import arb_lower, arb_upper
from tempx.theory.errors import InvalidInput
from tempx.theory.realcomplex import precision

__all__ = ["PREC", "complex_lower_bound", "lower_bound", "student_error", "sup_abs", "to_fractions"]

PREC = 192  # bits of the balls; the inputs are exact, so this only sets how tight the ends are


def _fq(x: Fraction) -> Any:
    return flint.fmpq(x.numerator, x.denominator)


def to_fractions(values: Sequence[Any]) -> list[Fraction]:
    """Exact Fractions of numbers (floats are the binary fractions they store); a non-finite value is refused."""
    out = []
    for x in values:
        try:
            out.append(Fraction(x))
        except (OverflowError, ValueError, TypeError):
            raise InvalidInput(f"not a finite number: {x!r}") from None
    return out


def sup_abs(q: Sequence[Any], rho: Any = 1) -> Fraction:
    r"""A proven upper bound :math:`S \ge \max_{x \in [-\rho, \rho]} |q(x)|` of :math:`q(x) = \sum_i q_i x^i`.

    The maximum sits at ±ρ or at a real root of :math:`q'`; every root is enclosed in a complex ball
    (``fmpq_poly.complex_roots``), and q is evaluated in ball arithmetic on the real part of each ball that meets
    the real interval.

    Examples
    --------
    >>> sup_abs([0, -3, 0, 4])  # T_3: max |T_3| = 1 on [-1, 1]
    Fraction(1, 1)
    >>> float(sup_abs([1, 1], rho=2))
    3.0
    """
    coeffs = to_fractions(q)
    r = Fraction(rho)
    if r <= 0:
        raise InvalidInput(f"rho must be > 0, got {rho}")
    poly = flint.fmpq_poly([_fq(c) for c in coeffs])
    best = max(abs(sum((c * x**i for i, c in enumerate(coeffs)), Fraction(0))) for x in (r, -r))  # exact at ±ρ
    with precision(PREC):
        deriv = poly.derivative()
        if deriv.degree() < 1:
            return best
        apoly = flint.arb_poly([flint.arb(_fq(c)) for c in coeffs])
        lo, hi = flint.arb(_fq(-r)), flint.arb(_fq(r))
        roots: Any = deriv.complex_roots()
        for z, _mult in roots:
            im, re = z.imag, z.real
            if im.lower() > 0 or im.upper() < 0:
                continue  # a non-real root
            if re.upper() < lo.lower() or re.lower() > hi.upper():
                continue  # outside [−ρ, ρ]
            best = max(best, arb_upper(abs(apoly(re))))
    return best


def _norm(v: Sequence[Fraction]) -> Any:
    return flint.arb(_fq(sum((x * x for x in v), Fraction(0)))).sqrt()


def _checked(target: Sequence[Any], budget: Any) -> tuple[list[Fraction], Fraction]:
    v = to_fractions(target)
    G = Fraction(budget)
    if not any(v):
        raise InvalidInput("the target is zero on the horizon: its frontier is 0 at every budget")
    if G < 0:
        raise InvalidInput(f"a budget must be >= 0, got {budget}")
    return v, G


def _dual_bound(qs: list[Fraction], target: Sequence[Any], budget: Any, sup: Callable[[], Fraction],
                normalize: bool) -> Fraction:
    """(⟨q, v⟩ − G S_q)₊² / (‖q‖² ‖v‖²), rounded down; ``sup()`` proves S_q."""
    v, G = _checked(target, budget)
    qq = sum((x * x for x in qs), Fraction(0))
    if qq == 0:
        return Fraction(0)
    S = sup()
    with precision(PREC):
        qv = flint.arb(_fq(sum((a * b for a, b in zip(qs, v)), Fraction(0))))
        vv = flint.arb(_fq(sum((x * x for x in v), Fraction(0))))
        if normalize:
            qv, vv = qv / _norm(v), flint.arb(1)
        low = arb_lower(qv - flint.arb(_fq(G * S)))
        if low <= 0:
            return Fraction(0)
        return arb_lower(flint.arb(_fq(low * low)) / (flint.arb(_fq(qq)) * vv))


def lower_bound(q: Sequence[Any], target: Sequence[Any], budget: Any, rho: Any = 1, normalize: bool = True) -> Fraction:
    r"""A proven lower bound of E(G) from the dual vector q (any q; the residual of a good student is best), (b3).

    ``normalize``: the target is :math:`w^*/\|w^*\|_2` (then :math:`\|v\| = 1` and E is the plain squared error),
    else v = w* and E is divided by :math:`\|w^*\|^2`.

    Returns
    -------
    Fraction
        :math:`(\langle q, v\rangle - G S_q)_+^2 / (\|q\|^2 \|v\|^2)`, rounded down.
    """
    qs = to_fractions(q)
    return _dual_bound(qs, target, budget, lambda: sup_abs(qs, rho), normalize)


def student_error(response: Sequence[Any], target: Sequence[Any], normalize: bool = True) -> Fraction:
    """An upper bound (rounded up; exact when not normalized) of :math:`\\|w - v\\|^2/\\|v\\|^2` for an exact response w."""
    w = to_fractions(response)
    v, _ = _checked(target, 0)
    if len(w) != len(v):
        raise InvalidInput(f"a response of {len(w)} terms against a target of {len(v)}")
    ww = sum((x * x for x in w), Fraction(0))
    wv = sum((a * b for a, b in zip(w, v)), Fraction(0))
    vv = sum((x * x for x in v), Fraction(0))
    if not normalize:
        return (ww - 2 * wv + vv) / vv
    with precision(PREC):
        return arb_upper(flint.arb(_fq(ww)) - 2 * flint.arb(_fq(wv)) / _norm(v) + 1)


def complex_lower_bound(q: Sequence[Any], target: Sequence[Any], budget: Any, normalize: bool = True) -> Fraction:
    r"""(b3) for complex students: :math:`|\sum_i q_i \operatorname{Re}(g\lambda^i)| \le |g|\,\max_{|z|\le 1}|q(z)|
    \le |g|\,\|q\|_1`, so the bound of :func:`lower_bound` holds with :math:`S_q = \|q\|_1`."""
    qs = to_fractions(q)
    return _dual_bound(qs, target, budget, lambda: sum((abs(x) for x in qs), Fraction(0)), normalize)

r"""Real versus complex diagonal students on a horizon t (claim C17 (a)–(c), SPEC §2).

On indices :math:`0 \le i < t` a real diagonal student answers :math:`w_i = \sum_j g_j \lambda_j^i` with
:math:`\lambda_j \in [-1, 1]`, :math:`g_j = c_j b_j` and budget :math:`G = \sum_j |g_j|`; a complex one
:math:`w_i = \operatorname{Re} \sum_j g_j \lambda_j^i` with :math:`|\lambda_j| \le 1`.

- (a) :func:`dft_student`: the complex student on the t-th roots of unity with
  :math:`g_j = \frac1t \sum_{i<t} w^*_i \omega^{-ji}` represents any target exactly, computed in
  :math:`\mathbb{Q}(\omega)` (``fmpq_poly`` modulo the cyclotomic polynomial :math:`\Phi_t`).
- (b1) :func:`delay_bound`: a real student with :math:`w = e_m` on :math:`i < t` has
  :math:`G \ge |[x^m] T_{n'}|` (V. A. Markov), :math:`n' = t-1` if :math:`t-1-m` is even, else :math:`t-2`.
- (b2) :func:`oscillation_bound`: :math:`\max_{i<t} |w_i - \cos(\pi i/2)| \le \varepsilon` forces
  :math:`G \ge (1-\varepsilon)\, T_d(3)`, :math:`d = \lfloor (t-1)/2 \rfloor`.
- Both are tight: :func:`extremal_student` puts the weights :math:`g_k = \sum_i c_i [x^i]\ell_k` (Lagrange basis
  :math:`\ell_k` on the Chebyshev extrema :math:`\cos(k\pi/n)`) on the nodes, exactly where the nodes are
  rational and in ball arithmetic (arb) otherwise.
- (c) :func:`sign_changes`, :func:`distinct_bases` and :func:`oscillation_witness`: fewer than
  :math:`\lceil t/2 \rceil` real modes stay at sup distance :math:`\ge 1` from the oscillation, and
  :math:`\lceil t/2 \rceil` modes get below 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint

from tempx.theory.errors import InvalidInput

__all__ = [
    "MAX_HORIZON",
    "ExtremalStudent",
    "alternating_fit",
    "chebyshev_t",
    "delay_bound",
    "delay_degree",
    "dft_response",
    "dft_student",
    "distinct_bases",
    "enclose_real",
    "extremal_student",
    "norm_squared",
    "oscillation",
    "oscillation_bound",
    "oscillation_witness",
    "precision",
    "real_response",
    "sign_changes",
    "sup_distance",
]

MAX_HORIZON = 4096  # Chebyshev coefficients of degree t have about 1.3·t bits; beyond this, refuse


def _horizon(t: Any) -> int:
    if isinstance(t, bool) or not isinstance(t, int) or not 1 <= t <= MAX_HORIZON:
        raise InvalidInput(f"the horizon t must be an integer in [1, {MAX_HORIZON}], got {t!r}")
    return t


def chebyshev_t(n: int) -> list[int]:
    """Coefficients of :math:`T_n` in ascending order (:math:`T_{n+1} = 2x T_n - T_{n-1}`).

    Examples
    --------
    >>> chebyshev_t(3)
    [0, -3, 0, 4]
    """
    if n < 0:
        raise InvalidInput(f"Chebyshev degree must be >= 0, got {n}")
    prev, cur = [1], [0, 1]
    if n == 0:
        return prev
    for _ in range(n - 1):
        nxt = [0] + [2 * c for c in cur]
        for i, c in enumerate(prev):
            nxt[i] -= c
        prev, cur = cur, nxt
    return cur


def delay_degree(t: int, m: int) -> int:
    """The degree :math:`n'` of the Chebyshev polynomial behind (b1): t − 1 if t − 1 − m is even, else t − 2."""
    t = _horizon(t)
    if isinstance(m, bool) or not isinstance(m, int) or not 0 <= m < t:
        raise InvalidInput(f"the delay m must be an integer in [0, t) = [0, {t}), got {m!r}")
    return t - 1 if (t - 1 - m) % 2 == 0 else t - 2


def delay_bound(t: int, m: int) -> int:
    r"""(b1) The least budget G of a real student with :math:`w = e_m` on :math:`i < t`: :math:`|[x^m] T_{n'}|`.

    Examples
    --------
    >>> delay_bound(4, 1), delay_bound(7, 3), delay_bound(32, 15)
    (3, 20, 10827497472)
    """
    return abs(chebyshev_t(delay_degree(t, m))[m])


def oscillation(t: int) -> list[int]:
    """The oscillation :math:`o_i = \\cos(\\pi i/2) = (1, 0, -1, 0, …)` on :math:`i < t`."""
    return [(1, 0, -1, 0)[i % 4] for i in range(_horizon(t))]


def oscillation_bound(t: int, eps: Any = 0) -> Fraction:
    r"""(b2) :math:`(1-\varepsilon)\,T_d(3)`, :math:`d = \lfloor (t-1)/2 \rfloor`: the least G of a real student within
    sup distance ε of the oscillation on :math:`i < t` (0 ≤ ε ≤ 1).

    Examples
    --------
    >>> oscillation_bound(3), oscillation_bound(5), oscillation_bound(32)
    (Fraction(3, 1), Fraction(17, 1), Fraction(152139002499, 1))
    """
    eps = Fraction(eps)
    if not 0 <= eps <= 1:
        raise InvalidInput(f"eps must lie in [0, 1], got {eps}")
    d = (_horizon(t) - 1) // 2
    return (1 - eps) * sum(c * 3**i for i, c in enumerate(chebyshev_t(d)))


# ---- (b) tightness: the extremal students on the Chebyshev extrema --------------------------------------------


@dataclass(frozen=True)
class ExtremalStudent:
    """A real student on the extrema :math:`x_k = \\cos(k\\pi/n)`, k = 0 … n: nodes and weights, as Fractions when
    ``exact`` (n ≤ 3, the rational cosines) or as arb balls (a verified enclosure) otherwise."""

    n: int
    nodes: tuple[Any, ...]
    weights: tuple[Any, ...]
    exact: bool
    prec: int = 53  # bits of the balls' arithmetic

    def budget(self) -> Any:
        """:math:`G = \\sum_k |g_k|` (exact, or a ball)."""
        with precision(self.prec):
            return sum((abs(g) for g in self.weights), Fraction(0) if self.exact else flint.arb(0))

    def moments(self, t: int) -> list[Any]:
        """:math:`\\sum_k g_k x_k^i` for i < t: the student's response on the horizon."""
        zero: Any = Fraction(0) if self.exact else flint.arb(0)
        with precision(self.prec):
            return [sum((g * x**i for g, x in zip(self.weights, self.nodes)), zero) for i in range(t)]


@contextmanager
def precision(bits: int) -> Iterator[None]:
    """Ball arithmetic at ``bits`` bits inside the block; the caller's precision is restored after it."""
    old = flint.ctx.prec
    flint.ctx.prec = max(int(bits), 53)
    try:
        yield
    finally:
        flint.ctx.prec = old


def _arb(x: Fraction) -> Any:
    return flint.arb(flint.fmpq(x.numerator, x.denominator))


def _poly_mul_linear(p: list[Fraction], root: Fraction) -> list[Fraction]:
    out = [Fraction(0)] * (len(p) + 1)
    for i, c in enumerate(p):
        out[i + 1] += c
        out[i] -= root * c
    return out


def extremal_student(n: int, functional: Sequence[Any], prec: int | None = None) -> ExtremalStudent:
    r"""The real student on :math:`x_k = \cos(k\pi/n)` whose response matches the functional
    :math:`c` on every polynomial of degree ≤ n: :math:`g_k = \sum_{i \le n} c_i [x^i]\ell_k`.

    For :math:`c = e_m` (the delay) its budget is :math:`|[x^m]T_n|`, for :math:`c = o` (the oscillation,
    n = 2d) it is :math:`T_d(3)`, when the signs of :math:`g_k` alternate like :math:`T_n(x_k) = (-1)^k`
    (then :math:`\sum_k |g_k| = |\sum_k T_n(x_k) g_k| = |\sum_i c_i [x^i]T_n|` exactly).

    Parameters
    ----------
    n : int
        Degree; n + 1 nodes.
    functional : sequence
        :math:`c_0 … c_n` (rationals).
    prec : int, optional
        Bits of the ball arithmetic (default 128 + 4n) when the nodes are irrational (n ≥ 4).

    Returns
    -------
    ExtremalStudent

    Examples
    --------
    >>> s = extremal_student(3, [0, 1, 0, 0])      # the delay e_1 at t = 4
    >>> [str(g) for g in s.weights], s.budget()
    (['-1/6', '4/3', '-4/3', '1/6'], Fraction(3, 1))
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_HORIZON:
        raise InvalidInput(f"degree n must be an integer in [1, {MAX_HORIZON}], got {n!r}")
    c = [Fraction(x) for x in functional][: n + 1]
    c += [Fraction(0)] * (n + 1 - len(c))
    rational: dict[int, list[Any]] = {1: [1, -1], 2: [1, 0, -1], 3: [1, Fraction(1, 2), Fraction(-1, 2), -1]}
    if n in rational:
        nodes = [Fraction(x) for x in rational[n]]
        weights: list[Fraction] = []
        for k, xk in enumerate(nodes):
            poly, denom = [Fraction(1)], Fraction(1)
            for j, xj in enumerate(nodes):
                if j != k:
                    poly, denom = _poly_mul_linear(poly, xj), denom * (xk - xj)
            weights.append(sum(ci * pi for ci, pi in zip(c, poly)) / denom)
        return ExtremalStudent(n, tuple(nodes), tuple(weights), True)
    bits = prec if prec is not None else 128 + 4 * n
    with precision(bits):
        xs: list[Any] = [flint.arb(flint.fmpq(k, n)).cos_pi() for k in range(n + 1)]
        xs[0], xs[n] = flint.arb(1), flint.arb(-1)
        if n % 2 == 0:
            xs[n // 2] = flint.arb(0)
        arb_weights: list[Any] = []
        for k in range(n + 1):
            others = xs[:k] + xs[k + 1:]
            apoly: Any = flint.arb_poly.from_roots(others)
            adenom: Any = flint.arb(1)
            for xj in others:
                adenom *= xs[k] - xj
            arb_weights.append(sum((_arb(ci) * apoly[i] for i, ci in enumerate(c) if ci), flint.arb(0)) / adenom)
    return ExtremalStudent(n, tuple(xs), tuple(arb_weights), False, bits)


# ---- (a) the complex student on the roots of unity, exactly in Q(ω) ---------------------------------------------


def _cyclotomic(t: int) -> Any:
    return flint.fmpq_poly(flint.fmpz_poly.cyclotomic(t))


def dft_student(wstar: Sequence[Any]) -> list[Any]:
    r"""(a) :math:`g_j = \frac1t \sum_{i<t} w^*_i \omega^{-ji}`, j < t, as elements of :math:`\mathbb{Q}(\omega)`
    (``fmpq_poly`` in ω reduced modulo :math:`\Phi_t`); the nodes are :math:`\lambda_j = \omega^j`.

    Examples
    --------
    >>> g = dft_student([0, 1, 0, 0])               # e_1 at t = 4: g_j = ω^{-j}/4
    >>> [str(x) for x in g]
    ['1/4', '(-1/4)*x', '(-1/4)', '1/4*x']
    """
    w = [Fraction(x) for x in wstar]
    t = _horizon(len(w))
    phi = _cyclotomic(t)
    out = []
    for j in range(t):
        coeffs = [Fraction(0)] * t
        for i, wi in enumerate(w):
            coeffs[(-j * i) % t] += wi / t
        out.append(flint.fmpq_poly([flint.fmpq(x.numerator, x.denominator) for x in coeffs]) % phi)
    return out


def dft_response(g: Sequence[Any], n: int) -> list[Any]:
    """:math:`\\sum_j g_j \\omega^{ji}` for i < n, in :math:`\\mathbb{Q}(\\omega)` (t = len(g)); (a) says each is the
    rational constant :math:`w^*_{i \\bmod t}`, real without taking a real part."""
    t = _horizon(len(g))
    phi = _cyclotomic(t)
    return [sum((gj * flint.fmpq_poly([0] * ((j * i) % t) + [1]) for j, gj in enumerate(g)), flint.fmpq_poly(0)) % phi
            for i in range(n)]


def norm_squared(z: Any, t: int) -> Any:
    """:math:`|z|^2 = z\\,\\bar z` of an element of :math:`\\mathbb{Q}(\\omega)` (:math:`\\bar\\omega = \\omega^{t-1}`)."""
    phi = _cyclotomic(t)
    conj = flint.fmpq_poly(0)
    for e in range(z.degree() + 1):
        if z[e] != 0:
            conj += z[e] * flint.fmpq_poly([0] * ((-e) % t) + [1])
    return (z * (conj % phi)) % phi


def enclose_real(z: Any, t: int, prec: int = 256) -> Any:
    """An arb ball around the real part of an element of :math:`\\mathbb{Q}(\\omega)` at ω = exp(2πi/t)."""
    with precision(prec):
        total = flint.arb(0)
        for e in range(z.degree() + 1):
            if z[e] != 0:
                total += flint.arb(z[e]) * flint.arb(flint.fmpq(2 * e, t)).cos_pi()
        return total


# ---- (c) sign changes of exponential sums ------------------------------------------------------------------------


def real_response(nodes: Sequence[Any], weights: Sequence[Any], n: int) -> list[Fraction]:
    """:math:`w_i = \\sum_j g_j \\lambda_j^i`, i < n, exactly."""
    lam = [Fraction(x) for x in nodes]
    g = [Fraction(x) for x in weights]
    if len(lam) != len(g):
        raise InvalidInput(f"{len(lam)} nodes but {len(g)} weights")
    out, powers = [], [Fraction(1)] * len(lam)
    for _ in range(n):
        out.append(sum((gj * p for gj, p in zip(g, powers)), Fraction(0)))
        powers = [p * x for p, x in zip(powers, lam)]
    return out


def sign_changes(values: Sequence[Any]) -> int:
    """How often consecutive nonzero entries change sign (zeros skipped), exactly."""
    signs = [1 if v > 0 else -1 for v in values if v != 0]
    return sum(1 for a, b in itertools.pairwise(signs) if a != b)


def distinct_bases(nodes: Sequence[Any], weights: Sequence[Any]) -> int:
    """r: the distinct positive bases :math:`\\mu = \\lambda^2` that carry a nonzero weight in the even terms
    :math:`w_{2m} = \\sum_\\mu (\\sum_{\\lambda^2 = \\mu} g) \\mu^m` (a mode at 0 is not counted: it touches m = 0 only)."""
    total: dict[Fraction, Fraction] = {}
    for x, g in zip(nodes, weights):
        mu = Fraction(x) ** 2
        if mu != 0:
            total[mu] = total.get(mu, Fraction(0)) + Fraction(g)
    return sum(1 for v in total.values() if v != 0)


def sup_distance(w: Sequence[Any], target: Sequence[Any]) -> Fraction:
    """:math:`\\max_i |w_i - w^*_i|`, exactly."""
    return max((abs(Fraction(a) - Fraction(b)) for a, b in zip(w, target)), default=Fraction(0))


def alternating_fit(nodes: Sequence[Fraction]) -> list[Fraction]:
    """Weights g with :math:`\\sum_l g_l \\mu_l^m = (-1)^m` for m < n, :math:`\\mu_l = \\lambda_l^2` distinct (Lagrange
    in μ: :math:`g_l = \\ell_l(-1)`): the even terms of a real student fitted to the oscillation's."""
    mus = [Fraction(x) ** 2 for x in nodes]
    if len(set(mus)) != len(mus):
        raise InvalidInput("the nodes' squares must be distinct")
    weights = []
    for l, mu in enumerate(mus):
        poly, denom = [Fraction(1)], Fraction(1)
        for j, other in enumerate(mus):
            if j != l:
                poly, denom = _poly_mul_linear(poly, other), denom * (mu - other)
        weights.append(sum(((-1) ** m * p for m, p in enumerate(poly)), Fraction(0)) / denom)
    return weights


def oscillation_witness(t: int) -> tuple[list[Fraction], list[Fraction]]:
    r"""(c) A real student with :math:`\lceil t/2 \rceil` modes within sup distance < 1 of the oscillation.

    Nodes :math:`\lambda_l = l/(d+1)`, l = 1 … d + 1; the weights fit the even terms exactly,
    :math:`w_{2m} = (-1)^m` for m ≤ d (a Vandermonde system in :math:`\mu_l = \lambda_l^2`); then all of w is
    scaled by :math:`s = 1/(2 \max_{i<t} |w_i|)`, which keeps the sign of every even term and puts every term
    within distance :math:`1 - s` of :math:`o_i` (odd terms: :math:`|s w_i| \le 1/2`).

    Returns
    -------
    (nodes, weights) : lists of Fraction

    Examples
    --------
    >>> nodes, weights = oscillation_witness(3)
    >>> len(nodes), sup_distance(real_response(nodes, weights, 3), oscillation(3)) < 1
    (2, True)
    """
    t = _horizon(t)
    d = (t - 1) // 2
    nodes = [Fraction(l, d + 1) for l in range(1, d + 2)]
    weights = alternating_fit(nodes)
    w = real_response(nodes, weights, t)
    scale = 1 / (2 * max(abs(x) for x in w))
    return nodes, [g * scale for g in weights]

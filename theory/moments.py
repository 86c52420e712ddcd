"""Exact truncated moment problems on M: the (n+1)-atom students behind claim C11.

Setting: a teacher on M with n distinct rational atoms μ_l and positive masses W_l, i.e.
w*_i = m_i = Σ_l W_l μ_l^i, the moments of ν* = Σ_l W_l δ_{μ_l}.

C5: a student on M that matches m_0 … m_{2n} equals the teacher.  C11: matching only
m_0 … m_{2n−1} is not enough.  Construction (quasi-orthogonal polynomials): with P_n = Π(x − μ_l)
and P_{n−1} the monic orthogonal polynomial of degree n−1 of ν*, every
    Q(x) = (x + α) P_n(x) + β P_{n−1}(x)
is orthogonal to all polynomials of degree ≤ n − 2, so the interpolatory quadrature on the
n + 1 roots of Q is exact up to degree 2n − 1.  We choose two rational roots r_1, r_2 (this fixes
α, β), keep Q when all its roots are rational, distinct and the quadrature masses positive: a
positive measure ν with n + 1 atoms, ν ≠ ν*, and m_i(ν) = m_i(ν*) for i < 2n.  Then
m_{2n}(ν) ≠ m_{2n}(ν*) (else ∫P_n² dν = 0 and ν = ν*, by C5).

Realization on M: A = diag(nodes, each repeated up to four times), B = C^T with rational
entries whose squares add up to each mass (Lagrange's four-square theorem, p/q = pq/q²).
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from fractions import Fraction
from math import isqrt

from tempx.theory import exact
from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import ExactRNN

__all__ = ["MomentStudent", "four_squares", "measure_rnn", "moments", "tight_student"]

Poly = list[Fraction]  # coefficients, lowest degree first


def moments(nodes: list[Fraction], masses: list[Fraction], n: int) -> list[Fraction]:
    """[Σ_l W_l μ_l^i for i < n]."""
    return [sum((w * mu**i for mu, w in zip(nodes, masses)), Fraction(0)) for i in range(n)]


def _mul(p: Poly, q: Poly) -> Poly:
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        for j, b in enumerate(q):
            out[i + j] += a * b
    return out


def _add(p: Poly, q: Poly) -> Poly:
    n = max(len(p), len(q))
    zero = Fraction(0)
    return [(p[i] if i < len(p) else zero) + (q[i] if i < len(q) else zero) for i in range(n)]


def _eval(p: Poly, x: Fraction) -> Fraction:
    acc = Fraction(0)
    for c in reversed(p):
        acc = acc * x + c
    return acc


def _divide_root(p: Poly, r: Fraction) -> Poly:
    """p(x) / (x − r) for a root r (synthetic division)."""
    out = [Fraction(0)] * (len(p) - 1)
    acc = Fraction(0)
    for i in range(len(p) - 1, 0, -1):
        acc = acc * r + p[i]
        out[i - 1] = acc
    return out


def _orthogonal(m: list[Fraction], degree: int) -> Poly:
    """The monic orthogonal polynomial of the given degree for the moment functional m (Hankel solve)."""
    if degree == 0:
        return [Fraction(1)]
    H = exact.matrix([[m[i + r] for i in range(degree)] for r in range(degree)])
    rhs = exact.column([-m[degree + r] for r in range(degree)])
    coeffs = [row[0] for row in exact.entries(H.inv() * rhs)]
    return coeffs + [Fraction(1)]


def _rational_sqrt(x: Fraction) -> Fraction | None:
    if x < 0:
        return None
    a, b = isqrt(x.numerator), isqrt(x.denominator)
    return Fraction(a, b) if a * a == x.numerator and b * b == x.denominator else None


def _rational_roots(p: Poly) -> list[Fraction] | None:
    """All roots of p (leading coefficient nonzero) when p has degree ≤ 2 and splits over ℚ, else None."""
    if len(p) == 1:
        return []
    if len(p) == 2:
        return [-p[0] / p[1]]
    if len(p) == 3:
        a, b, c = p[2], p[1], p[0]
        s = _rational_sqrt(b * b - 4 * a * c)
        if s is None:
            return None
        return [(-b - s) / (2 * a), (-b + s) / (2 * a)]
    return None


@dataclass(frozen=True)
class MomentStudent:
    """A positive measure ν = Σ_j masses_j δ_{nodes_j} matching the teacher's first 2n moments."""

    teacher_nodes: tuple[Fraction, ...]
    teacher_masses: tuple[Fraction, ...]
    nodes: tuple[Fraction, ...]
    masses: tuple[Fraction, ...]

    @property
    def n(self) -> int:
        return len(self.teacher_nodes)


@dataclass(frozen=True)
class _Teacher:
    nodes: list[Fraction]
    masses: list[Fraction]
    m: list[Fraction]
    P_n: Poly
    P_prev: Poly


def _prepare(nodes: list[Fraction], masses: list[Fraction]) -> _Teacher:
    n = len(nodes)
    m = moments(nodes, masses, 2 * n + 1)
    P_n: Poly = [Fraction(1)]
    for mu in nodes:
        P_n = _mul(P_n, [-mu, Fraction(1)])
    return _Teacher(nodes, masses, m, P_n, _orthogonal(m, n - 1))


def _try_roots(t: _Teacher, r1: Fraction, r2: Fraction) -> MomentStudent | None:
    n = len(t.nodes)
    P_n, P_prev = t.P_n, t.P_prev
    # Q(r) = r P_n(r) + α P_n(r) + β P_{n−1}(r) = 0 at r1 and r2: a 2×2 linear system in (α, β).
    a11, a12, b1 = _eval(P_n, r1), _eval(P_prev, r1), -r1 * _eval(P_n, r1)
    a21, a22, b2 = _eval(P_n, r2), _eval(P_prev, r2), -r2 * _eval(P_n, r2)
    det = a11 * a22 - a12 * a21
    if det == 0:
        return None
    alpha = (b1 * a22 - a12 * b2) / det
    beta = (a11 * b2 - b1 * a21) / det
    if beta >= 0:
        # β < 0 makes Q the (n+1)-th orthogonal polynomial of a positive extension of the moments,
        # whose Gauss rule has positive masses; β ≥ 0 rarely does, so skip it (cheap filter).
        return None
    Q = _add(_add([Fraction(0)] + P_n, [alpha * c for c in P_n]), [beta * c for c in P_prev])
    rest = _rational_roots(_divide_root(_divide_root(Q, r1), r2))
    if rest is None:
        return None
    support = [r1, r2, *rest]
    if len(set(support)) != n + 1:
        return None
    V = exact.matrix([[x**i for x in support] for i in range(n + 1)])
    w = [row[0] for row in exact.entries(V.inv() * exact.column(t.m[: n + 1]))]
    if any(x <= 0 for x in w):
        return None
    return MomentStudent(tuple(t.nodes), tuple(t.masses), tuple(support), tuple(w))


def quasi_orthogonal_student(nodes: list[Fraction], masses: list[Fraction], r1: Fraction, r2: Fraction
                             ) -> MomentStudent | None:
    """The (n+1)-atom measure whose nodes are the roots of Q with Q(r1) = Q(r2) = 0, if rational and positive."""
    return _try_roots(_prepare(nodes, masses), r1, r2)


def tight_student(n: int, seed: int, max_teachers: int = 200) -> MomentStudent:
    """A seeded teacher with n atoms on M and an (n+1)-atom student matching 2n of its moments (C11).

    Teachers and root pairs are drawn from small rationals until every node is rational and
    every mass positive (n = 1, 2: the first pair with β < 0 works; n = 3 needs a square
    discriminant, found within a few hundred pairs).
    """
    if n < 1:
        raise InvalidInput(f"the teacher needs n >= 1 atoms, got {n}")
    rng = random.Random(seed)
    grid = sorted({Fraction(a, b) for a in range(-8, 9) for b in range(1, 5)})
    pairs = list(itertools.combinations(grid, 2))
    for _ in range(max_teachers):
        nodes = sorted(rng.sample([Fraction(a, b) for a in range(-5, 6) for b in (1, 2, 3)], n))
        if len(set(nodes)) != n:
            continue
        t = _prepare(nodes, [Fraction(rng.randint(1, 5), rng.randint(1, 4)) for _ in range(n)])
        for r1, r2 in rng.sample(pairs, 400):
            found = _try_roots(t, r1, r2)
            if found is not None:
                return found
    raise InvalidInput(f"no rational (n+1)-atom student found for n = {n} from seed {seed}")


def _is_sum_of_three_squares(N: int) -> bool:
    """Legendre: N ≥ 0 is a sum of three squares iff N is not of the form 4^a (8b + 7)."""
    while N and N % 4 == 0:
        N //= 4
    return N % 8 != 7


def _integer_four_squares(N: int) -> tuple[int, int, int, int]:
    e = 0
    while N and N % 4 == 0:  # (2a)² + … = 4N: strip powers of 4 first, restore them at the end
        N //= 4
        e += 1
    for a in range(isqrt(N), -1, -1):
        r1 = N - a * a
        if not _is_sum_of_three_squares(r1):
            continue
        for b in range(isqrt(r1), -1, -1):
            r2 = r1 - b * b
            for c in range(isqrt(r2), isqrt(r2 // 2) - 1, -1):
                d = isqrt(r2 - c * c)
                if c * c + d * d == r2:
                    return a << e, b << e, c << e, d << e
    raise AssertionError("unreachable: every natural number is a sum of four squares")


def four_squares(x: Fraction) -> list[Fraction]:
    """Rationals (at most four) whose squares add up to x ≥ 0 (x = pq/q², Lagrange on pq): one when x is a
    rational square, two when pq ≤ 10¹² is a sum of two squares (the fewest possible then), else Lagrange's.

    >>> four_squares(Fraction(7, 3))
    [Fraction(4, 3), Fraction(2, 3), Fraction(1, 3)]
    """
    if x < 0:
        raise InvalidInput(f"a negative mass {x} is not a sum of squares")
    q = x.denominator
    n = x.numerator * q
    root = math.isqrt(n)
    if root * root == n:  # one square (0 included: no part)
        return [Fraction(root, q)] if root else []
    two = _two_squares(n) if n <= TWO_SQUARES_SEARCH else None
    if two is not None:
        return [Fraction(v, q) for v in two]
    return [Fraction(v, q) for v in _integer_four_squares(n) if v]


TWO_SQUARES_SEARCH = 10**12  # the direct search for n = a² + b² runs over a ≤ √(n/2): at most 7·10⁵ steps


def _two_squares(n: int) -> tuple[int, int] | None:
    """(a, b) with a² + b² = n, a ≥ b > 0, or None (a direct search; callers bound n)."""
    a = math.isqrt(n)
    while 2 * a * a >= n:
        b2 = n - a * a
        b = math.isqrt(b2)
        if b * b == b2 and b > 0:
            return a, b
        a -= 1
    return None


def measure_rnn(nodes: tuple[Fraction, ...], masses: tuple[Fraction, ...]) -> ExactRNN:
    """An RNN on M (A = Aᵀ diagonal, C = Bᵀ) whose impulse response is Σ_j masses_j nodes_j^i."""
    diag: list[Fraction] = []
    b: list[Fraction] = []
    for mu, w in zip(nodes, masses):
        parts = four_squares(w)
        diag += [mu] * len(parts)
        b += parts
    d = len(diag)
    A = exact.from_nonzero({(i, i): x for i, x in enumerate(diag)}, (d, d))
    return ExactRNN(A, exact.column(b), exact.row(b))

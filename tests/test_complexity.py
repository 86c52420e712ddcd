"""Berlekamp–Massey over ℚ and GF(p) against linear algebra; the shift-register realization."""

from __future__ import annotations

from fractions import Fraction

import flint
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import scaled

from tempx.theory import exact
from tempx.theory.complexity import berlekamp_massey, linear_complexity_profile, shift_register_rnn


def rank_complexity(s: list[Fraction]) -> int:
    """ℓ(s) by definition: the least L for which the order-L Hankel system is consistent."""
    for L in range(len(s) + 1):
        rows = [[s[i - m] for m in range(1, L + 1)] for i in range(L, len(s))]
        rhs = [-s[i] for i in range(L, len(s))]
        if not rows:
            return L
        if L == 0:
            if all(x == 0 for x in rhs):
                return 0
            continue
        if exact.matrix(rows).rank() == exact.matrix([r + [b] for r, b in zip(rows, rhs)]).rank():
            return L
    raise AssertionError("unreachable")


sequences = st.lists(st.fractions(-3, 3, max_denominator=3), min_size=0, max_size=9)


@settings(max_examples=scaled(60))
@given(s=sequences)
@example(s=[])
@example(s=[Fraction(0)] * 4)
@example(s=[Fraction(0), Fraction(0), Fraction(1)])
@example(s=[Fraction(1), Fraction(0), Fraction(0), Fraction(0)])
def test_profile_equals_linear_algebra_at_every_prefix(s: list[Fraction]) -> None:
    profile = linear_complexity_profile(s)
    assert profile == [rank_complexity(s[:j]) for j in range(len(s) + 1)]


@settings(max_examples=scaled(40))
@given(s=sequences.filter(bool))
def test_shift_register_realizes_the_sequence_with_l_states(s: list[Fraction]) -> None:
    R = shift_register_rnn(s)
    assert R.impulse_response(len(s)) == tuple(s)
    assert R.d == max(berlekamp_massey(s).length, 1)


@settings(max_examples=scaled(40))
@given(s=st.lists(st.integers(0, 2), min_size=1, max_size=10))
def test_gf3_connection_polynomial_generates_the_sequence(s: list[int]) -> None:
    terms = [flint.nmod(x, 3) for x in s]
    state = berlekamp_massey(terms, flint.nmod(1, 3))
    c = state.coefficients()
    for i in range(state.length, len(s)):
        assert sum((c[m] * terms[i - m] for m in range(state.length + 1)), flint.nmod(0, 3)) == 0


def test_fibonacci() -> None:
    s = berlekamp_massey([Fraction(x) for x in (0, 1, 1, 2, 3, 5, 8, 13)])
    assert s.length == 2 and s.coefficients() == (1, -1, -1)

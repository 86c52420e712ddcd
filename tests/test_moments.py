"""C11's construction: rational (n+1)-atom students on M that match 2n moments of an n-atom teacher."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import scaled

from tempx.theory.errors import InvalidInput
from tempx.theory.losses import loss
from tempx.theory.moments import four_squares, measure_rnn, moments, tight_student
from tempx.theory.teacher_spec import parse_teacher


@settings(max_examples=scaled(50))
@given(x=st.fractions(0, 10**6, max_denominator=10**6))
def test_four_squares(x: Fraction) -> None:
    parts = four_squares(x)
    assert len(parts) <= 4 and sum(p * p for p in parts) == x


def test_four_squares_with_a_large_power_of_four() -> None:
    x = Fraction(720896, 1672357)  # 2^16 · 11 · …: slow for a naive search
    assert sum(p * p for p in four_squares(x)) == x
    with pytest.raises(InvalidInput):
        four_squares(Fraction(-1))


@pytest.mark.parametrize("n", [1, 2, 3])
@settings(max_examples=scaled(5))
@given(seed=st.integers(0, 10**6))
def test_student_matches_2n_moments_not_2n_plus_1(n: int, seed: int) -> None:
    s = tight_student(n, seed)
    assert len(set(s.nodes)) == n + 1 and all(w > 0 for w in s.masses)
    teacher = parse_teacher("atoms:" + ",".join(f"{m}@{w}" for m, w in zip(s.teacher_nodes, s.teacher_masses)))
    R = measure_rnn(s.nodes, s.masses)
    assert R.is_symmetric_balanced()
    assert R.impulse_response(2 * n + 1) == tuple(moments(list(s.nodes), list(s.masses), 2 * n + 1))
    assert loss(R, teacher, 2 * n) == 0 and loss(R, teacher, 2 * n + 1) > 0


def test_zero_atoms_is_refused() -> None:
    with pytest.raises(InvalidInput, match="n >= 1"):
        tight_student(0, 0)


def test_the_three_squares_filter_is_legendres_theorem() -> None:
    """N is a sum of three squares iff N is not 4^a (8b + 7): the filter agrees with a brute-force search for N < 400."""
    from math import isqrt

    from tempx.theory.moments import _is_sum_of_three_squares

    def brute(N: int) -> bool:
        return any(isqrt(N - a * a - b * b) ** 2 == N - a * a - b * b
                   for a in range(isqrt(N) + 1) for b in range(isqrt(N - a * a) + 1))

    assert [N for N in range(400) if _is_sum_of_three_squares(N) != brute(N)] == []
    assert not _is_sum_of_three_squares(28) and not _is_sum_of_three_squares(7 * 16) and _is_sum_of_three_squares(30)

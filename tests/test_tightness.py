"""C3: below the threshold d + d* ≤ k, interpolation forces perfect extrapolation."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tempx.theory.claims import c3_tightness
from tempx.theory.claims.c3_tightness import random_interpolating, recurrence_defect
from tempx.theory.counterexamples import cyclic
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import loss, residuals
from tempx.theory.rnn import random_rnn
from tempx.theory.teachers import Memoryless, TeacherRNN


@pytest.mark.parametrize("d", [1, 2, 3])
def test_cayley_hamilton_recurrence_symbolic(d: int) -> None:
    [ev] = c3_tightness.check_instance("symbolic", d)
    assert ev.holds


@given(d=st.integers(1, 5), d_star=st.integers(1, 3), seed=st.integers(0, 10**6))
def test_residual_recurrence_on_random_rational_rnns(d: int, d_star: int, seed: int) -> None:
    [ev] = c3_tightness.check_instance("recurrence", d, d_star=d_star, seed=seed)
    assert ev.holds, ev


@given(d_star=st.integers(1, 3), extra=st.integers(0, 3), slack=st.integers(0, 3), seed=st.integers(0, 10**6))
@example(d_star=1, extra=0, slack=0, seed=0)  # d = 1, k = 2: d = k − 1
def test_interpolating_below_threshold_extrapolates(d_star: int, extra: int, slack: int, seed: int) -> None:
    d = d_star + extra
    k = d + d_star + slack
    evidence = c3_tightness.check_instance("interpolating", d, k=k, d_star=d_star, seed=seed)
    assert all(e.holds for e in evidence)


@given(d=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_first_D_residuals_determine_the_rest(d: int, seed: int) -> None:
    """The content of C3: if r_0..r_{D-1} = 0 with D = d + 1 (memoryless), all later r_i vanish.

    Shown via the recurrence on a random R: the defect is zero, so r_{i+D} is a fixed linear
    combination of the D previous residuals.
    """
    rng = random.Random(seed)
    rnn = random_rnn(d, rng)
    from tempx.theory import exact

    p = exact.block_diag(rnn.A, Memoryless().as_rnn().A).charpoly()
    r = list(residuals(rnn, None, 4 * (d + 1)))
    assert all(x == 0 for x in recurrence_defect(r, p))


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_threshold_is_sharp_for_memoryless_teacher(k: int) -> None:
    rnn = cyclic(k, 1)  # d = k
    assert loss(rnn, None, k) == 0 and rnn.impulse_response(k + 1)[k] == 1


def test_interpolating_generator_has_the_teacher_response_and_is_dense() -> None:
    rng = random.Random(3)
    teacher = TeacherRNN(random_rnn(2, rng))
    rnn = random_interpolating(teacher, 5, rng)
    assert rnn.d == 5
    assert residuals(rnn, teacher, 20) == (Fraction(0),) * 20


def test_hypotheses_are_enforced() -> None:
    with pytest.raises(HypothesisViolation, match="d \\+ d\\* <= k"):
        c3_tightness.hypotheses("interpolating", d=3, k=3, d_star=1)
    with pytest.raises(HypothesisViolation):
        random_interpolating(TeacherRNN(random_rnn(3, random.Random(0))), 2, random.Random(0))

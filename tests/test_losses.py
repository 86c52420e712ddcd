from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sympy import interpolate, symbols

from tempx.theory import exact
from tempx.theory.claims import c4_invariants
from tempx.theory.errors import InvalidInput
from tempx.theory.losses import (
    Gradient,
    empirical_loss,
    extrapolation_loss,
    extrapolation_losses,
    gd_step,
    gradient,
    loss,
    loss_weights,
    noether,
    q_matrix,
    q_step_change,
    residuals,
)
from tempx.theory.rnn import ExactRNN, random_rnn, random_symmetric_rnn
from tempx.theory.teachers import Memoryless, TeacherRNN


def test_loss_weights() -> None:
    assert loss_weights(3) == (1, 1, 1)
    assert loss_weights(3, "all") == (3, 2, 1)
    assert loss_weights(2, ["1/2", 0]) == (Fraction(1, 2), 0)
    for bad, match in (("mean", "unknown loss"), ([1], "need k = 2"), ([1, -1], ">= 0")):
        with pytest.raises(InvalidInput, match=match):
            loss_weights(2, bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="k must be >= 1"):
        loss_weights(0)


@given(d=st.integers(1, 4), k=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_loss_is_sum_of_weighted_squared_residuals(d: int, k: int, seed: int) -> None:
    rng = random.Random(seed)
    rnn, teacher = random_rnn(d, rng), TeacherRNN(random_rnn(2, rng))
    w, ws = rnn.impulse_response(k), teacher.impulse_response(k)
    r = [a - b for a, b in zip(w, ws)]
    assert residuals(rnn, teacher, k) == tuple(r)
    assert loss(rnn, teacher, k) == sum(x * x for x in r)
    assert loss(rnn, teacher, k, "all") == sum((k - i) * r[i] ** 2 for i in range(k))
    assert extrapolation_losses(rnn, teacher, [1, k, k + 3]) == {q: extrapolation_loss(rnn, teacher, q) for q in (1, k, k + 3)}


@given(d=st.integers(1, 4), k=st.integers(1, 5), n=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_empirical_loss_is_r_sigma_r(d: int, k: int, n: int, seed: int) -> None:
    rng = random.Random(seed)
    rnn = random_rnn(d, rng)
    X = [[Fraction(rng.randint(-5, 5), rng.randint(1, 4)) for _ in range(k)] for _ in range(n)]
    r = residuals(rnn, None, k)
    # Σ̂ of the time-reversed inputs: x̃_i = x_{k-i}.
    sigma = [[sum(x[k - 1 - i] * x[k - 1 - j] for x in X) / n for j in range(k)] for i in range(k)]
    assert empirical_loss(rnn, None, X) == sum(r[i] * sigma[i][j] * r[j] for i in range(k) for j in range(k))


def test_empirical_loss_rejects_bad_data() -> None:
    rnn = random_rnn(2, random.Random(0))
    with pytest.raises(InvalidInput):
        empirical_loss(rnn, None, [])
    with pytest.raises(InvalidInput):
        empirical_loss(rnn, None, [[1, 2], [1]])


@pytest.mark.parametrize("d, k", [(1, 1), (1, 3), (2, 2), (2, 3), (3, 3)])
@pytest.mark.parametrize("weights", ["last", "all"])
def test_gradient_formula_equals_exact_partial_derivatives(d: int, k: int, weights: str) -> None:
    [ev] = c4_invariants.check_instance("gradient_formula", d, k, weights)
    assert ev.holds, ev


@given(d=st.integers(1, 4), k=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_gradient_matches_a_rational_difference_quotient(d: int, k: int, seed: int) -> None:
    """L is a polynomial in each entry: the exact directional derivative is the ε¹ coefficient.

    With L(R + εE) = L0 + ε L1 + ε² L2 + …, compute L1 exactly by sampling ε = ±1/N and
    cancelling the even part; compare with ⟨∇L, E⟩ for E a random rational direction.
    """
    rng = random.Random(seed)
    rnn, teacher = random_rnn(d, rng), Memoryless(Fraction(rng.randint(1, 3)))
    G = gradient(rnn, teacher, k)
    E = random_rnn(d, rng)
    deg = 2 * k + 2  # L has degree ≤ 2(k + 1) in ε
    eps = [Fraction(j, 7) for j in range(1, deg + 2)]
    direction = Gradient(E.A, E.B, E.C)  # gd_step(R, direction, −ε) = R + εE
    vals = [loss(gd_step(rnn, direction, -e), teacher, k) for e in eps]
    # Lagrange interpolation of L(ε) through deg + 1 points, then the linear coefficient.
    x = symbols("x")
    poly = interpolate(list(zip(eps, vals)), x)
    slope = Fraction(str(poly.diff(x).subs(x, 0)))
    inner = sum(
        (exact.to_fraction(a) * exact.to_fraction(b) for M, N in ((G.A, E.A), (G.B, E.B), (G.C, E.C))
         for a, b in zip(M.to_list_flat(), N.to_list_flat())),
        Fraction(0),
    )
    assert slope == inner


@given(d=st.integers(1, 4), k=st.integers(1, 6), seed=st.integers(0, 10**6), weights=st.sampled_from(["last", "all"]))
def test_noether_and_q_step_change_exactly(d: int, k: int, seed: int, weights: str) -> None:
    rng = random.Random(seed)
    rnn, teacher = random_rnn(d, rng), TeacherRNN(random_rnn(rng.randint(1, 3), rng))
    G = gradient(rnn, teacher, k, weights)
    assert noether(rnn, G).is_zero_matrix
    eta = Fraction(rng.randint(1, 20), 100)
    assert q_matrix(gd_step(rnn, G, eta)) - q_matrix(rnn) == q_step_change(G, eta)


@given(d=st.integers(1, 4), k=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_symmetric_balanced_set_is_invariant_under_gd(d: int, k: int, seed: int) -> None:
    rng = random.Random(seed)
    rnn = random_symmetric_rnn(d, rng)
    G = gradient(rnn, None, k)
    assert G.A == G.A.transpose() and G.C == G.B.transpose()
    assert gd_step(rnn, G, Fraction(1, 3)).is_symmetric_balanced()
    assert q_matrix(rnn).is_zero_matrix


def test_as_teacher_takes_an_exact_rnn_a_teacher_or_nothing() -> None:
    from tempx.theory.rnn import ExactRNN
    from tempx.theory.teachers import Memoryless, TeacherRNN, as_teacher

    rnn = ExactRNN.from_entries(A=[["1/2"]], B=[1], C=[2])
    t = as_teacher(rnn)
    assert isinstance(t, TeacherRNN) and list(t.impulse_response(3)) == [2, 1, Fraction(1, 2)]
    m = Memoryless()
    assert as_teacher(m) is m and isinstance(as_teacher(None), Memoryless)
    with pytest.raises(TypeError, match="expected a teacher"):
        as_teacher("memoryless")  # type: ignore[arg-type]


def test_prefix_losses_of_one_residual_and_of_none() -> None:
    """L_q = Σ_{i<q} r_i² from a residual sequence: one residual (q = 1) and the empty request."""
    from tempx.theory.losses import prefix_losses

    assert prefix_losses([Fraction(3)], [1]) == {1: 9}
    assert prefix_losses([Fraction(3), Fraction(-1, 2)], [2, 1]) == {2: Fraction(37, 4), 1: 9}
    assert prefix_losses([], []) == {}
    from tempx.theory.losses import extrapolation_losses
    from tempx.theory.rnn import ExactRNN

    assert extrapolation_losses(ExactRNN.from_entries([[0]], [1], [1]), None, []) == {}  # no lengths: an empty dict


@pytest.mark.parametrize("X", [[[1, 2], [3]], [[1], [2, 3]], [[]], [[], []]])
def test_empirical_loss_names_sequences_of_unequal_or_zero_length(X: list[list[int]]) -> None:
    R = ExactRNN.from_entries([[1]], [1], [1])
    with pytest.raises(InvalidInput, match="all sequences must have the same length k >= 1"):
        empirical_loss(R, None, X)

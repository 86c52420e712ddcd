"""Float64 losses and gradients against the exact layer and finite differences."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tempx import theory
from tempx.numerics.drivers.montecarlo import monte_carlo_loss
from tempx.numerics.extrapolation import extrapolation_losses
from tempx.numerics.losses import empirical_moment, loss_weights
from tempx.numerics.students.dense import Params, impulse_response, loss_and_grad
from tempx.numerics.teachers import memoryless, teacher_rnn
from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import ExactRNN, random_rnn


def to_float(rnn: ExactRNN) -> Params:
    m = rnn.as_lists()
    f = lambda x: np.array([[float(v) for v in r] for r in x])[None]
    return Params(f(m["A"]), f(m["B"]), f(m["C"]))


def float_teacher(t: ExactRNN) -> object:
    m = t.as_lists()
    return teacher_rnn(*(np.array([[float(v) for v in r] for r in m[x]]) for x in "ABC"))


@given(d=st.integers(1, 5), k=st.integers(1, 6), seed=st.integers(0, 10**6), weights=st.sampled_from(["last", "all"]))
def test_gradient_matches_exact_gradient_at_rational_points(d: int, k: int, seed: int, weights: str) -> None:
    """Tolerance 1e-11 relative to the largest entry: the float path sums O(k² d) products of
    entries ≤ 5, each with relative error ~1e-16; the exact values are converted once."""
    rng = random.Random(seed)
    rnn, teacher = random_rnn(d, rng, size=3), random_rnn(2, rng, size=3)
    G = theory.gradient(rnn, theory.TeacherRNN(teacher), k, weights)
    L = theory.loss(rnn, theory.TeacherRNN(teacher), k, weights)
    loss, g = loss_and_grad(to_float(rnn), float_teacher(teacher), k, weights)
    for exact_m, float_m in ((G.A, g.A[0]), (G.B, g.B[0]), (G.C, g.C[0])):
        ref = np.array([[float(v) for v in r] for r in theory.exact.entries(exact_m)])
        scale = max(1.0, np.abs(ref).max())
        assert np.abs(float_m - ref).max() <= 1e-11 * scale
    assert abs(loss[0] - float(L)) <= 1e-11 * max(1.0, float(L))


@given(d=st.integers(1, 6), k=st.integers(1, 7), seed=st.integers(0, 2**32 - 1))
def test_gradient_matches_central_finite_differences(d: int, k: int, seed: int) -> None:
    """Central differences with h = 1e-5 have error O(h²·L''') + O(eps·L/h) ≈ 1e-9 here;
    we allow 1e-6 relative to the directional derivative's scale."""
    rng = np.random.default_rng(seed)
    p = Params(rng.normal(0, 0.4, (2, d, d)), rng.normal(0, 0.8, (2, d, 1)), rng.normal(0, 0.8, (2, 1, d)))
    t = memoryless(k, gain=1.3)
    _, g = loss_and_grad(p, t, k, "all")
    E = [rng.normal(size=x.shape) for x in (p.A, p.B, p.C)]
    h = 1e-5
    plus = Params(p.A + h * E[0], p.B + h * E[1], p.C + h * E[2])
    minus = Params(p.A - h * E[0], p.B - h * E[1], p.C - h * E[2])
    fd = (loss_and_grad(plus, t, k, "all")[0] - loss_and_grad(minus, t, k, "all")[0]) / (2 * h)
    an = sum(np.einsum("nij,nij->n", G, e) for G, e in zip((g.A, g.B, g.C), E))
    assert np.allclose(fd, an, rtol=1e-6, atol=1e-6)


@given(d=st.integers(1, 5), n=st.integers(1, 20), seed=st.integers(0, 10**6))
def test_impulse_response_matches_exact(d: int, n: int, seed: int) -> None:
    rnn = random_rnn(d, random.Random(seed), size=2)
    exact = np.array([float(w) for w in rnn.impulse_response(n)])
    assert np.allclose(impulse_response(to_float(rnn), n)[0], exact, rtol=1e-12, atol=1e-12 * max(1, np.abs(exact).max()))


def test_empirical_loss_matches_exact_on_rational_data() -> None:
    rng = random.Random(4)
    rnn = random_rnn(3, rng, size=3)
    X = [[Fraction(rng.randint(-6, 6), 4) for _ in range(4)] for _ in range(7)]
    exact = theory.empirical_loss(rnn, None, X)
    loss, _ = loss_and_grad(to_float(rnn), memoryless(4), 4, moment=empirical_moment(np.array(X, dtype=float)))
    assert loss[0] == pytest.approx(float(exact), rel=1e-12)


def test_counterexample_has_zero_float_gradient_and_loss() -> None:
    ce = theory.counterexample(5, d=7, c=2, disguise=3)
    loss, g = loss_and_grad(to_float(ce.rnn), memoryless(5), 5)
    assert loss[0] < 1e-20 and max(np.abs(m).max() for m in (g.A, g.B, g.C)) < 1e-9


def test_overflow_is_inf_not_nan() -> None:
    p = Params(np.full((1, 2, 2), 1e3), np.ones((1, 2, 1)), np.array([[[1.0, -1.0 + 1e-3]]]))
    L = extrapolation_losses(p, memoryless(2), [200])
    assert np.isinf(L).all() and not np.isnan(L).any()


@pytest.mark.parametrize("law", ["gaussian", "rademacher"])
def test_loss_identity_by_monte_carlo(law: str) -> None:
    """C1 by simulation: the MSE at t = k of the state recursion lies within 5 standard errors
    of Σ r_i² (a fixed seed, so the test is deterministic)."""
    rng = np.random.default_rng(7)
    p = Params(rng.normal(0, 0.3, (1, 3, 3)), rng.normal(size=(1, 3, 1)), rng.normal(size=(1, 1, 3)))
    k = 5
    mc = monte_carlo_loss(p, memoryless(k), k, n=200_000, seed=1, law=law)
    L = loss_and_grad(p, memoryless(k), k)[0][0]
    assert mc.contains(L), (mc, L)
    assert not mc.contains(L * 1.5)  # the check can fail: a wrong formula is far outside the interval


def test_loss_weights_validation() -> None:
    assert loss_weights(3, "all").tolist() == [3, 2, 1]
    for bad in ("mean", [1, 2], [1, -1, 1], [1, np.nan, 1]):
        with pytest.raises(InvalidInput):
            loss_weights(3, bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        loss_weights(2.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("X", [np.empty((0, 3)), np.empty((2, 0)), np.array([[1.0, np.nan]]), np.ones(3)])
def test_empirical_moment_refuses_empty_or_bad_data(X: np.ndarray) -> None:
    from tempx.numerics.losses import empirical_moment

    with pytest.raises(InvalidInput, match="n >= 1 sequences of length k >= 1"):
        empirical_moment(X)


def test_empirical_moment_of_length_one_sequences() -> None:
    from tempx.numerics.losses import empirical_moment

    assert empirical_moment(np.array([[2.0], [-1.0]])).tolist() == [[2.5]]


def test_empirical_moment_is_exactly_symmetric_whatever_blas_returns() -> None:
    """Σ̂ is symmetrized after the product: BLAS does not promise a bitwise symmetric RᵀR."""
    rng = np.random.default_rng(0)
    for n, k in [(1, 1), (3, 5), (257, 7), (1000, 16), (64, 33)]:
        M = empirical_moment(rng.standard_normal((n, k)))
        assert np.array_equal(M, M.T)  # exact by construction, on every machine


def test_a_moment_matrix_asymmetric_in_the_last_bit_is_accepted_and_symmetrized() -> None:
    from tempx.numerics.losses import MOMENT_SYMMETRY_RTOL, check_moment

    M = empirical_moment(np.random.default_rng(1).standard_normal((50, 5)))
    M[1, 3] = np.nextafter(M[1, 3], np.inf)  # what another CPU's BLAS may return
    S = check_moment(M, 5)
    assert np.array_equal(S, S.T) and np.max(np.abs(S - M)) <= abs(M[1, 3]) * 2.0**-52
    bad = M.copy()
    bad[1, 3] += 10 * MOMENT_SYMMETRY_RTOL * np.max(np.abs(M))
    with pytest.raises(InvalidInput, match="not symmetric"):
        check_moment(bad, 5)


def test_objective_weights_the_outputs_it_is_asked_to() -> None:
    """Finite data: last output → τ = e_{k−1} and W = Σ̂; all outputs → τ = ones; online draws per step."""
    from tempx.numerics.losses import make_objective, teacher_outputs

    X = np.arange(12.0).reshape(3, 4) / 7
    last = make_objective(4, np.array([1.0, 0.5, 0, 0]), "last", data=X)
    assert last.time_weights is not None and last.time_weights.tolist() == [0, 0, 0, 1]
    np.testing.assert_array_equal(last.W, empirical_moment(X))
    allw = make_objective(4, np.array([1.0, 0.5, 0, 0]), "all", data=X)
    assert allw.time_weights is not None and allw.time_weights.tolist() == [1, 1, 1, 1]
    np.testing.assert_allclose(allw.Y, X + 0.5 * np.concatenate([np.zeros((3, 1)), X[:, :-1]], axis=1))
    np.testing.assert_array_equal(teacher_outputs(X, np.array([1.0, 0, 0, 0])), X)
    # online (n sequences a step, n = 1 allowed): the last output's W is each step's Σ̂, all outputs keep ω
    online = make_objective(4, np.array([1.0, 0.5, 0, 0]), "last", online=(1, 3))
    step = online.at(2)
    assert step.X is not None and step.X.shape == (1, 4) and online.W.ndim == 2
    np.testing.assert_array_equal(step.W, empirical_moment(step.X))
    online_all = make_objective(4, np.array([1.0, 0.5, 0, 0]), "all", online=(5, 3))
    assert online_all.at(2).W.tolist() == [4, 3, 2, 1]
    with pytest.raises(InvalidInput, match="n >= 1 sequences per step"):
        make_objective(4, np.array([1.0, 0.5, 0, 0]), "last", online=(0, 3))
    with pytest.raises(InvalidInput, match="n >= 2 samples"):
        monte_carlo_loss(Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.ones((1, 1, 1))), memoryless(2), 2, n=1, seed=0)


def test_monte_carlo_standard_error_is_the_sample_one() -> None:
    """stderr = s/√n with the unbiased sample deviation s (ddof = 1), finite already at n = 2."""
    p = Params(np.zeros((1, 1, 1)), np.ones((1, 1, 1)), np.full((1, 1, 1), 0.5))
    mc = monte_carlo_loss(p, memoryless(1), 1, n=2, seed=4)
    x = np.random.default_rng(4).normal(size=(2, 1))[:, 0]
    err2 = (0.5 * x - x) ** 2
    assert mc.mean == pytest.approx(err2.mean(), rel=1e-12)
    assert mc.stderr == pytest.approx(err2.std(ddof=1) / np.sqrt(2), rel=1e-12) and np.isfinite(mc.stderr)


def test_dense_residuals_are_the_impulse_response_minus_the_teachers() -> None:
    from tempx.numerics.students.dense import residuals

    p = Params(np.full((1, 1, 1), 0.5), np.ones((1, 1, 1)), np.full((1, 1, 1), 2.0))  # w_i = 2·2^{-i}
    np.testing.assert_array_equal(residuals(p, memoryless(3), 4), [[1.0, 1.0, 0.5, 0.25]])


def test_explicit_loss_weights_are_returned_as_a_copy() -> None:
    given_w = np.array([1.0, 0.0, 2.5])
    w = loss_weights(3, given_w)
    assert w.tolist() == [1.0, 0.0, 2.5] and w is not given_w
    w[0] = 7.0
    assert given_w[0] == 1.0  # the caller's array is not shared


def test_a_non_linear_teachers_outputs_need_data_or_online_sequences() -> None:
    """outputs(X) replaces the convolution with w*: accepted with a data set or with online sequences, refused for
    the population loss (which has no closed form for a non-linear teacher)."""
    from tempx.numerics.losses import make_objective

    twice = lambda X: 2.0 * X[:, -1]
    on = make_objective(3, np.zeros(3), online=(8, 0), outputs=twice)
    assert on.online == (8, 0) and on.outputs is twice
    X = np.arange(6.0).reshape(2, 3)
    fixed = make_objective(3, np.zeros(3), data=X, outputs=twice)
    assert fixed.Y.tolist() == [4.0, 10.0]
    with pytest.raises(InvalidInput, match="non-linear teacher"):
        make_objective(3, np.zeros(3), outputs=twice)

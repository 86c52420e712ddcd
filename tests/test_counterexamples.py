"""C2: property tests of the exact counterexamples over k in [1, 12], d in [k, k + 4]."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from strategies import cyclic_params, tail_params

from tempx.theory.claims import c2_counterexamples
from tempx.theory.counterexamples import counterexample, cyclic, disguise_matrices, with_tail
from tempx.theory.errors import InvalidInput
from tempx.theory.losses import empirical_loss, gradient, loss


@given(cyclic_params())
@example({"k": 1, "d": 1, "c": Fraction(2), "disguise": None})
@example({"k": 2, "d": 2, "c": Fraction(-1), "disguise": 3})
@example({"k": 5, "d": 5, "c": Fraction(1, 3), "disguise": None})
def test_cyclic_counterexample_guarantees(params: dict) -> None:
    evidence = c2_counterexamples.check_instance(**params)
    assert evidence and all(e.holds for e in evidence), [e for e in evidence if not e.holds]


@given(tail_params())
@example({"k": 1, "d": 2, "tail": (Fraction(1),), "disguise": None})
@example({"k": 2, "d": 4, "tail": (Fraction(0), Fraction(-3, 2)), "disguise": 0})
def test_tail_counterexample_guarantees(params: dict) -> None:
    evidence = c2_counterexamples.check_instance(**params)
    assert evidence and all(e.holds for e in evidence), [e for e in evidence if not e.holds]


@given(cyclic_params())
def test_cyclic_closed_forms_directly(params: dict) -> None:
    """w_{jk} = c^j, w_i = 0 when k ∤ i, L_q = Σ_{j=1}^{⌊(q−1)/k⌋} c^{2j}: checked without the helper class."""
    k, c = params["k"], params["c"]
    rnn = counterexample(**params).rnn
    w = rnn.impulse_response(3 * k + 2)
    assert all(w[i] == (c ** (i // k) if i % k == 0 else 0) for i in range(len(w)))
    for q in (k, k + 1, 2 * k + 1, 3 * k + 2):
        assert loss(rnn, None, q) == sum(c ** (2 * j) for j in range(1, (q - 1) // k + 1))
    assert loss(rnn, None, k + 1) >= c * c  # L_q ≥ c² for q > k


@given(k=st.integers(1, 6), c=st.fractions(-3, 3, max_denominator=5).filter(bool), n=st.integers(1, 4), seed=st.integers(0, 10**6))
def test_counterexample_fits_every_finite_data_set_and_is_stationary(k: int, c: Fraction, n: int, seed: int) -> None:
    rng = random.Random(seed)
    rnn = counterexample(k, c=c, disguise=seed).rnn
    X = [[Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(k)] for _ in range(n)]
    assert empirical_loss(rnn, None, X) == 0
    assert gradient(rnn, None, k).is_zero()
    assert gradient(rnn, None, k, "all").is_zero()


def test_disguise_is_dense_and_inverse_exact() -> None:
    S, S_inv = disguise_matrices(6, 1)
    assert S * S_inv == S_inv * S
    ce = counterexample(4, d=6, c=2, disguise=1)
    zeros = sum(1 for x in ce.rnn.A.to_list_flat() if x == 0)
    assert zeros < 36 // 2  # dense, unlike the 30 zeros of the padded cyclic matrix


def test_the_issue_example() -> None:
    ce = counterexample(7, d=9, c="3/2")
    assert ce.rnn.impulse_response(8) == (1, 0, 0, 0, 0, 0, 0, Fraction(3, 2))


@pytest.mark.parametrize(
    "kwargs, match",
    [({"k": 0}, "k must be >= 1"), ({"k": 3, "d": 2}, "d must be >= k = 3"), ({"k": 2, "c": 0}, "nonzero"),
     ({"k": 2, "c": "x"}, "not an exact rational"), ({"k": 2, "tail": []}, "at least one"),
     ({"k": 2, "tail": [0, 0]}, "nonzero"), ({"k": 2, "tail": [1], "d": 2}, "k \\+ len\\(tail\\) = 3"),
     ({"k": 2, "c": 1, "tail": [1]}, "not both")],
)
def test_bad_input_is_rejected_with_a_clear_message(kwargs: dict, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        counterexample(**kwargs)


@pytest.mark.parametrize("kwargs", [{"k": 1.0}, {"k": 2, "d": 2.5}, {"k": 2, "disguise": "7"}, {"k": 2, "c": 0.5}])
def test_wrong_types_raise_type_error(kwargs: dict) -> None:
    with pytest.raises(TypeError):
        counterexample(**kwargs)


def test_building_blocks() -> None:
    assert cyclic(1, 3).impulse_response(3) == (1, 3, 9)
    assert with_tail(2, ["1/2", 0, 1]).impulse_response(7) == (1, 0, Fraction(1, 2), 0, 1, 0, 0)


def test_the_work_estimate_refuses_a_disguise_and_only_a_disguise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under a small work limit, a disguised counterexample of dimension 10 (about 10⁴/3 units) is refused
    before it is built; the same counterexample undisguised needs no change of basis and is built."""
    from tempx.theory.budget import WORK_ENV, OverBudget

    monkeypatch.setenv(WORK_ENV, "1000")
    with pytest.raises(OverBudget, match="disguising a counterexample of dimension d = 10"):
        counterexample(10, disguise=1)
    assert counterexample(10).d == 10


@pytest.mark.parametrize("spec", ["delay:1", "geometric:1/2", "atoms:1/2@1/3,-1/3@2/3", "impulse:0,2,1"])
def test_the_closed_form_loss_of_a_teacher_with_memory_is_the_exact_loss(spec: str) -> None:
    """C10's counterexamples: expected_extrapolation_loss (Σ (w_i − w*_i)² over the student's recurrence) equals
    the loss computed from the matrices, at every q up to 4k + 3 (including q <= k, where both are 0)."""
    from tempx.theory.teacher_spec import parse_teacher

    t = parse_teacher(spec)
    for k in (2, 3):
        ce = counterexample(k, teacher=t)
        assert ce.recurrence is not None
        for q in range(1, 4 * k + 4):
            assert ce.expected_extrapolation_loss(q) == loss(ce.rnn, t, q), (spec, k, q)
        assert ce.expected_extrapolation_loss(k) == 0 < ce.expected_extrapolation_loss(4 * k)


def test_the_cost_of_disguising_is_checked_before_the_change_of_basis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Disguising a d = 2 counterexample costs disguise_work(2) units: a limit just under refuses it before the
    change of basis, one just over builds it (its values, however long, do not change the cost: S has small
    entries)."""
    from tempx.theory.budget import WORK_ENV, OverBudget, disguise_work

    big = [Fraction(2**64 + 1, 3)]
    assert disguise_work(2) == pytest.approx(1240.0 * 2**2.1, rel=1e-12)
    monkeypatch.setenv(WORK_ENV, repr(disguise_work(2) * 0.99))
    with pytest.raises(OverBudget, match="disguising a counterexample of dimension d = 2"):
        counterexample(1, tail=big, disguise=0)
    counterexample(1, tail=[Fraction(1, 2)])  # undisguised: no work check
    monkeypatch.setenv(WORK_ENV, repr(disguise_work(2) * 1.01))
    assert counterexample(1, tail=big, disguise=0).rnn.impulse_response(2)[1] == big[0]


@pytest.mark.parametrize("kw", [{"k": 4}, {"k": 3, "tail": ["1/2", "2"]}, {"k": 3, "c": "-3/2", "d": 5},
                                {"k": 3, "teacher": "geometric:1/2"}, {"k": 5, "teacher": "atoms:4/5@3/5,-1/2@2/5"}])
def test_disguising_a_built_counterexample_is_building_it_disguised(kw: dict[str, object]) -> None:
    """disguised(ce, seed) is counterexample(..., disguise=seed) without building ce again: the same matrices and
    facts, for the cyclic, tail and general constructions; disguising twice is refused."""
    from tempx.theory.counterexamples import disguised

    ce = counterexample(**kw)  # type: ignore[arg-type]
    assert disguised(ce, 3) == counterexample(**kw, disguise=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="already disguised"):
        disguised(disguised(ce, 3), 4)

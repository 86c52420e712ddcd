from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tempx.theory import exact
from tempx.theory.counterexamples import disguise_matrices
from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import ExactRNN, random_rnn, random_symmetric_rnn

BACKENDS = ("flint", "python")


def naive_impulse_response(rnn: ExactRNN, n: int) -> list[Fraction]:
    """w_i = C A^i B by explicit matrix powers: the definition, independent of the Krylov sweep."""
    out, power = [], exact.like(exact.eye(rnn.d), rnn.A)
    for _ in range(n):
        out.append(exact.to_fraction((rnn.C * power * rnn.B).to_list_flat()[0]))
        power = power * rnn.A
    return out


@pytest.mark.parametrize("backend", BACKENDS)
@given(d=st.integers(1, 6), n=st.integers(0, 15), seed=st.integers(0, 10**6))
def test_impulse_response_matches_matrix_powers(backend: str, d: int, n: int, seed: int) -> None:
    rnn = random_rnn(d, random.Random(seed)).to_backend(backend)  # type: ignore[arg-type]
    assert list(rnn.impulse_response(n)) == naive_impulse_response(rnn, n)


@given(d=st.integers(1, 5), extra=st.integers(0, 3), seed=st.integers(0, 10**6), s=st.integers(0, 10**6))
def test_padding_and_change_of_basis_keep_the_impulse_response(d: int, extra: int, seed: int, s: int) -> None:
    rnn = random_rnn(d, random.Random(seed))
    padded = rnn.pad(d + extra)
    moved = padded.transform(*disguise_matrices(d + extra, s))
    assert moved.impulse_response(12) == rnn.impulse_response(12) == padded.impulse_response(12)
    on_python = rnn.to_backend("python")
    assert on_python.pad(d + extra).transform(*disguise_matrices(d + extra, s)).impulse_response(12) == rnn.impulse_response(12)


def test_from_entries_accepts_flat_or_nested_vectors_and_strings() -> None:
    a = ExactRNN.from_entries(A=[["1/2"]], B=[3], C=[["-1.5"]])
    b = ExactRNN.from_entries(A=[[Fraction(1, 2)]], B=[[3]], C=[Fraction(-3, 2)])
    assert a == b
    assert a.impulse_response(3) == (Fraction(-9, 2), Fraction(-9, 4), Fraction(-9, 8))


@pytest.mark.parametrize(
    "A, B, C, match",
    [([[1, 2]], [1], [1], "shapes"), ([[1]], [1, 2], [1], "shapes"), ([[1]], [1], [1, 2], "shapes"),
     ([[1]], [[1, 2]], [1], "d×1"), ([[1, 0], [0, 1]], [1, 1], [[1], [1]], "1×d")],
)
def test_from_entries_rejects_bad_shapes(A: list, B: list, C: list, match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        ExactRNN.from_entries(A=A, B=B, C=C)


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="not exact"):
        ExactRNN.from_entries(A=[[0.1]], B=[1], C=[1])


def test_transform_checks_the_inverse() -> None:
    rnn = random_rnn(2, random.Random(0))
    with pytest.raises(InvalidInput, match="inverse"):
        rnn.transform(exact.eye(2), exact.eye(2) * exact.qq(2))


def test_pad_refuses_to_shrink_and_negative_terms() -> None:
    rnn = random_rnn(3, random.Random(0))
    with pytest.raises(InvalidInput):
        rnn.pad(2)
    with pytest.raises(InvalidInput):
        rnn.impulse_response(-1)


def test_symmetric_rnn_is_in_M_and_random_is_not() -> None:
    assert random_symmetric_rnn(4, random.Random(1)).is_symmetric_balanced()
    assert not random_rnn(4, random.Random(1)).is_symmetric_balanced()
    # both conditions are needed: A = Aᵀ with C ≠ Bᵀ, and C = Bᵀ with A ≠ Aᵀ, are not in M
    assert not ExactRNN.from_entries(A=[[1, 2], [2, 1]], B=[1, 0], C=[0, 1]).is_symmetric_balanced()
    assert not ExactRNN.from_entries(A=[[1, 2], [3, 1]], B=[1, 0], C=[1, 0]).is_symmetric_balanced()
    assert ExactRNN.from_entries(A=[[1, 2], [2, 1]], B=[1, 0], C=[1, 0]).is_symmetric_balanced()


@pytest.mark.parametrize("make", [random_rnn, random_symmetric_rnn])
def test_random_rnns_refuse_a_bad_dimension_or_size(make: Any) -> None:
    with pytest.raises(InvalidInput, match="d must be"):
        make(0, random.Random(0))
    with pytest.raises(InvalidInput, match="size must be"):
        make(2, random.Random(0), size=0)

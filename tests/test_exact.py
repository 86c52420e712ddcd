from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tempx.theory import exact
from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import random_rnn


@pytest.mark.parametrize(
    "text, value",
    [("3/2", Fraction(3, 2)), ("-2", Fraction(-2)), ("1.5", Fraction(3, 2)), (" 0.1 ", Fraction(1, 10)),
     ("1e-3", Fraction(1, 1000)), (7, Fraction(7)), (Fraction(-1, 3), Fraction(-1, 3))],
)
def test_parse_rational_is_exact(text: object, value: Fraction) -> None:
    assert exact.parse_rational(text) == value


@pytest.mark.parametrize("bad", ["", "x", "1/0", "nan", "inf", "1//2", "3/2/1"])
def test_parse_rational_rejects_malformed(bad: str) -> None:
    with pytest.raises(InvalidInput, match="not an exact rational"):
        exact.parse_rational(bad)


@pytest.mark.parametrize("bad", [0.5, True, None, [1]])
def test_parse_rational_rejects_inexact_types(bad: object) -> None:
    with pytest.raises(TypeError):
        exact.parse_rational(bad)


def test_matrix_rejects_empty_rows() -> None:
    for rows in ([], [[]], [[], []]):
        with pytest.raises(InvalidInput, match="at least one row and one column"):
            exact.matrix(rows)


def test_matrix_rejects_ragged_rows() -> None:
    with pytest.raises(InvalidInput, match="unequal"):
        exact.matrix([[1, 2], [3]])


@given(st.integers(1, 6), st.integers(0, 12), st.integers(0, 10**6))
def test_krylov_fast_path_agrees_with_plain_products_on_both_backends(d: int, n: int, seed: int) -> None:
    rnn = random_rnn(d, random.Random(seed))
    fast = exact.right_krylov(rnn.A, rnn.B, n)  # flint, integer fast path
    slow = exact.right_krylov(exact.to_backend(rnn.A, "python"), exact.to_backend(rnn.B, "python"), n)
    expected = [rnn.B]
    for _ in range(n - 1):
        expected.append(rnn.A * expected[-1])
    assert [exact.entries(v) for v in fast] == [exact.entries(v) for v in expected[:n]]
    assert [exact.entries(v) for v in slow] == [exact.entries(v) for v in expected[:n]]
    assert exact.markov_parameters(rnn.C, rnn.A, rnn.B, n) == [(rnn.C * v).to_list_flat()[0] for v in expected[:n]]


def test_block_diag() -> None:
    m = exact.block_diag(exact.matrix([[1]]), exact.matrix([[2, 3], [4, 5]]))
    assert exact.entries(m) == [[1, 0, 0], [0, 2, 3], [0, 4, 5]]


@given(st.integers(1, 6), st.integers(1, 12), st.integers(0, 10**6))
def test_krylov_rows_fast_path_agrees_with_plain_products(d: int, n: int, seed: int) -> None:
    rnn = random_rnn(d, random.Random(seed))
    fast = exact.krylov_rows(rnn.A, rnn.B, n)
    python = exact.krylov_rows(exact.to_backend(rnn.A, "python"), exact.to_backend(rnn.B, "python"), n)
    rows = [exact.entries(v.transpose())[0] for v in exact.right_krylov(rnn.A, rnn.B, n)]
    assert exact.entries(fast) == exact.entries(python) == rows
    assert exact.backend_of(fast) == "flint" and exact.backend_of(python) == "python"


@given(st.integers(24, 40), st.integers(1, 30), st.integers(0, 10**6))
def test_sparse_krylov_paths_agree_with_dense_products(d: int, n: int, seed: int) -> None:
    """The sparse branch (shift rows copied, dense rows on one denominator) on shift-plus-row matrices."""
    rng = random.Random(seed)
    entries: dict[tuple[int, int], object] = {(i, i + 1): 1 for i in range(d - 1)}
    for j in rng.sample(range(d), 3):
        entries[(d - 1, j)] = Fraction(rng.randint(-5, 5), rng.randint(1, 5)) or 1
    entries[(rng.randrange(d), rng.randrange(d))] = Fraction(rng.randint(1, 7), 3)  # a non-unit single entry
    A = exact.from_nonzero(entries, (d, d))
    assert exact._is_sparse(A)
    x = exact.column([Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(d)])
    y = exact.row([Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(d)])
    dense = [x]
    for _ in range(n - 1):
        dense.append(A * dense[-1])
    assert exact.markov_parameters(y, A, x, n) == [(y * v).to_list_flat()[0] for v in dense]
    assert exact.entries(exact.krylov_rows(A, x, n)) == [exact.entries(v.transpose())[0] for v in dense]


HOSTILE = ["1e1_000_000_000", "1e" + "0" * 31 + "1000000000", "1_0e4_001", "-.5E-9999", "1e+0004001"]


@pytest.mark.parametrize("text", HOSTILE)
def test_huge_exponents_in_every_spelling_are_refused_at_once(text: str) -> None:
    import time

    start = time.perf_counter()
    with pytest.raises(InvalidInput, match="exponent .* is beyond ±4000"):
        exact.parse_rational(text)
    assert time.perf_counter() - start < 0.1  # no integer of the exponent's size was built


def test_digit_and_length_caps_and_the_grammar() -> None:
    MAX_CHARS, MAX_DIGITS = exact.MAX_CHARS, exact.MAX_DIGITS

    assert exact.parse_rational("9" * MAX_DIGITS) == int("9" * MAX_DIGITS)
    assert exact.parse_rational("1e4000") == 10**4000 and exact.parse_rational("1e-4000") == Fraction(1, 10**4000)
    assert exact.parse_rational("1_000.25e1_0") == Fraction(100025, 100) * 10**10
    for text in ["9" * (MAX_DIGITS + 1), "1/" + "3" * (MAX_DIGITS + 1), "0." + "1" * MAX_DIGITS]:
        with pytest.raises(InvalidInput, match="digits"):
            exact.parse_rational(text)
    with pytest.raises(InvalidInput, match="characters"):
        exact.parse_rational(" " * MAX_CHARS + "1")
    for text in ["1__0", "1_", "٣", "0x10", "1e", ".", "1/0", "inf", "nan", "1.5/2", ""]:
        with pytest.raises(InvalidInput):
            exact.parse_rational(text)


def test_entry_strings_of_both_backends_are_the_exact_entries() -> None:
    from tempx.theory import exact

    rows = [[Fraction(3, 2), Fraction(-4)], [Fraction(0), Fraction(1, 3)]]
    for backend in ("flint", "python"):
        m = exact.to_backend(exact.matrix(rows), backend)  # type: ignore[arg-type]
        assert exact.entry_strings(m) == [["3/2", "-4"], ["0", "1/3"]], backend


def test_a_sparse_symbolic_rnn_takes_the_generic_path() -> None:
    """The sparse fast path of markov_parameters is for rational (flint) matrices: a 16-dimensional cyclic shift
    with a symbolic gain c (entries in ℚ[c], 1/16 of them nonzero) has w_0 = 1, w_16 = c, w_32 = c², 0 elsewhere."""
    from sympy.polys.domains import QQ
    from sympy.polys.matrices import DomainMatrix
    from sympy.polys.rings import ring

    from tempx.theory.rnn import ExactRNN

    R, c = ring("c", QQ)
    d, dom = 16, R.to_domain()
    A = [[R(0)] * d for _ in range(d)]
    for i in range(1, d):
        A[i][i - 1] = R(1)
    A[0][d - 1] = c
    rnn = ExactRNN(DomainMatrix(A, (d, d), dom), DomainMatrix([[R(1)]] + [[R(0)]] * (d - 1), (d, 1), dom),
                   DomainMatrix([[R(1)] + [R(0)] * (d - 1)], (1, d), dom))
    w = rnn.impulse_response(33)
    assert {i: x for i, x in enumerate(w) if x != 0} == {0: R(1), 16: c, 32: c**2}

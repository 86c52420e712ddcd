"""The symbolic RNNs of the exact identities (C4): generic and symmetric parametrizations over ℚ[a, b, c]."""

from __future__ import annotations

import pytest
from sympy.polys.matrices import DomainMatrix

from tempx.theory.errors import InvalidInput
from tempx.theory.losses import Gradient
from tempx.theory.symbolic import derivative_along, generic_rnn, generic_symmetric_rnn


def _names(sym) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(g) for g in sym.ring.gens]


def test_a_generic_rnn_has_one_symbol_per_entry() -> None:
    sym = generic_rnn(2, extra_names=("t",))
    assert _names(sym) == ["a00", "a01", "a10", "a11", "b0", "b1", "c0", "c1", "t"]
    assert all(len(places) == 1 for places in sym.params.values()) and len(sym.params) == 8
    assert [str(x) for x in sym.extra] == ["t"]


def test_a_symmetric_rnn_shares_its_symbols_across_the_diagonal_and_between_b_and_c() -> None:
    """A = Aᵀ with symbols a_ij (i ≤ j) and C = Bᵀ: d(d+1)/2 + d symbols, each listing every place it fills."""
    sym = generic_symmetric_rnn(3)
    assert _names(sym) == ["a00", "a01", "a02", "a11", "a12", "a22", "b0", "b1", "b2"]
    A, B, C = (M.to_list() for M in (sym.rnn.A, sym.rnn.B, sym.rnn.C))
    assert all(A[i][j] == A[j][i] for i in range(3) for j in range(3))
    assert len({A[i][i] for i in range(3)}) == 3 and A[0][0] != A[0][1]
    assert [C[0][i] for i in range(3)] == [B[i][0] for i in range(3)]
    places = {str(g): p for g, p in sym.params.items()}
    assert places["a01"] == [("A", 0, 1), ("A", 1, 0)] and places["a11"] == [("A", 1, 1)]
    assert places["b2"] == [("B", 2, 0), ("C", 0, 2)]


def test_the_derivative_along_a_symmetric_velocity_reads_each_symbol_once() -> None:
    """f = a01 · b0: along dA/dt = [[0, 1], [1, 0]] (symmetric) and dB/dt = (2, 0), df/dt = b0 + 2 a01."""
    sym = generic_symmetric_rnn(2)
    g = {str(x): x for x in sym.ring.gens}
    R, dom = sym.ring, sym.ring.to_domain()
    vel = Gradient(DomainMatrix([[R(0), R(1)], [R(1), R(0)]], (2, 2), dom), DomainMatrix([[R(2)], [R(0)]], (2, 1), dom),
                   DomainMatrix([[R(2), R(0)]], (1, 2), dom))
    assert derivative_along(g["a01"] * g["b0"], sym, vel) == g["b0"] + 2 * g["a01"]


def test_dimension_at_least_one() -> None:
    generic_symmetric_rnn(1)
    with pytest.raises(InvalidInput):
        generic_symmetric_rnn(0)

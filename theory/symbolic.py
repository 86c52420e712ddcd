"""Symbolic RNNs: entries are generators of a polynomial ring over QQ.

Used to check identities (C1, C3, C4) as polynomial identities, with the same code that
evaluates them at rational points: an ``ExactRNN`` whose domain is ``QQ[a11, …, c_d]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sympy import QQ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.rings import PolyElement, PolyRing, ring

from tempx.theory.errors import InvalidInput
from tempx.theory.losses import Gradient
from tempx.theory.rnn import ExactRNN

__all__ = ["SymbolicRNN", "derivative_along", "expect_quadratic", "generic_rnn", "generic_symmetric_rnn"]


@dataclass(frozen=True)
class SymbolicRNN:
    """A generic RNN with one ring generator per free parameter.

    ``params`` maps each generator to the (matrix name, row, column) positions it fills,
    so that derivatives along a flow can be assembled from ∂/∂θ and the gradient.
    """

    rnn: ExactRNN
    ring: PolyRing
    params: dict[PolyElement, list[tuple[str, int, int]]]
    extra: tuple[PolyElement, ...]


def _build(d: int, symmetric: bool, extra_names: Sequence[str]) -> SymbolicRNN:
    if d < 1:
        raise InvalidInput(f"d must be >= 1, got {d}")
    names: list[str] = []
    where: dict[str, list[tuple[str, int, int]]] = {}
    a_name = [[""] * d for _ in range(d)]
    for i in range(d):
        for j in range(d):
            if symmetric and j < i:
                a_name[i][j] = a_name[j][i]
            else:
                a_name[i][j] = f"a{i}{j}"
                names.append(a_name[i][j])
            where.setdefault(a_name[i][j], []).append(("A", i, j))
    b_names = [f"b{i}" for i in range(d)]
    c_names = b_names if symmetric else [f"c{i}" for i in range(d)]
    names += b_names + ([] if symmetric else c_names)
    for i in range(d):
        where.setdefault(b_names[i], []).append(("B", i, 0))
        where.setdefault(c_names[i], []).append(("C", 0, i))
    R, *gens = ring(",".join(names + list(extra_names)), QQ)
    g = dict(zip(names + list(extra_names), gens))
    dom = R.to_domain()
    A = DomainMatrix([[g[a_name[i][j]] for j in range(d)] for i in range(d)], (d, d), dom)
    B = DomainMatrix([[g[n]] for n in b_names], (d, 1), dom)
    C = DomainMatrix([[g[n] for n in c_names]], (1, d), dom)
    params = {g[n]: where[n] for n in names}
    return SymbolicRNN(ExactRNN(A, B, C), R, params, tuple(g[n] for n in extra_names))


def generic_rnn(d: int, extra_names: Sequence[str] = ()) -> SymbolicRNN:
    """A, B, C with d² + 2d independent symbols (a_ij, b_i, c_i), plus optional extra symbols."""
    return _build(d, symmetric=False, extra_names=extra_names)


def generic_symmetric_rnn(d: int, extra_names: Sequence[str] = ()) -> SymbolicRNN:
    """A generic point of M: A = Aᵀ with symbols a_ij (i ≤ j), C = Bᵀ with symbols b_i."""
    return _build(d, symmetric=True, extra_names=extra_names)


def derivative_along(f: PolyElement, sym: SymbolicRNN, velocity: Gradient) -> PolyElement:
    """d/dt f(R(t)) when dR/dt = velocity: Σ_θ ∂f/∂θ · dθ/dt by exact differentiation.

    For symmetric parametrisations a generator fills several positions; its velocity is
    read from the first one (callers check that the velocity respects the symmetry).
    """
    mats = {"A": velocity.A, "B": velocity.B, "C": velocity.C}
    total = sym.ring.zero
    for gen, places in sym.params.items():
        name, i, j = places[0]
        total += f.diff(gen) * mats[name].to_list()[i][j]
    return total


def expect_quadratic(p: PolyElement, xs: Sequence[PolyElement]) -> PolyElement:
    """E[p] for p homogeneous of degree 2 in i.i.d. inputs xs with E[x_a x_b] = δ_ab.

    Hypotheses as code: raises if some term is not of degree exactly 2 in the inputs, where
    more moments than mean 0 and variance 1 would be needed.
    """
    R = p.ring
    idx = [R.gens.index(x) for x in xs]
    out: dict[tuple[int, ...], Any] = {}
    for monom, coeff in p.terms():
        degs = [monom[i] for i in idx]
        if sum(degs) != 2:
            raise InvalidInput("expect_quadratic needs a polynomial of degree exactly 2 in the inputs")
        if 2 not in degs:
            continue  # E[x_a x_b] = 0 for a != b (independent, mean 0)
        rest = list(monom)
        for i in idx:
            rest[i] = 0
        key = tuple(rest)
        out[key] = out.get(key, QQ.zero) + coeff  # E[x_a²] = 1
    return R.from_dict(out) if out else R.zero

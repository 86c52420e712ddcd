"""The exact linear RNN R = (A, B, C) and its impulse response.

Setting: h_0 = 0, h_t = A h_{t-1} + B x_t, ŷ_t = C h_t with A ∈ ℚ^{d×d}, B ∈ ℚ^{d×1},
C ∈ ℚ^{1×d} (SPEC §1).  The impulse response (Markov parameters) is w_i = C A^i B, so that
ŷ_t = Σ_{i<t} w_i x_{t-i}.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from tempx.theory import exact
from tempx.theory.errors import InvalidInput

__all__ = ["ExactRNN", "random_rnn", "random_symmetric_rnn"]


@dataclass(frozen=True)
class ExactRNN:
    """A linear RNN with exact entries (rationals, or polynomials for symbolic checks).

    h_t = A h_{t−1} + B x_t, ŷ_t = C h_t, h_0 = 0; impulse response w_i = C A^i B.

    Attributes
    ----------
    A : DomainMatrix
        The d × d state matrix.
    B : DomainMatrix
        The d × 1 input matrix.
    C : DomainMatrix
        The 1 × d output matrix.

    Examples
    --------
    Build one from nested lists of ints, Fractions or strings like ``"3/2"``:

    >>> R = ExactRNN.from_entries(A=[[0, "3/2"], [1, 0]], B=[1, 0], C=[1, 0])
    >>> [str(w) for w in R.impulse_response(5)]
    ['1', '0', '3/2', '0', '9/4']
    """

    A: DomainMatrix
    B: DomainMatrix
    C: DomainMatrix

    def __post_init__(self) -> None:
        d = self.A.shape[0]
        if self.A.shape != (d, d) or self.B.shape != (d, 1) or self.C.shape != (1, d):
            raise InvalidInput(
                f"shapes do not fit a linear RNN: A {self.A.shape}, B {self.B.shape}, "
                f"C {self.C.shape} (need d×d, d×1, 1×d)"
            )
        if not (self.A.domain == self.B.domain == self.C.domain):
            raise InvalidInput("A, B and C must share one domain")

    @classmethod
    def from_entries(
        cls,
        A: Sequence[Sequence[object]],
        B: Sequence[object] | Sequence[Sequence[object]],
        C: Sequence[object] | Sequence[Sequence[object]],
    ) -> ExactRNN:
        """From nested lists; B may be flat or d×1, C flat or 1×d.  Numbers are taken exactly."""
        b_flat = [x[0] if isinstance(x, (list, tuple)) else x for x in B]
        if any(isinstance(x, (list, tuple)) and len(x) != 1 for x in B):
            raise InvalidInput("B must be a d×1 matrix or a flat list of d numbers")
        if len(C) == 1 and isinstance(C[0], (list, tuple)):
            c_flat = list(C[0])
        elif any(isinstance(x, (list, tuple)) for x in C):
            raise InvalidInput("C must be a 1×d matrix or a flat list of d numbers")
        else:
            c_flat = list(C)
        return cls(exact.matrix(A), exact.column(b_flat), exact.row(c_flat))

    @property
    def d(self) -> int:
        """State dimension."""
        return int(self.A.shape[0])

    @property
    def domain(self) -> Any:
        return self.A.domain

    def impulse_response(self, n: int) -> tuple[Any, ...]:
        """(w_0, …, w_{n-1}) with w_i = C A^i B, by one Krylov sweep (n matrix-vector products).

        Rational RNNs give Fractions; symbolic ones give ring elements.
        """
        if n < 0:
            raise InvalidInput(f"number of terms must be >= 0, got {n}")
        ws = exact.markov_parameters(self.C, self.A, self.B, n)
        if self.domain == QQ:
            return tuple(exact.to_fraction(w) for w in ws)
        return tuple(ws)

    def transform(self, S: DomainMatrix, S_inv: DomainMatrix) -> ExactRNN:
        """(S A S⁻¹, S B, C S⁻¹): the same impulse response in other coordinates (C2c)."""
        S, S_inv = exact.like(S, self.A), exact.like(S_inv, self.A)
        if not (S * S_inv - exact.like(exact.eye(self.d, self.domain), self.A)).is_zero_matrix:
            raise InvalidInput("S_inv is not the inverse of S")
        return ExactRNN(S * self.A * S_inv, S * self.B, self.C * S_inv)

    def pad(self, d: int) -> ExactRNN:
        """Block-diagonal padding with zeros up to dimension d ≥ self.d (C2c)."""
        if d < self.d:
            raise InvalidInput(f"cannot pad a {self.d}-dimensional RNN down to d = {d}")
        extra = d - self.d
        if extra == 0:
            return self
        dom = self.domain
        return ExactRNN(
            exact.block_diag(self.A, exact.zeros(extra, extra, dom)),
            self.B.vstack(exact.like(exact.zeros(extra, 1, dom), self.B)),
            self.C.hstack(exact.like(exact.zeros(1, extra, dom), self.C)),
        )

    def to_backend(self, backend: exact.Backend) -> ExactRNN:
        """The same RNN stored on another matrix backend (``flint`` or ``python``)."""
        return ExactRNN(*(exact.to_backend(m, backend) for m in (self.A, self.B, self.C)))

    def is_symmetric_balanced(self) -> bool:
        """Membership of M = {A = Aᵀ, C = Bᵀ} (SPEC §1)."""
        return self.A.to_list() == self.A.transpose().to_list() and self.C.to_list() == self.B.transpose().to_list()

    def as_lists(self) -> dict[str, list[list[Fraction]]]:
        """{"A": d×d, "B": d×1, "C": 1×d} nested lists of Fractions."""
        return {name: exact.entries(m) for name, m in (("A", self.A), ("B", self.B), ("C", self.C))}


def _check_random(d: int, size: int) -> None:
    if d < 1:
        raise InvalidInput(f"d must be >= 1, got {d}")
    if size < 1:
        raise InvalidInput(f"size must be >= 1 (numerators and denominators up to size), got {size}")


def _random_rational(rng: random.Random, size: int = 5) -> Fraction:
    return Fraction(rng.randint(-size, size), rng.randint(1, size))


def random_rnn(d: int, rng: random.Random, size: int = 5) -> ExactRNN:
    """An RNN with independent small random rational entries.

    Parameters
    ----------
    d : int
        State dimension, d ≥ 1.
    rng : random.Random
        The source of randomness (seed it for reproducible instances).
    size : int, default 5
        Numerators and denominators are at most ``size`` in absolute value.

    Returns
    -------
    ExactRNN

    Raises
    ------
    InvalidInput
        For d < 1 or size < 1.

    Examples
    --------
    >>> import random
    >>> random_rnn(2, random.Random(0)).d
    2
    """
    _check_random(d, size)
    r = lambda: _random_rational(rng, size)
    return ExactRNN.from_entries(
        A=[[r() for _ in range(d)] for _ in range(d)],
        B=[r() for _ in range(d)],
        C=[r() for _ in range(d)],
    )


def random_symmetric_rnn(d: int, rng: random.Random, size: int = 5) -> ExactRNN:
    """A random rational RNN on the symmetric-balanced set M: A = Aᵀ, C = Bᵀ.

    Parameters
    ----------
    d : int
        State dimension, d ≥ 1.
    rng : random.Random
        The source of randomness.
    size : int, default 5
        Numerators and denominators are at most ``size`` in absolute value.

    Returns
    -------
    ExactRNN

    Raises
    ------
    InvalidInput
        For d < 1 or size < 1.
    """
    _check_random(d, size)
    upper = [[_random_rational(rng, size) for _ in range(d)] for _ in range(d)]
    A = [[upper[min(i, j)][max(i, j)] for j in range(d)] for i in range(d)]
    b = [_random_rational(rng, size) for _ in range(d)]
    return ExactRNN.from_entries(A=A, B=b, C=b)

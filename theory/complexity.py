"""Linear complexity of finite sequences (Berlekamp–Massey) and the exact threshold d_min (C10).

Setting: a sequence s_0, s_1, … over a field (rationals, or a prime field for cross-checks).
Its linear complexity ℓ(s) is the least L such that s obeys a recurrence of order L from index
L on: s_i = −Σ_{m=1}^{L} c_m s_{i−m} for L ≤ i < |s|.  The connection polynomial is
C(x) = 1 + c_1 x + … + c_L x^L.  Impulse responses of d-dimensional RNNs are exactly the
sequences of linear complexity ≤ d (Cayley–Hamilton one way, ``shift_register_rnn`` the other).

Massey (1969): if the shortest recurrence of s does not produce the next term x, then
ℓ(s·x) = max(ℓ(s), |s| + 1 − ℓ(s)); Berlekamp–Massey finds ℓ and a shortest recurrence.

Reference: SPEC C10.  Written once over any field: the arithmetic is the elements' own
(``Fraction`` over ℚ, ``flint.nmod`` over GF(p)).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import ExactRNN

__all__ = ["LFSR", "berlekamp_massey", "linear_complexity_profile", "predict", "shift_register_rnn"]


@dataclass(frozen=True)
class LFSR:
    """Berlekamp–Massey state after ``n`` terms: a shortest recurrence of the terms seen.

    ``connection`` = (1, c_1, …, c_L) may have trailing zeros (degree < L is allowed);
    ``backup``, ``backup_discrepancy`` and ``shift`` are Massey's (B(x), b, N − m) for the
    next length change.
    """

    length: int
    connection: tuple[Any, ...]
    backup: tuple[Any, ...]
    backup_discrepancy: Any
    shift: int
    n: int

    @staticmethod
    def empty(one: Any = Fraction(1)) -> LFSR:
        return LFSR(0, (one,), (one,), one, 1, 0)

    def discrepancy(self, history: Sequence[Any], x: Any) -> Any:
        """x − (the value this recurrence predicts next); ``history`` holds the n terms seen."""
        acc = x
        for m in range(1, self.length + 1):
            if m < len(self.connection):
                acc = acc + self.connection[m] * history[self.n - m]
        return acc

    def feed(self, history: Sequence[Any], x: Any) -> LFSR:
        """The state after one more term x (Massey's update)."""
        delta = self.discrepancy(history, x)
        if delta == 0:
            return replace(self, shift=self.shift + 1, n=self.n + 1)
        factor = delta / self.backup_discrepancy
        size = max(len(self.connection), len(self.backup) + self.shift)
        new = list(self.connection) + [self.connection[0] * 0] * (size - len(self.connection))
        for i, b in enumerate(self.backup):
            new[i + self.shift] = new[i + self.shift] - factor * b
        if 2 * self.length <= self.n:
            return LFSR(self.n + 1 - self.length, tuple(new), self.connection, delta, 1, self.n + 1)
        return LFSR(self.length, tuple(new), self.backup, self.backup_discrepancy, self.shift + 1, self.n + 1)

    def skip(self, count: int) -> LFSR:
        """The state after ``count`` more terms that this recurrence produces (zero discrepancy)."""
        if count < 0:
            raise InvalidInput(f"cannot skip {count} terms")
        return replace(self, shift=self.shift + count, n=self.n + count)

    def coefficients(self) -> tuple[Any, ...]:
        """(1, c_1, …, c_L), padded with zeros to exactly L + 1 entries."""
        zero = self.connection[0] * 0
        c = list(self.connection[: self.length + 1])
        return tuple(c + [zero] * (self.length + 1 - len(c)))


def berlekamp_massey(seq: Sequence[Any], one: Any = Fraction(1)) -> LFSR:
    """A shortest recurrence of ``seq`` (Massey 1969).

    >>> s = berlekamp_massey([Fraction(x) for x in (1, 1, 2, 3, 5, 8)])
    >>> s.length, [str(c) for c in s.coefficients()]
    (2, ['1', '-1', '-1'])
    """
    state = LFSR.empty(one)
    for x in seq:
        state = state.feed(seq, x)
    return state


def linear_complexity_profile(seq: Sequence[Any], one: Any = Fraction(1)) -> list[int]:
    """[ℓ(s_0 … s_{j−1}) for j = 0 … len(seq)]: n_0 = 0, then one entry per term.

    >>> linear_complexity_profile([Fraction(x) for x in (1, 0, 0, 0)])
    [0, 1, 1, 1, 1]
    """
    state = LFSR.empty(one)
    out = [0]
    for x in seq:
        state = state.feed(seq, x)
        out.append(state.length)
    return out


def predict(state: LFSR, history: Sequence[Any]) -> Any:
    """The value the recurrence of ``state`` produces after the ``state.n`` terms of ``history``."""
    zero = state.connection[0] * 0
    return zero - state.discrepancy(history, zero)


def shift_register_rnn(seq: Sequence[Fraction], state: LFSR | None = None) -> ExactRNN:
    """The shift-register realization of a rational sequence: an RNN whose impulse response starts with ``seq``.

    With L = ℓ(seq) and connection (1, c_1, …, c_L): the state is the window (s_i, …, s_{i+L−1}),
    A shifts it up and appends −Σ c_m s_{i+L−m}; B = (s_0, …, s_{L−1})ᵀ, C = e_1ᵀ.  Dimension
    max(L, 1) (L = 0, the zero sequence, is realized by the 1-dimensional zero RNN).

    >>> R = shift_register_rnn([Fraction(1), Fraction(1, 2), Fraction(5, 4)])
    >>> R.d, [str(w) for w in R.impulse_response(3)]
    (2, ['1', '1/2', '5/4'])
    """
    from tempx.theory import exact

    st = berlekamp_massey(seq) if state is None else state
    if st.n != len(seq):
        raise InvalidInput(f"the recurrence state has seen {st.n} terms, the sequence has {len(seq)}")
    L = st.length
    if L == 0:
        return ExactRNN.from_entries(A=[[0]], B=[0], C=[0])
    c = st.coefficients()
    nonzero: dict[tuple[int, int], object] = {(i, i + 1): 1 for i in range(L - 1)}
    for m in range(1, L + 1):
        if c[m] != 0:
            nonzero[(L - 1, L - m)] = -Fraction(c[m])
    A = exact.from_nonzero(nonzero, (L, L))
    B = exact.column(list(seq[:L]))
    C = exact.row([1] + [0] * (L - 1))
    return ExactRNN(A, B, C)

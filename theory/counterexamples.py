"""Exact counterexamples to extrapolation (claim C2): interpolate at length k, diverge beyond.

Setting: memoryless teacher y_t = x_t (w* = (1, 0, 0, …)), training length k ≥ 1.

Constructions (SPEC C2):
  (a) cyclic: d = k, A e_i = e_{i+1} (i < k), A e_k = c e_1, B = e_1, C = e_1ᵀ, so
      w_{jk} = c^j and w_i = 0 when k ∤ i; L_q = Σ_{j=1}^{⌊(q−1)/k⌋} c^{2j}.
  (b) prescribed tail (t_0, …, t_{m−1}): d = k + m, nilpotent shift A, B = e_1,
      C = (1, 0, …, 0, t_0, …, t_{m−1}); w_{k+j} = t_j and w_i = 0 for i ≥ k + m.
  (c) padding with zeros to any d ≥ d_0, and disguise by an invertible rational S.
  (d) every such R has zero empirical loss on every set of length-k sequences and zero
      gradient: gradient descent started there never moves.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction

from sympy.polys.matrices import DomainMatrix

from tempx.theory import exact
from tempx.theory.budget import Stage, check_memory, check_work, disguise_work, exact_matrix_bytes
from tempx.theory.complexity import LFSR, shift_register_rnn
from tempx.theory.display import readable_repr
from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import ExactRNN
from tempx.theory.teachers import Memoryless, Teacher

__all__ = ["Counterexample", "counterexample", "cyclic", "disguise_matrices", "disguised", "with_tail"]


def _require_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be an int, got {type(k).__name__}")
    if k < 1:
        raise InvalidInput(f"k must be >= 1, got {k}")


def _shift(d: int, corner: Fraction) -> DomainMatrix:
    """A e_i = e_{i+1} for i < d, A e_d = corner · e_1 (a nilpotent shift when corner = 0)."""
    nonzero: dict[tuple[int, int], object] = {(i + 1, i): 1 for i in range(d - 1)}
    nonzero[(0, d - 1)] = corner  # the shift never fills row 0, so this is the only entry there (d = 1: [[corner]])
    return exact.from_nonzero(nonzero, (d, d))


def cyclic(k: int, c: object = 1) -> ExactRNN:
    """C2(a): the k-dimensional cyclic RNN with w_{jk} = c^j and w_i = 0 when k ∤ i.

    Parameters
    ----------
    k : int
        Training length and dimension, k ≥ 1.
    c : int, Fraction or str, default 1
        The gain, c ≠ 0.

    Returns
    -------
    ExactRNN
        A e_i = e_{i+1} (i < k), A e_k = c e_1, B = e_1, C = e_1ᵀ.

    Raises
    ------
    InvalidInput
        For k < 1 or c = 0.

    Examples
    --------
    >>> [str(w) for w in cyclic(2, "3/2").impulse_response(5)]
    ['1', '0', '3/2', '0', '9/4']
    """
    _require_k(k)
    c = exact.parse_rational(c)
    if c == 0:
        raise InvalidInput("c must be nonzero (c = 0 gives the teacher itself)")
    e1 = [1] + [0] * (k - 1)
    return ExactRNN(_shift(k, c), exact.column(e1), exact.row(e1))


def with_tail(k: int, tail: Sequence[object]) -> ExactRNN:
    """C2(b): dimension k + m, impulse response 1, k − 1 zeros, the tail, then zeros forever.

    Parameters
    ----------
    k : int
        Training length, k ≥ 1.
    tail : sequence of rationals
        The prescribed values w_k, …, w_{k+m−1}, not all zero.

    Returns
    -------
    ExactRNN
        A nilpotent shift with B = e_1 and C = (1, 0, …, 0, tail).

    Raises
    ------
    InvalidInput
        For k < 1, an empty tail or an all-zero tail.

    Examples
    --------
    >>> [str(w) for w in with_tail(2, [5, "1/2"]).impulse_response(6)]
    ['1', '0', '5', '1/2', '0', '0']
    """
    _require_k(k)
    t = [exact.parse_rational(x) for x in tail]
    if not t:
        raise InvalidInput("the tail needs at least one value")
    if all(x == 0 for x in t):
        raise InvalidInput("the tail must have a nonzero value (an all-zero tail is the teacher itself)")
    d = k + len(t)
    e1 = [1] + [0] * (d - 1)
    C = [Fraction(1)] + [Fraction(0)] * (k - 1) + t
    return ExactRNN(_shift(d, Fraction(0)), exact.column(e1), exact.row(C))


def disguise_matrices(d: int, seed: int) -> tuple[DomainMatrix, DomainMatrix]:
    """A seeded, dense, invertible rational S and its exact inverse.

    S = P (I + u vᵀ) with P a signed permutation scaled by small nonzero rationals and
    u, v dense with small rational entries, vᵀu ≠ −1.  Sherman–Morrison gives
    S⁻¹ = (I − u vᵀ / (1 + vᵀu)) P⁻¹ exactly, with small entries even for large d.

    Parameters
    ----------
    d : int
        Dimension, d ≥ 1.
    seed : int
        Seed of the random choices.

    Returns
    -------
    (DomainMatrix, DomainMatrix)
        S and S⁻¹.

    Raises
    ------
    InvalidInput
        For d < 1.

    Examples
    --------
    >>> S, Si = disguise_matrices(3, seed=1)
    >>> (S * Si).to_Matrix().is_Identity
    True
    """
    if d < 1:
        raise InvalidInput(f"d must be >= 1, got {d}")
    rng = random.Random(seed)

    def small(nonzero: bool) -> Fraction:
        while True:
            x = Fraction(rng.randint(-3, 3), rng.randint(1, 3))
            if x != 0 or not nonzero:
                return x

    perm = list(range(d))
    rng.shuffle(perm)
    scale = [small(True) for _ in range(d)]
    while True:
        u = [small(False) for _ in range(d)]
        v = [small(True) for _ in range(d)]
        s = sum((a * b for a, b in zip(u, v)), Fraction(0))
        if s != -1:
            break
    P = [[scale[i] if j == perm[i] else 0 for j in range(d)] for i in range(d)]
    P_inv = [[1 / scale[j] if i == perm[j] else 0 for j in range(d)] for i in range(d)]
    rank_one = [[(1 if i == j else 0) + u[i] * v[j] for j in range(d)] for i in range(d)]
    rank_one_inv = [[(1 if i == j else 0) - u[i] * v[j] / (1 + s) for j in range(d)] for i in range(d)]
    S = exact.matrix(P) * exact.matrix(rank_one)
    S_inv = exact.matrix(rank_one_inv) * exact.matrix(P_inv)
    # Invariant: S * S_inv == I (checked again by ExactRNN.transform).
    return S, S_inv


@dataclass(frozen=True)
class Counterexample:
    """An RNN that interpolates the teacher at length k, and the facts it guarantees.

    ``expected_impulse_response(n)`` and ``expected_extrapolation_loss(q)`` are the closed forms of
    SPEC C2; ``rnn`` is the concrete matrix realisation.  Claim C2's check compares the two exactly.

    Attributes
    ----------
    rnn : ExactRNN
        The counterexample.
    k : int
        Training length it interpolates.
    c : Fraction or None
        Memoryless cyclic gain, or the first difference for another teacher.
    tail : tuple of Fraction or None
        The prescribed tail (memoryless teacher).
    disguise : int or None
        Seed of the change of basis, if any.
    teacher : Teacher
        The teacher it interpolates.
    d_min : int or None
        d_min(w*, k) for a teacher other than the memoryless one (C10).
    first_difference : int or None
        The first index j ≥ k with w_j ≠ w*_j (C10).
    recurrence, prefix
        The shift-register recurrence and prefix it realizes (C10), or None.

    Examples
    --------
    >>> from tempx.theory import counterexample
    >>> ce = counterexample(3)
    >>> ce.d, str(ce.expected_extrapolation_loss(7))
    (3, '2')
    """

    __repr__ = readable_repr  # long rationals and arrays summarized (tempx.theory.display)

    rnn: ExactRNN
    k: int
    c: Fraction | None
    tail: tuple[Fraction, ...] | None
    disguise: int | None
    teacher: Teacher = field(default_factory=Memoryless)
    d_min: int | None = None
    first_difference: int | None = None
    recurrence: LFSR | None = None  # general teacher: the student's shortest recurrence
    prefix: tuple[Fraction, ...] | None = None  # general teacher: w_0 … w_j of the student

    @property
    def d(self) -> int:
        return self.rnn.d

    @property
    def construction(self) -> str:
        if self.recurrence is not None:
            return "shift-register"
        return "cyclic" if self.tail is None else "tail"

    def _recurrence_terms(self, n: int) -> tuple[Fraction, ...]:
        """The student's terms from its recurrence alone: s_i = −Σ_m c_m s_{i−m} (sparse c)."""
        assert self.recurrence is not None and self.prefix is not None
        coeffs = [(m, Fraction(x)) for m, x in enumerate(self.recurrence.coefficients()) if m > 0 and x != 0]
        s = list(self.prefix[:n])
        while len(s) < n:
            i = len(s)
            s.append(-sum((cm * s[i - m] for m, cm in coeffs), Fraction(0)))
        return tuple(s)

    def expected_impulse_response(self, n: int) -> tuple[Fraction, ...]:
        """The guaranteed w_0 … w_{n−1} (closed form, independent of the matrices)."""
        if self.recurrence is not None:
            return self._recurrence_terms(n)
        out = []
        for i in range(n):
            if i == 0:
                out.append(Fraction(1))
            elif self.tail is None:
                assert self.c is not None
                out.append(self.c ** (i // self.k) if i % self.k == 0 else Fraction(0))
            elif self.k <= i < self.k + len(self.tail):
                out.append(self.tail[i - self.k])
            else:
                out.append(Fraction(0))
        return tuple(out)

    def expected_extrapolation_loss(self, q: int) -> Fraction:
        """Closed-form L_q: Σ_{j=1}^{⌊(q−1)/k⌋} c^{2j} (cyclic) or Σ of squared tail values below q."""
        if q < 1:
            raise InvalidInput(f"q must be >= 1, got {q}")
        if self.recurrence is not None:
            w, ws = self._recurrence_terms(q), self.teacher.impulse_response(q)
            return sum(((a - b) ** 2 for a, b in zip(w, ws)), Fraction(0))
        if self.tail is None:
            assert self.c is not None
            return sum((self.c ** (2 * j) for j in range(1, (q - 1) // self.k + 1)), Fraction(0))
        return sum((x * x for j, x in enumerate(self.tail) if self.k + j < q), Fraction(0))

    def default_terms(self) -> int:
        """2k + 1 terms, or enough to show the whole tail and one zero after it."""
        need = self.k + len(self.tail) + 1 if self.tail is not None else 0
        if self.first_difference is not None:
            need = self.first_difference + 1
        return max(2 * self.k + 1, need)


def _check_d(d: object) -> int:
    if isinstance(d, bool) or not isinstance(d, int):
        raise TypeError(f"d must be an int, got {type(d).__name__}")
    return d


def check_cost(d: int, bits: int, disguise: int | None) -> None:
    """The counterexample's cost, estimated before it is built (``tempx.theory.budget``).  Undisguised, its d×d
    matrix A holds small entries (a shift, a cyclic or a shift-register pattern) and only B, C and one row of A
    carry the ``bits``-bit numbers; disguised by a random rational change of basis, every entry grows to about
    ``bits`` + 4d bits; and the change of basis itself is work.  The output's impulse response (about 2d + 1
    terms, growing to about twice ``bits``) is counted with its decimal text."""
    if disguise is not None and (isinstance(disguise, bool) or not isinstance(disguise, int)):
        raise TypeError(f"disguise must be an int seed, got {type(disguise).__name__}")
    nbytes = exact_matrix_bytes(d, d, bits + 4 * d) if disguise is not None else \
        exact_matrix_bytes(d, d, 1) + exact_matrix_bytes(3, d, bits)
    nbytes += exact_matrix_bytes(1, 2 * d + 1, 4 * bits)
    check_memory(f"a counterexample of dimension d = {d}", nbytes)
    if disguise is not None:
        check_work(_disguising(d), disguise_work(d))


def _disguising(d: int) -> str:
    return f"disguising a counterexample of dimension d = {d}"


def _bits(values: Sequence[Fraction]) -> int:
    return max((x.numerator.bit_length() + x.denominator.bit_length() for x in values), default=1)


def _finish(rnn: ExactRNN, d: int, disguise: int | None) -> ExactRNN:
    rnn = rnn.pad(d)
    if disguise is not None:
        with Stage(_disguising(d)):  # checked by check_cost before the construction
            rnn = rnn.transform(*disguise_matrices(d, disguise))
    return rnn


def _is_default_teacher(teacher: object) -> bool:
    return teacher is None or (isinstance(teacher, Memoryless) and teacher.gain == 1)


def counterexample(
    k: int,
    d: int | None = None,
    c: object | None = None,
    tail: Sequence[object] | None = None,
    disguise: int | None = None,
    teacher: Teacher | str | None = None,
) -> Counterexample:
    """An exact RNN that fits the teacher on length k and fails beyond (C2, and C10 for any teacher).

    Claim: L_k(R) = 0 and R's impulse response differs from w* (memoryless: w_k(R) = c ≠ 0,
    hence L_q(R) ≥ c² for every q > k).  Reference: SPEC C2 (a)–(c), C10.

    Parameters
    ----------
    k : int
        Training length, k ≥ 1.
    d : int, optional
        State dimension (default: the minimum); padded with zeros.  Memoryless teacher: d ≥ k
        (cyclic) or d ≥ k + len(tail); any other teacher: d ≥ d_min(w*, k) (C10).
    c : int, Fraction or str, optional
        Memoryless teacher: the cyclic gain, w_{jk} = c^j (default 1), c ≠ 0.  Other teachers: the
        first difference w_j − w*_j (default: the value that attains d_min).  Not with ``tail``.
    tail : sequence of rationals, optional
        Memoryless teacher only: prescribed w_k, …, w_{k+m−1} (not all zero); zeros after.
    disguise : int, optional
        Seed of a random invertible rational change of basis (dense matrices).
    teacher : Teacher or str, optional
        A ``Teacher`` or a specification string (``tempx.theory.teacher_spec``); default memoryless.

    Returns
    -------
    Counterexample
        The RNN and the closed forms it guarantees.

    Raises
    ------
    InvalidInput
        For k < 1, c = 0, d below the minimum, ``c`` with ``tail``, an all-zero tail, or a size whose
        exact work is over the limits of ``tempx.theory.budget`` (checked before any work).

    Examples
    --------
    >>> ce = counterexample(2, d=3, c="3/2", disguise=7)
    >>> [str(w) for w in ce.rnn.impulse_response(5)]
    ['1', '0', '3/2', '0', '9/4']
    >>> ce = counterexample(3, teacher="geometric:1/2")
    >>> ce.d, ce.d_min, ce.first_difference, [str(w) for w in ce.rnn.impulse_response(4)]
    (3, 3, 3, ['1', '1/2', '1/4', '9/8'])
    """
    _require_k(k)
    if tail is not None and c is not None:
        raise InvalidInput("give either c (cyclic construction) or tail (prescribed continuation), not both")
    if isinstance(teacher, str):
        from tempx.theory.teacher_spec import parse_teacher

        teacher = parse_teacher(teacher)
    if not _is_default_teacher(teacher):
        if tail is not None:
            raise InvalidInput("a prescribed tail is for the memoryless teacher; for other teachers give c")
        assert teacher is not None
        return _general(k, teacher, d, c, disguise)
    if tail is not None:
        tail_t: tuple[Fraction, ...] | None = tuple(exact.parse_rational(x) for x in tail)
        c_val = None
        d_base, bits = k + len(tail_t or ()), _bits(tail_t or ())
    else:
        c_val = exact.parse_rational(1 if c is None else c)
        tail_t = None
        d_base, bits = k, _bits([c_val])
    d = d_base if d is None else _check_d(d)
    if d < d_base:
        what = f"k + len(tail) = {d_base}" if tail is not None else f"k = {k}"
        raise InvalidInput(f"d must be >= {what} for this construction, got d = {d}")
    check_cost(d, bits, disguise)
    base = with_tail(k, tail) if tail is not None else cyclic(k, c_val)
    return Counterexample(rnn=_finish(base, d, disguise), k=k, c=c_val, tail=tail_t, disguise=disguise,
                          d_min=k, first_difference=k)


def disguised(ce: Counterexample, seed: int) -> Counterexample:
    """``ce`` after the seeded random rational change of basis: the same impulse response, dense matrices.

    The cost is checked first, as ``counterexample`` does; ``ce`` is not built again.

    Parameters
    ----------
    ce : Counterexample
        The counterexample to disguise.
    seed : int
        Seed of the change of basis (``disguise_matrices``).

    Returns
    -------
    Counterexample
        (S A S⁻¹, S B, C S⁻¹) with everything else of ``ce``.

    Raises
    ------
    InvalidInput
        When the exact work is over the limits of ``tempx.theory.budget``.

    Examples
    --------
    >>> ce = counterexample(2, d=3, c="3/2")
    >>> disguised(ce, 7).rnn == counterexample(2, d=3, c="3/2", disguise=7).rnn
    True
    """
    if ce.disguise is not None:
        raise InvalidInput(f"this counterexample is already disguised (seed {ce.disguise})")
    values = ce.prefix or ce.tail or (() if ce.c is None else (ce.c,))
    check_cost(ce.d, _bits(values), seed)
    return replace(ce, rnn=_finish(ce.rnn, ce.d, seed), disguise=seed)


def _general(k: int, teacher: Teacher, d: int | None, c: object | None, disguise: int | None) -> Counterexample:
    """C10's minimal student: the shift-register realization of w*_0 … w*_{j−1}, w*_j + c."""
    from tempx.theory.threshold import student_recurrence, teacher_profile, threshold

    prof = teacher_profile(teacher)
    best = threshold(teacher, k, profile=prof)
    th = best if c is None else threshold(teacher, k, c, profile=prof)
    if d is not None and _check_d(d) < th.d_min:
        for_c = "" if c is None else f" with first difference c = {th.c}"
        raise InvalidInput(
            f"d = {d} is below d_min = {th.d_min}{for_c} for teacher {teacher.describe()} at k = {k}: every "
            f"student of smaller dimension with L_k = 0 equals the teacher at every length (C10)"
        )
    state, seq = student_recurrence(prof, th.first_difference, th.c)
    assert state.length == th.d_min  # Invariant: Massey's length is the threshold's g(j).
    d = max(th.d_min, 1) if d is None else d
    check_cost(d, _bits(seq), disguise)
    base = shift_register_rnn(seq, state)
    return Counterexample(rnn=_finish(base, d, disguise), k=k, c=th.c, tail=None, disguise=disguise, teacher=teacher,
                          d_min=th.d_min, first_difference=th.first_difference, recurrence=state, prefix=tuple(seq))

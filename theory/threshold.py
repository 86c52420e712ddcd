"""The exact interpolation threshold for any teacher (claim C10) and the student that attains it.

Setting: teacher w* with minimal dimension d*, training length k, all loss weights ω_i > 0, so
L_k = 0 ⇔ w_i = w*_i for i < k.  With n_j = ℓ(w*_0 … w*_{j−1}) and δ_j the discrepancy of the
Berlekamp–Massey recurrence of w*_0 … w*_{j−1} at w*_j:

    g(j) = n_j                      if δ_j ≠ 0 (the recurrence predicts v_j ≠ w*_j: take w_j = v_j),
    g(j) = max(n_j, j + 1 − n_j)    otherwise (any w_j ≠ w*_j, by Massey's theorem),
    d_min(w*, k) = min_{j ≥ k} g(j).

A student of dimension d has L_k = 0 and w ≠ w* iff d ≥ d_min (Massey one way, the
shift-register realization the other).  For j ≥ 2d*, n_j = d* and δ_j = 0, so g(j) = j + 1 − d*
grows with j: the search stops at max(k, 2d*).  If k ≥ 2d* then d_min = k + 1 − d*, attained
with any prescribed w_k ≠ w*_k.  Memoryless teacher: d* = 1, d_min = k (C2 and C3).

Reference: SPEC C10 (Massey 1969, "Shift-register synthesis and BCH decoding").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tempx.theory.complexity import LFSR
from tempx.theory.display import readable_repr
from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational
from tempx.theory.teachers import Teacher

__all__ = ["TeacherProfile", "Threshold", "d_min_search", "profile_of_terms", "student_recurrence", "teacher_profile", "threshold"]


@dataclass(frozen=True)
class TeacherProfile:
    """The linear-complexity profile of a teacher, computed once from 2D + 1 exact terms.

    ``complexity[j]`` = n_j and ``discrepancy[j]`` = δ_j for j ≤ ``horizon``; beyond it
    n_j = ``dim`` and δ_j = 0 (the minimal recurrence holds forever).
    """

    teacher: Teacher
    dim: int
    terms: tuple[Fraction, ...]
    complexity: tuple[int, ...]
    discrepancy: tuple[Fraction, ...]
    states: tuple[LFSR, ...]

    @property
    def horizon(self) -> int:
        return len(self.terms) - 1

    def n(self, j: int) -> int:
        return self.complexity[j] if j <= self.horizon else self.dim

    def delta(self, j: int) -> Fraction:
        return self.discrepancy[j] if j <= self.horizon else Fraction(0)

    def state(self, j: int) -> LFSR:
        """Berlekamp–Massey state after w*_0 … w*_{j−1}."""
        if j <= self.horizon:
            return self.states[j]
        return self.states[self.horizon].feed(self.terms, self.terms[self.horizon]).skip(j - self.horizon - 1)

    def best_c(self, j: int) -> Fraction:
        """The w_j − w*_j that attains g(j): −δ_j when the recurrence mispredicts w*_j, else 1."""
        delta = self.delta(j)
        return -delta if delta != 0 else Fraction(1)


def profile_of_terms(terms: Sequence[Any], one: Any = Fraction(1)) -> tuple[list[int], list[Any], list[LFSR]]:
    """(n_j, δ_j, state_j) for j < len(terms): complexity before term j, discrepancy at it, BM state.

    Field-generic (``one`` is the field's 1): the finite-field cross-check of C10 runs this same code.
    """
    state = LFSR.empty(one)
    complexity, discrepancy, states = [], [], []
    for x in terms:
        complexity.append(state.length)
        states.append(state)
        discrepancy.append(state.discrepancy(terms, x))
        state = state.feed(terms, x)
    return complexity, discrepancy, states


def teacher_profile(teacher: Teacher, extra: int = 0) -> TeacherProfile:
    """Berlekamp–Massey over the first 2D + 1 + ``extra`` terms (D = the realization's dimension)."""
    from tempx.theory.teacher_spec import check_profile_work

    D = teacher.as_rnn().d
    with check_profile_work(teacher, 2 * D + 1 + extra, "the linear-complexity profile"):
        terms = teacher.impulse_response(2 * D + 1 + extra)
        complexity, discrepancy, states = profile_of_terms(terms)
    dim = complexity[2 * D]
    # Invariants: n_j ≤ d* and n_j = d* from j = 2d* on (2D ≥ 2d* terms determine the sequence).
    return TeacherProfile(teacher, dim, tuple(terms), tuple(complexity), tuple(Fraction(x) for x in discrepancy),
                          tuple(states))


def d_min_search(n: Any, delta: Any, k: int, dim: int, c: Any = None) -> tuple[int, int]:
    """(min_{j ≥ k} g(j), the least j attaining it), j searched up to max(k, 2d*) (SPEC C10).

    ``n(j)`` and ``delta(j)`` give n_j and δ_j; with ``c`` the first difference is prescribed.
    """
    best: tuple[int, int] | None = None
    for j in range(k, max(k, 2 * dim) + 1):
        nj, dj = n(j), delta(j)
        if c is None:
            g = nj if dj != 0 else max(nj, j + 1 - nj)
        else:
            g = nj if c + dj == 0 else max(nj, j + 1 - nj)
        if best is None or g < best[0]:
            best = (g, j)
    assert best is not None
    return best


@dataclass(frozen=True)
class Threshold:
    """d_min(w*, k) and where it is attained: the first index j ≥ k at which the student differs.

    Attributes
    ----------
    k : int
        Training length.
    d_min : int
        The least dimension of a student with L_k = 0 and w ≠ w* (C10).
    first_difference : int
        The index j ≥ k of the first difference that attains it.
    c : Fraction
        The difference w_j − w*_j that attains it.
    teacher_dim : int
        The teacher's minimal dimension d*.
    """

    __repr__ = readable_repr  # long rationals and arrays summarized (tempx.theory.display)

    k: int
    d_min: int
    first_difference: int
    c: Fraction
    teacher_dim: int

    def as_dict(self) -> dict[str, Any]:
        return {"k": self.k, "d_min": self.d_min, "first_difference": self.first_difference}


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"k must be an int, got {type(k).__name__}")
    if k < 1:
        raise InvalidInput(f"k must be >= 1, got {k}")


def threshold(teacher: Teacher, k: int, c: object | None = None, profile: TeacherProfile | None = None) -> Threshold:
    """The least dimension of a student with :math:`L_k = 0` and :math:`w \\neq w^*` (C10), and where it differs.

    Parameters
    ----------
    teacher : Teacher
        An exact teacher (``parse_teacher``).
    k : int
        The training length, ``k >= 1``.
    c : rational, optional
        With ``c``, the student must also have :math:`w_j - w^*_j = c` at its first difference :math:`j`.
    profile : TeacherProfile, optional
        The teacher's precomputed profile (internal; computed when omitted).

    Returns
    -------
    Threshold
        ``d_min`` (the least student dimension), ``first_difference`` (the index :math:`j \\geq k` where the
        student first differs) and ``c``.

    Raises
    ------
    InvalidInput
        For ``k < 1`` or a teacher whose exact work is over the limit (a ``ValueError``).

    Examples
    --------

    >>> from tempx.theory.teacher_spec import parse_teacher
    >>> [threshold(parse_teacher("atoms:4/5@3/5,-1/2@2/5"), k).d_min for k in (4, 5, 9)]
    [3, 4, 8]
    """
    _check_k(k)
    cc = None if c is None else parse_rational(c)
    if cc is not None and cc == 0:
        raise InvalidInput("c must be nonzero (w_j = w*_j + c with c = 0 is the teacher itself)")
    prof = teacher_profile(teacher) if profile is None else profile
    g, j = d_min_search(prof.n, prof.delta, k, prof.dim, cc)
    return Threshold(k, g, j, prof.best_c(j) if cc is None else cc, prof.dim)


def student_recurrence(prof: TeacherProfile, j: int, c: Fraction) -> tuple[LFSR, list[Fraction]]:
    """The shortest recurrence of w*_0 … w*_{j−1}, (w*_j + c), and those j + 1 terms."""
    terms: Sequence[Fraction] = prof.terms if j < len(prof.terms) else prof.teacher.impulse_response(j + 1)
    seq = list(terms[: j + 1])
    seq[j] = seq[j] + c
    return prof.state(j).feed(seq, seq[j]), seq

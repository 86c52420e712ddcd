"""The teacher specification language: one parser, one typed result, used by every command.

Forms (numbers are exact rationals: ``3/2``, ``-0.5``, ``2``; "0.8" is 4/5):

    memoryless[:G]            w* = (G, 0, 0, …), G ≠ 0 (default G = 1)
    delay:M                   w* = e_M, i.e. y_t = x_{t−M}, M ≥ 0 an integer
    geometric:A[:G]           w*_i = G·A^i, G ≠ 0 (default 1)
    atoms:MU@W[,MU@W…]        w*_i = Σ_l W_l MU_l^i, distinct MU, W ≠ 0 (on M iff every W > 0)
    oscillating:A:B[:G]       w*_i = G·Re((A + iB)^i): complex-conjugate poles A ± iB, B ≠ 0
    impulse:V0,V1,…           that finite impulse response, then zeros
    file:PATH                 an exact RNN in the JSON schema of ``tempx counterexample``

Every teacher is an exact RNN realization plus its minimal dimension d* (by linear
complexity, ``tempx.theory.complexity``); ``numerics`` takes the float image of the same object.

Costs are bounded before the work (``tempx.theory.budget``): the memory of the dense exact
realization is estimated before it is built, and the Berlekamp–Massey work of d* before it runs.
Where the structure gives them in closed form, no work is done at all: a delay or a finite
impulse response is a shift (its terms are the values, d* = the index of the last nonzero + 1,
the Hankel matrix being anti-triangular), and n distinct atoms with nonzero weights have d* = n
(distinct poles with nonzero residues).  ``tests/test_teacher_spec.py`` checks each closed form
against Berlekamp–Massey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

from tempx.theory.budget import Stage, check_memory, check_work, exact_matrix_bytes, profile_bytes, profile_work
from tempx.theory.complexity import berlekamp_massey
from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational
from tempx.theory.files import read_json
from tempx.theory.rnn import ExactRNN
from tempx.theory.teachers import Memoryless, Teacher, TeacherRNN

__all__ = ["KINDS", "TEACHER_FORMS", "SpecTeacher", "parse_teacher", "teacher_dim"]

TEACHER_FORMS = ("memoryless[:G], delay:M, geometric:A[:G], atoms:MU@W[,MU@W...], oscillating:A:B[:G], "
                 "impulse:V0,V1,..., file:PATH (numbers exact, like 3/2, -0.5, 2)")
KINDS = ("memoryless", "delay", "geometric", "atoms", "oscillating", "impulse", "file")
MAX_DELAY = 100_000  # a delay M is realized by an (M+1)-dimensional shift; beyond this, refuse


def _bad(spec: str, why: str) -> InvalidInput:
    # a number's own message lists the number forms; the teacher forms follow as the one "allowed" list
    why = why.replace("(allowed: ", "(numbers: ")
    return InvalidInput(f"bad teacher {spec!r}: {why} (allowed: {TEACHER_FORMS})")


def _number(spec: str, text: str, what: str) -> Fraction:
    try:
        return parse_rational(text)
    except InvalidInput as err:
        raise _bad(spec, f"{what} must be an exact number: {err}") from None


def _bits(x: Fraction) -> int:
    return x.numerator.bit_length() + x.denominator.bit_length()


def check_profile_work(teacher: Teacher, n_terms: int, what: str) -> Stage:
    """Refuse Berlekamp–Massey over ``n_terms`` exact terms of ``teacher`` when it would take long: term i has
    about b(B) + b(C) + i·g bits, where g = log₂ Q + log₂ ‖Q·A‖_∞ (Q: A's common denominator) bounds the bits a power
    of A adds (b: a number's numerator and denominator bits).  Not the largest entry's bits: atoms
    1/2, 1/3, …, 1/121 have small entries, but the terms' denominators grow by lcm(2, …, 121), 175 bits, a step."""
    from tempx.theory import exact

    rnn = teacher.as_rnn()
    growth = exact.term_growth(exact.nonzero_rows(rnn.A))
    base = (max((_bits(x) for row in exact.nonzero_rows(rnn.B) for x in row), default=1)
            + max((_bits(x) for row in exact.nonzero_rows(rnn.C) for x in row), default=1))
    label = f"{what} of teacher {teacher.describe()[:60]!r} ({n_terms} exact terms)"
    check_memory(label, profile_bytes(n_terms, growth, base))
    return check_work(label, profile_work(n_terms, growth, base))


def teacher_dim(teacher: Teacher) -> int:
    """The minimal state dimension d* = ℓ(w*_0 … w*_{2D−1}) for a realization of dimension D.

    Any D-dimensional realization obeys a recurrence of order D forever (Cayley–Hamilton),
    so 2D terms determine the linear complexity of the whole impulse response.
    """
    D = teacher.as_rnn().d
    with check_profile_work(teacher, 2 * D, "the minimal dimension"):
        return berlekamp_massey(teacher.impulse_response(2 * D)).length


@dataclass(frozen=True)
class SpecTeacher:
    """A teacher read from a specification string: its exact realization and what it is.

    Attributes
    ----------
    spec : str
        The specification as given (``geometric:1/2``, ``atoms:…``, ``file:PATH``, …).
    kind : str
        Its kind (the part before the first colon).
    rnn : ExactRNN
        An exact rational realization of the teacher.
    values : dict
        The parsed parameters.

    Examples
    --------
    >>> from tempx.theory.teacher_spec import parse_teacher
    >>> t = parse_teacher("geometric:1/2")
    >>> t.kind, [str(w) for w in t.impulse_response(3)]
    ('geometric', ['1', '1/2', '1/4'])
    """

    spec: str
    kind: str
    rnn: ExactRNN
    values: dict[str, Any] = field(default_factory=dict, compare=False)

    @cached_property
    def dim(self) -> int:
        """Minimal dimension d* (exact: in closed form for shifts and atoms, else by linear complexity)."""
        if self.kind in ("delay", "impulse"):
            values = self.values["values"]
            return max((i + 1 for i, v in enumerate(values) if v != 0), default=0)
        if self.kind == "atoms":
            return len(self.values["nodes"])
        return teacher_dim(self)

    def impulse_response(self, n: int) -> tuple[Fraction, ...]:
        if self.kind in ("delay", "impulse"):  # a shift: its terms are its values, then zeros
            values = self.values["values"][:n]
            return (*values, *[Fraction(0)] * (n - len(values)))
        return self.rnn.impulse_response(n)

    def as_rnn(self) -> ExactRNN:
        return self.rnn

    def describe(self) -> str:
        return self.spec

    @property
    def on_M(self) -> bool | None:
        """For atoms: whether the measure Σ W_l δ_{MU_l} is positive (the teacher lies on M)."""
        if self.kind != "atoms":
            return None
        return all(w > 0 for w in self.values["weights"])


def _check_realization(spec: str, D: int, bits: int) -> None:
    check_memory(f"the exact realization of teacher {spec[:60]!r} ({D}×{D})", exact_matrix_bytes(D, D, bits))


def _shift_rnn(values: list[Fraction], spec: str = "impulse") -> ExactRNN:
    """Nilpotent shift of dimension m = len(values): w_i = values[i] for i < m, then zeros."""
    from tempx.theory import exact

    m = len(values)
    _check_realization(spec, m, max((_bits(v) for v in values), default=1))
    A = exact.from_nonzero({(i + 1, i): 1 for i in range(m - 1)}, (m, m))
    return ExactRNN(A, exact.column([1] + [0] * (m - 1)), exact.row(values))


def _diag_rnn(nodes: list[Fraction], weights: list[Fraction], spec: str = "atoms") -> ExactRNN:
    from tempx.theory import exact

    n = len(nodes)
    _check_realization(spec, n, max((_bits(v) for v in nodes + weights), default=1))
    A = exact.from_nonzero({(i, i): mu for i, mu in enumerate(nodes)}, (n, n))
    return ExactRNN(A, exact.column([1] * n), exact.row(weights))


def _read_file(spec: str, path_text: str) -> ExactRNN:
    if not path_text.strip():
        raise _bad(spec, "file: needs a path")
    try:
        doc = read_json(path_text, "teacher file", exact=True)  # decimals are taken exactly
    except InvalidInput as err:
        raise _bad(spec, str(err)) from None
    if not isinstance(doc, dict) or not all(key in doc for key in "ABC"):
        raise _bad(spec, f"{path_text!r} must hold a JSON object with keys A (d×d), B (d×1) and C (1×d)")
    try:
        return ExactRNN.from_entries(doc["A"], doc["B"], doc["C"])
    except (InvalidInput, TypeError, AttributeError) as err:
        raise _bad(spec, f"{path_text!r}: {err}") from None


def parse_teacher(spec: str | Teacher | ExactRNN | None) -> Teacher:
    """The exact teacher a specification string names.

    Parameters
    ----------
    spec : str, Teacher, ExactRNN or None
        ``memoryless[:G]``, ``delay:M``, ``geometric:A[:G]``, ``atoms:MU@W,...``, ``oscillating:A:B[:G]``,
        ``impulse:V0,V1,...``, ``file:PATH`` (numbers exact, like ``3/2``); a teacher or an RNN is taken as it is;
        ``None`` is the memoryless teacher.

    Returns
    -------
    Teacher
        Exact: its impulse response, minimal dimension ``dim``, and whether it lies in M (``on_M``).

    Raises
    ------
    InvalidInput
        For a malformed specification (one line naming what is allowed).

    Examples
    --------

    >>> t = parse_teacher("atoms:4/5@3/5,-1/2@2/5")
    >>> [str(w) for w in t.impulse_response(3)], t.dim, t.on_M
    (['1', '7/25', '121/250'], 2, True)
    >>> parse_teacher("geometric:0.5").impulse_response(3)
    (Fraction(1, 1), Fraction(1, 2), Fraction(1, 4))
    """
    if spec is None:
        return Memoryless()
    if isinstance(spec, ExactRNN):
        return TeacherRNN(spec)
    if not isinstance(spec, str):
        if isinstance(spec, Teacher):
            return spec
        raise TypeError(f"a teacher is a specification string, got {type(spec).__name__}")
    text = spec.strip()
    kind, sep, rest = text.partition(":")
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise _bad(spec, f"unknown kind {kind!r}")
    if kind == "file":
        return SpecTeacher(text, "file", _read_file(spec, rest.strip()), {"path": rest.strip()})
    parts = [p.strip() for p in rest.split(",")] if sep else []
    if sep and (not rest.strip() or any(not p for p in parts)):
        raise _bad(spec, f"empty value after {kind}:")
    if kind == "memoryless":
        fields = rest.split(":") if sep else []
        if len(fields) > 1 or len(parts) > 1:
            raise _bad(spec, "memoryless takes at most one gain G")
        gain = _number(spec, fields[0], "the gain G") if fields else Fraction(1)
        if gain == 0:
            raise _bad(spec, "the gain G must be nonzero")
        return Memoryless(gain)
    if not sep:
        raise _bad(spec, f"{kind} needs values after '{kind}:'")
    if kind == "delay":
        if len(parts) != 1:
            raise _bad(spec, "delay takes one integer M >= 0")
        try:
            M = int(parts[0])
        except ValueError:
            raise _bad(spec, f"the delay M must be an integer >= 0, got {parts[0]!r}") from None
        if not 0 <= M <= MAX_DELAY:
            raise _bad(spec, f"the delay M must be an integer in [0, {MAX_DELAY}], got {M}")
        values = [Fraction(0)] * M + [Fraction(1)]
        return SpecTeacher(text, "delay", _shift_rnn(values, text), {"delay": M, "values": values})
    if kind == "geometric":
        fields = [f.strip() for f in rest.split(":")]
        if len(fields) > 2 or len(parts) != 1 or any(not f for f in fields):
            raise _bad(spec, "geometric takes a ratio A and an optional gain G, as geometric:A or geometric:A:G")
        a = _number(spec, fields[0], "the ratio A")
        g = _number(spec, fields[1], "the gain G") if len(fields) == 2 else Fraction(1)
        if g == 0:
            raise _bad(spec, "the gain G must be nonzero")
        return SpecTeacher(text, "geometric", ExactRNN.from_entries([[a]], [1], [g]), {"ratio": a, "gain": g})
    if kind == "oscillating":
        fields = [f.strip() for f in rest.split(":")]
        if len(fields) not in (2, 3) or len(parts) != 1 or any(not f for f in fields):
            raise _bad(spec, "oscillating takes the poles A ± iB and an optional gain G, as oscillating:A:B[:G]")
        a, b = _number(spec, fields[0], "the real part A"), _number(spec, fields[1], "the imaginary part B")
        g = _number(spec, fields[2], "the gain G") if len(fields) == 3 else Fraction(1)
        if b == 0:
            raise _bad(spec, "the imaginary part B must be nonzero (B = 0 is geometric:A)")
        if g == 0:
            raise _bad(spec, "the gain G must be nonzero")
        rnn = ExactRNN.from_entries([[a, -b], [b, a]], [1, 0], [g, 0])  # C (A + iB)^i e_1 = G Re((A + iB)^i)
        return SpecTeacher(text, "oscillating", rnn, {"real": a, "imag": b, "gain": g})
    if kind == "atoms":
        nodes, weights = [], []
        for p in parts:
            mu_text, at, w_text = p.partition("@")
            if not at or not mu_text.strip() or not w_text.strip():
                raise _bad(spec, f"each atom is MU@W, got {p!r}")
            mu, w = _number(spec, mu_text, "an atom MU"), _number(spec, w_text, "a weight W")
            if w == 0:
                raise _bad(spec, f"the weight of atom {mu} is zero (drop the atom instead)")
            if mu in nodes:
                raise _bad(spec, f"atom {mu} appears twice (atoms must be distinct)")
            nodes.append(mu)
            weights.append(w)
        return SpecTeacher(text, "atoms", _diag_rnn(nodes, weights, text), {"nodes": nodes, "weights": weights})
    values = [_number(spec, p, "an impulse-response value") for p in parts]  # impulse
    while len(values) > 1 and values[-1] == 0:
        values.pop()  # trailing zeros change nothing: keep the realization minimal
    return SpecTeacher(text, "impulse", _shift_rnn(values, text), {"values": values})

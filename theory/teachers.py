"""Teachers: the impulse response w* that the student RNN is trained to match.

The memoryless teacher y_t = g x_t has w* = (g, 0, 0, …); it is the 1-dimensional RNN
A* = 0, B* = 1, C* = g (SPEC §1).  A general teacher is any exact RNN.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol, runtime_checkable

from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational
from tempx.theory.rnn import ExactRNN

__all__ = ["Memoryless", "Teacher", "TeacherRNN", "as_teacher"]


@runtime_checkable
class Teacher(Protocol):
    """Anything with an impulse response and a state dimension (for C3's d + d* ≤ k).

    A protocol: ``impulse_response(n)`` returns w*_0 … w*_{n−1} exactly and ``dim`` the state
    dimension d* of a realization.  ``Memoryless``, ``TeacherRNN`` and ``SpecTeacher`` satisfy it.

    Examples
    --------
    >>> isinstance(Memoryless(), Teacher)
    True
    """

    @property
    def dim(self) -> int: ...

    def impulse_response(self, n: int) -> tuple[Fraction, ...]: ...

    def as_rnn(self) -> ExactRNN: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Memoryless:
    """The memoryless teacher y_t = gain · x_t, i.e. w* = (gain, 0, 0, …).

    Attributes
    ----------
    gain : Fraction
        g ≠ 0 (default 1).

    Examples
    --------
    >>> Memoryless().impulse_response(3)
    (Fraction(1, 1), Fraction(0, 1), Fraction(0, 1))
    """

    gain: Fraction = Fraction(1)

    def __post_init__(self) -> None:
        g = parse_rational(self.gain)
        if g == 0:
            raise InvalidInput("the memoryless teacher needs a gain g != 0")
        object.__setattr__(self, "gain", g)

    @property
    def dim(self) -> int:
        return 1

    def impulse_response(self, n: int) -> tuple[Fraction, ...]:
        if n < 0:
            raise InvalidInput(f"number of terms must be >= 0, got {n}")
        return tuple(self.gain if i == 0 else Fraction(0) for i in range(n))

    def as_rnn(self) -> ExactRNN:
        return ExactRNN.from_entries(A=[[0]], B=[1], C=[self.gain])

    def describe(self) -> str:
        return "memoryless" if self.gain == 1 else f"memoryless(gain={self.gain})"


@dataclass(frozen=True)
class TeacherRNN:
    """A general teacher given as an exact RNN of dimension d*.

    Attributes
    ----------
    rnn : ExactRNN
        The teacher's realization (A*, B*, C*).

    Examples
    --------
    >>> from tempx.theory import ExactRNN
    >>> t = TeacherRNN(ExactRNN.from_entries(A=[["1/2"]], B=[1], C=[1]))
    >>> t.dim, [str(w) for w in t.impulse_response(3)]
    (1, ['1', '1/2', '1/4'])
    """

    rnn: ExactRNN

    @property
    def dim(self) -> int:
        return self.rnn.d

    def impulse_response(self, n: int) -> tuple[Fraction, ...]:
        return self.rnn.impulse_response(n)

    def as_rnn(self) -> ExactRNN:
        return self.rnn

    def describe(self) -> str:
        return f"rnn(d*={self.dim})"


def as_teacher(teacher: Teacher | ExactRNN | None) -> Teacher:
    """None → memoryless with gain 1; an ExactRNN → TeacherRNN; a Teacher as is."""
    if teacher is None:
        return Memoryless()
    if isinstance(teacher, ExactRNN):
        return TeacherRNN(teacher)
    if isinstance(teacher, Teacher):
        return teacher
    raise TypeError(f"expected a teacher (a Teacher such as Memoryless, or an ExactRNN), got {type(teacher).__name__}")

"""The linear teacher of the float layer: its impulse response w*, memoryless or a small linear RNN.

Students (``tempx.numerics.students``) are trained to match it; every linear float teacher is the
entry-by-entry rounding of an exact teacher of ``tempx.theory.teacher_spec``.  This module is a floor
below the students (they import it; it imports none of them).  Non-linear teachers, which have
outputs but no impulse response, are built from students and live a floor above them
(``tempx.numerics.nonlinear_teachers``: ``NonlinearTeacher``, ``teacher_and_dim``), for the students
trained on data (tanh, relu, identity):

    rnn:ACT:N:SEED   a seeded random Elman RNN with N units and activation ACT (tanh, relu, identity,
                     or one registered): A with N(0, 0.81/N) entries (spectral radius ≈ 0.9), B with
                     N(0, 1) entries, C with N(0, 1/N) entries, drawn from numpy's generator at SEED
    file:PATH        a saved non-linear student of one model (``tempx train --save-params``, JSON or
                     .npz); any other ``file:`` is an exact linear RNN (``tempx.theory.teacher_spec``)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tempx.theory.errors import InvalidInput

__all__ = ["FloatArray", "Teacher", "memoryless", "teacher_from_spec", "teacher_rnn"]

FloatArray = NDArray[np.float64]


def _as_float_array(x: Any, name: str, ndim: int, dtype: Any = np.float64) -> FloatArray:
    """A validated copy (callers' arrays are never aliased): float64, or complex128 for complex parameters."""
    try:
        arr = np.array(x, dtype=dtype)
    except (TypeError, ValueError):
        kind = "complex numbers" if dtype is np.complex128 else "numbers"
        raise InvalidInput(f"{name} must be an array of {kind}") from None
    if arr.ndim != ndim:
        raise InvalidInput(f"{name} must have {ndim} dimensions, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidInput(f"{name} has non-finite entries (NaN or infinity)")
    return arr


@dataclass(frozen=True, eq=False)
class Teacher:
    """A teacher impulse response w* in float64: memoryless (gain g) or a small linear RNN (A*, B*, C*).

    Attributes
    ----------
    A, B, C : ndarray
        The teacher's realization, (d*, d*), (d*, 1), (1, d*).
    name : str
        A readable name (``memoryless``, the specification, …).
    k : int or None
        A length the teacher was made for, if any.
    """

    A: FloatArray
    B: FloatArray
    C: FloatArray
    name: str
    k: int | None = None
    linear = True  # its outputs are the convolution with w* (NonlinearTeacher: False)

    @property
    def dim(self) -> int:
        return int(self.A.shape[0])

    def impulse_response(self, n: int) -> FloatArray:
        """(w*_0, …, w*_{n−1}) as a float64 vector."""
        out = np.empty(n)
        v = self.B[:, 0].copy()
        for i in range(n):
            out[i] = self.C[0] @ v
            v = self.A @ v
        return out


def memoryless(k: int | None = None, gain: float = 1.0) -> Teacher:
    """The memoryless teacher :math:`y_t = g\\,x_t`, whose impulse response is :math:`w^* = (g, 0, 0, \\dots)`.

    Parameters
    ----------
    k : int, optional
        The training length, recorded with the teacher.
    gain : float, optional
        :math:`g` (default 1).

    Returns
    -------
    Teacher
        The float teacher (A = 0, B = 1, C = gain).

    Examples
    --------

    >>> memoryless(5).impulse_response(3)
    array([1., 0., 0.])
    """
    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1):
        raise InvalidInput(f"k must be an integer >= 1, got {k!r}")
    g = float(gain)
    if not np.isfinite(g) or g == 0:
        raise InvalidInput(f"gain must be a finite nonzero number, got {gain!r}")
    name = "memoryless" if g == 1 else f"memoryless(gain={g:g})"  # the exact layer's name (theory.teachers)
    return Teacher(np.zeros((1, 1)), np.ones((1, 1)), np.full((1, 1), g), name, k)


def teacher_rnn(A: Any, B: Any, C: Any, k: int | None = None) -> Teacher:
    """A float64 teacher given as one small RNN (A*, B*, C*).

    Parameters
    ----------
    A : array_like
        (d*, d*).
    B : array_like
        (d*,) or (d*, 1).
    C : array_like
        (d*,) or (1, d*).
    k : int, optional
        A length the teacher is made for.

    Returns
    -------
    Teacher

    Raises
    ------
    InvalidInput
        For shapes that do not fit or entries that are not real numbers.

    Examples
    --------
    >>> t = teacher_rnn([[0.5]], [1.0], [1.0])
    >>> t.A.shape, t.B.shape, t.C.shape
    ((1, 1), (1, 1), (1, 1))
    """
    A_ = _as_float_array(A, "teacher A", 2)
    d = A_.shape[0]
    B_ = _as_float_array(np.reshape(B, (-1, 1)), "teacher B", 2)
    C_ = _as_float_array(np.reshape(C, (1, -1)), "teacher C", 2)
    if A_.shape != (d, d) or B_.shape != (d, 1) or C_.shape != (1, d):
        raise InvalidInput(f"teacher shapes do not fit: A {A_.shape}, B {B_.shape}, C {C_.shape}")
    return Teacher(A_, B_, C_, f"rnn(d*={d})", k)


def teacher_from_spec(spec: Any = None, k: int | None = None) -> Teacher:
    """The float64 image of the exact teacher a specification names (``tempx.theory.teacher_spec``).

    The exact realization is built first and rounded entry by entry, so the float and exact
    layers always mean the same teacher.

    Parameters
    ----------
    spec : str, optional
        A teacher specification: ``memoryless[:G]``, ``delay:M``, ``geometric:A[:G]``, ``atoms:MU@W,...``,
        ``oscillating:A:B[:G]``, ``impulse:V0,V1,...`` or ``file:PATH``; ``None`` is memoryless.
    k : int, optional
        The training length, recorded with the teacher.

    Returns
    -------
    Teacher
        Its float64 realization (A, B, C) and name.

    Raises
    ------
    InvalidInput
        For a malformed specification, entries beyond float64, or a realization over the memory limit.

    Examples
    --------

    >>> teacher_from_spec("atoms:4/5@3/5,-1/2@2/5").impulse_response(3)
    array([1.   , 0.28 , 0.484])
    """
    from tempx.theory.budget import check_memory
    from tempx.theory.teacher_spec import parse_teacher

    exact_teacher = parse_teacher(spec)
    rnn = exact_teacher.as_rnn()
    check_memory(f"the float64 image of teacher {exact_teacher.describe()[:60]!r}", 130.0 * rnn.d * rnn.d)
    try:
        A, B, C = (np.array([[float(x) for x in row] for row in rows], dtype=np.float64)
                   for rows in (rnn.as_lists()[m] for m in "ABC"))
    except OverflowError:
        raise InvalidInput(f"teacher {exact_teacher.describe()!r} has entries beyond float64 range") from None
    if k is not None and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1):
        raise InvalidInput(f"k must be an integer >= 1, got {k!r}")
    name = exact_teacher.describe()  # one name for a teacher in every command's output
    return Teacher(_as_float_array(A, "teacher A", 2), _as_float_array(B, "teacher B", 2),
                   _as_float_array(C, "teacher C", 2), name, k)

"""The teacher of the float layer: its impulse response w*, memoryless or a small linear RNN — or a
non-linear RNN, which has outputs but no impulse response.

Students (``tempx.numerics.students``) are trained to match it; every linear float teacher is the
entry-by-entry rounding of an exact teacher of ``tempx.theory.teacher_spec``.  Two more
specifications name non-linear teachers (``NonlinearTeacher``), for the students trained on data
(tanh, relu, identity):

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

__all__ = ["FloatArray", "NonlinearTeacher", "Teacher", "memoryless", "teacher_and_dim", "teacher_from_spec",
           "teacher_rnn"]

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
    """A teacher impulse response w*: memoryless (gain g) or a small linear RNN (A*, B*, C*)."""

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
    """The memoryless teacher y_t = gain · x_t (w* = (gain, 0, 0, …)); ``k`` records the training length.

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
    """A general teacher given as one small RNN: A* (d*, d*), B* (d*,) or (d*, 1), C* (d*,) or (1, d*)."""
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


NONLINEAR_TEACHER_FORMS = "rnn:ACT:N:SEED, file:PATH of a saved tanh/relu student (non-linear: --student tanh|relu|identity)"
MAX_TEACHER_UNITS = 4096  # rnn:ACT:N:SEED: the largest N (its A alone is 128 MiB)


@dataclass(frozen=True, eq=False)
class NonlinearTeacher:
    """A teacher that is one Elman RNN h_t = φ(A h_{t−1} + B x_t), y_t = C h_t, h_{−1} = 0 (float64).

    It has outputs on input sequences, not an impulse response: the students it can teach are the
    ones trained on data or online sequences (tanh, relu, identity), and their L_q is the Monte Carlo
    estimate (``tempx.numerics.drivers.montecarlo``)."""

    A: FloatArray
    B: FloatArray
    C: FloatArray
    activation: str
    name: str
    k: int | None = None
    linear = False

    @property
    def dim(self) -> int:
        """Its number of units (not a minimal dimension: a non-linear RNN has no Hankel rank)."""
        return int(self.A.shape[0])

    def phi(self) -> Any:
        from tempx.numerics.students.elman import ACTIVATIONS

        return ACTIVATIONS[self.activation][0]

    def outputs(self, X: FloatArray) -> FloatArray:
        """y_t for every sequence (row) of X, (n, T)."""
        X = np.asarray(X, dtype=np.float64)
        phi = self.phi()
        h = np.zeros((X.shape[0], self.dim))
        Y = np.empty(X.shape)
        At, b, c = self.A.T, self.B[:, 0], self.C[0]
        for t in range(X.shape[1]):
            h = phi(h @ At + X[:, t, None] * b)
            Y[:, t] = h @ c
        return Y

    def check_student(self, student: Any) -> None:
        """Refuse a student that learns an impulse response (every linear student), in one line."""
        if not student.nonlinear:
            raise InvalidInput(f"the teacher {self.name} is a non-linear RNN: a {student.name} student learns an "
                               "impulse response; train a tanh, relu or identity student on data (--data) or online "
                               "(--online)")

    def impulse_response(self, n: int) -> FloatArray:
        raise InvalidInput(f"the teacher {self.name} is a non-linear RNN: it has no impulse response, so only "
                           "students trained on data or online sequences (tanh, relu, identity) can learn it")


def _int_field(text: str, what: str, spec: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidInput(f"teacher {spec!r}: {what} must be an integer in [{low}, {high}], got {text!r}")
    return int(text)


def random_rnn_teacher(spec: str, k: int | None = None) -> NonlinearTeacher:
    """``rnn:ACT:N:SEED``: a seeded random Elman RNN (the module docstring says how it is drawn)."""
    from tempx.numerics.students.elman import ACTIVATIONS
    from tempx.theory.budget import check_memory

    parts = spec.split(":")
    if len(parts) != 4:
        raise InvalidInput(f"teacher {spec!r}: the form is rnn:ACT:N:SEED (for example rnn:tanh:8:0)")
    _, act, n_text, seed_text = parts
    if act not in ACTIVATIONS:
        raise InvalidInput(f"teacher {spec!r}: unknown activation {act!r} (allowed: {', '.join(sorted(ACTIVATIONS))})")
    n = _int_field(n_text, "N (units)", spec, 1, MAX_TEACHER_UNITS)
    seed = _int_field(seed_text, "SEED", spec, 0, 2**63 - 1)
    check_memory(f"the random teacher {spec!r}", 8.0 * (n * n + 2 * n))
    rng = np.random.default_rng(seed)
    A = rng.normal(0.0, 0.9 / np.sqrt(n), (n, n))
    B = rng.normal(0.0, 1.0, (n, 1))
    C = rng.normal(0.0, 1.0 / np.sqrt(n), (1, n))
    return NonlinearTeacher(A, B, C, act, spec, k)


def saved_rnn_teacher(spec: str, k: int | None = None) -> NonlinearTeacher | None:
    """``file:PATH`` when PATH holds a saved non-linear student of one model; None for any other file."""
    from tempx.numerics.students import student_of
    from tempx.numerics.students.files import load_params

    path = spec[len("file:"):]
    if not path.endswith(".npz"):
        from tempx.theory.files import read_json

        doc = read_json(path, "teacher file")
        first = doc[0] if isinstance(doc, list) and doc else doc
        if not (isinstance(first, dict) and "student" in first):
            return None  # an exact RNN: the theory layer's file form
    params = load_params(path)
    student = student_of(params)
    if not student.nonlinear:
        return None
    if params.n_models != 1:
        raise InvalidInput(f"teacher {spec!r} holds {params.n_models} models; a teacher is one (save it with --n-models 1)")
    return NonlinearTeacher(params.A[0].copy(), params.B[0].copy(), params.C[0].copy(), params.activation,
                            f"file:{path} ({params.activation}, {params.d} units)", k)


def nonlinear_teacher(spec: Any, k: int | None = None) -> NonlinearTeacher | None:
    """The non-linear teacher a specification names, or None when it names a linear one."""
    if not isinstance(spec, str):
        return None
    if spec.startswith("rnn:"):
        return random_rnn_teacher(spec, k)
    if spec.startswith("file:"):
        return saved_rnn_teacher(spec, k)
    return None


def hankel_dimension(teacher: Teacher | NonlinearTeacher, dim: int, d: int) -> int:
    """The dimension that sizes the Hankel matrix of a learned impulse response (``hankel.hankel_size``):
    d* for a linear teacher; for a non-linear one min(units, d), as the student's rank is at most d (so a
    teacher of 4096 units does not ask for an 8193 × 8193 SVD of a 10-unit student)."""
    return dim if teacher.linear else min(dim, d)


def teacher_and_dim(spec: Any, k: int | None = None) -> tuple[Teacher | NonlinearTeacher, int]:
    """The float teacher of any specification and its dimension: the exact minimal d* of a linear teacher,
    the number of units of a non-linear one."""
    from tempx.theory.errors import InvalidInput
    from tempx.theory.teacher_spec import TEACHER_FORMS, parse_teacher

    t = nonlinear_teacher(spec, k)
    if t is not None:
        return t, t.dim
    try:
        return teacher_from_spec(spec, k), parse_teacher(spec).dim
    except InvalidInput as err:  # the float commands also take the non-linear forms: list them as allowed too
        text = str(err).replace(f"(allowed: {TEACHER_FORMS})", f"(allowed: {TEACHER_FORMS}; {NONLINEAR_TEACHER_FORMS})")
        raise type(err)(text) from None

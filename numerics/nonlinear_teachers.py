"""Teachers that are non-linear RNNs, and the float teacher of any specification (linear or not).

A floor above the students: a non-linear teacher is an Elman RNN (``students.elman``'s activations) or a
saved non-linear student (``students.files``); ``tempx.numerics.teachers`` (linear teachers) stays below
the students.  The specifications (``NONLINEAR_TEACHER_FORMS``) are described in that module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from tempx.numerics.students import student_of
from tempx.numerics.students.elman import ACTIVATIONS
from tempx.numerics.students.files import load_params
from tempx.numerics.teachers import FloatArray, Teacher, teacher_from_spec
from tempx.theory.errors import InvalidInput

__all__ = ["MAX_TEACHER_UNITS", "NONLINEAR_TEACHER_FORMS", "NonlinearTeacher", "hankel_dimension", "nonlinear_teacher",
           "random_rnn_teacher", "saved_rnn_teacher", "teacher_and_dim"]

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

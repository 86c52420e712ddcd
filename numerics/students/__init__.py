"""The students: each says how its parameters θ map to an impulse response and how a residual
pulls back (``protocol.Student``); the drivers and commands run any of them.

    dense     A, B, C real                   w_i = C A^i B                        (students.dense)
    diagonal  A = diag(λ), λ, b, c real      w_i = Σ c_j b_j λ_j^i                (students.diagonal)
    complex   λ, b, c complex, real output   w_i = Re Σ c_j b_j λ_j^i             (students.diagonal)
    lru       λ = exp(−e^ν + iθ), γ-scaled   w_i = Re Σ c_j γ_j b_j λ_j^i         (students.lru)
    identity, tanh, relu   Elman RNNs h_t = φ(A h_{t−1} + B x_t), ŷ_t = C h_t   (students.elman; trained on data)

Adding a student is one module with a ``Student`` subclass and one line in ``_REGISTRY`` below, or,
from outside the package, one call to ``register`` (docs/api.md walks through it).
"""

from __future__ import annotations

from typing import Any

from tempx.theory.errors import InvalidInput

__all__ = ["LINEAR", "STUDENTS", "get", "register", "student_of"]

# name → (module, instance): modules are imported on first use
_REGISTRY = {
    "dense": ("tempx.numerics.students.dense", "DENSE"),
    "diagonal": ("tempx.numerics.students.diagonal", "DIAGONAL"),
    "complex": ("tempx.numerics.students.diagonal", "COMPLEX"),
    "lru": ("tempx.numerics.students.lru", "LRU"),
    "identity": ("tempx.numerics.students.elman", "IDENTITY"),
    "tanh": ("tempx.numerics.students.elman", "TANH"),
    "relu": ("tempx.numerics.students.elman", "RELU"),
}
LINEAR = ("dense", "diagonal", "complex", "lru")  # impulse-response students (every command takes them)
STUDENTS = tuple(_REGISTRY)
_ADDED: dict[str, Any] = {}  # students registered at run time (``register``)


def register(student: Any) -> Any:
    """Make a ``Student`` instance known to the drivers by its ``name`` (a new name; returns the student)."""
    from tempx.numerics.students.protocol import Student

    if not isinstance(student, Student):
        raise TypeError(f"register takes a Student instance, got {type(student).__name__}")
    if student.name in _REGISTRY or student.name in _ADDED:
        raise InvalidInput(f"a student named {student.name!r} exists already")
    _ADDED[student.name] = student
    return student


def get(name: Any) -> Any:
    """The student called ``name`` (one of ``STUDENTS``)."""
    import importlib

    key = name.strip().lower() if isinstance(name, str) else name
    if key in _ADDED:
        return _ADDED[key]
    if key not in _REGISTRY:
        raise InvalidInput(f"unknown student {name!r} (allowed: {', '.join((*STUDENTS, *_ADDED))})")
    module, attr = _REGISTRY[key]
    return getattr(importlib.import_module(module), attr)


def student_of(params: Any) -> Any:
    """The student whose parameters ``params`` are (by type; complex diagonal modes: ``complex``)."""
    for name in (*STUDENTS, *_ADDED):
        s = get(name)
        if s.owns(params):
            return s
    raise TypeError(f"not the parameters of a student: {type(params).__name__} (students: {', '.join((*STUDENTS, *_ADDED))})")

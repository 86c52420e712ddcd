"""The students: each says how its parameters θ map to an impulse response and how a residual
pulls back (``protocol.Student``); the drivers and commands run any of them.

    dense     A, B, C real                   w_i = C A^i B                        (students.dense)
    diagonal  A = diag(λ), λ, b, c real      w_i = Σ c_j b_j λ_j^i                (students.diagonal)
    complex   λ, b, c complex, real output   w_i = Re Σ c_j b_j λ_j^i             (students.diagonal)
    lru       λ = exp(−e^ν + iθ), γ-scaled   w_i = Re Σ c_j γ_j b_j λ_j^i         (students.lru)

Adding a student is one module with a ``Student`` subclass and one line in ``_REGISTRY`` below
(docs/api.md walks through it).
"""

from __future__ import annotations

from typing import Any

from tempx.theory.errors import InvalidInput

__all__ = ["STUDENTS", "get", "student_of"]

# name → (module, instance): modules are imported on first use
_REGISTRY = {
    "dense": ("tempx.numerics.students.dense", "DENSE"),
    "diagonal": ("tempx.numerics.students.diagonal", "DIAGONAL"),
    "complex": ("tempx.numerics.students.diagonal", "COMPLEX"),
    "lru": ("tempx.numerics.students.lru", "LRU"),
}
STUDENTS = tuple(_REGISTRY)


def get(name: Any) -> Any:
    """The student called ``name`` (one of ``STUDENTS``)."""
    import importlib

    key = name.strip().lower() if isinstance(name, str) else name
    if key not in _REGISTRY:
        raise InvalidInput(f"unknown student {name!r} (allowed: {', '.join(STUDENTS)})")
    module, attr = _REGISTRY[key]
    return getattr(importlib.import_module(module), attr)


def student_of(params: Any) -> Any:
    """The student whose parameters ``params`` are (by type; complex diagonal modes: ``complex``)."""
    for name in STUDENTS:
        s = get(name)
        if isinstance(params, s.params_type) and (name != "diagonal" or not params.is_complex):
            return s
    raise TypeError(f"not the parameters of a student: {type(params).__name__} (students: {', '.join(STUDENTS)})")

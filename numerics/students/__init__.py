"""The students: each says how its parameters θ map to an impulse response and how a residual
pulls back (``protocol.Student``); the drivers and commands run any of them.

    dense     A, B, C real                   w_i = C A^i B                        (students.dense)
    diagonal  A = diag(λ), λ, b, c real      w_i = Σ c_j b_j λ_j^i                (students.diagonal)
    complex   λ, b, c complex, real output   w_i = Re Σ c_j b_j λ_j^i             (students.diagonal)
    lru       λ = exp(−e^ν + iθ), γ-scaled   w_i = Re Σ c_j γ_j b_j λ_j^i         (students.lru)
    identity, tanh, relu   Elman RNNs h_t = φ(A h_{t−1} + B x_t), ŷ_t = C h_t   (students.elman; trained on data)

Adding a student is one module with a ``Student`` subclass and one line in ``protocol._REGISTRY``, or,
from outside the package, one call to ``register`` (docs/api.md walks through it).
"""

from __future__ import annotations

from tempx.numerics.students.protocol import LINEAR, STUDENTS, get, register, student_of

__all__ = ["LINEAR", "STUDENTS", "get", "register", "student_of"]

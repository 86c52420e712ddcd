"""tempx.theory — the exact layer: rational RNNs, counterexamples and the claims registry.

Everything here is exact (python-flint rationals through sympy's DomainMatrix, and sympy
polynomial rings for symbolic identities); no floats are accepted.  It imports nothing
from ``numerics``.
"""

from __future__ import annotations

from theory.claims import CLAIMS, Claim, Evidence, Verdict, get_claim, verify
from theory.counterexamples import Counterexample, counterexample, cyclic, disguise_matrices, with_tail
from theory.errors import HypothesisViolation, InvalidInput
from theory.exact import parse_rational
from theory.losses import (
    Gradient,
    empirical_loss,
    extrapolation_loss,
    extrapolation_losses,
    gd_step,
    gradient,
    loss,
    loss_weights,
    noether,
    q_matrix,
    q_step_change,
    residuals,
)
from theory.rnn import ExactRNN, random_rnn, random_symmetric_rnn
from theory.teacher_spec import SpecTeacher, parse_teacher
from theory.teachers import Memoryless, Teacher, TeacherRNN
from theory.threshold import Threshold, threshold

__all__ = [
    "CLAIMS",
    "Claim",
    "Counterexample",
    "Evidence",
    "ExactRNN",
    "Gradient",
    "HypothesisViolation",
    "InvalidInput",
    "Memoryless",
    "SpecTeacher",
    "Teacher",
    "TeacherRNN",
    "Threshold",
    "Verdict",
    "counterexample",
    "cyclic",
    "disguise_matrices",
    "empirical_loss",
    "extrapolation_loss",
    "extrapolation_losses",
    "gd_step",
    "get_claim",
    "gradient",
    "loss",
    "loss_weights",
    "noether",
    "parse_rational",
    "parse_teacher",
    "q_matrix",
    "q_step_change",
    "random_rnn",
    "random_symmetric_rnn",
    "residuals",
    "threshold",
    "verify",
    "with_tail",
]

"""tempx.theory — the exact layer: rational RNNs, counterexamples and the claims registry.

Everything here is exact (python-flint rationals through sympy's DomainMatrix, and sympy
polynomial rings for symbolic identities); no floats are accepted.  It imports nothing
from ``numerics``.
"""

from __future__ import annotations

# Public names are loaded on first use (PEP 562): importing one submodule (theory.errors,
# say) does not pay for sympy and the claims registry.
_PUBLIC = {
    "CLAIMS": "theory.claims",
    "Claim": "theory.claims",
    "Evidence": "theory.claims",
    "Verdict": "theory.claims",
    "get_claim": "theory.claims",
    "verify": "theory.claims",
    "Counterexample": "theory.counterexamples",
    "counterexample": "theory.counterexamples",
    "cyclic": "theory.counterexamples",
    "disguise_matrices": "theory.counterexamples",
    "with_tail": "theory.counterexamples",
    "HypothesisViolation": "theory.errors",
    "InvalidInput": "theory.errors",
    "parse_rational": "theory.exact",
    "Gradient": "theory.losses",
    "empirical_loss": "theory.losses",
    "extrapolation_loss": "theory.losses",
    "extrapolation_losses": "theory.losses",
    "gd_step": "theory.losses",
    "gradient": "theory.losses",
    "loss": "theory.losses",
    "loss_weights": "theory.losses",
    "noether": "theory.losses",
    "q_matrix": "theory.losses",
    "q_step_change": "theory.losses",
    "residuals": "theory.losses",
    "ExactRNN": "theory.rnn",
    "random_rnn": "theory.rnn",
    "random_symmetric_rnn": "theory.rnn",
    "SpecTeacher": "theory.teacher_spec",
    "parse_teacher": "theory.teacher_spec",
    "Memoryless": "theory.teachers",
    "Teacher": "theory.teachers",
    "TeacherRNN": "theory.teachers",
}

# ``threshold`` names both a submodule and its main function: bind the function eagerly, so a
# later ``import theory.threshold`` (which binds the module on first load only) cannot shadow it.
from theory.threshold import Threshold, threshold  # noqa: E402


def __getattr__(name: str) -> object:
    if name in _PUBLIC:
        import importlib

        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'theory' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


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

"""tempx.theory — the exact layer: rational RNNs, counterexamples and the claims registry.

Everything here is exact (python-flint rationals through sympy's DomainMatrix, and sympy
polynomial rings for symbolic identities); no floats are accepted.  It imports nothing
from ``numerics``.
"""

from __future__ import annotations

if __name__ != "tempx.theory":  # the folder theory/ of a source checkout, imported under its folder name
    raise ImportError("theory/ is the source of tempx.theory: import tempx.theory (after pip install .)")

# Public names are loaded on first use (PEP 562): importing one submodule (tempx.theory.errors,
# say) does not pay for sympy and the claims registry.
_PUBLIC = {
    "CLAIMS": "tempx.theory.claims",
    "Claim": "tempx.theory.claims",
    "Evidence": "tempx.theory.claims",
    "Verdict": "tempx.theory.claims",
    "get_claim": "tempx.theory.claims",
    "verify": "tempx.theory.claims",
    "Counterexample": "tempx.theory.counterexamples",
    "counterexample": "tempx.theory.counterexamples",
    "cyclic": "tempx.theory.counterexamples",
    "disguise_matrices": "tempx.theory.counterexamples",
    "disguised": "tempx.theory.counterexamples",
    "with_tail": "tempx.theory.counterexamples",
    "HypothesisViolation": "tempx.theory.errors",
    "InvalidInput": "tempx.theory.errors",
    "parse_rational": "tempx.theory.exact",
    "Gradient": "tempx.theory.losses",
    "empirical_loss": "tempx.theory.losses",
    "extrapolation_loss": "tempx.theory.losses",
    "extrapolation_losses": "tempx.theory.losses",
    "gd_step": "tempx.theory.losses",
    "gradient": "tempx.theory.losses",
    "loss": "tempx.theory.losses",
    "loss_weights": "tempx.theory.losses",
    "noether": "tempx.theory.losses",
    "q_matrix": "tempx.theory.losses",
    "q_step_change": "tempx.theory.losses",
    "residuals": "tempx.theory.losses",
    "ExactRNN": "tempx.theory.rnn",
    "random_rnn": "tempx.theory.rnn",
    "random_symmetric_rnn": "tempx.theory.rnn",
    "SpecTeacher": "tempx.theory.teacher_spec",
    "parse_teacher": "tempx.theory.teacher_spec",
    "Memoryless": "tempx.theory.teachers",
    "Teacher": "tempx.theory.teachers",
    "TeacherRNN": "tempx.theory.teachers",
}

# ``threshold`` names both a submodule and its main function: bind the function eagerly, so a
# later ``import tempx.theory.threshold`` (which binds the module on first load only) cannot shadow it.
from tempx.theory.threshold import Threshold, threshold


def __getattr__(name: str) -> object:
    if name in _PUBLIC:
        import importlib

        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tempx.theory' has no attribute {name!r}")


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
    "disguised",
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

"""tempx — verify, exactly and numerically, when recurrent neural networks extrapolate in time.

Two layers, one import name:

- ``tempx.theory``: the exact layer (rational RNNs, counterexamples, thresholds, the claims
  registry); no floats.
- ``tempx.numerics``: the float64 layer (batched gradient descent and flow, experiments,
  figures) and the ``tempx`` command line.

The names a newcomer needs first are here too, loaded on first use:

>>> import tempx
>>> ce = tempx.counterexample(3, d=3, c="2")
>>> [str(w) for w in ce.rnn.impulse_response(7)]
['1', '0', '0', '2', '0', '0', '4']
>>> tempx.threshold(tempx.parse_teacher("memoryless"), 5).d_min
5
"""

from __future__ import annotations

import importlib

__version__ = "0.2.0"

# name -> the module that defines it; loaded on first use (PEP 562), so that ``import tempx``
# pays for neither sympy nor numba until a name is used.
_PUBLIC = {
    "counterexample": "tempx.theory.counterexamples",
    "verify": "tempx.theory.claims",
    "CLAIMS": "tempx.theory.claims",
    "threshold": "tempx.theory.threshold",
    "loss": "tempx.theory.losses",
    "ExactRNN": "tempx.theory.rnn",
    "parse_teacher": "tempx.theory.teacher_spec",
    "InvalidInput": "tempx.theory.errors",
    "read_exact": "tempx.theory.linf",
    "gd": "tempx.numerics.drivers.descent",
    "flow_limit": "tempx.numerics.drivers.limit",
    "init_gaussian": "tempx.numerics.students.init",
    "memoryless": "tempx.numerics.teachers",
    "teacher_from_spec": "tempx.numerics.teachers",
}
_SUBPACKAGES = ("theory", "numerics")


def __getattr__(name: str) -> object:
    if name in _SUBPACKAGES:
        return importlib.import_module(f"tempx.{name}")
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tempx' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "CLAIMS",
    "ExactRNN",
    "InvalidInput",
    "__version__",
    "counterexample",
    "flow_limit",
    "gd",
    "init_gaussian",
    "loss",
    "memoryless",
    "numerics",
    "parse_teacher",
    "read_exact",
    "teacher_from_spec",
    "theory",
    "threshold",
    "verify",
]

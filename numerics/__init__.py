"""tempx.numerics — float64 gradient descent and flow on batches of linear RNNs, and the CLI.

Public API (names fixed for scripts, docs and benchmarks):

>>> from tempx import numerics
>>> params = numerics.init_gaussian(4, 20, 0.1, seed=0)
>>> result = numerics.gd(params, numerics.memoryless(5), 5, lr=0.02, steps=100)
>>> result.status
('max_steps', 'max_steps', 'max_steps', 'max_steps')
"""

from __future__ import annotations

if __name__ != "tempx.numerics":  # the folder numerics/ of a source checkout, imported under its folder name
    raise ImportError("numerics/ is the source of tempx.numerics: import tempx.numerics (after pip install .)")

# Public names are loaded on first use (PEP 562), so that `tempx counterexample` and
# `tempx verify` do not pay for scipy and matplotlib at start-up.
_PUBLIC = {
    "FlowResult": "tempx.numerics.drivers.flow",
    "gradient_flow": "tempx.numerics.drivers.flow",
    "GDResult": "tempx.numerics.drivers.descent",
    "evaluate": "tempx.numerics.drivers.descent",
    "gd": "tempx.numerics.drivers.descent",
    "Certificate": "tempx.numerics.highprec",
    "certify_extrapolation_loss": "tempx.numerics.highprec",
    "init_counterexample": "tempx.numerics.students.init",
    "init_gaussian": "tempx.numerics.students.init",
    "init_symmetric": "tempx.numerics.students.init",
    "load_params": "tempx.numerics.students.files",
    "save_params": "tempx.numerics.students.files",
    "Grad": "tempx.numerics.students.dense",
    "empirical_moment": "tempx.numerics.losses",
    "extrapolation_losses": "tempx.numerics.extrapolation",
    "impulse_response": "tempx.numerics.students.dense",
    "loss_and_grad": "tempx.numerics.students.dense",
    "Params": "tempx.numerics.students.dense",
    "Teacher": "tempx.numerics.teachers",
    "memoryless": "tempx.numerics.teachers",
    "teacher_rnn": "tempx.numerics.teachers",
    "teacher_from_spec": "tempx.numerics.teachers",
    "hankel_rank": "tempx.numerics.hankel",
    "hankel_singular_values": "tempx.numerics.hankel",
    "LimitResult": "tempx.numerics.drivers.limit",
    "flow_limit": "tempx.numerics.drivers.limit",
}


def __getattr__(name: str) -> object:
    if name in _PUBLIC:
        import importlib

        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tempx.numerics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Certificate",
    "FlowResult",
    "GDResult",
    "Grad",
    "LimitResult",
    "Params",
    "Teacher",
    "certify_extrapolation_loss",
    "empirical_moment",
    "evaluate",
    "extrapolation_losses",
    "flow_limit",
    "gd",
    "gradient_flow",
    "hankel_rank",
    "hankel_singular_values",
    "impulse_response",
    "init_counterexample",
    "init_gaussian",
    "init_symmetric",
    "load_params",
    "loss_and_grad",
    "memoryless",
    "save_params",
    "teacher_from_spec",
    "teacher_rnn",
]

"""tempx.numerics — float64 gradient descent and flow on batches of linear RNNs, and the CLI.

Public API (names fixed for scripts, docs and benchmarks):

>>> import numerics
>>> params = numerics.init_gaussian(4, 20, 0.1, seed=0)
>>> result = numerics.gd(params, numerics.memoryless(5), 5, lr=0.02, steps=100)
>>> result.status
('max_steps', 'max_steps', 'max_steps', 'max_steps')
"""

from __future__ import annotations

__version__ = "0.1.0"

# Public names are loaded on first use (PEP 562), so that `tempx counterexample` and
# `tempx verify` do not pay for scipy and matplotlib at start-up.
_PUBLIC = {
    "FlowResult": "numerics.flow",
    "gradient_flow": "numerics.flow",
    "GDResult": "numerics.descent",
    "evaluate": "numerics.descent",
    "gd": "numerics.descent",
    "Certificate": "numerics.highprec",
    "certify_extrapolation_loss": "numerics.highprec",
    "init_counterexample": "numerics.init",
    "init_gaussian": "numerics.init",
    "init_symmetric": "numerics.init",
    "load_params": "numerics.init",
    "save_params": "numerics.init",
    "Grad": "numerics.losses",
    "empirical_moment": "numerics.losses",
    "extrapolation_losses": "numerics.losses",
    "impulse_response": "numerics.losses",
    "loss_and_grad": "numerics.losses",
    "Params": "numerics.params",
    "Teacher": "numerics.params",
    "memoryless": "numerics.params",
    "teacher_rnn": "numerics.params",
    "teacher_from_spec": "numerics.params",
    "hankel_rank": "numerics.hankel",
    "hankel_singular_values": "numerics.hankel",
    "LimitResult": "numerics.limit",
    "flow_limit": "numerics.limit",
}


def __getattr__(name: str) -> object:
    if name in _PUBLIC:
        import importlib

        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'numerics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Certificate",
    "FlowResult",
    "GDResult",
    "Grad",
    "Params",
    "Teacher",
    "__version__",
    "certify_extrapolation_loss",
    "empirical_moment",
    "evaluate",
    "extrapolation_losses",
    "gd",
    "gradient_flow",
    "impulse_response",
    "init_counterexample",
    "init_gaussian",
    "init_symmetric",
    "load_params",
    "loss_and_grad",
    "memoryless",
    "save_params",
    "teacher_rnn",
    "teacher_from_spec",
    "hankel_rank",
    "hankel_singular_values",
    "LimitResult",
    "flow_limit",
]

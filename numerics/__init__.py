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

from numerics.flow import FlowResult, gradient_flow
from numerics.gd import GDResult, evaluate, gd
from numerics.highprec import Certificate, certify_extrapolation_loss
from numerics.init import init_counterexample, init_gaussian, init_symmetric, load_params, save_params
from numerics.losses import Grad, empirical_moment, extrapolation_losses, impulse_response, loss_and_grad
from numerics.params import Params, Teacher, memoryless, teacher_rnn

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
]

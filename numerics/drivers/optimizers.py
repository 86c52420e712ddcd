r"""Optimizers of the batched drivers: gradient descent and Adam, one small interface (init, update), state beside θ.

On the flat parameters θ (N, P) (complex parameters as their real and imaginary parts, as ``torch.optim.Adam`` treats
a complex tensor through ``view_as_real``), with the step's rate :math:`\eta_s` from the schedule:

- ``gd``: :math:`\theta \leftarrow \theta - \eta_s g`.
- ``adam`` (Kingma and Ba, bias-corrected, the order of operations of ``torch.optim.Adam``):
  :math:`m \leftarrow \beta_1 m + (1-\beta_1) g`, :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`,
  :math:`\theta \leftarrow \theta - \frac{\eta_s}{1-\beta_1^s}\, m / (\sqrt{v}/\sqrt{1-\beta_2^s} + \varepsilon)`.

Schedules: ``constant`` (:math:`\eta_s = \eta`) and ``cosine``
(:math:`\eta_s = \tfrac{\eta}{2}(1 + \cos(\pi (s-1)/S))` for s = 1 … S, as optax's ``cosine_decay_schedule`` and
torch's ``CosineAnnealingLR`` with :math:`\eta_{\min} = 0`).  Every operation acts on each model's own row, so a
model's trajectory does not depend on its batch, and nothing here calls BLAS.  Claim C17 (e) bounds Adam's step:
:func:`Optimizer.lr_sum` and ``tempx.theory.adam_bound`` turn a run into a bound on the budget G.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tempx.numerics.teachers import FloatArray
from tempx.theory.errors import InvalidInput

__all__ = ["OPTIMIZERS", "SCHEDULES", "Optimizer", "adam", "plain_gd"]

OPTIMIZERS = ("gd", "adam")
SCHEDULES = ("constant", "cosine")


@dataclass(frozen=True)
class Optimizer:
    """An optimizer and its schedule; ``init`` gives the state of a batch, ``update`` one step's change."""

    name: str = "gd"
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    schedule: str = "constant"

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise InvalidInput(f"unknown optimizer {self.name!r} (allowed: {', '.join(OPTIMIZERS)})")
        if self.schedule not in SCHEDULES:
            raise InvalidInput(f"unknown schedule {self.schedule!r} (allowed: {', '.join(SCHEDULES)})")
        for name in ("beta1", "beta2"):
            x = getattr(self, name)
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x < 1:
                raise InvalidInput(f"{name} must be a number in [0, 1), got {x!r}")
        if isinstance(self.eps, bool) or not isinstance(self.eps, (int, float)) or not (0 <= self.eps < math.inf):
            raise InvalidInput(f"eps must be a finite number >= 0, got {self.eps!r}")

    @property
    def plain(self) -> bool:
        """Plain gradient descent at a constant rate: what the compiled kernels run."""
        return self.name == "gd" and self.schedule == "constant"

    def rate(self, lr: float, t: int, steps: int) -> float:
        """:math:`\\eta` of step t (0-based) of ``steps``."""
        if self.schedule == "constant" or steps <= 0:
            return lr
        return lr * 0.5 * (1.0 + math.cos(math.pi * min(t, steps) / steps))

    def lr_sum(self, lr: float, steps: int) -> float:
        """An upper bound of :math:`\\sum_s \\eta_s` over the run (``math.fsum`` is correctly rounded; 1e-12 added)."""
        return math.fsum(self.rate(lr, t, steps) for t in range(steps)) * (1 + 1e-12)

    def init(self, theta: FloatArray) -> tuple[FloatArray, ...]:
        if self.name == "gd":
            return ()
        return (np.zeros_like(theta), np.zeros_like(theta))

    def update(self, g: FloatArray, state: tuple[FloatArray, ...], t: int, lr: float
               ) -> tuple[FloatArray, tuple[FloatArray, ...]]:
        """The change of θ at step t (0-based; Adam's bias correction uses s = t + 1) and the new state."""
        if self.name == "gd":
            return -lr * g, state
        m, v = state
        s = t + 1
        m = self.beta1 * m + (1.0 - self.beta1) * g
        v = self.beta2 * v + (1.0 - self.beta2) * (g * g)
        step = lr / (1.0 - self.beta1**s)
        denom = np.sqrt(v) / math.sqrt(1.0 - self.beta2**s) + self.eps
        with np.errstate(invalid="ignore", divide="ignore"):  # eps = 0 and a zero gradient: 0/0, no step
            delta = np.where(denom > 0, -step * m / np.where(denom > 0, denom, 1.0), 0.0)
        return delta, (m, v)

    @staticmethod
    def select(state: tuple[FloatArray, ...], keep: Any) -> tuple[FloatArray, ...]:
        """The state of the models that stay."""
        return tuple(x[keep] for x in state)

    def as_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "schedule": self.schedule}
        if self.name == "adam":
            doc.update(beta1=self.beta1, beta2=self.beta2, eps=self.eps)
        return doc


def plain_gd() -> Optimizer:
    """Gradient descent at a constant rate (the default of every driver)."""
    return Optimizer()


def adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, schedule: str = "constant") -> Optimizer:
    """Adam with these decay rates and schedule (defaults as in the paper and in torch and optax).

    Examples
    --------
    >>> import numpy as np
    >>> opt = adam()
    >>> delta, state = opt.update(np.array([[2.0, -1.0]]), opt.init(np.zeros((1, 2))), 0, 0.1)
    >>> np.round(delta, 6)  # the first step moves each coordinate by about η against its gradient's sign
    array([[-0.1,  0.1]])
    """
    return Optimizer("adam", beta1, beta2, eps, schedule)

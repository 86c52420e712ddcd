"""Monte Carlo check of the loss identity (C1): simulate the RNN on random inputs.

The state recursion h_t = A h_{t−1} + B x_t, ŷ_t = C h_t is run on n i.i.d. input sequences
(Gaussian, or Rademacher ±1: any mean-0, variance-1 law), and the mean squared error at
t = k is compared with Σ_{i<k} r_i² via a confidence interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tempx.numerics.students.dense import Params
from tempx.numerics.teachers import Teacher
from tempx.theory.errors import InvalidInput

__all__ = ["MonteCarlo", "monte_carlo_loss"]


@dataclass(frozen=True)
class MonteCarlo:
    """Sample mean of the squared error at t = k and its standard error (one model)."""

    mean: float
    stderr: float
    n: int

    def contains(self, value: float, z: float = 5.0) -> bool:
        """Is ``value`` inside mean ± z·stderr?  (z = 5: a false alarm has probability < 1e-6.)"""
        return abs(self.mean - value) <= z * self.stderr


def monte_carlo_loss(
    params: Params, teacher: Teacher, k: int, n: int, seed: int, law: str = "gaussian", model: int = 0
) -> MonteCarlo:
    """Simulate model ``model`` on n sequences of length k; return the MSE at the last output."""
    if n < 2 or k < 1:
        raise InvalidInput(f"need n >= 2 samples and k >= 1, got n = {n}, k = {k}")
    rng = np.random.default_rng(seed)
    if law == "gaussian":
        X = rng.normal(size=(n, k))
    elif law == "rademacher":
        X = rng.choice([-1.0, 1.0], size=(n, k))
    else:
        raise InvalidInput(f"unknown input law {law!r} (allowed: gaussian, rademacher)")
    A, B, C = params.A[model], params.B[model, :, 0], params.C[model, 0]
    tA, tB, tC = teacher.A, teacher.B[:, 0], teacher.C[0]
    h = np.zeros((n, A.shape[0]))
    g = np.zeros((n, tA.shape[0]))
    for t in range(k):
        h = h @ A.T + X[:, t : t + 1] * B
        g = g @ tA.T + X[:, t : t + 1] * tB
    err2 = (h @ C - g @ tC) ** 2
    return MonteCarlo(mean=float(err2.mean()), stderr=float(err2.std(ddof=1) / np.sqrt(n)), n=n)

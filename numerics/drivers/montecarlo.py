"""Monte Carlo: the loss identity's check (C1), and the extrapolation loss of non-linear students.

The state recursion h_t = A h_{t−1} + B x_t, ŷ_t = C h_t is run on n i.i.d. input sequences
(Gaussian, or Rademacher ±1: any mean-0, variance-1 law), and the mean squared error at
t = k is compared with Σ_{i<k} r_i² via a confidence interval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tempx.numerics.blas_threads import with_single_blas_thread
from tempx.numerics.nonlinear_teachers import NonlinearTeacher
from tempx.numerics.students.dense import Params
from tempx.numerics.teachers import FloatArray, Teacher
from tempx.theory.errors import InvalidInput

__all__ = ["MC_SEQUENCES", "MonteCarlo", "extrapolation_mc", "monte_carlo_loss"]


@dataclass(frozen=True)
class MonteCarlo:
    """Sample mean of the squared error at t = k and its standard error (one model)."""

    mean: float
    stderr: float
    n: int

    def contains(self, value: float, z: float = 5.0) -> bool:
        """Is ``value`` inside mean ± z·stderr?  (z = 5: a false alarm has probability < 1e-6.)"""
        return abs(self.mean - value) <= z * self.stderr


@with_single_blas_thread
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


MC_SEQUENCES = 4096  # held-out sequences for the extrapolation loss of a non-linear student (default)


@with_single_blas_thread
def extrapolation_mc(params: Any, teacher: Teacher | NonlinearTeacher, qs: Sequence[int], n: int = MC_SEQUENCES, seed: int = 0
                     ) -> tuple[FloatArray, FloatArray]:
    """L_q = E (ŷ_{q−1} − y_{q−1})² for a student of any kind, estimated on n held-out Gaussian sequences of
    length max(q) (one run serves every q: outputs are causal): the sample mean and its standard error,
    each (N, len(qs)).  For a linear student this estimates Σ_{i<q} r_i² (C1)."""
    from tempx.numerics.students import student_of
    from tempx.numerics.students.elman import ACTIVATIONS

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise InvalidInput(f"the Monte Carlo estimate needs n >= 2 sequences, got {n!r}")
    qs = list(qs)
    N = params.n_models
    if not qs:
        return np.empty((N, 0)), np.empty((N, 0))
    student = student_of(params)
    phi = ACTIVATIONS[params.activation][0] if student.nonlinear else (lambda z: z)
    dense = student.to_dense(params)
    At, b, c = dense.A.transpose(0, 2, 1), dense.B[:, None, :, 0], dense.C[:, 0, :]
    tA, tB, tC = teacher.A, teacher.B[:, 0], teacher.C[0]
    tphi = teacher.phi() if isinstance(teacher, NonlinearTeacher) else (lambda z: z)
    rng = np.random.default_rng([seed, 0x4E1D])  # held out: a stream apart from training data and inits
    wanted = {q - 1: j for j, q in enumerate(qs)}
    mean, se = np.empty((N, len(qs))), np.empty((N, len(qs)))
    h = np.zeros((N, n, dense.d))
    g = np.zeros((n, tA.shape[0]))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(max(qs)):
            x = rng.normal(size=n)
            h = phi(h @ At + x[None, :, None] * b)
            g = tphi(g @ tA.T + x[:, None] * tB)
            if t in wanted:
                err2 = (np.einsum("nsd,nd->ns", h, c) - (g @ tC)[None, :]) ** 2
                mean[:, wanted[t]] = err2.mean(axis=1)
                se[:, wanted[t]] = err2.std(axis=1, ddof=1) / np.sqrt(n)
    bad = ~np.isfinite(mean)
    return np.where(bad, np.inf, mean), np.where(bad, np.inf, se)

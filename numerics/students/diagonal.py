r"""Diagonal (state-space-model) students, real and complex, in float64: parameters, losses, gradients.

A diagonal student has A = diag(λ), one coordinate per mode (S4D, LRU):

    real:     w_i = Σ_j c_j b_j λ_j^i                 λ, b, c ∈ ℝ^d
    complex:  w_i = Re Σ_j c_j b_j λ_j^i              λ, b, c ∈ ℂ^d (real output)

trained on the same losses as the dense student, L_ω = Σ_{i<k} ω_i r_i² (SPEC §1, C12).  With
ρ_i = ω_i r_i, S_j = Σ_i ρ_i λ_j^i and S'_j = Σ_i i ρ_i λ_j^{i−1} (one Horner pass each):

    real:     ∂L/∂b_j = 2 c_j S_j,   ∂L/∂c_j = 2 b_j S_j,   ∂L/∂λ_j = 2 c_j b_j S'_j
    complex:  the same with a complex conjugate, g = ∂L/∂Re + i ∂L/∂Im = 2 conj(…)

(for w = Re f(z) with f holomorphic, ∂w/∂Re z + i ∂w/∂Im z = conj f'(z)).  Cost O(k d) per
model.  A complex student is also a real dense RNN of dimension 2d (``to_dense``: 2×2 rotation
blocks), which is how its gradients are checked exactly against ``tempx.theory.losses.gradient``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tempx.numerics.losses import check_length, check_lengths, loss_weights
from tempx.numerics.students.dense import Params
from tempx.numerics.teachers import Teacher, _as_float_array
from tempx.theory.errors import InvalidInput

__all__ = ["STUDENTS", "DiagGrad", "DiagParams", "extrapolation_losses", "impulse_response", "loss_and_grad"]

STUDENTS = ("dense", "diagonal", "complex")
Array = NDArray[Any]


def _as_array(x: Any, name: str, complex_: bool) -> Array:
    return _as_float_array(x, name, 2, np.complex128 if complex_ else np.float64)


@dataclass(frozen=True, eq=False)
class DiagParams:
    """N diagonal students with d modes: λ, b, c of shape (N, d), float64 (real) or complex128."""

    lam: Array
    b: Array
    c: Array

    def __post_init__(self) -> None:
        complex_ = any(np.iscomplexobj(x) for x in (self.lam, self.b, self.c))
        arrays = [_as_array(x, n, complex_) for x, n in ((self.lam, "λ"), (self.b, "b"), (self.c, "c"))]
        if not (arrays[0].shape == arrays[1].shape == arrays[2].shape) or min(arrays[0].shape) < 1:
            raise InvalidInput(f"λ, b, c must share one shape (N, d) with N, d >= 1, got "
                               f"{arrays[0].shape}, {arrays[1].shape}, {arrays[2].shape}")
        for name, arr in zip(("lam", "b", "c"), arrays):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def is_complex(self) -> bool:
        return bool(np.iscomplexobj(self.lam))

    @property
    def student(self) -> str:
        return "complex" if self.is_complex else "diagonal"

    @property
    def n_models(self) -> int:
        return int(self.lam.shape[0])

    @property
    def d(self) -> int:
        return int(self.lam.shape[1])

    def select(self, index: Any) -> DiagParams:
        idx = np.atleast_1d(np.arange(self.n_models)[index])
        return DiagParams(self.lam[idx], self.b[idx], self.c[idx])

    @staticmethod
    def stack(batches: list[DiagParams]) -> DiagParams:
        return DiagParams(*(np.concatenate([getattr(p, m) for p in batches]) for m in ("lam", "b", "c")))

    def balance(self) -> Array:
        """b_j² − c_j² (real) or |b_j|² − |c_j|² (complex) per mode, (N, d): conserved by gradient flow (C12b)."""
        return np.abs(self.b) ** 2 - np.abs(self.c) ** 2

    def signs(self) -> Array:
        """sign(b_j c_j) (real) or the phase b_j conj(c_j)/|b_j c_j| (complex), (N, d); 0 for a dead mode (C12c)."""
        prod = self.b * np.conj(self.c)
        mag = np.abs(prod)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(mag > 0, prod / np.where(mag > 0, mag, 1), 0)

    def norms(self) -> dict[str, Array]:
        """‖balance‖ (the diagonal counterpart of ‖Q‖) and ‖λ‖ per model, for the tidy tables."""
        return {"Q_norm": np.linalg.norm(self.balance(), axis=1), "A_norm": np.linalg.norm(self.lam, axis=1)}

    def to_dense(self) -> Params:
        """The same students as dense real RNNs: diag(λ) (real), or 2×2 blocks [[x, −y], [y, x]] (complex, 2d states).

        Complex: the state z ∈ ℂ^d is (Re z, Im z) per mode; b → (Re b, Im b), c → (Re c, −Im c),
        so that C h = Re(c z).
        """
        N, d = self.lam.shape
        if not self.is_complex:
            A = np.zeros((N, d, d))
            A[:, np.arange(d), np.arange(d)] = self.lam
            return Params(A, self.b[:, :, None], self.c[:, None, :])
        A = np.zeros((N, 2 * d, 2 * d))
        x, y = self.lam.real, self.lam.imag
        e, o = 2 * np.arange(d), 2 * np.arange(d) + 1
        A[:, e, e], A[:, e, o], A[:, o, e], A[:, o, o] = x, -y, y, x
        B = np.zeros((N, 2 * d, 1))
        B[:, e, 0], B[:, o, 0] = self.b.real, self.b.imag
        C = np.zeros((N, 1, 2 * d))
        C[:, 0, e], C[:, 0, o] = self.c.real, -self.c.imag
        return Params(A, B, C)


@dataclass(frozen=True, eq=False)
class DiagGrad:
    """∇L per model: λ, b, c (N, d); complex students: ∂/∂Re + i ∂/∂Im."""

    lam: Array
    b: Array
    c: Array


def impulse_response(params: DiagParams, n: int) -> NDArray[np.float64]:
    """w_i for i < n, shape (N, n); overflow gives ±inf (never NaN), as the dense student."""
    out = np.empty((params.n_models, n))
    with np.errstate(over="ignore", invalid="ignore"):
        z = params.c * params.b
        for i in range(n):
            out[:, i] = np.sum(z, axis=1).real
            z = z * params.lam
    return np.where(np.isnan(out), np.inf, out)


def loss_and_grad(params: DiagParams, teacher: Teacher, k: int, weights: str | Sequence[float] | NDArray[np.float64] | None = None
                  ) -> tuple[NDArray[np.float64], DiagGrad]:
    """Loss L_ω (N,) and its gradient for every diagonal student (formulas in the module docstring)."""
    k = check_length(k)
    lam, b, c = params.lam, params.b, params.c
    powers = lam[:, None, :] ** np.arange(k)[None, :, None]  # (N, k, d)
    p = c * b
    w = np.einsum("nkd,nd->nk", powers, p).real
    r = w - teacher.impulse_response(k)[None, :]
    rho = r * loss_weights(k, weights)[None, :]
    loss = np.einsum("nk,nk->n", r, rho)
    S0 = np.einsum("nk,nkd->nd", rho, powers)
    ipow = np.concatenate([np.zeros_like(powers[:, :1]), powers[:, :-1] * np.arange(1, k)[None, :, None]], axis=1)
    S1 = np.einsum("nk,nkd->nd", rho, ipow)  # Σ_i i ρ_i λ^{i−1}
    conj = np.conj if params.is_complex else (lambda x: x)
    return loss, DiagGrad(lam=2.0 * conj(p * S1), b=2.0 * conj(c * S0), c=2.0 * conj(b * S0))


def extrapolation_losses(params: DiagParams, teacher: Teacher, qs: Sequence[int]) -> NDArray[np.float64]:
    """L_q for each q, (N, len(qs)); +inf where float64 overflowed."""
    qs = list(check_lengths(qs))
    if not qs:
        return np.empty((params.n_models, 0))
    r = impulse_response(params, max(qs)) - teacher.impulse_response(max(qs))[None, :]
    with np.errstate(over="ignore", invalid="ignore"):
        csum = np.cumsum(r * r, axis=1)
    csum = np.where(np.isnan(csum), np.inf, csum)
    return csum[:, [q - 1 for q in qs]]

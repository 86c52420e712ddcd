r"""The dense student: N linear RNNs (A, B, C), float64 — parameters, impulse response, gradient.

With ρ = ∂L/∂w / 2 (ρ_i = ω_i r_i for the population loss L_ω = Σ ω_i r_i², ρ = Σ̂ r for the
empirical loss L̂ = rᵀ Σ̂ r), U rows C A^j, V rows (A^l B)ᵀ and H_{jl} = ρ_{j+l+1}, the SPEC's
    ∇_A L = 2 Uᵀ H V,   ∇_B L = 2 Uᵀ ρ,   ∇_C L = 2 ρᵀ V
is evaluated in the order of a backward sweep: g_{k−1} = 2ρ_{k−1} Cᵀ, g_l = 2ρ_l Cᵀ + Aᵀ g_{l+1}
(so g_l = 2 Σ_j ρ_{l+j} u_jᵀ), and then
    ∇_A L = Σ_{l≥1} g_l v_{l−1}ᵀ = 2 Σ_j u_jᵀ Σ_l ρ_{j+l+1} v_l = 2 Uᵀ H V,   ∇_B L = g_0.
Same numbers, cost O(k d²) and memory O(k d) per model: H (k×k) is never formed, so the
training length can be as large as the mathematics allows.  No autograd, no matrix powers.
The exact versions (in the SPEC's Hankel form, an independent check) live in ``tempx.theory.losses``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tempx.numerics.losses import check_length, check_lengths, check_moment, loss_weights
from tempx.numerics.teachers import FloatArray, Teacher, _as_float_array
from tempx.theory.errors import InvalidInput

__all__ = ["Grad", "Params", "extrapolation_losses", "impulse_response", "krylov", "loss_and_grad", "residuals"]


@dataclass(frozen=True, eq=False)
class Params:
    """N linear RNNs of state dimension d: A (N, d, d), B (N, d, 1), C (N, 1, d), float64."""

    A: FloatArray
    B: FloatArray
    C: FloatArray

    def __post_init__(self) -> None:
        A = _as_float_array(self.A, "A", 3)
        B = _as_float_array(self.B, "B", 3)
        C = _as_float_array(self.C, "C", 3)
        n, d, d2 = A.shape
        if d != d2 or B.shape != (n, d, 1) or C.shape != (n, 1, d) or n < 1 or d < 1:
            raise InvalidInput(
                f"shapes do not fit N linear RNNs: A {A.shape}, B {B.shape}, C {C.shape} "
                "(need (N, d, d), (N, d, 1), (N, 1, d) with N, d >= 1)"
            )
        for name, arr in (("A", A), ("B", B), ("C", C)):
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    @property
    def n_models(self) -> int:
        return int(self.A.shape[0])

    @property
    def d(self) -> int:
        return int(self.A.shape[1])

    def select(self, index: Any) -> Params:
        """The models at ``index`` (an int, slice or index array), as a new batch."""
        idx = np.atleast_1d(np.arange(self.n_models)[index])
        return Params(self.A[idx], self.B[idx], self.C[idx])

    @staticmethod
    def stack(batches: list[Params]) -> Params:
        return Params(*(np.concatenate([getattr(p, m) for p in batches]) for m in "ABC"))

    def q_matrix(self) -> FloatArray:
        """Q = AAᵀ − AᵀA + BBᵀ − CᵀC per model, (N, d, d) (claim C4)."""
        A, B, C = self.A, self.B, self.C
        At = A.transpose(0, 2, 1)
        return A @ At - At @ A + B @ B.transpose(0, 2, 1) - C.transpose(0, 2, 1) @ C

    def norms(self) -> dict[str, FloatArray]:
        """‖Q‖_F, ‖A‖_F, ‖A − Aᵀ‖_F, ‖B − Cᵀ‖_F per model (distances from M and balance)."""
        A = self.A
        return {
            "Q_norm": np.linalg.norm(self.q_matrix(), axis=(1, 2)),
            "A_norm": np.linalg.norm(A, axis=(1, 2)),
            "A_asym": np.linalg.norm(A - A.transpose(0, 2, 1), axis=(1, 2)),
            "BC_gap": np.linalg.norm(self.B - self.C.transpose(0, 2, 1), axis=(1, 2)),
        }


@dataclass(frozen=True, eq=False)
class Grad:
    """∇L per model: A (N, d, d), B (N, d, 1), C (N, 1, d)."""

    A: FloatArray
    B: FloatArray
    C: FloatArray


def impulse_response(params: Params, n: int) -> FloatArray:
    """w_i = C A^i B for i < n, shape (N, n).  Overflow gives ±inf (never a silent NaN: see below)."""
    N = params.n_models
    out = np.empty((N, n))
    v = params.B[:, :, 0].copy()
    c = params.C[:, 0, :]
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n):
            out[:, i] = np.einsum("nd,nd->n", c, v)
            v = np.einsum("nij,nj->ni", params.A, v)
    # NaN can only come from inf − inf after an overflow: the magnitude exceeded float64.
    return np.where(np.isnan(out), np.inf, out)


def residuals(params: Params, teacher: Teacher, n: int) -> FloatArray:
    """r_i = w_i − w*_i, shape (N, n)."""
    return impulse_response(params, n) - teacher.impulse_response(n)[None, :]


def _sweep(start: FloatArray, M: FloatArray, k: int) -> FloatArray:
    """(N, k, d) with rows x_l = M^l x_0 for x_0 = ``start`` (N, d) and M (N, d, d)."""
    N, d = start.shape
    X = np.empty((N, k, d))
    x = start
    for l in range(k):
        X[:, l] = x
        if l + 1 < k:
            x = (M @ x[:, :, None])[:, :, 0]
    return X


def _forward(params: Params, k: int) -> FloatArray:
    """V (N, k, d) with rows (A^l B)ᵀ."""
    return _sweep(params.B[:, :, 0], params.A, k)


def krylov(params: Params, k: int) -> tuple[FloatArray, FloatArray]:
    """U (N, k, d) with rows C A^j and V (N, k, d) with rows (A^l B)ᵀ."""
    return _sweep(params.C[:, 0, :], params.A.transpose(0, 2, 1), k), _forward(params, k)


def loss_and_grad(
    params: Params,
    teacher: Teacher,
    k: int,
    weights: str | Sequence[float] | None = None,
    moment: FloatArray | None = None,
) -> tuple[FloatArray, Grad]:
    """Loss (N,) and its gradient for every model in the batch.

    Population loss L_ω = Σ_{i<k} ω_i r_i² by default (``weights``: last | all | vector);
    with ``moment`` = Σ̂ (see ``empirical_moment``) the empirical loss L̂ = rᵀ Σ̂ r instead.
    """
    k = check_length(k)
    V = _forward(params, k)
    C = params.C[:, 0, :]
    r = np.einsum("nkd,nd->nk", V, C) - teacher.impulse_response(k)[None, :]
    if moment is None:
        rho = r * loss_weights(k, weights)[None, :]
    else:
        rho = r @ check_moment(moment, k, weights)  # Σ̂ is symmetric
    loss = np.einsum("nk,nk->n", r, rho)
    G = np.empty_like(V)  # G[:, l] = g_l, the backward sweep
    At = params.A.transpose(0, 2, 1)
    g = 2.0 * rho[:, k - 1, None] * C
    G[:, k - 1] = g
    for l in range(k - 2, -1, -1):
        g = 2.0 * rho[:, l, None] * C + (At @ g[:, :, None])[:, :, 0]
        G[:, l] = g
    grad = Grad(
        A=G[:, 1:].transpose(0, 2, 1) @ V[:, :-1],
        B=G[:, 0, :, None].copy(),
        C=2.0 * (rho[:, None, :] @ V),
    )
    return loss, grad


def extrapolation_losses(params: Params, teacher: Teacher, qs: Sequence[int]) -> FloatArray:
    """L_q = Σ_{i<q} r_i² for each q, shape (N, len(qs)); +inf where float64 overflowed.

    One sweep of max(qs) steps that keeps running sums (memory O(N d), not O(N q)); q ≤ ``MAX_Q``.
    """
    qs = list(check_lengths(qs))
    if not qs:
        return np.empty((params.n_models, 0))
    n = max(qs)
    wanted = {q: j for j, q in enumerate(qs)}
    ws = teacher.impulse_response(n)
    N = params.n_models
    out = np.empty((N, len(qs)))
    total = np.zeros(N)
    v = params.B[:, :, 0].copy()
    c = params.C[:, 0, :]
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(n):
            r = np.einsum("nd,nd->n", c, v) - ws[i]
            total = total + r * r
            if i + 1 in wanted:
                for q, j in wanted.items():
                    if q == i + 1:
                        out[:, j] = total
            if i + 1 < n:
                v = np.einsum("nij,nj->ni", params.A, v)
    # NaN can only come from inf − inf after an overflow: the magnitude exceeded float64.
    return np.where(np.isnan(out), np.inf, out)

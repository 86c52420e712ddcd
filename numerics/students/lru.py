r"""The LRU student (Orvieto et al., 2023, "Resurrecting recurrent neural networks for long sequences").

Per mode j: λ_j = exp(−exp(ν_j) + iθ_j) (stable for every real ν_j, θ_j), inputs scaled by
γ_j = √(1 − |λ_j|²), and complex b_j, c_j with a real output:

    w_i = Re Σ_j c_j γ_j b_j λ_j^i.

With ρ the weighted residual, p = c γ b, S_j = Σ ρ_i λ_j^i, S'_j = Σ i ρ_i λ_j^{i−1} (``mode_sums``),
dλ/dθ = iλ, dλ/dν = −e^ν λ and dγ/dν = e^ν |λ|²/γ, the pullback (∂w/∂θ)ᵀρ is

    b: conj(c γ S),  c: conj(b γ S)  (as ∂/∂Re + i ∂/∂Im),  θ: Re(i λ p S'),  ν: Re(−e^ν λ p S' + c b γ' S).

Conserved by gradient flow: |b_j|² − |c_j|² per mode (w depends on b, c through c_j b_j only, so
the scaling b → s b, c → c/s is a symmetry; docs/claims.md, C12b for the LRU).  No other
quadratic quantity is conserved (the rotation b → e^{iφ} b, c → e^{−iφ} c has a skew generator).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tempx.numerics.students.dense import Params
from tempx.numerics.students.diagonal import DiagParams, join, mode_sums, split
from tempx.numerics.students.protocol import Batch, Student, check_init
from tempx.numerics.teachers import _as_float_array
from tempx.theory.errors import InvalidInput

__all__ = ["LRU", "LRUParams", "LRUStudent"]

Array = NDArray[Any]


@dataclass(frozen=True, eq=False)
class LRUParams(Batch):
    """N LRU students with d modes: ν, θ real (N, d); b, c complex (N, d)."""

    _fields = ("nu", "theta", "b", "c")

    nu: Array
    theta: Array
    b: Array
    c: Array

    def __post_init__(self) -> None:
        arrays = [_as_float_array(getattr(self, f), f, 2, np.float64 if f in ("nu", "theta") else np.complex128)
                  for f in ("nu", "theta", "b", "c")]
        if len({a.shape for a in arrays}) != 1 or min(arrays[0].shape) < 1:
            raise InvalidInput(f"ν, θ, b, c must share one shape (N, d) with N, d >= 1, got {[a.shape for a in arrays]}")
        if np.any(arrays[0] > 700):  # exp(ν) overflows beyond 709; λ is then 0 to every float64 digit
            raise InvalidInput("ν must be <= 700 (λ = exp(−exp(ν) + iθ) is already 0 in float64 there)")
        self._freeze(arrays)

    @property
    def lam(self) -> Array:
        return np.exp(-np.exp(self.nu) + 1j * self.theta)

    @property
    def gamma(self) -> Array:
        """γ = √(1 − |λ|²) = √(−expm1(−2 e^ν)) (accurate when |λ| is close to 1)."""
        return np.sqrt(-np.expm1(-2.0 * np.exp(self.nu)))

    def as_diagonal(self) -> DiagParams:
        """The same students as complex diagonal ones: λ, γ b, c (float64 values of the transcendental maps)."""
        return DiagParams(self.lam, self.gamma * self.b, self.c)


class LRUStudent(Student):
    name = "lru"
    params_type = LRUParams
    inits = ("ring", "symmetric")
    fields = ("nu", "theta", "b", "c")
    complex_fields = ("b", "c")
    description = "LRU students"

    def responses(self, params: LRUParams) -> Iterator[NDArray[np.float64]]:
        with np.errstate(over="ignore", invalid="ignore"):
            lam, z = params.lam, params.c * params.gamma * params.b
            while True:
                yield np.sum(z, axis=1).real
                z = z * lam

    def pullback(self, params: LRUParams, rho: NDArray[np.float64]) -> NDArray[np.float64]:
        lam, gamma, e = params.lam, params.gamma, np.exp(params.nu)
        S0, S1 = mode_sums(lam, rho)
        with np.errstate(divide="ignore", invalid="ignore"):  # γ = 0 only when e^ν underflows; then γ' → 0 too
            dgamma = np.where(gamma > 0, e * np.abs(lam) ** 2 / np.where(gamma > 0, gamma, 1.0), 0.0)
        p, cb = params.c * gamma * params.b, params.c * params.b
        g_nu = np.real(-e * lam * p * S1 + cb * dgamma * S0)
        g_theta = np.real(1j * lam * p * S1)
        g_bc = split(np.concatenate([np.conj(params.c * gamma * S0), np.conj(params.b * gamma * S0)], axis=1))
        return np.concatenate([g_nu, g_theta, g_bc], axis=1)

    def one_model(self, d: int, k: int, wstar: NDArray[np.float64], W: NDArray[np.float64]
                  ) -> Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]:
        """``pullback``'s formulas for one model on 1-D arrays, the powers λ_j^i as a (k, d) matrix P (as the
        diagonal student's ``one_model``): the flow's inner loop without batch axis or validation (tests compare)."""
        Wm = np.diag(W) if W.ndim == 1 else W
        steps = np.arange(1, k, dtype=float)
        P = np.empty((k, d), dtype=np.complex128)

        def loss_grad(y: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            nu, theta = y[:d], y[d:2 * d]
            b = y[2 * d:3 * d] + 1j * y[4 * d:5 * d]
            c = y[3 * d:4 * d] + 1j * y[5 * d:]
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                e = np.exp(nu)
                lam = np.exp(-e + 1j * theta)
                gamma = np.sqrt(-np.expm1(-2.0 * e))
                P[0] = 1.0
                for i in range(1, k):
                    np.multiply(P[i - 1], lam, out=P[i])
                cb = c * b
                p = cb * gamma
                r = (P @ p).real - wstar
                rho = Wm @ r
                S0 = rho @ P
                S1 = (steps * rho[1:]) @ P[:-1]
                dgamma = np.where(gamma > 0, e * np.abs(lam) ** 2 / np.where(gamma > 0, gamma, 1.0), 0.0)
                g_nu = np.real(-e * lam * p * S1 + cb * dgamma * S0)
                g_theta = np.real(1j * lam * p * S1)
                g_bc = np.concatenate([np.conj(c * gamma * S0), np.conj(b * gamma * S0)])
                g = 2.0 * np.concatenate([g_nu, g_theta, g_bc.real, g_bc.imag])
            return float(r @ rho), g

        return loss_grad

    def n_params(self, d: int) -> int:
        """ν, θ real, b, c complex: 6d real numbers."""
        return 6 * d

    def flatten(self, params: LRUParams) -> NDArray[np.float64]:
        return np.concatenate([params.nu, params.theta, split(np.concatenate([params.b, params.c], axis=1))], axis=1)

    def unflatten(self, theta: NDArray[np.float64], d: int) -> LRUParams:
        bc = join(theta[:, 2 * d:])
        return LRUParams(theta[:, :d], theta[:, d:2 * d], bc[:, :d], bc[:, d:])

    def conserved(self, params: LRUParams) -> NDArray[np.float64]:
        return np.abs(params.b) ** 2 - np.abs(params.c) ** 2

    def norms(self, params: LRUParams) -> dict[str, Array]:
        return {"Q_norm": np.linalg.norm(self.conserved(params), axis=1), "A_norm": np.linalg.norm(params.lam, axis=1)}

    def to_dense(self, params: LRUParams) -> Params:
        return params.as_diagonal().to_dense()

    def init(self, kind: str, n: int, d: int, sigma: float, seed: int, **options: Any) -> LRUParams:
        if kind not in self.inits:
            raise InvalidInput(f"unknown init {kind!r} for an lru student (allowed: {', '.join(self.inits)})")
        r_min, r_max = options.get("ring", (0.4, 0.9))
        return init_lru(n, d, sigma, seed, r_min, r_max, balanced=kind == "symmetric")

    def from_arrays(self, arrays: dict[str, Any]) -> LRUParams:
        values = [np.asarray(arrays[f]) for f in self.fields]
        if np.iscomplexobj(values[0]) or np.iscomplexobj(values[1]):
            raise InvalidInput("an lru student has real ν and θ (λ = exp(−exp(ν) + iθ))")
        return LRUParams(*(v[None] if v.ndim == 1 else v for v in values))


LRU = LRUStudent()


def init_lru(n_models: int, d: int, sigma: float, seed: int, r_min: float = 0.4, r_max: float = 0.9,
             balanced: bool = False) -> Any:
    """LRU students (Orvieto et al., 2023): |λ_j| uniform in [r_min, r_max] (ν = log(−log |λ|)),
    θ_j uniform in [0, 2π); b, c complex N(0, σ²/d); ``balanced``: c = conj(b) (|b_j| = |c_j|)."""
    n, d, s, seed = check_init(n_models, d, sigma, seed)
    lo, hi = float(r_min), float(r_max)
    if not (0 < lo <= hi < 1):
        raise InvalidInput(f"the LRU ring needs 0 < r_min <= r_max < 1, got r_min = {r_min}, r_max = {r_max}")
    rng = np.random.default_rng(seed)
    nu = np.log(-np.log(rng.uniform(lo, hi, (n, d))))
    theta = 2 * np.pi * rng.uniform(0, 1, (n, d))
    scale = s / np.sqrt(2 * d)
    b = rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    c = np.conj(b) if balanced else rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    return LRUParams(nu, theta, b, c)

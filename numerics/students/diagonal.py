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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from tempx.numerics.losses import check_length, loss_weights
from tempx.numerics.students.dense import Params
from tempx.numerics.students.protocol import Batch, Kernel, Student, check_init
from tempx.numerics.teachers import Teacher, _as_float_array
from tempx.theory.errors import InvalidInput

__all__ = ["COMPLEX", "DIAGONAL", "DiagGrad", "DiagParams", "DiagonalStudent", "impulse_response", "init_diagonal", "init_ring", "loss_and_grad", "mode_sums"]
Array = NDArray[Any]


def _as_array(x: Any, name: str, complex_: bool) -> Array:
    return _as_float_array(x, name, 2, np.complex128 if complex_ else np.float64)


@dataclass(frozen=True, eq=False)
class DiagParams(Batch):
    """N diagonal students with d modes: λ, b, c of shape (N, d), float64 (real) or complex128."""

    _fields = ("lam", "b", "c")

    lam: Array
    b: Array
    c: Array

    def __post_init__(self) -> None:
        complex_ = any(np.iscomplexobj(x) for x in (self.lam, self.b, self.c))
        arrays = [_as_array(x, n, complex_) for x, n in ((self.lam, "λ"), (self.b, "b"), (self.c, "c"))]
        if not (arrays[0].shape == arrays[1].shape == arrays[2].shape) or min(arrays[0].shape) < 1:
            raise InvalidInput(f"λ, b, c must share one shape (N, d) with N, d >= 1, got "
                               f"{arrays[0].shape}, {arrays[1].shape}, {arrays[2].shape}")
        self._freeze(arrays)

    @property
    def is_complex(self) -> bool:
        return bool(np.iscomplexobj(self.lam))

    @property
    def student(self) -> str:
        return "complex" if self.is_complex else "diagonal"


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


VECTOR_TERMS = 1 << 20  # N·d·n entries of the impulse response's powers held at once (16 MiB complex)


def mode_sums(lam: Array, rho: NDArray[np.float64]) -> tuple[Array, Array]:
    """S_j = Σ_i ρ_i λ_j^i and S'_j = Σ_i i ρ_i λ_j^{i−1} per model and mode, (N, d) each (Horner, O(N d) memory)."""
    k = rho.shape[1]
    S0 = np.zeros_like(lam) + rho[:, k - 1, None]
    S1 = np.zeros_like(lam)
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(k - 2, -1, -1):  # S1 is the derivative of the Horner polynomial S0 in λ
            S1 = S1 * lam + S0
            S0 = S0 * lam + rho[:, i, None]
    return S0, S1


def split(z: Array) -> NDArray[np.float64]:
    """Complex (N, m) → real (N, 2m): real parts, then imaginary parts (the flat order of complex fields)."""
    return np.concatenate([z.real, z.imag], axis=1)


def join(x: NDArray[np.float64]) -> Array:
    """The inverse of ``split``."""
    m = x.shape[1] // 2
    return x[:, :m] + 1j * x[:, m:]


class DiagonalStudent(Student):
    """A = diag(λ): w_i = Re Σ_j c_j b_j λ_j^i, with λ, b, c real (``diagonal``) or complex (``complex``)."""

    params_type = DiagParams
    fields = ("lam", "b", "c")

    def owns(self, params: Any) -> bool:
        return isinstance(params, DiagParams) and params.is_complex == self.complex_modes

    def __init__(self, complex_modes: bool) -> None:
        self.complex_modes = complex_modes
        self.name = "complex" if complex_modes else "diagonal"
        self.inits = ("gaussian", "symmetric", "ring") if complex_modes else ("gaussian", "symmetric")
        self.complex_fields = self.fields if complex_modes else ()
        self.description = "complex diagonal students" if complex_modes else "real diagonal students"
        self.kernel = _KERNEL

    def responses(self, params: DiagParams) -> Iterator[NDArray[np.float64]]:
        with np.errstate(over="ignore", invalid="ignore"):
            z = params.c * params.b
            while True:
                yield np.sum(z, axis=1).real
                z = z * params.lam

    def impulse_response(self, params: DiagParams, n: int) -> NDArray[np.float64]:
        """(w_0 … w_{n−1}) per model: for up to ``VECTOR_TERMS`` entries of λ_j^i at once, the powers by one
        cumulative product along i (one numpy call instead of n); beyond, streamed (memory O(N d))."""
        if params.n_models * params.d * n > VECTOR_TERMS:
            return super().impulse_response(params, n)
        with np.errstate(over="ignore", invalid="ignore"):
            powers = np.empty((params.n_models, params.d, n), dtype=params.lam.dtype)
            powers[:, :, 0] = params.c * params.b
            powers[:, :, 1:] = params.lam[:, :, None]
            out = np.cumprod(powers, axis=2).sum(axis=1).real
        return np.where(np.isnan(out), np.inf, out)

    def pullback(self, params: DiagParams, rho: NDArray[np.float64]) -> NDArray[np.float64]:
        """∂w/∂b_j = c_j λ_j^i, ∂w/∂c_j = b_j λ_j^i, ∂w/∂λ_j = i c_j b_j λ_j^{i−1} (complex: conjugated, module docstring)."""
        S0, S1 = mode_sums(params.lam, rho)
        conj = np.conj if self.complex_modes else (lambda x: x)
        g = np.concatenate([conj(params.c * params.b * S1), conj(params.c * S0), conj(params.b * S0)], axis=1)
        return split(g) if self.complex_modes else g

    def n_params(self, d: int) -> int:
        """λ, b, c: 3d real numbers, 6d with complex modes (real parts, then imaginary parts)."""
        return 6 * d if self.complex_fields else 3 * d

    def flatten(self, params: DiagParams) -> NDArray[np.float64]:
        z = np.concatenate([params.lam, params.b, params.c], axis=1)
        return split(z) if self.complex_modes else z

    def unflatten(self, theta: NDArray[np.float64], d: int) -> DiagParams:
        z = join(theta) if self.complex_modes else theta
        return DiagParams(z[:, :d], z[:, d:2 * d], z[:, 2 * d:])

    def one_model(self, d: int, k: int, wstar: NDArray[np.float64], W: NDArray[np.float64]
                  ) -> Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]:
        """The formulas of ``pullback`` for one model on 1-D arrays, with the powers λ_j^i as a (k, d) matrix P:
        w = P (c ⊙ b), S = Pᵀ ρ, S' = P_{<k−1}ᵀ (i ρ_i)_{i≥1}; no batch axis or validation (the solver's inner
        loop: about 10× faster than a batch of one; tests compare the two)."""
        Wm = np.diag(W) if W.ndim == 1 else W
        steps = np.arange(1, k, dtype=float)
        cplx = self.complex_modes
        P = np.empty((k, d), dtype=np.complex128 if cplx else np.float64)

        def loss_grad(y: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            z = y[:3 * d] + 1j * y[3 * d:] if cplx else y
            lam, b, c = z[:d], z[d:2 * d], z[2 * d:]
            with np.errstate(over="ignore", invalid="ignore"):
                P[0] = 1.0
                for i in range(1, k):
                    np.multiply(P[i - 1], lam, out=P[i])
                cb = c * b
                r = (P @ cb).real - wstar
                rho = Wm @ r
                S0 = rho @ P
                S1 = (steps * rho[1:]) @ P[:-1]
                g = 2.0 * np.concatenate([cb * S1, c * S0, b * S0])
            if cplx:
                g = np.concatenate([g.real, -g.imag])  # conj, then split into real and imaginary parts
            return float(r @ rho), g

        return loss_grad

    def conserved(self, params: DiagParams) -> NDArray[np.float64]:
        """b_j² − c_j² (real) or |b_j|² − |c_j|² (complex) per mode (C12b)."""
        return params.balance()

    def norms(self, params: DiagParams) -> dict[str, Array]:
        return params.norms()

    def to_dense(self, params: DiagParams) -> Params:
        return params.to_dense()

    def init(self, kind: str, n: int, d: int, sigma: float, seed: int, **options: Any) -> DiagParams:
        if kind == "ring" and self.complex_modes:
            r_min, r_max = options.get("ring", (0.4, 0.9))
            return init_ring(n, d, sigma, seed, r_min, r_max)
        if kind in ("gaussian", "symmetric"):
            return init_diagonal(n, d, sigma, seed, complex_modes=self.complex_modes, balanced=kind == "symmetric",
                                 negative_fraction=options.get("negative_fraction", 0.0))
        raise InvalidInput(f"unknown init {kind!r} for a {self.name} student (allowed: {', '.join(self.inits)})")

    def from_arrays(self, arrays: dict[str, Any]) -> DiagParams:
        values = [np.asarray(arrays[f]) for f in self.fields]
        if not self.complex_modes and any(np.iscomplexobj(v) for v in values):
            raise InvalidInput("a real diagonal student has real λ, b, c (complex modes: --student complex)")
        values = [v.astype(np.complex128) if self.complex_modes else v for v in values]
        return DiagParams(*(v[None] if v.ndim == 1 else v for v in values))


def _kernel_block(arrays: list[Array], obj: Any, *rest: Any) -> None:
    from tempx.numerics.students import diagonal_kernels

    wstar, W = np.ascontiguousarray(obj.wstar), obj.W
    lam, b, c = arrays
    diagonal_kernels.diag_gd_block(lam, b, c, wstar, np.ascontiguousarray(W), *rest)


def _kernel_available() -> bool:
    from tempx.numerics.students import diagonal_kernels

    return diagonal_kernels.AVAILABLE


_KERNEL = Kernel(_kernel_available, _kernel_block, lambda p: [np.array(getattr(p, f), order="C") for f in ("lam", "b", "c")],
                 lambda a: DiagParams(*a), moment=False)
DIAGONAL = DiagonalStudent(complex_modes=False)
COMPLEX = DiagonalStudent(complex_modes=True)


def _student(params: DiagParams) -> DiagonalStudent:
    return COMPLEX if params.is_complex else DIAGONAL


def impulse_response(params: DiagParams, n: int) -> NDArray[np.float64]:
    """w_i for i < n, shape (N, n); overflow gives ±inf (never NaN), as the dense student."""
    return _student(params).impulse_response(params, n)


def loss_and_grad(params: DiagParams, teacher: Teacher, k: int, weights: str | Sequence[float] | NDArray[np.float64] | None = None
                  ) -> tuple[NDArray[np.float64], DiagGrad]:
    """Loss L_ω (N,) and its gradient for every diagonal student (formulas in the module docstring)."""
    k = check_length(k)
    s = _student(params)
    loss, g = s.loss_and_grad(params, teacher.impulse_response(k), loss_weights(k, weights))
    G = join(g) if s.complex_modes else g
    d = params.d
    return loss, DiagGrad(lam=G[:, :d], b=G[:, d:2 * d], c=G[:, 2 * d:])


def _signs(rng: np.random.Generator, n: int, d: int, negative_fraction: float) -> np.ndarray:
    """Sign pattern per model: round(f·d) modes at −1, placed at random, the rest +1."""
    f = float(negative_fraction)
    if not 0 <= f <= 1:
        raise InvalidInput(f"negative_fraction must lie in [0, 1], got {negative_fraction!r}")
    m = round(f * d)
    s = np.ones((n, d))
    for i in range(n):
        s[i, rng.permutation(d)[:m]] = -1.0
    return s


def init_diagonal(n_models: int, d: int, sigma: float, seed: int, *, complex_modes: bool = False,
                  balanced: bool = False, negative_fraction: float = 0.0) -> Any:
    """Diagonal students (C12): every entry of λ, b, c i.i.d. N(0, σ²/d) (complex: real and imaginary
    parts each N(0, σ²/(2d))).

    ``balanced``: c = s ⊙ b (real) with a sign pattern s of round(f·d) negative modes
    (f = ``negative_fraction``), or c = conj(b) (complex, |b_j| = |c_j| and b_j c_j = |b_j|² > 0).
    All signs + is M ∩ diagonal.
    """
    n, d, s, seed = check_init(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)

    def draw() -> np.ndarray:
        if complex_modes:
            return rng.normal(0, scale / np.sqrt(2), (n, d)) + 1j * rng.normal(0, scale / np.sqrt(2), (n, d))
        return rng.normal(0, scale, (n, d))

    lam, b = draw(), draw()
    if not balanced:
        return DiagParams(lam, b, draw())
    if complex_modes:
        if negative_fraction:
            raise InvalidInput("a sign pattern is for real diagonal students; complex balanced modes use c = conj(b)")
        return DiagParams(lam, b, np.conj(b))
    return DiagParams(lam, b, _signs(rng, n, d, negative_fraction) * b)


def init_ring(n_models: int, d: int, sigma: float, seed: int, r_min: float = 0.4, r_max: float = 0.9) -> Any:
    """Complex diagonal students with the LRU ring initialization: |λ_j| uniform in [r_min, r_max],
    arg λ_j uniform in [0, 2π); b, c complex N(0, σ²/d)."""
    n, d, s, seed = check_init(n_models, d, sigma, seed)
    lo, hi = float(r_min), float(r_max)
    if not (0 <= lo <= hi) or not np.isfinite(hi):
        raise InvalidInput(f"the ring needs 0 <= r_min <= r_max < inf, got r_min = {r_min}, r_max = {r_max}")
    rng = np.random.default_rng(seed)
    lam = rng.uniform(lo, hi, (n, d)) * np.exp(2j * np.pi * rng.uniform(0, 1, (n, d)))
    scale = s / np.sqrt(2 * d)
    b = rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    c = rng.normal(0, scale, (n, d)) + 1j * rng.normal(0, scale, (n, d))
    return DiagParams(lam, b, c)

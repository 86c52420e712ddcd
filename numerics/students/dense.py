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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tempx.numerics.losses import check_length, weight_matrix
from tempx.numerics.students.protocol import Batch, Kernel, Student, check_init
from tempx.numerics.teachers import FloatArray, Teacher, _as_float_array
from tempx.theory.errors import InvalidInput

__all__ = ["DENSE", "DenseStudent", "Grad", "Params", "impulse_response", "init_gaussian", "init_symmetric", "krylov", "loss_and_grad", "residuals"]


@dataclass(frozen=True, eq=False)
class Params(Batch):
    """N linear RNNs of state dimension d, float64: the dense student's batch.

    Attributes
    ----------
    A : ndarray
        (N, d, d).
    B : ndarray
        (N, d, 1).
    C : ndarray
        (N, 1, d).

    Examples
    --------
    >>> import numpy as np
    >>> p = Params(np.zeros((2, 3, 3)), np.ones((2, 3, 1)), np.ones((2, 1, 3)))
    >>> p.n_models, p.d
    (2, 3)
    """

    _fields = ("A", "B", "C")

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
        self._freeze([A, B, C])

    def q_matrix(self) -> FloatArray:
        """Q = AAᵀ − AᵀA + BBᵀ − CᵀC per model, (N, d, d) (claim C4)."""
        A, B, C = self.A, self.B, self.C
        At = A.transpose(0, 2, 1)
        return A @ At - At @ A + B @ B.transpose(0, 2, 1) - C.transpose(0, 2, 1) @ C

    def norms(self) -> dict[str, FloatArray]:
        """‖Q‖_F, ‖A‖_F, ‖A − Aᵀ‖_F, ‖B − Cᵀ‖_F per model (distances from M and balance)."""
        A = self.A
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged model's norms are inf or nan, reported as such
            return {
            "Q_norm": np.linalg.norm(self.q_matrix(), axis=(1, 2)),
                "A_norm": np.linalg.norm(A, axis=(1, 2)),
                "A_asym": np.linalg.norm(A - A.transpose(0, 2, 1), axis=(1, 2)),
                "BC_gap": np.linalg.norm(self.B - self.C.transpose(0, 2, 1), axis=(1, 2)),
            }


@dataclass(frozen=True, eq=False)
class Grad:
    """The gradient of the loss for every model of a dense batch.

    Attributes
    ----------
    A : ndarray
        ∇_A L, (N, d, d).
    B : ndarray
        ∇_B L, (N, d, 1).
    C : ndarray
        ∇_C L, (N, 1, d).
    """

    A: FloatArray
    B: FloatArray
    C: FloatArray


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


def krylov(params: Params, k: int) -> tuple[FloatArray, FloatArray]:
    """U (N, k, d) with rows C A^j and V (N, k, d) with rows (A^l B)ᵀ."""
    return _sweep(params.C[:, 0, :], params.A.transpose(0, 2, 1), k), _sweep(params.B[:, :, 0], params.A, k)


class DenseStudent(Student):
    """A (d×d), B (d×1), C (1×d) real: w_i = C A^i B (the SPEC's student)."""

    name = "dense"
    params_type = Params
    inits = ("gaussian", "symmetric")
    fields = ("A", "B", "C")
    description = "linear RNNs"

    def responses(self, params: Params) -> Iterator[FloatArray]:
        v = params.B[:, :, 0].copy()
        c = params.C[:, 0, :]
        with np.errstate(over="ignore", invalid="ignore"):
            while True:
                yield np.einsum("nd,nd->n", c, v)
                v = np.einsum("nij,nj->ni", params.A, v)

    def pullback(self, params: Params, rho: FloatArray) -> FloatArray:
        """(∂w/∂(A, B, C))ᵀ ρ by the backward sweep of the module docstring (without its factor 2)."""
        N, k = rho.shape
        V = _sweep(params.B[:, :, 0], params.A, k)
        C = params.C[:, 0, :]
        G = np.empty_like(V)  # G[:, l] = g_l
        At = params.A.transpose(0, 2, 1)
        g = rho[:, k - 1, None] * C
        G[:, k - 1] = g
        for l in range(k - 2, -1, -1):
            g = rho[:, l, None] * C + (At @ g[:, :, None])[:, :, 0]
            G[:, l] = g
        gA = G[:, 1:].transpose(0, 2, 1) @ V[:, :-1]
        return np.concatenate([gA.reshape(N, -1), G[:, 0], (rho[:, None, :] @ V)[:, 0]], axis=1)

    def loss_and_grad(self, params: Params, wstar: FloatArray, W: FloatArray) -> tuple[FloatArray, FloatArray]:
        k = wstar.size
        V = _sweep(params.B[:, :, 0], params.A, k)
        r = np.einsum("nkd,nd->nk", V, params.C[:, 0, :]) - wstar[None, :]
        rho = r * W[None, :] if W.ndim == 1 else r @ W
        return np.einsum("nk,nk->n", r, rho), 2.0 * self.pullback(params, rho)

    def flatten(self, params: Params) -> FloatArray:
        N = params.n_models
        return np.concatenate([params.A.reshape(N, -1), params.B[:, :, 0], params.C[:, 0, :]], axis=1)

    def unflatten(self, theta: FloatArray, d: int) -> Params:
        nA = d * d
        return Params(theta[:, :nA].reshape(-1, d, d), theta[:, nA:nA + d, None], theta[:, None, nA + d:])

    def jacobian(self, params: Params, k: int) -> FloatArray:
        """∂w_i/∂A = Σ_{j+l=i−1} (C A^j)ᵀ (A^l B)ᵀ, ∂w_i/∂B = (C A^i)ᵀ, ∂w_i/∂C = A^i B (one model)."""
        d = params.d
        U, V = (m[0] for m in krylov(params, k))
        J = np.zeros((k, d * d + 2 * d))
        for i in range(1, k):
            J[i, : d * d] = np.einsum("ja,jb->ab", U[:i], V[i - 1 :: -1]).ravel()
        J[:, d * d : d * d + d] = U
        J[:, d * d + d :] = V
        return J

    def one_model(self, d: int, k: int, wstar: FloatArray, W: FloatArray) -> Callable[[FloatArray], tuple[float, FloatArray]]:
        """The formulas of ``pullback`` on 2-D arrays, without batch axis or validation (2× faster in
        the solver's inner loop than a batch of one; tests compare the two)."""
        nA = d * d
        Wm = np.diag(W) if W.ndim == 1 else W
        idx = np.add.outer(np.arange(k), np.arange(k)) + 1
        idx[idx >= k] = k  # points at a padded zero: H_{jl} = ρ_{j+l+1} if j + l + 1 < k else 0
        U, V = np.empty((k, d)), np.empty((k, d))

        def loss_grad(y: FloatArray) -> tuple[float, FloatArray]:
            A = y[:nA].reshape(d, d)
            v, u = y[nA : nA + d], y[nA + d :]
            with np.errstate(over="ignore", invalid="ignore"):
                for j in range(k):
                    U[j], V[j] = u, v
                    if j + 1 < k:
                        u, v = u @ A, A @ v
                r = V @ y[nA + d :] - wstar
                rho = Wm @ r
                H = np.append(rho, 0.0)[idx]
                g = np.concatenate([2.0 * (U.T @ (H @ V)).ravel(), 2.0 * (U.T @ rho), 2.0 * (V.T @ rho)])
                return float(r @ rho), g

        return loss_grad

    def conserved(self, params: Params) -> FloatArray:
        """Q = AAᵀ − AᵀA + BBᵀ − CᵀC, flattened (C4)."""
        return params.q_matrix().reshape(params.n_models, -1)

    def norms(self, params: Params) -> dict[str, FloatArray]:
        return params.norms()

    def to_dense(self, params: Params) -> Params:
        return params

    def init(self, kind: str, n: int, d: int, sigma: float, seed: int, **options: Any) -> Params:
        if kind == "gaussian":
            return init_gaussian(n, d, sigma, seed)
        if kind == "symmetric":
            return init_symmetric(n, d, sigma, seed, frobenius_cap=options.get("cap"))
        raise InvalidInput(f"unknown init {kind!r} for a dense student (allowed: {', '.join(self.inits)})")

    def from_arrays(self, arrays: dict[str, Any]) -> Params:
        A, B, C = (np.asarray(arrays[f], dtype=np.float64) if np.isrealobj(arrays[f]) else arrays[f] for f in self.fields)
        if np.iscomplexobj(A) or np.iscomplexobj(B) or np.iscomplexobj(C):
            raise InvalidInput("a dense student has real A, B, C (complex modes: the complex student)")
        if A.ndim == 2:
            A, B, C = A[None], B[None], C[None]
        d = A.shape[-1]
        return Params(A, np.reshape(B, (A.shape[0], d, 1)) if B.size == A.shape[0] * d else B,
                      np.reshape(C, (A.shape[0], 1, d)) if C.size == A.shape[0] * d else C)


def _kernel_arrays(params: Params) -> list[FloatArray]:
    return [np.array(params.A, order="C"), np.array(params.B[:, :, 0], order="C"), np.array(params.C[:, 0, :], order="C")]


def _kernel_block(arrays: list[FloatArray], obj: Any, *rest: Any) -> None:
    from tempx.numerics.students import dense_kernels

    wstar, W = np.ascontiguousarray(obj.wstar), obj.W
    M = W[None, :] if W.ndim == 1 else W  # the weights ω as one row (M = diag ω, never a dense k×k matrix)
    A, b, c = arrays
    dense_kernels.gd_block(A, b, c, wstar, np.ascontiguousarray(M, dtype=np.float64), *rest)


def _kernel_available() -> bool:
    from tempx.numerics.students import dense_kernels

    return dense_kernels.AVAILABLE


DenseStudent.kernel = Kernel(_kernel_available, _kernel_block, _kernel_arrays,
                            lambda a: Params(a[0], a[1][:, :, None], a[2][:, None, :]), moment=True)
DENSE = DenseStudent()


def impulse_response(params: Params, n: int) -> FloatArray:
    """The impulse responses w_i = C A^i B for i < n, shape (N, n).

    Overflow gives ±inf (never a silent NaN).

    Parameters
    ----------
    params : Params
        A dense batch.
    n : int
        Number of terms.

    Returns
    -------
    ndarray
        (N, n).

    Examples
    --------
    >>> from tempx.numerics import init_counterexample
    >>> impulse_response(init_counterexample(1, 2, c=3), 5)
    array([[1., 0., 3., 0., 9.]])
    """
    return DENSE.impulse_response(params, n)


def residuals(params: Params, teacher: Teacher, n: int) -> FloatArray:
    """r_i = w_i − w*_i, shape (N, n)."""
    return impulse_response(params, n) - teacher.impulse_response(n)[None, :]


def loss_and_grad(
    params: Params,
    teacher: Teacher,
    k: int,
    weights: str | Sequence[float] | None = None,
    moment: FloatArray | None = None,
) -> tuple[FloatArray, Grad]:
    """Loss (N,) and its gradient for every model in a dense batch.

    Population loss L_ω = Σ_{i<k} ω_i r_i² by default; with ``moment`` = Σ̂ (``empirical_moment``)
    the empirical loss L̂ = rᵀ Σ̂ r instead.

    Parameters
    ----------
    params : Params
        A dense batch.
    teacher : Teacher
        The teacher.
    k : int
        Training length.
    weights : {"last", "all"} or sequence, optional
        Loss weights ω.
    moment : ndarray, optional
        Σ̂ (k, k).

    Returns
    -------
    (ndarray, Grad)
        The losses (N,) and ∇L.

    Raises
    ------
    InvalidInput
        For a bad length or weights.

    Examples
    --------
    >>> from tempx.numerics import init_counterexample, memoryless
    >>> loss, grad = loss_and_grad(init_counterexample(1, 3), memoryless(3), 3)
    >>> float(loss[0]), float(abs(grad.A).max())
    (0.0, 0.0)
    """
    k = check_length(k)
    loss, g = DENSE.loss_and_grad(params, teacher.impulse_response(k), weight_matrix(k, weights, moment))
    G = DENSE.unflatten(g, params.d)
    return loss, Grad(G.A, G.B, G.C)


def init_gaussian(n_models: int, d: int, sigma: float, seed: int) -> Params:
    """N dense students with entries of A, B, C i.i.d. :math:`N(0, \\sigma^2/d)` (claim C7's initialization).

    Parameters
    ----------
    n_models : int
        N, the number of models (>= 1).
    d : int
        The state dimension (>= 1).
    sigma : float
        The initialization scale :math:`\\sigma > 0`.
    seed : int
        The seed of ``numpy.random.default_rng`` (>= 0); no global random state is used.

    Returns
    -------
    Params
        ``A`` (N, d, d), ``B`` (N, d, 1), ``C`` (N, 1, d).

    Raises
    ------
    TypeError
        For a non-integer N, d or seed.
    InvalidInput
        For N or d below 1, a negative seed, or a scale that is not a positive finite number.

    Examples
    --------
    >>> p = init_gaussian(2, 3, 0.1, seed=0)
    >>> p.A.shape, p.B.shape, p.C.shape
    ((2, 3, 3), (2, 3, 1), (2, 1, 3))"""
    n, d, s, seed = check_init(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)
    return Params(rng.normal(0, scale, (n, d, d)), rng.normal(0, scale, (n, d, 1)), rng.normal(0, scale, (n, 1, d)))


def init_symmetric(n_models: int, d: int, sigma: float, seed: int, frobenius_cap: float | None = None) -> Params:
    """A point of M (A = Aᵀ, C = Bᵀ) per model: A = (G + Gᵀ)/√2 with G ~ N(0, σ²/d), B ~ N(0, σ²/d), C = Bᵀ.

    Parameters
    ----------
    n_models : int
        Number of models N ≥ 1.
    d : int
        State dimension, d ≥ 1.
    sigma : float
        Initialization scale σ > 0.
    seed : int
        Seed of the draw.
    frobenius_cap : float, optional
        Rescale each A so that ‖A‖_F ≤ cap (C6(c) uses cap ≤ 1).

    Returns
    -------
    Params

    Raises
    ------
    InvalidInput
        For N, d or σ out of range, or a cap ≤ 0.

    Examples
    --------
    >>> import numpy as np
    >>> p = init_symmetric(3, 4, 0.5, seed=0)
    >>> bool(np.all(p.A == np.swapaxes(p.A, 1, 2)) and np.all(p.C == np.swapaxes(p.B, 1, 2)))
    True
    """
    n, d, s, seed = check_init(n_models, d, sigma, seed)
    rng = np.random.default_rng(seed)
    scale = s / np.sqrt(d)
    G = rng.normal(0, scale, (n, d, d))
    A = (G + G.transpose(0, 2, 1)) / np.sqrt(2.0)
    if frobenius_cap is not None:
        cap = float(frobenius_cap)
        if not np.isfinite(cap) or cap <= 0:
            raise InvalidInput(f"frobenius_cap must be > 0, got {frobenius_cap!r}")
        norms = np.linalg.norm(A, axis=(1, 2))
        A = A * np.minimum(1.0, cap / np.maximum(norms, np.finfo(float).tiny))[:, None, None]
    B = rng.normal(0, scale, (n, d, 1))
    return Params(A, B, B.transpose(0, 2, 1))

r"""Non-linear RNN students (Elman): h_t = φ(A h_{t−1} + B x_t), ŷ_t = C h_t, h_{−1} = 0, float64.

φ comes from a registry (``ACTIVATIONS``: identity, tanh, relu; ``register_activation`` adds one
with its derivative).  No closed-form loss exists, so a non-linear student trains on data: the
empirical loss L = mean_s Σ_t τ_t (ŷ_t − y_t)² on n sequences X (n, k) with the teacher's outputs
Y (``tempx.numerics.losses.Objective``; τ = e_{k−1} for the last output, ones for all outputs), or
on fresh sequences every step (online).  Gradients by back-propagation through time, written out:

    forward    z_t = A h_{t−1} + B x_t,  h_t = φ(z_t),  e_t = ŷ_t − y_t
    backward   δ_t = (2/n) τ_t e_t Cᵀ + Aᵀ g_{t+1},   g_t = δ_t ⊙ φ'(z_t)
    ∇A = Σ_t g_t h_{t−1}ᵀ,  ∇B = Σ_t g_t x_t,  ∇C = (2/n) Σ_t τ_t e_t h_tᵀ      (summed over sequences)

With φ = identity this is the dense linear student on the same data: ŷ_{k−1} = Σ_i C A^i B x_{k−1−i},
so the last-output loss is rᵀ Σ̂ r (C8) and GD follows the dense student's trajectory (tested to
1e-12).  The "impulse response" of a non-linear student is its response to the unit impulse, and its
dense realization is its linear part (A, B, C) (the linearization at 0 for tanh).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from tempx.numerics.losses import Objective
from tempx.numerics.students.dense import Params
from tempx.numerics.students.protocol import Batch, Kernel, Student, register
from tempx.numerics.teachers import FloatArray
from tempx.theory.errors import InvalidInput

__all__ = ["ACTIVATIONS", "ElmanParams", "ElmanStudent", "register_activation"]

Activation = tuple[Callable[[FloatArray], FloatArray], Callable[[FloatArray], FloatArray]]

# φ and φ' (as a function of the pre-activation z); relu'(0) = 0
ACTIVATIONS: dict[str, Activation] = {
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(np.float64)),
}
KERNEL_CODES = {"identity": 0, "tanh": 1, "relu": 2}  # the activations the compiled kernel knows


def register_activation(name: str, phi: Callable[[FloatArray], FloatArray], dphi: Callable[[FloatArray], FloatArray]) -> Any:
    """Add an activation φ with its derivative φ' (both elementwise on arrays) and its student, named ``name``."""
    if name in ACTIVATIONS:
        raise InvalidInput(f"an activation named {name!r} exists already")
    ACTIVATIONS[name] = (phi, dphi)
    return register(ElmanStudent(name))


@dataclass(frozen=True, eq=False)
class ElmanParams(Batch):
    """N Elman RNNs of d units with activation ``activation``: A (N, d, d), B (N, d, 1), C (N, 1, d)."""

    A: FloatArray
    B: FloatArray
    C: FloatArray
    activation: str = "tanh"
    _fields = ("A", "B", "C")

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise InvalidInput(f"unknown activation {self.activation!r} (allowed: {', '.join(ACTIVATIONS)})")
        dense = Params(self.A, self.B, self.C)  # the same shapes and checks as a dense student
        self._freeze([np.array(dense.A), np.array(dense.B), np.array(dense.C)])

    def select(self, index: Any) -> ElmanParams:
        idx = np.atleast_1d(np.arange(self.n_models)[index])
        return ElmanParams(self.A[idx], self.B[idx], self.C[idx], self.activation)

    @classmethod
    def stack(cls, batches: list[Any]) -> ElmanParams:
        acts = {p.activation for p in batches}
        if len(acts) != 1:
            raise InvalidInput(f"one batch has one activation, got {sorted(acts)}")
        A, B, C = (np.concatenate([getattr(p, f) for p in batches]) for f in cls._fields)
        return cls(A, B, C, acts.pop())


def forward(params: ElmanParams, X: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Pre-activations Z and states H, each (N, n, k, d), on the sequences X (n, k)."""
    phi = ACTIVATIONS[params.activation][0]
    N, d, n, k = params.n_models, params.d, X.shape[0], X.shape[1]
    Z = np.empty((N, n, k, d))
    H = np.empty((N, n, k, d))
    h = np.zeros((N, n, d))
    At = params.A.transpose(0, 2, 1)
    b = params.B[:, None, :, 0]  # (N, 1, d)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(k):
            z = h @ At + X[None, :, t, None] * b
            h = phi(z)
            Z[:, :, t], H[:, :, t] = z, h
    return Z, H


class ElmanStudent(Student):
    """One activation's Elman student; ``fields`` as the dense student's, plus the activation in files."""

    params_type = ElmanParams
    inits = ("gaussian", "symmetric")
    fields = ("A", "B", "C")
    nonlinear = True

    def __init__(self, activation: str) -> None:
        self.activation = activation
        self.name = activation
        self.description = f"{activation} RNNs"
        self.kernel = _KERNEL if activation in KERNEL_CODES else None

    def owns(self, params: Any) -> bool:
        return isinstance(params, ElmanParams) and params.activation == self.activation

    def objective_loss_and_grad(self, params: ElmanParams, obj: Objective) -> tuple[FloatArray, FloatArray]:
        """L (N,) and the flat gradient (N, d² + 2d) by BPTT (module docstring)."""
        if obj.X is None or obj.Y is None or obj.time_weights is None:
            raise InvalidInput(f"a {self.name} student trains on data: give a data set (--data n) or online "
                               "sequences (--online n); its population loss has no closed form")
        dphi = ACTIVATIONS[params.activation][1]
        X, Y, tw = obj.X, obj.Y, obj.time_weights
        N, d, n, k = params.n_models, params.d, X.shape[0], X.shape[1]
        with np.errstate(over="ignore", invalid="ignore"):
            Z, H = forward(params, X)
            c = params.C[:, 0, :]  # (N, d)
            E = np.einsum("nstd,nd->nst", H, c) - Y[None]  # (N, n, k)
            loss = np.einsum("nst,t->n", E * E, tw) / n
            R = (2.0 / n) * E * tw[None, None, :]  # ∂L/∂ŷ
            gA, gB = np.zeros((N, d, d)), np.zeros((N, d))
            gC = np.einsum("nst,nstd->nd", R, H)
            A = params.A
            g_next = np.zeros((N, n, d))
            for t in range(k - 1, -1, -1):
                delta = R[:, :, t, None] * c[:, None, :] + g_next @ A  # ∂L/∂h_t
                g = delta * dphi(Z[:, :, t])
                if t > 0:
                    gA += np.einsum("nsi,nsj->nij", g, H[:, :, t - 1])
                gB += np.einsum("nsi,s->ni", g, X[:, t])
                g_next = g
        return loss, np.concatenate([gA.reshape(N, -1), gB, gC], axis=1)

    def loss_and_grad(self, params: Any, wstar: FloatArray, W: FloatArray) -> tuple[FloatArray, FloatArray]:
        raise InvalidInput(f"a {self.name} student has no loss of an impulse response; train it on data")

    def responses(self, params: ElmanParams) -> Iterator[FloatArray]:
        """The response to the unit impulse x = (1, 0, 0, …)."""
        phi = ACTIVATIONS[params.activation][0]
        with np.errstate(over="ignore", invalid="ignore"):
            h = phi(params.B[:, :, 0])
            while True:
                yield np.einsum("nd,nd->n", params.C[:, 0, :], h)
                h = phi(np.einsum("nij,nj->ni", params.A, h))

    def flatten(self, params: ElmanParams) -> FloatArray:
        N = params.n_models
        return np.concatenate([params.A.reshape(N, -1), params.B[:, :, 0], params.C[:, 0, :]], axis=1)

    def unflatten(self, theta: FloatArray, d: int) -> ElmanParams:
        nA = d * d
        return ElmanParams(theta[:, :nA].reshape(-1, d, d), theta[:, nA:nA + d, None], theta[:, None, nA + d:],
                           self.activation)

    def norms(self, params: ElmanParams) -> dict[str, FloatArray]:
        return {"Q_norm": Params(params.A, params.B, params.C).norms()["Q_norm"],
                "A_norm": np.linalg.norm(params.A, axis=(1, 2))}

    def to_dense(self, params: ElmanParams) -> Params:
        return Params(params.A, params.B, params.C)

    def init(self, kind: str, n: int, d: int, sigma: float, seed: int, **options: Any) -> ElmanParams:
        from tempx.numerics.students.dense import DENSE

        dense = DENSE.init(kind, n, d, sigma, seed, **options)  # the same draws as the dense student
        return ElmanParams(dense.A, dense.B, dense.C, self.activation)

    def from_arrays(self, arrays: dict[str, Any]) -> ElmanParams:
        from tempx.numerics.students.dense import DENSE

        dense = DENSE.from_arrays(arrays)
        return ElmanParams(dense.A, dense.B, dense.C, self.activation)


def _kernel_block(arrays: list[FloatArray], obj: Objective, *rest: Any) -> None:
    from tempx.numerics.students import elman_kernels

    A, b, c, code = arrays
    assert obj.X is not None and obj.Y is not None and obj.time_weights is not None  # gd checked: data, not online
    elman_kernels.gd_block(A, b, c, int(code[0]), obj.X, obj.Y, obj.time_weights, *rest)


def _kernel_available() -> bool:
    from tempx.numerics.students import dense_kernels

    return dense_kernels.AVAILABLE


def _kernel_arrays(p: ElmanParams) -> list[FloatArray]:
    return [np.array(p.A, order="C"), np.array(p.B[:, :, 0], order="C"), np.array(p.C[:, 0, :], order="C"),
            np.array([KERNEL_CODES[p.activation]])]


def _kernel_params(a: list[FloatArray]) -> ElmanParams:
    name = {v: k for k, v in KERNEL_CODES.items()}[int(a[3][0])]
    return ElmanParams(a[0], a[1][:, :, None], a[2][:, None, :], name)


_KERNEL = Kernel(_kernel_available, _kernel_block, _kernel_arrays, _kernel_params, moment=True)
_KERNEL.data = True  # it reads X, Y and the time weights, not w* and W
IDENTITY, TANH, RELU = ElmanStudent("identity"), ElmanStudent("tanh"), ElmanStudent("relu")

r"""Exact ReLU RNNs and claim C15: interpolation without extrapolation for ReLU students.

A ReLU RNN h_t = relu(A h_{t−1} + B x_t), ŷ_t = C h_t (h_{−1} = 0) with rational A, B, C is run
exactly on rational sequences (``ReluRNN.run``) or on sympy expressions (``run_symbolic``).

The construction (``relu_counterexample``): the state carries the positive and the negative parts
of the last k + 1 inputs, h = (p_0, n_0, p_1, n_1, …, p_k, n_k) with p_j = relu(x_{t−j}) and
n_j = relu(−x_{t−j}):

    p_0 ← relu(x_t),  n_0 ← relu(−x_t),  p_j ← relu(p_{j−1}) = p_{j−1},  n_j ← relu(n_{j−1}) = n_{j−1},
    ŷ_t = (p_0 − n_0) + c (p_k − n_k) = x_t + c x_{t−k}     (x_s = 0 for s < 0),

since relu(x) − relu(−x) = x and relu is the identity on what the shift carries (it is ≥ 0).  So
ŷ_t = x_t for t < k: the memoryless teacher is matched on every sequence of length k, for every
input distribution (training loss exactly 0); and for q > k the last output errs by c·x_{q−1−k},
so L_q = c² E[x²] = c² for unit-variance inputs.  Dimension 2k + 2 (whether fewer ReLU units can
do it is open here; a linear RNN needs only k, C2/C3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from tempx.theory.errors import InvalidInput

__all__ = ["ReluRNN", "relu_counterexample"]

MAX_K = 500  # the exact matrices have (2k + 2)² entries


def _relu(z: Any) -> Any:
    return z if z > 0 else 0 * z


@dataclass(frozen=True)
class ReluRNN:
    """An exact ReLU RNN: A (n×n), B (n), C (n), rational entries (lists of Fractions)."""

    A: tuple[tuple[Fraction, ...], ...]
    B: tuple[Fraction, ...]
    C: tuple[Fraction, ...]

    @property
    def d(self) -> int:
        return len(self.B)

    def step(self, h: Sequence[Any], x: Any, relu: Any = _relu) -> list[Any]:
        return [relu(sum((a * v for a, v in zip(row, h)), 0 * x) + b * x) for row, b in zip(self.A, self.B)]

    def run(self, xs: Sequence[Any], relu: Any = _relu) -> list[Any]:
        """ŷ_0 … ŷ_{T−1} on the sequence xs (exact for rationals; any ordered field works)."""
        h: list[Any] = [0 * x for x in xs[:1] for _ in range(self.d)] or [Fraction(0)] * self.d
        out = []
        for x in xs:
            h = self.step(h, x, relu)
            out.append(sum((c * v for c, v in zip(self.C, h)), 0 * x))
        return out

    def as_lists(self) -> dict[str, list[list[Fraction]]]:
        return {"A": [list(r) for r in self.A], "B": [[b] for b in self.B], "C": [list(self.C)]}


def relu_counterexample(k: int, c: Any = 1) -> ReluRNN:
    """The ReLU RNN of dimension 2k + 2 with ŷ_t = x_t + c·x_{t−k} (module docstring); c ≠ 0 an exact rational
    (int, Fraction or string; a float raises TypeError)."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidInput(f"k must be an integer >= 1, got {k!r}")
    if k > MAX_K:
        raise InvalidInput(f"k must be <= {MAX_K} (exact matrices of dimension 2k + 2), got {k}")
    cq = _parse(c)  # int, Fraction, fmpq or a string like "3/2", within the digit caps; a float is refused (inexact)
    if cq == 0:
        raise InvalidInput("c must be nonzero (c = 0 gives the teacher itself)")
    n = 2 * k + 2
    A = [[Fraction(0)] * n for _ in range(n)]
    for j in range(1, k + 1):  # shift: p_j ← p_{j−1}, n_j ← n_{j−1}
        A[2 * j][2 * j - 2] = Fraction(1)
        A[2 * j + 1][2 * j - 1] = Fraction(1)
    B = [Fraction(0)] * n
    B[0], B[1] = Fraction(1), Fraction(-1)
    C = [Fraction(0)] * n
    C[0], C[1] = Fraction(1), Fraction(-1)
    C[2 * k] += cq
    C[2 * k + 1] -= cq
    return ReluRNN(tuple(tuple(r) for r in A), tuple(B), tuple(C))


def _parse(value: Any) -> Fraction:
    from tempx.theory.exact import parse_rational

    return parse_rational(value)

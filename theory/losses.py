"""Exact losses, gradients and the conserved matrix Q (SPEC §1).

Every formula here is written once against ``DomainMatrix`` and so serves both rational
points (flint backend) and symbolic polynomial RNNs (the identities of C1, C3, C4).

- Residuals r_i = w_i − w*_i.
- Weighted population loss L_ω = Σ_{i<k} ω_i r_i²  (no factor ½).
  Last-output: ω_i = 1.  All-outputs: ω_i = k − i.
- Gradients with ρ_i = ω_i r_i, U rows C A^j, V rows (A^l B)ᵀ, H_{jl} = ρ_{j+l+1}:
  ∇_A L = 2 Uᵀ H V,  ∇_B L = 2 Uᵀ ρ,  ∇_C L = 2 ρᵀ V.
- Q(R) = A Aᵀ − Aᵀ A + B Bᵀ − Cᵀ C.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from tempx.theory import exact
from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import ExactRNN
from tempx.theory.teachers import Teacher, as_teacher

__all__ = [
    "Gradient",
    "LossKind",
    "empirical_loss",
    "extrapolation_loss",
    "extrapolation_losses",
    "gd_step",
    "gradient",
    "loss",
    "loss_from_residuals",
    "loss_weights",
    "noether",
    "prefix_losses",
    "q_matrix",
    "q_step_change",
    "residuals",
    "residuals_of",
]

LossKind = Literal["last", "all"]
Weights = Sequence[object] | LossKind | None


@dataclass(frozen=True)
class Gradient:
    """(∇_A L, ∇_B L, ∇_C L) with the shapes of A, B and C.

    Attributes
    ----------
    A, B, C : DomainMatrix
        ∇_A L (d × d), ∇_B L (d × 1), ∇_C L (1 × d), exact.
    """

    A: DomainMatrix
    B: DomainMatrix
    C: DomainMatrix

    def is_zero(self) -> bool:
        return all(m.is_zero_matrix for m in (self.A, self.B, self.C))


def _check_k(k: int, name: str = "k") -> None:
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"{name} must be an int, got {type(k).__name__}")
    if k < 1:
        raise InvalidInput(f"{name} must be >= 1, got {k}")


def loss_weights(k: int, weights: Weights = None) -> tuple[Fraction, ...]:
    """The loss weights ω for a training length k.

    Parameters
    ----------
    k : int
        Training length, k ≥ 1.
    weights : {None, "last", "all"} or sequence
        ``None``/``"last"``: all ones (the last-output loss); ``"all"``: k − i (every output);
        or k explicit weights ω_i ≥ 0.

    Returns
    -------
    tuple of Fraction

    Raises
    ------
    InvalidInput
        For k < 1, a wrong number of weights, or a negative weight.

    Examples
    --------
    >>> loss_weights(3, "all")
    (Fraction(3, 1), Fraction(2, 1), Fraction(1, 1))
    """
    _check_k(k)
    if weights is None or weights == "last":
        return tuple(Fraction(1) for _ in range(k))
    if weights == "all":
        return tuple(Fraction(k - i) for i in range(k))
    if isinstance(weights, str):
        raise InvalidInput(f"unknown loss {weights!r} (allowed: last, all, or a list of k weights)")
    omega = tuple(exact.parse_rational(x) for x in weights)
    if len(omega) != k:
        raise InvalidInput(f"need k = {k} weights, got {len(omega)}")
    if any(x < 0 for x in omega):
        raise InvalidInput("weights must be >= 0")
    return omega


def _in_domain(x: Fraction, dom: Any) -> Any:
    q = QQ(x.numerator, x.denominator)
    return q if dom == QQ else dom.convert_from(q, QQ)


def residuals_of(w: Sequence[Any], teacher: Teacher | None, domain: Any = QQ) -> tuple[Any, ...]:
    """(w_i − w*_i)_i for a precomputed impulse response w (Fractions, or ring elements of ``domain``)."""
    ws = as_teacher(teacher).impulse_response(len(w))
    if domain == QQ:
        return tuple(a - b for a, b in zip(w, ws, strict=True))
    return tuple(a - _in_domain(b, domain) for a, b in zip(w, ws, strict=True))


def residuals(rnn: ExactRNN, teacher: Teacher | None, n: int) -> tuple[Any, ...]:
    """The residuals (r_0, …, r_{n−1}), r_i = w_i(R) − w*_i.

    Parameters
    ----------
    rnn : ExactRNN
        The student.
    teacher : Teacher or None
        The teacher (None: memoryless).
    n : int
        Number of terms.

    Returns
    -------
    tuple
        n exact residuals.

    Examples
    --------
    >>> from tempx.theory import counterexample
    >>> [str(r) for r in residuals(counterexample(2, c=3).rnn, None, 4)]
    ['0', '0', '3', '0']
    """
    return residuals_of(rnn.impulse_response(n), teacher, rnn.domain)


def prefix_losses(r: Sequence[Any], qs: Sequence[int]) -> dict[int, Any]:
    """{q: Σ_{i<q} r_i²} for every q ≤ len(r): L_q from one residual sequence."""
    for q in qs:
        _check_k(q, "q")
        if q > len(r):
            raise InvalidInput(f"L_{q} needs {q} residuals, got {len(r)}")
    partial = [r[0] * 0 if r else Fraction(0)]
    for x in r[: max(qs, default=0)]:
        partial.append(partial[-1] + x * x)
    return {q: partial[q] for q in qs}


def loss_from_residuals(r: Sequence[Any], weights: Weights = None, domain: Any = None) -> Any:
    """Σ_{i<k} ω_i r_i² for k = len(r): the one place the loss formula is written.

    ``domain`` is the ring of symbolic residuals (None for Fractions).
    """
    omega = loss_weights(len(r), weights)
    if domain is None or domain == QQ:
        return sum((exact.to_fraction(o) * x * x for o, x in zip(omega, r, strict=True)), Fraction(0))
    return sum((_in_domain(o, domain) * x * x for o, x in zip(omega, r, strict=True)), domain.zero)


def loss(rnn: ExactRNN, teacher: Teacher | None, k: int, weights: Weights = None) -> Any:
    """The exact loss :math:`L_\\omega(R) = \\sum_{i<k} \\omega_i r_i^2` of an RNN against a teacher.

    Parameters
    ----------
    rnn : ExactRNN
        The student, with exact entries.
    teacher : Teacher or None
        The exact teacher; ``None`` is the memoryless teacher :math:`y_t = x_t`.
    k : int
        The training length.
    weights : {None, "last", "all"} or sequence of rationals, optional
        :math:`\\omega`: ones (the last-output loss, default), :math:`k - i` ("all"), or explicit weights.

    Returns
    -------
    Fraction
        The loss, exactly (a polynomial for symbolic entries).

    Raises
    ------
    InvalidInput
        For ``k < 1`` or malformed weights (a ``ValueError``).

    Examples
    --------

    >>> from tempx.theory.counterexamples import cyclic
    >>> loss(cyclic(3, "2"), None, 3), loss(cyclic(3, "2"), None, 4)
    (Fraction(0, 1), Fraction(4, 1))
    """
    _check_k(k)
    return loss_from_residuals(residuals(rnn, teacher, k), weights, rnn.domain)


def extrapolation_loss(rnn: ExactRNN, teacher: Teacher | None, q: int) -> Any:
    """The last-output loss at length q: L_q(R) = Σ_{i<q} r_i².

    Parameters
    ----------
    rnn : ExactRNN
        The student.
    teacher : Teacher or None
        The teacher (None: memoryless).
    q : int
        Length, q ≥ 1.

    Returns
    -------
    Fraction
        L_q(R), exactly (a polynomial for a symbolic RNN).

    Raises
    ------
    InvalidInput
        For q < 1.

    Examples
    --------
    >>> from tempx.theory import counterexample
    >>> str(extrapolation_loss(counterexample(2, c=3).rnn, None, 5))
    '90'
    """
    _check_k(q, "q")
    return loss(rnn, teacher, q)


def extrapolation_losses(rnn: ExactRNN, teacher: Teacher | None, qs: Sequence[int]) -> dict[int, Any]:
    """{q: L_q(R)} for several lengths, from one Krylov sweep of max(qs) terms.

    Parameters
    ----------
    rnn : ExactRNN
        The student.
    teacher : Teacher or None
        The teacher (None: memoryless).
    qs : sequence of int
        Lengths, each ≥ 1.

    Returns
    -------
    dict
        q → L_q(R), exact.

    Raises
    ------
    InvalidInput
        For a length below 1.

    Examples
    --------
    >>> from tempx.theory import counterexample
    >>> {q: str(v) for q, v in extrapolation_losses(counterexample(2).rnn, None, [2, 3, 5]).items()}
    {2: '0', 3: '1', 5: '2'}
    """
    for q in qs:
        _check_k(q, "q")
    if not qs:
        return {}
    return prefix_losses(residuals(rnn, teacher, max(qs)), qs)


def empirical_loss(rnn: ExactRNN, teacher: Teacher | None, X: Sequence[Sequence[object]]) -> Fraction:
    """The exact empirical last-output loss L̂ on n sequences (C8).

    L̂ = (1/n) Σ_s (ŷ_k^{(s)} − y_k^{(s)})² for the rows x^{(s)} = (x_1, …, x_k) of X.  Since
    ŷ_k − y_k = Σ_{i<k} r_i x_{k−i}, L̂ = rᵀ Σ̂ r with Σ̂ the second-moment matrix of the
    time-reversed inputs.

    Parameters
    ----------
    rnn : ExactRNN
        The student.
    teacher : Teacher or None
        The teacher (None: memoryless).
    X : sequence of sequences
        n ≥ 1 rows of k exact rationals (ints, Fractions or strings).

    Returns
    -------
    Fraction
        L̂, exactly.

    Raises
    ------
    InvalidInput
        For an empty or ragged X, or an entry that is not a rational number.
    TypeError
        For a float entry (not exact: pass ``"1.5"`` or a Fraction).

    Examples
    --------
    >>> from tempx.theory import counterexample
    >>> str(empirical_loss(counterexample(2).rnn, None, [[1, 2], ["1/2", -3]]))
    '0'
    """
    rows = [list(r) for r in X]
    if not rows:
        raise InvalidInput("empirical loss needs at least one sequence")
    k = len(rows[0])
    if k < 1 or any(len(r) != k for r in rows):
        raise InvalidInput("all sequences must have the same length k >= 1")
    r = residuals(rnn, teacher, k)
    errors = exact.matrix(rows) * exact.column(reversed(r))  # row s: Σ_i r_i x^{(s)}_{k−i}
    return sum((exact.to_fraction(e) ** 2 for e in errors.to_list_flat()), Fraction(0)) / len(rows)


def gradient(rnn: ExactRNN, teacher: Teacher | None, k: int, weights: Weights = None) -> Gradient:
    """The exact gradient of L_ω: ∇_A L = 2 Uᵀ H V, ∇_B L = 2 Uᵀ ρ, ∇_C L = 2 ρᵀ V (SPEC §1).

    Cost: two Krylov sweeps of k matrix-vector products and two k × k × d products.

    Parameters
    ----------
    rnn : ExactRNN
        The point.
    teacher : Teacher or None
        The teacher (None: memoryless).
    k : int
        Training length, k ≥ 1.
    weights : {"last", "all"} or sequence, optional
        The loss weights ω (``loss_weights``).

    Returns
    -------
    Gradient
        (∇_A L, ∇_B L, ∇_C L), exact.

    Raises
    ------
    InvalidInput
        For k < 1 or bad weights.

    Examples
    --------
    >>> from tempx.theory import counterexample
    >>> g = gradient(counterexample(3).rnn, None, 3)
    >>> g.A.is_zero_matrix and g.B.is_zero_matrix
    True
    """
    omega = loss_weights(k, weights)
    t = as_teacher(teacher)
    dom = rnn.domain
    d = rnn.d
    U = exact.krylov_rows(rnn.A.transpose(), rnn.C.transpose(), k)  # rows C A^j
    V = exact.krylov_rows(rnn.A, rnn.B, k)  # rows (A^l B)ᵀ
    w = (V * rnn.C.transpose()).to_list_flat()  # w_l = C A^l B
    w_star = t.impulse_response(k)
    rho = [_in_domain(o, dom) * (w[i] - _in_domain(w_star[i], dom)) for i, o in enumerate(omega)]
    hankel = [[rho[j + l + 1] if j + l + 1 < k else dom.zero for l in range(k)] for j in range(k)]
    H = DomainMatrix(hankel, (k, k), dom).to_dense()
    rho_col = DomainMatrix([[x] for x in rho], (k, 1), dom).to_dense()
    two = _in_domain(Fraction(2), dom)
    Ut = U.transpose()
    grad = Gradient(
        A=(Ut * (H * V)) * two,
        B=(Ut * rho_col) * two,
        C=(rho_col.transpose() * V) * two,
    )
    assert grad.A.shape == (d, d) and grad.B.shape == (d, 1) and grad.C.shape == (1, d)
    return grad


def q_matrix(rnn: ExactRNN) -> DomainMatrix:
    """Q(R) = A Aᵀ − Aᵀ A + B Bᵀ − Cᵀ C, conserved by gradient flow (C4b).

    Parameters
    ----------
    rnn : ExactRNN
        The point R.

    Returns
    -------
    DomainMatrix
        Q(R), d × d, exact; zero on the symmetric-balanced set M.

    Examples
    --------
    >>> from tempx.theory import random_symmetric_rnn
    >>> import random
    >>> q_matrix(random_symmetric_rnn(3, random.Random(1))).is_zero_matrix
    True
    """
    A, B, C = rnn.A, rnn.B, rnn.C
    return A * A.transpose() - A.transpose() * A + B * B.transpose() - C.transpose() * C


def noether(rnn: ExactRNN, grad: Gradient) -> DomainMatrix:
    """∇_A L Aᵀ − Aᵀ ∇_A L + ∇_B L Bᵀ − Cᵀ ∇_C L, which C4(a) says is the zero matrix.

    Parameters
    ----------
    rnn : ExactRNN
        The point R.
    grad : Gradient
        ∇L at R, for any loss that depends on R only through w.

    Returns
    -------
    DomainMatrix
        The d × d left side of C4(a), exact.

    Examples
    --------
    >>> from tempx.theory import random_rnn
    >>> import random
    >>> R = random_rnn(3, random.Random(0))
    >>> noether(R, gradient(R, None, 4)).is_zero_matrix
    True
    """
    A, B, C = rnn.A, rnn.B, rnn.C
    return grad.A * A.transpose() - A.transpose() * grad.A + grad.B * B.transpose() - C.transpose() * grad.C


def gd_step(rnn: ExactRNN, grad: Gradient, lr: object) -> ExactRNN:
    """One exact gradient-descent step R ← R − η ∇L.

    Parameters
    ----------
    rnn : ExactRNN
        The current point.
    grad : Gradient
        ∇L at ``rnn`` (``gradient``).
    lr : int, Fraction or str
        The step size η, exact.

    Returns
    -------
    ExactRNN
        (A − η ∇_A L, B − η ∇_B L, C − η ∇_C L).
    """
    eta = _in_domain(exact.parse_rational(lr), rnn.domain)
    return ExactRNN(rnn.A - grad.A * eta, rnn.B - grad.B * eta, rnn.C - grad.C * eta)


def q_step_change(grad: Gradient, lr: object) -> DomainMatrix:
    """The exact change of Q in one GD step (C4c): η² (G_A G_Aᵀ − G_Aᵀ G_A + G_B G_Bᵀ − G_Cᵀ G_C).

    Parameters
    ----------
    grad : Gradient
        The gradient G = ∇L at the step's start.
    lr : int, Fraction or str
        The step size η.

    Returns
    -------
    DomainMatrix
        Q(R − ηG) − Q(R), exact.
    """
    G = grad
    dom = G.A.domain
    eta = _in_domain(exact.parse_rational(lr), dom)
    core = G.A * G.A.transpose() - G.A.transpose() * G.A + G.B * G.B.transpose() - G.C.transpose() * G.C
    return core * (eta * eta)

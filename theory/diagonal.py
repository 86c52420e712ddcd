r"""Exact diagonal students (claim C12): closed-form counterexamples, exact gradients, symbolic identities.

A diagonal student has A = diag(λ): real, w_i = Σ_j c_j b_j λ_j^i, or complex with real output,
w_i = Re Σ_j c_j b_j λ_j^i.  Exact complex numbers are Gaussian rationals (sympy's ``QQ_I``).

(a) Lagrange counterexample.  For distinct nonzero rational nodes λ_1 … λ_k and weights
    p_j = c_j b_j = ℓ_j(0) = Π_{m≠j} λ_m / (λ_m − λ_j), Σ_j p_j λ_j^i = δ_{i0} for i < k (the
    interpolation of x^i at 0) and w_k = (−1)^{k+1} Π_j λ_j.  For any teacher, the Vandermonde
    solve p = V⁻¹ (w*_0 … w*_{k−1}) matches the teacher on length k.
(b) Gradients, with ρ_i = ω_i r_i, S_j = Σ_i ρ_i λ_j^i, S'_j = Σ_i i ρ_i λ_j^{i−1}:
    ∂L/∂b_j = 2 conj(c_j S_j), ∂L/∂c_j = 2 conj(b_j S_j), ∂L/∂λ_j = 2 conj(c_j b_j S'_j)
    (conj is the identity on reals; complex: ∂/∂Re + i ∂/∂Im).  Scaling symmetry
    b_j → e^s b_j, c_j → e^{−s} c_j ⇒ Re(conj(b_j) ∂_{b_j}L) = Re(conj(c_j) ∂_{c_j}L), so
    |b_j|² − |c_j|² is constant under gradient flow and changes by η²(|∂_{b_j}L|² − |∂_{c_j}L|²) in
    a GD step.  Phase symmetry b_j → e^{iθ} b_j, c_j → e^{−iθ} c_j ⇒ Im(conj(b_j) ∂_{b_j}L) =
    Im(conj(c_j) ∂_{c_j}L): under gradient flow |b_j|² d(arg b_j)/dt = |c_j|² d(arg c_j)/dt, so on the
    balanced set |b_j| = |c_j| the phase difference arg b_j − arg c_j is conserved (a rotation has an
    antisymmetric generator, so it gives this constraint rather than a new conserved quadratic).
(c) ∂L/∂b_j vanishes where c_j = 0 and ∂L/∂c_j where b_j = 0, so (b_j, c_j) = (0, 0) is invariant
    and, by uniqueness of solutions, never reached: from b_j = ±c_j each real mode keeps its sign.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sympy import QQ, QQ_I
from sympy.polys.rings import PolyElement, ring

from tempx.theory import exact
from tempx.theory.budget import check_memory, check_work, exact_matrix_bytes, lagrange_work, vandermonde_work
from tempx.theory.errors import InvalidInput
from tempx.theory.losses import Weights, loss_weights
from tempx.theory.rnn import ExactRNN
from tempx.theory.teachers import Teacher, as_teacher

__all__ = [
    "DiagonalStudent",
    "diagonal_counterexample",
    "diagonal_gradient",
    "gaussian",
    "lagrange_weights",
    "symbolic_identities",
]


def gaussian(re: object, im: object = 0) -> Any:
    """An exact Gaussian rational re + i·im (sympy QQ_I element)."""
    r, i = exact.parse_rational(re), exact.parse_rational(im)
    return QQ_I(QQ(r.numerator, r.denominator), QQ(i.numerator, i.denominator))


def _re(z: Any) -> Fraction:
    return exact.to_fraction(z.x) if hasattr(z, "x") else Fraction(z)


def _conj(z: Any) -> Any:
    return QQ_I(z.x, -z.y) if hasattr(z, "x") else z


def _real_impulse_response(lam: Sequence[Fraction], g: Sequence[Fraction], n: int) -> tuple[Fraction, ...]:
    Q = math.lcm(*(x.denominator for x in lam))
    G = math.lcm(*(x.denominator for x in g))
    p = [x.numerator * (Q // x.denominator) for x in lam]
    acc = [x.numerator * (G // x.denominator) for x in g]  # N_j p_j^i
    out, den = [], G
    for _ in range(n):
        out.append(Fraction(sum(acc), den))
        acc = [a * pj for a, pj in zip(acc, p)]
        den *= Q
    return tuple(out)


@dataclass(frozen=True)
class DiagonalStudent:
    """Exact λ, b, c: Fractions (real) or Gaussian rationals (complex, ``gaussian``)."""

    lam: tuple[Any, ...]
    b: tuple[Any, ...]
    c: tuple[Any, ...]

    def __post_init__(self) -> None:
        if not (len(self.lam) == len(self.b) == len(self.c) >= 1):
            raise InvalidInput(f"λ, b, c must have one common length >= 1, got {len(self.lam)}, {len(self.b)}, {len(self.c)}")

    @property
    def is_complex(self) -> bool:
        return any(hasattr(x, "x") for x in (*self.lam, *self.b, *self.c))

    @property
    def d(self) -> int:
        return len(self.lam)

    def impulse_response(self, n: int) -> tuple[Fraction, ...]:
        """w_0 … w_{n−1}, exactly (real part of Σ_j c_j b_j λ_j^i).  Real nodes go over integers: with λ_j = p_j/Q
        and g_j = c_j b_j = N_j/G on common denominators, w_i = Σ_j N_j p_j^i / (G Q^i), one reduction a term
        instead of a rational product and sum per node (600 nodes i/1000 to 1201 terms: 45 s over Fractions)."""
        if not self.is_complex:
            return _real_impulse_response(self.lam, [c * b for b, c in zip(self.b, self.c)], n)
        z = [c * b for b, c in zip(self.b, self.c)]
        out = []
        for _ in range(n):
            out.append(sum((_re(x) for x in z), Fraction(0)))
            z = [x * lam for x, lam in zip(z, self.lam)]
        return tuple(out)

    def to_rnn(self) -> ExactRNN:
        """The same student as a real dense RNN: diag(λ), or 2×2 blocks [[x, −y], [y, x]] per complex mode."""
        if not self.is_complex:
            d = self.d
            return ExactRNN(exact.from_nonzero({(i, i): x for i, x in enumerate(self.lam)}, (d, d)),
                            exact.column(self.b), exact.row(self.c))
        z = [gaussian(0) + x for x in self.lam]
        entries: dict[tuple[int, int], object] = {}
        B: list[Fraction] = []
        C: list[Fraction] = []
        for j, (lam, b, c) in enumerate(zip(z, (gaussian(0) + x for x in self.b), (gaussian(0) + x for x in self.c))):
            x, y = exact.to_fraction(lam.x), exact.to_fraction(lam.y)
            entries.update({(2 * j, 2 * j): x, (2 * j, 2 * j + 1): -y, (2 * j + 1, 2 * j): y, (2 * j + 1, 2 * j + 1): x})
            B += [exact.to_fraction(b.x), exact.to_fraction(b.y)]
            C += [exact.to_fraction(c.x), -exact.to_fraction(c.y)]
        n = 2 * self.d
        return ExactRNN(exact.from_nonzero(entries, (n, n)), exact.column(B), exact.row(C))

    def balance(self) -> tuple[Fraction, ...]:
        """|b_j|² − |c_j|² per mode (exact)."""
        return tuple(_re(b * _conj(b)) - _re(c * _conj(c)) for b, c in zip(self.b, self.c))


def lagrange_weights(nodes: Sequence[object]) -> tuple[Fraction, ...]:
    """ℓ_j(0) = Π_{m≠j} λ_m / (λ_m − λ_j) for distinct nonzero rational nodes.

    >>> [str(x) for x in lagrange_weights([1, 2, 3])]
    ['3', '-3', '1']
    """
    lam = _nodes(nodes)
    out = []
    for j, lj in enumerate(lam):
        p = Fraction(1)
        for m, lm in enumerate(lam):
            if m != j:
                p *= lm / (lm - lj)
        out.append(p)
    return tuple(out)


def _nodes(nodes: Sequence[object]) -> list[Fraction]:
    lam = [exact.parse_rational(x) for x in nodes]
    if not lam:
        raise InvalidInput("a diagonal counterexample needs at least one node")
    if any(x == 0 for x in lam):
        raise InvalidInput("nodes must be nonzero (a zero node contributes only to w_0)")
    if len(set(lam)) != len(lam):
        dup = sorted({str(x) for x in lam if lam.count(x) > 1})
        raise InvalidInput(f"nodes must be distinct, repeated: {', '.join(dup)}")
    return lam


def diagonal_counterexample(nodes: Sequence[object], k: int | None = None, teacher: Teacher | None = None,
                            balanced: bool = False) -> DiagonalStudent:
    """C12(a): the diagonal student on the given nodes that matches the teacher on length k = len(nodes).

    Memoryless teacher: weights c_j b_j = ℓ_j(0) (closed form); any teacher: the Vandermonde solve.
    Default realization b_j = 1, c_j = weight.  ``balanced``: c = b, each node repeated so that its
    weight is a sum of up to four rational squares (needs every weight > 0; C5 forbids it for the
    memoryless teacher when k ≥ 3).

    >>> s = diagonal_counterexample([1, 2, 3])
    >>> [str(w) for w in s.impulse_response(4)]
    ['1', '0', '0', '6']
    """
    lam = _nodes(nodes)
    if k is not None and k != len(lam):
        raise InvalidInput(f"k = {k} needs exactly k nodes, got {len(lam)} (one node per matched term)")
    # The memoryless teacher's weights are Lagrange's closed form (n² products of node differences); another
    # teacher's need the exact inverse of the Vandermonde matrix, far dearer; the dense realization of ``to_rnn``
    # is k×k (tempx.theory.budget).
    bits = max(x.numerator.bit_length() + x.denominator.bit_length() for x in lam)
    t = as_teacher(teacher)
    n = len(lam)
    # the dense realization, held as a matrix and, for the output, as Fractions and text
    nbytes = 2 * exact_matrix_bytes(n, n, bits)
    if t.describe() == "memoryless":
        units = lagrange_work(n, bits)
    else:
        growth = exact.term_growth([[x] for x in lam])  # diag(λ): log₂ Q + log₂ max |Q·λ|
        units = vandermonde_work(n, growth)
        nbytes += 2 * exact_matrix_bytes(n, n, n * growth)  # V⁻¹ and its elimination: entries of about n·g bits
    stage = check_work(f"a diagonal counterexample on {n} nodes", units)
    check_memory(f"a diagonal counterexample on {n} nodes", nbytes)
    with stage:
        if t.describe() == "memoryless":
            weights = list(lagrange_weights(lam))
        else:
            V = exact.matrix([[x**i for x in lam] for i in range(len(lam))])
            weights = [row[0] for row in exact.entries(V.inv() * exact.column(t.impulse_response(len(lam))))]
    if not balanced:
        return DiagonalStudent(tuple(lam), tuple(Fraction(1) for _ in lam), tuple(weights))
    if any(w <= 0 for w in weights):
        bad = ", ".join(f"{w} at node {x}" for x, w in zip(lam, weights) if w <= 0)
        raise InvalidInput(f"no balanced (c = b) diagonal student on these nodes: weight {bad} is not positive (C5)")
    from tempx.theory.moments import four_squares

    nodes_out: list[Fraction] = []
    b: list[Fraction] = []
    for x, w in zip(lam, weights):
        parts = four_squares(w)
        nodes_out += [x] * len(parts)
        b += parts
    return DiagonalStudent(tuple(nodes_out), tuple(b), tuple(b))


def diagonal_gradient(s: DiagonalStudent, teacher: Teacher | None, k: int, weights: Weights = None
                      ) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """Exact (∂L/∂λ, ∂L/∂b, ∂L/∂c) by the closed forms of (b); complex: ∂/∂Re + i ∂/∂Im."""
    omega = loss_weights(k, weights)
    r = [w - ws for w, ws in zip(s.impulse_response(k), as_teacher(teacher).impulse_response(k))]
    rho = [o * x for o, x in zip(omega, r)]
    zero = gaussian(0) if s.is_complex else Fraction(0)
    glam, gb, gc = [], [], []
    for lam, b, c in zip(s.lam, s.b, s.c):
        s0, s1 = zero, zero
        for i in range(k - 1, -1, -1):  # Horner for Σ ρ_i λ^i and its derivative
            s1 = s1 * lam + s0
            s0 = s0 * lam + (gaussian(rho[i]) if s.is_complex else rho[i])
        glam.append(_conj(c * b * s1) * 2)
        gb.append(_conj(c * s0) * 2)
        gc.append(_conj(b * s0) * 2)
    return tuple(glam), tuple(gb), tuple(gc)


def symbolic_identities(d: int, k: int, complex_modes: bool) -> dict[str, list[PolyElement]]:
    """The polynomial identities behind (b) and (c) for a generic d-mode student and a generic teacher.

    Variables: the student's λ, b, c (real and imaginary parts when complex) and free teacher values
    s_0 … s_{k−1} (so the identities hold for every teacher).  Returns named lists of polynomials
    that must all be zero: derivatives are exact (ring differentiation), not the closed forms.
    """
    if d < 1 or k < 1:
        raise InvalidInput(f"need d >= 1 and k >= 1, got d = {d}, k = {k}")
    parts = ("x", "y") if complex_modes else ("x",)
    names = [f"{v}{p}{j}" for j in range(d) for v in ("l", "b", "c") for p in parts] + [f"s{i}" for i in range(k)]
    R, *gens = ring(",".join(names), QQ)
    g = dict(zip(names, gens))

    def cx(v: str, j: int) -> tuple[PolyElement, PolyElement]:
        return (g[f"{v}x{j}"], g[f"{v}y{j}"] if complex_modes else R.zero)

    def mul(a: tuple[PolyElement, PolyElement], b: tuple[PolyElement, PolyElement]) -> tuple[PolyElement, PolyElement]:
        return (a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0])

    w = [R.zero] * k
    for j in range(d):
        z = mul(cx("c", j), cx("b", j))
        for i in range(k):
            w[i] += z[0]
            z = mul(z, cx("l", j))
    L = sum(((w[i] - g[f"s{i}"]) ** 2 for i in range(k)), R.zero)
    out: dict[str, list[PolyElement]] = {"scaling (Re conj(b) ∂_b L = Re conj(c) ∂_c L)": [],
                                         "zero mode (∂_b L = 0 at c = 0, ∂_c L = 0 at b = 0)": [],
                                         "closed-form gradient = exact derivative": []}
    if complex_modes:
        out["phase (Im conj(b) ∂_b L = Im conj(c) ∂_c L)"] = []
    for j in range(d):
        bx, cxx = g[f"bx{j}"], g[f"cx{j}"]
        scal = bx * L.diff(bx) - cxx * L.diff(cxx)
        if complex_modes:
            by, cy = g[f"by{j}"], g[f"cy{j}"]
            scal += by * L.diff(by) - cy * L.diff(cy)
            # phase generator: δb = i b → (−b_y, b_x); δc = −i c → (c_y, −c_x)
            out["phase (Im conj(b) ∂_b L = Im conj(c) ∂_c L)"].append(
                -by * L.diff(bx) + bx * L.diff(by) + cy * L.diff(cxx) - cxx * L.diff(cy))
        out["scaling (Re conj(b) ∂_b L = Re conj(c) ∂_c L)"].append(scal)
        c_vars = [cxx] + ([g[f"cy{j}"]] if complex_modes else [])
        b_vars = [bx] + ([g[f"by{j}"]] if complex_modes else [])
        for v in b_vars:
            out["zero mode (∂_b L = 0 at c = 0, ∂_c L = 0 at b = 0)"].append(L.diff(v).subs([(cv, 0) for cv in c_vars]))
        for v in c_vars:
            out["zero mode (∂_b L = 0 at c = 0, ∂_c L = 0 at b = 0)"].append(L.diff(v).subs([(bv, 0) for bv in b_vars]))
        # closed form (real part of the formula) against exact differentiation, for ∂/∂b_x and ∂/∂λ_x
        rho = [(w[i] - g[f"s{i}"]) for i in range(k)]  # ω = 1
        S0 = (R.zero, R.zero)
        S1 = (R.zero, R.zero)
        lam = cx("l", j)
        for i in range(k - 1, -1, -1):
            S1 = (mul(S1, lam)[0] + S0[0], mul(S1, lam)[1] + S0[1])
            S0 = (mul(S0, lam)[0] + rho[i], mul(S0, lam)[1])
        gbx = 2 * mul(cx("c", j), S0)[0]  # Re of 2 conj(c S) = Re of 2 c S
        glx = 2 * mul(mul(cx("c", j), cx("b", j)), S1)[0]
        out["closed-form gradient = exact derivative"] += [gbx - L.diff(bx), glx - L.diff(g[f"lx{j}"])]
        if complex_modes:
            gby = -2 * mul(cx("c", j), S0)[1]  # Im of 2 conj(c S)
            out["closed-form gradient = exact derivative"].append(gby - L.diff(g[f"by{j}"]))
    return out

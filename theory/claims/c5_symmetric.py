"""C5 — on M, interpolation forces extrapolation iff k ≥ 3 (and its moment-problem form).

On M = {A = Aᵀ, C = Bᵀ}, with A = UΛUᵀ and b = UᵀB, w_i = Σ_j b_j² λ_j^i: the impulse
response is the moment sequence of ν = Σ_j b_j² δ_{λ_j}.  For any polynomial p,
pᵀ H p = Σ_{a,b} p_a p_b w_{a+b} = ∫ p² dν = ‖p(A) B‖²  (H the Hankel matrix of w).

Memoryless teacher (ν* = δ_0): k ≥ 3 and L_k = 0 give w_2 = ‖AB‖² = 0, so AB = 0 and
w_i = 0 for i ≥ 1.  For k = 2 it fails: A = diag(16, −9), B = (3/5, 4/5)ᵀ gives w = (1, 0, 144).
General teacher in M with n distinct atoms μ_l and weights β_l² > 0, k ≥ 2n + 1: with
p = Π(x − μ_l), ∫p² dν = ∫p² dν* = 0, so ν lives on {μ_l}; its weights solve a Vandermonde
system from w_0 … w_{n−1}, so ν = ν* and R extrapolates perfectly.

Checks (exact): the k = 2 counterexample; pᵀHp = ‖p(A)B‖² at random rational points of M;
random interpolating students in M (dense, rotated by a rational orthogonal matrix) for the
memoryless teacher and for teachers with n ≤ 3 atoms, each step of the argument evaluated.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from sympy.polys.matrices import DomainMatrix

from tempx.theory import exact
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import loss, residuals
from tempx.theory.rnn import ExactRNN, random_symmetric_rnn
from tempx.theory.teachers import Memoryless, TeacherRNN

K2_COUNTEREXAMPLE = ExactRNN.from_entries(A=[[16, 0], [0, -9]], B=["3/5", "4/5"], C=[["3/5", "4/5"]])


def _rat(rng: random.Random, size: int = 5) -> Fraction:
    return Fraction(rng.randint(-size, size), rng.randint(1, size))


def rational_orthogonal(d: int, rng: random.Random) -> DomainMatrix:
    """A dense rational orthogonal matrix: the Cayley transform (I − K)(I + K)⁻¹ of a skew K."""
    K = [[Fraction(0)] * d for _ in range(d)]
    for i in range(d):
        for j in range(i + 1, d):
            K[i][j] = _rat(rng, 3)
            K[j][i] = -K[i][j]
    Km = exact.matrix(K)
    I = exact.eye(d)
    O = (I - Km) * (I + Km).inv()
    assert O * O.transpose() == I  # Invariant: orthogonal, so conjugation keeps M.
    return O


def rotate(rnn: ExactRNN, O: DomainMatrix) -> ExactRNN:
    """(O A Oᵀ, O B, C Oᵀ): stays in M when R is in M and O is orthogonal."""
    return rnn.transform(O, O.transpose())


def hankel_quadratic(w: tuple[Fraction, ...], p: list[Fraction]) -> Fraction:
    """pᵀ H p = Σ_{a,b} p_a p_b w_{a+b}, i.e. ∫ p² dν when w are the moments of ν."""
    n = len(p)
    return sum((p[a] * p[b] * w[a + b] for a in range(n) for b in range(n)), Fraction(0))


def _poly_at_matrix(p: list[Fraction], A: DomainMatrix) -> DomainMatrix:
    d = A.shape[0]
    out = exact.zeros(d, d)
    power = exact.eye(d)
    for coeff in p:
        out = out + power * exact.qq(coeff)
        power = power * A
    return out


def _monic_with_roots(roots: list[Fraction]) -> list[Fraction]:
    """Coefficients (lowest degree first) of Π (x − μ)."""
    p = [Fraction(1)]
    for mu in roots:
        p = [(p[i - 1] if i > 0 else 0) - mu * (p[i] if i < len(p) else 0) for i in range(len(p) + 1)]
    return p


def atoms_teacher(mus: list[Fraction], betas: list[Fraction]) -> TeacherRNN:
    """The teacher A* = diag(μ), B* = β, C* = βᵀ in M: w*_i = Σ β_l² μ_l^i."""
    n = len(mus)
    A = [[mus[i] if i == j else 0 for j in range(n)] for i in range(n)]
    return TeacherRNN(ExactRNN.from_entries(A=A, B=betas, C=betas))


def hypotheses(form: str, d: int = 2, k: int = 2, n: int = 1, seed: int = 0) -> None:
    if form == "k2_counterexample":
        return
    if form == "hankel_identity":
        if d < 1 or n < 0:
            raise HypothesisViolation("need d >= 1 and a polynomial degree n >= 0")
        return
    if form == "interpolating":
        if k < 2 * n + 1:
            raise HypothesisViolation(f"C5 needs k >= 2n + 1 = {2 * n + 1}, got k = {k}")
        if d < n:
            raise HypothesisViolation(f"the student needs d >= n = {n} to interpolate")
        return
    raise HypothesisViolation(f"unknown form {form!r}")


def check_instance(form: str, d: int = 2, k: int = 2, n: int = 1, seed: int = 0) -> list[Evidence]:
    rng = random.Random(seed)
    params = {"form": form, "d": d, "k": k, "n": n, "seed": seed}
    if form == "k2_counterexample":
        R = K2_COUNTEREXAMPLE
        return [
            evidence("k = 2 example lies in M", R.is_symmetric_balanced(), True),
            evidence("w_0, w_1, w_2 = 1, 0, 144", R.impulse_response(3), (Fraction(1), Fraction(0), Fraction(144))),
            evidence("L_2 = 0", loss(R, None, 2), Fraction(0)),
            evidence("L_3 = 144²", loss(R, None, 3), Fraction(144**2)),
        ]
    if form == "hankel_identity":
        R = random_symmetric_rnn(d, rng)
        p = [_rat(rng) for _ in range(n + 1)]
        pAB = _poly_at_matrix(p, R.A) * R.B
        norm2 = (pAB.transpose() * pAB).to_list_flat()[0]
        return [evidence("pᵀ H(w) p = ‖p(A) B‖² on M", hankel_quadratic(R.impulse_response(2 * n + 1), p),
                         exact.to_fraction(norm2), p=[str(x) for x in p], **params)]
    # interpolating student for a teacher with n atoms (n = 1, μ = 0, β = 1: memoryless)
    if n == 1 and seed % 2 == 0:
        mus, betas = [Fraction(0)], [Fraction(1)]
        teacher: Any = Memoryless()
    else:
        mus = []
        while len(mus) < n:
            mu = _rat(rng)
            if mu not in mus:
                mus.append(mu)
        betas = [_rat(rng) or Fraction(1) for _ in range(n)]
        teacher = atoms_teacher(mus, betas)
    # Student: the teacher's atoms plus d − n states with zero weight, rotated by a random O.
    extra = [_rat(rng) for _ in range(d - n)]
    diag = mus + extra
    A = [[diag[i] if i == j else 0 for j in range(d)] for i in range(d)]
    b = betas + [0] * (d - n)
    R = rotate(ExactRNN.from_entries(A=A, B=b, C=b), rational_orthogonal(d, rng))
    w = R.impulse_response(2 * n + 1)
    p = _monic_with_roots(mus)
    pAB = _poly_at_matrix(p, R.A) * R.B
    # Vandermonde: weights γ with Σ_l γ_l μ_l^i = w_i, i < n, recovered from the student's moments.
    V = exact.matrix([[mu**i for mu in mus] for i in range(n)])
    gamma = V.inv() * exact.column(w[:n])
    m = 4 * k
    return [
        evidence("student lies in M", R.is_symmetric_balanced(), True, **params),
        evidence("L_k(R) = 0", loss(R, teacher, k), Fraction(0), **params),
        evidence("∫p² dν = pᵀH(w)p = 0, p = Π(x − μ_l)", hankel_quadratic(w, p), Fraction(0), **params),
        evidence("p(A) B = 0", pAB.is_zero_matrix, True, **params),
        evidence("Vandermonde weights = β_l²", exact.entries(gamma), [[x * x] for x in betas], **params),
        evidence(f"r_i = 0 for i < {m}", list(residuals(R, teacher, m)), [Fraction(0)] * m, **params),
    ]


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [{"form": "k2_counterexample"}]
    for n in (0, 1, 2, 3):
        out.append({"form": "hankel_identity", "d": rng.randint(1, 5), "n": n, "seed": draw_seed(rng)})
    out.append({"form": "interpolating", "d": 1, "k": 3, "n": 1, "seed": 0})  # memoryless, d = 1, k = 3
    out.append({"form": "interpolating", "d": 4, "k": 3, "n": 1, "seed": 2})  # memoryless, dense student
    for n in (1, 2, 3):  # k = 2n + 1 exactly (the boundary) and one more
        for extra in (0, 1):
            out.append({"form": "interpolating", "d": n + rng.randint(0, 3), "k": 2 * n + 1 + extra, "n": n,
                        "seed": 2 * draw_seed(rng) + 1})
    return out


CLAIM = Claim(
    id="C5",
    kind="implication",
    title="on M: L_k = 0 ⇒ perfect extrapolation iff k ≥ 3 (k ≥ 2n+1 for n atoms)",
    statement=(
        "Memoryless teacher: if R is in M, k >= 3 and L_k(R) = 0 then w_2 = ||AB||^2 = 0, so AB = 0 and "
        "w_i = 0 for all i >= 1. For k = 2 this fails: A = diag(16, -9), B = (3/5, 4/5)^T, C = B^T gives "
        "w = (1, 0, 144). Teacher in M with n distinct atoms and k >= 2n + 1: every interpolating R in M "
        "extrapolates perfectly."
    ),
    latex=r"R\in\mathcal{M},\ k\ge 2n+1,\ L_k(R)=0\ \Rightarrow\ w_i(R)=w^*_i\ \forall i;\quad p^\top H(w)\,p=\|p(A)B\|^2",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/claims/c5_symmetric.py",
    test="tests/test_claims.py",
)

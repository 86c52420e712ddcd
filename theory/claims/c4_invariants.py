"""C4 — exact invariants of gradient descent and gradient flow (any teacher, any ω).

(a) Noether identity  ∇_A L Aᵀ − Aᵀ ∇_A L + ∇_B L Bᵀ − Cᵀ ∇_C L = 0
    (L depends on R only through w, which is invariant under R ↦ (SAS⁻¹, SB, CS⁻¹)).
(b) Under gradient flow Q(R) = AAᵀ − AᵀA + BBᵀ − CᵀC is constant: dQ/dt = −(N + Nᵀ) with N
    the left side of (a).
(c) One GD step changes Q by exactly η²(G_A G_Aᵀ − G_Aᵀ G_A + G_B G_Bᵀ − G_Cᵀ G_C).
(d) On M = {A = Aᵀ, C = Bᵀ}: U = V, so ∇_A L = 2VᵀHV is symmetric and ∇_C L = (∇_B L)ᵀ;
    M is invariant under GD (every η) and GF, and Q = 0 on M.
(e) Memoryless teacher: d/dt ‖A‖_F² = −2⟨A, ∇_A L⟩ = −4 Σ_{i=1}^{k−1} ω_i i w_i² ≤ 0,
    from ⟨A, ∇_A w_i⟩ = i w_i.

Checks: (a), (c), (d) exactly at random rational points; (b), (e) as polynomial identities
for a generic symbolic RNN, with d/dt computed by exact differentiation along −∇L; the
gradient formula itself against the exact partial derivatives of L.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from sympy import QQ

from tempx.theory import exact
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import Gradient, gd_step, gradient, loss, loss_weights, noether, q_matrix, q_step_change
from tempx.theory.rnn import random_rnn, random_symmetric_rnn
from tempx.theory.symbolic import derivative_along, generic_rnn
from tempx.theory.teachers import Memoryless, Teacher, TeacherRNN

FORMS = ("noether", "gd_step", "symmetric", "flow_Q", "flow_A", "gradient_formula")
# The part of C4 each form checks: every evidence name of a form starts with its part (tests read this).
PART = {"noether": "(a)", "flow_Q": "(b)", "gd_step": "(c)", "symmetric": "(d)", "flow_A": "(e)",
        "gradient_formula": "2UᵀHV"}


def _weights(kind: str, k: int, rng: random.Random) -> Any:
    """``random``: ω_i ≥ 0 with one ω_i = 0 (C4 holds for any ω ≥ 0, zeros included)."""
    if kind == "random":
        omega = [Fraction(rng.randint(0, 5), rng.randint(1, 3)) for _ in range(k)]
        omega[rng.randrange(k)] = Fraction(0)
        return omega
    return kind


def _teacher(d_star: int, rng: random.Random) -> Teacher:
    return Memoryless() if d_star == 1 else TeacherRNN(random_rnn(d_star, rng))


def hypotheses(form: str, d: int, k: int, weights: str = "last", d_star: int = 1, seed: int = 0) -> None:
    if form not in FORMS:
        raise HypothesisViolation(f"unknown form {form!r} (allowed: {', '.join(FORMS)})")
    if d < 1 or k < 1 or d_star < 1:
        raise HypothesisViolation("C4 needs d >= 1, k >= 1, d* >= 1")
    if form == "flow_A" and d_star != 1:
        raise HypothesisViolation("C4(e) is stated for the memoryless teacher")


def _neg(G: Gradient) -> Gradient:
    return Gradient(-G.A, -G.B, -G.C)


def check_instance(form: str, d: int, k: int, weights: str = "last", d_star: int = 1, seed: int = 0) -> list[Evidence]:
    rng = random.Random(seed)
    params = {"form": form, "d": d, "k": k, "weights": weights, "d_star": d_star, "seed": seed}
    if form in ("noether", "gd_step", "symmetric"):
        teacher = _teacher(d_star, rng)
        params["teacher"] = teacher.describe()  # d* = 1: memoryless; the tests read this
        rnn = random_symmetric_rnn(d, rng) if form == "symmetric" else random_rnn(d, rng)
        omega = _weights(weights, k, rng)
        G = gradient(rnn, teacher, k, omega)
        zero = exact.zeros(d, d)
        if form == "noether":
            return [evidence("(a) Noether identity = 0", noether(rnn, G), zero, **params)]
        eta = Fraction(rng.randint(1, 9), rng.choice([10, 100, 1000]))
        stepped = gd_step(rnn, G, eta)
        if form == "gd_step":
            return [evidence("(c) Q(R') − Q(R) = η²(G_AG_Aᵀ − G_AᵀG_A + G_BG_Bᵀ − G_CᵀG_C)",
                             q_matrix(stepped) - q_matrix(rnn), q_step_change(G, eta), eta=str(eta), **params)]
        return [
            evidence("(d) ∇_A L symmetric on M", G.A, G.A.transpose(), **params),
            evidence("(d) ∇_C L = (∇_B L)ᵀ on M", G.C, G.B.transpose(), **params),
            evidence("(d) one GD step stays in M", stepped.is_symmetric_balanced(), True, eta=str(eta), **params),
            evidence("(d) Q = 0 on M", q_matrix(rnn), zero, **params),
        ]
    sym = generic_rnn(d)
    rnn, R = sym.rnn, sym.ring
    teacher = Memoryless()
    G = gradient(rnn, teacher, k, weights)
    if form == "gradient_formula":
        L = loss(rnn, teacher, k, weights)
        mats = {"A": G.A.to_list(), "B": G.B.to_list(), "C": G.C.to_list()}
        formula = [mats[n][i][j] for places in sym.params.values() for (n, i, j) in places]
        derivative = [L.diff(g) for g, places in sym.params.items() for _ in places]
        return [evidence("2UᵀHV, 2Uᵀρ, 2ρᵀV = exact ∂L/∂θ (symbolic)", formula, derivative, **params)]
    if form == "flow_Q":
        Q = q_matrix(rnn).to_list()
        dQ = [[derivative_along(Q[i][j], sym, _neg(G)) for j in range(d)] for i in range(d)]
        return [evidence("(b) dQ/dt = 0 along gradient flow (symbolic)", dQ, [[R.zero] * d for _ in range(d)], **params)]
    # flow_A
    A = rnn.A.to_list()
    norm2 = sum((A[i][j] ** 2 for i in range(d) for j in range(d)), R.zero)
    omega = [rnn.domain.convert_from(QQ(o.numerator, o.denominator), QQ) for o in loss_weights(k, weights)]
    w = rnn.impulse_response(k)
    expected = sum((omega[i] * (-4 * i) * w[i] ** 2 for i in range(1, k)), R.zero)
    return [evidence("(e) d‖A‖²/dt = −4 Σ ω_i i w_i² (symbolic)", derivative_along(norm2, sym, _neg(G)), expected, **params)]


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for form in ("noether", "gd_step", "symmetric"):
        out.append({"form": form, "d": 1, "k": 1, "weights": "last", "d_star": 1, "seed": draw_seed(rng)})
        for weights in ("last", "all", "random"):
            out.append({"form": form, "d": rng.randint(1, 4), "k": rng.randint(1, 6), "weights": weights,
                        "d_star": rng.randint(1, 3), "seed": draw_seed(rng)})
    for form in ("gradient_formula", "flow_Q", "flow_A"):
        for d, k in ((1, 3), (2, 2), (2, 3), (3, 3)):
            for weights in ("last", "all"):
                out.append({"form": form, "d": d, "k": k, "weights": weights})
    return out


CLAIM = Claim(
    id="C4",
    kind="identity",
    title="Noether identity; Q conserved by GF, changed O(η²) by GD; M invariant; ‖A‖ decreases",
    statement=(
        "(a) grad_A L A^T - A^T grad_A L + grad_B L B^T - C^T grad_C L = 0. (b) Under gradient flow "
        "Q = AA^T - A^TA + BB^T - C^TC is constant. (c) One GD step changes Q by exactly "
        "eta^2 (G_A G_A^T - G_A^T G_A + G_B G_B^T - G_C^T G_C). (d) On M = {A = A^T, C = B^T}, grad_A L "
        "is symmetric and grad_C L = (grad_B L)^T, so M is invariant under GD and GF. (e) Memoryless "
        "teacher: d/dt ||A||_F^2 = -4 sum_{i>=1} omega_i i w_i^2 <= 0 under GF."
    ),
    latex=r"\nabla_A L\,A^\top-A^\top\nabla_A L+\nabla_B L\,B^\top-C^\top\nabla_C L=0,\quad \dot Q=0,\quad \tfrac{d}{dt}\|A\|_F^2=-4\sum_{i\ge1}\omega_i\,i\,w_i^2",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/losses.py, theory/claims/c4_invariants.py",
    test="tests/test_losses.py, tests/test_claims.py",
)

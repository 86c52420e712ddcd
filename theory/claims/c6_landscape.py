"""C6(a) — the landscape: every stationary point of L_k is a global minimum or has B = C = 0.

Memoryless teacher, weights ω_i > 0 for all i < k (last-output and all-outputs losses).
Proof sketch: ⟨A, ∇_A w_i⟩ = i w_i gives the exact identity
    ⟨A, ∇_A L⟩ = 2 Σ_i ω_i i r_i w_i,
which for the memoryless teacher is 2 Σ_{i≥1} ω_i i w_i² (the scaling direction A → (1−ε)A).
At a stationary point it vanishes, so w_1 = … = w_{k−1} = 0; then ρ = (ω_0 r_0, 0, …),
∇_A L = 0, ∇_B L = 2 ω_0 r_0 Cᵀ and ∇_C L = 2 ω_0 r_0 Bᵀ.  Either r_0 = 0 (L = 0, a global
minimum) or B = 0 and C = 0 (L = ω_0, a saddle-type stationary point, which exists).

Checks (exact): the identity at random rational points for general teachers and weights;
the gradient at points with w_1 = … = w_{k−1} = 0; the classification of every candidate in a
seeded pool (random points, counterexamples, interpolating points, B = C = 0 points).

C6(b), (c) are statements about gradient flow and are checked in ``numerics``.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any, Literal

from tempx.theory import exact
from tempx.theory.claims.c3_tightness import random_interpolating
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import gradient, loss, loss_weights, residuals
from tempx.theory.rnn import ExactRNN, random_rnn
from tempx.theory.teachers import Memoryless, Teacher, TeacherRNN

Stationary = Literal["not stationary", "global minimum", "B = C = 0", "other"]


def frobenius(X: Any, Y: Any) -> Fraction:
    """⟨X, Y⟩ = Σ X_ij Y_ij."""
    return sum((exact.to_fraction(a) * exact.to_fraction(b) for a, b in zip(X.to_list_flat(), Y.to_list_flat())), Fraction(0))


def classify_stationary(rnn: ExactRNN, k: int, weights: Any = None) -> Stationary:
    """Exact classification of R for the memoryless teacher; 'other' would refute C6(a)."""
    if not gradient(rnn, None, k, weights).is_zero():
        return "not stationary"
    if loss(rnn, None, k, weights) == 0:
        return "global minimum"
    if rnn.B.is_zero_matrix and rnn.C.is_zero_matrix:
        return "B = C = 0"
    return "other"


def hypotheses(form: str, d: int, k: int, weights: str = "last", d_star: int = 1, seed: int = 0) -> None:
    if d < 1 or k < 1:
        raise HypothesisViolation("C6(a) needs d >= 1 and k >= 1")
    if form in ("scaling_gradient", "classification") and d_star != 1:
        raise HypothesisViolation("C6(a) is stated for the memoryless teacher")
    if form in ("scaling_gradient", "classification") and weights not in ("last", "all"):
        raise HypothesisViolation("C6(a) needs weights ω_i > 0 (last or all)")
    if form not in ("identity", "scaling_gradient", "classification"):
        raise HypothesisViolation(f"unknown form {form!r}")


def zero_io_rnn(d: int, rng: random.Random) -> ExactRNN:
    """A random A with B = 0 and C = 0: a stationary point with L = ω_0 (not a global minimum)."""
    return ExactRNN(random_rnn(d, rng).A, exact.zeros(d, 1), exact.zeros(1, d))


def check_instance(form: str, d: int, k: int, weights: str = "last", d_star: int = 1, seed: int = 0) -> list[Evidence]:
    rng = random.Random(seed)
    params = {"form": form, "d": d, "k": k, "weights": weights, "d_star": d_star, "seed": seed}
    if form == "identity":
        teacher: Teacher = Memoryless() if d_star == 1 else TeacherRNN(random_rnn(d_star, rng))
        rnn = random_rnn(d, rng)
        omega: Any = weights if weights != "random" else [Fraction(rng.randint(0, 5), rng.randint(1, 3)) for _ in range(k)]
        G = gradient(rnn, teacher, k, omega)
        w = rnn.impulse_response(k)
        r = residuals(rnn, teacher, k)
        om = loss_weights(k, omega)
        expected = 2 * sum((om[i] * i * r[i] * w[i] for i in range(k)), Fraction(0))
        return [evidence("⟨A, ∇_A L⟩ = 2 Σ ω_i i r_i w_i", frobenius(rnn.A, G.A), expected, **params)]
    om = loss_weights(k, weights)
    if form == "scaling_gradient":
        # A point with w_1..w_{k−1} = 0 but w_0 = s ≠ 1: r_0 = s − 1.
        s = 1 + Fraction(rng.randint(1, 8), rng.randint(1, 3))  # s > 1: r_0 ≠ 0
        rnn = random_interpolating(Memoryless(s), d, rng)
        G = gradient(rnn, None, k, weights)
        r0 = s - 1
        two_rho0 = exact.qq(2 * om[0] * r0)
        return [
            evidence("the case of (a): w_1..w_{k−1} = 0 and r_0 ≠ 0", [list(rnn.impulse_response(k)[1:]), r0 != 0],
                     [[Fraction(0)] * (k - 1), True], **params),
            evidence("w_1..w_{k−1} = 0 ⇒ ∇_A L = 0", G.A.is_zero_matrix, True, **params),
            evidence("w_1..w_{k−1} = 0 ⇒ ∇_B L = 2 ω_0 r_0 Cᵀ", G.B, rnn.C.transpose() * two_rho0, **params),
            evidence("w_1..w_{k−1} = 0 ⇒ ∇_C L = 2 ω_0 r_0 Bᵀ", G.C, rnn.B.transpose() * two_rho0, **params),
        ]
    # classification over a pool of candidates
    zero_io = zero_io_rnn(d, rng)
    pool = {
        "random point": random_rnn(d, rng),
        "B = C = 0": zero_io,
        "interpolating": random_interpolating(Memoryless(), d, rng),
    }
    if d >= k:
        pool["counterexample"] = counterexample(k, d=d, c=Fraction(rng.randint(1, 5)), disguise=draw_seed(rng)).rnn
    found = [evidence(f"class of {name}", classify_stationary(rnn, k, weights) != "other", True, **params)
             for name, rnn in pool.items()]
    found.append(evidence("B = C = 0 is stationary with L = ω_0", (classify_stationary(zero_io, k, weights),
                          loss(zero_io, None, k, weights)), ("B = C = 0", om[0]), **params))
    return found


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for weights in ("last", "all", "random"):
        for _ in range(2):
            out.append({"form": "identity", "d": rng.randint(1, 4), "k": rng.randint(1, 6), "weights": weights,
                        "d_star": rng.randint(1, 3), "seed": draw_seed(rng)})
    for weights in ("last", "all"):
        out.append({"form": "scaling_gradient", "d": 1, "k": 1, "weights": weights, "seed": 0})
        out.append({"form": "scaling_gradient", "d": rng.randint(1, 4), "k": rng.randint(2, 6), "weights": weights,
                    "seed": draw_seed(rng)})
        for k in (1, 2, 4):
            out.append({"form": "classification", "d": k + rng.randint(0, 2), "k": k, "weights": weights,
                        "seed": draw_seed(rng)})
    return out


CLAIM = Claim(
    id="C6",
    kind="identity",
    title="(a) every stationary point of L_k is a global minimum or has B = C = 0",
    statement=(
        "Memoryless teacher, weights omega_i > 0: <A, grad_A L> = 2 sum_i omega_i i r_i w_i; hence at a "
        "stationary point w_1 = ... = w_{k-1} = 0, grad_B L = 2 omega_0 r_0 C^T and grad_C L = 2 omega_0 r_0 B^T, "
        "so the point is a global minimum (r_0 = 0) or has B = 0 and C = 0. (Parts (b), (c) concern "
        "gradient flow and are checked numerically.)"
    ),
    latex=r"\langle A,\nabla_A L\rangle=2\sum_i\omega_i\,i\,r_i\,w_i;\quad \nabla L(R)=0\Rightarrow L(R)=0\ \text{or}\ B=C=0",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/claims/c6_landscape.py",
    test="tests/test_claims.py",
)

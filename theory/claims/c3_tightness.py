"""C3 — tightness of C2: with d + d* ≤ k, interpolation forces perfect extrapolation.

Memoryless teacher (d* = 1): d ≤ k − 1 and L_k(R) = 0 imply w_i = 0 for all i ≥ 1, while
C2 gives counterexamples for every d ≥ k: d = k is exactly the threshold.

Proof sketch: the residual sequence r_i = w_i − w*_i is the impulse response of the joint
system (blockdiag(A, A*), [B; B*], [C, −C*]) of dimension D = d + d*; Cayley–Hamilton gives
r_{i+D} = −Σ_{j<D} p_j r_{i+j} with p the characteristic polynomial of blockdiag(A, A*).
If D ≤ k and r_0 … r_{k−1} = 0, induction gives r_i = 0 for all i.

Checks: (1) the recurrence w_{i+d} + Σ_j p_j w_{i+j} = 0 as a polynomial identity for a
generic symbolic d×d RNN (d ≤ 3); (2) the residual recurrence exactly on random rational
RNNs and teachers; (3) random interpolating RNNs with d + d* ≤ k (dense, disguised)
extrapolate perfectly; (4) at d = k the cyclic counterexample interpolates and does not.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from tempx.theory import exact
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.counterexamples import cyclic, disguise_matrices
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import loss, residuals
from tempx.theory.rnn import ExactRNN, random_rnn
from tempx.theory.symbolic import generic_rnn
from tempx.theory.teachers import Memoryless, Teacher, TeacherRNN

MAX_SYMBOLIC_D = 3


def _teacher(d_star: int, rng: random.Random) -> Teacher:
    return Memoryless() if d_star == 1 else TeacherRNN(random_rnn(d_star, rng))


def recurrence_defect(seq: list[Any], charpoly: list[Any]) -> list[Any]:
    """[s_{i+D} + Σ_{j<D} p_j s_{i+j}] for every i that fits; all zero iff the recurrence holds.

    ``charpoly`` is [1, c_{D−1}, …, c_0] (highest degree first), p_j = c_j.
    """
    D = len(charpoly) - 1
    p = list(reversed(charpoly))  # p[j] multiplies λ^j; p[D] = 1
    if seq and isinstance(seq[0], Fraction):
        p = [exact.to_fraction(x) for x in p]
    return [sum((p[j] * seq[i + j] for j in range(D + 1)), seq[i] * 0) for i in range(len(seq) - D)]


def random_interpolating(teacher: Teacher, d: int, rng: random.Random) -> ExactRNN:
    """A dense rational RNN of dimension d ≥ d* with exactly the teacher's impulse response.

    The teacher's realisation drives an extra random block that C never reads
    (A = [[A*, 0], [Y, Z]], B = [B*; y], C = [C*, 0]); then a random change of basis.
    """
    t = teacher.as_rnn()
    m = d - t.d
    if m < 0:
        raise HypothesisViolation(f"need d >= d* = {t.d}, got {d}")
    r = lambda: Fraction(rng.randint(-4, 4), rng.randint(1, 4))
    A_t, B_t, C_t = (exact.entries(x) for x in (t.A, t.B, t.C))
    A = [row + [0] * m for row in A_t] + [[r() for _ in range(d)] for _ in range(m)]
    B = [b[0] for b in B_t] + [r() for _ in range(m)]
    C = C_t[0] + [0] * m
    return ExactRNN.from_entries(A, B, C).transform(*disguise_matrices(d, draw_seed(rng)))


def hypotheses(form: str, d: int, k: int = 0, d_star: int = 1, seed: int = 0) -> None:
    if d < 1 or d_star < 1:
        raise HypothesisViolation("C3 needs d >= 1 and d* >= 1")
    if form == "interpolating" and d + d_star > k:
        raise HypothesisViolation(f"C3 needs d + d* <= k, got d = {d}, d* = {d_star}, k = {k}")
    if form == "threshold" and (d != k or d_star != 1):
        raise HypothesisViolation("the threshold instance is d = k with the memoryless teacher")
    if form not in ("symbolic", "recurrence", "interpolating", "threshold"):
        raise HypothesisViolation(f"unknown form {form!r}")


def check_instance(form: str, d: int, k: int = 0, d_star: int = 1, seed: int = 0) -> list[Evidence]:
    rng = random.Random(seed)
    if form == "symbolic":
        rnn = generic_rnn(d).rnn
        p = rnn.A.charpoly()
        w = list(rnn.impulse_response(d + 3))
        defect = recurrence_defect(w, p)
        zero = [rnn.domain.zero] * len(defect)
        return [evidence("w_{i+d} + Σ p_j w_{i+j} = 0 (generic symbolic RNN)", defect, zero, d=d, form=form)]
    if form == "recurrence":
        rnn, teacher = random_rnn(d, rng), _teacher(d_star, rng)
        joint = exact.block_diag(rnn.A, teacher.as_rnn().A)
        p = joint.charpoly()
        n = 3 * (d + d_star) + 2
        defect = recurrence_defect(list(residuals(rnn, teacher, n)), p)
        return [evidence("r_{i+D} + Σ p_j r_{i+j} = 0, D = d + d*", defect, [Fraction(0)] * len(defect),
                         d=d, d_star=d_star, seed=seed, form=form)]
    if form == "interpolating":
        teacher = _teacher(d_star, rng)
        rnn = random_interpolating(teacher, d, rng)
        n = 3 * k + 1
        params = {"k": k, "d": d, "d_star": d_star, "seed": seed, "form": form}
        return [
            evidence("L_k(R) = 0", loss(rnn, teacher, k), Fraction(0), **params),
            evidence(f"r_i = 0 for i < {n} (perfect extrapolation)", list(residuals(rnn, teacher, n)), [Fraction(0)] * n, **params),
        ]
    # threshold: d = k, memoryless teacher, cyclic counterexample
    rnn = cyclic(k, 1)
    wk = rnn.impulse_response(k + 1)[k]
    return [
        evidence("d = k: L_k(R) = 0", loss(rnn, None, k), Fraction(0), k=k, d=d, form=form),
        evidence("d = k: w_k(R) ≠ 0", wk != 0, True, k=k, d=d, form=form),
    ]


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [{"form": "symbolic", "d": d} for d in range(1, MAX_SYMBOLIC_D + 1)]
    for _ in range(4):
        out.append({"form": "recurrence", "d": rng.randint(1, 5), "d_star": rng.randint(1, 3), "seed": draw_seed(rng)})
    out.append({"form": "interpolating", "k": 2, "d": 1, "d_star": 1, "seed": 0})  # edge: d = k − 1
    for _ in range(4):
        d_star = rng.randint(1, 3)
        d = d_star + rng.randint(0, 3)
        out.append({"form": "interpolating", "k": d + d_star + rng.randint(0, 2), "d": d, "d_star": d_star,
                    "seed": draw_seed(rng)})
    out += [{"form": "threshold", "k": k, "d": k} for k in (1, 2, 5)]
    return out


CLAIM = Claim(
    id="C3",
    kind="implication",
    title="d + d* ≤ k and L_k = 0 ⇒ perfect extrapolation (d = k is the threshold)",
    statement=(
        "Memoryless teacher: if d <= k - 1 and L_k(R) = 0 then w_i(R) = 0 for all i >= 1. "
        "General teacher of dimension d*: d + d* <= k and L_k(R) = 0 imply w_i(R) = w*_i for all i. "
        "Together with C2, d >= k is exactly the range where counterexamples exist."
    ),
    latex=r"d+d^*\le k,\ L_k(R)=0\ \Rightarrow\ w_i(R)=w^*_i\ \forall i;\quad w_{i+D}=-\sum_{j<D}p_j\,w_{i+j}",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/claims/c3_tightness.py",
    test="tests/test_tightness.py, tests/test_claims.py",
)

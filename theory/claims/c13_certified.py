"""C13 — certified extrapolation: a proven enclosure of L_∞ = Σ_{i≥0} r_i² for one given model.

``tempx.theory.certify`` computes L_k and L_q exactly and encloses L_∞ in [lower, upper]: lower an
exact partial sum, upper that sum plus a tail bound from a contraction certificate (rational
P ≻ 0, γ < 1, γ²P − AᵀPA ⪰ 0, checked exactly by leading principal minors) on the residual system, or on its
reachable and observable part when the full system is not contractive.

Checks (exact), over instances that cover every case the claim states:
- ``random``: a random rational model scaled to ‖A‖_∞ = 1/2, against each teacher form: the
  certificate's inequalities hold, re-checked by a rational LDLᵀ (independent of the leading
  principal minors that accepted them); L_k and L_q equal ``tempx.theory.losses``; the upper bound
  is ≥ the exact partial sums up to 2Q terms (computed independently of the sweep); tightness
  upper − lower ≤ 1e-6 · lower.
- ``cyclic``: C2's counterexample with |c| < 1 (padded): L_∞ = c²/(1 − c²) lies in [lower, upper];
  with |c| = 1 and |c| > 1: never certified (L_∞ is infinite), the reason names the spectral radius.
- ``hidden``: a contractive model beside an unreachable block with eigenvalue 2: the full system is
  not contractive, its reachable and observable part is, and the certificate is found there.
- ``zero``: the teacher's own realization (padded and disguised): the enclosure is [0, 0].
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import flint

from tempx.theory.certify import REL_TOL, certify, residual_system
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import loss, prefix_losses, residuals
from tempx.theory.rnn import ExactRNN, random_rnn
from tempx.theory.teacher_spec import parse_teacher

F = Fraction
TEACHERS = ("memoryless", "geometric:1/2", "atoms:4/5@3/5,-1/2@2/5", "oscillating:3/5:3/5")
FORMS = ("random", "cyclic", "hidden", "zero")
# |c| < 1, |c| = 1 (both signs) and |c| > 1 all appear in every seeded check (tests/test_certify.py checks this)
CYCLIC_GAINS = (F(1, 2), F(-9, 10), F(1), F(-1), F(3, 2), F(-2))


def contractive_rnn(d: int, seed: int) -> ExactRNN:
    """A random rational RNN with A rescaled to ‖A‖_∞ = 1/2 (so every eigenvalue has |λ| ≤ 1/2)."""
    R = random_rnn(d, random.Random(seed))
    m = R.as_lists()
    norm = max(sum(abs(x) for x in row) for row in m["A"]) or F(1)
    return ExactRNN.from_entries(A=[[x / (2 * norm) for x in row] for row in m["A"]], B=[r[0] for r in m["B"]],
                                 C=m["C"][0])


HIDDEN_EIGENVALUE = F(2)


def with_hidden_block(R: ExactRNN, eigenvalue: Fraction = HIDDEN_EIGENVALUE) -> ExactRNN:
    """R beside an unreachable state with A = ``eigenvalue`` (B entry 0, C entry 1): same impulse response."""
    m = R.as_lists()
    d = R.d
    A = [list(row) + [0] for row in m["A"]] + [[0] * d + [eigenvalue]]
    return ExactRNN.from_entries(A=A, B=[r[0] for r in m["B"]] + [0], C=list(m["C"][0]) + [1])


def ldl_positive(M: Any) -> bool:
    """M ≻ 0 by a rational LDLᵀ (Gaussian elimination without pivoting: every pivot > 0), written out
    here as a check independent of ``positive_definite`` (which uses leading minors)."""
    n = M.nrows()
    a = [[M[i, j] for j in range(n)] for i in range(n)]
    for j in range(n):
        piv = a[j][j]
        if piv <= 0:
            return False
        for i in range(j + 1, n):
            f = a[i][j] / piv
            for m in range(j + 1, n):
                a[i][m] -= f * a[j][m]
    return True


def build(form: str, seed: int, k: int, d: int, teacher: str = "memoryless", c: str = "1") -> tuple[ExactRNN, Any]:
    from tempx.theory.counterexamples import counterexample

    t = parse_teacher(teacher)
    if form == "random":
        return contractive_rnn(d, seed), t
    if form == "hidden":
        return with_hidden_block(contractive_rnn(d, seed)), t
    if form == "cyclic":
        return counterexample(k, d=d, c=c).rnn, t
    return t.as_rnn().pad(d), t  # zero


def hypotheses(form: str, seed: int, k: int, d: int, teacher: str = "memoryless", c: str = "1") -> None:
    if form not in FORMS:
        raise HypothesisViolation(f"unknown form {form!r} (allowed: {', '.join(FORMS)})")
    if k < 1 or d < 1:
        raise HypothesisViolation(f"C13 needs k >= 1 and d >= 1, got k = {k}, d = {d}")
    if form == "cyclic" and (teacher != "memoryless" or d < k or F(c) == 0):
        raise HypothesisViolation("the cyclic counterexample is for the memoryless teacher, d >= k, c != 0")


def check_instance(form: str, seed: int, k: int, d: int, teacher: str = "memoryless", c: str = "1") -> list[Evidence]:
    params = {"form": form, "seed": seed, "k": k, "d": d, "teacher": teacher, "c": c}
    R, t = build(form, seed, k, d, teacher, c)
    q = 4 * k
    enc = certify(R, t, k, [q])
    out = [evidence("L_k exact", enc.L_k, loss(R, t, k), **params),
           evidence("L_q exact (q = 4k)", enc.L_q[q], loss(R, t, q), **params)]
    if form == "cyclic" and abs(F(c)) >= 1:
        return out + [evidence("|c| >= 1: not certified (L_inf is infinite)", [enc.certified, enc.upper], [False, None],
                               **params),
                      evidence("the reason names the spectral radius", "spectral radius" in enc.reason, True, **params)]
    out.append(evidence("certified", enc.certified, True, **params, reason=enc.reason))
    if not enc.certified or enc.upper is None:
        return out
    if form == "zero":
        return out + [evidence("enclosure of a zero residual", [enc.lower, enc.upper], [F(0), F(0)], **params)]
    cert = enc.certificate
    assert cert is not None
    if form == "hidden":
        out.append(evidence("certified on the reachable and observable part", cert.system,
                            "reachable and observable part", **params))
    else:
        out.append(evidence("certified on the joint residual system", cert.system, "joint residual system", **params))
    A = residual_system(R, t)[0] if cert.system.startswith("joint") else None
    if A is not None:
        g2 = flint.fmpq(cert.gamma.numerator**2, cert.gamma.denominator**2)
        out.append(evidence("P ≻ 0 and γ²P − AᵀPA ≻ 0 (rational LDLᵀ), γ < 1",
                            [ldl_positive(cert.P), ldl_positive(cert.P * g2 - A.transpose() * cert.P * A),
                             cert.gamma < 1], [True, True, True], **params))
    r = residuals(R, t, 2 * enc.terms)
    sums = prefix_losses(r, list(range(1, 2 * enc.terms + 1)))
    out.append(evidence("lower = the exact partial sum of its Q terms", enc.lower, sums[enc.terms], **params))
    out.append(evidence("upper >= every exact partial sum up to 2Q terms",
                        all(s <= enc.upper for s in sums.values()), True, **params, Q=enc.terms))
    out.append(evidence("upper − lower <= 1e-6 · lower", enc.upper - enc.lower <= F(REL_TOL) * enc.lower, True, **params))
    if form == "cyclic":
        cc = F(c)
        out.append(evidence("closed form c²/(1 − c²) in [lower, upper]", enc.lower <= cc**2 / (1 - cc**2) <= enc.upper,
                            True, **params))
    return out


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for j, teacher in enumerate(TEACHERS):  # the first has k = 1: L_k is r_0² alone
        out.append({"form": "random", "seed": draw_seed(rng), "k": 1 if j == 0 else rng.randint(1, 6),
                    "d": rng.randint(1, 5), "teacher": teacher})
    for j, c in enumerate(CYCLIC_GAINS):  # each class of |c| once at d = k and once padded (d > k)
        k = rng.randint(1, 4)
        out.append({"form": "cyclic", "seed": 0, "k": k, "d": k + (j % 2) * rng.randint(1, 2), "teacher": "memoryless",
                    "c": str(c)})
    out.append({"form": "hidden", "seed": draw_seed(rng), "k": rng.randint(1, 5), "d": rng.randint(1, 4),
                "teacher": TEACHERS[rng.randrange(len(TEACHERS))]})
    out.append({"form": "zero", "seed": 0, "k": rng.randint(1, 5), "d": 3, "teacher": TEACHERS[rng.randrange(len(TEACHERS))]})
    return out


CLAIM = Claim(
    id="C13",
    kind="bound",
    title="certified extrapolation: L_inf of a given model enclosed by an exact partial sum and a contraction bound",
    statement=(
        "For a model with rational entries (float64 entries are dyadic rationals) and a teacher with a rational "
        "realization, L_k and L_q are exact rationals and L_inf = sum_{i>=0} r_i^2 lies in [lower, upper]: lower = "
        "sum_{i<Q} r_i^2; upper = lower + (C P^-1 C^T) ||A^Q B||_P^2 / (1 - gamma^2) for the residual system "
        "(A_r = diag(A, A*), B_r = [B; B*], C_r = [C, -C*]) or its reachable and observable part, with rational P > 0, "
        "gamma < 1 and gamma^2 P - A^T P A >= 0 checked exactly. When that part has spectral radius >= 1 (for example "
        "the cyclic counterexamples with |c| >= 1, whose L_inf is infinite) no certificate exists."
    ),
    latex=r"\sum_{i<Q} r_i^2 \le L_\infty \le \sum_{i<Q} r_i^2 + \frac{C_r P^{-1} C_r^\top\,\|A_r^Q B_r\|_P^2}{1-\gamma^2},"
          r"\quad P\succ0,\ \gamma^2P-A_r^\top P A_r\succeq0",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/certify.py, theory/claims/c13_certified.py",
    test="tests/test_certify.py, tests/test_claims.py",
)

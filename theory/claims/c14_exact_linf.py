"""C14 — L_∞ decided exactly: zero, a positive rational, or ∞, for every model with rational entries.

``tempx.theory.linf`` finds the linear complexity m and minimal polynomial p of the residual
(Berlekamp–Massey on 2n exact terms), decides whether every root of p lies strictly inside the
unit disc (Schur–Cohn over ℚ) and, if so, evaluates L_∞ by Åström's recursion.

Checks (exact), over instances that cover every branch the claim states:
- ``zero``: the teacher's own realization, padded and disguised: m = 0 and L_∞ = 0;
- ``stable``: a random contractive model against each teacher form: L_∞ equals c P cᵀ from the
  Stein equation P − F P Fᵀ = g gᵀ solved over ℚ on the minimal realization (F, g, c) — an
  independent route — and lies in C13's certified enclosure;
- ``cyclic``: C2's counterexample with |c| < 1: L_∞ = c²/(1 − c²) exactly; with |c| = 1 (a root
  on the circle: z = 1, or z = −1 for c = −1 and odd k, else a pair the reflection finds) and
  |c| > 1 (outside): L_∞ = ∞, and the reason says so;
- ``jordan``: a disguised 3×3 Jordan block with eigenvalue 99/100 (defective, so a float
  eigenvalue solver scatters it around the circle): finite, equal to the Stein value;
- ``rotation``: a rotation by the rational angle (3/5, 4/5) scaled by ρ = 999/1000: finite, equal to
  the Stein value;
- ``hidden``: a contractive model beside an unreachable block with eigenvalue 2 and an
  unobservable one with eigenvalue −3: m < n, finite, equal to the Stein value of the model alone;
- ``diagonal``: a complex diagonal student (|λ_j| < 1): the closed form over its modes
  (``diagonal_linf``) equals the general route on its real 2×2-block realization, exactly.

The verified enclosure (``tempx.theory.enclosure``, what ``certify`` uses beyond the exact route's work
limit) is checked on the same instances: on every finite one but ``hidden`` it contains the exact value
with relative width ≤ 1e-12; on ``hidden`` (unstable blocks in A) it finds no stability certificate, as
it must; for the cyclic counterexample with |c| > 1 an unstable mode is shown simple, reachable and
observable in ball arithmetic, proving L_∞ = ∞ without the exact route.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from tempx.theory.certify import certify, residual_system
from tempx.theory.claims.c13_certified import contractive_rnn
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.complexity import berlekamp_massey, shift_register_rnn
from tempx.theory.enclosure import enclose, unstable_mode
from tempx.theory.errors import HypothesisViolation
from tempx.theory.linf import diagonal_linf, exact_linf, residual_head
from tempx.theory.rnn import ExactRNN
from tempx.theory.teacher_spec import parse_teacher

F = Fraction
TEACHERS = ("memoryless", "geometric:1/2", "atoms:4/5@3/5,-1/2@2/5", "oscillating:3/5:3/5")
FORMS = ("zero", "stable", "cyclic", "jordan", "rotation", "hidden", "diagonal")
# |c| < 1 (both signs), |c| = 1 (both signs) and |c| > 1 (both signs) appear in every seeded check
CYCLIC_GAINS = (F(1, 2), F(-9, 10), F(1), F(-1), F(3, 2), F(-2))
MAX_STEIN = 8  # the Stein equation is an m² × m² system: kept small


def stein_value(model: ExactRNN, teacher: Any) -> Fraction:
    """Σ r_i² from the Stein equation P − F P Fᵀ = g gᵀ on the minimal realization, solved as a
    linear system over ℚ (independent of Schur–Cohn and Åström)."""
    A, B, C = residual_system(model, teacher)
    head = [F(int(x.p), int(x.q)) for x in residual_head(A, B, C, 2 * A.nrows())]
    state = berlekamp_massey(head)
    if state.length == 0:
        return F(0)
    R = shift_register_rnn(head, state).as_lists()
    m = state.length
    if m > MAX_STEIN:
        raise HypothesisViolation(f"the Stein check is for m <= {MAX_STEIN}, got m = {m}")
    Fm, g, c = R["A"], [row[0] for row in R["B"]], R["C"][0]
    # vec(P) with P[i][j] at i·m + j:  P_ij − Σ_{k,l} F_ik P_kl F_jl = g_i g_j
    rows = [[(1 if (i, j) == (k, l) else 0) - Fm[i][k] * Fm[j][l] for k in range(m) for l in range(m)]
            for i in range(m) for j in range(m)]
    M = DomainMatrix([[QQ(F(x).numerator, F(x).denominator) for x in r] for r in rows], (m * m, m * m), QQ)
    rhs = DomainMatrix([[QQ((g[i] * g[j]).numerator, (g[i] * g[j]).denominator)] for i in range(m) for j in range(m)],
                       (m * m, 1), QQ)
    P = M.lu_solve(rhs).to_Matrix()
    return sum((c[i] * F(int(P[i * m + j].p), int(P[i * m + j].q)) * c[j] for i in range(m) for j in range(m)), F(0))


def _jordan(eigenvalue: Fraction, size: int, seed: int) -> ExactRNN:
    from tempx.theory.counterexamples import disguise_matrices

    A = [[eigenvalue if i == j else (F(1) if j == i + 1 else F(0)) for j in range(size)] for i in range(size)]
    R = ExactRNN.from_entries(A=A, B=[F(0)] * (size - 1) + [F(1)], C=[F(1)] + [F(0)] * (size - 1))
    return R.transform(*disguise_matrices(size, seed))


def diagonal_modes(d: int, seed: int) -> tuple[list[tuple[Fraction, Fraction]], list[tuple[Fraction, Fraction]]]:
    """d complex modes with |λ| < 1 (entries in sevenths, |re|, |im| ≤ 4/7) and rational weights."""
    rng = random.Random(seed)
    lam = [(F(rng.randint(-4, 4), 7), F(rng.randint(-4, 4), 7)) for _ in range(d)]
    g = [(F(rng.randint(-5, 5), 3), F(rng.randint(-5, 5), 3)) for _ in range(d)]
    return lam, g


def block_realization(lam: list[tuple[Fraction, Fraction]], g: list[tuple[Fraction, Fraction]]) -> ExactRNN:
    """w_i = Re Σ g_j λ_j^i as a real RNN: λ = a + ib acts as [[a, −b], [b, a]], B = e_1, C = (Re g, −Im g)."""
    n = 2 * len(lam)
    A = [[F(0)] * n for _ in range(n)]
    B, C = [], []
    for j, ((a, b), (gr, gi)) in enumerate(zip(lam, g)):
        A[2 * j][2 * j], A[2 * j][2 * j + 1], A[2 * j + 1][2 * j], A[2 * j + 1][2 * j + 1] = a, -b, b, a
        B += [F(1), F(0)]
        C += [gr, -gi]
    return ExactRNN.from_entries(A, B, C)


def build(form: str, seed: int, k: int, d: int, teacher: str = "memoryless", c: str = "1") -> tuple[ExactRNN, Any]:
    from tempx.theory.claims.c13_certified import with_hidden_block
    from tempx.theory.counterexamples import counterexample, disguise_matrices

    t = parse_teacher(teacher)
    if form == "zero":
        return t.as_rnn().pad(d).transform(*disguise_matrices(d, seed)), t
    if form == "stable":
        return contractive_rnn(d, seed), t
    if form == "cyclic":
        return counterexample(k, d=d, c=c).rnn, t
    if form == "jordan":
        return _jordan(F(99, 100), 3, seed), t
    if form == "rotation":
        rho = F(999, 1000)
        return ExactRNN.from_entries(A=[[rho * F(3, 5), -rho * F(4, 5)], [rho * F(4, 5), rho * F(3, 5)]], B=[1, 0],
                                     C=[1, F(1, 2)]), t
    if form == "diagonal":
        return block_realization(*diagonal_modes(d, seed)), t
    base = contractive_rnn(d, seed)  # hidden: unreachable eigenvalue 2, then an unobservable −3
    hidden = with_hidden_block(base).as_lists()
    n = len(hidden["A"])
    A = [list(row) + [0] for row in hidden["A"]] + [[0] * n + [F(-3)]]
    return ExactRNN.from_entries(A=A, B=[r[0] for r in hidden["B"]] + [1], C=list(hidden["C"][0]) + [0]), t


def hypotheses(form: str, seed: int, k: int, d: int, teacher: str = "memoryless", c: str = "1") -> None:
    if form not in FORMS:
        raise HypothesisViolation(f"unknown form {form!r} (allowed: {', '.join(FORMS)})")
    if k < 1 or d < 1:
        raise HypothesisViolation(f"C14 needs k >= 1 and d >= 1, got k = {k}, d = {d}")
    if form == "cyclic" and (teacher != "memoryless" or d < k or F(c) == 0):
        raise HypothesisViolation("the cyclic counterexample is for the memoryless teacher, d >= k, c != 0")


def check_instance(form: str, seed: int, k: int, d: int, teacher: str = "memoryless", c: str = "1") -> list[Evidence]:
    params = {"form": form, "seed": seed, "k": k, "d": d, "teacher": teacher, "c": c}
    R, t = build(form, seed, k, d, teacher, c)
    got = exact_linf(R, t)
    if form == "zero":
        return [evidence("m = 0 and L_inf = 0", [got.complexity, got.value], [0, F(0)], **params)]
    if form == "cyclic":
        cc = F(c)
        if abs(cc) < 1:
            return [evidence("L_inf = c²/(1 − c²)", got.value, cc**2 / (1 - cc**2), **params)]
        where = "|z| ≥ 1" if abs(cc) > 1 or (cc == -1 and k % 2 == 0) else ("z = 1" if cc == 1 else "z = −1")
        out = [evidence("L_inf = inf", got.as_text(), "inf", **params),
               evidence(f"the reason: a root with {where}", where in got.reason, True, **params, reason=got.reason)]
        if abs(cc) > 1:
            proof = unstable_mode(*residual_system(R, t))
            out.append(evidence("an unstable mode shown simple, reachable and observable in ball arithmetic",
                                proof is not None, True, **params, proof=proof))
        return out
    out = [evidence("L_inf finite", got.finite, True, **params, reason=got.reason)]
    if not got.finite:
        return out
    verified = enclose(*residual_system(R, t))
    if form == "hidden":
        out.append(evidence("the verified enclosure finds no stability certificate (unstable blocks in A)",
                            isinstance(verified, str), True, **params))
    else:
        inside = (not isinstance(verified, str) and got.value is not None
                  and verified.lower <= got.value <= verified.upper)
        tight = not isinstance(verified, str) and (verified.upper - verified.lower) <= F(1, 10**12) * (got.value or 0)
        out.append(evidence("the verified enclosure contains L_inf", inside, True, **params))
        out.append(evidence("the verified enclosure's relative width <= 1e-12", tight or got.value == 0, True, **params))
    if form == "diagonal":
        closed = diagonal_linf(*diagonal_modes(d, seed), t)
        return out + [evidence("closed form over the modes = the general route", None if closed is None else closed.value,
                               got.value, **params)]
    out.append(evidence("L_inf = c P cᵀ (Stein equation over Q)", got.value, stein_value(R, t), **params))
    if form == "hidden":
        out.append(evidence("m < n: the unstable blocks are unreachable or unobservable",
                            got.complexity < residual_system(R, t)[0].nrows(), True, **params))
    if form == "stable":
        enc = certify(R, t, k)
        assert enc.upper is not None and got.value is not None
        out.append(evidence("C13's enclosure contains L_inf", enc.lower <= got.value <= enc.upper, True, **params))
    return out


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [{"form": "zero", "seed": draw_seed(rng), "k": 1, "d": rng.randint(2, 4),
                                  "teacher": TEACHERS[rng.randrange(len(TEACHERS))]}]
    for teacher in TEACHERS:
        out.append({"form": "stable", "seed": draw_seed(rng), "k": rng.randint(1, 5), "d": rng.randint(1, 4),
                    "teacher": teacher})
    for j, c in enumerate(CYCLIC_GAINS):  # k odd for c = −1 once (root z = −1), else random
        k = 3 if c == -1 else rng.randint(1, 4)
        out.append({"form": "cyclic", "seed": 0, "k": k, "d": k + (j % 2), "teacher": "memoryless", "c": str(c)})
    out.append({"form": "cyclic", "seed": 0, "k": 2, "d": 2, "teacher": "memoryless", "c": "-1"})  # roots ±i
    for form in ("jordan", "rotation", "hidden", "diagonal"):
        out.append({"form": form, "seed": draw_seed(rng), "k": rng.randint(1, 4), "d": rng.randint(1, 3),
                    "teacher": TEACHERS[rng.randrange(len(TEACHERS))]})
    return out


CLAIM = Claim(
    id="C14",
    kind="identity",
    title="L_inf decided exactly: 0, a rational, or infinite, by the residual's minimal polynomial",
    statement=(
        "For a model with rational entries and a teacher with a rational realization, let m and p be the linear "
        "complexity and minimal polynomial of r = w - w* (Berlekamp-Massey on 2n terms, n = d + d*). Then L_inf = 0 "
        "iff m = 0; L_inf < inf iff every root of p lies strictly inside the unit disc (decided by the Schur-Cohn "
        "recursion over Q); and then L_inf is the rational (1/2 pi i) oint R(w) R(1/w) dw/w, R = sum r_i w^i, given "
        "by Astrom's recursion and equal to c P c^T for the Stein equation P - F P F^T = g g^T of any minimal "
        "realization."
    ),
    latex=r"L_\infty=\sum_{i\ge0}r_i^2=\frac{1}{2\pi i}\oint R(w)R(w^{-1})\frac{dw}{w}=cPc^\top,\quad P-FPF^\top=gg^\top"
          r"\ \text{iff every root of } p \text{ has } |z|<1;\ \text{else } L_\infty=\infty",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/linf.py, theory/enclosure.py, theory/claims/c14_exact_linf.py",
    test="tests/test_linf.py, tests/test_enclosure.py, tests/test_claims.py",
)

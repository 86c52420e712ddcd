"""C17 — real versus complex diagonal students on a horizon t (setting of Ran-Milo, Lumbroso, Cohen-Karlik, Giryes,
Globerson and Cohen, NeurIPS 2024, arXiv 2410.14067; the statements, constants and proofs here are ours, SPEC C17).

Checks (exact, or a verified enclosure in ball arithmetic where the nodes are irrational; never a float claim):
- ``dft`` (a): in ℚ(ω) (``fmpq_poly`` modulo Φ_t) the DFT student's response Σ_j g_j ω^{ji} is the rational constant
  w*_i for every i < t and repeats with period t; |g_j|² ≤ (‖w*‖₁/t)² (exact when |g_j|² is rational, an arb
  enclosure otherwise); for a delay, |g_j|² = 1/t² exactly and G = 1.  t = 3, 4, 8, 12; delays, the oscillation
  and seeded random rational targets.
- ``delay`` (b1): the bound |[x^m] T_{n'}| from the Chebyshev recurrence equals Markov's closed form
  n'/(n' − j)·C(n' − j, j)·2^{n'−2j−1} (j = (n' − m)/2), an independent formula; the SPEC's worked values; the
  extremal student on cos(kπ/n') matches e_m on every i < t and spends exactly the bound (rational nodes: exact;
  otherwise the weights' signs alternate like T_{n'}(x_k), proven by enclosure, which makes Σ|g_k| = |[x^m]T_{n'}|
  an exact identity, and the moments' balls contain δ_im).
- ``oscillation`` (b2): (1 − ε) T_d(3) against the independent closed form T_d(3) = a_d where (3 + 2√2)^d = a_d + b_d √2;
  the worked values; tightness as for (b1) with the functional o; ε > 0 by the scaled extremal student.
- ``descartes`` (c): random rational real students (± pairs, a zero mode, n ≤ d modes, some fitted to the first even
  terms) have at most r − 1 sign changes in w_{2m} (r distinct nonzero bases) and, with n ≤ d modes, sup distance
  ≥ 1 from the oscillation; the ⌈t/2⌉-mode witness gets below 1.
- ``adam`` (e): the conditions β1² < β2 and 1 − β2^s ≤ (1 − β1^s)² decided exactly; F² against the SPEC's 7.27;
  m̂² ≤ F² v̂ exactly (ε = 0) on random rational gradient sequences and on the sequence that makes Cauchy–Schwarz tight.
- ``sup`` (b3): the proven max |q| on [−1, 1] of T_n is 1 (within 2^-100), of random rational q at least every value
  q takes on a grid, and at most ‖q‖₁.
"""

from __future__ import annotations

import random
from fractions import Fraction
from math import comb
from typing import Any

import flint

from tempx.theory.adam_bound import adam_conditions, step_factor, step_factor_squared
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.errors import HypothesisViolation
from tempx.theory.frontier import sup_abs
from tempx.theory.realcomplex import (
    alternating_fit,
    chebyshev_t,
    delay_bound,
    delay_degree,
    dft_response,
    dft_student,
    distinct_bases,
    enclose_real,
    extremal_student,
    norm_squared,
    oscillation,
    oscillation_bound,
    oscillation_witness,
    precision,
    real_response,
    sign_changes,
    sup_distance,
)

FORMS = ("dft", "delay", "oscillation", "descartes", "adam", "sup")
F = Fraction
# the SPEC's worked instances (b1), (b2): (t, m) → G, t → T_d(3)
DELAY_WORKED = {(4, 1): 3, (7, 3): 20, (32, 15): 10_827_497_472}
DELAY_MAX_T32 = (84_515_225_600, 23)
OSC_WORKED = {3: 3, 5: 17, 32: 152_139_002_499}


def hypotheses(form: str, seed: int = 0, t: int = 4, m: int = 0, target: str = "delay", eps: str = "0",
               beta1: str = "9/10", beta2: str = "999/1000") -> None:
    if form not in FORMS:
        raise HypothesisViolation(f"C17: unknown form {form!r}")
    if not 1 <= t <= 512:
        raise HypothesisViolation(f"C17 needs a horizon 1 <= t <= 512, got t = {t}")
    if form == "delay" and not 0 <= m < t:
        raise HypothesisViolation(f"C17 (b1) needs 0 <= m < t, got m = {m}, t = {t}")
    if not 0 <= F(eps) <= 1:
        raise HypothesisViolation(f"C17 (b2) needs 0 <= eps <= 1, got {eps}")


def _markov(n: int, m: int) -> int:
    """|[x^m] T_n| by the closed form (m ≡ n mod 2): n/(n − j)·C(n − j, j)·2^{n−2j−1}, j = (n − m)/2."""
    if n == 0:
        return 1
    j = (n - m) // 2
    return n * comb(n - j, j) * 2 ** (n - 2 * j - 1) // (n - j)


def _t_at_3(d: int) -> int:
    """T_d(3) from (3 + 2√2)^d = a + b√2 (T_d(cosh u) = cosh(du), 3 = cosh u with e^u = 3 + 2√2): a."""
    a, b = 1, 0
    for _ in range(d):
        a, b = 3 * a + 4 * b, 2 * a + 3 * b
    return a


def _target(kind: str, t: int, rng: random.Random) -> list[Fraction]:
    if kind.startswith("delay"):
        m = int(kind.split(":")[1])
        return [F(int(i == m)) for i in range(t)]
    if kind == "oscillation":
        return [F(x) for x in oscillation(t)]
    return [F(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(t)]


def _dft(t: int, target: str, seed: int) -> list[Evidence]:
    w = _target(target, t, random.Random(seed))
    g = dft_student(w)
    resp = dft_response(g, t + 2)
    out = [evidence("(a) sum_j g_j omega^(ji) is the rational w*_i for every i < t+2 (period t), in Q(omega)",
                    [str(x) for x in resp], [str(flint.fmpq_poly([flint.fmpq(x.numerator, x.denominator)]))
                                             for x in (w + w[:2])], t=t, target=target)]
    l1 = sum((abs(x) for x in w), F(0))
    cap = (l1 / t) ** 2
    ok, exact_sum = True, F(0)
    for gj in g:
        n2 = norm_squared(gj, t)
        if n2.degree() <= 0:
            val = F(int(n2[0].p), int(n2[0].q))
            ok = ok and val <= cap
            exact_sum += val
        else:
            ball = enclose_real(n2, t)
            ok = ok and ball.upper() <= flint.arb(flint.fmpq(cap.numerator, cap.denominator))
            exact_sum = F(-1)  # not all rational
    out.append(evidence("(a) |g_j|^2 <= (||w*||_1 / t)^2 for every j (exact or enclosed)", ok, True, t=t, target=target))
    if target.startswith("delay"):
        out.append(evidence("(a) delay: sum_j |g_j|^2 = t * (1/t)^2 exactly, so every |g_j| = 1/t and G = 1", exact_sum,
                            F(1, t), t=t, target=target))
    return out


def _tightness(t: int, n: int, functional: list[Fraction], bound: Fraction, sign: int, what: str) -> list[Evidence]:
    """The extremal student on cos(kπ/n) matches ``functional`` on i < t and spends exactly ``bound``."""
    if n == 0 or not any(functional[1:]):  # d = 0 (t ≤ 2) or the delay e_0: one mode at 0 spends |c_0|, exactly
        w = real_response([F(0)], [functional[0]], t)
        return [evidence(f"{what}: one mode spends G = {bound} and matches on i < t", (w, abs(functional[0])),
                         (functional[:t], bound), t=t)]
    s = extremal_student(n, functional)
    moments = s.moments(t)
    if s.exact:
        return [evidence(f"{what}: the extremal student on cos(k pi/{n}) matches on every i < t (exact)", moments,
                         functional[:t], t=t, n=n),
                evidence(f"{what}: its budget sum |g_k| equals the bound (exact)", s.budget(), bound, t=t, n=n)]
    with precision(s.prec):
        signs_ok = all((g > 0 if sign * (-1) ** k > 0 else g < 0) for k, g in enumerate(s.weights))
        contains = all(mom.contains(flint.arb(flint.fmpq(x.numerator, x.denominator)))
                       for mom, x in zip(moments, functional[:t]))
        budget_ok = s.budget().contains(flint.arb(flint.fmpq(bound.numerator, bound.denominator)))
    return [evidence(f"{what}: sign(g_k) = {sign:+d}(-1)^k for every node (proven by enclosure), so sum |g_k| = bound "
                     "exactly", signs_ok, True, t=t, n=n),
            evidence(f"{what}: the moments' balls contain the target on every i < t", contains, True, t=t, n=n),
            evidence(f"{what}: the ball of sum |g_k| contains the bound", budget_ok, True, t=t, n=n)]


def _delay(t: int, m: int) -> list[Evidence]:
    n = delay_degree(t, m)
    G = delay_bound(t, m)
    out = [evidence("(b1) |[x^m] T_n'| from the recurrence equals Markov's closed form", G, _markov(n, m), t=t, m=m)]
    if (t, m) in DELAY_WORKED:
        out.append(evidence("(b1) the SPEC's worked value", G, DELAY_WORKED[(t, m)], t=t, m=m))
    if t == 32 and m == DELAY_MAX_T32[1]:
        out.append(evidence("(b1) t = 32: the largest bound over m, and where", max((delay_bound(32, j), j) for j in range(32)),
                            DELAY_MAX_T32, t=t))
    coeff = chebyshev_t(n)[m]
    functional = [F(int(i == m)) for i in range(max(t, n + 1))]
    out += _tightness(t, n, functional, F(G), 1 if coeff > 0 else -1, "(b1) tightness")
    return out


def _oscillation(t: int, eps: Fraction) -> list[Evidence]:
    d = (t - 1) // 2
    bound = oscillation_bound(t, eps)
    out = [evidence("(b2) (1 - eps) T_d(3) against T_d(3) = a_d, (3 + 2 sqrt 2)^d = a_d + b_d sqrt 2", bound,
                    (1 - eps) * _t_at_3(d), t=t, eps=str(eps))]
    if eps == 0 and t in OSC_WORKED:
        out.append(evidence("(b2) the SPEC's worked value", bound, OSC_WORKED[t], t=t))
    o = [F(x) for x in oscillation(max(t, 2 * d + 1))]
    if eps == 0:
        out += _tightness(t, 2 * d, o, bound, (-1) ** d, "(b2) tightness at eps = 0")
    elif t <= 5:  # rational nodes: the extremal student scaled by 1 − eps is within eps, spending (1 − eps) T_d(3)
        s = extremal_student(2 * d, o) if d else None
        w = [x * (1 - eps) for x in (s.moments(t) if s else o[:t])]
        out.append(evidence("(b2) the scaled extremal student: sup distance eps and budget (1 - eps) T_d(3)",
                            (sup_distance(w, o[:t]), (1 - eps) * (s.budget() if s else 1)), (eps, bound), t=t))
    return out


def _descartes(t: int, seed: int) -> list[Evidence]:
    rng = random.Random(seed)
    d = (t - 1) // 2
    o = oscillation(t)
    out: list[Evidence] = []
    students = []
    for trial in range(6):
        n = rng.randint(0, d)
        nodes = [F(rng.randint(-8, 8), 8) for _ in range(n)]
        if trial == 1 and n >= 2:
            nodes[1] = -nodes[0]  # a ± pair shares one base
        if trial == 2 and n >= 1:
            nodes[0] = F(0)  # a mode at 0
        weights = [F(rng.randint(-20, 20), rng.randint(1, 6)) for _ in range(n)]
        if trial >= 3 and n >= 1:  # fit the first n even terms to (−1)^m on distinct positive bases: the hard case
            nodes = [F(j + 1, n + 1) * (-1) ** rng.randint(0, 1) for j in range(n)]
            weights = alternating_fit(nodes)
        students.append((nodes, weights))
    for nodes, weights in students:
        w = real_response(nodes, weights, 2 * d + 2)
        r = distinct_bases(nodes, weights)
        changes = sign_changes(w[0:2 * d + 1:2])
        zero_mode = int(any(x == 0 and g != 0 for x, g in zip(nodes, weights)))  # it touches w_0 only: one change more
        out.append(evidence("(c) sign changes of w_(2m), m <= d, are at most r - 1 (+1 with a mode at 0)",
                            changes <= max(r - 1, 0) + zero_mode, True, t=t, modes=len(nodes), r=r, changes=changes))
        out.append(evidence("(c) n <= d modes: sup distance to the oscillation is >= 1",
                            sup_distance(w[:t], o) >= 1, True, t=t, modes=len(nodes)))
    nodes, weights = oscillation_witness(t)
    dist = sup_distance(real_response(nodes, weights, t), o)
    out.append(evidence("(c) the witness has ceil(t/2) modes and sup distance < 1", (len(nodes), dist < 1),
                        ((t + 1) // 2, True), t=t, distance=str(dist)))
    return out


def _adam(beta1: str, beta2: str, seed: int) -> list[Evidence]:
    b1, b2 = F(beta1), F(beta2)
    holds, _steps = adam_conditions(b1, b2)
    out = [evidence("(e) beta1^2 < beta2 and 1 - beta2^s <= (1 - beta1^s)^2 for every s (decided exactly)", holds,
                    b1 * b1 < b2 and all(1 - b2**s <= (1 - b1**s) ** 2 for s in range(1, 400)), beta1=beta1, beta2=beta2)]
    if not holds:
        return out
    f2 = step_factor_squared(b1, b2)
    f = step_factor(b1, b2)
    out.append(evidence("(e) the rational F is above F and within 1e-12", f * f >= f2 and (f - F(1, 10**12)) ** 2 < f2,
                        True, beta1=beta1, beta2=beta2))
    if (b1, b2) == (F(9, 10), F(999, 1000)):
        out.append(evidence("(e) beta = (0.9, 0.999): 7.27 <= F < 7.271 (the SPEC's 7.27 eta)", F(727, 100) <= f < F(7271, 1000),
                            True))
    rng = random.Random(seed)
    sequences = [[F(rng.randint(-50, 50), rng.randint(1, 9)) for _ in range(rng.randint(1, 30))] for _ in range(4)]
    s = 25
    sequences.append([(b1 / b2) ** (s - r) for r in range(1, s + 1)])  # equality in Cauchy–Schwarz at the last step
    worst = F(0)
    ok = True
    for gs in sequences:
        m = v = F(0)
        for step, g in enumerate(gs, start=1):
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            mhat, vhat = m / (1 - b1**step), v / (1 - b2**step)
            if vhat:
                worst = max(worst, mhat * mhat / vhat)
                ok = ok and mhat * mhat <= f2 * vhat
    out.append(evidence("(e) mhat^2 <= F^2 vhat at every step of every sequence (eps = 0, exact)", ok, True,
                        beta1=beta1, beta2=beta2, worst_ratio=f"{float(worst):.6f} of F^2 = {float(f2):.6f}"))
    return out


def _sup(seed: int) -> list[Evidence]:
    out = []
    for n in (1, 4, 9, 31):
        s = sup_abs(chebyshev_t(n))
        out.append(evidence("(b3) the proven max |T_n| on [-1, 1] is 1 (within 2^-100)", 1 <= s <= 1 + F(1, 2**100), True,
                            n=n))
    rng = random.Random(seed)
    for _ in range(3):
        q = [F(rng.randint(-30, 30), rng.randint(1, 7)) for _ in range(rng.randint(2, 12))]
        s = sup_abs(q)
        grid = [F(k, 64) for k in range(-64, 65)]
        seen = max(abs(sum((c * x**i for i, c in enumerate(q)), F(0))) for x in grid)
        out.append(evidence("(b3) grid max <= proven sup <= ||q||_1 (1 + 2^-100)",
                            seen <= s <= sum(abs(c) for c in q) * (1 + F(1, 2**100)), True,
                            degree=len(q) - 1))
    return out


def check_instance(form: str, seed: int = 0, t: int = 4, m: int = 0, target: str = "delay", eps: str = "0",
                   beta1: str = "9/10", beta2: str = "999/1000") -> list[Evidence]:
    if form == "dft":
        return _dft(t, target, seed)
    if form == "delay":
        return _delay(t, m)
    if form == "oscillation":
        return _oscillation(t, F(eps))
    if form == "descartes":
        return _descartes(t, seed)
    if form == "adam":
        return _adam(beta1, beta2, seed)
    return _sup(seed)


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for t in (3, 4, 8, 12):
        m = rng.randrange(t)
        for target in (f"delay:{m}", "oscillation", "random"):
            out.append({"form": "dft", "seed": draw_seed(rng), "t": t, "target": target})
    # (b1): the worked values, the largest at t = 32, edges (t = 1, m = 0, m = t − 1, both parities of n'), random (t, m)
    delays = [*DELAY_WORKED, (32, 23), (1, 0), (2, 0), (2, 1), (5, 4), (6, 0), (9, 2)]
    for _ in range(3):
        t = rng.randint(2, 40)
        delays.append((t, rng.randrange(t)))
    out += [{"form": "delay", "t": t, "m": m} for t, m in delays]
    # (b2): worked values, t = 1, 2 (d = 0), both parities of t, a random t; ε > 0 on the rational instances
    osc = [3, 5, 32, 1, 2, 4, 6, rng.randint(7, 40)]
    out += [{"form": "oscillation", "t": t} for t in osc]
    out += [{"form": "oscillation", "t": t, "eps": e} for t, e in ((3, "1/3"), (4, "1/2"), (2, "1/10"))]
    for t in (1, 2, 3, 4, 5, 8, 11, rng.randint(6, 16)):
        out.append({"form": "descartes", "seed": draw_seed(rng), "t": t})
    for b1, b2 in (("9/10", "999/1000"), ("0", "1/2"), ("1/2", "3/4"), ("99/100", "9/10"), ("9/10", "99/100")):
        out.append({"form": "adam", "seed": draw_seed(rng), "beta1": b1, "beta2": b2})
    out.append({"form": "sup", "seed": draw_seed(rng)})
    return out


CLAIM = Claim(
    id="C17",
    kind="bound",
    title="Real vs complex diagonal students: exact DFT fit, Markov and Chebyshev budget bounds, Descartes, Adam",
    statement=(
        "On a horizon t: (a) the complex student on the t-th roots of unity with g_j = (1/t) sum_i w*_i omega^(-ji) "
        "represents any target exactly, |g_j| <= ||w*||_1/t; (b1) a real student (nodes in [-1,1]) with w = e_m needs "
        "G = sum |g_j| >= |[x^m] T_n'| (n' = t-1 or t-2 by parity), tight at Chebyshev extrema; (b2) within sup distance "
        "eps of cos(pi i/2) it needs G >= (1-eps) T_d(3), d = floor((t-1)/2), tight at eps = 0; (c) within sup distance "
        "< 1 of the oscillation it needs ceil(t/2) modes; (e) Adam moves a coordinate by at most "
        "eta (1-b1)/sqrt((1-b2)(1-b1^2/b2)) per step when b1^2 < b2 and 1-b2^s <= (1-b1^s)^2 for every s."
    ),
    latex=(r"G \ge |[x^m]T_{n'}|,\quad G \ge (1-\varepsilon)\,T_d(3),\quad "
           r"n \ge \lceil t/2\rceil,\quad |\Delta\theta| \le \eta\,\frac{1-\beta_1}{\sqrt{(1-\beta_2)(1-\beta_1^2/\beta_2)}}"),
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/realcomplex.py, theory/frontier.py, theory/adam_bound.py, theory/claims/c17_real_complex.py, "
         "numerics/frontier.py",
    test="tests/test_realcomplex.py, tests/test_claims.py",
)

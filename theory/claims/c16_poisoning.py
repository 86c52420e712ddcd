"""C16 — clean-label poisoning of the diagonal student's implicit bias (setting of Slutzky, Alexander, Razin and
Cohen, arXiv 2410.10473; the statement and proof here are ours, SPEC C16).

Checks (exact), over instances that cover what the claim states (k = 2, the log law at k = 3, k = 4 and the
published k = 7 and 9; d = 2 and larger; near-tied and spread initializations):
- ``conservation``: symbolically, for L = (Σ_i λ_i^{k−1} − a)² (a symbol; the gradient is derived from L by
  sympy, not written by hand), d/dt λ_i^{3−k} under λ̇ = −∇L is the same expression for every i (k = 3:
  d/dt log λ_i; k = 2: d/dt λ_i), and equals −2(3−k)(k−1) r;
- ``poisoned``: with the length-2 impulse added, L = ½[(Σλ^{k−1} − a)² + (Σλ − b)²]: the difference
  d/dt(λ_1^{3−k} − λ_2^{3−k}) is not 0 at a rational witness point (the law breaks) and d/dt(λ_1 − λ_2) vanishes on λ_1 = λ_2
  (ties stay tied);
- ``limit``: ``tempx.theory.poisoning.baseline_limit`` on seeded λ(0) (floats, as a trained model holds them,
  taken exactly): every bracket is nonempty and of relative width ≤ 10^−digits; Σ_i λ_i^{k−1} evaluated
  exactly at the lower ends is ≤ w*_{k−1} and at the upper ends ≥ w*_{k−1} (the constraint is bracketed);
  and the conserved differences λ_i^{3−k} − λ_1^{3−k} of the bracket's ends enclose those of λ(0) (k > 3), or
  the closed forms hold exactly (k = 2: equal shifts; k = 3: equal ratios bracketed).
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

import sympy as sp

from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.errors import HypothesisViolation
from tempx.theory.poisoning import baseline_limit

FORMS = ("conservation", "poisoned", "limit")
MAX_SYMBOLIC_D = 4


def hypotheses(form: str, seed: int, k: int, d: int, gap: str = "0", digits: int = 20) -> None:
    if form not in FORMS:
        raise HypothesisViolation(f"C16: unknown form {form!r}")
    if k < 2 or d < 2:
        raise HypothesisViolation(f"C16 needs k >= 2 (an impulse of length k fixes w_(k-1)) and d >= 2, got k = {k}, d = {d}")
    if form != "limit" and d > MAX_SYMBOLIC_D:
        raise HypothesisViolation(f"C16: the symbolic forms use d <= {MAX_SYMBOLIC_D}")


def _flow(loss: Any, lam: list[Any]) -> list[Any]:
    return [-sp.diff(loss, x) for x in lam]


def _rate(k: int, x: Any, xdot: Any) -> Any:
    """d/dt of the conserved coordinate of one mode: λ^{3−k} (log λ at k = 3), expanded (powers of λ combined)."""
    return sp.expand(sp.powsimp(sp.expand(xdot / x if k == 3 else (3 - k) * x ** (2 - k) * xdot)))


def check_instance(form: str, seed: int, k: int, d: int, gap: str = "0", digits: int = 20) -> list[Evidence]:
    lam = list(sp.symbols(f"lambda1:{d + 1}", positive=True))
    a, b = sp.symbols("a b", positive=True)
    out: list[Evidence] = []
    if form == "conservation":
        r = sum(x ** (k - 1) for x in lam) - a
        rates = [_rate(k, x, v) for x, v in zip(lam, _flow(r**2, lam))]
        for i in range(1, d):
            out.append(evidence("d/dt of the conserved coordinate: mode i minus mode 1", sp.expand(rates[i] - rates[0]),
                                0, k=k, d=d, i=i + 1))
        out.append(evidence("the common rate is -2(3-k)(k-1) r (k = 3: -2(k-1) r)",
                            sp.expand(rates[0] - (-2 * (1 if k == 3 else 3 - k) * (k - 1) * r)), 0, k=k, d=d))
        return out
    if form == "poisoned":
        loss = ((sum(x ** (k - 1) for x in lam) - a) ** 2 + (sum(lam) - b) ** 2) / 2
        flow = _flow(loss, lam)
        drift = _rate(k, lam[0], flow[0]) - _rate(k, lam[1], flow[1])
        point = {x: sp.Rational(j + 1, j + 4) for j, x in enumerate(lam)} | {a: sp.Rational(2), b: sp.Rational(1, 3)}
        out.append(evidence("the law breaks: d/dt (coordinate 1 - coordinate 2) at a rational point", drift.subs(point) != 0,
                            True, k=k, d=d, point=str(point)))
        tie = sp.expand((flow[0] - flow[1]).subs(lam[1], lam[0]))
        out.append(evidence("ties stay tied: d/dt (lambda_1 - lambda_2) = 0 on lambda_1 = lambda_2", tie, 0, k=k, d=d))
        return out
    rng = random.Random(seed)
    top = Fraction(rng.randint(1, 900), 1000)
    values = sorted((top * Fraction(rng.randint(1, 10**6), 10**6) for _ in range(d)), reverse=True)
    values[0] = top
    if Fraction(gap) > 0:  # a near tie of the two largest entries, as in the published setting
        values[1] = top - Fraction(gap)
    lam0 = [float(v) for v in values]  # floats, as a trained model holds them; taken exactly below
    exact0 = [Fraction(x) for x in lam0]
    target = Fraction(1)
    lim = baseline_limit(lam0, k, target, digits=digits)
    width_ok = all(lo <= hi and hi - lo <= Fraction(1, 10**digits) * abs(lo) for lo, hi in zip(lim.lower, lim.upper))
    out.append(evidence(f"every bracket nonempty, relative width <= 1e-{digits}", width_ok, True, k=k, d=d))
    low_sum = sum(x ** (k - 1) for x in lim.lower)
    high_sum = sum(x ** (k - 1) for x in lim.upper)
    out.append(evidence("sum of lambda^(k-1) at the lower ends <= w*_(k-1) <= at the upper ends",
                        low_sum <= target <= high_sum, True, k=k, d=d))
    if k == 2:
        shifts = {hi - x for hi, x in zip(lim.upper, exact0)}
        out.append(evidence("k = 2: every mode moved by the same shift", len(shifts), 1, k=k, d=d))
        out.append(evidence("k = 2: the limit fits exactly", low_sum, target, k=k, d=d))
    elif k == 3:
        ok = all(lo / x <= lim.root[1] and hi / x >= lim.root[0] for lo, hi, x in zip(lim.lower, lim.upper, exact0))
        out.append(evidence("k = 3: every ratio lambda_i(inf)/lambda_i(0) lies in the common factor's bracket", ok, True,
                            k=k, d=d))
    else:
        def coord(x: Fraction) -> Fraction:
            return x ** (3 - k)

        enclosed = True
        for i in range(1, d):
            want = coord(exact0[i]) - coord(exact0[0])
            # λ ↦ λ^{3−k} decreases: the difference's extremes come from opposite ends of the two brackets
            lo_diff = coord(lim.upper[i]) - coord(lim.lower[0])
            hi_diff = coord(lim.lower[i]) - coord(lim.upper[0])
            enclosed = enclosed and lo_diff <= want <= hi_diff
        out.append(evidence("the conserved differences of lambda(0) lie in those of the bracket", enclosed, True, k=k, d=d))
    return out


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for k in (2, 3, 4, 7):
        out.append({"form": "conservation", "seed": 0, "k": k, "d": 2 if k == 7 else 3})
    for k in (3, 4, 7):
        out.append({"form": "poisoned", "seed": 0, "k": k, "d": 3})
    gap7 = "5/100000000000000"  # about 0.05·e^{−15}·… a near tie; the published setting's order of magnitude
    for k, d, gap in ((2, 3, "0"), (3, 4, "0"), (4, 5, "0"), (7, 10, gap7), (9, 20, "1/1000000000000")):
        out.append({"form": "limit", "seed": draw_seed(rng), "k": k, "d": d, "gap": gap, "digits": 20})
    return out


CLAIM = Claim(
    id="C16",
    kind="identity",
    title="Clean-label poisoning: the baseline flow of a diagonal SSM conserves lambda_i^(3-k) - lambda_j^(3-k)",
    statement=(
        "Real diagonal student, b = c = 1 frozen, lambda in (0,1)^d trained by gradient flow on the last output of a unit "
        "impulse of length k >= 2: lambda_i^(3-k) - lambda_j^(3-k) is conserved (log lambda_i - log lambda_j at k = 3), so "
        "the limit, when the loss tends to 0, is lambda_i = (s + c_i)^(-1/(k-3)) with c_i = lambda_i(0)^(3-k) - "
        "lambda_1(0)^(3-k) and s the unique root of sum_i (s + c_i)^(-(k-1)/(k-3)) = w*_(k-1) (closed forms at k = 2, 3), "
        "computed in a proven bracket. Adding the clean-label impulse of length 2 breaks the law but keeps ties."
    ),
    latex=(r"\tfrac{d}{dt}\bigl(\lambda_i^{3-k}-\lambda_j^{3-k}\bigr)=0,\qquad "
           r"\lambda_i(\infty)=(s+c_i)^{-1/(k-3)},\ \ \sum_i (s+c_i)^{-\frac{k-1}{k-3}}=w^*_{k-1}"),
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/poisoning.py, theory/claims/c16_poisoning.py, numerics/app/poisoning.py",
    test="tests/test_poisoning.py, tests/test_claims.py",
)

"""C10 — the exact interpolation threshold for any teacher (linear complexity).

d_min(w*, k) = min_{j ≥ k} g(j) is the least dimension of a student with L_k = 0 and w ≠ w*
(``tempx.theory.threshold``).  Checks, on seeded teachers of every specification kind and random
rational teachers:

- yes: the constructed student of dimension d_min (and padded, disguised) has L_k = 0 exactly,
  differs from w* at the stated index j, and its matrices reproduce its recurrence;
- no, by linear algebra independent of Berlekamp–Massey: every order-d recurrence that fits
  w*_0 … w*_{j−1} (the Hankel system of Cayley–Hamilton) is forced to predict w*_j, for
  d = d_min − 1 and every j in [k, max(k, 2d*)] (beyond that, d + d* terms of agreement
  propagate forever, C3); at d = d_min some j is not forced;
- closed form: k ≥ 2d* gives d_min = k + 1 − d*, with any prescribed first difference;
- finite field: over GF(2) and GF(3) the same formula (same code) equals an exhaustive search
  over all shift registers of each length (Massey's theorem holds over any field).
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from typing import Any

import flint

from tempx.theory import exact
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import loss
from tempx.theory.rnn import random_rnn
from tempx.theory.teacher_spec import parse_teacher
from tempx.theory.teachers import Teacher, TeacherRNN
from tempx.theory.threshold import d_min_search, profile_of_terms, teacher_profile, threshold

# One seeded specification per kind (plus edge cases): d_min = 0 (delay beyond k), k < 2d*,
# k ≥ 2d*, teachers on and off M.  ``instances`` adds random rational teachers.
KIND_SPECS = {
    "memoryless": "memoryless",
    "memoryless-gain": "memoryless:-3/2",
    "delay": "delay:4",
    "geometric": "geometric:1/2:3",
    "atoms-on-M": "atoms:4/5@3/5,-1/2@2/5",
    "atoms-off-M": "atoms:1/2@1,-1/3@-2/5,2@1/7",
    "impulse": "impulse:1,-2,0,3",
}
FIELD_PRIMES = (2, 3)
# Exhaustive search sizes: p^(2d) shift registers of length d.
MAX_BRUTE_D = {2: 6, 3: 4}


def forced_agreement(terms: list[Fraction], d: int, j: int) -> bool:
    """True iff every order-d recurrence that fits terms[0 … j−1] from index d on predicts terms[j].

    Linear algebra only: rows (s_{i−1}, …, s_{i−d}) · c = −s_i for d ≤ i < j.  Forced iff the
    system is inconsistent, or the row at j lies in the row space and its prediction is s_j.
    """
    if d == 0:
        return terms[j] == 0 or any(x != 0 for x in terms[:j])
    if j < d:
        return False  # the first d terms of a d-dimensional RNN are free
    rows = [[terms[i - m] for m in range(1, d + 1)] for i in range(d, j)]
    rhs = [-terms[i] for i in range(d, j)]
    target = [terms[j - m] for m in range(1, d + 1)]
    rank = _rank(rows)
    if _rank([r + [b] for r, b in zip(rows, rhs)]) > rank:
        return True  # no d-dimensional student matches w*_0 … w*_{j−1} at all
    if _rank(rows + [target]) > rank:
        return False  # the prediction at j is free: some student differs there
    # the prediction is unique: any solution gives it
    sol = _particular_solution(rows, rhs, d)
    predicted = -sum((t * x for t, x in zip(target, sol)), Fraction(0))
    return predicted == terms[j]


def _rank(rows: list[list[Fraction]]) -> int:
    return exact.matrix(rows).rank() if rows else 0


def _particular_solution(rows: list[list[Fraction]], rhs: list[Fraction], n: int) -> list[Fraction]:
    """One exact solution of a consistent linear system in n unknowns (reduced row echelon form)."""
    if not rows:
        return [Fraction(0)] * n
    aug = exact.matrix([r + [b] for r, b in zip(rows, rhs)])
    rref, pivots = aug.rref()
    E = exact.entries(rref)
    sol = [Fraction(0)] * n
    for r, col in enumerate(pivots):
        if col < n:
            sol[col] = E[r][n]
    return sol


def brute_force_d_min(terms: list[Any], k: int, d_star: int, p: int, d_max: int) -> int | None:
    """Least d such that some length-d shift register over GF(p) matches terms[:k] and differs later.

    A student and a teacher that agree on their first d + d* terms agree forever (C3), so
    "differs later" is decided within the first max(k, d + d*) + 1 terms.
    """
    for d in range(d_max + 1):
        n = max(k, d + d_star) + 1
        for conn in itertools.product(range(p), repeat=d):
            for init in itertools.product(range(p), repeat=d):
                s = list(init)
                while len(s) < n:
                    s.append(-sum(conn[m] * s[len(s) - 1 - m] for m in range(d)) % p)
                if s[:k] == terms[:k] and s[:n] != terms[:n]:
                    return d
    return None


def _teacher(form: str, spec: str | None, d_star: int, seed: int) -> Teacher:
    if spec is not None:
        return parse_teacher(spec)
    return TeacherRNN(random_rnn(d_star, random.Random(seed), size=3))


def hypotheses(form: str, k: int = 1, spec: str | None = None, d_star: int = 1, seed: int = 0, p: int = 2,
               case: str = "", lfsr: tuple[tuple[int, ...], tuple[int, ...]] | None = None) -> None:
    if form not in ("threshold", "field"):
        raise HypothesisViolation(f"unknown form {form!r}")
    if k < 1:
        raise HypothesisViolation(f"C10 needs k >= 1, got {k}")
    if d_star < 1:
        raise HypothesisViolation(f"a random teacher needs d* >= 1, got {d_star}")
    if form == "field" and p not in MAX_BRUTE_D:
        raise HypothesisViolation(f"the exhaustive search runs over GF(p) for p in {sorted(MAX_BRUTE_D)}, got {p}")


def check_instance(form: str, k: int = 1, spec: str | None = None, d_star: int = 1, seed: int = 0, p: int = 2,
                   case: str = "", lfsr: tuple[tuple[int, ...], tuple[int, ...]] | None = None) -> list[Evidence]:
    params: dict[str, Any] = {"form": form, "k": k, "spec": spec, "d_star": d_star, "seed": seed, "case": case}
    if form == "field":
        return _check_field(k, d_star, seed, p, params, lfsr)
    teacher = _teacher(form, spec, d_star, seed)
    prof = teacher_profile(teacher)
    th = threshold(teacher, k, profile=prof)
    j = th.first_difference
    n_check = max(j + 1, 2 * k + 1)
    last = max(k, 2 * prof.dim)  # the search range of j; the no-direction reads w*_0 … w*_last
    ws = list(teacher.impulse_response(max(n_check, last + 1)))
    found: list[Evidence] = []
    # yes: a student of dimension d_min (and a padded, disguised one) interpolates and differs at j.
    for extra, disguise in ((0, None), (1, seed)):
        ce = counterexample(k, d=max(th.d_min, 1) + extra, teacher=teacher, disguise=disguise)
        w = ce.rnn.impulse_response(n_check)
        found += [
            evidence("L_k(student) = 0", loss(ce.rnn, teacher, k), Fraction(0), **params, d=ce.d),
            evidence("student = teacher before j, differs at j", [w[:j] == tuple(ws[:j]), w[j] != ws[j]], [True, True],
                     **params, d=ce.d, j=j),
        ]
        if extra == 0:  # the witness is minimal: d_min states (one when d_min = 0, the smallest RNN)
            found.append(evidence("the student has dimension max(d_min, 1)", ce.d, max(th.d_min, 1), **params))
        if extra == 0 and ce.recurrence is not None:
            found.append(evidence("matrices reproduce the recurrence", w, ce.expected_impulse_response(n_check),
                                  **params))
    # no: at d_min − 1 every j ≤ max(k, 2d*) is forced (linear algebra, not Berlekamp–Massey).
    if th.d_min >= 1:
        forced = [forced_agreement(ws, th.d_min - 1, jj) for jj in range(k, last + 1)]
        found.append(evidence(f"d = d_min − 1 = {th.d_min - 1}: agreement forced at every j in [k, {last}]",
                              forced, [True] * (last + 1 - k), **params))
    attained = [not forced_agreement(ws, th.d_min, jj) for jj in range(k, last + 1)]
    found.append(evidence(f"d = d_min = {th.d_min}: some j in [k, {last}] is free", any(attained), True, **params))
    if case == "attained-after-k":
        found.append(evidence("d_min = 0, attained at j > k", [th.d_min, j > k], [0, True], **params))
    if k >= 2 * prof.dim:
        found.append(evidence("k ≥ 2d*: d_min = k + 1 − d* (any first difference c)",
                              [th.d_min, threshold(teacher, k, c=Fraction(-7, 3), profile=prof).d_min],
                              [k + 1 - prof.dim, k + 1 - prof.dim], **params))
    return found


def _check_field(k: int, d_star: int, seed: int, p: int, params: dict[str, Any],
                 lfsr: tuple[tuple[int, ...], tuple[int, ...]] | None = None) -> list[Evidence]:
    """The teacher over GF(p): a shift register (connection, initial values), seeded or given."""
    rng = random.Random(seed)
    conn = [rng.randrange(p) for _ in range(d_star)] if lfsr is None else list(lfsr[0])
    init = [rng.randrange(p) for _ in range(d_star)] if lfsr is None else list(lfsr[1])
    n_terms = 2 * d_star + k + 2 + MAX_BRUTE_D[p] + d_star
    seq = list(init)
    while len(seq) < n_terms:
        seq.append(-sum(conn[m] * seq[len(seq) - 1 - m] for m in range(d_star)) % p)
    one = flint.nmod(1, p)
    terms_f = [flint.nmod(x, p) for x in seq]
    complexity, discrepancy, _ = profile_of_terms(terms_f, one)
    dim = complexity[-1]  # n_terms ≥ 2d* + 2: the teacher's linear complexity
    n = lambda j: complexity[j] if j < len(complexity) else dim
    delta = lambda j: discrepancy[j] if j < len(discrepancy) else 0
    formula, _ = d_min_search(n, delta, k, dim)
    if formula > MAX_BRUTE_D[p]:
        return [evidence("formula beyond the exhaustive range: skipped", True, True, **params, p=p)]
    brute = brute_force_d_min(seq, k, dim, p, MAX_BRUTE_D[p])
    return [evidence(f"GF({p}): formula d_min = exhaustive search", formula, brute, **params, p=p, teacher=seq[:8])]


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for case, spec in KIND_SPECS.items():
        d_star = parse_teacher(spec).dim
        # one k below 2d* (when there is one), k = 2d* exactly (where the closed form starts) and one above
        for k in sorted({max(1, rng.randint(1, max(1, 2 * d_star - 1))), max(1, 2 * d_star), 2 * d_star + rng.randint(1, 3)}):
            out.append({"form": "threshold", "k": k, "spec": spec, "case": case})
    # edge: the minimum is attained after k (d_min = 0: the zero student matches delay:4 up to index 3)
    out.append({"form": "threshold", "k": rng.randint(1, 3), "spec": "delay:4", "case": "attained-after-k"})
    for _ in range(3):
        d_star = rng.randint(1, 3)
        out.append({"form": "threshold", "k": rng.randint(1, 2 * d_star + 3), "d_star": d_star,
                    "seed": draw_seed(rng), "case": "random-rnn"})
    # edge: a teacher 0, 0, 1, … over GF(2) at k = 1: the zero student differs only at index 2,
    # beyond k, so the exhaustive search must look past k (d + d* terms, C3)
    out.append({"form": "field", "k": 1, "d_star": 3, "p": 2, "lfsr": ((0, 0, 1), (0, 0, 1)), "case": "GF(2) zero prefix"})
    for p in FIELD_PRIMES:
        for _ in range(3):
            d_star = rng.randint(1, 2)
            out.append({"form": "field", "k": rng.randint(1, 4), "d_star": d_star, "seed": draw_seed(rng), "p": p,
                        "case": f"GF({p})"})
    return out


# The cases the default instances must cover (tests/test_claims.py reads this).
REQUIRED_CASES = (*KIND_SPECS, "attained-after-k", "random-rnn", "GF(2) zero prefix", *(f"GF({p})" for p in FIELD_PRIMES))

CLAIM = Claim(
    id="C10",
    kind="existence",
    title="any teacher: a student with L_k = 0 and w ≠ w* exists iff d ≥ d_min(w*, k)",
    statement=(
        "With n_j the linear complexity of w*_0..w*_{j-1}, g(j) = n_j if n_{j+1} > n_j else max(n_j, j + 1 - n_j), "
        "d_min = min over j >= k of g(j): a student of dimension d with L_k = 0 (all weights > 0) and w != w* exists "
        "iff d >= d_min. If the teacher has minimal dimension d* and k >= 2d*, d_min = k + 1 - d*, attained with any "
        "prescribed w_k != w*_k. Memoryless: d_min = k (C2, C3)."
    ),
    latex=r"d_{\min}(w^*,k)=\min_{j\ge k} g(j),\quad g(j)=\begin{cases}n_j & n_{j+1}>n_j\\ \max(n_j,\,j+1-n_j) & \text{else}\end{cases}",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/complexity.py, theory/threshold.py, theory/claims/c10_threshold.py",
    test="tests/test_threshold.py, tests/test_claims.py",
)

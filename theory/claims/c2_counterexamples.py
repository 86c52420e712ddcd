"""C2 — interpolation without extrapolation (headline I, this package's formalization).

For every k ≥ 1, d ≥ k and c ≠ 0 there is an R of dimension d with L_k(R) = 0 and
w_k(R) = c, so L_q(R) ≥ c² for all q > k.  Check: build the exact constructions (a) cyclic,
(b) prescribed tail, (c) padded and disguised; compare their exact impulse response and
L_q with the closed forms; (d) zero empirical loss on a random rational data set and a
gradient that is exactly zero.  Disguised and padded versions must give the identical
impulse response to the plain one.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import empirical_loss, gradient, prefix_losses, residuals_of

DATA_SEQUENCES = 4  # C2(d) holds for every data set; a few random sequences exercise it


def hypotheses(k: int, d: int, c: Fraction | None = None, tail: tuple[Fraction, ...] | None = None,
               disguise: int | None = None, data_seed: int = 0) -> None:
    if k < 1:
        raise HypothesisViolation(f"C2 needs k >= 1, got {k}")
    d_min = k + (len(tail) if tail else 0)
    if d < d_min:
        raise HypothesisViolation(f"C2 needs d >= {d_min}, got {d}")
    if tail is None and (c is None or c == 0):
        raise HypothesisViolation("C2 needs c != 0")
    if tail is not None and all(x == 0 for x in tail):
        raise HypothesisViolation("C2 needs a tail with a nonzero value")


def check_instance(k: int, d: int, c: Fraction | None = None, tail: tuple[Fraction, ...] | None = None,
                   disguise: int | None = None, data_seed: int = 0) -> list[Evidence]:
    ce = counterexample(k, d=d, c=c, tail=tail, disguise=disguise)
    n = ce.default_terms()
    qs = sorted({k + 1, 2 * k + 1, n})
    params = {"k": k, "d": d, "c": str(c), "tail": None if tail is None else [str(x) for x in tail],
              "disguise": disguise}
    w = ce.rnn.impulse_response(n)  # one Krylov sweep; every fact below is read off it
    L = prefix_losses(residuals_of(w, ce.teacher), [k, *qs])
    found = [
        evidence("impulse response w_0..w_{n-1}", w, ce.expected_impulse_response(n), **params),
        evidence("L_k(R) = 0", L[k], Fraction(0), **params),
        evidence("w_k(R) = c (or the first tail value)", w[k], ce.expected_impulse_response(k + 1)[k], **params),
        evidence("L_q(R) closed form, q = " + ",".join(map(str, qs)), [L[q] for q in qs],
                 [ce.expected_extrapolation_loss(q) for q in qs], **params),
    ]
    # (c) padding and disguise change nothing: identical impulse response to the plain RNN.
    plain = counterexample(k, c=c, tail=tail)
    found.append(evidence("disguised/padded w = plain w", w, plain.rnn.impulse_response(n), **params))
    # (d) zero empirical loss on random rational sequences of length k, zero gradient.
    rng = random.Random(data_seed)
    X = [[Fraction(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(k)] for _ in range(DATA_SEQUENCES)]
    found.append(evidence("empirical loss on random data = 0", empirical_loss(ce.rnn, ce.teacher, X), Fraction(0), **params))
    found.append(evidence("gradient of L_k is exactly zero", gradient(ce.rnn, ce.teacher, k).is_zero(), True, **params))
    return found


def _rand_c(rng: random.Random) -> Fraction:
    while True:
        c = Fraction(rng.randint(-7, 7), rng.randint(1, 5))
        if c != 0:
            return c


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [
        {"k": 1, "d": 1, "c": Fraction(2)},
        {"k": 2, "d": 2, "c": Fraction(-1)},
        {"k": 7, "d": 9, "c": Fraction(3, 2), "disguise": 0},
        {"k": 3, "d": 5, "tail": (Fraction(0), Fraction(5, 2)), "disguise": 1},
    ]
    for _ in range(6):
        k = rng.randint(1, 12)
        d = k + rng.randint(0, 4)
        if rng.random() < 0.5:
            out.append({"k": k, "d": d, "c": _rand_c(rng), "disguise": draw_seed(rng), "data_seed": draw_seed(rng)})
        else:
            tail = tuple(_rand_c(rng) for _ in range(rng.randint(1, 3)))
            out.append({"k": k, "d": d + len(tail), "tail": tail, "disguise": draw_seed(rng), "data_seed": draw_seed(rng)})
    return out


CLAIM = Claim(
    id="C2",
    kind="existence",
    title="d ≥ k: some R has L_k = 0 and w_k = c ≠ 0 (interpolates, fails to extrapolate)",
    statement=(
        "Memoryless teacher. For every k >= 1, d >= k and c != 0 there is an RNN R of dimension d "
        "with L_k(R) = 0 and w_k(R) = c, hence L_q(R) >= c^2 for all q > k; it also fits every "
        "finite data set of length-k sequences and is a stationary point of gradient descent."
    ),
    latex=r"\forall k\ge1,\ d\ge k,\ c\ne0\ \exists R\in\mathbb{Q}^{d}:\ L_k(R)=0,\ w_k(R)=c,\ L_q(R)\ge c^2\ (q>k),\ \nabla L_k(R)=0",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/counterexamples.py, theory/claims/c2_counterexamples.py",
    test="tests/test_counterexamples.py, tests/test_claims.py",
)

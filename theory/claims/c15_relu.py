"""C15 — interpolation without extrapolation for ReLU RNNs (claim I for a non-linear student).

``tempx.theory.relu.relu_counterexample(k, c)`` is a ReLU RNN of dimension 2k + 2 with
ŷ_t = x_t + c·x_{t−k} on every input sequence.  Checks (exact), over instances that cover what the
claim states (k = 1 and k ≥ 2; c of both signs, |c| < 1 and |c| > 1; sequences shorter than k, of
length exactly k, k + 1 and longer; inputs that are positive, negative and zero):
- ``sequences``: on random rational sequences the outputs are exactly x_t + c x_{t−k}; so on every
  sequence of length ≤ k they equal the memoryless teacher's x_t (training loss 0 for every data set
  and every input law), and the last output of a longer one errs by exactly c·x_{q−1−k};
- ``orthants``: symbolically, on every one of the 2^{k+1} sign patterns of the last k + 1 inputs
  (x_j = s_j y_j with y_j > 0, sympy evaluates each relu), the output at time k is the linear form
  x_k + c x_0 (no other term), and at time k − 1 it is x_{k−1}; hence the error of the last output at
  length q > k is c·x_{q−1−k} everywhere and L_q = E[(c x)²] = c² for unit-variance inputs;
- ``dimension``: the construction has 2k + 2 units.
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from typing import Any

import sympy as sp

from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.errors import HypothesisViolation
from tempx.theory.relu import relu_counterexample

F = Fraction
FORMS = ("sequences", "orthants", "dimension")
GAINS = (F(1), F(-1), F(1, 3), F(-5, 2))  # both signs, |c| < 1, = 1, > 1
MAX_ORTHANT_K = 4  # 2^{k+1} sign patterns, each a symbolic run


def hypotheses(form: str, seed: int, k: int, c: str) -> None:
    if form not in FORMS:
        raise HypothesisViolation(f"C15: unknown form {form!r}")
    if k < 1 or F(c) == 0:
        raise HypothesisViolation(f"C15 needs k >= 1 and c != 0, got k = {k}, c = {c}")
    if form == "orthants" and k > MAX_ORTHANT_K:
        raise HypothesisViolation(f"C15: the orthant check enumerates 2^(k+1) patterns; k <= {MAX_ORTHANT_K}")


def _sequence(rng: random.Random, length: int) -> list[Fraction]:
    """Rational inputs with zeros, negatives and positives of several sizes."""
    return [F(0) if rng.random() < 0.15 else F(rng.randint(-40, 40), rng.randint(1, 9)) for _ in range(length)]


def check_instance(form: str, seed: int, k: int, c: str) -> list[Evidence]:
    cq = F(c)
    net = relu_counterexample(k, cq)
    out: list[Evidence] = []
    if form == "dimension":
        return [evidence("dimension of the construction", net.d, 2 * k + 2, k=k)]
    if form == "sequences":
        rng = random.Random(seed)
        for length in sorted({1, max(1, k - 1), k, k + 1, 2 * k + 3}):
            xs = _sequence(rng, length)
            got = net.run(xs)
            want = [x + (cq * xs[t - k] if t >= k else 0) for t, x in enumerate(xs)]
            out.append(evidence("outputs = x_t + c x_{t-k}", got, want, k=k, c=c, length=length))
            teacher_part = got[:k]
            out.append(evidence("matches the memoryless teacher on the first k outputs", teacher_part, xs[:k],
                                k=k, length=length))
        return out
    # orthants: every sign pattern of x_0 … x_k, symbolically
    ys = sp.symbols(f"y0:{k + 1}", positive=True)
    relu = lambda z: sp.Max(z, 0)
    for signs in itertools.product((1, -1), repeat=k + 1):
        xs = [s * y for s, y in zip(signs, ys)]
        got = net.run(xs, relu=relu)
        out.append(evidence("output at time k on an orthant", sp.expand(got[k] - xs[k] - sp.Rational(cq.numerator, cq.denominator) * xs[0]),
                            0, k=k, signs="".join("+" if s > 0 else "-" for s in signs)))
        out.append(evidence("output at time k-1 on an orthant", sp.expand(got[k - 1] - xs[k - 1]), 0, k=k))
    return out


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for j, c in enumerate(GAINS):
        out.append({"form": "sequences", "seed": draw_seed(rng), "k": 1 if j == 0 else rng.randint(2, 6), "c": str(c)})
    for k in (1, 2, 3):
        out.append({"form": "orthants", "seed": 0, "k": k, "c": str(GAINS[k])})
    out.append({"form": "dimension", "seed": 0, "k": rng.randint(1, 9), "c": "1"})
    return out


CLAIM = Claim(
    id="C15",
    kind="existence",
    title="ReLU RNNs interpolate without extrapolating: y_t = x_t + c x_{t-k} with 2k + 2 units",
    statement=(
        "For every k >= 1 and rational c != 0 there is a ReLU RNN h_t = relu(A h_{t-1} + B x_t), y_t = C h_t with "
        "rational A, B, C of dimension 2k + 2 whose output is x_t + c x_{t-k} on every input sequence: it matches the "
        "memoryless teacher on every sequence of length k (training loss exactly 0 for every data set and input law) "
        "and its last-output loss at every length q > k is c^2 for unit-variance inputs."
    ),
    latex=r"\hat y_t=x_t+c\,x_{t-k}\ \ \forall x,\qquad L_k=0,\quad L_q=c^2\ (q>k),\qquad \dim h=2k+2",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/relu.py, theory/claims/c15_relu.py",
    test="tests/test_relu.py, tests/test_claims.py",
)

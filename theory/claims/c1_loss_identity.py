"""C1 — loss identity: E[(ŷ_k − y_k)²] = Σ_{i<k} r_i² and Σ_t E[(ŷ_t − y_t)²] = Σ_{i<k}(k − i) r_i².

Check: symbolically, with the inputs x_1 … x_k as polynomial generators and expectations
taken by E[x_a x_b] = δ_ab.  Two forms: (1) a free impulse response w and a free teacher
w* (the convolution ŷ_t = Σ_{i<t} w_i x_{t−i}); (2) the state recursion h_t = A h_{t−1} +
B x_t of a generic symbolic RNN against ``tempx.theory.losses.loss`` itself.
"""

from __future__ import annotations

from typing import Any

from sympy import QQ
from sympy.polys.rings import ring

from tempx.theory.claims.registry import Claim, Evidence, evidence
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import loss, loss_from_residuals
from tempx.theory.symbolic import expect_quadratic, generic_rnn
from tempx.theory.teachers import Memoryless

MAX_K_CONVOLUTION = 6
MAX_K_RECURRENCE = 4


def hypotheses(k: int, form: str, d: int = 0) -> None:
    if k < 1:
        raise HypothesisViolation(f"C1 needs k >= 1, got {k}")
    if form not in ("convolution", "recurrence"):
        raise HypothesisViolation(f"unknown form {form!r}")
    if form == "recurrence" and d < 1:
        raise HypothesisViolation("the recurrence form needs d >= 1")


def _convolution(k: int) -> list[Evidence]:
    names = [f"w{i}" for i in range(k)] + [f"s{i}" for i in range(k)] + [f"x{t}" for t in range(1, k + 1)]
    R, *g = ring(",".join(names), QQ)
    w, s, x = g[:k], g[k : 2 * k], g[2 * k :]
    r = [w[i] - s[i] for i in range(k)]
    # ŷ_t − y_t = Σ_{i<t} (w_i − w*_i) x_{t−i}   (x[t-1] is x_t)
    err = [sum((r[i] * x[t - 1 - i] for i in range(t)), R.zero) for t in range(1, k + 1)]
    last = expect_quadratic(err[-1] ** 2, x)
    every = sum((expect_quadratic(e**2, x) for e in err), R.zero)
    dom = R.to_domain()
    return [
        evidence("E[(ŷ_k − y_k)²] = Σ r_i²", last, loss_from_residuals(r, "last", dom), k=k, form="convolution"),
        evidence("Σ_t E[(ŷ_t − y_t)²] = Σ (k−i) r_i²", every, loss_from_residuals(r, "all", dom), k=k, form="convolution"),
    ]


def _recurrence(k: int, d: int) -> list[Evidence]:
    sym = generic_rnn(d, extra_names=[f"x{t}" for t in range(1, k + 1)])
    rnn, xs = sym.rnn, sym.extra
    dom = rnn.domain
    h = rnn.B * dom.zero  # h_0 = 0
    errs: list[Any] = []
    for t in range(k):
        h = rnn.A * h + rnn.B * xs[t]
        errs.append((rnn.C * h).to_list_flat()[0] - xs[t])  # memoryless teacher y_t = x_t
    last = expect_quadratic(errs[-1] ** 2, xs)
    every = sum((expect_quadratic(e**2, xs) for e in errs), sym.ring.zero)
    teacher = Memoryless()
    return [
        evidence("E[(ŷ_k − y_k)²] = L_k(R)", last, loss(rnn, teacher, k), k=k, d=d, form="recurrence"),
        evidence("Σ_t E[(ŷ_t − y_t)²] = L_all(R)", every, loss(rnn, teacher, k, "all"), k=k, d=d, form="recurrence"),
    ]


def check_instance(k: int, form: str, d: int = 0) -> list[Evidence]:
    return _convolution(k) if form == "convolution" else _recurrence(k, d)


def instances(seed: int) -> list[dict[str, Any]]:
    # Symbolic identities: the seed does not matter; every k up to the bound is covered.
    out: list[dict[str, Any]] = [{"k": k, "form": "convolution"} for k in range(1, MAX_K_CONVOLUTION + 1)]
    out += [{"k": k, "form": "recurrence", "d": d} for d in (1, 2) for k in range(1, MAX_K_RECURRENCE + 1)]
    return out


CLAIM = Claim(
    id="C1",
    kind="identity",
    title="E[(ŷ_k−y_k)²] = Σ_{i<k} r_i² (and the all-outputs form)",
    statement=(
        "For i.i.d. inputs with mean 0 and variance 1, the last-output population loss equals "
        "sum_{i<k} r_i^2 and the all-outputs loss equals sum_{i<k} (k-i) r_i^2, r_i = w_i - w*_i."
    ),
    latex=r"\mathbb{E}[(\hat y_k-y_k)^2]=\sum_{i<k} r_i^2,\quad \sum_{t\le k}\mathbb{E}[(\hat y_t-y_t)^2]=\sum_{i<k}(k-i)\,r_i^2",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/claims/c1_loss_identity.py, theory/losses.py:loss_from_residuals",
    test="tests/test_claims.py, tests/test_losses.py",
)

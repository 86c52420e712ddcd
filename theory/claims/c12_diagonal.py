"""C12 — diagonal (state-space-model) students: counterexamples, conserved quantities, fixed sign patterns.

(a) Lagrange counterexample: nodes λ_1 … λ_k distinct, nonzero; c_j b_j = ℓ_j(0) gives w_i = δ_{i0}
    for i < k and w_k = (−1)^{k+1} Π λ_j; for k ≥ 3 some weight is negative (C5), for k = 2 nodes
    of opposite sign give a balanced (c = b) counterexample; any teacher by the Vandermonde solve.
(b) Under gradient flow |b_j|² − |c_j|² is conserved; a GD step changes it by η²(|∂_b L|² − |∂_c L|²);
    complex modes also satisfy the phase identity Im conj(b_j) ∂_{b_j}L = Im conj(c_j) ∂_{c_j}L.
(c) (b_j, c_j) = (0, 0) is invariant, so a balanced start keeps each mode's sign (phase).

Checks (exact): closed forms against the matrices' impulse response and against the dense exact
loss; the identities of (b) and (c) as polynomial identities for a generic student with 1–2 modes
and a generic teacher (``tempx.theory.diagonal.symbolic_identities``); at random (Gaussian) rational
points, the closed-form gradient against the dense exact gradient of the same student (chain
rule through diag(λ) or the 2×2 rotation blocks) and the exact change of the balance in one step.
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from tempx.theory import exact
from tempx.theory.claims.registry import Claim, Evidence, draw_seed, evidence
from tempx.theory.diagonal import (
    DiagonalStudent,
    _conj,
    _re,
    diagonal_counterexample,
    diagonal_gradient,
    gaussian,
    lagrange_weights,
    symbolic_identities,
)
from tempx.theory.errors import HypothesisViolation
from tempx.theory.losses import gradient, loss
from tempx.theory.teacher_spec import parse_teacher

F = Fraction
FORMS = ("lagrange", "balanced-k2", "teacher", "symbolic", "gd-step", "zero-mode")
TEACHERS = ("atoms:4/5@3/5,-1/2@2/5", "oscillating:3/5:3/5", "delay:2", "geometric:-1/2:3")


def _rat(rng: random.Random, nonzero: bool = False) -> Fraction:
    while True:
        x = Fraction(rng.randint(-6, 6), rng.randint(1, 4))
        if x != 0 or not nonzero:
            return x


def _distinct_nodes(rng: random.Random, k: int) -> list[Fraction]:
    out: list[Fraction] = []
    while len(out) < k:
        x = _rat(rng, nonzero=True)
        if x not in out:
            out.append(x)
    return out


def _point(rng: random.Random, d: int, complex_modes: bool) -> DiagonalStudent:
    draw = (lambda: gaussian(_rat(rng), _rat(rng))) if complex_modes else (lambda: _rat(rng))
    return DiagonalStudent(tuple(draw() for _ in range(d)), tuple(draw() for _ in range(d)), tuple(draw() for _ in range(d)))


def _dense_gradient(s: DiagonalStudent, k: int, teacher: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """The gradient of the same student through the dense exact gradient (chain rule)."""
    G = gradient(s.to_rnn(), teacher, k)
    A, B, C = exact.entries(G.A), [r[0] for r in exact.entries(G.B)], exact.entries(G.C)[0]
    if not s.is_complex:
        return [A[j][j] for j in range(s.d)], B, C
    gl, gb, gc = [], [], []
    for j in range(s.d):
        e, o = 2 * j, 2 * j + 1
        gl.append(gaussian(A[e][e] + A[o][o], -A[e][o] + A[o][e]))
        gb.append(gaussian(B[e], B[o]))
        gc.append(gaussian(C[e], -C[o]))
    return gl, gb, gc


def _sq(z: Any) -> Fraction:
    return _re(z * _conj(z))


def hypotheses(form: str, k: int = 1, d: int = 1, seed: int = 0, complex_modes: bool = False,
               nodes: tuple[Fraction, ...] | None = None, teacher: str = "memoryless") -> None:
    if form not in FORMS:
        raise HypothesisViolation(f"unknown form {form!r} (allowed: {', '.join(FORMS)})")
    if k < 1 or d < 1:
        raise HypothesisViolation(f"C12 needs k >= 1 and d >= 1, got k = {k}, d = {d}")
    if nodes is not None and (len(set(nodes)) != len(nodes) or 0 in nodes or len(nodes) != k):
        raise HypothesisViolation("C12(a) needs k distinct nonzero nodes")
    if form == "balanced-k2" and (k != 2 or nodes is None or nodes[0] * nodes[1] >= 0):
        raise HypothesisViolation("the balanced counterexample needs k = 2 nodes of opposite sign")


def check_instance(form: str, k: int = 1, d: int = 1, seed: int = 0, complex_modes: bool = False,
                   nodes: tuple[Fraction, ...] | None = None, teacher: str = "memoryless") -> list[Evidence]:
    rng = random.Random(seed)
    params = {"form": form, "k": k, "d": d, "seed": seed, "complex": complex_modes,
              "nodes": None if nodes is None else [str(x) for x in nodes], "teacher": teacher}
    if form in ("lagrange", "balanced-k2"):
        lam = list(nodes) if nodes is not None else _distinct_nodes(rng, k)
        s = diagonal_counterexample(lam, balanced=form == "balanced-k2")
        w = s.impulse_response(k + 1)
        weights = lagrange_weights(lam)
        prod = Fraction(1)
        for x in lam:
            prod *= x
        V = exact.matrix([[x**i for x in lam] for i in range(k)])
        solve = [row[0] for row in exact.entries(V.inv() * exact.column([1] + [0] * (k - 1)))]
        found = [
            evidence("w_i = δ_i0 for i < k", list(w[:k]), [F(1)] + [F(0)] * (k - 1), **params),
            evidence("w_k = (−1)^{k+1} Π λ_j", w[k], (-1) ** (k + 1) * prod, **params),
            evidence("ℓ_j(0) = Vandermonde solve", list(weights), solve, **params),
            evidence("dense realization: L_k = 0 (tempx.theory.losses)", loss(s.to_rnn(), None, k), F(0), **params),
        ]
        if k >= 3:
            found.append(evidence("k ≥ 3: some weight ℓ_j(0) < 0 (C5)", min(weights) < 0, True, **params))
        if form == "balanced-k2":
            found += [evidence("k = 2, opposite signs: weights > 0", min(weights) > 0, True, **params),
                      evidence("balanced realization lies on M (c = b, A diagonal)", s.to_rnn().is_symmetric_balanced(),
                               True, **params)]
        return found
    if form == "teacher":
        t = parse_teacher(teacher)
        lam = _distinct_nodes(rng, k)
        s = diagonal_counterexample(lam, teacher=t)
        return [evidence("Vandermonde student: w_i = w*_i for i < k", s.impulse_response(k), t.impulse_response(k),
                         **params),
                evidence("L_k = 0 (dense realization)", loss(s.to_rnn(), t, k), F(0), **params)]
    if form == "symbolic":
        ids = symbolic_identities(d, k, complex_modes)
        return [evidence(name, [p == 0 for p in polys], [True] * len(polys), **params) for name, polys in ids.items()]
    s = _point(rng, d, complex_modes)
    if form == "zero-mode":
        j = rng.randrange(d)
        zero = gaussian(0) if complex_modes else F(0)
        s = DiagonalStudent(s.lam, s.b[:j] + (zero,) + s.b[j + 1:], s.c[:j] + (zero,) + s.c[j + 1:])
        _, gb, gc = diagonal_gradient(s, parse_teacher(teacher), k)
        return [evidence("(b_j, c_j) = (0, 0) ⇒ ∂_b L = ∂_c L = 0 there", [gb[j], gc[j]], [zero, zero], **params, mode=j)]
    # gd-step: closed form against the dense exact gradient; balance change; phase identity
    t = parse_teacher(teacher)
    gl, gb, gc = diagonal_gradient(s, t, k)
    eta = F(1, rng.randint(2, 50))
    step = DiagonalStudent(*(tuple(x - gx * (gaussian(eta) if complex_modes else eta) for x, gx in zip(xs, gs))
                             for xs, gs in ((s.lam, gl), (s.b, gb), (s.c, gc))))
    change = [a - b for a, b in zip(step.balance(), s.balance())]
    found = [
        evidence("closed-form gradient = dense exact gradient", [list(gl), list(gb), list(gc)],
                 [list(x) for x in _dense_gradient(s, k, t)], **params),
        evidence("GD step: Δ(|b_j|² − |c_j|²) = η²(|∂_b L|² − |∂_c L|²)", change,
                 [eta * eta * (_sq(x) - _sq(y)) for x, y in zip(gb, gc)], **params),
    ]
    if complex_modes:
        im = lambda z: exact.to_fraction(z.y)
        found.append(evidence("phase: Im conj(b_j) ∂_b L = Im conj(c_j) ∂_c L",
                              [im(_conj(b) * g) for b, g in zip(s.b, gb)], [im(_conj(c) * g) for c, g in zip(s.c, gc)],
                              **params))
    return found


def instances(seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out: list[dict[str, Any]] = [
        {"form": "lagrange", "k": 3, "nodes": (F(1), F(2), F(3))},  # weights 3, −3, 1; w_3 = 6
        {"form": "balanced-k2", "k": 2, "nodes": (F(1), F(-1))},  # weights 1/2, 1/2; w_2 = 1
        {"form": "lagrange", "k": 1, "seed": draw_seed(rng)},
    ]
    out += [{"form": "lagrange", "k": rng.randint(3, 6), "seed": draw_seed(rng)} for _ in range(2)]
    a, b = Fraction(rng.randint(1, 9), rng.randint(1, 4)), -Fraction(rng.randint(1, 9), rng.randint(1, 4))
    out.append({"form": "balanced-k2", "k": 2, "nodes": (a, b)})
    out += [{"form": "teacher", "k": rng.randint(1, 5), "teacher": rng.choice(TEACHERS), "seed": draw_seed(rng)}
            for _ in range(2)]
    for cm in (False, True):
        out += [{"form": "symbolic", "d": d, "k": k, "complex_modes": cm} for d, k in ((1, 3), (2, 2))]
        out.append({"form": "gd-step", "d": rng.randint(1, 3), "k": rng.randint(2, 5), "complex_modes": cm,
                    "seed": draw_seed(rng), "teacher": rng.choice(("memoryless", *TEACHERS))})
        out.append({"form": "zero-mode", "d": rng.randint(1, 3), "k": rng.randint(1, 5), "complex_modes": cm,
                    "seed": draw_seed(rng), "teacher": rng.choice(("memoryless", *TEACHERS))})
    return out


def cases(params: dict[str, Any]) -> str:
    """The edge case an instance covers (tests/test_claims.py reads these)."""
    form = params["form"]
    if form == "lagrange":
        return "lagrange k=1" if params["k"] == 1 else "lagrange k>=3"
    if form in ("symbolic", "gd-step", "zero-mode"):
        return f"{form} {'complex' if params.get('complex_modes') else 'real'}"
    return form


REQUIRED_CASES = ("lagrange k=1", "lagrange k>=3", "balanced-k2", "teacher", "symbolic real", "symbolic complex",
                  "gd-step real", "gd-step complex", "zero-mode real", "zero-mode complex")

CLAIM = Claim(
    id="C12",
    kind="identity",
    title="diagonal students: Lagrange counterexamples; |b|² − |c|² conserved; signs (phases) kept",
    statement=(
        "Diagonal student w_i = Re sum_j c_j b_j lambda_j^i. (a) Distinct nonzero nodes with c_j b_j = l_j(0) match the "
        "memoryless teacher on length k and give w_k = (-1)^(k+1) prod lambda_j; for k >= 3 some weight is negative, "
        "for k = 2 opposite-sign nodes give a balanced counterexample; any teacher by a Vandermonde solve. (b) Under "
        "gradient flow |b_j|^2 - |c_j|^2 is conserved; a GD step changes it by eta^2 (|dL/db_j|^2 - |dL/dc_j|^2); complex "
        "modes satisfy Im conj(b_j) dL/db_j = Im conj(c_j) dL/dc_j, so on |b_j| = |c_j| the phase arg b_j - arg c_j is "
        "conserved. (c) (b_j, c_j) = (0, 0) is invariant: from a balanced start each mode keeps its sign."
    ),
    latex=r"w_i=\operatorname{Re}\sum_j c_jb_j\lambda_j^i;\ c_jb_j=\ell_j(0)\Rightarrow w_k=(-1)^{k+1}\prod_j\lambda_j;\ "
          r"\tfrac{d}{dt}(|b_j|^2-|c_j|^2)=0",
    hypotheses=hypotheses,
    instances=instances,
    check_instance=check_instance,
    code="theory/diagonal.py, theory/claims/c12_diagonal.py, numerics/students/diagonal.py",
    test="tests/test_diagonal.py, tests/test_claims.py",
)

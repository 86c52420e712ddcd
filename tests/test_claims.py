"""The registry: every claim passes, has hypotheses that bite, and is documented and tested."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import scaled

from tempx.theory.claims import (
    CLAIMS,
    c1_loss_identity,
    c5_symmetric,
    c6_landscape,
    c10_threshold,
    c11_moment_tightness,
    c12_diagonal,
    get_claim,
    verify,
)
from tempx.theory.errors import HypothesisViolation, InvalidInput

ROOT = Path(__file__).resolve().parents[1]
IDS = [c.id for c in CLAIMS]


def test_registry_lists_every_claim_once() -> None:
    assert IDS == ["C1", "C2", "C3", "C4", "C5", "C6", "C10", "C11", "C12", "C13", "C14", "C15", "C16", "C17"]


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
def test_claim_passes_with_default_seed(claim) -> None:  # type: ignore[no-untyped-def]
    verdict = claim.check(0)
    assert verdict.passed, [e.as_dict() for e in verdict.failures]
    assert len(verdict.evidence) >= 5


# The two claims whose check takes about a second a seed get 4 seeds (× the profile's scale) instead of 10, so the
# default run stays within its time budget; the thorough profile scales both.
HEAVY = ("C4", "C11")


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.id not in HEAVY], ids=[i for i in IDS if i not in HEAVY])
@settings(max_examples=scaled(10))
@given(seed=st.integers(0, 2**32))
def test_claim_passes_for_any_seed(claim, seed: int) -> None:  # type: ignore[no-untyped-def]
    verdict = claim.check(seed)
    assert verdict.passed, [e.as_dict() for e in verdict.failures]


@pytest.mark.parametrize("claim", [c for c in CLAIMS if c.id in HEAVY], ids=list(HEAVY))
@settings(max_examples=scaled(4))
@given(seed=st.integers(0, 2**32))
def test_heavy_claim_passes_for_any_seed(claim, seed: int) -> None:  # type: ignore[no-untyped-def]
    verdict = claim.check(seed)
    assert verdict.passed, [e.as_dict() for e in verdict.failures]


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
def test_instances_satisfy_hypotheses_and_bad_ones_are_refused(claim) -> None:  # type: ignore[no-untyped-def]
    for params in claim.instances(1):
        claim.hypotheses(**params)
    with pytest.raises(HypothesisViolation):
        claim.hypotheses(**{**claim.instances(0)[0], "form": "no-such-form"} if "form" in claim.instances(0)[0]
                         else {**claim.instances(0)[0], "k": 0})


@pytest.mark.parametrize("claim", CLAIMS, ids=IDS)
def test_claim_is_in_the_ledger_and_points_at_existing_code_and_tests(claim) -> None:  # type: ignore[no-untyped-def]
    ledger = (ROOT / "docs" / "claims.md").read_text(encoding="utf-8")
    assert f"## {claim.id}" in ledger
    for field in (claim.code, claim.test):
        for path in field.split(","):
            assert (ROOT / path.split(":")[0].split(" (")[0].strip()).exists(), path


def test_verdict_json_shape() -> None:
    [v] = verify(["c5"])
    d = v.as_dict()
    assert d["id"] == "C5" and d["passed"] is True and d["n_checks"] == len(d["evidence"])
    assert {"name", "params", "computed", "relation", "expected", "holds"} <= set(d["evidence"][0])


def test_unknown_claim_id() -> None:
    with pytest.raises(InvalidInput, match="unknown claim ID 'C42'"):
        get_claim("C42")


def test_k2_counterexample_on_M_is_exact() -> None:
    R = c5_symmetric.K2_COUNTEREXAMPLE
    assert R.is_symmetric_balanced() and R.impulse_response(3) == (1, 0, 144)


def test_c5_hypothesis_k_at_least_2n_plus_1() -> None:
    with pytest.raises(HypothesisViolation, match="2n \\+ 1"):
        c5_symmetric.hypotheses("interpolating", d=2, k=4, n=2)


def test_c6_classification_never_finds_another_stationary_point() -> None:
    ev = c6_landscape.check_instance("classification", d=3, k=2, weights="all", seed=5)
    assert all(e.holds for e in ev)


def test_c1_expectation_refuses_non_quadratic_terms() -> None:
    from sympy import QQ
    from sympy.polys.rings import ring

    from tempx.theory.symbolic import expect_quadratic

    _R, x, y = ring("x,y", QQ)
    assert expect_quadratic(3 * x**2 + 2 * x * y, [x, y]) == 3
    with pytest.raises(InvalidInput):
        expect_quadratic(x**3, [x, y])
    assert inspect.getsource(c1_loss_identity).count("expect_quadratic") >= 2


def test_a_crashing_check_is_a_failed_verdict_not_a_crash() -> None:
    from dataclasses import replace

    def boom(**params: object) -> list:
        raise IndexError("tuple index out of range")

    verdict = replace(CLAIMS[0], check_instance=boom).check(0)
    assert not verdict.passed
    assert verdict.failures[0].computed.startswith("IndexError")


@settings(max_examples=scaled(10))
@given(seed=st.integers(0, 2**32))
def test_c10_default_instances_cover_every_teacher_kind_and_edge_case(seed: int) -> None:
    cases = {p["case"] for p in c10_threshold.instances(seed)}
    assert set(c10_threshold.REQUIRED_CASES) <= cases
    specs = {p["case"]: p for p in c10_threshold.instances(seed) if p["form"] == "threshold" and "spec" in p}
    from tempx.theory.teacher_spec import parse_teacher

    # every kind is seen with k below 2d* (where there is one) and with k >= 2d*
    for case, spec in c10_threshold.KIND_SPECS.items():
        d_star = parse_teacher(spec).dim
        ks = {p["k"] for p in c10_threshold.instances(seed) if p.get("spec") == spec and p["case"] == case}
        assert any(k >= 2 * d_star for k in ks) and max(1, 2 * d_star) in ks, (case, ks)
        if d_star > 1:
            assert any(k < 2 * d_star for k in ks), (case, ks)
    assert specs


@settings(max_examples=scaled(10))
@given(seed=st.integers(0, 2**32))
def test_c11_default_instances_cover_n_1_2_3_and_the_memoryless_teacher(seed: int) -> None:
    inst = c11_moment_tightness.instances(seed)
    assert {p["n"] for p in inst} == set(c11_moment_tightness.REQUIRED_N)
    assert {p["form"] for p in inst} == set(c11_moment_tightness.FORMS)
    assert {p["n"] for p in inst if p["form"] == "random"} == set(c11_moment_tightness.REQUIRED_N)


@settings(max_examples=scaled(10))
@given(seed=st.integers(0, 2**32))
def test_c12_default_instances_cover_its_edge_cases(seed: int) -> None:
    inst = c12_diagonal.instances(seed)
    assert set(c12_diagonal.REQUIRED_CASES) <= {c12_diagonal.cases(p) for p in inst}
    # the documented examples are among them: nodes 1, 2, 3 (w_3 = 6) and the balanced pair 1, −1
    assert any(p.get("nodes") == (1, 2, 3) for p in inst) and any(p.get("nodes") == (1, -1) for p in inst)
    assert all(p["k"] >= 2 for p in inst if p["form"] == "gd-step")  # k = 1 would leave ∂L/∂λ untested


@pytest.mark.parametrize("claim_id, params, message", [
    ("C3", {"form": "threshold", "d": 3, "k": 4}, "the threshold instance is d = k with the memoryless teacher"),
    ("C3", {"form": "threshold", "d": 3, "k": 3, "d_star": 2}, "the threshold instance is d = k"),
    ("C3", {"form": "interpolating", "d": 2, "k": 3, "d_star": 2}, "C3 needs d + d* <= k"),
    ("C10", {"form": "nope"}, "unknown form 'nope'"),
    ("C10", {"form": "threshold", "k": 0}, "C10 needs k >= 1, got 0"),
    ("C10", {"form": "threshold", "k": 2, "d_star": 0}, "a random teacher needs d* >= 1, got 0"),
    ("C10", {"form": "field", "k": 2, "p": 5}, "over GF(p) for p in [2, 3], got 5"),
    ("C11", {"form": "nope", "n": 1}, "unknown form 'nope'"),
    ("C11", {"form": "random", "n": 0}, "n >= 1 atoms, got 0"),
    ("C11", {"form": "fixed", "n": 2}, "the fixed example has n = 3"),
    ("C11", {"form": "memoryless", "n": 2}, "the memoryless teacher has n = 1"),
    ("C12", {"form": "nope"}, "unknown form 'nope'"),
    ("C13", {"form": "nope", "seed": 0, "k": 2, "d": 2}, "unknown form 'nope'"),
    ("C13", {"form": "random", "seed": 0, "k": 0, "d": 2}, "C13 needs k >= 1 and d >= 1"),
    ("C13", {"form": "cyclic", "seed": 0, "k": 3, "d": 2, "c": "1"}, "d >= k, c != 0"),
    ("C13", {"form": "cyclic", "seed": 0, "k": 2, "d": 2, "c": "0"}, "d >= k, c != 0"),
    ("C14", {"form": "stable", "seed": 0, "k": 0, "d": 2}, "C14 needs k >= 1 and d >= 1, got k = 0, d = 2"),
    ("C14", {"form": "stable", "seed": 0, "k": 2, "d": 0}, "C14 needs k >= 1 and d >= 1, got k = 2, d = 0"),
    ("C12", {"form": "lagrange", "k": 0}, "C12 needs k >= 1 and d >= 1, got k = 0"),
    ("C12", {"form": "gd-step", "k": 2, "d": 0}, "C12 needs k >= 1 and d >= 1"),
    ("C12", {"form": "lagrange", "k": 2, "nodes": (1, 1)}, "k distinct nonzero nodes"),
    ("C12", {"form": "lagrange", "k": 2, "nodes": (0, 1)}, "k distinct nonzero nodes"),
    ("C12", {"form": "lagrange", "k": 3, "nodes": (1, 2)}, "k distinct nonzero nodes"),
    ("C12", {"form": "balanced-k2", "k": 2, "nodes": (1, 2)}, "opposite sign"),
])
def test_claims_refuse_parameters_outside_their_hypotheses(claim_id: str, params: dict, message: str) -> None:
    with pytest.raises(HypothesisViolation) as info:
        get_claim(claim_id).hypotheses(**params)
    assert message in str(info.value)


def test_evidence_compares_lists_matrices_and_backends_exactly() -> None:
    from fractions import Fraction

    from tempx.theory import exact
    from tempx.theory.claims.registry import evidence

    m = exact.matrix([[1, 2], [3, 4]])
    assert evidence("x", [Fraction(1), Fraction(2)], [1, 2]).holds
    assert not evidence("x", [Fraction(1), Fraction(2)], [1, 3]).holds
    assert not evidence("x", [[m]], [[exact.matrix([[1, 2], [3, 5]])]]).holds
    assert evidence("x", [m, m], [exact.to_backend(m, "python"), m.to_sparse()]).holds
    assert not evidence("x", m, exact.matrix([[1, 2, 0], [3, 4, 0]])).holds


def test_c4_forms_check_their_own_part_and_d_star_1_is_the_memoryless_teacher() -> None:
    from tempx.theory.claims import c4_invariants

    for params in c4_invariants.instances(0):
        found = c4_invariants.check_instance(**params)
        assert found and all(e.name.startswith(c4_invariants.PART[params["form"]]) for e in found), params
        teacher = found[0].params.get("teacher")
        if teacher is not None:
            assert (teacher == "memoryless") == (params.get("d_star", 1) == 1), (teacher, params)
    assert {p["form"] for p in c4_invariants.instances(0)} == set(c4_invariants.FORMS)
    for form in ("noether", "gd_step", "symmetric"):  # the smallest case, d = k = 1, of each conservation law
        assert any(p["form"] == form and p["d"] == p["k"] == 1 for p in c4_invariants.instances(5)), form


@settings(max_examples=scaled(10))
@given(seed=st.integers(0, 2**32))
def test_c3_and_c5_default_instances_cover_their_boundaries(seed: int) -> None:
    from tempx.theory.claims import c3_tightness

    c3 = c3_tightness.instances(seed)
    assert any(p["form"] == "interpolating" and p["d"] == p["k"] - 1 for p in c3)  # d = k − 1 (d* = 1)
    assert {p["k"] for p in c3 if p["form"] == "threshold"} >= {1, 2} and all(
        p["d"] == p["k"] for p in c3 if p["form"] == "threshold")  # d = k
    assert {p["d"] for p in c3 if p["form"] == "symbolic"} == set(range(1, c3_tightness.MAX_SYMBOLIC_D + 1))
    c5 = c5_symmetric.instances(seed)
    assert {p["n"] for p in c5 if p["form"] == "hankel_identity"} == {0, 1, 2, 3}
    interp = [p for p in c5 if p["form"] == "interpolating"]
    for n in (1, 2, 3):
        assert any(p["n"] == n and p["k"] == 2 * n + 1 for p in interp), n  # k = 2n + 1 exactly
    assert any(p["n"] == 1 and p["k"] == 3 and p["d"] == 1 for p in interp)
    assert any(p["n"] == 1 and p["k"] == 3 and p["d"] > 1 for p in interp)  # memoryless, dense student
    assert any(p["form"] == "k2_counterexample" for p in c5)


def test_c3_forms_check_their_own_statement() -> None:
    """Each C3 form returns the evidence of its own statement (a form that fell through to another branch would
    still pass, but check the wrong thing)."""
    from tempx.theory.claims import c3_tightness

    expected = {"symbolic": ["w_{i+d} + Σ p_j w_{i+j} = 0 (generic symbolic RNN)"],
                "recurrence": ["r_{i+D} + Σ p_j r_{i+j} = 0, D = d + d*"],
                "interpolating": ["L_k(R) = 0", "r_i = 0 for i < {n} (perfect extrapolation)"],
                "threshold": ["d = k: L_k(R) = 0", "d = k: w_k(R) ≠ 0"]}
    for params in c3_tightness.instances(0):
        names = [e.name for e in c3_tightness.check_instance(**params)]
        want = [n.replace("{n}", str(3 * params.get("k", 0) + 1)) for n in expected[params["form"]]]
        assert names == want, params


def test_c10_notices_a_first_difference_at_k_where_it_must_come_later() -> None:
    """The "attained after k" case says d_min = 0 and j > k: delay:4 at k = 4 has d_min = 0 but its first
    difference is at j = 4 = k, and that evidence fails (the others hold)."""
    found = {e.name: e.holds for e in c10_threshold.check_instance(form="threshold", k=4, spec="delay:4",
                                                                   case="attained-after-k")}
    assert found.pop("d_min = 0, attained at j > k") is False and all(found.values())


def test_c12_forms_check_their_own_statement() -> None:
    """Each C12 form's evidence starts with its own statement (a form that fell through to another branch would
    pass there but check something else); the symbolic identities are none of these."""
    from tempx.theory.claims import c12_diagonal

    first = {"lagrange": "w_i = δ_i0 for i < k", "balanced-k2": "w_i = δ_i0 for i < k",
             "teacher": "Vandermonde student: w_i = w*_i for i < k",
             "zero-mode": "(b_j, c_j) = (0, 0) ⇒ ∂_b L = ∂_c L = 0 there",
             "gd-step": "closed-form gradient = dense exact gradient"}
    seen = set()
    for params in c12_diagonal.instances(0):
        names = [e.name for e in c12_diagonal.check_instance(**params)]
        if params["form"] == "symbolic":
            assert not set(names) & set(first.values()), params
        else:
            assert names[0] == first[params["form"]], params
        seen.add(params["form"])
    assert seen == {*first, "symbolic"}


FIRST_EVIDENCE = {  # claim module → form → the statement its check begins with (forms with a statement of their own)
    "c1_loss_identity": {"convolution": "E[(ŷ_k − y_k)²] = Σ r_i²", "recurrence": "E[(ŷ_k − y_k)²] = L_k(R)"},
    "c5_symmetric": {"k2_counterexample": "k = 2 example lies in M", "hankel_identity": "pᵀ H(w) p = ‖p(A) B‖² on M",
                     "interpolating": "student lies in M"},
    "c6_landscape": {"identity": "⟨A, ∇_A L⟩ = 2 Σ ω_i i r_i w_i",
                     "scaling_gradient": "the case of (a): w_1..w_{k−1} = 0 and r_0 ≠ 0",
                     "classification": "class of random point"},
    "c15_relu": {"sequences": "outputs = x_t + c x_{t-k}", "orthants": "output at time k on an orthant",
                 "dimension": "dimension of the construction"},
    "c14_exact_linf": {"zero": "m = 0 and L_inf = 0", "stable": "L_inf finite"},
    "c10_threshold": {"threshold": "L_k(student) = 0"},
    "c16_poisoning": {"conservation": "d/dt of the conserved coordinate: mode i minus mode 1",
                      "poisoned": "the law breaks: d/dt (coordinate 1 - coordinate 2) at a rational point",
                      "limit": "every bracket nonempty, relative width <= 1e-20"},
}


@pytest.mark.parametrize("module", sorted(FIRST_EVIDENCE))
def test_each_form_checks_its_own_statement(module: str) -> None:
    """A form routed to another form's branch would still pass there, but check the wrong statement: each
    instance's evidence begins with its own form's statement, and every listed form is drawn."""
    import importlib

    mod = importlib.import_module(f"tempx.theory.claims.{module}")
    want = FIRST_EVIDENCE[module]
    seen = set()
    for params in mod.instances(0):
        if params.get("form") in want:
            found = mod.check_instance(**params)
            assert found and found[0].name == want[params["form"]], params
            seen.add(params["form"])
    assert seen == set(want)


def test_c10_states_the_closed_form_at_every_k_from_2d_star() -> None:
    from tempx.theory.teacher_spec import parse_teacher

    for params in c10_threshold.instances(0):
        if params["form"] != "threshold" or "spec" not in params:
            continue
        names = [e.name for e in c10_threshold.check_instance(**params)]
        closed = any(n.startswith("k ≥ 2d*") for n in names)
        assert closed == (params["k"] >= 2 * parse_teacher(params["spec"]).dim), (params, names)


def test_c10_field_check_runs_the_search_up_to_its_limit_and_the_zero_prefix_teacher_is_0_0_1() -> None:
    # GF(3), d* = 1 (the all-ones sequence), k = 4: d_min = k + 1 − d* = 4, the largest searched length
    [e] = c10_threshold.check_instance(form="field", k=4, d_star=1, p=3, lfsr=((2,), (1,)), case="x")
    assert e.holds and e.name == "GF(3): formula d_min = exhaustive search" and e.computed == e.expected == "4"
    [zp] = [p for p in c10_threshold.instances(0) if p["case"] == "GF(2) zero prefix"]
    [z] = c10_threshold.check_instance(**zp)
    assert z.params["teacher"][:4] == [0, 0, 1, 0] and z.computed == z.expected == "0"


@settings(max_examples=scaled(10))
@given(seed=st.integers(0, 2**32))
def test_c2_default_instances_cover_d_equal_k_tails_padding_and_disguise(seed: int) -> None:

    from tempx.theory.claims import c2_counterexamples

    inst = c2_counterexamples.instances(seed)
    assert {p["k"] for p in inst if p["d"] == p["k"] and p.get("tail") is None} >= {1, 2}  # d = k, the threshold
    assert any(p.get("tail") is not None for p in inst) and any(p.get("disguise") is not None for p in inst)
    assert any(p["d"] > p["k"] + len(p.get("tail") or ()) for p in inst)  # padding
    assert any(p.get("c") is not None and p["c"] < 0 for p in inst)  # negative gain


def test_c4_random_weights_reach_the_check() -> None:
    """C4's instances ask for "random" weights: the generator must hand the check k weights ω ≥ 0 with a zero
    among them (not None, which would silently check the default weights only)."""
    import random
    from fractions import Fraction

    from tempx.theory.claims.c4_invariants import _weights

    rng = random.Random(4)
    for k in (1, 3, 6):
        omega = _weights("random", k, rng)
        assert isinstance(omega, list) and len(omega) == k and all(isinstance(w, Fraction) and w >= 0 for w in omega)
        assert Fraction(0) in omega
    assert _weights("all", 4, rng) == "all" and _weights("last", 4, rng) == "last"


@settings(max_examples=scaled(10))
@given(seed=st.integers(0, 2**32))
def test_c6_default_instances_cover_its_forms_weights_and_smallest_cases(seed: int) -> None:
    inst = c6_landscape.instances(seed)
    assert {(p["form"], p["weights"]) for p in inst} == {
        ("identity", "last"), ("identity", "all"), ("identity", "random"),
        ("scaling_gradient", "last"), ("scaling_gradient", "all"),
        ("classification", "last"), ("classification", "all")}
    for w in ("last", "all"):
        sg = [p for p in inst if p["form"] == "scaling_gradient" and p["weights"] == w]
        assert any(p["d"] == p["k"] == 1 for p in sg) and any(p["k"] >= 2 for p in sg)  # the scalar case and beyond
        cl = [p for p in inst if p["form"] == "classification" and p["weights"] == w]
        assert sorted(p["k"] for p in cl) == [1, 2, 4] and all(p["k"] <= p["d"] <= p["k"] + 2 for p in cl)
    assert all(1 <= p["d_star"] for p in inst if p["form"] == "identity")


def test_c12_checks_reach_every_stated_fact() -> None:
    from tempx.theory.claims import get_claim

    names = {e.name for e in get_claim("C12").check(0).evidence}
    for name in ("w_i = δ_i0 for i < k", "w_k = (−1)^{k+1} Π λ_j", "ℓ_j(0) = Vandermonde solve",
                 "k ≥ 3: some weight ℓ_j(0) < 0 (C5)", "k = 2, opposite signs: weights > 0",
                 "balanced realization lies on M (c = b, A diagonal)", "Vandermonde student: w_i = w*_i for i < k"):
        assert name in names, name


def test_c2_checks_the_first_length_beyond_k() -> None:
    """C2's closed-form losses are checked at q = k + 1 (the first length where the counterexample differs),
    2k + 1 and the last term shown."""
    from fractions import Fraction

    from tempx.theory.claims import c2_counterexamples

    for k, d in ((1, 1), (3, 3), (2, 4)):
        [closed] = [e for e in c2_counterexamples.check_instance(k, d, c=Fraction(2)) if e.name.startswith("L_q(R) closed")]
        qs = [int(q) for q in closed.name.split("q = ")[1].split(",")]
        assert qs[0] == k + 1 and 2 * k + 1 in qs and closed.holds


def test_c5_memoryless_instances_use_the_memoryless_teacher() -> None:
    """The instances C5 marks as the memoryless teacher (n = 1, even seed) are built on it: one atom μ = 0 with
    β = 1, so the recovered Vandermonde weight is exactly 1 (a random atom's β² is another number)."""
    from tempx.theory.claims import c5_symmetric

    marked = [i for i in c5_symmetric.instances(0) if i["form"] == "interpolating" and i["n"] == 1 and i["seed"] % 2 == 0]
    assert len(marked) == 2
    for inst in marked:
        ev = {e.name: e for e in c5_symmetric.check_instance(**inst)}
        assert ev["Vandermonde weights = β_l²"].expected == "[[1]]" and ev["Vandermonde weights = β_l²"].holds
    odd = {e.name: e for e in c5_symmetric.check_instance("interpolating", d=2, k=3, n=1, seed=1)}
    assert odd["Vandermonde weights = β_l²"].expected != "[[1]]"

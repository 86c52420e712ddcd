"""Claim C17 (real versus complex diagonal students): its constants against independent exact computations, the
extremal students and the DFT student exactly, the certified frontier against the SPEC's reference values and
against brute force, and the ``tempx frontier`` command in a real subprocess."""

from __future__ import annotations

import json
from fractions import Fraction
from math import comb

import numpy as np
import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import scaled

from tempx.numerics.frontier import frontier, real_response_exact
from tempx.theory.errors import InvalidInput
from tempx.theory.frontier import lower_bound, student_error, sup_abs
from tempx.theory.realcomplex import (
    chebyshev_t,
    delay_bound,
    delay_degree,
    dft_response,
    dft_student,
    distinct_bases,
    extremal_student,
    oscillation,
    oscillation_bound,
    oscillation_witness,
    real_response,
    sign_changes,
    sup_distance,
)

F = Fraction


def _markov_by_brute_force(n: int, m: int) -> int:
    """|[x^m] T_n| from T_n(x) = Σ_j (−1)^j C(n, 2j) x^{n−2j} (1 − x²)^j, expanded: a different route."""
    total = 0
    for j in range(n // 2 + 1):
        for l in range(j + 1):  # (x² − 1)^j = Σ_l C(j, l) x^{2l} (−1)^{j−l}; with (−1)^j: (−1)^l... sign folded below
            if n - 2 * j + 2 * l == m:
                total += comb(n, 2 * j) * comb(j, l) * (-1) ** (j - l) * (-1) ** j * (-1) ** j
    return abs(total)


@given(t=st.integers(1, 60), data=st.data())
@settings(max_examples=scaled(40))
@example(t=32, data=None).via("the SPEC's worked instance")
def test_delay_bound_against_an_independent_expansion(t: int, data) -> None:  # type: ignore[no-untyped-def]
    m = 15 if data is None else data.draw(st.integers(0, t - 1))
    n = delay_degree(t, m)
    assert (t - 1 - m) % 2 == 0 and n == t - 1 or (t - 1 - m) % 2 == 1 and n == t - 2
    # T_n(cos u) = cos(nu) = Re (cos u + i sin u)^n: [x^m] from the binomial expansion with sin² = 1 − x²
    assert delay_bound(t, m) == _markov_by_brute_force(n, m)


def test_worked_instances_of_the_spec() -> None:
    assert (delay_bound(4, 1), delay_bound(7, 3), delay_bound(32, 15)) == (3, 20, 10_827_497_472)
    assert max((delay_bound(32, m), m) for m in range(32)) == (84_515_225_600, 23)
    assert (oscillation_bound(3), oscillation_bound(5), oscillation_bound(32)) == (3, 17, 152_139_002_499)
    assert oscillation_bound(5, F(1, 2)) == F(17, 2)
    s = extremal_student(3, [0, 1, 0, 0])
    assert s.exact and list(s.weights) == [F(-1, 6), F(4, 3), F(-4, 3), F(1, 6)] and s.nodes == (1, F(1, 2), F(-1, 2), -1)
    s = extremal_student(2, oscillation(3))
    assert list(s.weights) == [F(-1, 2), 2, F(-1, 2)] and s.budget() == 3


@pytest.mark.parametrize("t", [5, 8, 17, 32, 64])
def test_oscillation_bound_is_attained_by_the_enclosed_extremal_student(t: int) -> None:
    d = (t - 1) // 2
    s = extremal_student(2 * d, oscillation(2 * d + 1))
    assert s.budget().contains(int(oscillation_bound(t)))
    assert s.budget().rad() < 1e-20 * float(oscillation_bound(t))
    moments = s.moments(t)
    assert all(mom.contains(o) for mom, o in zip(moments, oscillation(t)))


def test_the_bound_is_a_bound_on_random_real_students() -> None:
    """(b): |Σ q_i w_i| ≤ G max|q| with q = T_n', so a student with w_m = 1 and w_i = 0 (i ≠ m, i < t) cannot exist
    below the bound: on random exact students, |Σ_i q_i w_i| ≤ G (max |T| = 1), exactly."""
    rng = np.random.default_rng(0)
    for _ in range(40):
        t = int(rng.integers(2, 14))
        m = int(rng.integers(0, t))
        n = delay_degree(t, m)
        q = chebyshev_t(n)
        nodes = [F(int(x), 97) for x in rng.integers(-97, 98, size=int(rng.integers(1, 8)))]
        weights = [F(int(x), 7) for x in rng.integers(-50, 51, size=len(nodes))]
        w = real_response(nodes, weights, n + 1)
        G = sum(abs(g) for g in weights)
        assert abs(sum(qi * wi for qi, wi in zip(q, w))) <= G


@pytest.mark.parametrize("t", [3, 4, 8, 9, 16])
def test_dft_student_fits_any_target_exactly_and_is_periodic(t: int) -> None:
    rng = np.random.default_rng(t)
    w = [F(int(a), int(b)) for a, b in zip(rng.integers(-9, 10, t), rng.integers(1, 6, t))]
    resp = dft_response(dft_student(w), 2 * t)
    assert [F(int(x[0].p), int(x[0].q)) if x.degree() <= 0 else None for x in resp] == w + w


def test_descartes_witness_and_sign_changes() -> None:
    for t in range(1, 30):
        nodes, weights = oscillation_witness(t)
        assert len(nodes) == (t + 1) // 2
        assert sup_distance(real_response(nodes, weights, t), oscillation(t)) < 1
    assert sign_changes([1, 0, -2, 0, 3, -1]) == 3
    assert distinct_bases([F(1, 2), F(-1, 2), 0, F(1, 3)], [1, 1, 5, 0]) == 1  # ±1/2 share a base; 0 and dead modes
    with pytest.raises(InvalidInput):
        oscillation_bound(3, 2)


@given(q=st.lists(st.fractions(min_value=-5, max_value=5, max_denominator=9), min_size=1, max_size=10))
@settings(max_examples=scaled(30))
def test_sup_abs_is_an_upper_bound_and_nearly_tight(q: list[Fraction]) -> None:
    s = sup_abs(q)
    grid = [F(k, 200) for k in range(-200, 201)]
    seen = max(abs(sum(c * x**i for i, c in enumerate(q))) for x in grid)
    assert seen <= s <= sum(abs(c) for c in q) * (1 + F(1, 2**100))
    # nearly tight: a fine float search finds values within 1e-6 of it
    xs = np.linspace(-1, 1, 200001)
    assert float(s) <= float(np.max(np.abs(np.polynomial.polynomial.polyval(xs, [float(c) for c in q])))) + 1e-6


REFERENCE = {"delay:15": (0.886, 0.801, 0.711, 0.629), "oscillating:0:1": (0.906, 0.844, 0.781, 0.719)}


@pytest.mark.parametrize("spec", sorted(REFERENCE))
def test_frontier_reproduces_the_spec_reference_values(spec: str) -> None:
    from tempx.theory.teacher_spec import parse_teacher

    target = list(parse_teacher(spec).impulse_response(32))
    points = frontier(target, [1, 16, 256, 4096])
    for p, ref in zip(points, REFERENCE[spec]):
        assert p.lower <= p.upper and p.upper - p.lower <= F(1, 10**4)  # the issue asks 1e-3; measured ~2e-6
        assert abs(float(p.lower) - ref) <= 5e-4  # the SPEC's three decimals
        # the saved student really spends at most G and really has the upper error, exactly
        w = real_response_exact(p.params, 32)
        assert p.student_budget <= p.budget
        assert student_error(w, target) <= p.upper


def test_frontier_lower_bound_is_below_brute_force_students() -> None:
    """No student may beat the certified lower bound: random few-node students with budget G (their exact error) all
    sit above it."""
    rng = np.random.default_rng(1)
    target = [F(int(x)) for x in rng.integers(-3, 4, size=10)]
    for G in (F(1, 2), F(3), F(40)):
        [p] = frontier(target, [G])
        for _ in range(200):
            n = int(rng.integers(1, 6))
            nodes = [F(int(x), 64) for x in rng.integers(-64, 65, n)]
            raw = rng.standard_normal(n)
            weights = [F(float(x)) * G / F(float(np.sum(np.abs(raw)))) for x in raw]
            assert student_error(real_response(nodes, weights, 10), target) >= p.lower


def test_lower_bound_fails_loudly_on_a_wrong_sup() -> None:
    """The bound uses the proven max |q|: with q = e_0 and the target e_0, G = 1/2, the bound is exactly (1 − G)²."""
    assert lower_bound([1, 0, 0], [1, 0, 0], F(1, 2), normalize=False) == F(1, 4)
    assert lower_bound([1, 0, 0], [1, 0, 0], F(2), normalize=False) == 0


def test_frontier_refuses_bad_input() -> None:
    for args in (([0, 0, 0], [1]), ([1], [-1]), ([1] * 600, [1]), ([1], []), ([1], [1] * 201)):
        with pytest.raises(InvalidInput):
            frontier(*args)
    with pytest.raises(InvalidInput):
        frontier([1, 2], [1], rho=3)
    with pytest.raises(InvalidInput):
        frontier([1, 2], [1], student="quaternion")


def test_frontier_command_json_save_and_certify(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "front.json"
    r = run_tempx(["frontier", "--target", "delay:3", "--horizon", "8", "--budget", "1,16", "--format", "json",
                   "--save-params", str(out)])
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [p["budget"] for p in doc["points"]] == [1.0, 16.0]
    assert all(p["lower"] <= p["upper"] and p["upper"] - p["lower"] < 1e-6 for p in doc["points"])
    models = json.loads(out.read_text())
    assert len(models) == 2 and all(m["student"] == "diagonal" for m in models)
    r = run_cli(["certify", "--params", str(out), "--k", "8", "--teacher", "delay:3", "--format", "json"])
    assert r.returncode == 0, r.stderr
    r = run_cli(["frontier", "--target", "delay:3", "--horizon", "8", "--budget", "1", "--student", "complex"])
    assert r.returncode == 0 and "complex" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--horizon", "0", "--budget", "1"], "--horizon"),
    (["--horizon", "9999", "--budget", "1"], "--horizon must be <="),
    (["--horizon", "8", "--budget", "-1"], "--budget"),
    (["--horizon", "8", "--budget", "1", "--rho", "5"], "rho"),
])
def test_frontier_command_bad_input_is_one_line(args: list[str], message: str) -> None:
    assert_usage_error(run_cli(["frontier", "--target", "delay:3", *args]), message)

"""C13: certified enclosures of L_∞ (tempx.theory.certify) and the tempx certify command."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import flint
import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import scaled

from tempx.theory.certify import (
    MAX_TERMS,
    certify,
    model_from_floats,
    positive_definite,
    round_down,
    round_up,
    tail_bound,
)
from tempx.theory.claims import get_claim
from tempx.theory.claims.c13_certified import CYCLIC_GAINS, FORMS, TEACHERS, instances
from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import ExactRNN
from tempx.theory.teacher_spec import parse_teacher

F = Fraction
rationals = st.fractions(min_value=-3, max_value=3, max_denominator=20)


@settings(max_examples=scaled(25))
@given(a=st.fractions(min_value=F(-19, 20), max_value=F(19, 20), max_denominator=20), b=rationals, c=rationals,
       Q=st.integers(0, 12))
def test_tail_bound_is_the_geometric_series_for_a_scalar_system(a: F, b: F, c: F, Q: int) -> None:
    # one state, P = 1, γ = |a|: every inequality of the bound is an equality
    exact_tail = c * c * b * b * a ** (2 * Q) / (1 - a * a)
    assert tail_bound(c * c, abs(a), (a**Q * b) ** 2) == exact_tail


def _ldl_positive(rows: list[list[F]]) -> bool:
    """An independent PD test: Gaussian elimination over Fractions, every pivot > 0."""
    a = [list(r) for r in rows]
    n = len(a)
    for j in range(n):
        if a[j][j] <= 0:
            return False
        for i in range(j + 1, n):
            f = a[i][j] / a[j][j]
            for m in range(j + 1, n):
                a[i][m] -= f * a[j][m]
    return True


@settings(max_examples=scaled(40))
@given(n=st.integers(1, 5), data=st.data())
def test_positive_definite_agrees_with_an_ldl_factorization(n: int, data: st.DataObject) -> None:
    G = [[data.draw(rationals) for _ in range(n)] for _ in range(n)]
    shift = data.draw(st.sampled_from([F(0), F(-1), F(1, 10)]))
    M = [[sum(G[m][i] * G[m][j] for m in range(n)) + (shift if i == j else 0) for j in range(n)] for i in range(n)]
    fm = flint.fmpq_mat([[flint.fmpq(x.numerator, x.denominator) for x in r] for r in M])
    assert positive_definite(fm) == _ldl_positive(M)


def test_is_certificate_accepts_only_a_true_contraction() -> None:
    from tempx.theory.certify import is_certificate

    A = flint.fmpq_mat([[flint.fmpq(1, 2), 1], [0, flint.fmpq(1, 2)]])  # ρ = 1/2 but ‖A‖ > 1: P = I fails
    eye = flint.fmpq_mat([[1, 0], [0, 1]])
    assert not is_certificate(A, eye, F(9, 10))
    P = flint.fmpq_mat([[1, 0], [0, 4]])  # ‖A x‖_P² = x₁²/4 + x₁x₂ + 2x₂² ≤ γ²(x₁² + 4x₂²) at γ = 9/10
    assert is_certificate(A, P, F(9, 10))
    assert not is_certificate(A, P, F(1))  # γ < 1 is part of the certificate
    assert not is_certificate(A, -P, F(9, 10))
    # γ enters squared: for a = 19/20, P = 1 is a certificate at γ = 24/25 but not at γ = 9/10 (γ² < a²)
    a = flint.fmpq_mat([[flint.fmpq(19, 20)]])
    one = flint.fmpq_mat([[1]])
    assert is_certificate(a, one, F(24, 25)) and not is_certificate(a, one, F(9, 10))


def test_terms_double_until_the_tail_is_small_relative_to_the_lower_bound() -> None:
    # r_0 = 0 and r_i = 0.97^i / 100: lower ≈ 1.6e-3 and the tail after 64 terms is still ~1e-5, so
    # the rule "tail ≤ 1e-6 · lower" must double Q several times; the result is tight to 1e-6
    from tempx.theory.rnn import ExactRNN

    R = ExactRNN.from_entries(A=[["97/100"]], B=["1/100"], C=[1])
    enc = certify(R, "impulse:1/100", 1, [2])
    assert enc.certified and enc.upper is not None and enc.terms > 64
    assert enc.upper - enc.lower <= F(1, 10**6) * enc.lower
    exact = sum((F(97, 100) ** (2 * i) / 10**4 for i in range(1, 200)), F(0))
    assert enc.lower < F(97, 100) ** 2 / 10**4 / (1 - F(97, 100) ** 2) <= enc.upper and enc.lower >= exact - F(1, 10**30)


def test_the_claims_independent_ldl_agrees_with_positive_definite() -> None:
    from tempx.theory.claims.c13_certified import ldl_positive

    rng = random.Random(4)
    for _ in range(60):
        n = rng.randint(1, 4)
        G = [[F(rng.randint(-4, 4), rng.randint(1, 3)) for _ in range(n)] for _ in range(n)]
        shift = F(rng.choice([-2, 0, 1]))
        M = flint.fmpq_mat([[flint.fmpq(int(v.numerator), int(v.denominator)) for v in row] for row in
                            [[sum(G[m][i] * G[m][j] for m in range(n)) + (shift if i == j else 0) for j in range(n)]
                             for i in range(n)]])
        assert ldl_positive(M) == positive_definite(M)


def test_positive_definite_refuses_semidefinite_and_asymmetric() -> None:
    assert not positive_definite(flint.fmpq_mat([[1, 1], [1, 1]]))  # PSD, singular: not PD
    assert positive_definite(flint.fmpq_mat([[2, 1], [1, 2]]))
    with pytest.raises(InvalidInput):
        positive_definite(flint.fmpq_mat([[1, 2], [0, 1]]))


@settings(max_examples=scaled(40))
@given(x=st.fractions(min_value=-10**6, max_value=10**6, max_denominator=10**30))
def test_outward_rounding(x: F) -> None:
    assert F(round_down(x)) <= x <= F(round_up(x))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_claim_C13_passes(seed: int) -> None:
    verdict = get_claim("C13").check(seed)
    assert verdict.passed, [e.as_dict() for e in verdict.failures]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_C13_instances_cover_every_stated_case(seed: int) -> None:
    inst = instances(seed)
    assert {i["form"] for i in inst} == set(FORMS)
    assert {i["teacher"] for i in inst if i["form"] == "random"} == set(TEACHERS)
    gains = [F(i["c"]) for i in inst if i["form"] == "cyclic"]
    assert any(abs(c) < 1 for c in gains) and any(abs(c) == 1 for c in gains) and any(abs(c) > 1 for c in gains)
    assert any(c < 0 for c in gains) and any(c > 0 for c in gains)
    for cls in (lambda c: abs(c) < 1, lambda c: abs(c) == 1, lambda c: abs(c) > 1):  # each class with both signs
        assert {c > 0 for c in gains if cls(c)} == {True, False}
    assert set(gains) == set(CYCLIC_GAINS)
    assert any(i["k"] == 1 for i in inst if i["form"] == "random")
    cyc = [(abs(F(i["c"])), i["d"] - i["k"]) for i in inst if i["form"] == "cyclic"]
    for contractive in (True, False):  # certified and uncertified gains, each unpadded and padded
        pads = {pad > 0 for g, pad in cyc if (g < 1) == contractive}
        assert pads == {True, False}


def test_cyclic_counterexamples_with_unit_or_larger_gain_are_never_certified() -> None:
    for c in ("1", "-1", "3/2", "-2"):
        for d in (3, 5):
            enc = certify(counterexample(3, d=d, c=c).rnn, "memoryless", 3, [12])
            assert not enc.certified and enc.upper is None
            assert enc.reason.startswith("spectral radius ") and ">= 1 on the reachable and observable part" in enc.reason
            assert enc.lower >= F(c) ** 2  # L_q >= c² for q > k (C2), and the lower bound is an exact sum


def test_contractive_cyclic_counterexample_encloses_its_closed_form() -> None:
    c = F(-9, 10)
    enc = certify(counterexample(4, d=6, c=str(c)).rnn, "memoryless", 4, [16])
    assert enc.certified and enc.lower <= c * c / (1 - c * c) <= enc.upper
    assert enc.upper - enc.lower <= F(1, 10**6) * enc.lower


def test_certificates_on_trained_models_are_tight() -> None:
    # the limit of gradient flow for two small models; the enclosure must be tight to 1e-6 (the
    # doubling rule), and the exact L_q must agree with the float64 L_q to round-off (1e-9 relative:
    # residuals ~1e-7 carry absolute float error ~1e-16, so L_q has relative error ≲ 1e-9)
    from tempx.numerics.app.experiments import seeded_batch
    from tempx.numerics.drivers.limit import flow_limit
    from tempx.numerics.teachers import memoryless

    res = flow_limit(seeded_batch("gaussian", 2, 6, 0.2, 3), memoryless(3), 3, [30])
    assert res.status == ("converged", "converged")
    for i in range(2):
        enc = certify(model_from_floats(res.params.A[i], res.params.B[i], res.params.C[i]), "memoryless", 3, [30])
        assert enc.certified and enc.upper is not None
        assert enc.lower > 0 and enc.upper / enc.lower - 1 <= F(1, 10**6)
        assert abs(float(enc.L_q[30]) - res.extrapolation_loss[i, 0]) <= 1e-9 * float(enc.L_q[30])


def test_hidden_unstable_block_is_restricted_away() -> None:
    from tempx.theory.claims.c13_certified import contractive_rnn, with_hidden_block

    R = with_hidden_block(contractive_rnn(3, 5), F(3))
    enc = certify(R, parse_teacher("geometric:1/2"), 2, [8])
    assert enc.certified and enc.certificate is not None
    assert enc.certificate.system == "reachable and observable part" and enc.certificate.dim <= 4


def test_certify_validates_its_input() -> None:
    R = counterexample(2).rnn
    with pytest.raises(InvalidInput, match="exceeds"):
        certify(R, "memoryless", 2, [MAX_TERMS + 1])
    with pytest.raises(InvalidInput, match="k must be"):
        certify(R, "memoryless", 0)
    with pytest.raises(TypeError):
        certify("not a model", "memoryless", 2)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="non-finite"):
        model_from_floats([[float("nan")]], [1.0], [1.0])


def test_certify_command_on_a_trained_and_a_cyclic_model(tmp_path) -> None:
    trained = tmp_path / "trained.json"
    proc = run_tempx(["train", "--d", "5", "--k", "3", "--sigma", "0.2", "--n-models", "2", "--until-converged",
                      "--save-params", str(trained), "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(["certify", "--params", str(trained), "--k", "3", "--q", "12,30", "--format", "json", "--exact",
                      "--certificate"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    for m in doc["models"]:
        assert set(m) >= {"model", "L_k", "L_q", "L_inf", "exact_value"} and set(m["L_q"]) == {"12", "30"}
        inf, exact = m["L_inf"], F(m["exact_value"])
        assert inf["certified"] and inf["finite"] and 0 < inf["lower"] <= inf["upper"]
        assert F(inf["lower"]) <= exact <= F(inf["upper"]) and exact == F(m["exact"]["L_inf"])  # rounded outward
        assert F(m["exact"]["L_q"]["30"]) <= exact and F(inf["certificate"]["gamma"]) < 1
    ce = tmp_path / "cyclic.json"
    ce.write_text(run_cli(["counterexample", "--k", "3", "--format", "json"]).stdout)
    proc = run_cli(["certify", "--params", str(ce), "--k", "3"])
    assert proc.returncode == 0 and "the root z = 1" in proc.stdout and "inf" in proc.stdout


def test_certify_command_refuses_bad_input(tmp_path) -> None:
    """One line and status 2 each (in this process: the installed script is exercised by the tests above)."""
    good = tmp_path / "m.json"
    good.write_text(json.dumps({"A": [[0.5]], "B": [[1.0]], "C": [[1.0]]}))
    nan = tmp_path / "nan.json"
    nan.write_text('{"A": [[NaN]], "B": [[1]], "C": [[1]]}')
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert_usage_error(run_cli(["certify", "--params", str(tmp_path / "missing.json"), "--k", "2"]), "cannot read")
    assert_usage_error(run_cli(["certify", "--params", str(broken), "--k", "2"]), "not valid JSON")
    assert_usage_error(run_cli(["certify", "--params", str(nan), "--k", "2"]), "non-finite")
    assert_usage_error(run_cli(["certify", "--params", str(good), "--k", "2", "--teacher", "atoms:1"]), "bad teacher")
    assert_usage_error(run_cli(["certify", "--params", str(good), "--k", "0"]), "--k")
    assert_usage_error(run_cli(["certify", "--params", str(good), "--k", "2", "--q", "99999"]), "beyond")
    # an entry that is not a model (no A) is refused as such, even beside a teacher that alone fills the size cap
    no_a = tmp_path / "no_a.json"
    no_a.write_text(json.dumps([{"B": [[1.0]], "C": [[1.0]]}]))
    assert_usage_error(run_cli(["certify", "--params", str(no_a), "--k", "1", "--teacher", "delay:255"]),
                       "each model must be an object with keys A")


def test_limit_and_certificate_for_a_teacher_with_memory_and_finite_data(tmp_path) -> None:
    from cli_helpers import run_cli

    saved = tmp_path / "limit.json"
    proc = run_cli(["train", "--d", "4", "--k", "4", "--teacher", "geometric:1/2", "--sigma", "0.2", "--n-models", "2",
                    "--until-converged", "--format", "json", "--save-params", str(saved)])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["config"]["teacher"].startswith("geometric") and doc["summary"]["converged"] == 2
    proc = run_cli(["certify", "--params", str(saved), "--k", "4", "--teacher", "geometric:1/2", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    for m, trained in zip(json.loads(proc.stdout)["models"], doc["models"]):
        assert m["L_inf"]["finite"] and m["L_inf"]["complexity"] <= 4 + 1  # model beside the teacher
        assert F(m["L_inf"]["lower"]) <= F(m["exact_value"]) <= F(m["L_inf"]["upper"])
        assert abs(m["L_q"]["16"] - trained["extrapolation_loss"]["16"]) <= 1e-9 * m["L_q"]["16"]
    # the flow of the empirical loss on n = 5 sequences (C8) converges too
    proc = run_cli(["train", "--d", "3", "--k", "3", "--data", "5", "--n-models", "1", "--until-converged",
                    "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["models"][0]["status"] == "converged"


def test_certify_text_shows_the_exact_value_and_refuses_too_many_complex_states(tmp_path) -> None:
    """A = 1/2, B = C = 1 against the memoryless teacher: r = (0, 1/2, 1/4, …), L_∞ = Σ_{i≥1} 4^{−i} = 1/3,
    shown as one number (decided exactly, not an interval) and as the exact 1/3.  A complex diagonal mode
    is two real states: 1024 complex modes and the teacher's one state exceed 2048."""
    from cli_helpers import run_cli

    from tempx.numerics.app.experiments import seeded_batch
    from tempx.numerics.students.files import save_params

    m = tmp_path / "half.json"
    m.write_text(json.dumps({"A": [[0.5]], "B": [[1.0]], "C": [[1.0]]}))
    proc = run_cli(["certify", "--params", str(m), "--k", "2"])
    assert proc.returncode == 0, proc.stderr
    [row] = [ln for ln in proc.stdout.splitlines() if ln.startswith("0 ")]
    assert row.split()[-3:] == ["≈", "0.333333333333", "1/3"]
    m.write_text(json.dumps({"A": [[1.0]], "B": [[1.0]], "C": [[1.0]]}))  # a = 1: L_∞ = ∞ (root z = 1)
    proc = run_cli(["certify", "--params", str(m), "--k", "2"])
    [row] = [ln for ln in proc.stdout.splitlines() if ln.startswith("0 ")]
    assert proc.returncode == 0 and row.split()[-2:] == ["inf", "inf"] and "z = 1" in proc.stdout
    save_params(seeded_batch("ring", 1, 1024, 0.5, 0, student="complex"), tmp_path / "complex.npz")
    assert_usage_error(run_cli(["certify", "--params", str(tmp_path / "complex.npz"), "--k", "2"]),
                       "have 2048 states", "beyond n = 2048")


def test_C13_checks_reach_the_enclosure_of_every_certified_model() -> None:
    """Each certified instance is checked all the way: its certificate, the exact lower sum, the upper bound
    against 2Q partial sums, the width, and for cyclic models the closed form (not only 'certified')."""
    verdict = get_claim("C13").check(0)
    names = [e.name for e in verdict.evidence]
    for name in ("certified on the joint residual system", "certified on the reachable and observable part",
                 "lower = the exact partial sum of its Q terms", "upper >= every exact partial sum up to 2Q terms",
                 "upper − lower <= 1e-6 · lower", "closed form c²/(1 − c²) in [lower, upper]",
                 "enclosure of a zero residual", "|c| >= 1: not certified (L_inf is infinite)"):
        assert name in names, name
    n_random = sum(1 for i in instances(0) if i["form"] == "random")
    assert names.count("lower = the exact partial sum of its Q terms") >= n_random


def test_certify_takes_the_teacher_as_a_specification_or_an_exact_rnn() -> None:
    from tempx.theory.teacher_spec import parse_teacher

    model = model_from_floats([[0.5]], [1.0], [1.0])
    by_spec = certify(model, "geometric:1/2", 3, [6])
    by_rnn = certify(model, parse_teacher("geometric:1/2").as_rnn(), 3, [6])
    assert (by_spec.lower, by_spec.upper, by_spec.L_q) == (by_rnn.lower, by_rnn.upper, by_rnn.L_q)


def test_the_certificate_search_tries_four_decay_rates_each_closer_to_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """For A = diag(1/2, 0) (ρ = 1/2) the search tries γ = 1 − f(1 − ρ) for f = 1/2, 1/4, 1/8, 1/16 (each a
    dyadic of 40 bits, here exact: 3/4, 7/8, 15/16, 31/32), in that order, until one passes the exact check;
    when none does, it says so with the spectral radius."""
    import tempx.theory.certify as cert

    tried: list[Fraction] = []
    monkeypatch.setattr(cert, "is_certificate", lambda A, P, gamma: tried.append(gamma) or False)
    A = flint.fmpq_mat([[flint.fmpq(1, 2), 0], [0, 0]])
    C = flint.fmpq_mat([[1, 1]])
    reason = cert.find_certificate(A, C)
    assert tried == [Fraction(3, 4), Fraction(7, 8), Fraction(15, 16), Fraction(31, 32)]
    assert isinstance(reason, str) and reason.startswith("no Lyapunov certificate passed") and "0.5" in reason
    tried.clear()
    monkeypatch.setattr(cert, "is_certificate", lambda A, P, gamma: tried.append(gamma) or len(tried) == 3)
    found = cert.find_certificate(A, C)
    assert not isinstance(found, str) and found.gamma == Fraction(15, 16) and len(tried) == 3


def test_the_enclosure_reports_its_exact_gamma_only_with_a_certificate() -> None:
    """as_dict(exact=True): the certificate's γ as an exact string beside the float; no certificate, no γ."""
    from tempx.theory.rnn import ExactRNN

    R = ExactRNN.from_entries(A=[[F(1, 2)]], B=[1], C=[1])
    enc = certify(R, parse_teacher("memoryless"), 2, [4])
    assert enc.certificate is not None
    doc = enc.as_dict(exact=True)
    assert F(doc["exact"]["gamma"]) == enc.certificate.gamma < 1 and doc["L_inf"]["certificate"]["gamma"] < 1
    cyc = certify(counterexample(2).rnn, parse_teacher("memoryless"), 2, [4])
    assert cyc.certificate is None and "gamma" not in cyc.as_dict(exact=True)["exact"]


def test_c13_notices_a_certificate_whose_rate_is_too_small(monkeypatch: pytest.MonkeyPatch) -> None:
    """C13's exact check of a certificate (P ≻ 0 and γ²P − AᵀPA ≻ 0) fails when γ is claimed smaller than the
    system's decay allows: the certificate found for a random contractive model, with γ replaced by γ/2."""
    import dataclasses

    from tempx.theory.claims import c13_certified

    real = c13_certified.certify

    def halved(*args, **kwargs):  # type: ignore[no-untyped-def]
        enc = real(*args, **kwargs)
        cert = dataclasses.replace(enc.certificate, gamma=enc.certificate.gamma / 2)
        return dataclasses.replace(enc, certificate=cert)

    monkeypatch.setattr(c13_certified, "certify", halved)
    found = {e.name: e.holds for e in c13_certified.check_instance(form="random", seed=3, k=2, d=3)}
    assert found.pop("P ≻ 0 and γ²P − AᵀPA ≻ 0 (rational LDLᵀ), γ < 1") is False


def test_the_loss_at_k_1_is_the_first_squared_residual() -> None:
    """L_1 = r_0² (the partial sum after one term), and L_2 = r_0² + r_1²: R = (1/2, 1, 3/2) against y_t = x_t has
    r_0 = 1/2, r_1 = 3/4."""
    R = ExactRNN.from_entries([[Fraction(1, 2)]], [1], [Fraction(3, 2)])
    enc = certify(R, parse_teacher("memoryless"), 1, [2])
    assert enc.L_k == Fraction(1, 4) and enc.L_q[2] == Fraction(1, 4) + Fraction(9, 16)


def test_the_enclosure_stops_at_max_terms_when_the_tail_decays_slowly() -> None:
    """ρ = 999/1000: after 128 exact terms the tail bound is still far above 1e-6 · lower, so Q stops at the cap
    (doubling 64 → 128), certified but wide, and contains the exact value ρ²/(1 − ρ²) of Σ_{i≥1} ρ^{2i}."""
    rho = Fraction(999, 1000)
    R = ExactRNN.from_entries([[rho]], [1], [1])
    enc = certify(R, parse_teacher("memoryless"), 1, max_terms=128)
    assert enc.certified and enc.terms == 128
    assert enc.upper is not None and enc.upper - enc.lower > Fraction(1, 10) * enc.lower
    assert enc.lower <= rho**2 / (1 - rho**2) <= enc.upper


def test_a_model_from_floats_needs_a_square_matrix() -> None:
    import numpy as np

    for A in (np.ones(4), np.ones((2, 3)), np.ones((3, 2))):
        with pytest.raises(InvalidInput):
            model_from_floats(A, np.ones(A.shape[0]), np.ones(A.shape[0]))


def test_the_text_shows_the_exact_value_or_the_enclosure_it_fell_back_to(tmp_path: Path) -> None:
    """The cyclic counterexample with c = 1/2 at k = 2 has L_inf = c²/(1 − c²) = 1/3: decided exactly it is one
    number (≈, 12 digits) and its fraction; under a work limit of 1 the verified enclosure is shown as an interval
    rounded outward at its 13th digit, and the exact column says it was not computed."""
    from cli_helpers import run_cli

    ce = tmp_path / "ce.json"
    ce.write_text(run_cli(["counterexample", "--k", "2", "--c", "1/2", "--format", "json"]).stdout)
    exact = run_cli(["certify", "--params", str(ce), "--k", "2"])
    assert exact.returncode == 0, exact.stderr
    assert exact.stdout.splitlines()[3].split() == ["0", "0.000000e+00", "3.281250e-01", "≈", "0.333333333333", "1/3"]
    fallback = run_cli(["--work-limit", "1", "certify", "--params", str(ce), "--k", "2"])
    assert fallback.returncode == 0, fallback.stderr
    assert fallback.stdout.splitlines()[3].split() == ["0", "0.000000e+00", "3.281250e-01", "[3.333333333333e-01,",
                                                       "3.333333333334e-01]", "—", "(not", "computed)"]
    assert "[enclosure]: Stein solution verified" in fallback.stdout.splitlines()[4]
    assert "over the work limit" in fallback.stdout.splitlines()[5]


def test_the_exact_sums_of_every_model_are_estimated_together_before_the_first(tmp_path: Path) -> None:
    """Several models at a large k: refused up front with the total estimate (each model alone might fit), in one line;
    the same file at a small k runs.  (A d = 8 limit's sums over 4000 terms take minutes each.)"""
    from cli_helpers import run_cli

    limits = tmp_path / "limits.json"
    made = run_cli(["train", "--d", "8", "--k", "3", "--n-models", "3", "--steps", "50", "--save-params", str(limits)])
    assert made.returncode == 0, made.stderr
    proc = run_cli(["certify", "--params", str(limits), "--k", "1000"])
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "certify of 3 model(s) at k = 1000, q up to 4000 is estimated at" in proc.stderr
    assert run_cli(["certify", "--params", str(limits), "--k", "3"]).returncode == 0


def _strict(text: str) -> Any:
    """RFC 8259 JSON only: Infinity and NaN are refused, as strict parsers do."""
    import json

    def refuse(name: str) -> Any:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def _as_fraction(x: Any) -> Fraction:
    return Fraction(str(x)) if not isinstance(x, str) else Fraction(x)


@pytest.mark.parametrize("method", ["auto", "enclosure"])
def test_printed_bounds_enclose_the_exact_value_as_text(tmp_path: Path, method: str) -> None:
    """The decimal text a reader parses is a true bound: 1/15 is between the printed lower and upper."""
    from cli_helpers import run_cli

    f = tmp_path / "m.json"
    f.write_text('{"A": [["1/4"]], "B": [["1"]], "C": [["1"]]}', encoding="utf-8")
    doc = _strict(run_cli(["certify", "--params", str(f), "--k", "3", "--format", "json", "--method", method]).stdout)
    li = doc["models"][0]["L_inf"]
    # w_i = 4^{-i}: r_0 = 0, L_∞ = Σ_{i≥1} 16^{-i} = 1/15
    assert _as_fraction(li["lower"]) <= Fraction(1, 15) <= _as_fraction(li["upper"])


def test_tiny_and_zero_values_get_an_absolute_enclosure_in_valid_json(tmp_path: Path) -> None:
    from cli_helpers import run_cli

    den = 10**400
    tiny = tmp_path / "tiny.json"
    tiny.write_text(f'{{"A": [["0"]], "B": [["1"]], "C": [["{den + 1}/{den}"]]}}', encoding="utf-8")
    zero = tmp_path / "zero.json"
    zero.write_text('{"A": [["0"]], "B": [["1"]], "C": [["1"]]}', encoding="utf-8")
    for path, exact in ((tiny, Fraction(1, den * den)), (zero, Fraction(0))):
        doc = _strict(run_cli(["certify", "--params", str(path), "--k", "1", "--format", "json", "--method",
                               "enclosure"]).stdout)
        li = doc["models"][0]["L_inf"]
        assert _as_fraction(li["lower"]) <= exact <= _as_fraction(li["upper"])
        assert li["rel_width"] is None and li["abs_width"] >= 0 and "absolute" in li["width_note"]
    assert _as_fraction(li["lower"]) == 0  # the zero model: [0, upper]


def test_json_documents_are_valid_json_whatever_the_floats() -> None:
    from tempx.numerics.app.formatting import dumps

    text = dumps({"a": float("inf"), "b": [float("-inf"), float("nan"), 1.5], "c": {"d": float("inf")}})
    assert _strict(text) == {"a": "inf", "b": ["-inf", None, 1.5], "c": {"d": "inf"}}


def test_certify_progress_names_the_stage_it_is_in(tmp_path: Path) -> None:
    f = tmp_path / "m.json"
    f.write_text('{"A": [["1/4"]], "B": [["1"]], "C": [["1"]]}', encoding="utf-8")
    proc = run_cli(["certify", "--params", str(f), "--k", "3", "--progress"])
    assert proc.returncode == 0
    assert "model 0: exact sums of" in proc.stderr  # later stages are redrawn at most every 0.2 s: too fast to see
    stages: list[str] = []
    from tempx.theory.linf import decide

    decide(model_from_floats([[0.25]], [[1.0]], [[1.0]]), "memoryless", 3, [12], method="enclosure", stage=stages.append)
    assert stages[0].startswith("exact sums") and stages[1].startswith("L_inf enclosure")
    stages.clear()
    decide(model_from_floats([[0.25]], [[1.0]], [[1.0]]), "memoryless", 3, [12], method="exact", stage=stages.append)
    assert stages[1] == "exact L_inf (C14, n = 2)"

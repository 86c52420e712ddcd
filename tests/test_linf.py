"""C14: L_∞ decided exactly (tempx.theory.linf) and `tempx certify`'s exact answer."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run_cli

from tempx.theory.budget import OverBudget
from tempx.theory.certify import certify, model_from_floats
from tempx.theory.claims.c14_exact_linf import CYCLIC_GAINS, FORMS, _jordan, instances, stein_value
from tempx.theory.linf import decide, decide_work, display_float, energy, exact_linf, linf_work, schur_cohn, sweep_work
from tempx.theory.losses import extrapolation_loss
from tempx.theory.rnn import ExactRNN
from tempx.theory.teacher_spec import parse_teacher

F = Fraction


def test_schur_cohn_agrees_with_the_roots_wherever_they_are_clear_of_the_circle() -> None:
    rng = random.Random(0)
    seen = {True: 0, False: 0}
    for _ in range(400):
        deg = rng.randint(1, 6)
        p = [F(1)] + [F(rng.randint(-9, 9), rng.randint(1, 9)) for _ in range(deg)]
        roots = np.abs(np.roots([float(x) for x in p]))
        if np.min(np.abs(roots - 1)) < 1e-6:
            continue  # too close to the circle for the float oracle
        inside = bool(np.all(roots < 1))
        assert (schur_cohn(p) is None) == inside, (p, roots)
        seen[inside] += 1
    assert min(seen.values()) > 20  # both answers were exercised


def test_schur_cohn_names_roots_on_the_circle_exactly() -> None:
    assert "z = 1" in (schur_cohn([1, -1]) or "")
    assert "z = −1" in (schur_cohn([1, 0, 0, 1]) or "")  # z³ + 1
    assert "|z| ≥ 1" in (schur_cohn([1, 0, 1]) or "")  # z² + 1: roots ±i
    assert schur_cohn([1, F(-99, 100)]) is None and schur_cohn([1, 0, 0]) is None  # z², roots at 0


def test_schur_cohn_says_which_reflection_failed() -> None:
    """z − 2: the first reflection (step 0 of 1) has |κ| = 2; z² + 3z + 1/2 (roots ≈ −0.18 and −2.82, product
    1/2): step 0 passes, the second (step 1 of 2) fails."""
    one = schur_cohn([1, -2]) or ""
    assert "Schur–Cohn step 0 of 1" in one and "|κ| = 2 ≥ 1" in one and "remaining 1 roots" in one
    two = schur_cohn([1, 3, F(1, 2)]) or ""
    assert "Schur–Cohn step 1 of 2" in two and "remaining 1 roots" in two


def test_energy_is_the_sum_of_squares() -> None:
    # B(z)/A(z) = z/(z − a): h_i = a^i, Σ h_i² = 1/(1 − a²)
    a = F(3, 4)
    assert energy([F(1), -a], [F(1), F(0)]) == 1 / (1 - a * a)
    with pytest.raises(ValueError, match="same length"):
        energy([F(1), -a], [F(1)])


@pytest.mark.parametrize("seed", range(6))
def test_exact_linf_equals_the_stein_equation_and_the_limit_of_partial_sums(seed: int) -> None:
    from tempx.theory.claims.c13_certified import contractive_rnn

    R = contractive_rnn(1 + seed % 3, seed)
    t = parse_teacher(["memoryless", "geometric:1/2", "oscillating:3/5:3/5"][seed % 3])
    got = exact_linf(R, t)
    assert got.finite and got.value == stein_value(R, t)
    partial = extrapolation_loss(R, t, 500)
    assert partial <= got.value  # partial sums increase to L_inf; every pole here has |z| < 0.85
    assert float(got.value - partial) < 1e-30


def test_a_realization_change_does_not_change_the_value() -> None:
    """The disguised 8×8 Jordan block with eigenvalue 99/100 (where C13 gave a false spectral radius)
    against the plain one: the same impulse response, so exactly the same L_inf."""
    plain = ExactRNN.from_entries(A=[[F(99, 100) if i == j else (F(1) if j == i + 1 else F(0)) for j in range(8)]
                                     for i in range(8)], B=[0] * 7 + [1], C=[1] + [0] * 7)
    hidden = _jordan(F(99, 100), 8, 5)
    a, b = exact_linf(plain, "memoryless"), exact_linf(hidden, "memoryless")
    assert a.finite and a.value == b.value and a.complexity == 9


def test_float_models_near_the_circle_and_beyond_float_range(tmp_path: Path) -> None:
    rho = 1 - 2.0**-53
    got = exact_linf(model_from_floats([[rho]], [[1.0]], [[1.0]]), "memoryless")
    a = F(rho)
    assert got.value == a * a / (1 - a * a)  # Σ_{i≥1} a^{2i}: r_0 = 0 against the memoryless teacher
    big = decide(model_from_floats([[0.5]], [[1e78]], [[1e78]]), "memoryless", 3, [12])
    doc = big.as_dict()
    assert doc["L_k"] == "1.3125e+312" and isinstance(doc["L_inf"]["upper"], str)
    json.loads(json.dumps(doc, allow_nan=False))  # valid JSON: no inf or nan anywhere
    assert display_float(F(3, 2)) == 1.5


def test_the_decision_as_json_finite_and_infinite() -> None:
    """a = 1/2 against the memoryless teacher: r = 0, 1/2, 1/4, … (complexity 2, p(z) = z² − z/2), L_2 = 1/4,
    L_3 = 5/16, L_∞ = 1/3 between its outward roundings, and C13's certificate on the 2-dimensional joint
    system (ρ = 1/2, γ = 3/4).  a = 1: L_∞ = ∞ (root z = 1), the lower bound is Σ_{i<4} r_i² = 3 exactly, no upper."""
    finite = decide(model_from_floats([[0.5]], [[1.0]], [[1.0]]), "memoryless", 2, [3], certificate=True)
    doc = finite.as_dict(exact=True)
    assert (doc["L_k"], doc["L_q"], doc["exact_value"]) == (0.25, {"3": 0.3125}, "1/3")
    inf = doc["L_inf"]
    assert F(inf["lower"]) < F(1, 3) < F(inf["upper"]) and inf["upper"] == np.nextafter(inf["lower"], 1.0)
    assert (inf["certified"], inf["finite"], inf["terms"], inf["complexity"]) == (True, True, 4, 2)
    assert inf["certificate"] == {"kind": "contraction", "system": "joint residual system", "dim": 2, "gamma": "3/4",
                                  "spectral_radius_bound": "3/4", "spectral_radius_estimate": 0.5}
    assert doc["exact"] == {"L_k": "1/4", "L_q": {"3": "5/16"}, "L_inf": "1/3", "minimal_polynomial": ["1", "-1/2", "0"]}
    assert "certificate" not in decide(model_from_floats([[0.5]], [[1.0]], [[1.0]]), "memoryless", 2).as_dict()["L_inf"]
    infinite = decide(model_from_floats([[1.0]], [[1.0]], [[1.0]]), "memoryless", 2, [3]).as_dict(exact=True)
    inf = infinite["L_inf"]
    assert infinite["exact_value"] == "inf" and inf["lower"] == 3.0 and inf["upper"] is None
    assert (inf["certified"], inf["finite"], inf["terms"]) == (False, False, 4) and "z = 1" in inf["reason"]
    assert infinite["exact"]["minimal_polynomial"] == ["1", "-1", "0"]
    assert display_float(-F(12346) * F(10) ** 396) == "-1.2346e+400" and display_float(F(10) ** 309) == "1.0000e+309"


def test_c13_enclosures_contain_the_exact_value() -> None:
    from tempx.theory.claims.c13_certified import contractive_rnn

    for seed in range(4):
        R = contractive_rnn(3, seed)
        enc, got = certify(R, "geometric:1/2", 2), exact_linf(R, "geometric:1/2")
        assert enc.upper is not None and got.value is not None and enc.lower <= got.value <= enc.upper


def test_c14_instances_cover_every_branch() -> None:
    for seed in range(3):
        drawn = instances(seed)
        assert {i["form"] for i in drawn} == set(FORMS)
        gains = {F(i["c"]) for i in drawn if i["form"] == "cyclic"}
        assert gains >= set(CYCLIC_GAINS)
        assert any(i["form"] == "cyclic" and F(i["c"]) == -1 and i["k"] % 2 == 0 for i in drawn)  # roots ±i
        assert any(i["form"] == "cyclic" and F(i["c"]) == -1 and i["k"] % 2 == 1 for i in drawn)  # root −1


def _mul(X: list[list[Fraction]], Y: list[list[Fraction]]) -> list[list[Fraction]]:
    return [[sum((X[i][t] * Y[t][j] for t in range(len(Y))), F(0)) for j in range(len(Y[0]))] for i in range(len(X))]


def test_c14_instances_are_what_their_names_say() -> None:
    """Each named instance has its defining property, exactly: the rotation A = ρ·(rotation), AᵀA = ρ²I with
    ρ = 999/1000; the Jordan block (A − 99/100)³ = 0 ≠ (A − 99/100)²; the stable instance ‖A‖_∞ = 1/2."""
    from tempx.theory.claims.c14_exact_linf import build

    A = build("rotation", 0, 2, 2)[0].as_lists()["A"]
    rho2 = F(999, 1000) ** 2
    assert _mul([list(r) for r in zip(*A)], A) == [[rho2, 0], [0, rho2]]
    for seed in range(3):
        J = build("jordan", seed, 2, 3)[0].as_lists()["A"]
        N = [[x - (F(99, 100) if i == j else 0) for j, x in enumerate(row)] for i, row in enumerate(J)]
        N2 = _mul(N, N)
        assert any(x != 0 for row in N2 for x in row) and all(x == 0 for row in _mul(N2, N) for x in row)
        S = build("stable", seed, 2, 3)[0].as_lists()["A"]
        assert max(sum(abs(x) for x in row) for row in S) == F(1, 2)


def test_certify_command_answers_exactly(tmp_path: Path) -> None:
    models = [{"A": [[0.5, 0.0], [0.0, 0.0]], "B": [[1.0], [0.0]], "C": [[1.0, 0.0]]},
              {"A": [[0.0, 1.0], [1.0, 0.0]], "B": [[1.0], [0.0]], "C": [[1.0, 0.0]]}]
    (tmp_path / "m.json").write_text(json.dumps(models))
    proc = run_cli(["certify", "--params", str(tmp_path / "m.json"), "--k", "2", "--format", "json", "--certificate"])
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["models"]
    assert rows[0]["exact_value"] == "1/3" and rows[0]["L_inf"]["finite"]  # Σ_{i≥1} 4^{-i}
    assert rows[0]["L_inf"]["lower"] <= 1 / 3 <= rows[0]["L_inf"]["upper"]
    assert F(rows[0]["L_inf"]["certificate"]["gamma"]) < 1
    assert rows[1]["exact_value"] == "inf" and rows[1]["L_inf"]["upper"] is None
    assert rows[1]["L_inf"]["certificate"] is None and "L_inf = inf" in rows[1]["L_inf"]["certificate_note"]
    assert "z = 1" in rows[1]["L_inf"]["reason"]
    text = run_cli(["certify", "--params", str(tmp_path / "m.json"), "--k", "2"])
    assert text.returncode == 0 and "1/3" in text.stdout and "inf" in text.stdout


def test_the_diagonal_closed_form_equals_the_general_route() -> None:
    from tempx.theory.claims.c14_exact_linf import block_realization, diagonal_modes
    from tempx.theory.linf import diagonal_linf

    for seed in range(8):
        lam, g = diagonal_modes(1 + seed % 3, seed)
        real = [(a, F(0)) for a, _ in lam], [(x, F(0)) for x, _ in g]
        for modes in ((lam, g), real):
            for teacher in ("memoryless", "oscillating:3/5:3/5", "atoms:1/3@1,-1/2@2"):
                closed = diagonal_linf(*modes, teacher)
                assert closed is not None and closed.value == exact_linf(block_realization(*modes), teacher).value
    assert diagonal_linf(["3/2"], ["1"], "memoryless") is None  # |λ| ≥ 1: the dense route decides
    unstable = diagonal_linf(["1/2"], ["1"], "geometric:2")
    assert unstable is not None and unstable.as_text() == "inf" and "does not decay" in unstable.reason
    assert diagonal_linf([0.5], [1.0], "memoryless").as_text() == "1/3"  # floats are the dyadic rationals they store
    # on the circle exactly (λ = 1, −1, 3/5 + 4i/5) is |λ| ≥ 1 too; a mode of weight 0 does not count
    for lam in (["1"], ["-1"], [("3/5", "4/5")], ["1/2", ("-4/5", "3/5")]):
        assert diagonal_linf(lam, ["1"] * len(lam), "memoryless") is None, lam
    assert diagonal_linf(["1/2", "1"], ["1", "0"], "memoryless").as_text() == "1/3"


def test_over_the_work_limit_auto_takes_the_verified_enclosure(monkeypatch: pytest.MonkeyPatch) -> None:
    from tempx.theory.budget import WORK_ENV
    from tempx.theory.claims.c13_certified import contractive_rnn

    monkeypatch.setenv(WORK_ENV, "1")  # nothing exact fits: the enclosure instead
    R = contractive_rnn(3, 0)
    dec = decide(R, "geometric:1/2", 2, [5])
    doc = dec.as_dict()
    assert dec.linf is None and doc["exact_value"] is None and doc["L_inf"]["complexity"] is None
    assert doc["L_inf"]["certified"] is True and doc["L_inf"]["finite"] is True
    assert doc["L_inf"]["method"] == "enclosure" and "over the work limit" in doc["L_inf"]["note"]
    assert "Stein solution verified" in doc["L_inf"]["reason"] and doc["L_inf"]["rel_width"] <= 1e-12
    with pytest.raises(OverBudget):
        decide(R, "geometric:1/2", 2, [5], method="exact")  # asked for the rational: refused, not replaced
    monkeypatch.delenv(WORK_ENV)
    exact = exact_linf(R, "geometric:1/2").value
    assert exact is not None and F(doc["L_inf"]["lower"]) <= exact <= F(doc["L_inf"]["upper"])
    assert dec.L_q[5] == extrapolation_loss(R, parse_teacher("geometric:1/2"), 5)


def test_auto_spends_at_most_auto_exact_work_on_the_rational(monkeypatch: pytest.MonkeyPatch) -> None:
    """Within the work limit but over AUTO_EXACT_WORK, "auto" takes the enclosure (and says why), its up-front
    estimate leaves out the 2n exact terms, and --method exact still computes the rational."""
    import tempx.theory.linf as linf_module
    from tempx.theory.certify import residual_system
    from tempx.theory.claims.c13_certified import contractive_rnn

    R = contractive_rnn(3, 0)
    A = residual_system(R, parse_teacher("geometric:1/2"))[0]
    monkeypatch.setattr(linf_module, "AUTO_EXACT_WORK", linf_work(A) * 0.99)
    doc = decide(R, "geometric:1/2", 2, [5]).as_dict()
    assert doc["L_inf"]["method"] == "enclosure" and "more than auto spends" in doc["L_inf"]["note"]
    assert decide_work(R, "geometric:1/2", 2, [5]) == sweep_work(A, 5)
    assert decide_work(R, "geometric:1/2", 2, [5], "exact") == sweep_work(A, 2 * A.nrows())
    assert decide(R, "geometric:1/2", 2, [5], method="exact").linf is not None
    monkeypatch.setattr(linf_module, "AUTO_EXACT_WORK", linf_work(A) * 1.01)
    assert decide(R, "geometric:1/2", 2, [5]).as_dict()["L_inf"]["method"] == "exact"
    assert decide_work(R, "geometric:1/2", 2, [5]) == sweep_work(A, 2 * A.nrows())


def test_the_decision_reports_the_2n_terms_it_read() -> None:
    """n = d + d* = 3 + 1: Berlekamp–Massey reads 2n = 8 exact terms, and the head sum is L_8."""
    from tempx.theory.claims.c13_certified import contractive_rnn

    R = contractive_rnn(3, 0)
    dec = decide(R, "geometric:1/2", 2)
    assert dec.terms == 8 and dec.head_sum == extrapolation_loss(R, parse_teacher("geometric:1/2"), 8)
    assert dec.L_k == extrapolation_loss(R, parse_teacher("geometric:1/2"), 2)


def test_exact_values_of_any_length_convert_to_text() -> None:
    """Exact L_∞ of complex and LRU limits run to thousands of digits; Python's str of an int stops at
    4300 digits by default (the command line lifts it, a library caller may not): the conversion must not."""
    import sys
    from fractions import Fraction

    from tempx.theory.linf import ExactLinf, fraction_text

    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)
    try:
        x = Fraction(10**5000 + 1, 3**7000)
        text = fraction_text(x)
        num, den = text.split("/")
        import flint

        assert len(num) == 5001 and num.endswith("1")
        assert int(flint.fmpz(num)) == x.numerator and int(flint.fmpz(den)) == x.denominator
        assert ExactLinf(x, 2, (), "").as_text() == text and fraction_text(7) == "7"
    finally:
        sys.set_int_max_str_digits(before)


def test_the_work_estimate_counts_the_bits_of_the_denominator_and_the_largest_numerator() -> None:
    """linf_work = 0.002·n^4.5·b², b = bits of A's common denominator + bits of its largest integer entry:
    diag(3/4, 5) = [[3, 0], [0, 20]]/4 has b = 3 + 5 = 8."""
    import flint

    from tempx.theory.linf import linf_work

    A = flint.fmpq_mat([[flint.fmpq(3, 4), 0], [0, 5]])
    assert linf_work(A) == pytest.approx(0.002 * 2**4.5 * 8**2, rel=1e-12)
    assert linf_work(flint.fmpq_mat([[flint.fmpq(1, 2)]])) == pytest.approx(0.002 * 3**2, rel=1e-12)
    assert linf_work(flint.fmpq_mat([[5]])) == pytest.approx(0.002 * 4**2, rel=1e-12)  # an integer matrix: 1 + 3 bits


@pytest.mark.parametrize("form", ["stable", "diagonal", "jordan", "rotation", "hidden"])
def test_c14_refuses_a_finite_form_whose_limit_is_infinite(form: str) -> None:
    """A teacher whose impulse response does not decay (geometric:1, constant 1) makes L_inf infinite for every
    stable student: C14's check for a form it expects finite must then return its one failing statement,
    with the reason, not stop silently."""
    from tempx.theory.claims import c14_exact_linf

    ev = c14_exact_linf.check_instance(form, 3, 2, 2, teacher="geometric:1")
    assert [(e.name, e.holds) for e in ev] == [("L_inf finite", False)]
    assert "z = 1" in ev[0].params["reason"]


def test_the_stein_reference_of_a_zero_residual_is_zero() -> None:
    """A student equal to its teacher (every teacher kind's own realization, padded): no residual system is
    left, and the Stein reference and the exact decision both give 0."""
    for spec in ("memoryless", "geometric:1/2", "delay:2", "atoms:1/2@1/3,-1/3@2/3"):
        t = parse_teacher(spec)
        R = t.as_rnn().pad(t.as_rnn().d + 1)
        assert stein_value(R, t) == 0 == exact_linf(R, t).value

"""The verified enclosure of L_∞ (tempx.theory.enclosure) and what certify prints from it: every bound true.

Each enclosure is compared with the exact rational of C14 (an independent route: Berlekamp–Massey, Schur–Cohn,
Åström), so a wrong residual bound, a missing factor in it, or a refinement that stops early fails here."""

from __future__ import annotations

import json
import sys
from fractions import Fraction as F
from pathlib import Path

import flint
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tempx.theory.certify import model_from_floats, residual_system
from tempx.theory.enclosure import enclose, unstable_mode
from tempx.theory.errors import InvalidInput
from tempx.theory.linf import bound_text, decide, exact_linf, fraction_text, json_bound, read_exact, schur_cohn
from tempx.theory.rnn import ExactRNN

sys.path.insert(0, str(Path(__file__).parent))


def _jordan(n: int, lam: F, disguise: bool) -> list[list[F]]:
    J = flint.fmpq_mat([[flint.fmpq(lam.numerator, lam.denominator) if i == j else (1 if j == i + 1 else 0)
                         for j in range(n)] for i in range(n)])
    if disguise:  # S J S⁻¹ with a unimodular-ish integer S: the defective eigenvalue hidden from float solvers
        rng = np.random.default_rng(3)
        S = flint.fmpq_mat([[int(rng.integers(-2, 3)) + (3 if i == j else 0) for j in range(n)] for i in range(n)])
        J = S * J * S.inv()
    return [[F(int(J[i, j].p), int(J[i, j].q)) for j in range(n)] for i in range(n)]


def _rotation(rho: F) -> list[list[F]]:
    return [[rho * F(3, 5), -rho * F(4, 5)], [rho * F(4, 5), rho * F(3, 5)]]


# the adversarial models of the issue: (model, teacher); every one finite
ADVERSARIAL = {
    "disguised 8×8 Jordan block at 99/100": (ExactRNN.from_entries(A=_jordan(8, F(99, 100), True), B=[1] * 8,
                                                                    C=[1] + [0] * 7), "memoryless"),
    "ρ = 1 − 2⁻⁵³": (ExactRNN.from_entries(A=[[1 - F(1, 2**53)]], B=[1], C=[1]), "memoryless"),
    "diag(0.999, 1/2, −3/10) against geometric:1/2": (
        ExactRNN.from_entries(A=[[F(999, 1000), 0, 0], [0, F(1, 2), 0], [0, 0, F(-3, 10)]], B=[1, 1, 1],
                              C=[F(1, 100), 1, F(1, 100)]), "geometric:1/2"),
    "rotation at |λ| = 0.999": (ExactRNN.from_entries(A=_rotation(F(999, 1000)), B=[1, 0], C=[1, 0]), "memoryless"),
    "entries 1e78": (ExactRNN.from_entries(A=[[F(1, 2)]], B=[F(10**78)], C=[F(10**78)]), "memoryless"),
    "entries 1e-200 and 1e100": (ExactRNN.from_entries(A=[[F(1, 2), F(1, 10**200)], [0, F(1, 3)]],
                                                       B=[F(1, 10**150), 1], C=[1, F(10**100)]), "memoryless"),
    "non-normal transient": (ExactRNN.from_entries(A=[[F(9, 10), F(1000)], [0, F(9, 10)]], B=[0, 1], C=[1, 0]),
                             "memoryless"),
    "16×16 Jordan block at 1/2": (ExactRNN.from_entries(A=_jordan(16, F(1, 2), False), B=[0] * 15 + [1],
                                                        C=[1] + [0] * 15), "memoryless"),
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_the_enclosure_contains_the_exact_value_and_is_tight(name: str) -> None:
    R, teacher = ADVERSARIAL[name]
    enc = enclose(*residual_system(R, teacher))
    exact = exact_linf(R, teacher).value
    assert not isinstance(enc, str), enc
    assert exact is not None and enc.lower <= exact <= enc.upper, name
    assert enc.upper - enc.lower <= F(1, 10**12) * exact, (name, enc.rel_width)
    assert enc.finite and enc.delta < 1


@st.composite
def stable_models(draw: st.DrawFn) -> tuple[ExactRNN, str]:
    """Small rational models with A scaled to a spectral radius in (0.3, 0.9999) (its float estimate), against each
    teacher form: the residual is tiny when the model nearly matches."""
    d = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2**32 - 1))
    rho = draw(st.sampled_from([0.3, 0.9, 0.999, 0.9999]))
    rng = np.random.default_rng(seed)
    A = rng.normal(0, 1, (d, d))
    A *= rho / max(1e-9, float(np.max(np.abs(np.linalg.eigvals(A)))))
    B, C = rng.normal(0, 1, (d, 1)), rng.normal(0, 1, (1, d)) * draw(st.sampled_from([1.0, 1e-6]))
    teacher = draw(st.sampled_from(["memoryless", "geometric:1/2", "atoms:4/5@3/5,-1/2@2/5"]))
    return model_from_floats(A, B, C), teacher


@given(stable_models())
def test_random_stable_models_are_enclosed_around_the_exact_value(case: tuple[ExactRNN, str]) -> None:
    R, teacher = case
    enc = enclose(*residual_system(R, teacher))
    exact = exact_linf(R, teacher).value
    assert not isinstance(enc, str), enc
    assert exact is not None and enc.lower <= exact <= enc.upper
    assert enc.upper - enc.lower <= F(1, 10**12) * exact


def test_unstable_modes_are_proven_or_left_undecided_never_guessed(monkeypatch: pytest.MonkeyPatch) -> None:
    """An observable, reachable eigenvalue 3/2: L_∞ = ∞ proven in ball arithmetic.  The same eigenvalue 3 hidden
    (unobservable): no stability certificate and no unstable mode, so the enclosure route says undecided with the
    exact route's cost, and auto (within the work limit) gives the exact 1/3.  A mode exactly on the circle (λ = 1)
    cannot be shown outside by a ball: undecided on the enclosure route, inf on the exact one."""
    seen = ExactRNN.from_entries(A=[[F(1, 2), 0], [0, F(3, 2)]], B=[1, 1], C=[1, 1])
    proof = unstable_mode(*residual_system(seen, "memoryless"))
    assert proof is not None and "1.5" in proof and "reachable" in proof
    dec = decide(seen, "memoryless", 2, method="enclosure")
    doc = dec.as_dict()
    assert dec.finite is False and doc["exact_value"] == "inf" and doc["L_inf"]["upper"] is None
    hidden = ExactRNN.from_entries(A=[[F(1, 2), 0], [0, F(3)]], B=[1, 1], C=[1, 0])
    assert isinstance(enclose(*residual_system(hidden, "memoryless")), str)
    assert unstable_mode(*residual_system(hidden, "memoryless")) is None
    # at this size the exact route takes over when the enclosure cannot decide (the hidden mode contributes nothing)
    small = decide(hidden, "memoryless", 2, [4], method="enclosure").as_dict()
    assert small["exact_value"] == "1/3" and "the enclosure could not decide" in small["L_inf"]["note"]
    from tempx.theory import linf

    monkeypatch.setattr(linf, "EXACT_FALLBACK_DIM", 0)  # a system too large for the exact route: undecided
    undecided = decide(hidden, "memoryless", 2, [4], method="enclosure").as_dict(certificate=True)
    li = undecided["L_inf"]
    assert li["finite"] is None and li["certified"] is False and li["upper"] is None and undecided["exact_value"] is None
    assert "undecided" in li["reason"] and "--method exact" in li["reason"] and "work units" in li["reason"]
    assert li["certificate"] is None and li["certificate_note"]
    assert F(li["lower"]) == F(1, 4) + F(1, 16) + F(1, 64)  # Σ_{i<4} r_i², r = 0, 1/2, 1/4, 1/8
    assert decide(hidden, "memoryless", 2).as_dict()["exact_value"] == "1/3"
    circle = ExactRNN.from_entries(A=[[1]], B=[1], C=[1])
    assert decide(circle, "memoryless", 2, method="enclosure").finite is None
    assert decide(circle, "memoryless", 2).as_dict()["exact_value"] == "inf"


def test_a_large_unstable_model_is_proven_infinite() -> None:
    rng = np.random.default_rng(0)
    d = 14
    A = rng.normal(0, 1.2 / np.sqrt(d), (d, d))  # spectral radius above 1: unstable modes, dense and non-normal
    R = model_from_floats(A, rng.normal(0, 1, (d, 1)), rng.normal(0, 1, (1, d)))
    assert decide(R, "memoryless", 3, method="enclosure").finite is False
    assert decide(R, "memoryless", 3, method="exact").finite is False


def test_zero_residual_and_bad_width() -> None:
    R = ExactRNN.from_entries(A=[[F(1, 2)]], B=[0], C=[1])
    A, B, C = residual_system(R, ExactRNN.from_entries(A=[[F(1, 3)]], B=[0], C=[1]))
    enc = enclose(A, B, C)
    assert not isinstance(enc, str) and enc.lower == enc.upper == 0
    with pytest.raises(InvalidInput, match="rel_width"):
        enclose(A, B, C, rel_width=0)


@given(st.fractions(min_value=F(-10**30), max_value=F(10**30)).filter(lambda x: x != 0),
       st.integers(-400, 400), st.integers(2, 20))
def test_bound_text_rounds_outward_with_a_normalized_mantissa(x: F, shift: int, digits: int) -> None:
    x = x * F(10) ** shift
    lo, up = bound_text(x, True, digits), bound_text(x, False, digits)
    assert F(lo) <= x <= F(up)
    for text in (lo, up):
        mant = text.lstrip("-").split("e")[0]
        assert mant[0] in "123456789" and mant[1] == "." and len(mant) == digits + 1
    # one unit in the last printed digit apart at most (equal when x is exactly representable)
    e = int(lo.split("e")[1])
    assert F(up) - F(lo) <= F(10) ** (e - digits + 1) * (10 if lo.lstrip("-")[0] == "9" else 1)
    jl, ju = json_bound(x, True), json_bound(x, False)
    assert F(jl) <= x <= F(ju)


def test_json_bounds_beyond_float64_are_true() -> None:
    """The issue's cases: an exact value 4/3·10^312 (both bounds used to read 1.3333e+312, the upper below the truth)
    and 9.9999999999999929e801 (used to read 10.0000e+801)."""
    for x in (F(4, 3) * F(10) ** 312, F(99999999999999929) * F(10) ** 785, F(1, 3) * F(10) ** -400):
        lo, up = json_bound(x, True), json_bound(x, False)
        assert isinstance(lo, str) and isinstance(up, str) and F(lo) <= x <= F(up)
        assert not lo.startswith("10.")
    big = decide(model_from_floats([[0.5]], [[1e78]], [[1e78]]), "memoryless", 3, [12])
    li = big.as_dict()["L_inf"]
    assert big.linf is not None and F(li["lower"]) <= big.linf.value <= F(li["upper"])
    enc = decide(model_from_floats([[0.5]], [[1e78]], [[1e78]]), "memoryless", 3, method="enclosure").as_dict()["L_inf"]
    assert F(enc["lower"]) <= big.linf.value <= F(enc["upper"])


def test_read_exact_reads_every_exact_string_back() -> None:
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(4300)
    try:
        x = F(10**5000 + 1, 3**7000)
        assert read_exact(fraction_text(x)) == x and read_exact("-7") == -7 and read_exact(" 2/4 ") == F(1, 2)
        assert read_exact("inf") == float("inf")
    finally:
        sys.set_int_max_str_digits(before)
    for bad in ("1/0", "1.5", "p/q", ""):
        with pytest.raises(InvalidInput):
            read_exact(bad)
    with pytest.raises(TypeError):
        read_exact(3)  # type: ignore[arg-type]
    import tempx

    assert tempx.read_exact("1/3") == F(1, 3)


def test_reasons_print_exact_quantities() -> None:
    """A root at 1 + 2⁻⁶⁰ used to read "|κ| = 1 ≥ 1"; the exact ratio shows it above 1."""
    why = schur_cohn([1, -(1 + F(1, 2**60))])
    assert why is not None and "1152921504606846977/1152921504606846976" in why
    long = schur_cohn([1, -(1 + F(1, 3**80))])
    assert long is not None and "|κ| = 1 + " in long and "e-39" in long


def test_certify_command_methods_and_certificates(tmp_path: Path) -> None:
    """--method exact over the work limit is refused in one line; --method enclosure answers on a small model; the
    disguised 8×8 Jordan block at 99/100 gets its certificate or one line why not, and stderr stays empty (scipy's
    LinAlgWarning used to leak)."""
    from cli_helpers import run_cli

    R, _ = ADVERSARIAL["disguised 8×8 Jordan block at 99/100"]
    m = R.as_lists()
    path = tmp_path / "jordan.json"
    path.write_text(json.dumps({"A": [[str(x) for x in r] for r in m["A"]], "B": [[str(r[0])] for r in m["B"]],
                                "C": [[str(x) for x in m["C"][0]]]}))
    exact = read_exact(exact_linf(R, "memoryless").as_text())
    assert isinstance(exact, F)
    for method in ("auto", "exact", "enclosure"):
        proc = run_cli(["certify", "--params", str(path), "--k", "2", "--method", method, "--certificate", "--format",
                        "json"])
        assert proc.returncode == 0 and proc.stderr == "", proc.stderr
        li = json.loads(proc.stdout)["models"][0]["L_inf"]
        assert F(li["lower"]) <= exact <= F(li["upper"]) and li["method"] == ("enclosure" if method == "enclosure" else "exact")
        assert li["certificate"] is not None or li["certificate_note"], li
    over = run_cli(["--work-limit", "1", "certify", "--params", str(path), "--k", "2", "--method", "exact"])
    assert over.returncode == 2 and over.stderr.count("\n") == 1 and "work" in over.stderr
    text = run_cli(["certify", "--params", str(path), "--k", "2", "--method", "enclosure"])
    assert text.returncode == 0 and "[enclosure]" in text.stdout and "— (not computed)" in text.stdout


def test_the_text_table_shows_long_fractions_as_fractions(tmp_path: Path) -> None:
    from cli_helpers import run_cli

    from tempx.numerics.app.commands.certify import exact_cell

    assert exact_cell("1/3") == "1/3" and exact_cell("inf") == "inf" and exact_cell(None) == "— (not computed)"
    assert exact_cell("1" * 40 + "/" + "3" * 41) == "p/q (40/41 digits)"
    assert exact_cell("-" + "1" * 40) == "integer (40 digits)"
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"A": [[0.5, 0.1], [0.0, 0.3]], "B": [[1.0], [1.0]], "C": [[1.0, 1.0]]}))
    proc = run_cli(["certify", "--params", str(path), "--k", "3"])
    assert proc.returncode == 0 and "p/q (50/49 digits)" in proc.stdout and "≈ 2.03943115708" in proc.stdout


def test_entries_beyond_float64_after_balancing_are_undecided_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """A = 10^400 cannot be proposed in floats even after the exact balancing: the enclosure route says so (undecided,
    with the exact route's cost) when the system is too large for the exact fallback; the exact route decides it (∞)."""
    from tempx.theory import linf

    R = ExactRNN.from_entries(A=[[F(10) ** 400]], B=[1], C=[1])
    assert isinstance(enclose(*residual_system(R, "memoryless")), str)
    assert unstable_mode(*residual_system(R, "memoryless")) is None
    assert decide(R, "memoryless", 2, method="enclosure").as_dict()["exact_value"] == "inf"  # the fallback, n = 2
    monkeypatch.setattr(linf, "EXACT_FALLBACK_DIM", 0)
    li = decide(R, "memoryless", 2, method="enclosure").as_dict()["L_inf"]
    assert li["finite"] is None and "beyond float64" in li["reason"] and "--method exact" in li["reason"]
    assert decide(R, "memoryless", 2).as_dict()["exact_value"] == "inf"


def test_displayed_losses_keep_a_normalized_mantissa_and_never_show_zero() -> None:
    """The issue's 9.9999999999999929e801 read '10.0000e+801'; a value below float64's range read 0."""
    from tempx.theory.linf import display_float

    assert display_float(F(99999999999999929) * F(10) ** 785) == "1.0000e+802"
    assert display_float(F(1, 3) * F(10) ** -400) == "3.3333e-401" and display_float(F(0)) == 0.0
    assert display_float(-F(12346) * F(10) ** 396) == "-1.2346e+400" and display_float(F(3, 2)) == 1.5


@pytest.mark.parametrize("student", ["dense", "diagonal", "complex", "lru"])
def test_every_linear_student_is_enclosed_around_its_exact_value(student: str, tmp_path: Path) -> None:
    """`certify --method enclosure` on each student's dense realization, against a teacher with memory: the interval
    contains the exact rational the exact route gives for the same file."""
    from cli_helpers import run_cli

    path = tmp_path / "m.json"
    made = run_cli(["train", "--student", student, "--d", "3", "--k", "3", "--steps", "50", "--n-models", "2",
                    "--save-params", str(path)])
    assert made.returncode == 0, made.stderr
    args = ["certify", "--params", str(path), "--k", "3", "--teacher", "geometric:1/2", "--format", "json", "--exact"]
    enclosed, exact = (json.loads(run_cli([*args, "--method", m]).stdout)["models"] for m in ("enclosure", "exact"))
    for e, x in zip(enclosed, exact):
        value = read_exact(x["exact_value"])
        assert e["L_inf"]["method"] == "enclosure" and e["exact_value"] is None
        assert isinstance(value, F) and F(e["L_inf"]["lower"]) <= value <= F(e["L_inf"]["upper"])
        assert read_exact(e["exact"]["lower"]) <= value <= read_exact(e["exact"]["upper"])


def test_a_disguised_unstable_counterexample_is_decided_under_the_enclosure_method(tmp_path: Path) -> None:
    """Five simple eigenvalues of modulus 1.0845 hidden by a disguise: the float eigenvectors do not isolate them, and
    at n <= 64 the exact route decides L_inf = inf instead of leaving it undecided."""
    import json

    from cli_helpers import run_cli

    ce = run_cli(["counterexample", "--k", "5", "--d", "6", "--c=3/2", "--disguise", "3", "--format", "json"])
    f = tmp_path / "disguised.json"
    f.write_text(ce.stdout, encoding="utf-8")
    doc = json.loads(run_cli(["certify", "--params", str(f), "--k", "5", "--method", "enclosure", "--format", "json"]).stdout)
    li = doc["models"][0]["L_inf"]
    assert doc["models"][0]["exact_value"] == "inf" and li["finite"] is False and li["certified"] is False
    assert "the enclosure could not decide" in li["note"]

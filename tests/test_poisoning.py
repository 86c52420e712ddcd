"""Clean-label poisoning (claim C16): the baseline limit in a proven bracket against the gradient flow itself, the
law broken and ties kept by the poisoning sequence, frozen fields in every driver, training on given sequences,
and the command line end to end (the exact limit said and saved, b and c unchanged)."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from tempx.numerics.app.float_checks import FLOW_RTOL, c16_flow
from tempx.numerics.data import MAX_SEQUENCES, read_sequences
from tempx.numerics.drivers.descent import gd
from tempx.numerics.drivers.limit import flow_limit
from tempx.numerics.losses import empirical_moment
from tempx.numerics.students import get
from tempx.numerics.students.diagonal import DiagParams
from tempx.numerics.teachers import memoryless, teacher_rnn
from tempx.theory.claims import c16_poisoning
from tempx.theory.errors import InvalidInput
from tempx.theory.poisoning import baseline_limit


def _impulses(k: int, *lengths: int) -> np.ndarray:
    """Unit impulses at the start of sequences of the given lengths, aligned at their last step (zeros in front)."""
    X = np.zeros((len(lengths), k))
    for row, n in enumerate(lengths):
        X[row, k - n] = 1.0
    return X


def _frozen_diag(lam: list[float]) -> DiagParams:
    d = len(lam)
    return DiagParams(np.array([lam]), np.ones((1, d)), np.ones((1, d)))


ONES = teacher_rnn([[1.0]], [1.0], [1.0])  # w*_i = 1 for every i: the target of every impulse is 1


def _flow(lam: list[float], k: int, *lengths: int) -> np.ndarray:
    res = flow_limit(_frozen_diag(lam), ONES, k, moment=empirical_moment(_impulses(k, *lengths)), freeze=("b", "c"))
    assert res.status == ("converged",), res.status
    return np.asarray(res.params.lam[0])


@pytest.mark.parametrize(("lam", "k"), [([0.4, 0.3, 0.2], 2), ([0.4, 0.3, 0.1], 3), ([0.6, 0.5, 0.3], 4),
                                         ([0.7, 0.69, 0.2, 0.1], 5)])
def test_the_bracketed_limit_is_where_the_flow_goes(lam: list[float], k: int) -> None:
    """Gradient flow (to L_k <= 1e-28) ends within 1e-9 relative of the limit C16 computes, at k = 2 (equal
    shifts), k = 3 (equal ratios) and k > 3 (the root s), with a near tie at k = 5.  The tolerance is the flow's:
    its rtol is 1e-11 per step, accumulated over its steps (numerics/app/float_checks.py)."""
    lim = baseline_limit(lam, k, 1, digits=20)
    assert lim.relative_width() <= Fraction(1, 10**20)
    np.testing.assert_allclose(_flow(lam, k, k), lim.midpoints(), rtol=FLOW_RTOL)


def test_the_poisoned_flow_breaks_the_law_and_keeps_ties() -> None:
    """With the length-2 impulse added the conserved differences drift (the limit is elsewhere than C16's), while
    two tied modes stay tied (to round-off: the two columns of the same arithmetic)."""
    lam, k = [0.6, 0.6, 0.3, 0.2], 4
    poisoned = _flow(lam, k, k, 2)
    baseline = np.array(baseline_limit(lam, k, 1).midpoints())
    coord = lambda x: x ** (3.0 - k)
    before = coord(np.array(lam)) - coord(lam[0])
    after = coord(np.abs(poisoned)) - coord(abs(poisoned[0]))
    assert np.max(np.abs(after[2:] - before[2:]) / np.abs(before[2:])) > 1e-2  # the law is broken
    assert np.max(np.abs(poisoned - baseline)) > 1e-2  # and the limit is another one
    assert abs(poisoned[0] - poisoned[1]) <= 1e-12 * abs(poisoned[0])  # the tie is kept


@settings(max_examples=20, deadline=None)
@given(lam=st.lists(st.floats(0.01, 0.99), min_size=2, max_size=8), k=st.integers(2, 12),
       digits=st.integers(5, 40))
def test_every_bracket_holds_the_constraint_and_the_law(lam: list[float], k: int, digits: int) -> None:
    """Exact checks of any bracket: Σλ^{k−1} = 1 lies between its ends' sums, widths are ≤ 10^−digits, and the
    conserved differences of λ(0) lie in those of the bracket (C16's check, on random instances)."""
    lim = baseline_limit(lam, k, 1, digits=digits)
    assert all(lo <= hi and hi - lo <= Fraction(1, 10**digits) * abs(lo) for lo, hi in zip(lim.lower, lim.upper))
    assert sum(x ** (k - 1) for x in lim.lower) <= 1 <= sum(x ** (k - 1) for x in lim.upper)
    if k > 3:
        ex = [Fraction(x) for x in lam]
        for i in range(1, len(lam)):
            want = ex[i] ** (3 - k) - ex[0] ** (3 - k)
            assert lim.upper[i] ** (3 - k) - lim.lower[0] ** (3 - k) <= want <= lim.lower[i] ** (3 - k) - lim.upper[0] ** (3 - k)


def test_bad_arguments_are_refused() -> None:
    for bad, message in (({"lam0": [0.5], "k": 1}, "k must be"), ({"lam0": [1.5], "k": 4}, r"\(0, 1\)"),
                         ({"lam0": [0.5], "k": 4, "target": 0}, "target"), ({"lam0": [0.5], "k": 4, "digits": 0}, "digits"),
                         ({"lam0": [], "k": 4}, "entries"),
                         ({"lam0": [0.5], "k": 1001}, r"\[2, 1000\]")):
        with pytest.raises(InvalidInput, match=message):
            baseline_limit(**bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        baseline_limit([None], 4)  # type: ignore[list-item]


def test_the_claims_instances_cover_its_edge_cases() -> None:
    """k = 2 (equal shifts), k = 3 (the log law), k > 3, the published k = 7, d = 10 and k = 9, d = 20 with a near tie;
    every form drawn; the symbolic forms at k = 3 and k > 3."""
    inst = c16_poisoning.instances(0)
    assert {p["form"] for p in inst} == set(c16_poisoning.FORMS)
    limits = {(p["k"], p["d"]) for p in inst if p["form"] == "limit"}
    assert {2, 3, 4} <= {k for k, _ in limits} and {(7, 10), (9, 20)} <= limits
    assert any(Fraction(p["gap"]) > 0 for p in inst if p["form"] == "limit")
    assert {3, 4} <= {p["k"] for p in inst if p["form"] == "conservation"}
    assert {3, 7} <= {p["k"] for p in inst if p["form"] == "poisoned"}


@pytest.mark.parametrize("student", ["dense", "diagonal", "complex", "lru", "tanh"])
def test_frozen_fields_keep_their_values_in_gd_and_the_others_move(student: str) -> None:
    s = get(student)
    p = s.init(s.inits[0], 2, 4, 0.5, 3)
    frozen_field = s.fields[-1]
    kw = {"data": np.random.default_rng(0).normal(size=(32, 4))} if s.nonlinear else {}
    r = gd(p, memoryless(1), 4, 0.05, 50, freeze=(frozen_field,), **kw)
    assert np.array_equal(getattr(r.params, frozen_field), getattr(p, frozen_field))  # never touched: copied bits
    assert not np.array_equal(getattr(r.params, s.fields[0]), getattr(p, s.fields[0]))
    with pytest.raises(InvalidInput, match="fields are"):
        gd(p, memoryless(1), 4, 0.05, 5, freeze=("nope",), **kw)


def test_frozen_fields_keep_their_values_in_the_flow() -> None:
    p = get("dense").init("gaussian", 1, 3, 0.3, 1)
    r = flow_limit(p, memoryless(1), 3, freeze=("C",), max_evals=2000)
    assert np.array_equal(r.params.C, p.C) and not np.array_equal(r.params.A, p.A)


def test_sequences_are_read_padded_and_bounded(tmp_path: Path) -> None:
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"sequences": [[1, 0, "1/2"], [2]]}), encoding="utf-8")
    np.testing.assert_array_equal(read_sequences(str(f)), [[1.0, 0.0, 0.5], [0.0, 0.0, 2.0]])
    for doc, message in (([1, 2], "must be an object"), ({"sequences": []}, "holds 0 sequences"),
                         ({"sequences": [[]]}, "sequence 0 must be"), ({"sequences": [[1, "x"]]}, "step 1"),
                         ({"sequences": [[1, True]]}, "not a number"), ({"sequences": [[1e308 * 10]]}, "not an exact rational"),
                         ({"sequences": [["1e400"]]}, "beyond the float64 range"),
                         ({"sequences": [[0]] * (MAX_SEQUENCES + 1)}, "holds 100001"), ({"seq": [[1]]}, "object")):
        f.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(InvalidInput, match=message):
            read_sequences(str(f))


def test_given_sequences_train_a_linear_student_on_their_moment_matrix() -> None:
    """The loss of given sequences is the mean squared error of each last output: for a linear student rᵀΣ̂r with
    Σ̂ of the zero-padded sequences (C8's form), so an impulse of length 2 weighs w_1 and one of length k weighs w_{k−1}."""
    X = _impulses(5, 5, 2)
    S = empirical_moment(X)
    want = np.zeros((5, 5))
    want[1, 1] = want[4, 4] = 0.5
    np.testing.assert_array_equal(S, want)


def _write(tmp_path: Path, lam: np.ndarray, d: int, *lengths: int) -> tuple[Path, Path, Path]:
    init, teacher, seqs = tmp_path / "A0.json", tmp_path / "T.json", tmp_path / "S.json"
    init.write_text(json.dumps({"student": "diagonal", "d": d, "lam": lam.tolist(), "b": [1.0] * d, "c": [1.0] * d}))
    r = float(np.sqrt(d - 1))
    teacher.write_text(json.dumps({"A": [[1, 0], [0, 0]], "B": [[1], [r]], "C": [[1, r]]}))
    seqs.write_text(json.dumps({"sequences": [[1] + [0] * (n - 1) for n in lengths]}))
    return init, teacher, seqs


def _published_start(seed: int, d: int, sigma: float, gap: float) -> np.ndarray:
    rng = np.random.RandomState(seed)  # as the public code draws it: np.random.seed(s), then rand(d)
    lam = np.flip(np.sort(sigma * rng.rand(d)))
    lam[1] = lam[0] - gap
    return lam


def _error(lam: np.ndarray, d: int) -> float:
    w = np.array([np.sum(lam ** j) for j in range(20)])
    ws = np.array([d] + [1] * 19, dtype=float)
    return float(np.max(np.abs(w - ws)) / np.max(ws))


def test_the_command_line_says_and_saves_the_exact_baseline_limit(tmp_path: Path) -> None:
    d, k = 10, 7
    lam = _published_start(0, d, 1e-3, 0.05 * np.exp(-15))
    init, teacher, seqs = _write(tmp_path, lam, d, k)
    out = tmp_path / "out.json"
    proc = run_cli(["train", "--student", "diagonal", "--init-file", str(init), "--freeze", "b,c", "--teacher",
                    f"file:{teacher}", "--sequences", str(seqs), "--until-converged", "--save-params", str(out),
                    "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["config"]["exact_limit"] is True and doc["config"]["freeze"] == ["b", "c"] and doc["config"]["k"] == k
    assert "C16" in doc["config"]["method"] and doc["models"][0]["t"] is None
    saved = json.loads(out.read_text())[0]
    assert saved["b"] == [1.0] * d and saved["c"] == [1.0] * d
    np.testing.assert_allclose(saved["lam"], baseline_limit(list(lam), k, 1).midpoints(), rtol=1e-15)
    assert 5e-4 < _error(np.array(saved["lam"]), d) < 5e-3  # the baseline extrapolates (error ≈ 1e-3)


def test_the_command_line_integrates_the_poisoned_flow(tmp_path: Path) -> None:
    d, k = 10, 7
    lam = _published_start(0, d, 1e-3, 0.05 * np.exp(-15))
    init, teacher, seqs = _write(tmp_path, lam, d, k, 2)
    out = tmp_path / "out.json"
    proc = run_cli(["train", "--student", "diagonal", "--init-file", str(init), "--freeze", "b,c", "--teacher",
                    f"file:{teacher}", "--sequences", str(seqs), "--until-converged", "--save-params", str(out)])
    assert proc.returncode == 0, proc.stderr
    assert "b, c frozen" in proc.stdout and "exact limit" not in proc.stdout
    saved = json.loads(out.read_text())[0]
    assert saved["b"] == [1.0] * d and saved["c"] == [1.0] * d
    assert _error(np.array(saved["lam"]), d) > 2e-2  # poisoned: no extrapolation (error ≈ 5e-2)


@pytest.mark.parametrize(("args", "message"), [
    (["--freeze", "b,b"], "once each"), (["--freeze", "x"], "not a field of the diagonal student"),
    (["--freeze", "lam,b,c"], "nothing to train"), (["--k", "3"], "shorter than the longest"),
    (["--data", "4"], "drop --data"),
])
def test_bad_sequence_and_freeze_options_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    init, _, seqs = _write(tmp_path, np.array([0.5, 0.4]), 2, 5)
    proc = run_cli(["train", "--student", "diagonal", "--init-file", str(init), "--sequences", str(seqs), *args])
    assert proc.returncode == 2 and message in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr


def test_sweep_trains_on_given_sequences_with_frozen_fields(tmp_path: Path) -> None:
    """sweep --sequences --freeze: every cell trains on the file's sequences (zeros in front to its k), b and c
    stay put, and the configuration records both; a k shorter than the longest sequence is one line."""
    seqs = tmp_path / "P.json"
    seqs.write_text(json.dumps({"sequences": [[1, 0, 0, 0, 0], [1, 0]]}))
    out = tmp_path / "s"
    base = ["sweep", "--student", "diagonal", "--d", "3", "--sigmas", "0.1", "--seeds", "2", "--steps", "50",
            "--sequences", str(seqs), "--freeze", "b,c"]
    proc = run_cli([*base, "--k", "5,6", "--out", str(out)])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((out / "results.json").read_text())
    assert doc["config"]["freeze"] == ["b", "c"] and doc["config"]["sequences"] == str(seqs)
    assert {r["k"] for r in doc["rows"]} == {5, 6}
    proc = run_cli([*base, "--k", "4", "--out", str(tmp_path / "t")])
    assert proc.returncode == 2 and "at least the longest of the --sequences (5)" in proc.stderr


def test_verify_checks_the_bracket_against_the_flow(monkeypatch: pytest.MonkeyPatch) -> None:
    """`tempx verify --claims C16` adds the flow check; a limit computed for the wrong target fails it."""
    assert all(e.holds for e in c16_flow(0))
    import tempx.theory.poisoning as pois

    real = pois.baseline_limit
    monkeypatch.setattr(pois, "baseline_limit", lambda lam0, k, target=1, digits=20: real(lam0, k, Fraction(11, 10), digits))
    assert not any(e.holds for e in c16_flow(0))
    proc = run_cli(["verify", "--claims", "C16"])
    assert proc.returncode == 1 and "the flow's limit agrees with the bracket" in proc.stdout


def test_the_baseline_setting_is_recognized_only_where_the_bracket_applies() -> None:
    from tempx.numerics.drivers.poisoning import baseline_setting

    p = _frozen_diag([0.5, 0.3])
    ones = np.ones(8)
    assert baseline_setting(p, _impulses(4, 4), ("b", "c"), ones) is None
    assert "not both frozen" in str(baseline_setting(p, _impulses(4, 4), ("b",), ones))
    assert "not a unit impulse" in str(baseline_setting(p, _impulses(4, 3), ("b", "c"), ones))  # zeros in front
    assert "not one sequence" in str(baseline_setting(p, _impulses(4, 4, 2), ("b", "c"), ones))
    assert "beyond the exact bracket" in str(baseline_setting(p, _impulses(1001, 1001), ("b", "c"), np.ones(1001)))

"""C10 end to end: d_min for any teacher, the minimal counterexample, and the command line."""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import scaled

from tempx.theory.claims.c10_threshold import forced_agreement
from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import InvalidInput
from tempx.theory.losses import loss
from tempx.theory.rnn import random_rnn
from tempx.theory.teacher_spec import parse_teacher
from tempx.theory.teachers import TeacherRNN
from tempx.theory.threshold import teacher_profile, threshold

F = Fraction


def test_two_atom_teacher_thresholds() -> None:
    t = parse_teacher("atoms:4/5@3/5,-1/2@2/5")
    assert [threshold(t, k).d_min for k in (4, 5, 9)] == [3, 4, 8]  # k ≥ 2d* = 4: k + 1 − d*


def test_threshold_refuses_a_zero_first_difference_and_bad_k() -> None:
    t = parse_teacher("geometric:1/2")
    with pytest.raises(InvalidInput, match="c must be nonzero"):
        threshold(t, 3, c=0)
    with pytest.raises(InvalidInput, match="k must be >= 1, got 0"):
        threshold(t, 0)
    with pytest.raises(TypeError, match="k must be an int"):
        threshold(t, 2.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("spec", ["atoms:4/5@3/5,-1/2@2/5", "delay:2", "oscillating:3/5:3/5", "impulse:1,-2,0,3"])
def test_first_difference_at_and_just_beyond_the_profile_horizon(spec: str) -> None:
    """j = 2D and 2D + 1 (D = the realization's dimension): the stored Berlekamp–Massey states end there."""
    t = parse_teacher(spec)
    D = t.as_rnn().d
    for k in (2 * D, 2 * D + 1, 2 * D + 2):
        ce = counterexample(k, teacher=t)
        w, ws = ce.rnn.impulse_response(k + 1), t.impulse_response(k + 1)
        assert w[:k] == ws[:k] and w[k] != ws[k] and ce.d == max(ce.d_min, 1)
        assert ce.d_min == threshold(t, k).d_min == k + 1 - t.dim


def test_memoryless_is_c2_and_c3() -> None:
    t = parse_teacher("memoryless")
    assert [threshold(t, k).d_min for k in range(1, 9)] == list(range(1, 9))


def test_delay_beyond_k_needs_no_state() -> None:
    th = threshold(parse_teacher("delay:4"), 2)
    assert (th.d_min, th.first_difference, th.c) == (0, 4, -1)
    ce = counterexample(2, teacher="delay:4")
    assert ce.d == 1 and ce.rnn.impulse_response(6) == (0,) * 6


def test_geometric_counterexample_is_the_documented_one() -> None:
    ce = counterexample(6, teacher="geometric:1/2")
    w = ce.rnn.impulse_response(7)
    assert ce.d == ce.d_min == 6
    assert w == tuple(F(1, 2**i) for i in range(6)) + (F(1, 64) + 1,)
    with pytest.raises(InvalidInput, match="d_min = 6"):
        counterexample(6, d=5, teacher="geometric:1/2")
    with pytest.raises(InvalidInput, match="tail is for the memoryless teacher"):
        counterexample(6, tail=[1], teacher="geometric:1/2")


def random_teacher(seed: int, d_star: int) -> TeacherRNN:
    return TeacherRNN(random_rnn(d_star, random.Random(seed), size=3))


@settings(max_examples=scaled(20))
@given(seed=st.integers(0, 10**6), d_star=st.integers(1, 3), k=st.integers(1, 9),
       c=st.none() | st.fractions(-3, 3, max_denominator=4).filter(lambda x: x != 0), extra=st.integers(0, 2))
def test_student_at_d_min_interpolates_and_below_it_none_can(seed: int, d_star: int, k: int, c: Fraction | None,
                                                              extra: int) -> None:
    teacher = random_teacher(seed, d_star)
    prof = teacher_profile(teacher)
    th = threshold(teacher, k, c, profile=prof)
    ce = counterexample(k, d=max(th.d_min, 1) + extra, c=c, teacher=teacher, disguise=seed if extra else None)
    n = th.first_difference + 1
    w, ws = ce.rnn.impulse_response(n), teacher.impulse_response(n + 2 * prof.dim + th.d_min + 2)
    assert loss(ce.rnn, teacher, k) == 0
    assert w[:-1] == ws[: n - 1] and w[-1] != ws[n - 1]
    if c is not None:
        assert w[-1] - ws[n - 1] == c
    best = threshold(teacher, k, profile=prof).d_min
    assert best <= th.d_min
    if k >= 2 * prof.dim:
        assert best == th.d_min == k + 1 - prof.dim
    # the no-direction by linear algebra alone: below d_min every index up to max(k, 2d*) is forced
    if best >= 1:
        assert all(forced_agreement(list(ws), best - 1, j) for j in range(k, max(k, 2 * prof.dim) + 1))


def test_threshold_command_prints_the_issue_example() -> None:
    proc = run_tempx(["threshold", "--teacher", "atoms:4/5@3/5,-1/2@2/5", "--k", "4,5,9", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["teacher"] == "atoms:4/5@3/5,-1/2@2/5" and doc["teacher_dim"] == 2
    assert [r["d_min"] for r in doc["rows"]] == [3, 4, 8]
    assert [r["first_difference"] for r in doc["rows"]] == [4, 5, 9]
    assert doc["linear_complexity"][:6] == [0, 1, 1, 2, 2, 2] and len(doc["linear_complexity"]) == 11
    text = run_tempx(["threshold", "--teacher", "atoms:4/5@3/5,-1/2@2/5", "--k", "4,5,9"])
    assert text.returncode == 0 and "d* = 2" in text.stdout
    # k = 1 < 2d*: the profile still runs to 2d* + 1 (n_0 … n_5), every value the search reads
    small = json.loads(run_cli(["threshold", "--teacher", "atoms:4/5@3/5,-1/2@2/5", "--k", "1", "--format", "json"]).stdout)
    assert small["linear_complexity"] == [0, 1, 1, 2, 2, 2]


def test_counterexample_command_with_a_teacher() -> None:
    proc = run_tempx(["counterexample", "--teacher", "geometric:1/2", "--k", "6", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert (doc["d"], doc["d_min"], doc["first_difference"], doc["teacher"]) == (6, 6, 6, "geometric:1/2")
    assert [F(x) for x in doc["impulse_response"][:7]] == [F(1, 2**i) for i in range(6)] + [F(1, 64) + 1]
    assert doc["train_loss"] == "0" and doc["construction"] == "shift-register"
    assert_usage_error(run_tempx(["counterexample", "--teacher", "geometric:1/2", "--k", "6", "--d", "5"]),
                       "d_min = 6")


@pytest.mark.parametrize("args, needle", [
    (["threshold", "--teacher", "atoms:1@1,1@2", "--k", "3"], "appears twice"),
    (["threshold", "--teacher", "nope", "--k", "3"], "unknown kind"),
    (["threshold", "--k", "0"], "--k must be >= 1"),
    (["threshold", "--k", "3,,4"], "comma-separated"),
    (["threshold", "--k", "1000000"], "--k must be <="),
    (["threshold", "--teacher", "file:/no/such.json", "--k", "3"], "No such file"),
    (["counterexample", "--teacher", "delay:x", "--k", "3"], "must be an integer"),
    (["counterexample", "--teacher", "geometric:1/2", "--k", "3", "--tail", "1"], "memoryless teacher"),
    (["counterexample", "--k", "100000"], "--k must be <="),
])
def test_bad_teacher_input_on_the_command_line(args: list[str], needle: str) -> None:
    assert_usage_error(run_cli(args), needle)


def test_the_command_takes_k_up_to_its_cap_and_refuses_one_more() -> None:
    """--k <= 100 000 (the search is linear in k): the memoryless teacher at the cap answers in about a second."""
    proc = run_cli(["threshold", "--k", "100000"])
    assert proc.returncode == 0 and "j = 0..100001" in proc.stdout, proc.stderr
    assert_usage_error(run_cli(["threshold", "--k", "100001"]), "--k must be <= 100000, got 100001")

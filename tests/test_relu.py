"""C15: the exact ReLU counterexample, its seeded instances, and its float64 twin."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_usage_error, run_cli

from tempx.theory.claims import get_claim
from tempx.theory.claims.c15_relu import FORMS, GAINS, instances
from tempx.theory.errors import InvalidInput
from tempx.theory.relu import ReluRNN, relu_counterexample


def test_instances_cover_what_the_claim_states() -> None:
    for seed in range(5):
        drawn = instances(seed)
        assert {i["form"] for i in drawn} == set(FORMS)
        seqs = [i for i in drawn if i["form"] == "sequences"]
        assert any(i["k"] == 1 for i in seqs) and any(i["k"] >= 2 for i in seqs)
        gains = {Fraction(i["c"]) for i in seqs}
        assert gains == set(GAINS) and any(g < 0 for g in gains) and any(abs(g) < 1 for g in gains)
        assert any(abs(g) > 1 for g in gains) and any(abs(g) == 1 for g in gains)  # |c| = 1: L_q = 1 = E[x²]
        assert {i["k"] for i in drawn if i["form"] == "orthants"} == {1, 2, 3}


def test_the_checks_reach_every_case_the_claim_states() -> None:
    """The sequence check covers lengths below k, exactly k, k + 1 and beyond; the orthant check every one of
    the 2^(k+1) sign patterns (read from the evidence, so a generator that drops a case is noticed)."""
    from tempx.theory.claims.c15_relu import check_instance

    ev = check_instance("sequences", 5, 4, "-1")
    assert {e.params["length"] for e in ev} == {1, 3, 4, 5, 11}
    ev = check_instance("orthants", 0, 3, "1/3")
    patterns = {e.params["signs"] for e in ev if "signs" in e.params}
    assert len(patterns) == 16 and "++++" in patterns and "----" in patterns


def test_the_claim_passes_and_fails_on_a_wrong_construction(monkeypatch: pytest.MonkeyPatch) -> None:
    claim = get_claim("C15")
    assert claim.check(0).passed and claim.check(3).passed
    real = relu_counterexample

    def off_by_one(k: int, c: object = 1) -> ReluRNN:  # carries k − 1 inputs: the delay is wrong
        net = real(k, c)
        C = list(net.C)
        if k > 1:
            C[2 * k - 2], C[2 * k - 1] = C[2 * k], C[2 * k + 1]
            C[2 * k] = C[2 * k + 1] = Fraction(0)
        else:
            C[2], C[3] = Fraction(0), Fraction(0)
        return ReluRNN(net.A, net.B, tuple(C))

    monkeypatch.setattr("tempx.theory.claims.c15_relu.relu_counterexample", off_by_one)
    assert not claim.check(0).passed


def test_outputs_on_sequences_with_zeros_and_signs() -> None:
    net = relu_counterexample(2, Fraction(-3, 2))
    xs = [Fraction(1), Fraction(-2), Fraction(0), Fraction(5, 3), Fraction(-1, 7)]
    assert net.run(xs) == [Fraction(1), Fraction(-2), Fraction(-3, 2), Fraction(5, 3) + 3, Fraction(-1, 7)]
    assert net.d == 6
    with pytest.raises(InvalidInput, match="nonzero"):
        relu_counterexample(2, 0)
    with pytest.raises(InvalidInput, match="k must be"):
        relu_counterexample(0)


def test_float_twin_trains_to_zero_loss_and_extrapolates_at_c_squared(tmp_path: Path) -> None:
    """The exact network read as a float64 relu student: training loss exactly 0 on data of length k
    (relu and the ± split are exact in floats), and the Monte Carlo L_q within 5 standard errors of c²."""
    from tempx.numerics.drivers.montecarlo import extrapolation_mc
    from tempx.numerics.students.files import load_params
    from tempx.numerics.teachers import memoryless

    f = tmp_path / "relu.json"
    proc = run_cli(["counterexample", "--student", "relu", "--k", "3", "--c=-1/2", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    f.write_text(proc.stdout)
    params = load_params(f)
    assert params.activation == "relu" and params.d == 8
    mean, se = extrapolation_mc(params, memoryless(3), [3, 4, 10], n=4000, seed=1)
    assert mean[0, 0] == 0.0 and np.all(np.abs(mean[0, 1:] - 0.25) <= 5 * se[0, 1:])
    out = run_cli(["train", "--init-file", str(f), "--k", "3", "--data", "64", "--steps", "0", "--q", "10",
                   "--mc-sequences", "512", "--format", "json"])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["models"][0]["train_loss"] == 0.0
    assert_usage_error(run_cli(["counterexample", "--student", "relu", "--k", "2", "--teacher", "delay:1"]),
                       "memoryless teacher")


def test_the_command_line_gain_defaults_to_1() -> None:
    proc = run_cli(["counterexample", "--student", "relu", "--k", "2", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["c"] == "1"


def test_the_gain_is_read_exactly_and_floats_are_refused() -> None:
    """c as an int, a Fraction or a string ("-3/2", "0.5") is the same exact rational; a float is not exact and
    raises TypeError (0.1 is not 1/10); a string past the digit caps is refused before it is read."""
    C = lambda net: net.C[2 * 1]  # the gain's entry at k = 1
    assert C(relu_counterexample(1, "-3/2")) == C(relu_counterexample(1, Fraction(-3, 2))) == Fraction(-3, 2)
    assert C(relu_counterexample(1, "0.5")) == Fraction(1, 2) and C(relu_counterexample(1, 2)) == 2
    with pytest.raises(TypeError, match="floats are not exact"):
        relu_counterexample(1, 0.1)
    with pytest.raises(InvalidInput, match="characters"):
        relu_counterexample(1, "1" * 100_000)

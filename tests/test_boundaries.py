"""Every documented bound of an argument, at the bound and one step past it: the last allowed value works,
the next one is refused with ``InvalidInput``.  (A bound written ``< 1`` where ``< 2`` was meant, or the
other way round, passes every test that stays away from the bound.)"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from tempx.numerics.data import gaussian_sequences
from tempx.numerics.drivers.executors import parse_scheduler
from tempx.numerics.hankel import hankel_rank, hankel_singular_values
from tempx.numerics.highprec import mp_extrapolation_loss
from tempx.numerics.losses import check_length, empirical_moment, loss_weights
from tempx.numerics.students.dense import Params
from tempx.numerics.students.init import init_counterexample, init_diagonal, init_gaussian, init_symmetric
from tempx.numerics.students.lru import LRUParams
from tempx.numerics.teachers import memoryless, teacher_from_spec
from tempx.theory import exact
from tempx.theory.claims import c3_tightness
from tempx.theory.counterexamples import counterexample
from tempx.theory.errors import HypothesisViolation, InvalidInput
from tempx.theory.losses import empirical_loss
from tempx.theory.rnn import ExactRNN, random_rnn
from tempx.theory.teacher_spec import parse_teacher
from tempx.theory.threshold import threshold

ONE = Params(np.full((1, 1, 1), 0.5), np.ones((1, 1, 1)), np.ones((1, 1, 1)))

# (what, the call at its last allowed value, the call one step past it)
CASES: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
    ("Hankel size m >= 1", lambda: hankel_singular_values(ONE, 1), lambda: hankel_singular_values(ONE, 0)),
    ("Hankel rel_tol in (0, 1)", lambda: hankel_rank(np.ones((1, 2)), 1e-300), lambda: hankel_rank(np.ones((1, 2)), 0.0)),
    ("Hankel rel_tol < 1", lambda: hankel_rank(np.ones((1, 2)), 1 - 2**-53), lambda: hankel_rank(np.ones((1, 2)), 1.0)),
    ("sequences n >= 1", lambda: gaussian_sequences(1, 1, 0), lambda: gaussian_sequences(0, 1, 0)),
    ("sequence length k >= 1", lambda: gaussian_sequences(1, 1, 0), lambda: gaussian_sequences(1, 0, 0)),
    ("high-precision d <= 64", lambda: mp_extrapolation_loss(init_gaussian(1, 64, 0.1, 0), memoryless(1), 1, dps=20),
     lambda: mp_extrapolation_loss(init_gaussian(1, 65, 0.1, 0), memoryless(1), 1, dps=20)),
    ("high-precision q >= 1", lambda: mp_extrapolation_loss(ONE, memoryless(1), 1), lambda: mp_extrapolation_loss(ONE, memoryless(1), 0)),
    ("length k >= 1", lambda: check_length(1), lambda: check_length(0)),
    ("weights ω >= 0", lambda: loss_weights(2, [0.0, 0.0]), lambda: loss_weights(2, [0.0, -1e-300])),
    ("moment from n >= 1 sequences", lambda: empirical_moment(np.ones((1, 2))), lambda: empirical_moment(np.ones((0, 2)))),
    ("teacher terms k >= 1", lambda: teacher_from_spec("memoryless", 1), lambda: teacher_from_spec("memoryless", 0)),
    ("models N >= 1", lambda: init_gaussian(1, 1, 0.5, 0), lambda: init_gaussian(0, 1, 0.5, 0)),
    ("units d >= 1", lambda: init_gaussian(1, 1, 0.5, 0), lambda: init_gaussian(1, 0, 0.5, 0)),
    ("seed >= 0", lambda: init_gaussian(1, 1, 0.5, 0), lambda: init_gaussian(1, 1, 0.5, -1)),
    ("σ > 0", lambda: init_gaussian(1, 1, 5e-324, 0), lambda: init_gaussian(1, 1, 0.0, 0)),
    ("negative fraction >= 0", lambda: init_diagonal(1, 2, 0.5, 0, balanced=True, negative_fraction=0.0),
     lambda: init_diagonal(1, 2, 0.5, 0, balanced=True, negative_fraction=-1e-300)),
    ("negative fraction <= 1", lambda: init_diagonal(1, 2, 0.5, 0, balanced=True, negative_fraction=1.0),
     lambda: init_diagonal(1, 2, 0.5, 0, balanced=True, negative_fraction=1 + 2**-52)),
    ("Frobenius cap > 0", lambda: init_symmetric(1, 2, 0.5, 0, frobenius_cap=5e-324),
     lambda: init_symmetric(1, 2, 0.5, 0, frobenius_cap=0.0)),
    ("perturbation >= 0", lambda: init_counterexample(1, 2, perturb=0.0), lambda: init_counterexample(1, 2, perturb=-1e-300)),
    ("LRU ν <= 700", lambda: LRUParams(np.full((1, 1), 700.0), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1))),
     lambda: LRUParams(np.full((1, 1), 700.5), np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)))),
    ("Krylov rows n >= 1", lambda: exact.krylov_rows(exact.matrix([[1]]), exact.matrix([[1]]), 1),
     lambda: exact.krylov_rows(exact.matrix([[1]]), exact.matrix([[1]]), 0)),
    ("counterexample k >= 1", lambda: counterexample(1), lambda: counterexample(0)),
    ("threshold k >= 1", lambda: threshold(parse_teacher("memoryless"), 1), lambda: threshold(parse_teacher("memoryless"), 0)),
    ("impulse response of n >= 0 terms", lambda: ExactRNN.from_entries([[1]], [1], [1]).impulse_response(0),
     lambda: ExactRNN.from_entries([[1]], [1], [1]).impulse_response(-1)),
    ("random RNN d >= 1", lambda: random_rnn(1, random.Random(0)), lambda: random_rnn(0, random.Random(0))),
    ("teacher terms n >= 0", lambda: parse_teacher("geometric:1/2").impulse_response(0),
     lambda: parse_teacher("geometric:1/2").impulse_response(-1)),
    ("--scheduler local:N, N <= 256", lambda: parse_scheduler("local:256"), lambda: parse_scheduler("local:257")),
    ("--scheduler local:N, N >= 1", lambda: parse_scheduler("local:1"), lambda: parse_scheduler("local:0")),
    ("exact empirical loss: sequences of one length", lambda: empirical_loss(R1, None, [[1, 2], [3, 4]]),
     lambda: empirical_loss(R1, None, [[1, 2], [3]])),
]

R1 = ExactRNN.from_entries([[1]], [1], [1])

# claims' hypotheses: raised as HypothesisViolation (a ValueError, not InvalidInput)
HYPOTHESES: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = [
    ("C3 d >= 1", lambda: c3_tightness.hypotheses("interpolating", 1, 3, 1), lambda: c3_tightness.hypotheses("interpolating", 0, 3, 1)),
    ("C3 d* >= 1", lambda: c3_tightness.hypotheses("interpolating", 1, 3, 1), lambda: c3_tightness.hypotheses("interpolating", 1, 3, 0)),
]


@pytest.mark.parametrize("what, allowed, refused", CASES, ids=[c[0] for c in CASES])
def test_the_last_allowed_value_works_and_the_next_is_refused(what: str, allowed: Callable[[], Any],
                                                              refused: Callable[[], Any]) -> None:
    allowed()
    with pytest.raises(InvalidInput):
        refused()


@pytest.mark.parametrize("what, allowed, refused", HYPOTHESES, ids=[c[0] for c in HYPOTHESES])
def test_a_claims_hypotheses_at_their_bounds(what: str, allowed: Callable[[], Any], refused: Callable[[], Any]) -> None:
    allowed()
    with pytest.raises(HypothesisViolation):
        refused()


def test_the_sweeps_default_length_4k_is_bounded_before_anything_runs(tmp_path: Any) -> None:
    """tempx sweep without --q extrapolates to 4 max(k), at most 10⁶: k = 250 000 passes the length check (and is
    then refused by the memory estimate under a 300 MB limit), k = 250 001 is refused for its length; no folder either way."""
    from cli_helpers import assert_usage_error, run_cli

    args = ["--memory-limit", "300MB", "sweep", "--d", "1", "--sigmas", "0.1", "--seeds", "1", "--out", str(tmp_path / "s")]
    assert_usage_error(run_cli([*args, "--k", "250000"]), "over the memory limit")
    assert_usage_error(run_cli([*args, "--k", "250001"]), "q = 1000004 is beyond 1000000")
    assert not (tmp_path / "s").exists()


@pytest.mark.parametrize("flag", ["--data", "--online"])
def test_the_sweeps_memory_estimate_counts_its_sequences(tmp_path: Any, flag: str) -> None:
    """10⁷ sequences of length 3 are 240 MB of inputs: refused from the estimate under a 400 MB limit, before
    any folder or array exists (the same sweep on the population loss fits; the estimate counts the interpreter,
    the numeric libraries and the figures too)."""
    from cli_helpers import assert_usage_error, run_cli

    args = ["--memory-limit", "400MB", "sweep", "--d", "1", "--k", "3", "--sigmas", "0.1", "--seeds", "1",
            "--out", str(tmp_path / "s"), flag, "10000000"]
    assert_usage_error(run_cli(args), "needs about 555 MiB, over the memory limit")
    assert not (tmp_path / "s").exists()


def test_the_sweeps_monte_carlo_needs_two_held_out_sequences(tmp_path: Any) -> None:
    """A standard error needs two samples: --mc-sequences 2 runs (a one-step tanh sweep), 1 is refused in one line."""
    from cli_helpers import assert_usage_error, run_cli

    args = ["sweep", "--student", "tanh", "--data", "4", "--d", "1", "--k", "1", "--sigmas", "0.1", "--seeds", "1",
            "--steps", "1"]
    ok = run_cli([*args, "--mc-sequences", "2", "--out", str(tmp_path / "two")])
    assert ok.returncode == 0 and (tmp_path / "two" / "results.json").exists(), ok.stderr
    assert_usage_error(run_cli([*args, "--mc-sequences", "1", "--out", str(tmp_path / "one")]), "--mc-sequences must be >= 2")

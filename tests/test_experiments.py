"""E1–E4 at small scale: the effect each experiment shows is present, and rows are tidy."""

from __future__ import annotations

import numpy as np
import pytest

from tempx.numerics.app.experiments import (
    extrapolation_curves,
    init_scale_sweep,
    seeded_batch,
    summarize,
    symmetric_experiment,
)
from tempx.numerics.students.init import init_gaussian
from tempx.theory.errors import InvalidInput


def _median(rows: list[dict], sigma: float) -> float:
    return float(np.median([r["extrapolation_loss"] for r in rows if r["sigma"] == sigma]))


def test_e1_small_sigma_extrapolates_large_sigma_does_not() -> None:
    rows = init_scale_sweep([10], [4], [0.05, 1.0], seeds=4, steps=8000)
    assert len(rows) == 8 and {r["status"] for r in rows} <= {"max_steps", "converged"}
    assert all(r["train_loss"] < 1e-5 for r in rows)  # both interpolate
    assert _median(rows, 0.05) < 1e-5 and _median(rows, 1.0) > 1e-2  # only small σ extrapolates
    assert all(r["q"] == 16 for r in rows)  # q = 4k by default
    small, large = (np.median([r["Q0_norm"] for r in rows if r["sigma"] == s]) for s in (0.05, 1.0))
    assert small < large  # ‖Q(0)‖ = O(σ²)


def test_e4_finite_data_shows_the_same_effect() -> None:
    rows = init_scale_sweep([10], [4], [0.05, 1.0], seeds=4, steps=8000, n_data=8)
    assert {r["experiment"] for r in rows} == {"E4"} and {r["n_data"] for r in rows} == {8}
    assert _median(rows, 0.05) < 1e-4 and _median(rows, 1.0) > 1e-2


def test_finite_data_cells_accept_a_moment_matrix_asymmetric_in_the_last_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The E1/E4 finite-data path with Σ̂ as another machine's BLAS may return it (the reproduce
    failure this guards against: an exact symmetry test on RᵀR)."""
    from tempx.numerics import losses

    original = losses.empirical_moment
    calls = []

    def skewed(X: np.ndarray) -> np.ndarray:
        M = original(X).copy()
        M[0, -1] = np.nextafter(M[0, -1], np.inf)
        assert not np.array_equal(M, M.T)
        calls.append(1)
        return M

    monkeypatch.setattr(losses, "empirical_moment", skewed)  # where the finite-data objective forms Σ̂
    rows = init_scale_sweep([6], [3], [1.0], seeds=2, steps=200, n_data=8)
    assert len(rows) == 2 and all(np.isfinite(r["train_loss"]) for r in rows) and calls


def test_e2_symmetric_k3_extrapolates_k2_does_not() -> None:
    rows = symmetric_experiment(5, [2, 3], seeds=4, sigma=1.0, steps=8000)
    k2 = [r for r in rows if r["k"] == 2]
    k3 = [r for r in rows if r["k"] == 3]
    assert all(r["train_loss"] < 1e-6 for r in k2) and np.median([r["extrapolation_loss"] for r in k2]) > 1e-3
    assert all(r["extrapolation_loss"] < 1e-4 for r in k3)


def test_e3_curves() -> None:
    doc = extrapolation_curves(8, 3, 20, steps=4000)
    c = doc["curves"]
    assert set(c) == {"counterexample", "GD σ=0.05", "GD σ=1"} and all(len(v) == 20 for v in c.values())
    assert c["counterexample"][2] == 0 and c["counterexample"][3] == 1  # L_3 = 0, L_4 = c² = 1
    assert c["GD σ=0.05"][-1] < 1e-3 < c["GD σ=1"][-1]


def test_seeded_batch_is_per_model() -> None:
    b = seeded_batch("gaussian", 3, 4, 0.5, seed=7)
    assert np.array_equal(b.A[1], init_gaussian(1, 4, 0.5, 8).A[0])
    with pytest.raises(InvalidInput):
        seeded_batch("uniform", 1, 2, 0.5)


def test_summarize_excludes_diverged() -> None:
    rows = [{"k": 1, "status": "diverged", "extrapolation_loss": None}, {"k": 1, "status": "max_steps", "extrapolation_loss": 2.0}]
    [s] = summarize(rows, ("k",))
    assert s["median"] == 2.0 and s["diverged"] == 1 and s["n"] == 2


def test_sweep_validates_q() -> None:
    with pytest.raises(InvalidInput, match="q must exceed"):
        init_scale_sweep([4], [3, 5], [0.1], 1, q=5)


def test_e5_low_dimensional_teacher_small_sigma_learns_d_star_states() -> None:
    from tempx.numerics.app.experiments import teacher_experiment

    rows = teacher_experiment("E5", "atoms:4/5@3/5,-1/2@2/5", 10, [6], [0.05, 1.0], seeds=4, steps=8000)
    assert {r["teacher"] for r in rows} == {"atoms:4/5@3/5,-1/2@2/5"} and {r["teacher_dim"] for r in rows} == {2}
    small = [r for r in rows if r["sigma"] == 0.05]
    large = [r for r in rows if r["sigma"] == 1.0]
    assert all(r["train_loss"] < 1e-4 for r in rows)
    assert all(r["hankel_rank"] == 2 for r in small) and all(r["hankel_rank"] > 2 for r in large)
    assert _median(small, 0.05) < 1e-4 and _median(large, 1.0) > 1e-2
    assert all(len(r["hankel_sv"]) == 6 for r in rows)  # m = 2d* + 2
    with pytest.raises(InvalidInput, match="q must exceed"):
        teacher_experiment("E5", "memoryless", 4, [5], [0.1], 1, q=5)


def test_e1_with_a_teacher_records_it() -> None:
    rows = init_scale_sweep([6], [5], [0.05], seeds=2, steps=200, teacher="geometric:1/2")
    assert {r["teacher"] for r in rows} == {"geometric:1/2"} and {r["teacher_dim"] for r in rows} == {1}


def test_limit_sweep_defaults_to_q_10k_and_e5_rows_carry_no_sign_pattern() -> None:
    from tempx.numerics.app.experiments import limit_sweep, teacher_experiment

    rows = limit_sweep(3, 2, 0.3, 1)
    assert rows[0]["q"] == 20 and rows[0]["init"] == "gaussian" and rows[0]["student"] == "dense"
    # model i starts from seed + i, and its row says so: the same model alone from that seed has the same limit
    two = limit_sweep(3, 2, 0.3, 2, seed=7)
    assert [r["seed"] for r in two] == [7, 8]
    alone = limit_sweep(3, 2, 0.3, 1, seed=8)
    assert alone[0]["seed"] == 8 and alone[0]["extrapolation_loss"] == pytest.approx(two[1]["extrapolation_loss"], rel=1e-9)
    e5 = teacher_experiment("E5", "atoms:1/2@1", 3, [2], [0.1], 1, steps=10, q=8)
    assert "negative_fraction" not in e5[0] or e5[0]["negative_fraction"] is None
    signed = teacher_experiment("E7", "memoryless", 3, [2], [0.1], 1, steps=10, q=8, student="diagonal", init="symmetric",
                                negative_fraction=0.5)
    assert signed[0]["negative_fraction"] == 0.5


def test_the_rank_of_a_non_linear_students_A_is_relative_to_its_largest_singular_value() -> None:
    """A row's A_rank (non-linear students) counts singular values above 1e-3 of the largest: for
    A = diag(10, 0.005, 0) that is 1 (0.005 < 0.01); for diag(1, 0.005, 0) it is 2."""
    from tempx.numerics.app.experiments import _rows
    from tempx.numerics.data import gaussian_sequences
    from tempx.numerics.drivers.descent import gd
    from tempx.numerics.students.elman import ElmanParams
    from tempx.numerics.teachers import memoryless

    for top, rank in ((10.0, 1), (1.0, 2)):
        p = ElmanParams(np.diag([top, 0.005, 0.0])[None], np.ones((1, 3, 1)), np.ones((1, 1, 3)), "tanh")
        res = gd(p, memoryless(3), 3, 0.1, 0, data=gaussian_sequences(8, 3, 0), qs=[6], mc=(64, 0))
        [row] = _rows(p, res, {}, 6, 0)
        assert row["A_rank"] == rank and row["extrapolation_se"] is not None


def test_rows_say_when_a_model_diverged_and_only_then() -> None:
    """A row's diverged_at is the step at which its model diverged, and None for a model that did not."""
    from tempx.numerics.app.experiments import _rows
    from tempx.numerics.drivers.descent import gd
    from tempx.numerics.students.dense import Params
    from tempx.numerics.teachers import memoryless

    calm = Params(np.zeros((1, 2, 2)), np.full((1, 2, 1), 0.5), np.full((1, 1, 2), 0.5))
    wild = Params(np.full((1, 2, 2), 3.0), np.full((1, 2, 1), 3.0), np.full((1, 1, 2), 3.0))
    p = Params.stack([calm, wild])
    res = gd(p, memoryless(3), 3, 0.05, 50, qs=[6])
    assert res.status == ("max_steps", "diverged")
    rows = _rows(p, res, {}, 6, 0)
    assert rows[0]["diverged_at"] is None and rows[1]["diverged_at"] == int(res.diverged_at[1]) >= 0

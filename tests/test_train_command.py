"""``tempx train``'s output, read line by line: the header, the teacher line, the table (against the JSON of the
same run, and the JSON against the library's own batch), the closing notes, and the configuration it records.
A wrong branch in the command (the wrong data line, a note printed when it does not apply, a seed or a σ
recorded for models read from a file) changes one of these lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from cli_helpers import assert_usage_error, run_cli

HANKEL_NOTE = "Hankel rank: numerical rank (relative tolerance 0.001) of the {n}×{n} Hankel matrix of the learned impulse response"
LIMIT_NOTE = (" (converged: L_k <= 1e-28·max(1, L_k(0)) and ‖∇L‖ <= 1e-13; budget: t_max or evaluations ran out)")


def _run(args: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The JSON document and the text lines of the same command."""
    js = run_cli([*args, "--format", "json"])
    assert js.returncode == 0, js.stderr
    tx = run_cli(args)
    assert tx.returncode == 0, tx.stderr
    assert js.stderr == "" and tx.stderr == ""
    return json.loads(js.stdout), tx.stdout.splitlines()


def e3(x: float | None) -> str:
    return "—" if x is None else f"{x:.3e}"


def _gd_rows(doc: dict[str, Any], qs: list[int]) -> list[list[str]]:
    rows = []
    for m in doc["models"]:
        cells = [str(m["model"]), "" if m["seed"] is None else str(m["seed"]), m["status"], str(m["steps"]), e3(m["train_loss"])]
        for q in qs:
            se = m.get("extrapolation_se", {}).get(str(q))
            cells.append(e3(m["extrapolation_loss"][str(q)]) + ("" if se is None else f" ± {1.96 * se:.1e}"))
        cells.append(str(m["hankel_rank"]))
        rows.append(cells)
    return rows


def _table_rows(lines: list[str], start: int, count: int) -> list[list[str]]:
    """Rows of a ``formatting.table`` (columns separated by two or more spaces)."""
    import re

    return [[c for c in re.split(r"\s{2,}", ln.strip())] for ln in lines[start:start + count]]


def test_gd_on_the_population_loss_reports_what_the_library_computes() -> None:
    from tempx.numerics.app.experiments import dense_of, seeded_batch, train
    from tempx.numerics.hankel import hankel_rank, hankel_singular_values
    from tempx.numerics.teachers import memoryless

    doc, lines = _run(["train", "--d", "3", "--k", "2", "--n-models", "2", "--steps", "20", "--seed", "5"])
    assert doc["config"] == {
        "student": "dense", "negative_fraction": 0.0, "d": 3, "k": 2, "init": "gaussian", "sigma": 0.1, "cap": None,
        "init_file": None, "n_models": 2, "seed": 5, "lr": 0.02, "steps": 20, "tol": 0.0, "q": [8], "loss": "last",
        "data": None, "online": None, "teacher": "memoryless", "teacher_dim": 1, "hankel_tol": 0.001,
        "mc_sequences": None, "sequences": None, "freeze": [], "optimizer": {"name": "gd", "schedule": "constant"}}
    assert doc["summary"] == {"converged": 0, "max_steps": 2, "diverged": 0}
    ref = train(seeded_batch("gaussian", 2, 3, 0.1, 5, None), memoryless(2), 2, 0.02, 20, qs=[8])
    sv = hankel_singular_values(dense_of(ref.params), 4)
    for i, m in enumerate(doc["models"]):
        assert (m["model"], m["seed"], m["status"], m["steps"], m["diverged_at"]) == (i, 5 + i, "max_steps", 20, None)
        assert m["train_loss"] == pytest.approx(ref.train_loss[i], rel=1e-12)
        assert m["extrapolation_loss"]["8"] == pytest.approx(ref.extrapolation_loss[i, 0], rel=1e-12)
        assert m["hankel_sv"] == pytest.approx(list(sv[i]), rel=1e-9, abs=1e-15) and m["hankel_rank"] == hankel_rank(sv)[i]
        assert "extrapolation_se" not in m and "A_singular_values" not in m
    assert doc["models"][0]["train_loss"] != doc["models"][1]["train_loss"]  # so a model's row cannot be its neighbour's
    assert lines[0] == ("GD on 2 linear RNNs: d = 3, k = 2, init = gaussian (σ = 0.1), η = 0.02, 20 steps, "
                        "population loss (last output)")
    assert lines[1].split() == ["model", "seed", "status", "steps", "L_2", "L_8", "Hankel", "rank"]
    assert _table_rows(lines, 3, 2) == _gd_rows(doc, [8])
    assert lines[5:] == ["2 max_steps", HANKEL_NOTE.format(n=4)]  # no teacher line, no Monte Carlo or divergence note


@pytest.mark.parametrize(("flag", "said"), [("--data", "16 training sequences"), ("--online", "16 fresh sequences per step")])
def test_gd_on_sequences_names_them_and_the_teacher(flag: str, said: str) -> None:
    doc, lines = _run(["train", "--d", "3", "--k", "2", "--n-models", "1", "--steps", "20", flag, "16",
                       "--teacher", "delay:1"])
    assert lines[0] == f"GD on 1 linear RNNs: d = 3, k = 2, init = gaussian (σ = 0.1), η = 0.02, 20 steps, {said} (last output)"
    assert lines[1] == "teacher delay:1 (minimal dimension d* = 2)"
    assert _table_rows(lines, 4, 1) == _gd_rows(doc, [8])
    assert lines[5:] == ["1 max_steps", HANKEL_NOTE.format(n=6)]  # the delay teacher's Hankel matrix: 2(d + d*) − 2 = 6
    cfg = doc["config"]
    assert (cfg["data"], cfg["online"]) == ((16, None) if flag == "--data" else (None, 16))
    assert (cfg["teacher"], cfg["teacher_dim"], cfg["mc_sequences"]) == ("delay:1", 2, None)


def test_a_nonlinear_student_reports_monte_carlo_errors_and_its_linear_parts_spectrum(tmp_path: Path) -> None:
    saved = tmp_path / "p.npz"
    args = ["train", "--d", "3", "--k", "2", "--n-models", "2", "--steps", "20", "--student", "tanh", "--data", "16",
            "--mc-sequences", "64", "--q", "4,6"]
    doc, lines = _run([*args, "--save-params", str(saved)])
    assert doc["config"]["mc_sequences"] == 64 and doc["config"]["student"] == "tanh"
    A = np.load(saved)["A"]
    for i, m in enumerate(doc["models"]):
        assert set(m["extrapolation_se"]) == {"4", "6"} and all(v > 0 for v in m["extrapolation_se"].values())
        assert m["A_singular_values"] == pytest.approx(list(np.linalg.svd(A[i], compute_uv=False)), rel=1e-12)
    assert lines[0].startswith("GD on 2 tanh RNNs: d = 3, k = 2,") and lines[0].endswith("16 training sequences (last output)")
    rows = _table_rows(lines, 3, 2)
    assert rows == _gd_rows(doc, [4, 6]) and all("±" in r[5] and "±" in r[6] for r in rows)
    assert lines[6] == HANKEL_NOTE.format(n=4) + " of the linear part (A, B, C)"
    assert lines[7] == ("L_q of a tanh student: Monte Carlo mean of (ŷ_q − y_q)² on 64 held-out Gaussian sequences "
                        "± 1.96 standard errors (95%); L_k: the training loss")
    assert len(lines) == 8


def test_divergence_at_the_first_step_is_step_zero_and_is_noted() -> None:
    """σ = 30: every model's loss is over the divergence bound at its start, so it diverges at step 0 — recorded
    as 0 (not as "never"), and the note on diverged models is printed."""
    doc, lines = _run(["train", "--d", "20", "--k", "5", "--sigma", "30", "--n-models", "2", "--steps", "50"])
    assert [(m["status"], m["diverged_at"], m["steps"]) for m in doc["models"]] == [("diverged", 0, 0)] * 2
    assert lines[-1] == "diverged models keep their last finite parameters; '—' marks a loss beyond float64 range"
    assert lines[-3] == "2 diverged"


def test_the_flow_limit_reports_its_conserved_quantity_and_tolerances(tmp_path: Path) -> None:
    doc, lines = _run(["train", "--d", "3", "--k", "2", "--n-models", "2", "--until-converged", "--sigma", "0.3"])
    cfg = doc["config"]
    assert (cfg["method"], cfg["t_max"], cfg["loss_tol"], cfg["grad_tol"]) == ("gradient flow (LSODA)", 1e12, 1e-28, 1e-13)
    assert (cfg["init"], cfg["sigma"], cfg["seed"], cfg["init_file"], cfg["q"]) == ("gaussian", 0.3, 0, None, [8])
    assert [m["seed"] for m in doc["models"]] == [0, 1] and doc["models"][0]["t"] != doc["models"][1]["t"]
    assert lines[0] == "gradient flow to the limit of 2 linear RNNs: d = 3, k = 2, init = gaussian (σ = 0.3), t_max = 1e+12"
    assert lines[1].split() == ["model", "seed", "status", "t", "L_2", "L_8", "‖∇L‖", "‖Q‖", "Hankel", "rank"]
    for m, row in zip(doc["models"], _table_rows(lines, 3, 2)):
        assert row == [str(m["model"]), str(m["seed"]), m["status"], f"{m['t']:.3g}", e3(m["train_loss"]),
                       e3(m["extrapolation_loss"]["8"]), e3(m["grad_norm"]), e3(m["Q_norm"]), str(m["hankel_rank"])]
    assert lines[5:] == ["2 converged" + LIMIT_NOTE]

    # on n = 4 sequences the flow runs on the empirical loss (its moment matrix, no loss weights): another limit
    data, _ = _run(["train", "--d", "3", "--k", "2", "--n-models", "2", "--until-converged", "--sigma", "0.3", "--data", "4"])
    assert data["config"]["data"] == 4 and data["models"][0]["status"] == "converged"
    pop, emp = doc["models"][0]["extrapolation_loss"]["8"], data["models"][0]["extrapolation_loss"]["8"]
    assert abs(emp - pop) > 0.3 * pop  # 1.7e-4 against 9.1e-5 here

    saved = tmp_path / "p.json"
    assert run_cli(["train", "--d", "3", "--k", "2", "--n-models", "1", "--student", "diagonal", "--sigma", "0.3",
                    "--steps", "0", "--save-params", str(saved)]).returncode == 0
    doc, lines = _run(["train", "--init-file", str(saved), "--k", "2", "--until-converged", "--teacher", "delay:1"])
    assert (doc["config"]["init"], doc["config"]["sigma"], doc["config"]["init_file"]) == ("file", None, str(saved))
    assert doc["models"][0]["seed"] is None
    assert lines[0] == "gradient flow to the limit of 1 real diagonal students: d = 3, k = 2, init = file, t_max = 1e+12"
    assert lines[1] == "teacher delay:1 (minimal dimension d* = 2)"
    assert lines[2].split()[7] == "‖|b|²−|c|²‖"
    assert lines[4].split()[:2] == ["0", "converged"]  # no seed for a model read from a file


def test_gd_runs_are_estimated_and_bounded_before_they_start() -> None:
    from tempx.theory.budget import TRAIN_SECONDS_LIMIT, gd_seconds

    assert gd_seconds(1, 4, 3, 10**12) > TRAIN_SECONDS_LIMIT > gd_seconds(256, 64, 16, 20_000)
    assert gd_seconds(2, 64, 4, 100, n_sequences=10) > 5 * gd_seconds(2, 64, 4, 100)
    assert_usage_error(run_cli(["train", "--d", "4", "--k", "3", "--steps", "1000000000000"]),
                       "estimated at about 60 days", "--init-file")
    assert_usage_error(run_cli(["train", "--student", "tanh", "--d", "64", "--k", "8", "--data", "10000", "--steps",
                                "100000000"]), "over the limit of one run")


def test_wide_students_flow_with_the_low_rank_integrator() -> None:
    doc, _ = _run(["train", "--d", "40", "--k", "3", "--n-models", "1", "--until-converged", "--sigma", "0.1"])
    assert doc["config"]["method"] == "gradient flow (NDF, Woodbury Newton systems)"  # P = 1 680 > 256
    assert doc["models"][0]["status"] == "converged"


def test_the_flow_to_the_limit_is_estimated_within_the_measured_range() -> None:
    """benchmarks/limit_certify.py measured one dense limit at 0.6 s (d = 20), 3.5 s (d = 256), 75 s (d = 1 024)."""
    from tempx.theory.budget import flow_seconds

    for d, measured in ((20, 0.6), (256, 3.5), (1024, 75.0)):
        est = flow_seconds(1, d * d + 2 * d, 5)
        assert measured / 3 <= est <= 3 * measured, (d, est)
    assert flow_seconds(4, 440, 5) == 4 * flow_seconds(1, 440, 5)

"""``tempx train``, ``tempx sweep`` and ``tempx experiment`` end to end, in a subprocess."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx


def test_train_json_and_save_params_round_trip(tmp_path: Path) -> None:
    saved = tmp_path / "final.json"
    proc = run_tempx(["train", "--d", "6", "--k", "3", "--sigma", "0.1", "--n-models", "3", "--steps", "300",
                      "--q", "6,12", "--format", "json", "--save-params", str(saved)])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["config"]["d"] == 6 and len(doc["models"]) == 3 and doc["models"][2]["seed"] == 2
    assert set(doc["models"][0]["extrapolation_loss"]) == {"6", "12"}
    assert len(json.loads(saved.read_text())) == 3
    cont = run_cli(["train", "--k", "3", "--init", "file", "--init-file", str(saved), "--steps", "0", "--format", "json"])
    assert cont.returncode == 0, cont.stderr
    # zero steps from the saved parameters reproduce the final losses of the first run
    for a, b in zip(doc["models"], json.loads(cont.stdout)["models"]):
        assert a["train_loss"] == pytest.approx(b["train_loss"], rel=1e-12)


def test_train_is_reproducible_and_reports_divergence() -> None:
    args = ["train", "--d", "20", "--k", "5", "--sigma", "3", "--n-models", "2", "--steps", "500", "--format", "json"]
    a, b = run_tempx(args), run_cli(args)  # the installed script and the entry point in this process agree
    assert a.returncode == 0 and a.stdout == b.stdout
    models = json.loads(a.stdout)["models"]
    assert all(m["status"] == "diverged" and m["diverged_at"] is not None for m in models)
    assert "NaN" not in a.stdout and "Infinity" not in a.stdout


def test_train_from_counterexample_file(tmp_path: Path) -> None:
    ce = run_cli(["counterexample", "--k", "3", "--d", "4", "--c", "2", "--format", "json"])
    (tmp_path / "ce.json").write_text(ce.stdout)
    proc = run_tempx(["train", "--k", "3", "--init-file", str(tmp_path / "ce.json"), "--steps", "100", "--q", "4",
                      "--tol", "1e-20", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    [m] = json.loads(proc.stdout)["models"]
    # zero loss from the start (converged at step 0), L_4 = c² = 4: the counterexample interpolates, never extrapolates
    assert m["status"] == "converged" and m["steps"] == 0 and m["train_loss"] == 0 and m["extrapolation_loss"]["4"] == 4


def test_sweep_writes_table_and_figures(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    proc = run_tempx(["sweep", "--d", "6", "--k", "3", "--sigmas", "0.05,1", "--seeds", "2", "--steps", "500", "--out", str(out)])
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader((out / "results.csv").read_text().splitlines()))
    assert len(rows) == 4 and {r["sigma"] for r in rows} == {"0.05", "1.0"}
    doc = json.loads((out / "results.json").read_text())
    assert len(doc["rows"]) == 4 and doc["config"]["seeds"] == 2
    for name in ("extrapolation_vs_sigma", "extrapolation_vs_Q0"):
        assert (out / f"{name}.png").stat().st_size > 1000 and (out / f"{name}.pdf").stat().st_size > 1000
    assert not list(out.glob(".*.tmp"))  # no temporary files left behind
    # the same cell computed again in this process gives the table's numbers (the figures are not drawn again)
    from tempx.numerics.app.commands.sweep import _cell

    again = _cell((6, 3, 1.0), 2, "gaussian", 0.02, 500, None, None, "memoryless", "dense")
    table = [r for r in doc["rows"] if r["sigma"] == 1.0]
    assert [r["extrapolation_loss"] for r in again] == [r["extrapolation_loss"] for r in table]
    assert [r["train_loss"] for r in again] == [r["train_loss"] for r in table]


def test_experiment_e3(tmp_path: Path) -> None:
    proc = run_tempx(["experiment", "E3", "--out", str(tmp_path), "--progress"])
    assert proc.returncode == 0, proc.stderr
    drawn = [seg for seg in proc.stderr.splitlines() if seg.startswith("E3 [")]  # text mode: each \r is a line end
    assert drawn and all("100.0% 1/1" in seg for seg in drawn), proc.stderr[-300:]  # each unit counted once done
    doc = json.loads((tmp_path / "E3.json").read_text())
    assert doc["k"] == 5 and (tmp_path / "E3_extrapolation_vs_length.png").exists()


def test_experiment_uses_the_reproduce_presets_and_the_seed(tmp_path: Path) -> None:
    from tempx.numerics.app.reproduce import SCALES

    proc = run_cli(["experiment", "E2", "--out", str(tmp_path), "--seed", "3"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "E2.json").read_text())
    preset = SCALES["quick"]["E2"]
    assert doc["preset"] == preset and doc["seed"] == 3
    assert len(doc["rows"]) == len(preset["ks"]) * preset["seeds"]
    assert {r["seed"] for r in doc["rows"]} == set(range(3, 3 + preset["seeds"]))
    assert (tmp_path / "E2.tex").exists() and (tmp_path / "E2_symmetric.pdf").exists()


@pytest.mark.parametrize(
    "args, needles",
    [
        (["train", "--k", "3"], ["--d is required"]),
        (["train", "--k", "3", "--d", "0"], ["--d"]),
        (["train", "--k", "3", "--d", "4", "--sigma", "0"], ["--sigma", "> 0"]),
        (["train", "--k", "3", "--d", "4", "--sigma", "-1"], ["--sigma"]),
        (["train", "--k", "3", "--d", "4", "--lr", "0"], ["--lr"]),
        (["train", "--k", "3", "--d", "4", "--lr", "inf"], ["--lr", "finite"]),
        (["train", "--k", "3", "--d", "4", "--steps", "-5"], ["--steps"]),
        (["train", "--k", "3", "--d", "4", "--n-models", "0"], ["--n-models"]),
        (["train", "--k", "3", "--d", "4", "--q", "4,x"], ["--q"]),
        (["train", "--k", "3", "--init", "file"], ["--init-file"]),
        (["train", "--k", "3", "--init-file", "/no/such/file.json"], ["cannot read"]),
        (["train", "--k", "3", "--d", "4", "--loss", "mean"], ["invalid choice"]),
        (["train", "--k", "3", "--d", "4", "--data", "5", "--loss", "all"], ["--data"]),
        (["train", "--k", "3", "--d", "4", "--save-params", "/no/such/dir/p.json"], ["--save-params"]),
        (["train", "--k", "3", "--d", "4", "--until-converged", "--steps", "5"], ["--steps", "gradient flow"]),
        (["train", "--k", "3", "--d", "4", "--until-converged", "--lr", "0.1", "--tol", "0"], ["--lr, --tol"]),
        (["train", "--k", "3", "--d", "4", "--t-max", "10"], ["--t-max", "--until-converged"]),
        (["train", "--k", "3", "--d", "4", "--until-converged", "--t-max", "0"], ["--t-max", "> 0"]),
        (["train", "--k", "3", "--d", "4", "--until-converged", "--jobs", "0"], ["--jobs"]),
        (["train", "--k", "3", "--d", "4", "--student", "lstm"], ["unknown student", "dense, diagonal, complex, lru"]),
        (["train", "--k", "3", "--d", "4", "--student", "lru", "--init", "gaussian"], ["lru", "ring, symmetric"]),
        (["sweep", "--d", "4", "--k", "3", "--sigmas", "0.1,0", "--seeds", "2", "--out", "OUT"], ["--sigmas"]),
        (["sweep", "--d", "4", "--k", "3", "--sigmas", "0.1", "--seeds", "0", "--out", "OUT"], ["--seeds"]),
        (["sweep", "--d", "4", "--k", "3,6", "--sigmas", "0.1", "--seeds", "1", "--q", "5", "--out", "OUT"], ["--q"]),
        (["sweep", "--d", "4", "--k", "3", "--sigmas", "0.1", "--seeds", "1", "--out", "/proc/forbidden"], ["cannot create"]),
        (["experiment", "E12", "--out", "OUT"], ["invalid choice"]),
        (["experiment", "E2", "--quick", "--full", "--out", "OUT"], ["not allowed"]),
    ],
)
def test_bad_input_gives_one_line_exit_2_and_no_output(tmp_path: Path, args: list[str], needles: list[str]) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    assert_usage_error(run_cli(args, cwd=str(tmp_path)), *needles)
    assert not (tmp_path / "out").exists()


def test_malformed_init_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"A": [[1, 2], [3]], "B": [[1], [1]], "C": [[1, 1]]}')
    assert_usage_error(run_cli(["train", "--k", "3", "--init-file", str(bad)]), "'A' must be a 2×2")
    bad.write_text('{"A": [[1]], "B": [[1]], "C": [[1]]}')
    assert_usage_error(run_cli(["train", "--k", "3", "--d", "2", "--init-file", str(bad)]), "does not match")


def test_train_and_sweep_take_a_teacher(tmp_path: Path) -> None:
    proc = run_cli(["train", "--d", "8", "--k", "6", "--teacher", "atoms:4/5@3/5,-1/2@2/5", "--sigma", "0.05",
                      "--steps", "3000", "--n-models", "2", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["config"]["teacher"] == "atoms:4/5@3/5,-1/2@2/5" and doc["config"]["teacher_dim"] == 2
    assert all(m["hankel_rank"] == 2 and len(m["hankel_sv"]) == 6 for m in doc["models"])
    out = tmp_path / "sw"
    sw = run_cli(["sweep", "--d", "6", "--k", "3", "--sigmas", "0.1", "--seeds", "1", "--steps", "50",
                    "--teacher", "oscillating:1/2:1/2", "--out", str(out)])
    assert sw.returncode == 0, sw.stderr
    rows = list(csv.DictReader((out / "results.csv").read_text().splitlines()))
    assert rows[0]["teacher"] == "oscillating:1/2:1/2" and rows[0]["hankel_rank"] != ""


@pytest.mark.parametrize("command", [["train", "--d", "3", "--k", "3"], ["sweep", "--d", "3", "--k", "3", "--sigmas",
                                                                         "0.1", "--seeds", "1"]])
def test_bad_teacher_on_train_and_sweep(tmp_path: Path, command: list[str]) -> None:
    out = tmp_path / "never"
    extra = ["--out", str(out)] if command[0] == "sweep" else []
    assert_usage_error(run_tempx([*command, *extra, "--teacher", "atoms:1@0"]), "weight of atom 1 is zero")
    assert not out.exists()


def test_train_until_converged_json_and_budget(tmp_path: Path) -> None:
    out = tmp_path / "limit.json"
    proc = run_tempx(["train", "--d", "4", "--k", "2", "--sigma", "0.3", "--n-models", "2", "--until-converged",
                      "--q", "8,20", "--format", "json", "--save-params", str(out)])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["summary"]["converged"] == 2 and doc["config"]["method"].startswith("gradient flow")
    for m in doc["models"]:
        assert m["status"] == "converged" and m["train_loss"] <= 1e-28 and m["grad_norm"] <= 1e-13
        assert set(m["extrapolation_loss"]) == {"8", "20"} and m["Q_drift"] <= 1e-8 * (1 + m["Q_norm"])
    assert len(json.loads(out.read_text())) == 2
    proc = run_tempx(["train", "--d", "4", "--k", "2", "--sigma", "0.3", "--n-models", "1", "--until-converged",
                      "--t-max", "0.5"])
    assert proc.returncode == 0 and "budget" in proc.stdout and "1 budget" in proc.stdout


@pytest.mark.slow  # starts worker processes; .ci/run runs it
def test_sweep_in_processes_gives_the_same_table_for_a_diagonal_student_and_a_teacher(tmp_path: Path) -> None:
    args = ["sweep", "--d", "4", "--k", "3", "--sigmas", "0.1,0.5,1", "--seeds", "2", "--steps", "200",
            "--student", "diagonal", "--teacher", "geometric:1/2"]
    a = run_tempx([*args, "--out", str(tmp_path / "a")])
    b = run_tempx([*args, "--out", str(tmp_path / "b"), "--jobs", "2"])
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    assert (tmp_path / "a" / "results.json").read_bytes() == (tmp_path / "b" / "results.json").read_bytes()
    rows = json.loads((tmp_path / "a" / "results.json").read_text())["rows"]
    assert {r["student"] for r in rows} == {"diagonal"} and {r["teacher"] for r in rows} == {"geometric:1/2"}


@pytest.mark.parametrize(
    ("extra", "accepted"),
    [
        (["--student", "diagonal", "--init", "symmetric", "--negative-fraction", "1"], True),  # the end of [0, 1]
        (["--student", "diagonal", "--init", "symmetric", "--negative-fraction", "1.01"], False),
        (["--student", "diagonal", "--init", "gaussian", "--negative-fraction", "0.5"], False),
        (["--student", "dense", "--init", "symmetric", "--negative-fraction", "0.5"], False),
        (["--student", "lru", "--r-min", "0.3"], True),  # lru: ring radii with its own init
        (["--student", "complex", "--init", "ring", "--r-max", "0.95"], True),
        (["--student", "complex", "--init", "symmetric", "--r-min", "0.3"], False),
        (["--student", "dense", "--r-max", "0.95"], False),
        (["--student", "dense", "--init", "symmetric", "--cap", "0.9"], True),
        (["--student", "dense", "--init", "gaussian", "--cap", "0.9"], False),
        (["--student", "diagonal", "--init", "symmetric", "--cap", "0.9"], False),
        (["--student", "tanh", "--data", "8", "--mc-sequences", "2"], True),  # two samples: a standard error
        (["--student", "tanh", "--data", "8", "--mc-sequences", "1"], False),
        (["--jobs", "1"], True),  # the default is not "given"
        (["--jobs", "2"], False),
    ],
)
def test_option_pairs_at_their_boundaries(extra: list[str], accepted: bool) -> None:
    """Options that only mean something with another one: accepted exactly where they apply, refused in one
    line elsewhere (never silently ignored)."""
    proc = run_cli(["train", "--k", "2", "--d", "2", "--n-models", "1", "--steps", "0", "--q", "4", *extra])
    if accepted:
        assert proc.returncode == 0, proc.stderr
    else:
        assert_usage_error(proc)


def test_train_text_lists_each_models_seed(tmp_path: Path) -> None:
    """The text table's seed column: seed + i for seeded inits, empty for models read from a file."""
    proc = run_cli(["train", "--d", "3", "--k", "2", "--sigma", "0.3", "--n-models", "2", "--steps", "10", "--seed", "7",
                      "--save-params", str(tmp_path / "p.json")])
    assert proc.returncode == 0, proc.stderr
    rows = [ln.split() for ln in proc.stdout.splitlines()[3:5]]
    assert [r[:2] for r in rows] == [["0", "7"], ["1", "8"]]
    again = run_cli(["train", "--init", "file", "--init-file", str(tmp_path / "p.json"), "--k", "2", "--steps", "10"])
    assert again.returncode == 0, again.stderr
    assert [ln.split()[1] for ln in again.stdout.splitlines()[3:5]] == ["max_steps", "max_steps"]  # no seed column value


def test_the_flow_limit_uses_the_loss_asked_for() -> None:
    """--until-converged --loss all runs the flow of the all-outputs loss: a different limit from the last-output
    loss (L_8 of the same start differs), and the configuration says which."""
    got = {}
    for loss in ("last", "all"):
        proc = run_cli(["train", "--d", "4", "--k", "2", "--sigma", "0.3", "--n-models", "1", "--until-converged",
                          "--q", "8", "--loss", loss, "--format", "json"])
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        assert doc["config"]["loss"] == loss and doc["models"][0]["status"] == "converged"
        assert doc["models"][0]["seed"] == 0  # seeded init: seed + model index
        got[loss] = doc["models"][0]["extrapolation_loss"]["8"]
    assert abs(got["all"] - got["last"]) > 0.05 * got["last"]  # 7.3e-6 vs 6.6e-6 here


def test_the_memory_estimate_of_a_model_file_counts_its_data_or_online_sequences(tmp_path: Path) -> None:
    """Training models read from a file on 10⁷ sequences (data or online, k = 3: 240 MB of inputs) is refused
    from the estimate, before any array exists, under a 400 MB limit (the estimate: 1.1 × (the 100 MiB interpreter
    + 128 MiB of numeric libraries + 229 MiB of arrays))."""
    saved = tmp_path / "p.json"
    assert run_cli(["train", "--d", "2", "--k", "3", "--steps", "1", "--save-params", str(saved)]).returncode == 0
    for flag in ("--data", "--online"):
        proc = run_cli(["--memory-limit", "400MB", "train", "--init", "file", "--init-file", str(saved), "--k", "3",
                        flag, "10000000", "--steps", "1"])
        assert_usage_error(proc, "needs about 503 MiB, over the memory limit")

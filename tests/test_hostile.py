"""The last findings of a hostile run of generated command lines, each now one line (or a clean result):
standard output closed, a malformed TEMPX_MEMORY_LIMIT or TEMPX_WORK_LIMIT, a thousand-entry --d list, and a sweep
in which every model diverges.  (A signal while a LocalCluster starts: tests/test_cluster.py; several models
certified at a large k: tests/test_certify.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import assert_usage_error, run_cli


def test_standard_output_closed_is_one_line_before_any_work() -> None:
    """`tempx counterexample --k 30 --format json >&-`: Python starts with sys.stdout = None; print would drop the
    output silently and the final flush raised AttributeError.  Now: one line on stderr, status 1."""
    proc = subprocess.run([sys.executable, "-m", "tempx", "counterexample", "--k", "30", "--format", "json"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False,
                          preexec_fn=lambda: os.close(1))
    assert proc.returncode == 1 and proc.stderr == "tempx: error: cannot write the output: standard output is closed\n"


@pytest.mark.parametrize(("name", "value", "needle"), [("TEMPX_MEMORY_LIMIT", "abc", "TEMPX_MEMORY_LIMIT must be a size"),
                                                        ("TEMPX_WORK_LIMIT", "-1", "TEMPX_WORK_LIMIT must be a number")])
def test_a_malformed_limit_in_the_environment_is_refused_by_every_command(monkeypatch: pytest.MonkeyPatch, name: str,
                                                                          value: str, needle: str) -> None:
    """Before, a command that checks no estimate (threshold at a small k) ignored it silently."""
    monkeypatch.setenv(name, value)
    for args in (["threshold", "--k", "3"], ["verify", "--claims", "C5"]):
        assert_usage_error(run_cli(args), needle)


def test_the_sweeps_lists_are_bounded_before_anything_runs(tmp_path: Path) -> None:
    base = ["sweep", "--k", "2", "--sigmas", "0.1", "--seeds", "1", "--out", str(tmp_path / "s")]
    assert_usage_error(run_cli([*base, "--d", ",".join(["1"] * 1000)]), "--d lists 1000 values; at most 64")
    assert_usage_error(run_cli([*base, "--d", "1,2,1"]), "--d lists a value more than once (1)")
    many = ",".join(str(0.01 * i) for i in range(1, 64))
    assert_usage_error(run_cli(["sweep", "--d", "2,3", "--k", "2,3", "--sigmas", many, "--seeds", "500", "--out",
                                str(tmp_path / "s")]), "a sweep trains at most 100000")
    assert not (tmp_path / "s").exists()


def test_a_sweep_in_which_every_model_diverges_says_so_in_one_line(tmp_path: Path) -> None:
    """σ = 1e308: every model diverges at once; the tables are written, no figure is drawn, and nothing leaks to
    stderr (no matplotlib warning, no 'Data cannot be log-scaled')."""
    out = tmp_path / "s"
    proc = run_cli(["sweep", "--d", "2", "--k", "2", "--sigmas", "1e308", "--seeds", "2", "--steps", "10", "--out",
                    str(out)])
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.startswith("every model diverged") and proc.stdout.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == ["results.csv", "results.json"]
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert len(rows) == 2 and all(r["status"] == "diverged" for r in rows)

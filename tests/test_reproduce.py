"""``tempx reproduce`` end to end on a tiny configuration: outputs agree, resume, jobs."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx
from tex_helpers import ARTICLE, compile_tex, needs_tex

from tempx.numerics.app.costs import estimate_seconds
from tempx.numerics.app.reproduce import plan
from tempx.numerics.students import dense_kernels as kernels
from tempx.theory.claims import CLAIMS
from tempx.theory.errors import InvalidInput

TINY = {
    "E1": {"cells": [[6, 3]], "sigmas": [0.05, 1.0], "seeds": 2, "steps": 300, "lr": 0.02},
    "E2": {"d": 4, "ks": [2, 3], "seeds": 2, "sigma": 0.5, "cap": 0.9, "steps": 300, "lr": 0.05},
    "E3": {"d": 6, "k": 3, "q_max": 12, "steps": 300, "lr": 0.02},
    "E4": {"cells": [[6, 3]], "sigmas": [0.05, 1.0], "seeds": 2, "steps": 300, "lr": 0.02, "n_data": 4},
    "E5": {"teachers": ["atoms:1/2@1", "oscillating:3/5:3/5"], "d": 4, "ks": [2, 3], "sigmas": [0.05, 1.0], "seeds": 2,
           "steps": 300, "lr": 0.02, "q": 8},
    "E6": {"teachers": ["atoms:4/5@3/5,-1/2@2/5"], "d": 4, "k": 5, "sigmas": [0.05, 1.0], "seeds": 2, "steps": 300,
           "lr": 0.02, "q": 8},
    "E1L": {"cells": [[4, 2]], "sigmas": [0.1, 0.2, 0.3, 1.0], "seeds": 3, "t_max": 1e12, "q_factor": 10,
            "certify_sigma_max": 0.1, "fit_sigma_max": 0.5},
    "E7": {"teachers": ["memoryless"], "students": ["dense", "lru"], "d": 3, "k": 2, "sigmas": [0.1], "seeds": 2,
           "t_max": 1e12, "max_evals": 5000, "q": 8, "sign_teachers": ["atoms:4/5@3/5,-1/2@2/5"], "sign_fractions": [0.0],
           "sign_sigma": 0.1},
    "E8": {"students": ["dense", "tanh"], "teachers": ["memoryless"], "d": 3, "k": 2, "sigmas": [0.1], "seeds": 2,
           "n_data": 8, "steps": 50, "lr": 0.02, "q": 6, "mc_sequences": 64},
    "E9": {"series": [{"student": "dense", "teacher": "memoryless", "cells": [[4, 2]]}], "sigmas": [0.1, 0.2, 0.3],
           "seeds": 2, "t_max": 1e12, "max_evals": 20000, "q_factor": 10},
}
# Slower units for the interruption test: each E1 cell takes about half a second with either GD
# engine (measured), so a kill sent within 50 ms of the 8th finished unit lands between units.
SLOW = {**{k: v for k, v in TINY.items() if k not in ("E1L", "E7", "E8", "E9")}, "E1": {"cells": [[30, 6]], "sigmas": [0.05, 0.1, 0.3, 0.5, 1.0], "seeds": 2, "lr": 0.02,
                       "steps": 200_000 if kernels.AVAILABLE else 4000}}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("reproduce")
    cfg = base / "tiny.json"
    cfg.write_text(json.dumps(TINY))
    out = base / "out"
    proc = run_tempx(["reproduce", "--out", str(out), "--config", str(cfg)])
    assert proc.returncode == 0, proc.stderr
    return out, cfg


def test_outputs_exist_and_agree(tiny: tuple[Path, Path]) -> None:
    out, cfg = tiny
    doc = json.loads((out / "results.json").read_text())
    report = (out / "REPORT.md").read_text()
    # the report's command is the one that was run (with its --config), not a reconstruction
    assert f"    tempx reproduce --out {out} --config {cfg}\n" in report.split("## Reproduce")[1]
    for fig in ("E1_extrapolation_vs_sigma", "E1_extrapolation_vs_Q0", "E2_symmetric", "E3_extrapolation_vs_length",
                "E4_extrapolation_vs_sigma", "E4_extrapolation_vs_Q0", "E5_extrapolation_vs_k", "E6_hankel_spectrum"):
        assert (out / "figures" / f"{fig}.png").stat().st_size > 1000 and (out / "figures" / f"{fig}.pdf").exists()
    assert "figures/E1_extrapolation_vs_sigma.png" in report
    for name in ("claims", "E1", "E2", "E4", "E5", "E6"):
        assert (out / "tables" / f"{name}.tex").read_text().count("\\\\") >= 2
    env = json.loads((out / "environment.json").read_text())
    assert {"command", "packages", "python", "unit_seconds"} <= set(env)
    # the claims table, the CSV and results.json say the same
    assert [c["id"] for c in doc["claims"]] == [c.id for c in CLAIMS] and all(c["passed"] for c in doc["claims"])
    assert {r["teacher"] for r in doc["E5"]["rows"]} == set(TINY["E5"]["teachers"])
    assert "## E5" in report and "## E6" in report and "figures/E6_hankel_spectrum.png" in report
    assert "## E2 — symmetric-balanced initialization (claims C5, C6)" in report and "figures/E2_symmetric.png" in report
    assert any(k["name"].startswith("E6: models whose learned Hankel rank") for k in doc["key_numbers"])
    assert any(k["name"].startswith("E1: median L_12 after GD, d=6, k=3, smallest vs largest σ") for k in doc["key_numbers"])
    assert all(f"| {c['id']} |" in report for c in doc["claims"])
    rows = list(csv.DictReader((out / "E1.csv").read_text().splitlines()))
    assert len(rows) == len(doc["E1"]["rows"]) == 4
    for r, j in zip(rows, doc["E1"]["rows"]):
        assert float(r["extrapolation_loss"]) == j["extrapolation_loss"] and int(r["seed"]) == j["seed"]
    # every key number in the report is in results.json
    for k in doc["key_numbers"]:
        assert f"{k['name']}: **{k['value']}**" in report
    for s in doc["E1"]["summary"]:
        assert f"{s['median']:.2e}" in report and f"{s['median']:.2e}".replace("e-0", "\\times 10^{-") in \
            (out / "tables" / "E1.tex").read_text().replace("e-0", "\\times 10^{-")
    assert doc["packages"]["numpy"] and doc["seed"] == 0
    # E1L: every model drawn (never dropped), the fit over σ <= fit_sigma_max, exact L_inf at small σ (C14)
    e1l = doc["E1L"]
    assert len(e1l["rows"]) == 12 and sum(s["n"] for s in e1l["summary"]) == 12
    fit = e1l["fits"][0]
    assert fit["sigmas"] == [0.1, 0.2, 0.3] and fit["ci_low"] <= fit["exponent"] <= fit["ci_high"]
    assert f"{fit['exponent']:.2f}" in report and "figures/E1L_limit_vs_sigma.png" in report
    assert [r["sigma"] for r in e1l["certified"]] == [0.1] * 3
    for r in e1l["certified"]:
        exact = Fraction(r["L_inf_exact"])  # the limit's L_inf, decided exactly, inside its float interval
        assert r["certified"] and Fraction(r["L_inf_lower"]) <= exact <= Fraction(r["L_inf_upper"])
        assert r["L_inf_digits"] == len(r["L_inf_exact"].replace("/", "")) and f"| {r['L_inf_digits']} |" in report
    assert (out / "figures" / "E1L_limit_vs_sigma.png").stat().st_size > 1000
    assert (out / "tables" / "E1L_certified.tex").read_text().count("\\\\") >= 3
    assert len(list(csv.DictReader((out / "E1L.csv").read_text().splitlines()))) == 12
    # E7 at the limit: every student's models counted, exact L_inf for the converged ones
    e7 = doc["E7"]
    assert {(s["student"], s["n"]) for s in e7["summary"]} == {("dense", 2), ("lru", 2)} and len(e7["signs"]) == 1
    for r in e7["rows"]:  # the sign fraction is recorded where it applies (diagonal, symmetric) and 0 elsewhere
        assert r["negative_fraction"] == 0.0 or (r["student"], r["init"]) == ("diagonal", "symmetric")
        if r["status"] == "converged":
            assert r["L_inf_exact"] is not None and (r["L_inf_exact"] == "inf" or r["certified"])
    for s in e7["summary"]:
        assert f"| {s['converged']}/{s['n']} | {s['linf_finite']}/{s['linf_decided']} |" in report
    assert (out / "figures" / "E7_students.png").stat().st_size > 1000 and "## E7" in report
    # E9: the exponent of the limit's L_q against σ, in results.json, the table, the figure and the report
    fit9 = doc["E9"]["fits"][0]
    assert (fit9["student"], fit9["k"], fit9["n"]) == ("dense", 2, 6)
    assert fit9["exponent"] is not None and fit9["ci_low"] <= fit9["exponent"] <= fit9["ci_high"]
    assert f"{fit9['exponent']:.2f}" in report and (out / "figures" / "E9_exponent_vs_k.png").stat().st_size > 1000
    assert (out / "tables" / "E9.tex").read_text().count("\\\\") >= 2
    assert len(list(csv.DictReader((out / "E9.csv").read_text().splitlines()))) == 6
    # E8: linear and tanh students on the same data, the tanh L_q with its Monte Carlo standard error
    e8 = {s["student"]: s for s in doc["E8"]["summary"]}
    assert set(e8) == {"dense", "tanh"} and e8["dense"]["median_se"] is None and e8["tanh"]["median_se"] > 0
    assert (out / "figures" / "E8_nonlinear_vs_sigma.png").stat().st_size > 1000 and "## E8" in report
    assert all(r["mc_sequences"] == 64 for r in doc["E8"]["rows"] if r["student"] == "tanh")
    # figures are numbered 1, 2, 3, … in the order they appear, each once
    numbers = [int(n) for n in re.findall(r"\*Figure (\d+)\.", report)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10


@pytest.mark.slow  # re-renders every figure (about 10 s); .ci/run runs it
def test_rerun_reuses_the_cache_and_is_byte_identical(tiny: tuple[Path, Path]) -> None:
    """The same command again (in this process; the first run was the installed script): every unit comes from
    cache/, the command returns the integer 0, and results.json is the same to the byte."""
    out, cfg = tiny
    before = (out / "results.json").read_bytes()
    proc = run_cli(["reproduce", "--out", str(out), "--config", str(cfg)])
    assert proc.returncode == 0 and f"found {len(plan('custom', 0, config=TINY))} finished units" in proc.stderr
    assert (out / "results.json").read_bytes() == before


@pytest.mark.slow  # starts worker processes; .ci/run runs it
def test_jobs_2_gives_the_same_numbers(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    out, cfg = tiny
    proc = run_tempx(["reproduce", "--out", str(tmp_path / "j2"), "--config", str(cfg), "--jobs", "2"])
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "j2" / "results.json").read_bytes() == (out / "results.json").read_bytes()


@pytest.mark.slow  # about 20 s; .ci/run runs it
def test_killed_run_resumes_with_identical_results(tmp_path: Path) -> None:
    cfg = tmp_path / "slow.json"
    cfg.write_text(json.dumps(SLOW))
    ref = run_tempx(["reproduce", "--out", str(tmp_path / "ref"), "--config", str(cfg)])
    assert ref.returncode == 0, ref.stderr
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "tempx.numerics.app.cli", "reproduce", "--out", str(out), "--config", str(cfg)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "cache").glob("*.json"))) < 8:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # between cells: 6 claims and at least 2 sweep cells are done
    proc.communicate()
    cached = len(list((out / "cache").glob("*.json")))
    assert 8 <= cached < 16 and not (out / "results.json").exists()
    resumed = run_tempx(["reproduce", "--out", str(out), "--config", str(cfg)])
    assert resumed.returncode == 0, resumed.stderr
    assert f"found {cached} finished units" in resumed.stderr
    assert (out / "results.json").read_bytes() == (tmp_path / "ref" / "results.json").read_bytes()


def test_folder_of_another_version_is_refused_and_untouched(tmp_path: Path) -> None:
    out = tmp_path / "old"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"code_version": "0.0.1+deadbeef"}))
    (out / "results.json").write_text("old")
    assert_usage_error(run_tempx(["reproduce", "--out", str(out)]), "0.0.1+deadbeef", "another --out")
    assert (out / "results.json").read_text() == "old"


@pytest.mark.parametrize(
    "args, needles",
    [(["reproduce", "--out", "/proc/nope"], ["cannot create"]), (["reproduce", "--jobs", "0"], ["--jobs"]),
     (["reproduce", "--seed", "x"], ["--seed"]), (["reproduce", "--quick", "--full"], ["not allowed"]),
     (["reproduce", "--frobnicate"], ["unrecognized"]), (["reproduce", "--config", "/no/file.json"], ["cannot read"])],
)
def test_bad_input(tmp_path: Path, args: list[str], needles: list[str]) -> None:
    assert_usage_error(run_cli(args, cwd=str(tmp_path)), *needles)
    assert not (tmp_path / "tempx-results").exists()


@pytest.mark.parametrize("cfg", [{"E99": {}}, ["E3"], "E3", {"E3": {"d": 4}}, {"E3": 5}])
def test_a_config_that_is_not_an_object_of_complete_experiments_is_one_line(tmp_path: Path, cfg: object) -> None:
    """An unknown experiment, a list or a string of experiment names, an experiment with missing or non-object
    parameters: each refused in one line before anything runs (never a KeyError or AttributeError)."""
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps(cfg))
    proc = run_cli(["reproduce", "--out", str(tmp_path / "out"), "--config", str(path), "--dry-run"])
    assert_usage_error(proc, "--config")
    assert not (tmp_path / "out").exists()


SMALL = {"E3": {"d": 4, "k": 2, "q_max": 6, "steps": 50, "lr": 0.02},
         "E2": {"d": 3, "ks": [3], "seeds": 1, "sigma": 0.5, "cap": 0.9, "steps": 50, "lr": 0.05}}


def test_run_units_in_process_progress_timings_and_damaged_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs 1 computes in this process (no pool); the counter reaches total in order; unit times are
    recorded; a damaged cache entry is recomputed, not read as finished, and gives the same result."""
    import tempx.numerics.app.reproduce as rp

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("--jobs 1 must not start worker processes")

    from tempx.numerics.drivers import executors

    monkeypatch.setattr(executors, "ProcessPoolExecutor", no_pool)
    units = rp.plan("custom", 0, ["C5"], config=SMALL)
    lines: list[str] = []
    start = time.perf_counter()
    results, timings = rp.run_units(units, tmp_path, "test-code", 1, lines.append)
    elapsed = time.perf_counter() - start
    assert [int(line.split("/")[0].strip("[")) for line in lines] == list(range(1, len(units) + 1))
    assert all(line.startswith(f"[{i}/{len(units)}]") for i, line in enumerate(lines, 1))
    assert set(timings) == {u.label() for u in units} and all(0 <= t <= elapsed for t in timings.values())
    victim = units[-1]
    (tmp_path / "cache" / f"{victim.key('test-code')}.json").write_text('{"unit": ')  # truncated by hand
    again: list[str] = []
    results2, _ = rp.run_units(units, tmp_path, "test-code", 1, again.append)
    assert again[0].startswith(f"[{len(units) - 1}/{len(units)}] found {len(units) - 1} finished units")
    assert again[1].startswith(f"[{len(units)}/{len(units)}] {victim.label()}")
    assert results2 == results


def test_unit_keys_depend_on_parameters_and_code() -> None:
    from tempx.numerics.app.reproduce import Unit

    a = Unit.of("E3", d=4, k=2)
    assert a.key("x") == Unit.of("E3", k=2, d=4).key("x")  # order of parameters does not matter
    assert a.key("x") != a.key("y") and a.key("x") != Unit.of("E3", d=5, k=2).key("x")
    assert Unit.of("C5", seed=0).label() == "claim C5"
    assert Unit.of("E5", teacher="delay:2", d=3, k=4, sigma=0.1).label() == "E5 teacher=delay:2 d=3 k=4 sigma=0.1"
    sign = Unit.of("E7", teacher="memoryless", student="diagonal", sigma=0.1, init="symmetric", negative_fraction=0.25)
    assert sign.label().endswith("negative_fraction=0.25")
    for init, student in (("gaussian", "diagonal"), ("symmetric", "dense")):
        plain = Unit.of("E7", teacher="memoryless", student=student, sigma=0.1, init=init, negative_fraction=0.0)
        assert "negative_fraction" not in plain.label()


def test_plan_reads_the_presets() -> None:
    from tempx.numerics.app.reproduce import SCALES, plan

    for scale in ("quick", "full"):
        units = plan(scale, 3)
        assert units == plan(scale, 3, config=SCALES[scale])
        e = SCALES[scale]
        expected = (len(CLAIMS) + sum(len(e[n]["cells"]) * len(e[n]["sigmas"]) for n in ("E1", "E1L", "E4"))
                    + len(e["E2"]["ks"])
                    + 1 + len(e["E5"]["teachers"]) * len(e["E5"]["ks"]) * len(e["E5"]["sigmas"])
                    + len(e["E6"]["teachers"]) * len(e["E6"]["sigmas"])
                    + len(e["E7"]["teachers"]) * len(e["E7"]["students"]) * len(e["E7"]["sigmas"])
                    + len(e["E7"]["sign_teachers"]) * len(e["E7"]["sign_fractions"])
                    + sum(len(s["cells"]) for s in e["E9"]["series"]) * len(e["E9"]["sigmas"])
                    + len(e["E8"]["teachers"]) * len(e["E8"]["students"]) * len(e["E8"]["sigmas"])
                    + sum(len(s["sigmas"]) for s in e["E10"]["settings"])
                    + len(e["E11"]["horizons"]) * len(e["E11"]["targets"]) * 5)  # the frontier, 2 students × 2 optimizers
        assert len(units) == expected and all(dict(u.params)["seed"] == 3 for u in units)


def test_a_result_from_another_code_version_is_refused() -> None:
    from tempx.numerics.app.reproduce import check_worker_code

    check_worker_code("0.2.0+abc.numba", "0.2.0+abc.numba")  # the same install: accepted
    with pytest.raises(InvalidInput, match="a worker runs tempx 0.2.0\\+old.numba, this client 0.2.0\\+new.numba"):
        check_worker_code("0.2.0+old.numba", "0.2.0+new.numba")


def test_presets_are_complete_so_no_default_is_read() -> None:
    """Both scales give every experiment the same keys, and a plan built from them reads every unit
    parameter it passes on (compute raises KeyError on a missing one instead of defaulting)."""
    from tempx.numerics.app.reproduce import SCALES, plan

    quick, full = SCALES["quick"], SCALES["full"]
    assert set(quick) == set(full)
    for name in quick:
        assert set(quick[name]) == set(full[name]), name
    for u in plan("quick", 0):
        p = dict(u.params)
        if u.kind == "E7":
            assert {"init", "negative_fraction", "student", "max_evals"} <= set(p)
            if p["init"] != "symmetric":  # the students' comparison: no sign pattern (it would be recorded in every row)
                assert p["negative_fraction"] == 0.0
        if u.kind in ("E1", "E4"):
            assert (p["n_data"] is None) == (u.kind == "E1")


def test_the_manifest_is_written_once_and_never_replaced(tmp_path: Path) -> None:
    from tempx.numerics.app.reproduce import record_manifest

    record_manifest(tmp_path, "code-a")
    record_manifest(tmp_path, "code-b")  # a folder keeps the version it was started with
    assert json.loads((tmp_path / "manifest.json").read_text()) == {"code_version": "code-a"}


def test_dry_run_prints_the_plan_of_the_chosen_scale_and_touches_nothing(tmp_path: Path) -> None:
    from cli_helpers import run_cli

    for flags, scale in (([], "quick"), (["--full"], "full"), (["--quick"], "quick")):
        proc = run_cli(["reproduce", "--dry-run", "--out", str(tmp_path / "never"), "--seed", "3", "--jobs", "2", *flags])
        assert proc.returncode == 0, proc.stderr
        units = plan(scale, 3)
        est = {u: estimate_seconds(u.kind, dict(u.params)) for u in units}
        total = sum(est.values())
        assert proc.stdout.splitlines()[0] == (
            f"tempx reproduce --dry-run: {len(units)} units ({scale} scale, seed 3); estimated {total:.0f} s of work, "
            f"about {max(total / 2, max(est.values())):.0f} s with 2 jobs (on the 2-core reference machine, compiled "
            "kernels cached; the first run compiles them, see docs/reproduce.md)")
        e1 = sum(s for u, s in est.items() if u.kind == "E1")
        assert f"  E1: {sum(u.kind == 'E1' for u in units)} units, about {e1:.0f} s" in proc.stdout
    assert len(plan("full", 0)) > len(plan("quick", 0))
    assert not (tmp_path / "never").exists()


def test_units_go_longest_first_and_each_kernel_is_compiled_once() -> None:
    """The order of the work (it changes no result): the first unit of each compiled-kernel family leads, the Elman
    family's compile-heavy head first; the other Elman units come last; everything else longest first."""
    from tempx.numerics.app.costs import kernel_family, order

    units = plan("quick", 0)
    est = {u: estimate_seconds(u.kind, dict(u.params)) for u in units}
    got = order(units, est)
    assert sorted(got, key=units.index) == units  # a permutation
    fams = [kernel_family(u.kind, dict(u.params)) for u in got]
    assert fams[0] == "elman" and fams[1] == "dense-gd"
    rest = got[2:]
    elman_tail = [u for u in rest if kernel_family(u.kind, dict(u.params)) == "elman"]
    assert elman_tail and rest[-len(elman_tail):] == elman_tail
    middle = [est[u] for u in rest[:-len(elman_tail)]]
    assert middle == sorted(middle, reverse=True)


def test_the_quoted_times_are_the_measured_ones() -> None:
    """One source of measured times (numerics/app/measured.json, written by `python benchmarks/reproduce.py
    --record`): `tempx reproduce --help`, README.md and docs/reproduce.md quote its numbers and date."""
    from tempx.numerics.app.commands.reproduce import measured_times

    root = Path(__file__).resolve().parents[1]
    m = json.loads((root / "numerics" / "app" / "measured.json").read_text(encoding="utf-8"))
    want = [f"{m['warm_s']} s", f"{m['cold_s']} s", m["date"]]
    for doc in ("README.md", "docs/reproduce.md"):
        text = (root / doc).read_text(encoding="utf-8")
        assert all(w in text for w in want), (doc, want)
    assert all(w in measured_times() for w in want)


@needs_tex
def test_every_table_compiles_in_a_plain_article_and_fits_its_text_width(tiny: tuple[Path, Path], tmp_path: Path) -> None:
    """Each tables/*.tex is \\input into \\documentclass{article} (default margins) with the packages its first line
    names, and compiled by pdflatex: no error, no overfull box, no character OT1 fonts print wrongly."""
    out, _ = tiny
    tables = sorted((out / "tables").glob("*.tex"))
    assert {t.stem for t in tables} >= {"claims", "E1", "E1L", "E1L_certified", "E2", "E4", "E5", "E6", "E7", "E8", "E9"}
    for t in tables:
        text = t.read_text()
        assert "\\toprule" in text and "\\bottomrule" in text and "base seed" in text or t.stem == "claims", t.name
        assert "\\usepackage{booktabs,dcolumn,graphicx,tabularx}" in text.splitlines()[0], t.name
        cells = "\n".join(ln for ln in text.splitlines() if ln.endswith("\\\\") or ln.startswith("\\caption"))
        assert not re.search(r"[<>|]", re.sub(r"\$[^$]*\$", "", cells)), t.name  # text mode: OT1 prints ¡ ¿ —
        (tmp_path / t.name).write_text(text)
    compile_tex("\n".join(f"\\input{{{t.name}}}\n\\clearpage" for t in tables), tmp_path, "tables", preamble=ARTICLE)


def test_the_eta_comes_from_the_plan_and_one_slow_unit_cannot_blow_it_up() -> None:
    from tempx.numerics.app.reproduce import _eta

    # 200 s of estimated work on 2 workers: 100 s at the start, whatever the first unit took
    assert _eta(200.0, 0.0, 0.0, 2) == 100.0
    assert _eta(200.0, 2.0, 45.0, 2) == 99.0  # a 45 s kernel compilation in a 2 s unit: still the plan's 99 s
    # past a quarter of the work the measured speed counts, within a factor 2 either way
    assert _eta(200.0, 100.0, 100.0, 2) == 100.0 and _eta(200.0, 100.0, 1000.0, 2) == 100.0
    assert _eta(200.0, 100.0, 10.0, 2) == 25.0 and _eta(200.0, 250.0, 5.0, 2) == 0.0

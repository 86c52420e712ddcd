"""Benchmark: every memory and work estimate that can refuse a request, against what the request really costs.

For each estimating command at sizes across its range: the command runs under the default limits in a child
process with ``TEMPX_SHOW_ESTIMATES=1``, which prints every estimate as it is checked (the largest memory
estimate is the one that decides a refusal; work estimates add up), and the child's peak resident memory
(``wait4``'s ru_maxrss) and wall time are measured.  Printed:
estimate / measured for memory and for time (the target for both is [1, 3]: never below what was measured, at
most 3× above it).  A work estimate is set beside the time of the stage it covers (from its check to the
stage's "done" line, or, for a stage that prints none, to the next work check or the command's end), at 10 ns a
unit; runs where that is under a second are not timed.

Usage:  python benchmarks/estimates.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ATOMS5 = "atoms:4/5@3/5,-1/2@2/5,1/3@1/7,-2/7@1/9,5/11@1/2"


def cases(quick: bool, tmp: Path) -> list[tuple[str, list[str]]]:
    big = [] if quick else [("counterexample atoms5 k=1000", ["counterexample", "--teacher", ATOMS5, "--k", "1000",
                                                               "--format", "json"]),
                            ("threshold atoms5 k=2000", ["threshold", "--teacher", ATOMS5, "--k", "2000"]),
                            ("counterexample k=2000", ["counterexample", "--k", "2000", "--format", "json"])]
    return [
        ("counterexample k=200", ["counterexample", "--k", "200", "--format", "json"]),
        ("counterexample k=1000", ["counterexample", "--k", "1000", "--format", "json"]),
        ("counterexample k=60 disguised", ["counterexample", "--k", "60", "--disguise", "1", "--format", "json"]),
        ("counterexample k=120 disguised", ["counterexample", "--k", "120", "--disguise", "1", "--format", "json"]),
        ("counterexample atoms5 k=100", ["counterexample", "--teacher", ATOMS5, "--k", "100", "--format", "json"]),
        ("counterexample atoms5 k=300", ["counterexample", "--teacher", ATOMS5, "--k", "300", "--format", "json"]),
        ("threshold atoms5 k=500", ["threshold", "--teacher", ATOMS5, "--k", "500"]),
        ("train d=20 N=4", ["train", "--d", "20", "--k", "5", "--steps", "200", "--format", "json"]),
        ("train d=128 N=16", ["train", "--d", "128", "--k", "8", "--n-models", "16", "--steps", "50", "--format", "json"]),
        ("train d=256 N=64", ["train", "--d", "256", "--k", "16", "--n-models", "64", "--steps", "5", "--format", "json"]),
        ("train tanh d=32 n=1024", ["train", "--student", "tanh", "--d", "32", "--k", "16", "--data", "1024", "--steps",
                                    "20", "--mc-sequences", "1024", "--format", "json"]),
        ("train limit d=20", ["train", "--d", "20", "--k", "5", "--n-models", "1", "--until-converged", "--format", "json"]),
        ("sweep d=20", ["sweep", "--d", "20", "--k", "5", "--sigmas", "0.1,0.5", "--seeds", "4", "--steps", "200", "--out",
                        str(tmp / "sweep")]),
        # the exact work estimates, at sizes where the stage they cover takes a second or more
        ("threshold delay:700", ["threshold", "--teacher", "delay:700", "--k", "3"]),
        ("threshold atoms i/250, 200 atoms", ["threshold", "--teacher", atoms(f"{i}/250@1" for i in range(1, 201)), "--k",
                                              "3"]),
        ("threshold atoms 1/i, 70 atoms", ["threshold", "--teacher", atoms(f"1/{i}@1" for i in range(2, 72)), "--k", "3"]),
        ("counterexample k=300 disguised", ["counterexample", "--k", "300", "--disguise", "1", "--format", "json"]),
        ("diagonal on 600 nodes i/1000", ["counterexample", "--student", "diagonal", "--k", "600", "--nodes",
                                          ",".join(f"{i}/1000" for i in range(1, 601)), "--format", "json"]),
        ("diagonal atoms5 on 100 nodes 1/i", ["counterexample", "--student", "diagonal", "--k", "100", "--teacher", ATOMS5,
                                              "--nodes", ",".join(f"1/{i}" for i in range(2, 102)), "--format", "json"]),
        ("certify d=32 exact", ["certify", "--params", str(tmp / "d32.json"), "--k", "4", "--method", "exact"]),
        ("certify d=40 exact", ["certify", "--params", str(tmp / "d40.json"), "--k", "4", "--method", "exact"]),
        ("certify d=8 k=400", ["certify", "--params", str(tmp / "d8.json"), "--k", "400", "--method", "enclosure"]),
        *big,
    ]


def atoms(parts: Any) -> str:
    return "atoms:" + ",".join(parts)


def prepare(tmp: Path) -> None:
    """The trained models that the certify cases read (300 GD steps, one model each)."""
    for d in (8, 32, 40):
        subprocess.run([sys.executable, "-m", "tempx", "train", "--d", str(d), "--k", "4", "--steps", "300", "--n-models",
                        "1", "--save-params", str(tmp / f"d{d}.json")], check=True, stdout=subprocess.DEVNULL)


LINE = re.compile(r"^tempx: estimate: (memory|work|done|end): (?:(.*): (?:([0-9.e+]+) (?:bytes|units) )?)?at ([0-9.]+) s$",
                  re.MULTILINE)
MIN_STAGE = 1.0  # seconds: a shorter stage is timer and start-up noise, and 1e8 units is far below any limit


def measure(args: list[str]) -> dict[str, Any]:
    """One real run under the default limits with ``TEMPX_SHOW_ESTIMATES=1``: the largest memory estimate it
    checked (the one that decides a refusal), the sum of its work estimates and the time of the stages they cover,
    its peak RSS and wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tempx", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "TEMPX_SHOW_ESTIMATES": "1"})
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    lines = LINE.findall(err)
    mem = [float(v) for kind, _, v, _ in lines if kind == "memory"]
    work = [(what, float(v), float(t)) for kind, what, v, t in lines if kind == "work"]
    done = {what: float(t) for kind, what, _, t in lines if kind == "done"}
    end = [float(t) for kind, _, _, t in lines if kind == "end"]
    # a stage that reports its end (budget.Stage) is timed to it; any other to the next work check or the end
    stops = [t for _, _, t in work[1:]] + end[:1]
    covered = sum(done.get(what, stop) - t for (what, _, t), stop in zip(work, stops)) if work and end else None
    return {"status": os.waitstatus_to_exitcode(status), "memory_estimate": max(mem) if mem else None,
            "work_units": sum(u for _, u, _ in work) if work else None, "work_seconds": covered,
            "peak_rss": usage.ru_maxrss * 1024.0, "wall_seconds": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="leave out the three largest cases (minutes each)")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tempx-est-") as tmp:
        prepare(Path(tmp))
        for name, cmd in cases(args.quick, Path(tmp)):
            r = {"case": name, "command": "tempx " + " ".join(cmd), **measure(cmd)}
            r["memory_ratio"] = None if r["memory_estimate"] is None else r["memory_estimate"] / r["peak_rss"]
            r["work_seconds_estimate"] = None if r["work_units"] is None else r["work_units"] * 1e-8
            timed = r["work_seconds"] is not None and r["work_seconds"] >= MIN_STAGE
            r["time_ratio"] = r["work_seconds_estimate"] / r["work_seconds"] if timed else None
            rows.append(r)
            mr = "—" if r["memory_ratio"] is None else f"{r['memory_ratio']:.2f}"
            tr = "—" if r["time_ratio"] is None else f"{r['time_ratio']:.2f}"
            ws = "—" if r["work_seconds"] is None else f"{r['work_seconds']:.2f} s"
            print(f"{name:<34} exit {r['status']}  peak {r['peak_rss'] / 2**20:8.1f} MiB  est/peak {mr:>6}  "
                  f"wall {r['wall_seconds']:7.2f} s  exact work {ws:>9}  est/time {tr:>6}", flush=True)
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    for key, label in (("memory_ratio", "memory estimate / peak RSS"),
                       ("time_ratio", f"work estimate (10 ns a unit) / time it covers, where >= {MIN_STAGE:g} s")):
        ratios = [r[key] for r in rows if r[key] is not None]
        if ratios:
            print(f"{label}: min {min(ratios):.2f}, max {max(ratios):.2f} (target [1, 3])")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

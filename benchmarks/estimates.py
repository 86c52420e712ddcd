"""Benchmark: every memory and work estimate that can refuse a request, against what the request really costs.

For each estimating command at sizes across its range: the command runs under the default limits in a child
process with ``TEMPX_SHOW_ESTIMATES=1``, which prints every estimate as it is checked (the largest memory
estimate is the one that decides a refusal; work estimates add up), and the child's peak resident memory
(``wait4``'s ru_maxrss) and wall time are measured.  Printed:
estimate / measured for memory (the target is [1, 3]: never below the peak, at most 3× above it) and for time
(work units are calibrated at about 10 ns; the time ratio is shown for information — the work limit's promise
is the order of magnitude).

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
        *big,
    ]


def measure(args: list[str]) -> dict[str, Any]:
    """One real run under the default limits with ``TEMPX_SHOW_ESTIMATES=1``: the largest memory estimate it
    checked (the one that decides a refusal), the sum of its work estimates, its peak RSS and wall time."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tempx", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "TEMPX_SHOW_ESTIMATES": "1"})
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    mem = [float(m) for m in re.findall(r"^tempx: estimate: memory: .*: ([0-9.e+]+) bytes$", err, re.MULTILINE)]
    work = [float(m) for m in re.findall(r"^tempx: estimate: work: .*: ([0-9.e+]+) units$", err, re.MULTILINE)]
    return {"status": os.waitstatus_to_exitcode(status), "memory_estimate": max(mem) if mem else None,
            "work_units": sum(work) if work else None, "peak_rss": usage.ru_maxrss * 1024.0, "wall_seconds": wall}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="leave out the three largest cases (minutes each)")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tempx-est-") as tmp:
        for name, cmd in cases(args.quick, Path(tmp)):
            r = {"case": name, "command": "tempx " + " ".join(cmd), **measure(cmd)}
            r["memory_ratio"] = None if r["memory_estimate"] is None else r["memory_estimate"] / r["peak_rss"]
            r["work_seconds_estimate"] = None if r["work_units"] is None else r["work_units"] * 1e-8
            r["time_ratio"] = None if r["work_units"] is None else r["work_seconds_estimate"] / r["wall_seconds"]
            rows.append(r)
            mr = "—" if r["memory_ratio"] is None else f"{r['memory_ratio']:.2f}"
            tr = "—" if r["time_ratio"] is None else f"{r['time_ratio']:.2f}"
            print(f"{name:<34} exit {r['status']}  peak {r['peak_rss'] / 2**20:8.1f} MiB  est/peak {mr:>6}  "
                  f"wall {r['wall_seconds']:7.2f} s  work est/wall {tr:>6}", flush=True)
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    ratios = [r["memory_ratio"] for r in rows if r["memory_ratio"] is not None]
    print(f"memory estimate / peak RSS: min {min(ratios):.2f}, max {max(ratios):.2f} (target [1, 3])")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Benchmark: every memory and work estimate that can refuse a request, against what the request really costs.

For each estimating command at sizes across its range: the estimate is read from the command itself (run once
with ``TEMPX_MEMORY_LIMIT=1``, or ``TEMPX_WORK_LIMIT=1``, it refuses with "needs about X" or "estimated at N
units (about S s)": the very number that decides a refusal), then the command runs under the default limits
in a child process whose peak resident memory (``wait4``'s ru_maxrss) and wall time are measured.  Printed:
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
_SIZE = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4}


def cases(quick: bool, tmp: Path) -> list[tuple[str, list[str]]]:
    big = [] if quick else [("counterexample atoms5 k=1000", ["counterexample", "--teacher", ATOMS5, "--k", "1000",
                                                               "--format", "json"]),
                            ("threshold atoms5 k=2000", ["threshold", "--teacher", ATOMS5, "--k", "2000"]),
                            ("counterexample k=3000", ["counterexample", "--k", "3000", "--format", "json"])]
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


def _refusal(args: list[str], env_name: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "tempx", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, env_name: "1"})
    return proc.stderr


def memory_estimate(args: list[str]) -> float | None:
    m = re.search(r"needs about ([0-9.e+]+) (B|KiB|MiB|GiB|TiB)", _refusal(args, "TEMPX_MEMORY_LIMIT"))
    return None if m is None else float(m.group(1)) * _SIZE[m.group(2)]


def work_estimate(args: list[str]) -> float | None:
    m = re.search(r"\(about ([0-9.e+-]+) s\)", _refusal(args, "TEMPX_WORK_LIMIT"))
    return None if m is None else float(m.group(1))


def measure(args: list[str]) -> tuple[float, float, int]:
    """Peak RSS (bytes) and wall seconds of one real run under the default limits, and its exit status."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tempx", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss * 1024.0, wall, proc.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="leave out the three largest cases (minutes each)")
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tempx-est-") as tmp:
        for name, cmd in cases(args.quick, Path(tmp)):
            mem, work = memory_estimate(cmd), work_estimate(cmd)
            peak, wall, status = measure(cmd)
            rows.append({"case": name, "command": "tempx " + " ".join(cmd), "status": status, "memory_estimate": mem,
                         "peak_rss": peak, "memory_ratio": None if mem is None else mem / peak,
                         "work_seconds_estimate": work, "wall_seconds": wall,
                         "time_ratio": None if work is None else work / wall})
            r = rows[-1]
            mr = "—" if r["memory_ratio"] is None else f"{r['memory_ratio']:.2f}"
            tr = "—" if r["time_ratio"] is None else f"{r['time_ratio']:.2f}"
            print(f"{name:<34} exit {status}  peak {peak / 2**20:8.1f} MiB  est/peak {mr:>6}  wall {wall:7.2f} s  "
                  f"est/wall {tr:>6}", flush=True)
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
    ratios = [r["memory_ratio"] for r in rows if r["memory_ratio"] is not None]
    print(f"memory estimate / peak RSS: min {min(ratios):.2f}, max {max(ratios):.2f} (target [1, 3])")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

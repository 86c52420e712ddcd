"""Benchmark: seconds per gradient-descent step of ``tempx.numerics.gd``, numpy engine and numba kernel.

Work: GD on the last-output population loss of N independent linear RNNs, memoryless teacher,
float64, gaussian initialization σ = 0.5, η = 0.02, tol = 0 (every step counted).
Flop model: 4·N·k·d² per step (two Krylov sweeps and two k×d×d products per model).
Each measurement runs at least ``--min-seconds`` (default 1 s); the median of ``--repeat`` runs
is reported.  Usage:  python benchmarks/gd_baseline.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time

import numpy as np

from tempx import numerics

CONFIGS = [(1, 20, 5), (256, 20, 5), (256, 64, 16), (1024, 32, 8)]


def seconds_per_step(n: int, d: int, k: int, min_seconds: float, backend: str) -> float:
    params = numerics.init_gaussian(n, d, 0.5, seed=0)
    teacher = numerics.memoryless(k)
    steps = 10
    while True:
        start = time.perf_counter()
        numerics.gd(params, teacher, k, 0.02, steps, backend=backend)
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / steps
        steps = int(steps * max(2.0, 1.2 * min_seconds / max(elapsed, 1e-9)))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--min-seconds", type=float, default=1.0)
    p.add_argument("--json", help="also write the table to this file")
    args = p.parse_args()
    rows = []
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}")
    from tempx.numerics.students import dense_kernels as kernels

    backends = ["numpy", "numba"] if kernels.AVAILABLE else ["numpy"]
    print(f"{'(N, d, k)':>16} " + " ".join(f"{b + ' s/step':>14} {'GFLOP/s':>8}" for b in backends))
    for n, d, k in CONFIGS:
        row: dict[str, float | int] = {"N": n, "d": d, "k": k}
        cells = []
        for b in backends:
            t = statistics.median(seconds_per_step(n, d, k, args.min_seconds, b) for _ in range(args.repeat))
            row[f"{b}_seconds_per_step"] = t
            cells.append(f"{t:14.2e} {4 * n * k * d * d / t / 1e9:8.2f}")
        rows.append(row)
        print(f"{(n, d, k)!s:>16} " + " ".join(cells))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

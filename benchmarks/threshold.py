"""Benchmark: d_min and the minimal counterexample for a 5-atom teacher (claim C10), exactly.

For the teacher w*_i = Σ_l W_l μ_l^i with atoms 4/5, −1/2, 1/3, −2/7, 5/11 and weights 3/5, 2/5,
1/7, 1/9, 1/2 (d* = 5) and each k: d_min by the search over j (SPEC C10), the minimal student
(shift-register realization, d = k + 1 − d*), and its verification: the first 2k + 1 terms of
the student's impulse response, computed from its matrices, equal the teacher's up to index
k − 1 and differ at k.  Every number is an exact rational; the time includes the teacher's
2k + 1 terms.

Usage:  python benchmarks/threshold.py [--k 512,2000] [--json out.json]
Target: under 2 s at k = 512 and under 30 s at k = 2000 on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

from tempx.theory.counterexamples import counterexample
from tempx.theory.teacher_spec import parse_teacher
from tempx.theory.threshold import threshold

TEACHER = "atoms:4/5@3/5,-1/2@2/5,1/3@1/7,-2/7@1/9,5/11@1/2"


def run(k: int) -> dict[str, object]:
    start = time.perf_counter()
    teacher = parse_teacher(TEACHER)
    th = threshold(teacher, k)
    ce = counterexample(k, teacher=teacher)
    built = time.perf_counter()
    w = ce.rnn.impulse_response(2 * k + 1)
    ws = teacher.impulse_response(2 * k + 1)
    ok = w[:k] == ws[:k] and w[k] != ws[k] and ce.d == th.d_min == k + 1 - teacher.dim
    done = time.perf_counter()
    return {"k": k, "d_min": th.d_min, "verified": ok, "build_seconds": built - start, "total_seconds": done - start}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--k", default="512,2000", help="training lengths, comma-separated")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    rows = [run(int(k)) for k in args.k.split(",")]
    print(f"python {platform.python_version()}, {platform.machine()}; teacher {TEACHER}")
    print(f"{'k':>6} {'d_min':>6} {'verified':>9} {'build s':>9} {'total s':>9}")
    for r in rows:
        print(f"{r['k']:>6} {r['d_min']:>6} {r['verified']!s:>9} {r['build_seconds']:>9.2f} {r['total_seconds']:>9.2f}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()

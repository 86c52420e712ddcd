"""Benchmark: the limit of gradient flow for one model at the widths the field uses, and its certification (C7, C13).

For each case (student and width; k = 5, σ = 0.1, memoryless teacher) and seed: the wall time and
the peak resident memory of ``flow_limit`` for that one model (the NDF integrator with Woodbury Newton
systems, until L_k ≤ 1e-28 and ‖∇L‖ ≤ 1e-13), measured in a fresh subprocess so that each peak is its
own; and for dense students up to ``--certify-up-to`` (default 1024) the wall time of ``certify`` of
the limit it reaches (exact L_k and L_50; L_∞ exact or a verified enclosure).  With ``--reference``
the dense cases up to d = 64 also run scipy's LSODA on the P × P Jacobian (the previous integrator),
and the two limits' L_50 are compared.

Usage:  python benchmarks/limit_certify.py [--cases dense:20,dense:64,dense:256] [--seeds 3] [--reference]
        python benchmarks/limit_certify.py --cases dense:1024,diagonal:4096,complex:4096 --seeds 1
Targets (the project's 2-core machine): dense d = 64 ≤ 10 s; d = 256 ≤ 2 min and ≤ 1 GiB; d = 1 024
≤ 15 min within 4 GiB, then certify; diagonal and complex students with n = 4 096 modes ≤ 1 min.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from typing import Any

DEFAULT_CASES = "dense:20,dense:64,dense:256,diagonal:4096,complex:4096"
K, SIGMA, Q = 5, 0.1, 50


def one(student: str, d: int, seed: int, method: str, certify_it: bool) -> dict[str, Any]:
    """One flow (and its certification) in this process: the subprocess's work."""
    from tempx.numerics.app.experiments import seeded_batch
    from tempx.numerics.drivers.limit import flow_limit
    from tempx.numerics.students import get
    from tempx.numerics.teachers import memoryless

    params = seeded_batch(get(student).inits[0], 1, d, SIGMA, seed, student=student)
    start = time.perf_counter()
    res = flow_limit(params, memoryless(K), K, [Q], method=method)
    t_flow = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    row: dict[str, Any] = {"student": student, "d": d, "seed": seed, "method": method, "flow_seconds": t_flow,
                           "flow_peak_bytes": peak, "status": res.status[0], "t": float(res.t[0]), "nfev": int(res.nfev[0]),
                           "L_q": float(res.extrapolation_loss[0, 0]), "certify_seconds": None, "certified": None}
    if certify_it and res.status[0] == "converged":
        from tempx.theory.certify import model_from_floats
        from tempx.theory.linf import decide

        p = res.params
        start = time.perf_counter()
        dec = decide(model_from_floats(p.A[0], p.B[0], p.C[0]), "memoryless", K, [Q], method="auto")
        row["certify_seconds"] = time.perf_counter() - start
        row["certified"] = bool(dec.as_dict()["L_inf"]["certified"])
    return row


def run(student: str, d: int, seed: int, method: str, certify_it: bool) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--one", f"{student}:{d}:{seed}:{method}:{int(certify_it)}"],
                         capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=DEFAULT_CASES, help=f"student:d,... (default {DEFAULT_CASES})")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--certify-up-to", type=int, default=1024, help="certify dense limits up to this d")
    ap.add_argument("--reference", action="store_true", help="also LSODA on the dense cases with d <= 64")
    ap.add_argument("--json", help="also write the rows as JSON here")
    ap.add_argument("--one", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        student, d, seed, method, cert = args.one.split(":")
        print(json.dumps(one(student, int(d), int(seed), method, cert == "1")))
        return
    rows = []
    print(f"{'student':>8} {'d':>5} {'seed':>4} {'method':>6} {'flow s':>8} {'peak MiB':>8} {'status':>9} {'nfev':>6} "
          f"{'L_50':>10} {'certify s':>9} {'certified':>9}", flush=True)
    for case in args.cases.split(","):
        student, d_text = case.split(":")
        d = int(d_text)
        methods = ["ndf"] + (["lsoda"] if args.reference and student == "dense" and d <= 64 else [])
        for seed in range(args.seeds):
            for method in methods:
                r = run(student, d, seed, method, method == "ndf" and student == "dense" and d <= args.certify_up_to)
                rows.append(r)
                cert = "—" if r["certify_seconds"] is None else f"{r['certify_seconds']:.1f}"
                print(f"{student:>8} {d:>5} {seed:>4} {method:>6} {r['flow_seconds']:8.2f} {r['flow_peak_bytes'] / 2**20:8.0f} "
                      f"{r['status']:>9} {r['nfev']:>6} {r['L_q']:10.3e} {cert:>9} {r['certified']!s:>9}", flush=True)
    pairs = [(a, b) for a in rows for b in rows if a["method"] == "ndf" and b["method"] == "lsoda"
             and (a["d"], a["seed"]) == (b["d"], b["seed"]) and a["student"] == b["student"] == "dense"]
    if pairs:
        worst = max(abs(a["L_q"] - b["L_q"]) / abs(b["L_q"]) for a, b in pairs)
        print(f"NDF against LSODA: largest relative difference of L_50 over {len(pairs)} limits: {worst:.1e}")
    print(f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()

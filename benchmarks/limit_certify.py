"""Benchmark: the limit of gradient flow for one model, and its certification (claims C7, C13).

For d = 20, k = 5, σ = 0.1 (memoryless teacher) and each seed: the wall time of
``flow_limit`` for that one model (LSODA until L_k ≤ 1e-28 and ‖∇L‖ ≤ 1e-13), and of
``certify`` for the model it reaches (exact L_k, L_50, the contraction certificate found in
floats and checked exactly by LDLᵀ, the exact partial sums and the tail bound).  Also the
status, L_50 (float64) and the certified enclosure's relative width.

Usage:  python benchmarks/limit_certify.py [--seeds 5] [--json out.json]
Targets: each under 2 s on the project's 2-core machine (median over seeds).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

from tempx.numerics.app.experiments import seeded_batch
from tempx.numerics.drivers.limit import flow_limit
from tempx.numerics.teachers import memoryless
from tempx.theory.certify import certify, model_from_floats

D, K, SIGMA, Q = 20, 5, 0.1, 50


def run(seed: int) -> dict[str, object]:
    params = seeded_batch("gaussian", 1, D, SIGMA, seed)
    start = time.perf_counter()
    res = flow_limit(params, memoryless(K), K, [Q])
    t_flow = time.perf_counter() - start
    p = res.params
    start = time.perf_counter()
    enc = certify(model_from_floats(p.A[0], p.B[0], p.C[0]), "memoryless", K, [Q])
    t_cert = time.perf_counter() - start
    width = None if enc.upper is None or enc.lower == 0 else float((enc.upper - enc.lower) / enc.lower)
    return {"seed": seed, "flow_seconds": t_flow, "status": res.status[0], "t": float(res.t[0]),
            "L_q": float(res.extrapolation_loss[0, 0]), "certify_seconds": t_cert, "certified": enc.certified,
            "relative_width": width, "terms": enc.terms}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--json", help="also write the rows as JSON here")
    args = ap.parse_args()
    run(0)  # warm-up: imports, scipy's first LSODA call
    rows = [run(s) for s in range(args.seeds)]
    print(f"{'seed':>4}  {'flow s':>7}  {'status':>9}  {'t':>8}  {'L_50':>9}  {'certify s':>9}  {'width':>8}")
    for r in rows:
        print(f"{r['seed']:>4}  {r['flow_seconds']:7.2f}  {r['status']:>9}  {r['t']:8.2e}  {r['L_q']:9.2e}  "
              f"{r['certify_seconds']:9.3f}  {r['relative_width']:8.1e}")
    med_f = statistics.median(r["flow_seconds"] for r in rows)
    med_c = statistics.median(r["certify_seconds"] for r in rows)
    print(f"median: flow {med_f:.2f} s (target 2 s), certify {med_c:.3f} s (target 2 s); {platform.processor() or platform.machine()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rows": rows, "median_flow_seconds": med_f, "median_certify_seconds": med_c}, f, indent=1)


if __name__ == "__main__":
    main()

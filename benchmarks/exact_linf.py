"""Benchmark: `tempx certify`'s L_∞ for one model — the exact rational (claim C14) and the verified enclosure.

Exact (``--method exact``): a float64 model with A ~ N(0, 0.25/d) (spectral radius about 0.5), B, C ~ N(0, 1/d),
against the memoryless teacher, so n = d + 1; the time of ``tempx.theory.linf.decide`` (2n exact terms by an
integer Krylov sweep, Berlekamp–Massey over ℚ with python-flint, Schur–Cohn, Åström).  The exact value has about
36.5·n² digits, so this route stops being practical near n = 64.

Enclosure (``--method enclosure``, what ``auto`` takes beyond the work limit): ``tempx.theory.enclosure`` on two
models per size n = d + 1, against the memoryless teacher:
- trained: ``tempx train --d d --k 5 --sigma 0.5 --steps 200`` (gradient descent from a Gaussian start; its L_∞
  is about 1e-5, so the enclosure must resolve a residual far smaller than the model's own energy);
- near the circle: A ~ N(0, 1/d) rescaled to the float spectral radius 1 − 1e-6 (the Stein operator's condition
  about 1e6: the hardest case the target names).
Printed: seconds of ``decide`` (exact L_k sums included), the relative width reached, the refinement steps and
bits; for n ≤ 64 the exact value is computed too and checked to lie inside.  Targets (issue): relative width
≤ 1e-12, n = 256 in ≤ 20 s, n = 1024 in ≤ 5 minutes, one BLAS thread.

    python benchmarks/exact_linf.py [--sizes 16,32,64] [--enclosure-sizes 64,256,1024] [--work-limit 1e13]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np


def exact_table(sizes: list[int]) -> None:
    from tempx.theory.certify import model_from_floats
    from tempx.theory.linf import decide

    print(f"{'n':>6} {'seconds':>9} {'m':>5} {'digits of L_inf':>16}  finite")
    for d in (n - 1 for n in sizes):
        rng = np.random.default_rng(d)
        A = rng.normal(0, 0.5 / np.sqrt(d), (d, d))
        B, C = rng.normal(0, 1 / np.sqrt(d), (d, 1)), rng.normal(0, 1 / np.sqrt(d), (1, d))
        model = model_from_floats(A, B, C)
        start = time.perf_counter()
        dec = decide(model, "memoryless", 3, method="exact")
        seconds = time.perf_counter() - start
        v = dec.linf.value
        digits = 0 if v is None else round((v.numerator.bit_length() + v.denominator.bit_length()) * 0.30103)
        print(f"{d + 1:>6} {seconds:>9.2f} {dec.linf.complexity:>5} {digits:>16}  {dec.linf.finite}", flush=True)


def trained(d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.json")
        subprocess.run([sys.executable, "-m", "tempx", "train", "--d", str(d), "--k", "5", "--sigma", "0.5", "--steps",
                        "200", "--n-models", "1", "--save-params", path], check=True, capture_output=True)
        with open(path) as f:
            doc = json.load(f)
    doc = doc[0] if isinstance(doc, list) else doc
    return np.array(doc["A"]), np.array(doc["B"]), np.array(doc["C"])


def near_circle(d: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(d)
    A = rng.normal(0, 1 / np.sqrt(d), (d, d))
    A *= (1 - 1e-6) / np.max(np.abs(np.linalg.eigvals(A)))
    return A, rng.normal(0, 1, (d, 1)), rng.normal(0, 1 / np.sqrt(d), (1, d))


def enclosure_table(sizes: list[int]) -> None:
    from tempx.numerics.blas_threads import single_blas_thread
    from tempx.theory.certify import model_from_floats
    from tempx.theory.linf import decide, exact_linf

    print(f"{'n':>6} {'model':>12} {'seconds':>9} {'rho est':>12} {'rel width':>10} {'steps':>5} {'bits':>5}  "
          "L_inf in [lower, upper]  exact inside")
    for n in sizes:
        for name, make in (("trained", trained), ("near circle", near_circle)):
            A, B, C = make(n - 1)
            model = model_from_floats(A, B, C)
            with single_blas_thread():
                start = time.perf_counter()
                dec = decide(model, "memoryless", 5, method="enclosure")
                seconds = time.perf_counter() - start
            enc = dec.verified
            if enc is None:
                print(f"{n:>6} {name:>12} {seconds:>9.2f}  not verified: {dec.note or dec.unstable}", flush=True)
                continue
            li = dec.as_dict()["L_inf"]
            inside = "—"
            if n <= 64:
                v = exact_linf(model, "memoryless").value
                inside = str(v is not None and enc.lower <= v <= enc.upper)
            print(f"{n:>6} {name:>12} {seconds:>9.2f} {enc.rho_estimate:>12.9f} {enc.rel_width:>10.2e} {enc.steps:>5} "
                  f"{enc.precision:>5}  [{li['lower']}, {li['upper']}]  {inside}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="16,32,64", help="n for the exact route (comma-separated; empty: skip)")
    ap.add_argument("--enclosure-sizes", default="64,256,1024", help="n for the enclosure (comma-separated; empty: skip)")
    ap.add_argument("--work-limit", default="1e13", help="TEMPX_WORK_LIMIT for the run (the estimate refuses beyond)")
    args = ap.parse_args()
    os.environ["TEMPX_WORK_LIMIT"] = args.work_limit
    import flint

    print(f"python {platform.python_version()}, python-flint {flint.__version__}, numpy {np.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} cores")
    if args.sizes:
        exact_table([int(s) for s in args.sizes.split(",")])
    if args.enclosure_sizes:
        enclosure_table([int(s) for s in args.enclosure_sizes.split(",")])


if __name__ == "__main__":
    main()

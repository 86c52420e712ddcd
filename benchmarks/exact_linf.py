"""Benchmark: `tempx certify`'s exact L_∞ (claim C14) for one model, dense and diagonal.

Dense: a float64 model with A ~ N(0, 0.25/d) (spectral radius about 0.5), B, C ~ N(0, 1/d), against
the memoryless teacher, so n = d + 1; the time of ``tempx.theory.linf.decide`` (2n exact terms by an
integer Krylov sweep, Berlekamp–Massey over ℚ with python-flint, Schur–Cohn, Åström). Targets (issue):
n = 64 under 1 s, n = 256 under 20 s, n = 1024 under 5 minutes.

    python benchmarks/exact_linf.py [--sizes 64,128,256] [--work-limit 1e13]
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="16,32,64,128,256")
    ap.add_argument("--work-limit", default="1e13", help="TEMPX_WORK_LIMIT for the run (the estimate refuses beyond)")
    args = ap.parse_args()
    os.environ["TEMPX_WORK_LIMIT"] = args.work_limit
    import flint

    from tempx.theory.certify import model_from_floats
    from tempx.theory.linf import decide

    print(f"python {platform.python_version()}, python-flint {flint.__version__}, {platform.machine()}")
    print(f"{'n':>6} {'seconds':>9} {'m':>5} {'digits of L_inf':>16}  finite")
    for d in (int(s) - 1 for s in args.sizes.split(",")):
        rng = np.random.default_rng(d)
        A = rng.normal(0, 0.5 / np.sqrt(d), (d, d))
        B, C = rng.normal(0, 1 / np.sqrt(d), (d, 1)), rng.normal(0, 1 / np.sqrt(d), (1, d))
        model = model_from_floats(A, B, C)
        start = time.perf_counter()
        dec = decide(model, "memoryless", 3)
        seconds = time.perf_counter() - start
        v = dec.linf.value
        digits = 0 if v is None else round((v.numerator.bit_length() + v.denominator.bit_length()) * 0.30103)
        print(f"{d + 1:>6} {seconds:>9.2f} {dec.linf.complexity:>5} {digits:>16}  {dec.linf.finite}", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark: exact verification of the cyclic counterexample (claim C2) at large k.

Times, in one run on one machine:
  1. tempx: ``tempx.theory.claims.c2_counterexamples.check_instance`` for k = d (default 512), c = 3/2 —
     impulse response of 2k + 1 terms against the closed form, L_k = 0, w_k = c, L_q closed
     forms, zero empirical loss on random rational data, exactly zero gradient;
  2. the same facts computed with plain ``sympy.Matrix`` objects (Rational entries, the same
     Krylov algorithm and gradient formula), as a user without tempx would write them;
  3. ``tempx verify`` with default parameters, as a subprocess (includes interpreter start-up).
Prints a table and the ratio; ``--json PATH`` also writes the numbers.

Usage:  python benchmarks/exact_cyclic.py [--k 512] [--repeat 3] [--json out.json]
Target: (1) under 2 s and (3) under 30 s on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import subprocess
import sys
import time
from fractions import Fraction

import sympy
from sympy import Matrix, Rational, zeros

from tempx.theory.claims import c2_counterexamples


def tempx_check(k: int, c: Fraction) -> bool:
    return all(e.holds for e in c2_counterexamples.check_instance(k=k, d=k, c=c))


def sympy_check(k: int, c: Fraction) -> bool:
    """The same facts with sympy.Matrix: Krylov sweeps, closed forms, U^T H V gradient."""
    cq = Rational(c.numerator, c.denominator)
    A = zeros(k, k)
    for i in range(k - 1):
        A[i + 1, i] = 1
    A[0, k - 1] = cq
    B = zeros(k, 1)
    B[0] = 1
    C = B.T
    n = 2 * k + 1
    ok = True
    v, w, V_rows = B, [], []
    for i in range(n):
        w.append((C * v)[0])
        if i < k:
            V_rows.append(v.T)
        v = A * v
    expected = [cq ** (i // k) if i % k == 0 else 0 for i in range(n)]
    ok &= w == expected
    r = [w[0] - 1] + w[1:]
    ok &= sum(x**2 for x in r[:k]) == 0 and w[k] == cq
    for q in (k + 1, n):
        ok &= sum(x**2 for x in r[:q]) == sum(cq ** (2 * j) for j in range(1, (q - 1) // k + 1))
    rng = random.Random(0)
    X = Matrix(4, k, lambda s, t: Rational(rng.randint(-9, 9), rng.randint(1, 9)))
    errors = X * Matrix([r[k - 1 - t] for t in range(k)])
    ok &= sum(e**2 for e in errors) == 0
    u, U_rows = C, []
    for _ in range(k):
        U_rows.append(u)
        u = u * A
    U, V = Matrix.vstack(*U_rows), Matrix.vstack(*V_rows)
    H = Matrix(k, k, lambda a, b: r[a + b + 1] if a + b + 1 < k else 0)
    rho = Matrix(r[:k])
    G_A, G_B, G_C = 2 * U.T * H * V, 2 * U.T * rho, 2 * rho.T * V
    ok &= G_A.is_zero_matrix and G_B.is_zero_matrix and G_C.is_zero_matrix
    return bool(ok)


def timed(fn, repeat: int) -> tuple[float, bool]:  # type: ignore[no-untyped-def]
    times, ok = [], True
    for _ in range(repeat):
        start = time.perf_counter()
        ok &= fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), ok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--k", type=int, default=512)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json", help="also write the results to this file")
    args = p.parse_args()
    k, c = args.k, Fraction(3, 2)

    t_tempx, ok_tempx = timed(lambda: tempx_check(k, c), args.repeat)
    t_sympy, ok_sympy = timed(lambda: sympy_check(k, c), max(1, args.repeat // 2))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tempx.numerics.app.cli", "verify"], capture_output=True, text=True, check=False)
    t_verify = time.perf_counter() - start

    rows = [
        (f"tempx exact check, cyclic k = d = {k}", t_tempx, ok_tempx, "< 2 s"),
        ("plain sympy.Matrix, same check", t_sympy, ok_sympy, ""),
        ("tempx verify (defaults, subprocess)", t_verify, proc.returncode == 0, "< 30 s"),
    ]
    print(f"python {platform.python_version()}, sympy {sympy.__version__}, {platform.machine()}")
    for name, t, ok, target in rows:
        print(f"{name:45s} {t:9.3f} s   {'ok' if ok else 'FAILED':6s} {target}")
    print(f"ratio sympy.Matrix / tempx: {t_sympy / t_tempx:.1f}x")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"k": k, "tempx_s": t_tempx, "sympy_s": t_sympy, "verify_s": t_verify,
                       "ratio": t_sympy / t_tempx, "all_ok": ok_tempx and ok_sympy and proc.returncode == 0}, f, indent=2)
    return 0 if ok_tempx and ok_sympy and proc.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Where the dense GD kernel spends its time: each phase removed in turn from a copy of the kernel.

For one (N, d, k), copies of ``numerics/students/dense_kernels.py`` are compiled with one phase of
the four-lane kernel (``_run_group``) disabled (its loop runs zero times; the numbers computed are
then wrong, only the time counts), and timed against the intact kernel, interleaved, 5 runs each,
on the same models (memoryless teacher, GD without a tolerance, so every model runs every step).
The saving of a phase is the intact median minus the median without it.

Phases: ``chains`` (v_l = A v_{l-1} and u_l = Aᵀ u_{l-1}, one pass over A each), ``update`` (the
sums Σ_m u_m w_mᵀ of G_A; the pass that writes A − η G_A stays), ``w`` (w_m = Σ_n 2ρ_{m+n+1} v_n),
``bc`` (G_B, G_C) and ``residuals``.  Also timed: every model in the one-model kernel (no lane groups).

Usage:  python benchmarks/kernel_phases.py [N d k]      (default 256 64 16)
"""

from __future__ import annotations

import importlib.util
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

from tempx.numerics.students import dense_kernels

PHASES = {
    "chains": ("            for s in range(1, k):\n                src = (s - 1) * dp", "range(1, k)", "range(1, 1)"),
    "update": ("                    for m in range(k - 1):\n                        u0 = vload(U", "range(k - 1)", "range(0)"),
    "w": ("                for n in range(k - 1 - m):\n                    x = vload(two", "range(k - 1 - m)", "range(0)"),
    "bc": ("                for l in range(k):\n                    x = vload(two, l * 4)", "range(k)", "range(0)"),
    "residuals": ("                for j in range(0, dp, 4):\n                    o = (l * dp + j) * 4", "range(0, dp, 4)",
                  "range(0, 0, 4)"),
}


ONE_BY_ONE = "        groups = n // 4\n"


def variant(source: str, phase: str | None, folder: Path) -> ModuleType:
    """The kernel module compiled from ``source`` with ``phase`` of the four-lane kernel disabled
    (``one-by-one``: no lane groups, every model in the per-model kernel)."""
    head, group = source.split("def _run_group", 1)
    if phase == "one-by-one":
        if group.count(ONE_BY_ONE) != 1:
            raise SystemExit("the lane grouping was not found once: update ONE_BY_ONE")
        group = group.replace(ONE_BY_ONE, "        groups = 0\n")
    elif phase is not None:
        text, old, new = PHASES[phase]
        if group.count(text) != 1:
            raise SystemExit(f"phase {phase!r} not found once in the four-lane kernel: update PHASES")
        group = group.replace(text, text.replace(old, new))
    path = folder / f"kernel_{phase or 'intact'}.py"
    path.write_text(head + "def _run_group" + group)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    if not dense_kernels.AVAILABLE:
        raise SystemExit("numba is not installed")
    n, d, k = (int(x) for x in sys.argv[1:4]) if len(sys.argv) >= 4 else (256, 64, 16)
    source = Path(dense_kernels.__file__).read_text().replace("cache=True", "cache=False")
    rng = np.random.default_rng(0)
    A = rng.normal(0, 0.3 / np.sqrt(d), (n, d, d))
    b, c = rng.normal(0, 0.5, (n, d)) / d ** 0.25, rng.normal(0, 0.5, (n, d)) / d ** 0.25
    wstar = np.zeros(k)
    wstar[0] = 1.0
    weights = np.full((1, k), 1.0 / k)
    steps = max(200, int(4e8 / (6 * n * max(k - 1, 1) * d * d)))
    with tempfile.TemporaryDirectory() as tmp:
        kernels = {name: variant(source, name, Path(tmp)) for name in [None, *PHASES, "one-by-one"]}
        times: dict[str | None, list[float]] = {name: [] for name in kernels}
        for rep in range(6):
            for name, module in kernels.items():
                A1, b1, c1, out = A.copy(), b.copy(), c.copy(), np.zeros((n, 4))
                t0 = time.perf_counter()
                module.gd_block(A1, b1, c1, wstar, weights, 0.02, 0, steps, 10**9, 0.0, 1e300, out)
                if rep > 0:  # the first round compiles
                    times[name].append((time.perf_counter() - t0) / steps)
    intact = statistics.median(times[None])
    flops = 6 * n * max(k - 1, 1) * d * d
    print(f"(N, d, k) = {(n, d, k)}: intact kernel {intact:.3e} s/step ({flops / intact / 1e9:.1f} GFLOP/s executed)")
    rest = intact
    for name in PHASES:
        saved = intact - statistics.median(times[name])
        rest -= saved
        print(f"  {name:10s} {saved:.2e} s/step  {100 * saved / intact:5.1f} %")
    print(f"  {'the rest':10s} {rest:.2e} s/step  {100 * rest / intact:5.1f} %  (the A − η G_A pass, checks, copies)")
    alone = statistics.median(times["one-by-one"])
    print(f"every model one by one (no lanes): {alone:.3e} s/step, {alone / intact:.2f}x the time of four lanes")
    return 0


if __name__ == "__main__":
    sys.exit(main())

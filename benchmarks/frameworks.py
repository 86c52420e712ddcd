"""Benchmark: tempx gradient descent against idiomatic JAX and PyTorch, side by side in one run.

The work (issue "performance"): GD on the last-output population loss of N independent linear
RNNs, memoryless teacher, float64, gaussian initialization σ = 0.5, η = 0.02, tol = 0 (every
step counted), for (N, d, k) in CONFIGS.  Reported: seconds per step (median of --repeat
measurements, each at least --min-seconds long, taken in rounds: one measurement of every
implementation per round, so that the machine's drift lands on all of them alike), GFLOP/s-equivalent with the flop model
4·N·k·d² per step, the flops the kernel executes (6·N·(k−1)·d² per step: forward products,
backward products and the rank-(k−1) update of A, each (k−1)·d² multiply-adds) as a share of the
GEMM ceiling, and ratios.  Implementations, all from the same initial parameters:

- tempx (numba kernel, ``tempx.numerics.gd(..., backend="numba")``) and the plain vectorized numpy
  path (``backend="numpy"``), whose trajectories must agree to 1e-12 relative;
- JAX: jit of ``lax.fori_loop`` over steps, float64, in three formulations (``JAX_FORMS``: einsum
  or batched matmul with ``jax.grad``, and the analytic backward sweep); the JAX figure is the
  fastest of them for each size;
- PyTorch: eager mode, gradients by autograd, one Python iteration per step (float64).
Each peer is skipped with a note when it is not installed (``pip install ".[bench]"``).
The final train loss after the same number of steps must agree across implementations to
1e-10 relative.  Also measured: the float64 GEMM ceiling of this machine (numpy, 2000×2000),
the BLAS library and kernel (threadpoolctl), and the peak resident memory of tempx for
N = 4096, d = 64, k = 16 (in a subprocess).

Usage:  python benchmarks/frameworks.py [--json out.json] [--repeat 3] [--min-seconds 1]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from tempx import numerics

CONFIGS = [(1, 20, 5), (256, 20, 5), (256, 64, 16), (1024, 32, 8)]
LR, SIGMA, CHECK_STEPS = 0.02, 0.5, 200


def calibrate(run: Callable[[int], Any], min_seconds: float, min_steps: int = 4) -> tuple[int, float]:
    """After a warm-up (JIT compilation): the steps of one measurement (≥ min_steps, lasting ≥ min_seconds)
    and the seconds per step of the last trial, which was such a measurement."""
    run(2)
    steps = min_steps
    while True:
        t0 = time.perf_counter()
        run(steps)
        dt = time.perf_counter() - t0
        if dt >= min_seconds:
            return steps, dt / steps
        steps = int(steps * max(2.0, 1.3 * min_seconds / max(dt, 1e-6)))


def measure(run: Callable[[int], Any], min_seconds: float, repeat: int, min_steps: int = 4) -> float:
    """Median seconds per step; each measurement runs ≥ min_steps steps and lasts ≥ min_seconds."""
    steps, first = calibrate(run, min_seconds, min_steps)
    times = [first]
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        run(steps)
        times.append((time.perf_counter() - t0) / steps)
    return statistics.median(times)


def measure_interleaved(runs: dict[str, Callable[[int], Any]], min_seconds: float, repeat: int,
                        min_steps: int = 4) -> dict[str, float]:
    """Median seconds per step of each run, the measurements taken in rounds (one of each run per round).

    This machine's speed drifts by tens of percent over minutes (other tenants): measured one after
    the other, a slow minute lands on one implementation only; in rounds, it lands on all of them.
    """
    steps = {name: calibrate(run, min_seconds, min_steps)[0] for name, run in runs.items()}
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            t0 = time.perf_counter()
            run(steps[name])
            times[name].append((time.perf_counter() - t0) / steps[name])
    return {name: statistics.median(t) for name, t in times.items()}


def total_loss(A: np.ndarray, B: np.ndarray, C: np.ndarray, k: int) -> float:
    p = numerics.Params(A, B, C)
    return float(numerics.loss_and_grad(p, numerics.memoryless(k), k)[0].sum())


# --- tempx -------------------------------------------------------------------------------------

def tempx_runner(params: numerics.Params, k: int, backend: str) -> tuple[Callable[[int], Any], Callable[[int], float]]:
    teacher = numerics.memoryless(k)

    def run(steps: int) -> Any:
        return numerics.gd(params, teacher, k, LR, steps, backend=backend)

    def final(steps: int) -> float:
        return float(run(steps).train_loss.sum())

    return run, final


# --- JAX ---------------------------------------------------------------------------------------

JAX_FORMS = ("einsum+grad", "matmul+grad", "matmul+analytic")


def jax_runner(params: numerics.Params, k: int, form: str) -> tuple[Callable[[int], Any], Callable[[int], float]] | None:
    """One JAX formulation: jit of ``lax.fori_loop`` over GD steps, float64.

    - ``einsum+grad``: the Krylov sweep with ``jnp.einsum("nij,nj->ni")``, gradients by ``jax.grad``;
    - ``matmul+grad``: batched ``jnp.matmul`` of (N, d, d) by (N, d, 1), gradients by ``jax.grad``;
    - ``matmul+analytic``: the same sweep and tempx's own backward sweep written in JAX
      (g_l = 2ρ_l Cᵀ + Aᵀ g_{l+1}, ∇_A = Σ g_l v_{l−1}ᵀ as one batched matmul): no autodiff at all.
    """
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax

    def loss_einsum(A: Any, B: Any, C: Any) -> Any:
        v = B[:, :, 0]
        c = C[:, 0, :]
        total = 0.0
        for i in range(k):  # unrolled Krylov sweep: w_i = C A^i B
            r = jnp.sum(c * v, axis=1) - (1.0 if i == 0 else 0.0)
            total = total + jnp.sum(r * r)
            v = jnp.einsum("nij,nj->ni", A, v)
        return total

    def loss_matmul(A: Any, B: Any, C: Any) -> Any:
        v = B
        total = 0.0
        for i in range(k):
            r = jnp.matmul(C, v)[:, 0, 0] - (1.0 if i == 0 else 0.0)
            total = total + jnp.sum(r * r)
            v = jnp.matmul(A, v)
        return total

    def grad_analytic(A: Any, B: Any, C: Any) -> Any:
        vs = [B]
        for _ in range(k - 1):
            vs.append(jnp.matmul(A, vs[-1]))
        V = jnp.concatenate(vs, axis=2)  # (N, d, k)
        rho = jnp.matmul(C, V)[:, 0, :] - jnp.zeros(k).at[0].set(1.0)  # r (last-output weights: ρ = r)
        Ct = jnp.transpose(C, (0, 2, 1))
        At = jnp.transpose(A, (0, 2, 1))
        g = 2.0 * rho[:, k - 1, None, None] * Ct
        gs = [g]
        for l in range(k - 2, -1, -1):
            g = 2.0 * rho[:, l, None, None] * Ct + jnp.matmul(At, g)
            gs.append(g)
        Gm = jnp.concatenate(gs[::-1], axis=2)  # (N, d, k): column l is g_l
        gA = jnp.matmul(Gm[:, :, 1:], jnp.transpose(V[:, :, :-1], (0, 2, 1)))
        gC = 2.0 * jnp.matmul(rho[:, None, :], jnp.transpose(V, (0, 2, 1)))
        return gA, Gm[:, :, :1], gC

    if form == "einsum+grad":
        grad = jax.grad(loss_einsum, argnums=(0, 1, 2))
    elif form == "matmul+grad":
        grad = jax.grad(loss_matmul, argnums=(0, 1, 2))
    else:
        grad = grad_analytic

    @jax.jit
    def run_steps(A: Any, B: Any, C: Any, steps: Any) -> Any:
        def body(_: Any, state: Any) -> Any:
            a, b, c = state
            ga, gb, gc = grad(a, b, c)
            return (a - LR * ga, b - LR * gb, c - LR * gc)

        return lax.fori_loop(0, steps, body, (A, B, C))

    A0, B0, C0 = (jnp.asarray(getattr(params, m)) for m in "ABC")

    def run(steps: int) -> Any:
        out = run_steps(A0, B0, C0, steps)
        jax.block_until_ready(out)
        return out

    def final(steps: int) -> float:
        a, b, c = run(steps)
        return total_loss(np.asarray(a), np.asarray(b), np.asarray(c), k)

    return run, final


# --- PyTorch -----------------------------------------------------------------------------------

def torch_runner(params: numerics.Params, k: int) -> tuple[Callable[[int], Any], Callable[[int], float]] | None:
    try:
        import torch
    except ImportError:
        return None

    def run(steps: int) -> Any:
        A, B, C = (torch.tensor(np.array(getattr(params, m)), dtype=torch.float64, requires_grad=True) for m in "ABC")
        for _ in range(steps):
            v = B[:, :, 0]
            c = C[:, 0, :]
            total = torch.zeros((), dtype=torch.float64)
            for i in range(k):
                w = (c * v).sum(dim=1)
                r = w - (1.0 if i == 0 else 0.0)
                total = total + (r * r).sum()
                v = torch.bmm(A, v.unsqueeze(2)).squeeze(2)
            total.backward()
            with torch.no_grad():
                for t in (A, B, C):
                    t -= LR * t.grad
                    t.grad = None
        return A.detach().numpy(), B.detach().numpy(), C.detach().numpy()

    def final(steps: int) -> float:
        return total_loss(*run(steps), k)

    return run, final


# --- machine -----------------------------------------------------------------------------------

def peer_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for name in ("jax", "jaxlib", "torch", "numba"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def gemm_ceiling() -> float:
    a = np.random.default_rng(0).normal(size=(2000, 2000))
    a @ a
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - t0)
    return 2 * 2000**3 / min(times) / 1e9


def blas_info() -> list[dict[str, Any]]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return [{"note": "threadpoolctl not installed"}]
    return [{k: v for k, v in info.items() if k in ("internal_api", "version", "num_threads", "architecture", "user_api")}
            for info in threadpool_info()]


def peak_memory_mib(n: int = 4096, d: int = 64, k: int = 16, steps: int = 20) -> float:
    code = (
        "import resource\nfrom tempx import numerics\n"
        f"p = numerics.init_gaussian({n}, {d}, {SIGMA}, seed=0)\n"
        f"numerics.gd(p, numerics.memoryless({k}), {k}, {LR}, {steps})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--min-seconds", type=float, default=1.0)
    ap.add_argument("--json", help="also write all numbers to this file")
    args = ap.parse_args()

    from tempx.numerics.students import dense_kernels as kernels

    # The fastest XLA setting found on the reference machine (docs/performance.md: thunk runtime off,
    # Eigen threading off and fast math each tried): fast math, like tempx's own kernel flags.
    # Set before JAX initializes its backend; an XLA_FLAGS given by the caller wins.
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")

    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, {os.cpu_count()} cores, "
          f"numba kernel: {'yes' if kernels.AVAILABLE else 'NO (numpy fallback)'}; peers: {peer_versions()}; "
          f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}")
    ceiling = gemm_ceiling()
    print(f"float64 GEMM ceiling (numpy 2000x2000): {ceiling:.1f} GFLOP/s; BLAS: {blas_info()}")
    impls = ("tempx", "tempx-numpy", *(f"jax:{f}" for f in JAX_FORMS), "torch")
    rows: list[dict[str, Any]] = []
    for n, d, k in CONFIGS:
        params = numerics.init_gaussian(n, d, SIGMA, seed=0)
        runners = {
            "tempx": tempx_runner(params, k, "numba" if kernels.AVAILABLE else "numpy"),
            "tempx-numpy": tempx_runner(params, k, "numpy"),
            **{f"jax:{f}": jax_runner(params, k, f) for f in JAX_FORMS},
            "torch": torch_runner(params, k),
        }
        row: dict[str, Any] = {"N": n, "d": d, "k": k, "flops_per_step": 4 * n * k * d * d,
                               "executed_flops_per_step": 6 * n * (k - 1) * d * d}
        losses = {}
        for name in impls:
            r = runners[name]
            row[name] = None
            if r is not None:
                losses[name] = r[1](CHECK_STEPS)
        row.update(measure_interleaved({name: r[0] for name, r in runners.items() if r is not None},
                                       args.min_seconds, args.repeat))
        jax_times = {f: row[f"jax:{f}"] for f in JAX_FORMS if row[f"jax:{f}"] is not None}
        row["jax"] = min(jax_times.values()) if jax_times else None  # the JAX figure: the fastest formulation
        row["jax_best"] = min(jax_times, key=jax_times.get) if jax_times else None
        ref = losses["tempx-numpy"]
        row["loss_after_check_steps"] = losses
        row["agree_1e-10"] = all(abs(v - ref) <= 1e-10 * abs(ref) for v in losses.values())
        rows.append(row)
        cells = "  ".join(f"{name} {row[name]:.2e}" if row[name] is not None else f"{name} —" for name in impls)
        print(f"{(n, d, k)!s:>15}  {cells}  agree: {row['agree_1e-10']}", flush=True)

    print()
    header = (f"{'(N, d, k)':>15} | " + " | ".join(f"{n:>11}" for n in impls)
              + " | tempx GF/s | % GEMM | executed GF/s (% GEMM) | vs jax (best form) | vs torch | vs numpy")
    print(header)
    print("-" * len(header))
    for r in rows:
        cfg = str((r["N"], r["d"], r["k"]))
        cells = " | ".join(f"{r[n]:11.2e}" if r[n] is not None else f"{'—':>11}" for n in impls)
        gf = r["flops_per_step"] / r["tempx"] / 1e9
        ex = r["executed_flops_per_step"] / r["tempx"] / 1e9
        ratios = [f"{r[o] / r['tempx']:7.1f}x" if r[o] is not None else "      —" for o in ("jax", "torch", "tempx-numpy")]
        print(f"{cfg:>15} | {cells} | {gf:10.2f} | {100 * gf / ceiling:5.1f}% | {ex:12.2f} ({100 * ex / ceiling:4.1f}%) | "
              f"{ratios[0]} ({r['jax_best']}) | "
              f"{ratios[1]:>8} | {ratios[2]:>8}")
    mem = peak_memory_mib()
    print(f"\npeak resident memory, tempx GD on N=4096, d=64, k=16: {mem:.0f} MiB (target < 2048)")
    print("all implementations agree to 1e-10 relative after", CHECK_STEPS, "steps:", all(r["agree_1e-10"] for r in rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": {"python": platform.python_version(), "numpy": np.__version__, "cores": os.cpu_count(), "peers": peer_versions(),
                                   "gemm_gflops": ceiling, "blas": blas_info()},
                       "rows": rows, "peak_memory_mib": mem}, f, indent=1)
    return 0 if all(r["agree_1e-10"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: GD on diagonal students (real and complex), tempx against idiomatic JAX, in one run.

Work: gradient descent on the last-output population loss of N diagonal students with d modes,
memoryless teacher, float64 (complex128 for complex modes), initialization N(0, σ²/d) with
σ = 0.5, η = 0.02, for (N, d, k) in CONFIGS.  Reported: seconds per step (median of --repeat
measurements, each at least --min-seconds long) and the ratio JAX / tempx.

- tempx: ``tempx.numerics.drivers.descent.gd(..., backend="numba")`` (its trajectories
  equal the numpy reference engine to 1e-12 relative: tests/test_diagonal.py);
- JAX: ``jit`` of ``lax.fori_loop`` over steps, gradients by ``jax.grad`` of the loss, float64,
  in two formulations: the powers λ^i as an (N, k, d) array (``jnp.cumprod``) and one ``einsum``;
  and a ``lax.scan`` over i carrying z = c b λ^i (O(N d) memory, 4.8× faster than the first at
  (4096, 256, 32) here).  The JAX column is the faster of the two.  For complex parameters,
  gradient descent on a real loss steps along ``conj(grad)`` (JAX's convention).
The final total loss after CHECK_STEPS steps must agree between tempx and JAX to 1e-10 relative.

Usage:  python benchmarks/diagonal.py [--json out.json] [--repeat 3] [--min-seconds 1]
Needs:  pip install ".[bench]" (jax).  Target: tempx ≥ 2× JAX at every configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Callable
from typing import Any

import numpy as np
from frameworks import measure  # the same timing rule as the dense benchmark (this folder is on sys.path)

from tempx.numerics.drivers.descent import gd
from tempx.numerics.students.diagonal import DiagParams, loss_and_grad
from tempx.numerics.students.init import init_diagonal
from tempx.numerics.teachers import memoryless

CONFIGS = [(1024, 64, 16), (4096, 256, 32)]
LR, SIGMA, CHECK_STEPS = 0.02, 0.5, 50
MIN_STEPS = 20  # enough that the per-call work (copies, the final loss) is a small part of a measurement


def jax_runner(p: DiagParams, k: int, form: str) -> tuple[Callable[[int], Any], Callable[[int], float]] | None:
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax

    wstar = jnp.zeros(k).at[0].set(1.0)

    def loss_scan(lam: Any, b: Any, c: Any) -> Any:
        def body(z: Any, _: Any) -> Any:
            return z * lam, jnp.real(jnp.sum(z, axis=1))
        _, w = lax.scan(body, c * b, None, length=k)  # w: (k, N)
        return jnp.sum((w.T - wstar) ** 2)

    def loss_cumprod(lam: Any, b: Any, c: Any) -> Any:
        powers = jnp.cumprod(jnp.concatenate([jnp.ones_like(lam)[:, None, :],
                                              jnp.broadcast_to(lam[:, None, :], (lam.shape[0], k - 1, lam.shape[1]))],
                                             axis=1), axis=1)  # (N, k, d): λ^i
        w = jnp.real(jnp.einsum("nkd,nd->nk", powers, c * b))
        return jnp.sum((w - wstar) ** 2)

    loss = loss_scan if form == "scan" else loss_cumprod
    grad = jax.grad(loss, argnums=(0, 1, 2))
    conj = jnp.conj if p.is_complex else (lambda x: x)

    @jax.jit
    def steps_fn(lam: Any, b: Any, c: Any, n: Any) -> Any:
        def body(_: Any, s: Any) -> Any:
            g = grad(*s)
            return tuple(x - LR * conj(gx) for x, gx in zip(s, g))
        return lax.fori_loop(0, n, body, (lam, b, c))

    start = tuple(jnp.asarray(x) for x in (p.lam, p.b, p.c))

    def run(n: int) -> Any:
        out = steps_fn(*start, n)
        out[0].block_until_ready()
        return out

    def final(n: int) -> float:
        lam, b, c = (np.asarray(x) for x in run(n))
        return float(loss_and_grad(DiagParams(lam, b, c), memoryless(k), k)[0].sum())

    return run, final


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--min-seconds", type=float, default=1.0)
    ap.add_argument("--json")
    args = ap.parse_args()
    try:
        import jax
        jax_version = jax.__version__
    except ImportError:
        jax_version = "not installed"
    from numba import config as numba_config

    print(f"python {platform.python_version()}, numpy {np.__version__}, jax {jax_version}, {platform.machine()}, "
          f"{os.cpu_count()} cores, numba threads {numba_config.NUMBA_NUM_THREADS}")
    rows = []
    for complex_modes in (False, True):
        for N, d, k in CONFIGS:
            p = init_diagonal(N, d, SIGMA, 0, complex_modes=complex_modes)
            teacher = memoryless(k)
            tempx_run = lambda n, p=p, k=k, teacher=teacher: gd(p, teacher, k, LR, n, backend="numba")
            t_tempx = measure(tempx_run, args.min_seconds, args.repeat, MIN_STEPS)
            loss_tempx = float(tempx_run(CHECK_STEPS).train_loss.sum())
            forms: dict[str, float] = {}
            agree: bool | None = None
            for form in ("cumprod", "scan"):
                jr = jax_runner(p, k, form)
                if jr is None:
                    continue
                forms[form] = measure(jr[0], args.min_seconds, args.repeat, MIN_STEPS)
                loss_jax = jr[1](CHECK_STEPS)
                ok = abs(loss_jax - loss_tempx) <= 1e-10 * abs(loss_tempx)
                agree = ok if agree is None else agree and ok
            t_jax = min(forms.values()) if forms else float("nan")
            row = {"student": "complex" if complex_modes else "diagonal", "N": N, "d": d, "k": k,
                   "tempx_s_per_step": t_tempx, "jax_forms_s_per_step": forms, "jax_s_per_step": t_jax,
                   "ratio": t_jax / t_tempx, "agree": agree}
            rows.append(row)
            shown = ", ".join(f"{f} {t:.3e}" for f, t in forms.items())
            print(f"{row['student']:>8} (N, d, k) = ({N}, {d}, {k}):  tempx {t_tempx:.3e} s/step   jax [{shown}] s/step"
                  f"   jax/tempx {row['ratio']:.2f}x   losses agree to 1e-10: {agree}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"jax": jax_version, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()

"""Benchmark: one batched BPTT gradient-descent step on tanh Elman students, tempx against JAX and PyTorch.

Work: N tanh RNNs h_t = tanh(A h_{t−1} + B x_t), ŷ_t = C h_t with d units, trained by GD (η = 0.02)
on the last-output empirical loss mean_s (ŷ_{k−1} − x_{k−1})² (memoryless teacher) over n fixed
Gaussian sequences of length k, float64, from N(0, σ²/d) parameters (σ = 0.5), for (N, d, k, n)
in CONFIGS.  Reported: seconds per GD step (median of --repeat measurements, each at least
--min-seconds long, ``frameworks.measure``) and the ratios.

- tempx: ``tempx.numerics.drivers.descent.gd(..., data=X, backend="numba")`` (the compiled BPTT kernel,
  equal to the numpy engine to 1e-12: tests/test_elman.py);
- JAX: ``jit`` of ``lax.fori_loop`` over steps; the loss of one model by ``lax.scan`` over time,
  ``vmap`` over models, gradients by ``jax.grad``; float64;
- PyTorch: (a) batched ``torch.bmm`` over models with autograd (one Python iteration per step), and
  (b) for N = 1, ``torch.nn.RNN(nonlinearity="tanh", bias=False)`` with a linear read-out; float64,
  ``torch.set_num_threads(2)``.
The final loss after CHECK_STEPS steps must agree across implementations to 1e-10 relative.

Usage:  python benchmarks/nonlinear.py [--json out.json] [--repeat 3] [--min-seconds 1]
Needs:  pip install torch==2.13.0 "jax[cpu]" (peers are skipped with a note when missing).
Targets: tempx ≥ 1.5× JAX and ≥ 3× PyTorch at every configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from collections.abc import Callable
from typing import Any

import numpy as np
from frameworks import measure  # the timing rule of the dense benchmark (this folder is on sys.path)

from tempx.numerics.app.experiments import seeded_batch
from tempx.numerics.data import gaussian_sequences
from tempx.numerics.drivers.descent import gd
from tempx.numerics.students.elman import ElmanParams
from tempx.numerics.teachers import memoryless

CONFIGS = [(64, 32, 16, 256), (1, 64, 32, 1024)]
LR, SIGMA, CHECK_STEPS = 0.02, 0.5, 20
Runner = tuple[Callable[[int], Any], Callable[[int], float]]


def loss_np(A: np.ndarray, B: np.ndarray, C: np.ndarray, X: np.ndarray) -> float:
    """Σ over models of the last-output empirical loss (the agreement check), in plain numpy."""
    h = np.zeros((A.shape[0], X.shape[0], A.shape[1]))
    for t in range(X.shape[1]):
        h = np.tanh(h @ A.transpose(0, 2, 1) + X[None, :, t, None] * B[:, None, :, 0])
    y = np.einsum("nsd,nd->ns", h, C[:, 0, :])
    return float(np.sum(np.mean((y - X[None, :, -1]) ** 2, axis=1)))


def tempx_runner(p: ElmanParams, X: np.ndarray) -> Runner:
    k = X.shape[1]

    def run(steps: int) -> Any:
        return gd(p, memoryless(k), k, LR, steps, data=X, backend="numba", mc=(2, 0))

    def final(steps: int) -> float:
        q = run(steps).params
        return loss_np(q.A, q.B, q.C, X)

    return run, final


def jax_runner(p: ElmanParams, X: np.ndarray) -> Runner | None:
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from jax import lax

    Xj = jnp.asarray(X)

    def loss_one(A: Any, b: Any, c: Any) -> Any:
        def step(h: Any, x: Any) -> Any:
            return jnp.tanh(h @ A.T + x[:, None] * b[None, :]), None

        h, _ = lax.scan(step, jnp.zeros((Xj.shape[0], A.shape[0])), Xj.T)
        return jnp.mean((h @ c - Xj[:, -1]) ** 2)

    grad = jax.vmap(jax.grad(loss_one, argnums=(0, 1, 2)))

    @jax.jit
    def run_steps(A: Any, b: Any, c: Any, steps: Any) -> Any:
        def body(_: Any, s: Any) -> Any:
            ga, gb, gc = grad(*s)
            return (s[0] - LR * ga, s[1] - LR * gb, s[2] - LR * gc)

        return lax.fori_loop(0, steps, body, (A, b, c))

    A0, b0, c0 = jnp.asarray(p.A), jnp.asarray(p.B[:, :, 0]), jnp.asarray(p.C[:, 0, :])

    def run(steps: int) -> Any:
        out = run_steps(A0, b0, c0, steps)
        jax.block_until_ready(out)
        return out

    def final(steps: int) -> float:
        a, b, c = (np.asarray(x) for x in run(steps))
        return loss_np(a, b[:, :, None], c[:, None, :], X)

    return run, final


def torch_runner(p: ElmanParams, X: np.ndarray, form: str) -> Runner | None:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(2)
    Xt = torch.tensor(X, dtype=torch.float64)
    if form == "nn.RNN" and p.n_models != 1:
        return None

    def run(steps: int) -> Any:
        A = torch.tensor(p.A, dtype=torch.float64, requires_grad=True)
        b = torch.tensor(p.B[:, :, 0], dtype=torch.float64, requires_grad=True)
        c = torch.tensor(p.C[:, 0, :], dtype=torch.float64, requires_grad=True)
        rnn = None
        if form == "nn.RNN":
            rnn = torch.nn.RNN(1, p.d, nonlinearity="tanh", bias=False, batch_first=True, dtype=torch.float64)
            with torch.no_grad():
                rnn.weight_hh_l0.copy_(A[0])
                rnn.weight_ih_l0.copy_(b[0][:, None])
            params = [rnn.weight_hh_l0, rnn.weight_ih_l0, c]
        else:
            params = [A, b, c]
        for _ in range(steps):
            if rnn is not None:
                out, _ = rnn(Xt[:, :, None])
                loss = torch.mean((out[:, -1, :] @ c[0] - Xt[:, -1]) ** 2)
            else:
                h = torch.zeros(A.shape[0], Xt.shape[0], A.shape[1], dtype=torch.float64)
                for t in range(Xt.shape[1]):
                    h = torch.tanh(torch.bmm(h, A.transpose(1, 2)) + Xt[None, :, t, None] * b[:, None, :])
                y = torch.einsum("nsd,nd->ns", h, c)
                loss = torch.sum(torch.mean((y - Xt[None, :, -1]) ** 2, dim=1))
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for x, g in zip(params, grads):
                    x -= LR * g
        if rnn is not None:
            return rnn.weight_hh_l0.detach()[None], rnn.weight_ih_l0.detach()[:, 0][None], c.detach()
        return A.detach(), b.detach(), c.detach()

    def final(steps: int) -> float:
        a, b, c = (x.numpy() for x in run(steps))
        return loss_np(a, b[:, :, None], c[:, None, :], X)

    return run, final


def peer_versions() -> dict[str, str]:
    out = {}
    for name in ("jax", "jaxlib", "torch", "numba"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = "not installed"
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--min-seconds", type=float, default=1.0)
    ap.add_argument("--json")
    args = ap.parse_args()
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, {os.cpu_count()} cores; "
          f"peers {peer_versions()}")
    rows = []
    for N, d, k, n in CONFIGS:
        p = seeded_batch("gaussian", N, d, SIGMA, 0, student="tanh")
        X = gaussian_sequences(n, k, 0)
        runners: dict[str, Runner | None] = {"tempx": tempx_runner(p, X), "jax": jax_runner(p, X),
                                             "torch:bmm": torch_runner(p, X, "bmm"), "torch:nn.RNN": torch_runner(p, X, "nn.RNN")}
        row: dict[str, Any] = {"N": N, "d": d, "k": k, "n": n}
        losses = {}
        for name, r in runners.items():
            if r is None:
                row[name] = None
                continue
            run, final = r
            losses[name] = final(CHECK_STEPS)
            row[name] = measure(run, args.min_seconds, args.repeat, min_steps=2)
        ref = losses["tempx"]
        row["losses"] = losses
        row["agree_1e-10"] = all(abs(v - ref) <= 1e-10 * abs(ref) for v in losses.values())
        torch_best = min((row[f] for f in ("torch:bmm", "torch:nn.RNN") if row[f] is not None), default=None)
        row["jax_over_tempx"] = None if row["jax"] is None else row["jax"] / row["tempx"]
        row["torch_over_tempx"] = None if torch_best is None else torch_best / row["tempx"]
        rows.append(row)
        cells = "  ".join(f"{name} {row[name]:.3e}" if row[name] is not None else f"{name} —" for name in runners)
        ratio = lambda x: "—" if x is None else f"{x:.2f}x"
        print(f"(N, d, k, n) = {(N, d, k, n)}: {cells} s/step;  JAX/tempx {ratio(row['jax_over_tempx'])}, "
              f"best PyTorch/tempx {ratio(row['torch_over_tempx'])};  agree to 1e-10: {row['agree_1e-10']}", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"peers": peer_versions(), "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

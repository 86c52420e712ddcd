r"""Batched gradient descent on diagonal students (real or complex), with the stopping rules of ``gd``.

Update rule x ← x − η ∇L for x ∈ {λ, b, c} (complex parameters: ∇ = ∂/∂Re + i ∂/∂Im), on the
population loss L_ω.  Each model stops on its own: ``converged`` when its loss is ≤ tol (tol > 0),
``diverged`` when its loss or gradient is non-finite, its loss exceeds the bound, or the next
iterate is non-finite (the last finite parameters are kept), ``max_steps`` otherwise.  Two
engines with the same rules: the vectorized numpy reference and the numba kernel
(``tempx.numerics.students.diagonal_kernels``), equal to 1e-12 relative (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tempx.numerics.students import diagonal_kernels
from tempx.numerics.drivers.descent import DIVERGENCE_BOUND, GDResult, check_run
from tempx.numerics.students.diagonal import DiagParams, extrapolation_losses, impulse_response, loss_and_grad
from tempx.numerics.losses import check_lengths, loss_weights
from tempx.numerics.teachers import Teacher

__all__ = ["evaluate_diagonal", "gd_diagonal"]

CHUNK = 2000


def evaluate_diagonal(params: DiagParams, teacher: Teacher, k: int, qs: Sequence[int], weights: Any = None
                      ) -> dict[str, Any]:
    """Train loss (from one running-power sweep, O(N d) memory), L_q per q, and the norms."""
    r = impulse_response(params, k) - teacher.impulse_response(k)[None, :]
    with np.errstate(over="ignore", invalid="ignore"):  # a diverged model's last finite iterate may overflow here
        loss = np.einsum("nk,nk->n", r * r, np.broadcast_to(loss_weights(k, weights), r.shape))
        norms = params.norms()
    loss = np.where(np.isnan(loss), np.inf, loss)
    return {"train_loss": loss, "extrapolation_loss": extrapolation_losses(params, teacher, qs), **norms}


def gd_diagonal(
    params: DiagParams,
    teacher: Teacher,
    k: int,
    lr: float,
    steps: int,
    tol: float = 0.0,
    *,
    weights: Any = None,
    qs: Sequence[int] = (),
    divergence_bound: float = DIVERGENCE_BOUND,
    progress: Callable[[int, int], None] | None = None,
    backend: str = "auto",
) -> GDResult:
    """Gradient descent on N diagonal students; returns a ``GDResult`` whose ``params`` is a ``DiagParams``.

    Example:
        >>> from tempx.numerics.teachers import memoryless
        >>> from tempx.numerics.students.init import init_diagonal
        >>> res = gd_diagonal(init_diagonal(2, 6, 0.1, seed=0, balanced=True), memoryless(3), 3, lr=0.05, steps=5000)
        >>> res.status, bool(res.train_loss.max() < 1e-3)
        (('max_steps', 'max_steps'), True)
    """
    if not isinstance(params, DiagParams):
        raise TypeError(f"params must be numerics.DiagParams, got {type(params).__name__}")
    lr, steps, tol, compiled = check_run(lr, steps, tol, backend, diagonal_kernels.AVAILABLE)
    omega = loss_weights(k, weights)
    qs = check_lengths(qs)
    arrays = [np.array(getattr(params, m)) for m in ("lam", "b", "c")]  # copies, updated in place
    run = _steps_compiled if compiled else _steps_numpy
    status, used, diverged_at = run(arrays, teacher, k, lr, steps, tol, omega, divergence_bound, progress)
    final = DiagParams(*arrays)
    values = evaluate_diagonal(final, teacher, k, qs, weights)
    if progress is not None:
        progress(steps, steps)
    return GDResult(params=final, status=tuple(str(s) for s in status), steps=used,  # type: ignore[arg-type]
                    diverged_at=diverged_at, train_loss=values["train_loss"], qs=qs,
                    extrapolation_loss=values["extrapolation_loss"])


def _steps_numpy(arrays: list[np.ndarray], teacher: Teacher, k: int, lr: float, steps: int, tol: float,
                 omega: np.ndarray, bound: float, progress: Callable[[int, int], None] | None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vectorized reference engine (updates ``arrays`` in place)."""
    N = arrays[0].shape[0]
    status = np.array(["max_steps"] * N, dtype=object)
    used = np.full(N, steps, dtype=np.int64)
    diverged_at = np.full(N, -1, dtype=np.int64)
    active = np.arange(N)
    cur = [x[active] for x in arrays]
    for t in range(steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):  # non-finite values are detected just below
            loss, g = loss_and_grad(DiagParams(*cur), teacher, k, omega)
        grads = (g.lam, g.b, g.c)
        finite = np.isfinite(loss)
        for m in grads:
            finite &= np.all(np.isfinite(m), axis=1)
        bad = ~finite | (loss > bound)
        done = (loss <= tol) & ~bad & (tol > 0)
        if t < steps:
            with np.errstate(over="ignore", invalid="ignore"):
                new = [x - lr * gx for x, gx in zip(cur, grads)]
            ok = np.ones(active.size, dtype=bool)
            for m in new:
                ok &= np.all(np.isfinite(m), axis=1)
            bad |= ~ok & ~done
        leaving = bad | done if t < steps else np.ones(active.size, dtype=bool)
        if np.any(leaving):
            status[active[bad]] = "diverged"
            status[active[done]] = "converged"
            used[active[bad | done]] = t
            diverged_at[active[bad]] = t
            for full, x in zip(arrays, cur):
                full[active[leaving]] = x[leaving]
        keep = ~leaving
        active = active[keep]
        if active.size == 0:
            break
        cur = [x[keep] for x in new]
        if progress is not None and t % 100 == 0:
            progress(t, steps)
    return status, used, diverged_at


def _steps_compiled(arrays: list[np.ndarray], teacher: Teacher, k: int, lr: float, steps: int, tol: float,
                    omega: np.ndarray, bound: float, progress: Callable[[int, int], None] | None
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    N = arrays[0].shape[0]
    lam, b, c = (np.ascontiguousarray(x) for x in arrays)
    wstar = np.ascontiguousarray(teacher.impulse_response(k))
    out = np.zeros((N, 4))
    t = 0
    while t <= steps and np.any(out[:, 0] == 0.0):
        n = min(CHUNK, steps + 1 - t)
        diagonal_kernels.diag_gd_block(lam, b, c, wstar, np.ascontiguousarray(omega), lr, t, n, steps, tol, bound, out)
        t += n
        if progress is not None and t <= steps:
            progress(t, steps)
    for full, x in zip(arrays, (lam, b, c)):
        full[...] = x
    names = {1: "converged", 2: "max_steps", 3: "diverged"}
    status = np.array([names[int(s)] for s in out[:, 0]], dtype=object)
    used = out[:, 1].astype(np.int64)
    diverged_at = np.where(out[:, 0] == 3, out[:, 2], -1).astype(np.int64)
    return status, used, diverged_at

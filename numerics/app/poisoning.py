"""E10: clean-label poisoning of a diagonal SSM's implicit bias (claim C16; Slutzky, Alexander, Razin, Cohen,
arXiv 2410.10473, their theory experiment).

One unit is a (k, d, σ_A) cell over seeds.  Per seed s, λ(0) is drawn as the public code draws it
(``np.random.seed(s)``, ``np.flip(np.sort(σ_A·np.random.rand(d)))``, then λ_2 = λ_1 − gap), b = c = 1 frozen;
the teacher A* = diag(1, 0), B* = (1, √(d−1))ᵀ, C* = B*ᵀ (w*_0 = d, w*_i = 1).  Two limits of gradient flow:
- baseline (one unit impulse of length k): C16's exact limit (``tempx.theory.poisoning``, a proven bracket);
- poisoned (plus a unit impulse of length 2): the flow integrated to its limit (``drivers.limit``, b and c frozen).
Error: max_{j<J} |w_j − w*_j| / max_j |w*_j| (J = 20).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tempx.numerics.teachers import FloatArray

__all__ = ["E10_COLUMNS", "poisoning_cell", "published_start", "relative_error", "teacher_for"]

E10_COLUMNS = ("experiment", "k", "d", "sigma", "gap", "seed", "baseline_error", "poisoned_error", "poisoned_status",
               "baseline_width", "poisoned_train_loss")


def published_start(seed: int, d: int, sigma: float, gap: float) -> FloatArray:
    """λ(0) as the public code draws it (numpy's legacy global generator, seeded; here a local RandomState with
    the same stream, so no global state changes)."""
    rng = np.random.RandomState(seed)
    lam = np.flip(np.sort(sigma * rng.rand(d)))
    lam[1] = lam[0] - gap
    return lam


def teacher_for(d: int) -> Any:
    """The setting's teacher in the float layer, from its rational realization A* = diag(1, 0), B* = (1, d − 1)ᵀ,
    C* = (1, 1) (the same impulse response as B* = (1, √(d−1))ᵀ = C*ᵀ: w*_0 = d, w*_i = 1)."""
    from tempx.numerics.teachers import teacher_rnn

    return teacher_rnn([[1.0, 0.0], [0.0, 0.0]], [1.0, float(d - 1)], [1.0, 1.0])


def relative_error(lam: FloatArray, d: int, terms: int = 20) -> float:
    """max_{j<terms} |w_j − w*_j| / max_j |w*_j| with w_j = Σ_i λ_i^j (b = c = 1) and w* = (d, 1, 1, …)."""
    j = np.arange(terms)
    w = np.sum(np.asarray(lam, dtype=float)[None, :] ** j[:, None], axis=1)
    ws = np.where(j == 0, float(d), 1.0)
    return float(np.max(np.abs(w - ws)) / np.max(ws))


def poisoning_cell(k: int, d: int, sigma: float, gap: float, seeds: int, seed: int = 0, t_max: float = 1e12,
                   max_evals: int = 200_000, terms: int = 20) -> list[dict[str, Any]]:
    """One (k, d, σ_A) cell: per seed, the baseline limit (exact, C16) and the poisoned limit (gradient flow)."""
    from tempx.numerics.drivers.limit import flow_limit
    from tempx.numerics.drivers.poisoning import baseline_params
    from tempx.numerics.losses import empirical_moment
    from tempx.numerics.students.diagonal import DiagParams

    teacher = teacher_for(d)
    starts = np.stack([published_start(seed + s, d, sigma, gap) for s in range(seeds)])
    ones = np.ones_like(starts)
    params = DiagParams(starts, ones, ones)
    base, width = baseline_params(params, k, 1.0)
    X = np.zeros((2, k))
    X[0, 0] = X[1, k - 2] = 1.0  # the impulse of length k, and the clean-label impulse of length 2 (zeros in front)
    res = flow_limit(params, teacher, k, moment=empirical_moment(X), freeze=("b", "c"), t_max=t_max, max_evals=max_evals)
    rows = []
    for s in range(seeds):
        rows.append({"experiment": "E10", "k": k, "d": d, "sigma": sigma, "gap": gap, "seed": seed + s,
                     "baseline_error": relative_error(base.lam[s], d, terms),
                     "poisoned_error": relative_error(res.params.lam[s], d, terms),
                     "poisoned_status": res.status[s], "baseline_width": width,
                     "poisoned_train_loss": float(res.train_loss[s]),
                     "baseline_lam": [float(x) for x in base.lam[s]], "poisoned_lam": [float(x) for x in res.params.lam[s]]})
    return rows


def poisoning_paths(seed: int = 0, d: int = 10, k: int = 7, sigma: float = 1e-3, gap: float = 0.05 * np.exp(-15),
                    t_end: float = 1e16, points: int = 200) -> dict[str, Any]:
    """λ(t) of the baseline and the poisoned flow from the same published start (b = c = 1 frozen), at ``points``
    log-spaced times up to ``t_end`` (LSODA; the two data sets' Σ̂ are diagonal, so they are loss weights ω)."""
    from tempx.numerics.drivers.flow import gradient_flow
    from tempx.numerics.students.diagonal import DiagParams

    lam0 = published_start(seed, d, sigma, gap)
    p = DiagParams(lam0[None], np.ones((1, d)), np.ones((1, d)))
    t = np.concatenate([[0.0], np.logspace(0, np.log10(t_end), points)])
    base = np.zeros(k)
    base[k - 1] = 1.0
    pois = np.zeros(k)
    pois[k - 1] = pois[1] = 0.5
    out: dict[str, Any] = {"t": t, "seed": seed, "d": d, "k": k, "sigma": sigma, "gap": gap}
    for name, w in (("baseline", base), ("poisoned", pois)):
        r = gradient_flow(p, teacher_for(d), k, t_end, t_eval=t.tolist(), weights=w, method="LSODA", rtol=1e-10, atol=1e-14,
                          freeze=("b", "c"))
        out[name] = np.stack([s.lam[0] for s in r.params])  # (times, d)
    return out

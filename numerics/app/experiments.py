"""The experiments E1–E4: each a function returning tidy rows (one dict per model).

E1 (C7)  initialization-scale sweep: small σ extrapolates, large σ interpolates but does not.
E2 (C6)  symmetric-balanced initialization: k ≥ 3 extrapolates perfectly; k = 2 typically not.
E3       L_q against q for a counterexample, a small-σ and a large-σ GD solution.
E4 (C8)  E1 on a finite data set of n ≥ k Gaussian sequences.
E5 (C9)  any teacher: extrapolation after GD against the training length k, small and large σ.
E6 (C9)  the learned Hankel spectrum: an n-dimensional state space at small σ.
E1L (C7, C14) the limit of gradient flow against σ (the object of C7), with its exact L_∞ at small σ.
Every model has its own seed, so each row is reproducible on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tempx.numerics.app.io import finite_or_none
from tempx.numerics.data import gaussian_sequences
from tempx.numerics.drivers.descent import gd
from tempx.numerics.extrapolation import extrapolation_losses
from tempx.numerics.hankel import HANKEL_REL_TOL, hankel_rank, hankel_singular_values, hankel_size
from tempx.numerics.nonlinear_teachers import NonlinearTeacher, hankel_dimension, teacher_and_dim
from tempx.numerics.students import get as get_student
from tempx.numerics.students import student_of
from tempx.numerics.students.dense import Params
from tempx.numerics.students.init import init_counterexample
from tempx.numerics.teachers import FloatArray, Teacher, memoryless
from tempx.theory.errors import InvalidInput

__all__ = [
    "LIMIT_COLUMNS",
    "ROW_COLUMNS",
    "dense_of",
    "extrapolation_curves",
    "init_scale_sweep",
    "limit_sweep",
    "seeded_batch",
    "summarize",
    "symmetric_experiment",
    "teacher_experiment",
    "train",
]

# The columns of every per-model row (the tidy tables of sweep, experiment and reproduce).
ROW_COLUMNS = ("experiment", "student", "teacher", "teacher_dim", "d", "k", "sigma", "init", "negative_fraction", "cap",
               "seed", "lr", "steps", "n_data", "online",
               "status", "steps_used", "diverged_at", "train_loss", "q", "extrapolation_loss", "extrapolation_se",
               "mc_sequences", "Q0_norm", "A0_norm", "hankel_rank", "A_rank", "hankel_sv")

Progress = Callable[[int, str], None] | None


def seeded_batch(init: str, n: int, d: int, sigma: float, seed: int = 0, cap: float | None = None,
                 student: str = "dense", negative_fraction: float = 0.0, ring: tuple[float, float] = (0.4, 0.9)) -> Any:
    """Model i from its own seed (seed + i): the same model alone or in any batch.

    ``init`` is one of the student's initializations (``Student.inits``): dense ``gaussian`` or
    ``symmetric`` (on M); diagonal and complex ``gaussian``, ``symmetric`` (balanced: c = s ⊙ b with
    round(f·d) negative modes, or c = conj(b)), complex ``ring``; LRU ``ring`` or ``symmetric``.
    """
    s = get_student(student)
    if init not in s.inits:
        raise InvalidInput(f"unknown init {init!r} for a {s.name} student (allowed: {', '.join(s.inits)})")
    options = {"cap": cap, "negative_fraction": negative_fraction, "ring": ring}
    return s.params_type.stack([s.init(init, 1, d, sigma, seed + i, **options) for i in range(n)])


def train(params: Any, teacher: Teacher | NonlinearTeacher, k: int, lr: float, steps: int, **kwargs: Any) -> Any:
    """``gd`` for any student."""
    return gd(params, teacher, k, lr, steps, **kwargs)


def dense_of(params: Any) -> Params:
    """The dense realization of any student (diagonal: diag(λ) or 2×2 rotation blocks)."""
    return student_of(params).to_dense(params)


def _teacher(spec: str | None, k: int) -> tuple[Teacher | NonlinearTeacher, int]:
    """The float teacher of a specification and its dimension (the exact minimal d* of a linear teacher)."""
    return teacher_and_dim(spec, k)


def _rows(params: Any, result: Any, base: dict[str, Any], q: int, seed0: int, teacher_dim: int = 1,
          hankel_dim: int | None = None) -> list[dict[str, Any]]:
    q0 = student_of(params).norms(params)
    dense = dense_of(result.params)
    sv = hankel_singular_values(dense, hankel_size(teacher_dim if hankel_dim is None else hankel_dim))
    rank = hankel_rank(sv)
    se = result.extrapolation_se
    # the learned state dimension of a non-linear student: the numerical rank of A (relative 1e-3, as the Hankel rank)
    a_sv = np.linalg.svd(dense.A, compute_uv=False) if se is not None else None
    a_rank = None if a_sv is None else (a_sv > HANKEL_REL_TOL * np.maximum(a_sv[:, :1], np.finfo(float).tiny)).sum(axis=1)
    return [
        {
            **base,
            "teacher_dim": teacher_dim,
            "hankel_rank": int(rank[i]),
            "hankel_sv": [finite_or_none(x) for x in sv[i]],
            "seed": seed0 + i,
            "status": result.status[i],
            "steps_used": int(result.steps[i]),
            "diverged_at": None if result.diverged_at[i] < 0 else int(result.diverged_at[i]),
            "train_loss": finite_or_none(result.train_loss[i]),
            "q": q,
            "extrapolation_loss": finite_or_none(result.extrapolation_loss[i, 0]),
            "extrapolation_se": None if se is None else finite_or_none(se[i, 0]),
            "A_rank": None if a_rank is None else int(a_rank[i]),
            "Q0_norm": float(q0["Q_norm"][i]),
            "A0_norm": float(q0["A_norm"][i]),
        }
        for i in range(params.n_models)
    ]


def init_scale_sweep(
    ds: Sequence[int],
    ks: Sequence[int],
    sigmas: Sequence[float],
    seeds: int,
    init: str = "gaussian",
    lr: float = 0.02,
    steps: int = 20000,
    q: int | None = None,
    n_data: int | None = None,
    progress: Progress = None,
    seed: int = 0,
    teacher: str = "memoryless",
    student: str = "dense",
    online: int | None = None,
    mc_sequences: int = 4096,
    experiment: str | None = None,
    data: FloatArray | None = None,
    freeze: Sequence[str] = (),
    optimizer: Any = None,
) -> list[dict[str, Any]]:
    """E1 (and E4 with ``n_data``, E8 for non-linear students): GD from ``seeds`` initializations per (d, k, σ) cell.

    Model i of every cell starts from seed ``seed + i``; the data set (E4) from ``seed``; ``online``
    draws that many fresh sequences every step instead.  Non-linear students need data or online
    sequences, and their L_q is a Monte Carlo estimate on ``mc_sequences`` held-out sequences.

    q defaults to 4k per cell (C7 asks for q ≥ 4k); a given q must exceed every k.  ``data``: the sequences a
    user gave (n, K), aligned at their last step, zeros in front to each cell's k ≥ K, instead of Gaussian
    ones; ``freeze``: fields of the student kept at their initial values.
    """
    if seeds < 1:
        raise InvalidInput(f"seeds must be >= 1, got {seeds}")
    if q is not None and q <= max(ks):
        raise InvalidInput(f"q must exceed every k (q = {q}, max k = {max(ks)})")
    rows: list[dict[str, Any]] = []
    cells = [(d, k, s) for d in ds for k in ks for s in sigmas]
    for n, (d, k, sigma) in enumerate(cells):
        qq = 4 * k if q is None else q
        params = seeded_batch(init, seeds, d, sigma, seed, student=student)
        X = None if n_data is None else gaussian_sequences(n_data, k, seed=seed)
        if data is not None:
            if data.shape[1] > k:
                raise InvalidInput(f"every k must be at least the longest of the given sequences ({data.shape[1]}), got {k}")
            X = np.pad(data, ((0, 0), (k - data.shape[1], 0)))
        t, t_dim = _teacher(teacher, k)
        result = train(params, t, k, lr, steps, data=X, online=None if online is None else (online, seed), qs=[qq],
                       mc=(mc_sequences, seed), freeze=tuple(freeze), optimizer=optimizer)
        name = experiment or ("E1" if n_data is None and online is None else "E4")
        base = {"experiment": name, "student": student, "teacher": teacher, "d": d, "k": k, "sigma": sigma, "init": init,
                "lr": lr, "steps": steps, "n_data": n_data, "online": online,
                "mc_sequences": mc_sequences if result.extrapolation_se is not None else None}
        rows += _rows(params, result, base, qq, seed, t_dim, hankel_dimension(t, t_dim, d))
        if progress is not None:
            progress(n + 1, f"d={d} k={k} σ={sigma:g}")
    return rows


def symmetric_experiment(
    d: int, ks: Sequence[int], seeds: int, sigma: float = 0.5, cap: float = 0.9, lr: float = 0.05, steps: int = 20000,
    progress: Progress = None, seed: int = 0,
) -> list[dict[str, Any]]:
    """E2: GD from symmetric-balanced initializations (‖A(0)‖_F ≤ cap) for each k; q = 4k."""
    rows: list[dict[str, Any]] = []
    for n, k in enumerate(ks):
        params = seeded_batch("symmetric", seeds, d, sigma, seed, cap=cap)
        result = gd(params, memoryless(k), k, lr, steps, qs=[4 * k])
        base = {"experiment": "E2", "student": "dense", "teacher": "memoryless", "d": d, "k": k, "sigma": sigma, "init": "symmetric",
                "cap": cap, "lr": lr, "steps": steps}
        rows += _rows(params, result, base, 4 * k, seed)
        if progress is not None:
            progress(n + 1, f"k={k}")
    return rows


def extrapolation_curves(
    d: int, k: int, q_max: int, c: float = 1.0, small_sigma: float = 0.05, large_sigma: float = 1.0, seed: int = 0,
    lr: float = 0.02, steps: int = 20000,
) -> dict[str, Any]:
    """E3: L_q for q = 1 … q_max of (i) the cyclic counterexample, (ii) GD from σ small, (iii) σ large."""
    if q_max <= k:
        raise InvalidInput(f"q_max must exceed k = {k}")
    qs = list(range(1, q_max + 1))
    teacher = memoryless(k)
    curves = {"counterexample": extrapolation_losses(init_counterexample(1, k, d=d, c=str(c)), teacher, qs)[0]}
    for name, sigma in (("small", small_sigma), ("large", large_sigma)):
        res = gd(seeded_batch("gaussian", 1, d, sigma, seed), teacher, k, lr, steps, qs=qs)
        curves[f"GD σ={sigma:g}"] = res.extrapolation_loss[0]
        curves[f"status {name}"] = res.status[0]
    return {"experiment": "E3", "d": d, "k": k, "c": c, "seed": seed, "lr": lr, "steps": steps, "q": qs,
            "curves": {n: [finite_or_none(x) for x in v] for n, v in curves.items() if not n.startswith("status")},
            "status": {n: v for n, v in curves.items() if n.startswith("status")}}


def teacher_experiment(
    experiment: str, teacher: str, d: int, ks: Sequence[int], sigmas: Sequence[float], seeds: int, lr: float = 0.02,
    steps: int = 20000, q: int = 40, seed: int = 0, progress: Progress = None, student: str = "dense",
    init: str = "gaussian", negative_fraction: float = 0.0,
) -> list[dict[str, Any]]:
    """E5 and E6 (C9): GD on N(0, σ²/d) initializations for a teacher given by its specification.

    One row per model with L_q, the learned Hankel singular values (m = 2d* + 2) and the
    numerical rank at relative tolerance ``HANKEL_REL_TOL``.  q must exceed every k.
    """
    if q <= max(ks):
        raise InvalidInput(f"q must exceed every k (q = {q}, max k = {max(ks)})")
    rows: list[dict[str, Any]] = []
    cells = [(k, s) for k in ks for s in sigmas]
    for n, (k, sigma) in enumerate(cells):
        t, t_dim = _teacher(teacher, k)
        params = seeded_batch(init, seeds, d, sigma, seed, student=student, negative_fraction=negative_fraction)
        result = train(params, t, k, lr, steps, qs=[q])
        base = {"experiment": experiment, "student": student, "teacher": teacher, "d": d, "k": k, "sigma": sigma,
                "init": init, "lr": lr, "steps": steps, "hankel_tol": HANKEL_REL_TOL}
        if student == "diagonal" and init == "symmetric":
            base["negative_fraction"] = negative_fraction
        rows += _rows(params, result, base, q, seed, t_dim)
        if progress is not None:
            progress(n + 1, f"{teacher} k={k} σ={sigma:g}")
    return rows


# The columns of the rows at a gradient-flow limit (E1L, E7, E9: one per model).
LIMIT_COLUMNS = ("experiment", "student", "teacher", "init", "negative_fraction", "d", "k", "sigma", "seed", "status", "t",
                 "train_loss", "grad_norm", "q", "extrapolation_loss", "Q0_norm", "Q_drift", "nfev", "L_inf_lower",
                 "L_inf_upper", "certified", "certificate", "L_inf_digits", "L_inf_exact")


def limit_sweep(d: int, k: int, sigma: float, seeds: int, seed: int = 0, q: int | None = None, t_max: float = 1e12,
                certify: bool = False, *, teacher: str = "memoryless", student: str = "dense", init: str | None = None,
                negative_fraction: float = 0.0, experiment: str = "E1L", max_evals: int = 200_000) -> list[dict[str, Any]]:
    """Gradient flow to the limit from ``seeds`` initializations of a student (model i: seed + i); E1L, E7, E9.

    q defaults to 10k; ``max_evals`` bounds the gradient evaluations per model (status ``budget``).  With ``certify``, each converged limit also gets its L_∞ decided exactly
    (``tempx.theory.linf``, claim C14: the exact rational or ∞, a theorem about the float64 model's
    dense realization; beyond the work limit C13's certified enclosure), with the float interval around it.
    """
    from tempx.numerics.drivers.limit import flow_limit
    from tempx.theory.certify import model_from_floats
    from tempx.theory.linf import decide

    s = get_student(student)
    kind = init or s.inits[0]
    qq = 10 * k if q is None else q
    params = seeded_batch(kind, seeds, d, sigma, seed, student=student, negative_fraction=negative_fraction)
    t, _ = _teacher(teacher, k)
    res = flow_limit(params, t, k, [qq], t_max=t_max, max_evals=max_evals)
    q0 = s.norms(params)["Q_norm"]
    dense = s.to_dense(res.params)
    rows = []
    for i in range(seeds):
        row: dict[str, Any] = {
            "experiment": experiment, "student": student, "teacher": teacher, "init": kind,
            "negative_fraction": negative_fraction, "d": d, "k": k, "sigma": sigma, "seed": seed + i,
            "status": res.status[i], "t": float(res.t[i]), "train_loss": finite_or_none(res.train_loss[i]),
            "grad_norm": finite_or_none(res.grad_norm[i]), "q": qq,
            "extrapolation_loss": finite_or_none(res.extrapolation_loss[i, 0]), "Q0_norm": float(q0[i]),
            "Q_drift": finite_or_none(res.Q_drift[i]), "nfev": int(res.nfev[i]),
            "L_inf_lower": None, "L_inf_upper": None, "certified": None, "certificate": None,
            "L_inf_digits": None, "L_inf_exact": None,
        }
        if certify and res.status[i] == "converged":
            dec = decide(model_from_floats(dense.A[i], dense.B[i], dense.C[i]), teacher, k, [qq])
            li = dec.as_dict()["L_inf"]
            exact = None if dec.linf is None else dec.linf.as_text()
            row.update({"L_inf_lower": li["lower"], "L_inf_upper": li["upper"], "certified": li["certified"],
                        "certificate": li["reason"], "L_inf_exact": exact,
                        "L_inf_digits": None if exact is None else len(exact.replace("/", ""))})
        rows.append(row)
    return rows


def summarize(rows: Sequence[dict[str, Any]], by: Sequence[str]) -> list[dict[str, Any]]:
    """Median and quartiles of the extrapolation loss per group (non-diverged models only)."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[b] for b in by), []).append(r)
    out = []
    for key, rs in groups.items():
        vals = np.array([r["extrapolation_loss"] for r in rs if r["status"] != "diverged" and r["extrapolation_loss"] is not None])
        out.append({
            **dict(zip(by, key)),
            "n": len(rs),
            "diverged": sum(r["status"] == "diverged" for r in rs),
            "median": float(np.median(vals)) if vals.size else None,
            "q25": float(np.quantile(vals, 0.25)) if vals.size else None,
            "q75": float(np.quantile(vals, 0.75)) if vals.size else None,
        })
    return out

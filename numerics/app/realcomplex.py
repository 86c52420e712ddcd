r"""E11: real versus complex diagonal students trained on a horizon t (claim C17; the comparison of Ran-Milo, Lumbroso,
Cohen-Karlik, Giryes, Globerson and Cohen, NeurIPS 2024, arXiv 2410.14067, reproduced with this package's students).

A unit is one (t, target, student, optimizer) cell with ``seeds`` runs, or the frontier curve of one (t, target).
Targets on i < t, normalized to :math:`\|v\|_2 = 1`: the delay :math:`e_{\lfloor t/2 \rfloor - 1}` (e_15 at t = 32), a
seeded Gaussian vector, and the oscillation :math:`\cos(\pi i/2)`.  Students as in the public code: real of dimension
``d_real`` (1 024) and complex of dimension t, :math:`|\lambda|^2` uniform in :math:`[r_{\min}^2, 0.9999^2]` (real: a
random sign; complex: a uniform phase), b and c with entries :math:`N(0, 10^{-6})` (complex: that variance split over
the real and imaginary parts).  Loss :math:`L_t = \sum_{i<t} (w_i - v_i)^2`; gradient descent and Adam, both with the
cosine schedule.  Each real run's budget :math:`G = \sum_j |c_j b_j|` and node radius ρ give its certified floor
:math:`E(G)` over :math:`[-\max(1, \rho), \max(1, \rho)]` (``tempx.numerics.frontier``): a run below it would be a bug.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from tempx.numerics.app.io import finite_or_none, rows_to_csv, write_text_atomic

__all__ = ["E11_COLUMNS", "e11_cell", "e11_frontier", "e11_key_numbers", "e11_section", "e11_summary", "target_vector",
           "write_e11"]

E11_COLUMNS = ("experiment", "kind", "t", "target", "student", "optimizer", "d", "seed", "lr", "steps", "status",
               "error", "G", "rho", "floor", "budget")
TARGETS = ("delay", "random", "oscillation")
R_MAX = 0.9999
SIGMA_BC = 1e-3  # entries N(0, 1e-6)


def target_vector(name: str, t: int, seed: int) -> np.ndarray:
    """The normalized target on i < t (``delay``: e_{t/2 − 1}; ``random``: Gaussian from ``seed``; ``oscillation``)."""
    if name == "delay":
        v = np.zeros(t)
        v[t // 2 - 1] = 1.0
    elif name == "random":
        v = np.random.default_rng(seed).standard_normal(t)
    elif name == "oscillation":
        v = np.array([(1.0, 0.0, -1.0, 0.0)[i % 4] for i in range(t)])
    else:
        raise ValueError(f"unknown E11 target {name!r} (allowed: {', '.join(TARGETS)})")
    return v / np.linalg.norm(v)


def _init(student: str, d: int, seed: int, r_min: float) -> Any:
    from tempx.numerics.students.diagonal import DiagParams

    r = np.random.default_rng(seed)
    mod = np.sqrt(r.uniform(r_min**2, R_MAX**2, d))
    if student == "complex":
        lam = mod * np.exp(1j * r.uniform(0.0, 2 * np.pi, d))
        b = (r.normal(0, SIGMA_BC, d) + 1j * r.normal(0, SIGMA_BC, d)) / np.sqrt(2)
        c = (r.normal(0, SIGMA_BC, d) + 1j * r.normal(0, SIGMA_BC, d)) / np.sqrt(2)
    else:
        lam = mod * r.choice(np.array([-1.0, 1.0]), d)
        b, c = r.normal(0, SIGMA_BC, d), r.normal(0, SIGMA_BC, d)
    return DiagParams(lam[None], b[None], c[None])


def _teacher(v: np.ndarray) -> Any:
    from tempx.numerics.teachers import teacher_rnn

    t = v.size
    B = np.zeros(t)
    B[0] = 1.0
    return teacher_rnn(np.eye(t, k=-1), B, v, t)  # the shift realization of the finite response v


def e11_cell(t: int, target: str, student: str, optimizer: str, seeds: int, steps: int, lr: float, d_real: int,
             r_min: float, seed: int = 0) -> list[dict[str, Any]]:
    """``seeds`` runs of one cell (model s from seed + s): normalized error, and for real students G, ρ and the floor."""
    from tempx.numerics.app.budget_report import floor
    from tempx.numerics.drivers.descent import gd
    from tempx.numerics.drivers.optimizers import Optimizer

    v = target_vector(target, t, seed)
    teacher = _teacher(v)
    opt = Optimizer(optimizer, schedule="cosine")
    d = d_real if student == "real" else t
    rows = []
    for s in range(seeds):
        res = gd(_init(student, d, seed + s, r_min), teacher, t, lr, steps, optimizer=opt)
        p = res.params
        row: dict[str, Any] = {"experiment": "E11", "kind": "run", "t": t, "target": target, "student": student,
                               "optimizer": optimizer, "d": d, "seed": seed + s, "lr": lr, "steps": steps,
                               "status": res.status[0], "error": finite_or_none(res.train_loss[0] / float(v @ v)),
                               "G": None, "rho": None, "floor": None, "budget": None}
        G = float(np.sum(np.abs(p.b[0] * p.c[0])))
        rho = float(np.max(np.abs(p.lam[0])))
        row["G"], row["rho"] = finite_or_none(G), finite_or_none(rho)
        if student == "real" and np.isfinite(G) and np.isfinite(rho):
            f = floor(v, G * (1 + 1e-12), rho * (1 + 1e-15))
            row["floor"] = None if f is None else f / float(v @ v)
        rows.append(row)
    return rows


def e11_frontier(t: int, target: str, budgets: list[float], seed: int = 0) -> list[dict[str, Any]]:
    """The certified frontier of real students on one target: one row per budget (lower in ``floor``, upper in
    ``error``)."""
    from tempx.numerics.frontier import frontier

    v = target_vector(target, t, seed)
    exact = [Fraction(float(x)) for x in v]
    out = []
    for p in frontier(exact, [Fraction(b) for b in budgets], normalize=False):
        d = p.as_dict()
        out.append({"experiment": "E11", "kind": "frontier", "t": t, "target": target, "student": "real",
                    "optimizer": None, "d": None, "seed": seed, "lr": None, "steps": None, "status": None,
                    "error": d["upper"], "G": None, "rho": None, "floor": d["lower"], "budget": d["budget"]})
    return out


def e11_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (t, target, student, optimizer): the best (smallest) error over the seeds, as the paper's table, with that
    run's G and floor; and whether every real run sits on or above its floor (relative 1e-9: the float loss)."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        if r["kind"] == "run":
            groups.setdefault((r["t"], r["target"], r["student"], r["optimizer"]), []).append(r)
    out = []
    for (t, target, student, optimizer), g in sorted(groups.items(), key=lambda kv: tuple(map(str, kv[0]))):
        ok = [r for r in g if r["error"] is not None]
        best = min(ok, key=lambda r: r["error"]) if ok else None
        above = all(r["floor"] is None or (r["error"] is not None and r["error"] >= r["floor"] * (1 - 1e-9)) for r in g)
        out.append({"t": t, "target": target, "student": student, "optimizer": optimizer, "n": len(g),
                    "best_error": None if best is None else best["error"], "G": None if best is None else best["G"],
                    "floor": None if best is None else best["floor"], "above_floor": above})
    return out


def e11_key_numbers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    keys = []
    for s in doc.get("E11", {}).get("summary", []):
        keys.append({"name": f"E11: best normalized error, t={s['t']}, {s['target']}, {s['student']}, {s['optimizer']}",
                     "value": "—" if s["best_error"] is None else f"{s['best_error']:.2e}",
                     "params": {"experiment": "E11", "t": s["t"], "target": s["target"], "student": s["student"],
                                "optimizer": s["optimizer"], "seeds": s["n"]}})
    return keys


def _plot(rows: list[dict[str, Any]], stem: Path | None) -> Any:
    from tempx.numerics.app.figure_style import TWO_COLUMN, color, finish, style
    from tempx.numerics.app.plots import plt, save_figure

    with style():
        fig, ax = plt.subplots(figsize=TWO_COLUMN)
        cells = sorted({(r["t"], r["target"]) for r in rows if r["kind"] == "frontier"}, key=str)
        for n, (t, target) in enumerate(cells):
            col = color(n)
            fr = sorted((r for r in rows if r["kind"] == "frontier" and (r["t"], r["target"]) == (t, target)),
                        key=lambda r: r["budget"])
            ax.plot([r["budget"] for r in fr], [r["floor"] for r in fr], "-", color=col,
                    label=f"$E(G)$, {target}, $t={t}$ (certified)")
            for opt, marker in (("gd", "o"), ("adam", "^")):
                runs = [r for r in rows if r["kind"] == "run" and r["student"] == "real" and r["optimizer"] == opt
                        and (r["t"], r["target"]) == (t, target) and r["G"] and r["error"] is not None]
                if runs:
                    ax.plot([r["G"] for r in runs], [r["error"] for r in runs], marker, color=col, mfc="none",
                            label=f"real runs, {opt}" if n == 0 else None)
        finish(ax, r"budget $G=\sum_j |c_j b_j|$", r"normalized error $\|w-w^*\|^2/\|w^*\|^2$ on $i<t$",
               "Real diagonal students: the certified frontier and the trained runs on it", logx=True, legend="outside")
        return save_figure(fig, stem)


def write_e11(doc: dict[str, Any], out: Path, figs_dir: Path, tables_dir: Path) -> list[Path]:
    from tempx.numerics.app.latex import tex_number as _tex_number
    from tempx.numerics.app.latex import tex_table as _tex_table

    e = doc["E11"]
    write_text_atomic(out / "E11.csv", rows_to_csv(e["rows"], E11_COLUMNS))
    rows = [[str(s["t"]), s["target"], s["student"], s["optimizer"],
             "—" if s["best_error"] is None else _tex_number(s["best_error"]),
             "—" if s["G"] is None or s["student"] != "real" else _tex_number(s["G"]),
             "—" if s["floor"] is None else _tex_number(s["floor"])] for s in e["summary"]]
    header = ["$t$", "target", "student", "optimizer", "best error", "$G$", "floor $E(G)$"]
    write_text_atomic(tables_dir / "E11.tex", _tex_table(
        header, rows, "E11: real (dimension 1024) against complex (dimension $t$) diagonal students, best normalized "
        "error over the seeds; for real runs the budget $G$ and the certified floor $E(G)$ (claim C17).",
        "tab:tempx-E11", doc, "E11"))
    return [out / "E11.csv", *_plot(e["rows"], figs_dir / "E11_frontier"), tables_dir / "E11.tex"]


def e11_section(doc: dict[str, Any], cfg: dict[str, Any], fig: int) -> list[str]:
    e = cfg["E11"]
    md = ["", "## E11 — real versus complex diagonal students (claim C17)", "",
          "![E11: the frontier and the runs](figures/E11_frontier.png)", "",
          (f"*Figure {fig}. Real diagonal students of dimension {e['d_real']} and complex ones of dimension t, "
           f"|λ|² uniform in [{e['r_min']}², 0.9999²], b, c ~ N(0, 10⁻⁶), trained on L_t by gradient descent "
           f"(η = {e['lr_gd']}) and Adam (η = {e['lr_adam']}), both with the cosine schedule, {e['steps']} steps, "
           f"{e['seeds']} seeds. Line: the certified frontier E(G) of real students (C17 (d)); markers: the real "
           "runs at their budget G. No real run can sit below the line.*"), "",
          "| t | target | student | optimizer | best error | G | floor E(G) | runs on or above the floor |",
          "|---|---|---|---|---|---|---|---|"]
    f = lambda x: "—" if x is None else f"{x:.3e}"
    md += [f"| {s['t']} | {s['target']} | {s['student']} | {s['optimizer']} | {f(s['best_error'])} | "
           f"{f(s['G']) if s['student'] == 'real' else '—'} | {f(s['floor'])} | {'yes' if s['above_floor'] else 'NO'} |"
           for s in doc["E11"]["summary"]]
    return md

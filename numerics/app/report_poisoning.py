"""E10 in the reproduction: its summary, key numbers, CSV, LaTeX table, figure and report section (claim C16)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from tempx.numerics.app.io import rows_to_csv, write_text_atomic

__all__ = ["e10_key_numbers", "e10_section", "e10_summary", "write_e10"]


def e10_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (k, d, σ_A): mean and median baseline and poisoned errors over the seeds (the paper's table reports means)."""
    groups: dict[tuple[int, int, float], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["k"], r["d"], r["sigma"]), []).append(r)
    out = []
    for (k, d, sigma), g in sorted(groups.items()):
        base = np.array([r["baseline_error"] for r in g])
        pois = np.array([r["poisoned_error"] for r in g])
        out.append({"k": k, "d": d, "sigma": sigma, "gap": g[0]["gap"], "n": len(g),
                    "baseline_mean": float(base.mean()), "baseline_median": float(np.median(base)),
                    "poisoned_mean": float(pois.mean()), "poisoned_median": float(np.median(pois)),
                    "poisoned_converged": sum(r["poisoned_status"] == "converged" for r in g)})
    return out


def e10_key_numbers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    keys = []
    for s in doc.get("E10", {}).get("summary", []):
        keys.append({"name": f"E10: mean error of the limit, baseline vs clean-label poisoned, k={s['k']}, d={s['d']}, "
                             f"σ_A={s['sigma']:g}",
                     "value": f"{s['baseline_mean']:.2e} vs {s['poisoned_mean']:.2e}",
                     "params": {"experiment": "E10", "k": s["k"], "d": s["d"], "sigma": s["sigma"], "seeds": s["n"]}})
    return keys


def _plot(summary: list[dict[str, Any]], rows: list[dict[str, Any]], stem: Path) -> list[Path]:
    from tempx.numerics.app.figure_style import TWO_COLUMN, color, finish, mark_missing, style
    from tempx.numerics.app.plots import plt, save_figure

    with style():
        fig, ax = plt.subplots(figsize=TWO_COLUMN)
        cells = sorted({(s["k"], s["d"]) for s in summary})
        for n, (k, d) in enumerate(cells):
            ss = [s for s in summary if (s["k"], s["d"]) == (k, d)]
            rr = [r for r in rows if (r["k"], r["d"]) == (k, d)]
            x = [s["sigma"] for s in ss]
            col = color(n)
            ax.plot(x, [s["baseline_mean"] for s in ss], "o-", color=col, label=f"$k={k},\\ d={d}$: baseline (exact limit, C16)")
            ax.plot(x, [s["poisoned_mean"] for s in ss], "s--", color=col, label=f"$k={k},\\ d={d}$: poisoned (flow limit)")
            ax.plot([r["sigma"] for r in rr], [r["baseline_error"] for r in rr], ".", color=col, alpha=0.4)
            done = [r for r in rr if r["poisoned_status"] == "converged" and r["poisoned_error"] is not None]
            ax.plot([r["sigma"] for r in done], [r["poisoned_error"] for r in done], "x", color=col, alpha=0.4)
            bad = [r["sigma"] for r in rr if r not in done]
            mark_missing(ax, bad, col, f"$k={k},\\ d={d}$: poisoned flow not converged ({len(bad)})" if bad else None)
        finish(ax, r"initialization scale $\sigma_A$", r"relative error of $w_0, \dots, w_{19}$ at the limit",
               "Clean-label poisoning of a diagonal SSM, $b = c = 1$ frozen (mean over seeds; points: seeds)",
               logx=True, legend="outside")
        _decade_above(ax)
        return save_figure(fig, stem)


def _decade_above(ax: Any) -> None:
    """Extend a log y axis up to the next power of ten above its data, so the largest values have a labelled tick
    above them (E10's poisoned curve at 5·10⁻² had no label above 10⁻²)."""
    import math

    lo, hi = ax.get_ylim()
    if ax.get_yscale() == "log" and hi > 0:
        ax.set_ylim(lo, 10.0 ** math.ceil(math.log10(hi) + 1e-12))


def write_e10(doc: dict[str, Any], out: Path, figs_dir: Path, tables_dir: Path) -> list[Path]:
    from tempx.numerics.app.latex import tex_number as _tex_number
    from tempx.numerics.app.latex import tex_table as _tex_table
    from tempx.numerics.app.poisoning import E10_COLUMNS

    e = doc["E10"]
    write_text_atomic(out / "E10.csv", rows_to_csv(e["rows"], E10_COLUMNS))
    rows = [[str(s["k"]), str(s["d"]), f"{s['sigma']:g}", _tex_number(s["baseline_mean"]), _tex_number(s["poisoned_mean"]),
             f"{s['poisoned_converged']}/{s['n']}"] for s in e["summary"]]
    header = ["$k$", "$d$", "$\\sigma_A$", "baseline", "poisoned", "converged"]
    write_text_atomic(tables_dir / "E10.tex", _tex_table(
        header, rows, "E10: mean relative error of $w_0,\\dots,w_{19}$ at the limit of gradient flow on a diagonal SSM "
        "($b=c=1$ frozen), baseline (one impulse of length $k$; exact limit, claim C16) against clean-label poisoned "
        "(plus an impulse of length 2).", "tab:tempx-E10", doc, "E10"))
    return [out / "E10.csv", *_plot(e["summary"], e["rows"], figs_dir / "E10_poisoning_vs_sigma"), tables_dir / "E10.tex"]


def e10_section(doc: dict[str, Any], cfg: dict[str, Any], fig: int) -> list[str]:
    e = cfg["E10"]
    md = ["", "## E10 — clean-label poisoning of a diagonal SSM's implicit bias (claim C16)", "",
          "![E10: baseline and poisoned errors](figures/E10_poisoning_vs_sigma.png)", "",
          (f"*Figure {fig}. Real diagonal students with b = c = 1 frozen, λ(0) drawn as in the public code of Slutzky et al. "
           f"(arXiv 2410.10473) with the two largest entries nearly tied, {e['seeds']} seeds per σ_A; teacher "
           "A* = diag(1, 0), B* = (1, √(d−1))ᵀ, C* = B*ᵀ. Baseline: one unit impulse of length k, whose limit C16 gives "
           "exactly (a proven bracket); poisoned: plus a unit impulse of length 2 with the teacher's own label, its limit "
           f"by gradient flow. Error: max over j < {e['error_terms']} of |w_j − w*_j| / max |w*|.*"), "",
          "| k | d | σ_A | baseline (mean) | poisoned (mean) | baseline (median) | poisoned (median) | poisoned converged |",
          "|---|---|---|---|---|---|---|---|"]
    md += [f"| {s['k']} | {s['d']} | {s['sigma']:g} | {s['baseline_mean']:.2e} | {s['poisoned_mean']:.2e} | "
           f"{s['baseline_median']:.2e} | {s['poisoned_median']:.2e} | {s['poisoned_converged']}/{s['n']} |"
           for s in doc["E10"]["summary"]]
    return md


def plot_paths(paths: dict[str, Any], stem: Path) -> list[Path]:
    """λ_i(t) of the baseline and the poisoned flow side by side (log time), from ``poisoning.poisoning_paths``."""
    from tempx.numerics.app.plots import plt, save_figure

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
    t = paths["t"][1:]
    for ax, name in zip(axes, ("baseline", "poisoned")):
        lam = paths[name][1:]
        for i in range(lam.shape[1]):
            ax.plot(t, lam[:, i], lw=1.2 if i < 2 else 0.8, color=f"C{min(i, 9)}",
                    label=f"$\\lambda_{{{i + 1}}}$" if i < 3 else None)
        ax.set_xscale("log")
        ax.set_xlabel("flow time $t$")
        ax.set_title(f"{name}: " + ("one impulse of length $k$" if name == "baseline" else "plus a clean-label impulse of length 2"),
                     fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel(r"$\lambda_i(t)$")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Gradient flow of a diagonal SSM ($d = {paths['d']}$, $k = {paths['k']}$, $\\sigma_A = {paths['sigma']:g}$, "
                 f"seed {paths['seed']}, $b = c = 1$ frozen)", fontsize=10)
    return save_figure(fig, stem)

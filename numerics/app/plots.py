"""Figures for the experiments, saved as PNG and PDF (each written atomically)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from tempx.numerics.app.experiments import summarize
from tempx.numerics.app.io import write_bytes_atomic

__all__ = [
    "plot_curves",
    "plot_exponents",
    "plot_hankel",
    "plot_limit",
    "plot_nonlinear",
    "plot_q0",
    "plot_signs",
    "plot_students",
    "plot_sweep",
    "plot_symmetric",
    "plot_teachers",
    "save_figure",
]

FLOOR = 1e-30  # losses are drawn on log axes; values below this floor (exact zeros too) are drawn at it


def save_figure(fig: Any, stem: Path) -> list[Path]:
    """``stem``.png and ``stem``.pdf, each written to a temporary file and renamed."""
    paths = []
    for ext in ("png", "pdf"):
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format=ext, dpi=150, bbox_inches="tight",
                        metadata={"CreationDate": None} if ext == "pdf" else None)
        except ValueError as err:  # a log axis with no positive value (every model diverged or stopped early)
            if "log-scaled" not in str(err):
                raise
            _nothing_to_draw(fig)
            buf = io.BytesIO()
            fig.savefig(buf, format=ext, dpi=150, bbox_inches="tight",
                        metadata={"CreationDate": None} if ext == "pdf" else None)
        path = stem.with_suffix("." + ext)
        write_bytes_atomic(path, buf.getvalue())
        paths.append(path)
    plt.close(fig)
    return paths


def _nothing_to_draw(fig: Any) -> None:
    """Axes whose log scale has no positive value to show: linear, with a note saying so (the figure is still
    written, so a report never lacks a file it names)."""
    for ax in fig.axes:
        ax.set_xscale("linear")
        ax.set_yscale("linear")
        ax.text(0.5, 0.5, "no finite positive value to draw\n(see the table: not converged or diverged)",
                transform=ax.transAxes, ha="center", va="center", fontsize=9)


def plot_sweep(rows: Sequence[dict[str, Any]], stem: Path, title: str = "") -> list[Path]:
    """Median and interquartile range of L_q at the end of GD against σ, one line per (d, k)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for (d, k), group in _groups(rows, ("d", "k")).items():
        s = sorted(summarize(group, ("sigma",)), key=lambda r: r["sigma"])
        s = [r for r in s if r["median"] is not None]
        if not s:
            continue
        x = [r["sigma"] for r in s]
        med = [max(r["median"], FLOOR) for r in s]
        lo = [max(r["q25"], FLOOR) for r in s]
        hi = [max(r["q75"], FLOOR) for r in s]
        q = group[0]["q"]
        line = ax.plot(x, med, "o-", label=f"d={d}, k={k}: L_{q}")[0]
        ax.fill_between(x, lo, hi, color=line.get_color(), alpha=0.2)
        train = [_median_train(group, r["sigma"]) for r in s]
        ax.plot(x, train, "--", color=line.get_color(), alpha=0.8, label=f"d={d}, k={k}: train loss L_{k}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("initialization scale σ")
    ax.set_ylabel("loss after GD (median; IQR shaded)")
    ax.set_title(title or "Extrapolation after GD vs initialization scale")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, stem)


def plot_limit(doc: dict[str, Any], stem: Path) -> list[Path]:
    """E1L: L_q at the limit of gradient flow against σ (log-log), per (d, k): every model, the median of the
    converged ones, and the fitted power law with its exponent and bootstrap interval."""
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    rows = doc["rows"]
    fits = {(f["d"], f["k"]): f for f in doc["fits"]}
    for (d, k), group in _groups(rows, ("d", "k")).items():
        conv = [r for r in group if r["status"] == "converged" and r["extrapolation_loss"] is not None]
        other = [r for r in group if r not in conv]
        s = sorted((x for x in doc["summary"] if (x["d"], x["k"]) == (d, k) and x["median"] is not None),
                   key=lambda x: x["sigma"])
        line = ax.plot([x["sigma"] for x in s], [max(x["median"], FLOOR) for x in s], "-", lw=1.5,
                       label=f"d={d}, k={k}: median L_{group[0]['q']}")[0]
        color = line.get_color()
        ax.plot([r["sigma"] for r in conv], [max(r["extrapolation_loss"], FLOOR) for r in conv], "o", ms=3,
                color=color, alpha=0.5)
        if other:
            ax.plot([r["sigma"] for r in other], [max(r["extrapolation_loss"] or FLOOR, FLOOR) for r in other], "x",
                    color=color, label=f"d={d}, k={k}: not converged ({len(other)})")
        f = fits.get((d, k))
        if f and f["exponent"] is not None:
            xs = np.array(f["sigmas"])
            ax.plot(xs, 10 ** (f["intercept"] + f["exponent"] * np.log10(xs)), "--", color=color, alpha=0.8,
                    label=f"slope {f['exponent']:.2f} [{f['ci_low']:.2f}, {f['ci_high']:.2f}]")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("initialization scale σ")
    ax.set_ylabel("extrapolation loss L_q at the limit of gradient flow")
    ax.set_title("The limit of training: extrapolation error vs initialization scale")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return save_figure(fig, stem)


def plot_q0(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """L_q at the end of GD against ‖Q(0)‖_F (distance from balance at initialization)."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for (d, k), group in _groups(rows, ("d", "k")).items():
        g = [r for r in group if r["status"] != "diverged" and r["extrapolation_loss"] is not None]
        ax.scatter([r["Q0_norm"] for r in g], [max(r["extrapolation_loss"], FLOOR) for r in g], s=12, label=f"d={d}, k={k}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("‖Q(0)‖_F")
    ax.set_ylabel("extrapolation loss L_q")
    ax.set_title("Extrapolation after GD vs imbalance at initialization")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, stem)


def plot_symmetric(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E2: train loss and extrapolation loss per model, grouped by k."""
    fig, ax = plt.subplots(figsize=(6, 4))
    ks = sorted({r["k"] for r in rows})
    for j, k in enumerate(ks):
        g = [r for r in rows if r["k"] == k and r["train_loss"] is not None]
        ax.scatter([j - 0.1] * len(g), [max(r["train_loss"], FLOOR) for r in g], marker="o", color="C0",
                   label="train loss L_k" if j == 0 else None)
        ax.scatter([j + 0.1] * len(g), [max(r["extrapolation_loss"] or FLOOR, FLOOR) for r in g], marker="x", color="C3",
                   label="extrapolation loss L_4k" if j == 0 else None)
    ax.set_xticks(range(len(ks)), [f"k={k}" for k in ks])
    ax.set_yscale("log")
    ax.set_ylabel("loss after GD")
    ax.set_title("GD from symmetric-balanced initializations (C6)")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, stem)


def plot_curves(doc: dict[str, Any], stem: Path) -> list[Path]:
    """E3: L_q against q for each solution."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, values in doc["curves"].items():
        ax.plot(doc["q"], [max(v, FLOOR) if v is not None else float("nan") for v in values], label=name)
    ax.axvline(doc["k"], color="gray", ls=":", label=f"training length k={doc['k']}")
    ax.set_yscale("log")
    ax.set_xlabel("sequence length q")
    ax.set_ylabel("L_q")
    ax.set_title(f"Extrapolation loss vs length (d={doc['d']}, k={doc['k']})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, stem)


def plot_teachers(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E5: median L_q after GD against k, one colour per teacher; solid small σ, dashed large σ; k = 2d* + 1 dotted."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    sigmas = sorted({r["sigma"] for r in rows})
    for j, (teacher,) in enumerate(_groups(rows, ("teacher",))):
        group = [r for r in rows if r["teacher"] == teacher]
        color = f"C{j % 10}"
        n = group[0]["teacher_dim"]
        for sigma, style in zip(sigmas, ("o-", "s--", "^:")):
            s = sorted(summarize([r for r in group if r["sigma"] == sigma], ("k",)), key=lambda r: r["k"])
            s = [r for r in s if r["median"] is not None]
            if s:
                ax.plot([r["k"] for r in s], [max(r["median"], FLOOR) for r in s], style, color=color,
                        label=f"{teacher} (d*={n}), σ={sigma:g}")
        ax.axvline(2 * n + 1 + 0.03 * j, color=color, ls=":", alpha=0.6)
    ax.set_yscale("log")
    ax.set_xlabel("training length k (dotted: k = 2d* + 1)")
    ax.set_ylabel(f"median L_{rows[0]['q']} after GD")
    ax.set_title("Extrapolation after GD against the training length, per teacher")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6, loc="upper right")
    return save_figure(fig, stem)


def plot_hankel(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E6: normalized Hankel singular values of the learned impulse response (median, IQR), small vs large σ."""
    teachers = sorted({r["teacher"] for r in rows})
    fig, axes = plt.subplots(1, len(teachers), figsize=(4.5 * len(teachers), 3.8), squeeze=False)
    for ax, teacher in zip(axes[0], teachers):
        group = [r for r in rows if r["teacher"] == teacher and r["status"] != "diverged"]
        for j, sigma in enumerate(sorted({r["sigma"] for r in group})):
            sv = np.array([r["hankel_sv"] for r in group if r["sigma"] == sigma and None not in r["hankel_sv"]])
            if sv.size == 0:
                continue
            sv = np.maximum(sv / sv[:, :1], 1e-18)
            x = np.arange(1, sv.shape[1] + 1)
            med, lo, hi = (np.quantile(sv, p, axis=0) for p in (0.5, 0.25, 0.75))
            ax.plot(x, med, "o-", color=f"C{j}", label=f"σ={sigma:g}")
            ax.fill_between(x, lo, hi, color=f"C{j}", alpha=0.2)
        n = group[0]["teacher_dim"] if group else 0
        ax.axhline(group[0]["hankel_tol"] if group else 1e-3, color="gray", ls=":", label="rank tolerance")
        ax.axvline(n + 0.5, color="gray", ls="--", alpha=0.5)
        ax.set_yscale("log")
        ax.set_xlabel(f"index (dashed: d* = {n})")
        ax.set_title(teacher, fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("σ_i / σ_1 of the learned Hankel matrix")
    return save_figure(fig, stem)


def plot_students(summary: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E7: median and IQR of L_q at the limit (converged models) per teacher (x groups) and student (colour), one marker per σ."""
    teachers = sorted({s["teacher"] for s in summary})
    students = [st for st in ("dense", "diagonal", "complex", "lru") if any(s["student"] == st for s in summary)]
    sigmas = sorted({s["sigma"] for s in summary})
    fig, ax = plt.subplots(figsize=(7, 4))
    width = 0.8 / max(1, len(students) * len(sigmas))
    for i, st in enumerate(students):
        for j, sigma in enumerate(sigmas):
            pos = [t + (i * len(sigmas) + j + 0.5) * width - 0.4 for t in range(len(teachers))]
            got = {s["teacher"]: s for s in summary if s["student"] == st and s["sigma"] == sigma and s["median"] is not None}
            xs = [p for p, t in zip(pos, teachers) if t in got]
            med = [max(got[t]["median"], FLOOR) for t in teachers if t in got]
            err = [[m - max(got[t]["q25"], FLOOR) for m, t in zip(med, [t for t in teachers if t in got])],
                   [max(got[t]["q75"], FLOOR) - m for m, t in zip(med, [t for t in teachers if t in got])]]
            ax.errorbar(xs, med, yerr=err, fmt="o" if j == 0 else "s", color=f"C{i}", mfc="white" if j else f"C{i}",
                        label=f"{st}, σ={sigma:g}", capsize=2)
    ax.set_xticks(range(len(teachers)), teachers, fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("median L_q at the limit (IQR bars)")
    ax.set_title("Every student at the limit of gradient flow")
    ax.grid(True, axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return save_figure(fig, stem)


def plot_signs(summary: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E7: real diagonal students from c = s ⊙ b: median L_q against the fraction of negative modes."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for j, teacher in enumerate(sorted({s["teacher"] for s in summary})):
        s = sorted((x for x in summary if x["teacher"] == teacher and x["median"] is not None),
                   key=lambda x: x["negative_fraction"])
        x = [r["negative_fraction"] for r in s]
        line = ax.plot(x, [max(r["median"], FLOOR) for r in s], "o-", color=f"C{j}", label=teacher)[0]
        ax.fill_between(x, [max(r["q25"], FLOOR) for r in s], [max(r["q75"], FLOOR) for r in s], color=line.get_color(),
                        alpha=0.2)
    ax.set_yscale("log")
    ax.set_xlabel("fraction of modes with c_j = −b_j at initialization")
    ax.set_ylabel("median L_q at the limit (IQR shaded)")
    ax.set_title("Real diagonal students: the sign pattern fixed at initialization")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return save_figure(fig, stem)


def plot_exponents(fits: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E9: the fitted exponent p (95% bootstrap interval) against k, one series per (student, teacher), the line p = 2k."""
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    series = sorted({(f["student"], f["teacher"]) for f in fits})
    ks = [f["k"] for f in fits]
    grid = np.arange(min(ks) - 0.5, max(ks) + 1.0)
    ax.plot(grid, 2 * grid, "k--", lw=1, label="p = 2k")
    ax.plot(grid, 2 * (grid - 2), "k:", lw=1, label="p = 2(k − d*), d* = 2")
    for j, (student, teacher) in enumerate(series):
        got = sorted((f for f in fits if (f["student"], f["teacher"]) == (student, teacher) and f["exponent"] is not None),
                     key=lambda f: (f["k"], f["d"]))
        if not got:
            continue
        x = [f["k"] + 0.06 * (j - len(series) / 2) for f in got]
        y = [f["exponent"] for f in got]
        err = [[f["exponent"] - f["ci_low"] for f in got], [f["ci_high"] - f["exponent"] for f in got]]
        ax.errorbar(x, y, yerr=err, fmt="o", color=f"C{j}", capsize=3, label=f"{student}, {teacher}")
    ax.set_xlabel("training length k")
    ax.set_ylabel("exponent p of median L_10k ∝ σ^p")
    ax.set_title("The σ-exponent of the limit's extrapolation loss")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    return save_figure(fig, stem)


def plot_nonlinear(summary: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E8: median L_q (IQR shaded) against σ per teacher (panels) and student (colour)."""
    teachers = sorted({s["teacher"] for s in summary})
    fig, axes = plt.subplots(1, len(teachers), figsize=(5 * len(teachers), 3.8), squeeze=False)
    for ax, teacher in zip(axes[0], teachers):
        for j, student in enumerate(sorted({s["student"] for s in summary})):
            got = sorted((s for s in summary if s["teacher"] == teacher and s["student"] == student and s["median"] is not None),
                         key=lambda s: s["sigma"])
            if not got:
                continue
            x = [s["sigma"] for s in got]
            ax.plot(x, [max(s["median"], FLOOR) for s in got], "o-", color=f"C{j}", label=student)
            ax.fill_between(x, [max(s["q25"], FLOOR) for s in got], [max(s["q75"], FLOOR) for s in got], color=f"C{j}",
                            alpha=0.2)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("initialization scale σ")
        ax.set_title(teacher, fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel("median L_q after GD on data (IQR shaded)")
    return save_figure(fig, stem)


def _median_train(rows: Sequence[dict[str, Any]], sigma: float) -> float:
    vals = [r["train_loss"] for r in rows if r["sigma"] == sigma and r["status"] != "diverged" and r["train_loss"] is not None]
    return max(float(np.median(vals)), FLOOR) if vals else float("nan")


def _groups(rows: Sequence[dict[str, Any]], by: Sequence[str]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    out: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(tuple(r[b] for b in by), []).append(r)
    return dict(sorted(out.items()))

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
from tempx.numerics.app.figure_style import (
    ONE_COLUMN,
    TWO_COLUMN,
    color,
    finish,
    mark_missing,
    student_label,
    style,
    teacher_label,
)
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


def save_figure(fig: Any, stem: Path | None) -> Any:
    """``stem``.png and ``stem``.pdf, each written to a temporary file and renamed (the paths); with ``stem`` None,
    the figure itself, open, for a caller to show or save (``tempx.plot``)."""
    if stem is None:
        return fig
    paths = []
    for ext in ("png", "pdf"):
        buf = io.BytesIO()
        try:
            fig.savefig(buf, format=ext, dpi=200 if ext == "png" else None, bbox_inches="tight",
                        metadata={"CreationDate": None} if ext == "pdf" else {"Software": None})
        except ValueError as err:  # a log axis with no positive value (every model diverged or stopped early)
            if "log-scaled" not in str(err):
                raise
            _nothing_to_draw(fig)
            buf = io.BytesIO()
            fig.savefig(buf, format=ext, dpi=200 if ext == "png" else None, bbox_inches="tight",
                        metadata={"CreationDate": None} if ext == "pdf" else {"Software": None})
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


def _what(rows: Sequence[dict[str, Any]]) -> str:
    """'dense student, teacher memoryless (y_t = x_t)': what was trained on what, for a title."""
    r = rows[0] if rows else {}
    parts = []
    if r.get("student"):
        parts.append(f"{student_label(r['student'])} student")
    if r.get("teacher"):
        parts.append(f"teacher {teacher_label(r['teacher'])}")
    return ", ".join(parts)


def _not_converged(rows: Sequence[dict[str, Any]], loss: str = "extrapolation_loss") -> list[dict[str, Any]]:
    return [r for r in rows if r["status"] in ("diverged", "failed") or r.get(loss) is None]


@style()
def plot_sweep(rows: Sequence[dict[str, Any]], stem: Path | None, title: str = "") -> Any:
    """Median and interquartile range of L_q at the end of GD against σ, one line per (d, k); models that diverged
    are drawn as open triangles on the top edge at their σ."""
    fig, ax = plt.subplots(figsize=TWO_COLUMN)
    for j, ((d, k), group) in enumerate(_groups(rows, ("d", "k")).items()):
        col = color(j)
        s = sorted(summarize(group, ("sigma",)), key=lambda r: r["sigma"])
        s = [r for r in s if r["median"] is not None]
        q = group[0]["q"]
        if s:
            x = [r["sigma"] for r in s]
            med = [max(r["median"], FLOOR) for r in s]
            lo = [max(r["q25"], FLOOR) for r in s]
            hi = [max(r["q75"], FLOOR) for r in s]
            ax.plot(x, med, "o-", color=col, label=f"$d={d},\\ k={k}$: $L_{{{q}}}$")
            ax.fill_between(x, lo, hi, color=col, alpha=0.2)
            train = [_median_train(group, r["sigma"]) for r in s]
            ax.plot(x, train, "--", color=col, alpha=0.8, label=f"$d={d},\\ k={k}$: train loss $L_{{{k}}}$")
        bad = _not_converged(group)
        mark_missing(ax, [r["sigma"] for r in bad], col, f"$d={d},\\ k={k}$: diverged ({len(bad)})" if bad else None)
    what = _what(rows)
    finish(ax, r"initialization scale $\sigma$", "loss after GD (median; IQR shaded)",
           f"{title or 'Extrapolation after GD vs initialization scale'}{': ' + what if what else ''}", logx=True,
           legend="outside")
    return save_figure(fig, stem)


@style()
def plot_limit(doc: dict[str, Any], stem: Path | None) -> Any:
    """E1L: L_q at the limit of gradient flow against σ (log-log), per (d, k): every model, the median of the
    converged ones, and the fitted power law with its exponent and bootstrap interval."""
    fig, ax = plt.subplots(figsize=TWO_COLUMN)
    rows = doc["rows"]
    fits = {(f["d"], f["k"]): f for f in doc["fits"]}
    for j, ((d, k), group) in enumerate(_groups(rows, ("d", "k")).items()):
        col = color(j)
        conv = [r for r in group if r["status"] == "converged" and r["extrapolation_loss"] is not None]
        other = [r for r in group if r not in conv]
        s = sorted((x for x in doc["summary"] if (x["d"], x["k"]) == (d, k) and x["median"] is not None),
                   key=lambda x: x["sigma"])
        ax.plot([x["sigma"] for x in s], [max(x["median"], FLOOR) for x in s], "-", lw=1.5, color=col,
                label=f"$d={d},\\ k={k}$: median $L_{{{group[0]['q']}}}$")
        ax.plot([r["sigma"] for r in conv], [max(r["extrapolation_loss"], FLOOR) for r in conv], "o", ms=3,
                color=col, alpha=0.5)
        if other:
            ax.plot([r["sigma"] for r in other], [max(r["extrapolation_loss"] or FLOOR, FLOOR) for r in other], "x",
                    color=col, label=f"$d={d},\\ k={k}$: not converged ({len(other)})")
        f = fits.get((d, k))
        if f and f["exponent"] is not None:
            xs = np.array(f["sigmas"])
            # the fit in black over the coloured median (the same colour hid it under the median line)
            ax.plot(xs, 10 ** (f["intercept"] + f["exponent"] * np.log10(xs)), "--", color="black", lw=1.2, zorder=4,
                    dashes=(4, 2), label=f"$d={d},\\ k={k}$: fitted slope {f['exponent']:.2f} "
                                         f"[{f['ci_low']:.2f}, {f['ci_high']:.2f}]")
    finish(ax, r"initialization scale $\sigma$", r"extrapolation loss $L_q$ at the limit",
           f"The limit of gradient flow: extrapolation vs initialization scale ({_what(rows)})", logx=True,
           legend="outside")
    return save_figure(fig, stem)


@style()
def plot_q0(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """L_q at the end of GD against the imbalance ‖Q(0)‖_F at initialization (linear students), or against ‖A(0)‖_F
    for a non-linear student (its Q has no meaning there); diverged models on the top edge."""
    from tempx.numerics.students import LINEAR

    linear = not rows or rows[0].get("student", "dense") in LINEAR
    key, xlabel = ("Q0_norm", r"imbalance at initialization $\|Q(0)\|_F$") if linear else \
        ("A0_norm", r"recurrent weights at initialization $\|A(0)\|_F$")
    fig, ax = plt.subplots(figsize=ONE_COLUMN)
    for j, ((d, k), group) in enumerate(_groups(rows, ("d", "k")).items()):
        g = [r for r in group if r["status"] != "diverged" and r["extrapolation_loss"] is not None]
        ax.scatter([r[key] for r in g], [max(r["extrapolation_loss"], FLOOR) for r in g], s=8, color=color(j),
                   label=f"$d={d},\\ k={k}$")
        bad = [r for r in _not_converged(group) if r.get(key) is not None]
        mark_missing(ax, [r[key] for r in bad], color(j), f"diverged ({len(bad)})" if bad else None)
    q = rows[0].get("q", "q") if rows else "q"
    finish(ax, xlabel, f"extrapolation loss $L_{{{q}}}$", _what(rows), logx=True)
    return save_figure(fig, stem)


@style()
def plot_symmetric(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E2: train loss and extrapolation loss per model, grouped by k."""
    fig, ax = plt.subplots(figsize=ONE_COLUMN)
    ks = sorted({r["k"] for r in rows})
    for j, k in enumerate(ks):
        g = [r for r in rows if r["k"] == k and r["train_loss"] is not None]
        ax.scatter([j - 0.1] * len(g), [max(r["train_loss"], FLOOR) for r in g], marker="o", color=color(0),
                   label=r"train loss $L_k$" if j == 0 else None)
        ax.scatter([j + 0.1] * len(g), [max(r["extrapolation_loss"] or FLOOR, FLOOR) for r in g], marker="x",
                   color=color(1), label=r"extrapolation loss $L_{4k}$" if j == 0 else None)
    ax.set_xticks(range(len(ks)), [f"$k={k}$" for k in ks])
    finish(ax, "", "loss after GD", "GD from symmetric-balanced initializations (C6)")
    return save_figure(fig, stem)


@style()
def plot_curves(doc: dict[str, Any], stem: Path) -> list[Path]:
    """E3: L_q against q for each solution."""
    fig, ax = plt.subplots(figsize=ONE_COLUMN)
    for j, (name, values) in enumerate(doc["curves"].items()):
        ax.plot(doc["q"], [max(v, FLOOR) if v is not None else float("nan") for v in values], color=color(j),
                label=name.replace("σ=", "$\\sigma$ = "))
    ax.axvline(doc["k"], color="gray", ls=":", label=f"training length $k={doc['k']}$")
    finish(ax, "sequence length $q$", "$L_q$", f"Extrapolation loss vs length ($d={doc['d']},\\ k={doc['k']}$)")
    return save_figure(fig, stem)


@style()
def plot_teachers(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E5: median L_q after GD against k, one colour per teacher; solid small σ, dashed large σ; each teacher's
    k = 2d* + 1 marked by a triangle of its colour on the top edge (nudged apart when two coincide)."""
    fig, ax = plt.subplots(figsize=TWO_COLUMN)
    sigmas = sorted({r["sigma"] for r in rows})
    for j, (teacher,) in enumerate(_groups(rows, ("teacher",))):
        group = [r for r in rows if r["teacher"] == teacher]
        col = color(j)
        n = group[0]["teacher_dim"]
        for i, (sigma, style_) in enumerate(zip(sigmas, ("o-", "s--", "^:"))):
            s = sorted(summarize([r for r in group if r["sigma"] == sigma], ("k",)), key=lambda r: r["k"])
            s = [r for r in s if r["median"] is not None]
            if s:  # the teacher named once (its first σ); the line style says σ (legend entries in black below)
                ax.plot([r["k"] for r in s], [max(r["median"], FLOOR) for r in s], style_, color=col,
                        label=f"{teacher_label(teacher)}, $d^*={n}$" if i == 0 else f"_{teacher} {sigma}")
        ax.plot([2 * n + 1 + 0.08 * j], [1.0], linestyle="none", marker="v", color=col, ms=5, clip_on=False,
                transform=ax.get_xaxis_transform())
        bad = _not_converged(group)
        mark_missing(ax, [r["k"] for r in bad], col, f"diverged ({len(bad)})" if bad else None)
    for sigma, style_ in zip(sigmas, ("o-", "s--", "^:")):
        ax.plot([], [], style_, color="black", label=f"$\\sigma={sigma:g}$")
    finish(ax, r"training length $k$ ($\blacktriangledown$: $k = 2d^*+1$)", f"median $L_{{{rows[0]['q']}}}$ after GD",
           f"Extrapolation after GD against the training length, per teacher ({student_label(rows[0].get('student', 'dense'))} student)",
           legend="outside")
    return save_figure(fig, stem)


@style()
def plot_hankel(rows: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E6: normalized Hankel singular values of the learned impulse response (median, IQR), small vs large σ."""
    teachers = sorted({r["teacher"] for r in rows})
    fig, axes = plt.subplots(1, len(teachers), figsize=(TWO_COLUMN[0], 2.6), squeeze=False, sharey=True)
    for ax, teacher in zip(axes[0], teachers):
        group = [r for r in rows if r["teacher"] == teacher and r["status"] != "diverged"]
        for j, sigma in enumerate(sorted({r["sigma"] for r in group})):
            sv = np.array([r["hankel_sv"] for r in group if r["sigma"] == sigma and None not in r["hankel_sv"]])
            if sv.size == 0:
                continue
            sv = np.maximum(sv / sv[:, :1], 1e-18)
            x = np.arange(1, sv.shape[1] + 1)
            med, lo, hi = (np.quantile(sv, p, axis=0) for p in (0.5, 0.25, 0.75))
            ax.plot(x, med, "o-", color=color(j), label=f"$\\sigma={sigma:g}$")
            ax.fill_between(x, lo, hi, color=color(j), alpha=0.2)
        n = group[0]["teacher_dim"] if group else 0
        ax.axhline(group[0]["hankel_tol"] if group else 1e-3, color="gray", ls=":", label="rank tolerance")
        ax.axvline(n + 0.5, color="gray", ls="--", alpha=0.5)
        finish(ax, f"index $i$ (dashed: $d^* = {n}$)", "", teacher_label(teacher))
    axes[0][0].set_ylabel(r"$\sigma_i / \sigma_1$ of the learned Hankel matrix")
    fig.suptitle(f"The learned state dimension ({_what([{'student': rows[0].get('student')}] if rows else [])})")
    return save_figure(fig, stem)


@style()
def plot_students(summary: Sequence[dict[str, Any]], stem: Path, q: int | None = None) -> list[Path]:
    """E7: median and IQR of L_q at the limit (converged models) per teacher (x groups) and student (colour), one
    marker per σ (filled: the smallest); a cell where not every model converged gets a triangle above its marker."""
    teachers = sorted({s["teacher"] for s in summary})
    students = [st for st in ("dense", "diagonal", "complex", "lru") if any(s["student"] == st for s in summary)]
    sigmas = sorted({s["sigma"] for s in summary})
    fig, ax = plt.subplots(figsize=TWO_COLUMN)
    width = 0.8 / max(1, len(students) * len(sigmas))
    for i, st in enumerate(students):
        for j, sigma in enumerate(sigmas):
            pos = [t + (i * len(sigmas) + j + 0.5) * width - 0.4 for t in range(len(teachers))]
            got = {s["teacher"]: s for s in summary if s["student"] == st and s["sigma"] == sigma and s["median"] is not None}
            xs = [p for p, t in zip(pos, teachers) if t in got]
            med = [max(got[t]["median"], FLOOR) for t in teachers if t in got]
            err = [[m - max(got[t]["q25"], FLOOR) for m, t in zip(med, [t for t in teachers if t in got])],
                   [max(got[t]["q75"], FLOOR) - m for m, t in zip(med, [t for t in teachers if t in got])]]
            ax.errorbar(xs, med, yerr=err, fmt="o" if j == 0 else "s", color=color(i), mfc="white" if j else color(i),
                        label=f"{student_label(st)}, $\\sigma={sigma:g}$")
            short = [p for p, t in zip(pos, teachers)
                     if any(s["teacher"] == t and s["student"] == st and s["sigma"] == sigma
                            and s.get("converged", s.get("n", 0)) < s.get("n", 0) for s in summary)]
            mark_missing(ax, short, color(i), None)
    ax.set_xticks(range(len(teachers)), [teacher_label(t) for t in teachers])
    finish(ax, "teacher", f"median $L_{{{q if q is not None else 'q'}}}$ at the limit (IQR bars)",
           r"Every student at the limit of gradient flow ($\triangle$: not every model converged)", legend="outside")
    return save_figure(fig, stem)


@style()
def plot_signs(summary: Sequence[dict[str, Any]], stem: Path) -> list[Path]:
    """E7: real diagonal students from c = s ⊙ b: median L_q against the fraction of negative modes."""
    fig, ax = plt.subplots(figsize=ONE_COLUMN)
    for j, teacher in enumerate(sorted({s["teacher"] for s in summary})):
        s = sorted((x for x in summary if x["teacher"] == teacher and x["median"] is not None),
                   key=lambda x: x["negative_fraction"])
        x = [r["negative_fraction"] for r in s]
        ax.plot(x, [max(r["median"], FLOOR) for r in s], "o-", color=color(j), label=teacher_label(teacher))
        ax.fill_between(x, [max(r["q25"], FLOOR) for r in s], [max(r["q75"], FLOOR) for r in s], color=color(j),
                        alpha=0.2)
        none = [r["negative_fraction"] for r in summary if r["teacher"] == teacher and r["median"] is None]
        mark_missing(ax, none, color(j), None)  # no model converged there: marked, not silently absent
    finish(ax, r"fraction of modes with $c_j = -b_j$ at initialization", "median $L_q$ at the limit (IQR shaded)",
           r"Real diagonal students: the sign pattern ($\triangle$: none converged)")
    return save_figure(fig, stem)


WIDE = 32  # E9: students this wide or wider (d ≫ k) are a series of their own, one per width


@style()
def plot_exponents(fits: Sequence[dict[str, Any]], stem: Path | None) -> Any:
    """E9: the fitted exponent p (95% bootstrap interval) against k, one series per (student, teacher) at the
    small widths d ≈ 2k and one per wide width (d ≥ ``WIDE``, open squares), the lines p = 2k and p = 2(k − 2)."""
    fig, ax = plt.subplots(figsize=TWO_COLUMN)

    def width(f: dict[str, Any]) -> int:
        return int(f["d"]) if int(f["d"]) >= WIDE else 0

    series = sorted({(f["student"], f["teacher"], width(f)) for f in fits})
    ks = [f["k"] for f in fits]
    grid = np.arange(min(ks) - 0.5, max(ks) + 1.0)
    ax.plot(grid, 2 * grid, "k--", lw=1, label="$p = 2k$")
    ax.plot(grid, 2 * (grid - 2), "k:", lw=1, label="$p = 2(k - d^*)$, $d^* = 2$")
    for j, (student, teacher, wide) in enumerate(series):
        got = sorted((f for f in fits if (f["student"], f["teacher"], width(f)) == (student, teacher, wide)
                      and f["exponent"] is not None), key=lambda f: (f["k"], f["d"]))
        if not got:
            continue
        x = [f["k"] + 0.06 * (j - len(series) / 2) for f in got]
        y = [f["exponent"] for f in got]
        err = [[f["exponent"] - f["ci_low"] for f in got], [f["ci_high"] - f["exponent"] for f in got]]
        label = f"{student_label(student)}, {teacher_label(teacher)}" + (f", $d = {wide}$" if wide else "")
        ax.errorbar(x, y, yerr=err, fmt="s" if wide else "o", mfc="none" if wide else None, color=color(j), label=label)
    finish(ax, "training length $k$", r"exponent $p$ of median $L_{10k} \propto \sigma^p$",
           r"The $\sigma$-exponent of the limit's extrapolation loss", logy=False, legend="outside")
    return save_figure(fig, stem)


@style()
def plot_nonlinear(summary: Sequence[dict[str, Any]], stem: Path, setting: str = "") -> list[Path]:
    """E8: median L_q (IQR shaded) against σ per teacher (panels) and student (colour), one overall title."""
    teachers = sorted({s["teacher"] for s in summary})
    fig, axes = plt.subplots(1, len(teachers), figsize=(TWO_COLUMN[0], 2.8), squeeze=False, sharey=True)
    for ax, teacher in zip(axes[0], teachers):
        for j, student in enumerate(sorted({s["student"] for s in summary})):
            got = sorted((s for s in summary if s["teacher"] == teacher and s["student"] == student and s["median"] is not None),
                         key=lambda s: s["sigma"])
            bad = [s["sigma"] for s in summary if s["teacher"] == teacher and s["student"] == student and s.get("diverged")]
            mark_missing(ax, bad, color(j), None)
            if not got:
                continue
            x = [s["sigma"] for s in got]
            ax.plot(x, [max(s["median"], FLOOR) for s in got], "o-", color=color(j), label=student_label(student))
            ax.fill_between(x, [max(s["q25"], FLOOR) for s in got], [max(s["q75"], FLOOR) for s in got], color=color(j),
                            alpha=0.2)
        finish(ax, r"initialization scale $\sigma$", "", teacher_label(teacher), logx=True)
    axes[0][0].set_ylabel("median $L_q$ after GD on data (IQR shaded)")
    fig.suptitle("Non-linear students after GD on finite data" + (f" ({setting})" if setting else "")
                 + r"; $\triangle$: diverged models")
    return save_figure(fig, stem)


def _median_train(rows: Sequence[dict[str, Any]], sigma: float) -> float:
    vals = [r["train_loss"] for r in rows if r["sigma"] == sigma and r["status"] != "diverged" and r["train_loss"] is not None]
    return max(float(np.median(vals)), FLOOR) if vals else float("nan")


def _groups(rows: Sequence[dict[str, Any]], by: Sequence[str]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    out: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(tuple(r[b] for b in by), []).append(r)
    return dict(sorted(out.items()))

"""One figure style for every plot tempx draws: sizes for one and two journal columns, mathtext labels, a
colour-blind-safe palette, fonts embedded in the PDF, human names for teachers and students.

Every ``plot_*`` function draws inside ``style()``; labels use matplotlib's mathtext (``$L_{20}$``,
``$\\|Q(0)\\|_F$``), which needs no TeX installation and embeds its fonts (TrueType, ``pdf.fonttype`` 42).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

__all__ = ["ONE_COLUMN", "PALETTE", "TWO_COLUMN", "finish", "mark_missing", "student_label", "style", "teacher_label"]

ONE_COLUMN = (3.5, 2.6)  # inches: one column of a two-column journal page
TWO_COLUMN = (7.0, 3.0)  # the full text width
# Okabe & Ito's colour-blind-safe palette (black last: kept for reference lines)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")

RC: dict[str, Any] = {
    "font.size": 8, "axes.titlesize": 8.5, "axes.labelsize": 8, "legend.fontsize": 7, "xtick.labelsize": 7,
    "ytick.labelsize": 7, "legend.frameon": False, "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": False, "lines.linewidth": 1.2, "lines.markersize": 3.5, "errorbar.capsize": 2,
    "pdf.fonttype": 42, "ps.fonttype": 42, "mathtext.fontset": "dejavusans", "savefig.dpi": 300,
    "figure.constrained_layout.use": True,
}


@contextmanager
def style() -> Iterator[None]:
    """The project's figure style for the figures drawn inside the block."""
    import matplotlib.pyplot as plt
    from cycler import cycler

    settings: dict[Any, Any] = {**RC, "axes.prop_cycle": cycler(color=PALETTE[:-1])}
    with plt.rc_context(settings):
        yield


def color(j: int) -> str:
    return PALETTE[j % (len(PALETTE) - 1)]


def finish(ax: Any, xlabel: str = "", ylabel: str = "", title: str = "", *, logx: bool = False, logy: bool = True,
           legend: str | None = "best") -> None:
    """Axis labels, scales, a light major grid and the legend (``legend``: a matplotlib location, "outside" to
    the right of the axes, or None)."""
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    if xlabel:
        ax.set_xlabel(xlabel)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.25, lw=0.5)
    handles, _ = ax.get_legend_handles_labels()
    if legend and handles:
        if legend == "outside":
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
        else:
            ax.legend(loc=legend)


def mark_missing(ax: Any, xs: Sequence[float], col: str, label: str | None) -> None:
    """Models that did not converge (or diverged) and have no loss to plot: drawn as open triangles along the top
    edge of the axes at their x, so they are seen, not dropped."""
    if not xs:
        return
    ax.plot(list(xs), [0.97] * len(xs), linestyle="none", marker="^", mfc="none", mec=col, ms=4, clip_on=False,
            transform=ax.get_xaxis_transform(), label=label)


_STUDENTS = {"dense": "dense", "diagonal": "real diagonal", "complex": "complex diagonal", "lru": "LRU",
             "identity": "linear Elman", "tanh": "tanh RNN", "relu": "ReLU RNN"}


def student_label(name: str) -> str:
    return _STUDENTS.get(name, name)


def _num(text: str) -> str:
    """An exact number of a specification as mathtext: 1/2 → ½ as \\frac, others as they are."""
    m = re.fullmatch(r"(-?)(\d+)/(\d+)", text.strip())
    if m:
        return f"{m.group(1)}\\frac{{{m.group(2)}}}{{{m.group(3)}}}"
    return text.strip()


def teacher_label(spec: str) -> str:
    """A teacher specification as a human formula: ``atoms:1/2@1,-1/2@1`` → ``$w^*_i = (\\frac{1}{2})^i + (-\\frac{1}{2})^i$``
    style; the specification itself when it has no formula (a file, an unknown form)."""
    s = str(spec)
    kind, _, rest = s.partition(":")
    try:
        if kind == "memoryless":
            g = _num(rest) if rest else ""
            return f"memoryless ($y_t = {g + ' ' if g else ''}x_t$)"
        if kind == "delay":
            return f"delay ($y_t = x_{{t-{int(rest)}}}$)"
        if kind == "geometric":
            ratio, _, scale = rest.partition(":")
            return f"geometric ($w^*_i = {_num(scale) + ' ' if scale else ''}({_num(ratio)})^i$)"
        if kind == "atoms":
            terms = []
            for part in rest.split(","):
                mu, w = part.split("@")
                w_text = "" if w.strip() == "1" else ("-" if w.strip() == "-1" else _num(w) + r"\,")
                terms.append(f"{w_text}({_num(mu)})^i")
            body = " + ".join(terms).replace("+ -", "- ")
            return f"{len(terms)} atom{'s' if len(terms) > 1 else ''} ($w^*_i = {body}$)"
        if kind == "oscillating":
            a, b, *gains = rest.split(":")
            gain = _num(gains[0]) + r"\," if gains else ""
            return f"oscillating ($w^*_i = {gain}\\mathrm{{Re}}({_num(a)} + {_num(b)}\\,i)^i$)"
        if kind == "impulse":
            return f"impulse ({rest})"
        if kind == "rnn":
            act, n, seed = rest.split(":")
            return f"random {act} RNN ({n} units, seed {seed})"
    except (ValueError, IndexError):
        pass
    return s.replace("$", r"\$")

"""The figures draw the numbers they claim to draw.

Each plot function is run on small hand-made rows with the figure captured before it is saved, and
what is on the axes is read back: the points and lines (their data), the shaded interquartile
ranges, error bars, reference lines and log scales.  Values below ``FLOOR`` (exact zeros too) are
drawn at the floor.  ``save_figure`` itself writes real PNG and PDF files.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest

from tempx.numerics.app import plots
from tempx.numerics.app.plots import FLOOR

matplotlib.use("Agg")


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The figures the plot functions would save, in order (nothing is written)."""
    got: list[Any] = []
    monkeypatch.setattr(plots, "save_figure", lambda fig, stem: got.append(fig) or [])
    yield got
    for fig in got:
        plots.plt.close(fig)


def lines(ax: Any) -> dict[str, Any]:
    return {ln.get_label(): ln for ln in ax.get_lines()}


def band(ax: Any, i: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The lower and upper edge of the i-th fill_between, at its x values (in order)."""
    v = ax.collections[i].get_paths()[0].vertices
    xs = np.unique(v[:, 0])
    lo = np.array([v[v[:, 0] == x, 1].min() for x in xs])
    hi = np.array([v[v[:, 0] == x, 1].max() for x in xs])
    return lo, hi


def bars(container: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """x, y of the markers and the lower and upper ends of the vertical error bars of an errorbar container."""
    data, _, (cols, *_) = container.lines
    seg = np.array([np.asarray(sg, dtype=float) for sg in cols.get_segments()])
    x, y = np.asarray(data.get_xdata(), dtype=float), np.asarray(data.get_ydata(), dtype=float)
    return x, y, seg[:, :, 1].min(axis=1), seg[:, :, 1].max(axis=1)


def row(**kw: Any) -> dict[str, Any]:
    return {"status": "max_steps", "train_loss": 1e-3, "extrapolation_loss": 1.0, **kw}


def test_save_figure_writes_png_and_pdf(tmp_path: Path) -> None:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    paths = plots.save_figure(fig, tmp_path / "fig")
    assert [p.name for p in paths] == ["fig.png", "fig.pdf"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths[1].read_bytes()[:5] == b"%PDF-"
    assert b"CreationDate" not in paths[1].read_bytes()  # no timestamp: the same figure gives the same bytes
    assert not plt.fignum_exists(fig.number)  # closed once saved


def test_sweep_draws_medians_quartiles_and_train_losses(figures: list[Any]) -> None:
    rows = [row(d=4, k=2, q=20, sigma=s, extrapolation_loss=v, train_loss=t)
            for s, vals, t in ((0.1, (1.0, 2.0, 3.0, 0.0), 0.5), (1.0, (4.0, 8.0, 6.0, 5.0), 0.0))
            for v in vals]
    rows.append(row(d=4, k=2, q=20, sigma=0.1, status="diverged", extrapolation_loss=1e9, train_loss=1e9))
    plots.plot_sweep(rows, Path("unused"))
    ax = figures[0].axes[0]
    got = lines(ax)
    med = got["$d=4,\\ k=2$: $L_{20}$"]
    np.testing.assert_allclose(med.get_xdata(), [0.1, 1.0])
    np.testing.assert_allclose(med.get_ydata(), [1.5, 5.5])  # the diverged model is left out
    lo, hi = band(ax)
    np.testing.assert_allclose(lo, [np.quantile([1, 2, 3, 0], 0.25), np.quantile([4, 8, 6, 5], 0.25)])
    np.testing.assert_allclose(hi, [np.quantile([1, 2, 3, 0], 0.75), np.quantile([4, 8, 6, 5], 0.75)])
    train = got["$d=4,\\ k=2$: train loss $L_{2}$"]
    np.testing.assert_allclose(train.get_ydata(), [0.5, FLOOR])  # a zero train loss drawn at the floor
    assert ax.get_xscale() == ax.get_yscale() == "log"
    diverged = got["$d=4,\\ k=2$: diverged (1)"]  # drawn and marked on the top edge, not dropped
    np.testing.assert_allclose(diverged.get_xdata(), [0.1])
    assert diverged.get_marker() == "^" and diverged.get_ydata()[0] == pytest.approx(0.97)
    assert "$\\sigma$" in ax.get_xlabel()


def test_limit_draws_models_medians_and_the_fitted_power_law(figures: list[Any]) -> None:
    rows = [row(d=2, k=1, q=10, sigma=s, status="converged", extrapolation_loss=v)
            for s, v in ((0.1, 1e-4), (0.1, 3e-4), (1.0, 1e-2))]
    rows.append(row(d=2, k=1, q=10, sigma=1.0, status="max_steps", extrapolation_loss=None))
    rows.append(row(d=2, k=1, q=10, sigma=0.1, status="max_steps", extrapolation_loss=5.0))  # a value, not converged
    summary = [{"d": 2, "k": 1, "sigma": 0.1, "median": 2e-4}, {"d": 2, "k": 1, "sigma": 1.0, "median": 1e-2},
               {"d": 2, "k": 1, "sigma": 3.0, "median": None}]
    fit = {"d": 2, "k": 1, "exponent": 1.7, "intercept": -2.0, "ci_low": 1.5, "ci_high": 1.9, "sigmas": [0.1, 1.0]}
    plots.plot_limit({"rows": rows, "summary": summary, "fits": [fit]}, Path("unused"))
    ax = figures[0].axes[0]
    got = lines(ax)
    np.testing.assert_allclose(got["$d=2,\\ k=1$: median $L_{10}$"].get_ydata(), [2e-4, 1e-2])
    points = next(ln for ln in ax.get_lines() if ln.get_marker() == "o")
    np.testing.assert_allclose(points.get_ydata(), [1e-4, 3e-4, 1e-2])
    unconverged = got["$d=2,\\ k=1$: not converged (2)"]
    np.testing.assert_allclose(unconverged.get_ydata(), [FLOOR, 5.0])  # no value: drawn at the floor
    slope = got["$d=2,\\ k=1$: fitted slope 1.70 [1.50, 1.90]"]
    np.testing.assert_allclose(slope.get_ydata(), 10 ** (-2.0 + 1.7 * np.log10([0.1, 1.0])))


def test_q0_scatters_imbalance_against_extrapolation(figures: list[Any]) -> None:
    rows = [row(d=3, k=2, Q0_norm=q, extrapolation_loss=v) for q, v in ((0.5, 1e-3), (2.0, 0.0))]
    rows.append(row(d=3, k=2, Q0_norm=9.0, status="diverged", extrapolation_loss=1e9))
    plots.plot_q0(rows, Path("unused"))
    ax = figures[0].axes[0]
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[0.5, 1e-3], [2.0, FLOOR]])
    np.testing.assert_allclose(lines(ax)["diverged (1)"].get_xdata(), [9.0])
    assert ax.get_xlabel() == "imbalance at initialization $\\|Q(0)\\|_F$"
    # a non-linear student has no Q: the recurrent weights' norm instead
    plots.plot_q0([row(d=3, k=2, student="tanh", A0_norm=1.5, Q0_norm=0.0, extrapolation_loss=1e-2)], Path("unused"))
    ax = figures[1].axes[0]
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[1.5, 1e-2]])
    assert "$\\|A(0)\\|_F$" in ax.get_xlabel() and "tanh RNN student" in ax.get_title()


def test_symmetric_puts_train_left_and_extrapolation_right_of_each_k(figures: list[Any]) -> None:
    rows = [row(k=k, train_loss=t, extrapolation_loss=e) for k, t, e in ((2, 1e-5, 1e-2), (3, 0.0, None), (3, 1e-4, 1e-1))]
    plots.plot_symmetric(rows, Path("unused"))
    ax = figures[0].axes[0]
    train, ext = ax.collections[0::2], ax.collections[1::2]  # per k: train, then extrapolation
    np.testing.assert_allclose(train[0].get_offsets(), [[-0.1, 1e-5]])
    np.testing.assert_allclose(ext[0].get_offsets(), [[0.1, 1e-2]])
    np.testing.assert_allclose(train[1].get_offsets(), [[0.9, FLOOR], [0.9, 1e-4]])
    np.testing.assert_allclose(ext[1].get_offsets(), [[1.1, FLOOR], [1.1, 1e-1]])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["$k=2$", "$k=3$"]
    plots.plot_symmetric([row(k=5)], Path("unused"))  # one k: both kinds in the legend, once each
    assert [t.get_text() for t in figures[1].axes[0].get_legend().get_texts()] == ["train loss $L_k$",
                                                                                   "extrapolation loss $L_{4k}$"]


def test_curves_draw_every_solution_and_mark_k(figures: list[Any]) -> None:
    doc = {"d": 3, "k": 4, "q": [4, 8, 16], "curves": {"a": [0.0, 1e-3, 1.0], "b": [1e-2, None, 2.0]}}
    plots.plot_curves(doc, Path("unused"))
    got = lines(figures[0].axes[0])
    np.testing.assert_allclose(got["a"].get_ydata(), [FLOOR, 1e-3, 1.0])
    np.testing.assert_allclose(got["b"].get_ydata(), [1e-2, np.nan, 2.0])
    np.testing.assert_allclose(got["training length $k=4$"].get_xdata(), [4, 4])


def test_teachers_draw_medians_per_sigma_and_the_2d_plus_1_marks(figures: list[Any]) -> None:
    rows = [row(teacher=t, teacher_dim=n, q=30, sigma=s, k=k, extrapolation_loss=v)
            for t, n in (("one", 1), ("two", 2)) for s in (0.01, 1.0) for k, v in ((2, 1e-3), (5, 1e-1))]
    plots.plot_teachers(rows, Path("unused"))
    ax = figures[0].axes[0]
    got = lines(ax)
    # each teacher named once (its smallest σ, solid); the larger σ dashed, with legend entries for the styles
    np.testing.assert_allclose(got["one, $d^*=1$"].get_xdata(), [2, 5])
    np.testing.assert_allclose(got["_two 1.0"].get_ydata(), [1e-3, 1e-1])
    assert got["one, $d^*=1$"].get_linestyle() == "-" and got["_one 1.0"].get_linestyle() == "--"
    assert got["$\\sigma=0.01$"].get_linestyle() == "-" and got["$\\sigma=1$"].get_linestyle() == "--"
    marks = sorted(ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_marker() == "v")
    np.testing.assert_allclose(marks, [3, 5], atol=0.1)  # k = 2d* + 1, nudged apart by < 0.1
    assert ax.get_ylabel() == "median $L_{30}$ after GD"


def test_hankel_draws_normalized_singular_values(figures: list[Any]) -> None:
    rows = [row(teacher="t", teacher_dim=1, hankel_tol=1e-6, sigma=0.1, hankel_sv=sv)
            for sv in ([2.0, 1e-3, 0.0], [4.0, 4e-3, 4e-9], [1.0, 2e-3, 1e-9])]
    rows.append(row(teacher="t", teacher_dim=1, hankel_tol=1e-6, sigma=0.1, hankel_sv=[1.0, None, None]))
    plots.plot_hankel(rows, Path("unused"))
    ax = figures[0].axes[0]
    got = lines(ax)
    np.testing.assert_allclose(got["$\\sigma=0.1$"].get_ydata(), [1.0, 1e-3, 1e-9])  # medians of σ_i/σ_1; 0 → 1e-18
    np.testing.assert_allclose(got["rank tolerance"].get_ydata(), [1e-6, 1e-6])
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--"], [1.5])
    lo, hi = band(ax)
    np.testing.assert_allclose(lo, [1.0, np.quantile([5e-4, 1e-3, 2e-3], 0.25), np.quantile([1e-18, 1e-9, 1e-9], 0.25)])
    np.testing.assert_allclose(hi, [1.0, np.quantile([5e-4, 1e-3, 2e-3], 0.75), np.quantile([1e-18, 1e-9, 1e-9], 0.75)])


def test_students_put_each_bar_in_its_teacher_slot(figures: list[Any]) -> None:
    summary = [{"teacher": t, "student": st, "sigma": s, "median": m, "q25": m / 2, "q75": m * 3}
               for t in ("a", "b") for st in ("dense", "lru") for s, m in ((0.1, 1e-3), (1.0, 1e-1))]
    summary.append({"teacher": "b", "student": "dense", "sigma": 3.0, "median": None, "q25": None, "q75": None})
    plots.plot_students(summary, Path("unused"))
    ax = figures[0].axes[0]
    assert [c.get_label() for c in ax.containers] == [f"{st}, $\\sigma={s}$" for st in ("dense", "LRU") for s in ("0.1", "1", "3")]
    slots: dict[int, list[float]] = {0: [], 1: []}
    for c in ax.containers:
        x, y, lo, hi = bars(c) if len(c.lines[0].get_xdata()) else (np.array([]),) * 4
        np.testing.assert_allclose(lo, y / 2)
        np.testing.assert_allclose(hi, y * 3)
        for xi in x:
            slots[round(xi)].append(xi)
    for t, xs in slots.items():  # four markers per teacher, inside its slot, in order, apart
        assert len(xs) == 4 and all(t - 0.4 < x < t + 0.4 for x in xs) and np.all(np.diff(xs) > 0.05)


def test_signs_draw_the_median_against_the_negative_fraction(figures: list[Any]) -> None:
    summary = [{"teacher": "t", "negative_fraction": f, "median": m, "q25": m / 2, "q75": 2 * m}
               for f, m in ((0.5, 1e-2), (0.0, 1e-4), (1.0, 0.0))]
    # another teacher's points and a fraction without a median (nothing converged) are not on t's line
    summary += [{"teacher": "u", "negative_fraction": 0.25, "median": 3.0, "q25": 2.0, "q75": 4.0},
                {"teacher": "t", "negative_fraction": 0.75, "median": None, "q25": None, "q75": None}]
    plots.plot_signs(summary, Path("unused"))
    ax = figures[0].axes[0]
    np.testing.assert_allclose(lines(ax)["u"].get_xdata(), [0.25])
    line = lines(ax)["t"]
    np.testing.assert_allclose(line.get_xdata(), [0.0, 0.5, 1.0])
    np.testing.assert_allclose(line.get_ydata(), [1e-4, 1e-2, FLOOR])
    lo, hi = band(ax)
    np.testing.assert_allclose(lo, [5e-5, 5e-3, FLOOR])
    np.testing.assert_allclose(hi, [2e-4, 2e-2, FLOOR])
    marks = [ln for ln in ax.get_lines() if ln.get_marker() == "^"]  # 0.75: no model converged, marked on the edge
    assert len(marks) == 1 and list(marks[0].get_xdata()) == [0.75]


def test_exponents_draw_fits_with_intervals_and_both_reference_lines(figures: list[Any]) -> None:
    fits = [{"student": "dense", "teacher": "id", "k": k, "d": 2 * k, "exponent": p, "ci_low": p - 1, "ci_high": p + 2}
            for k, p in ((2, 3.9), (3, 6.1))]
    fits.append({"student": "dense", "teacher": "id", "k": 4, "d": 8, "exponent": None, "ci_low": None, "ci_high": None})
    plots.plot_exponents(fits, Path("unused"))
    ax = figures[0].axes[0]
    got = lines(ax)
    grid = got["$p = 2k$"].get_xdata()
    np.testing.assert_allclose(grid, [1.5, 2.5, 3.5, 4.5])  # half a unit beyond the smallest and largest k
    np.testing.assert_allclose(got["$p = 2k$"].get_ydata(), 2 * grid)
    np.testing.assert_allclose(got["$p = 2(k - d^*)$, $d^* = 2$"].get_ydata(), 2 * (grid - 2))
    x, y, lo, hi = bars(ax.containers[0])
    np.testing.assert_allclose(x, [2 - 0.03, 3 - 0.03])  # one series: shifted by 0.06·(0 − 1/2) off its k
    np.testing.assert_allclose(y, [3.9, 6.1])
    np.testing.assert_allclose(lo, [2.9, 5.1])
    np.testing.assert_allclose(hi, [5.9, 8.1])


def test_nonlinear_draws_one_panel_per_teacher(figures: list[Any]) -> None:
    summary = [{"teacher": t, "student": st, "sigma": s, "median": m, "q25": m / 4, "q75": 4 * m}
               for t in ("one", "two") for st in ("relu", "tanh") for s, m in ((1.0, 1e-1), (0.01, 0.0))]
    plots.plot_nonlinear(summary, Path("unused"))
    axes = figures[0].axes
    assert [ax.get_title() for ax in axes] == ["one", "two"]
    got = lines(axes[1])
    np.testing.assert_allclose(got["tanh RNN"].get_xdata(), [0.01, 1.0])
    np.testing.assert_allclose(got["tanh RNN"].get_ydata(), [FLOOR, 1e-1])
    assert figures[0].get_suptitle().startswith("Non-linear students after GD on finite data")
    lo, hi = band(axes[1], 1)
    np.testing.assert_allclose(hi, [FLOOR, 4e-1])
    np.testing.assert_allclose(lo, [FLOOR, 2.5e-2])


def test_teachers_with_one_row_each_still_mark_2d_plus_1(figures: list[Any]) -> None:
    """A teacher with a single model in the sweep: its median is its value and its dotted mark sits at 2d* + 1."""
    rows = [row(teacher="solo", teacher_dim=3, q=20, sigma=0.1, k=4, extrapolation_loss=0.5)]
    plots.plot_teachers(rows, Path("unused"))
    ax = figures[0].axes[0]
    np.testing.assert_allclose(lines(ax)["solo, $d^*=3$"].get_ydata(), [0.5])
    np.testing.assert_allclose([ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_marker() == "v"], [7])


def test_hankel_skips_a_sigma_whose_models_have_no_singular_values(figures: list[Any]) -> None:
    """σ = 0.5 has only a model whose Hankel matrix overflowed (None entries): no curve for it, the other σ drawn."""
    rows = [row(teacher="t", teacher_dim=1, hankel_tol=1e-3, sigma=0.1, hankel_sv=[2.0, 1.0]),
            row(teacher="t", teacher_dim=1, hankel_tol=1e-3, sigma=0.5, hankel_sv=[None, None])]
    plots.plot_hankel(rows, Path("unused"))
    got = lines(figures[0].axes[0])
    assert "$\\sigma=0.5$" not in got
    np.testing.assert_allclose(got["$\\sigma=0.1$"].get_ydata(), [1.0, 0.5])


def test_a_figure_with_nothing_positive_to_draw_is_still_written(tmp_path: Path) -> None:
    """Every median missing (no model converged): the log axis has nothing to show; the figure is written, linear,
    with a note, instead of matplotlib's 'Data cannot be log-scaled' ending the report."""
    from tempx.numerics.app.plots import plot_signs

    rows = [{"teacher": "memoryless", "negative_fraction": 0.0, "median": None, "q25": None, "q75": None}]
    paths = plot_signs(rows, tmp_path / "signs")
    assert [p.suffix for p in paths] == [".png", ".pdf"] and all(p.stat().st_size > 1000 for p in paths)


def test_teacher_and_student_names_are_human_and_mathtext() -> None:
    from tempx.numerics.app.figure_style import student_label, teacher_label

    assert teacher_label("memoryless") == "memoryless ($y_t = x_t$)"
    assert teacher_label("atoms:1/2@1,-1/2@1") == "2 atoms ($w^*_i = (\\frac{1}{2})^i + (-\\frac{1}{2})^i$)"
    assert teacher_label("geometric:1/2") == "geometric ($w^*_i = (\\frac{1}{2})^i$)"
    assert teacher_label("delay:3") == "delay ($y_t = x_{t-3}$)"
    assert teacher_label("rnn:tanh:8:0") == "random tanh RNN (8 units, seed 0)"
    assert teacher_label("file:$x.json") == "file:\\$x.json"  # no stray mathtext
    assert student_label("lru") == "LRU" and student_label("complex") == "complex diagonal"


def test_every_figure_is_drawn_in_the_style(figures: list[Any]) -> None:
    """Fonts embedded as TrueType in the PDF, the colour-blind-safe palette, one- or two-column widths."""
    import matplotlib as mpl

    from tempx.numerics.app.figure_style import ONE_COLUMN, PALETTE, TWO_COLUMN

    before = dict(mpl.rcParams)
    plots.plot_curves({"d": 3, "k": 4, "q": [4, 8], "curves": {"a": [1.0, 2.0]}}, Path("unused"))
    fig = figures[0]
    assert tuple(fig.get_size_inches()) in (ONE_COLUMN, TWO_COLUMN)
    assert lines(fig.axes[0])["a"].get_color() == PALETTE[0]
    assert dict(mpl.rcParams) == before  # the style is scoped to the drawing, not left behind


def test_pdf_fonts_are_embedded(tmp_path: Path) -> None:
    doc = {"d": 3, "k": 4, "q": [4, 8], "curves": {"a": [1.0, 2.0]}}
    [_png, pdf] = plots.plot_curves(doc, tmp_path / "c")
    data = pdf.read_bytes()
    assert b"/FontFile2" in data and b"/Type3" not in data  # TrueType fonts embedded, no Type 3 bitmaps

"""The public plotting API (tempx.plot): the report's figures from a user's own results, returned open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure

from tempx.numerics.app.experiments import init_scale_sweep, limit_sweep


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """The API returns figures open (for the caller to show or save): close them, as a caller would."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.fixture(scope="module")
def limits() -> list[dict]:
    return [r for s in (0.1, 0.14, 0.2) for r in limit_sweep(4, 2, s, seeds=2, experiment="E9")]


def test_each_function_returns_an_open_figure_that_saves(tmp_path: Path, limits: list[dict]) -> None:
    import tempx.plot as tp
    from tempx.numerics.frontier import frontier as compute

    rows = init_scale_sweep([4], [2], [0.1, 1.0], seeds=2, steps=200)
    pts = compute([0, 0, 1, 0, 0, 0], [0.5, 4])
    figs = {"sweep": tp.sweep({"rows": rows}, title="mine"), "limit": tp.limit(limits), "exponents": tp.exponents(limits),
            "frontier": tp.frontier(pts, runs=[{"G": 1.0, "error": 0.9, "optimizer": "adam"}], horizon=6)}
    for name, fig in figs.items():
        assert isinstance(fig, Figure) and fig.axes, name
        fig.savefig(tmp_path / f"{name}.png")
        assert (tmp_path / f"{name}.png").stat().st_size > 1000
    assert figs["sweep"].axes[0].get_title().startswith("mine")
    assert figs["limit"].axes[0].get_xscale() == "log"
    labels = [t.get_text() for t in figs["limit"].axes[0].get_legend().get_texts()] if figs["limit"].axes[0].get_legend() \
        else [ln.get_label() for ln in figs["limit"].axes[0].get_lines()]
    assert any("fitted slope" in lbl for lbl in labels)  # the fit is drawn and named (E1L's was hidden)


def test_the_report_draws_with_the_same_functions(limits: list[dict]) -> None:
    from tempx.numerics.app.plots import plot_exponents
    from tempx.numerics.app.report import exponent_fits

    assert isinstance(plot_exponents(exponent_fits(limits)["fits"], None), Figure)


@pytest.mark.parametrize(("call", "error", "text"), [
    (lambda tp: tp.sweep(3), TypeError, "list of result rows"),
    (lambda tp: tp.sweep([]), ValueError, "at least one row"),
    (lambda tp: tp.sweep([{"d": 2}]), ValueError, "lacks k, sigma"),
    (lambda tp: tp.limit([1]), TypeError, "row 0 is a int"),
    (lambda tp: tp.limit([{"d": 1}], fit_sigma_max=-1), ValueError, "fit_sigma_max"),
    (lambda tp: tp.frontier("delay"), TypeError, "list of frontier points"),
    (lambda tp: tp.frontier([object()]), TypeError, "not a FrontierPoint"),
    (lambda tp: tp.frontier([{"budget": 1}]), ValueError, "lacks floor"),
])
def test_bad_input_is_one_clear_error(call, error, text) -> None:  # type: ignore[no-untyped-def]
    import tempx.plot as tp

    with pytest.raises(error, match=text):
        call(tp)

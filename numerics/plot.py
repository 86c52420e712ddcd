"""The report's figures as functions of your own results: each returns a matplotlib ``Figure`` (``tempx.plot``).

The reproduction (``tempx reproduce``) draws its figures with these same functions; here they take rows
you computed yourself, in the forms the experiment functions and the ``--format json`` of the commands
give, and return the figure open, for you to show, restyle or save (``fig.savefig("name.pdf")``).

=================  =====================================================================================
``sweep``          L_q after GD against the initialization scale σ, median and interquartile range per (d, k)
``limit``          L_q at the limit of gradient flow against σ, every model, the median and a fitted power law
``exponents``      the fitted σ-exponent of the limit's L_q against k, with bootstrap intervals (E9)
``frontier``       the certified approximation frontier E(G) of real diagonal students, with trained runs (C17)
=================  =====================================================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["exponents", "frontier", "limit", "sweep"]

SWEEP_KEYS = ("d", "k", "sigma", "q", "status", "train_loss", "extrapolation_loss")
LIMIT_KEYS = ("d", "k", "sigma", "q", "status", "extrapolation_loss")


def _rows(rows: Any, keys: Sequence[str], what: str) -> list[dict[str, Any]]:
    """``rows`` as a list of dicts that hold ``keys``: a clear TypeError or ValueError otherwise."""
    if isinstance(rows, Mapping) and "rows" in rows:
        rows = rows["rows"]
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
        raise TypeError(f"{what} takes a list of result rows (dicts), got {type(rows).__name__}")
    out = list(rows)
    if not out:
        raise ValueError(f"{what} needs at least one row")
    for i, r in enumerate(out):
        if not isinstance(r, Mapping):
            raise TypeError(f"{what}: row {i} is a {type(r).__name__}, not a dict")
        missing = [k for k in keys if k not in r]
        if missing:
            raise ValueError(f"{what}: row {i} lacks {', '.join(missing)} (a row needs {', '.join(keys)})")
    return [dict(r) for r in out]


def sweep(rows: Any, title: str = "") -> Any:
    """L_q after gradient descent against the initialization scale σ.

    Parameters
    ----------
    rows : list of dict
        One row per trained model, as ``tempx.numerics.app.experiments.init_scale_sweep`` returns them or
        ``tempx sweep --format json`` prints them under ``"rows"`` (a document with ``"rows"`` is taken too).
        Each row needs ``d``, ``k``, ``sigma``, ``q``, ``status``, ``train_loss`` and ``extrapolation_loss``.
    title : str, optional
        The figure's title (default: "Extrapolation after GD vs initialization scale").

    Returns
    -------
    matplotlib.figure.Figure
        Median and interquartile range of L_q per (d, k) on log-log axes, the median training loss dashed,
        diverged models as open triangles on the top edge.

    Raises
    ------
    TypeError
        If ``rows`` is not a list of dicts.
    ValueError
        If it is empty or a row lacks a field.

    Examples
    --------
    >>> from tempx.numerics.app.experiments import init_scale_sweep
    >>> from tempx.plot import sweep
    >>> rows = init_scale_sweep([4], [2], [0.1, 1.0], seeds=2, steps=200)
    >>> fig = sweep(rows)
    >>> fig.axes[0].get_xscale()
    'log'
    """
    from tempx.numerics.app.plots import plot_sweep

    return plot_sweep(_rows(rows, SWEEP_KEYS, "sweep"), None, title)


def limit(rows: Any, fit_sigma_max: float = 0.5) -> Any:
    """L_q at the limit of gradient flow against σ, with the power law fitted to the median.

    Parameters
    ----------
    rows : list of dict
        One row per model, as ``tempx.numerics.app.experiments.limit_sweep`` returns them (fields ``d``, ``k``,
        ``sigma``, ``q``, ``status``, ``extrapolation_loss``).
    fit_sigma_max : float, optional
        The largest σ the power law is fitted on (default 0.5; the law is about small σ).

    Returns
    -------
    matplotlib.figure.Figure
        Every converged model (dots), the median per σ (line), models that did not converge (crosses), and
        per (d, k) the least-squares slope of log median L_q against log σ with its 95% bootstrap interval
        (dashed, black).

    Raises
    ------
    TypeError
        If ``rows`` is not a list of dicts.
    ValueError
        If it is empty, a row lacks a field, or ``fit_sigma_max`` is not a positive number.

    Examples
    --------
    >>> from tempx.numerics.app.experiments import limit_sweep
    >>> from tempx.plot import limit
    >>> rows = [r for s in (0.1, 0.2, 0.4) for r in limit_sweep(4, 2, s, seeds=2)]
    >>> fig = limit(rows)
    >>> len(fig.axes)
    1
    """
    from tempx.numerics.app.plots import plot_limit
    from tempx.numerics.app.report import limit_summary

    if isinstance(fit_sigma_max, bool) or not isinstance(fit_sigma_max, (int, float)) or not fit_sigma_max > 0:
        raise ValueError(f"fit_sigma_max must be a number > 0, got {fit_sigma_max!r}")
    got = _rows(rows, LIMIT_KEYS, "limit")
    doc = {"rows": got, **limit_summary(got, {"fit_sigma_max": float(fit_sigma_max)})}
    return plot_limit(doc, None)


def exponents(rows: Any) -> Any:
    """The σ-exponent p of the limit's median L_q ∝ σ^p against the training length k (experiment E9).

    Parameters
    ----------
    rows : list of dict
        Rows of ``limit_sweep`` over several σ for one or more (student, teacher, d, k) cells (fields ``student``,
        ``teacher``, ``d``, ``k``, ``sigma``, ``status``, ``extrapolation_loss``).

    Returns
    -------
    matplotlib.figure.Figure
        Per series the fitted exponent with its 95% bootstrap interval, wide students (d ≥ 32) as open squares,
        and the lines p = 2k and p = 2(k − 2).

    Raises
    ------
    TypeError
        If ``rows`` is not a list of dicts.
    ValueError
        If it is empty or a row lacks a field.

    Examples
    --------
    >>> from tempx.numerics.app.experiments import limit_sweep
    >>> from tempx.plot import exponents
    >>> rows = [r for s in (0.1, 0.14, 0.2) for r in limit_sweep(4, 2, s, seeds=2, experiment="E9")]
    >>> fig = exponents(rows)
    """
    from tempx.numerics.app.plots import plot_exponents
    from tempx.numerics.app.report import exponent_fits

    got = _rows(rows, ("student", "teacher", *LIMIT_KEYS), "exponents")
    return plot_exponents(exponent_fits(got)["fits"], None)


def frontier(points: Any, runs: Any = (), target: str = "target", horizon: int | None = None) -> Any:
    """The certified frontier E(G) of real diagonal students on a horizon t, with trained runs beside it (C17).

    Parameters
    ----------
    points : list of FrontierPoint
        What ``tempx.numerics.frontier.frontier`` returns (one point per budget G), or dicts with ``t``,
        ``budget`` and ``floor``.
    runs : list of dict, optional
        Trained real students to mark at their budget: dicts with ``G`` (their Σ|c_j b_j|), ``error`` (their
        normalized error on i < t) and ``optimizer`` ("gd" or "adam").
    target : str, optional
        The target's name, for the legend.
    horizon : int, optional
        The horizon t, for the legend (dict points may carry it as ``t``).

    Returns
    -------
    matplotlib.figure.Figure
        The proven floor E(G) against G (log x axis), and each run as an open marker.

    Raises
    ------
    TypeError
        If ``points`` is not a list of frontier points or dicts.
    ValueError
        If it is empty or a point lacks a field.

    Examples
    --------
    >>> from tempx.numerics.frontier import frontier as compute
    >>> from tempx.plot import frontier
    >>> delay = [0, 0, 0, 1, 0, 0, 0, 0]  # e_3 on the horizon t = 8
    >>> pts = compute(delay, [0.5, 2, 8])
    >>> fig = frontier(pts, target="delay $e_3$", horizon=8)
    """
    from tempx.numerics.app.realcomplex import _plot

    given = list(points) if isinstance(points, Iterable) and not isinstance(points, (str, bytes, Mapping)) else None
    if given is None:
        raise TypeError(f"frontier takes a list of frontier points, got {type(points).__name__}")
    rows = []
    for i, p in enumerate(given):
        if isinstance(p, Mapping):
            d = dict(p)
        elif hasattr(p, "budget") and hasattr(p, "lower"):
            d = {"t": horizon, "budget": float(p.budget), "floor": float(p.lower)}
        else:
            raise TypeError(f"frontier: point {i} is a {type(p).__name__}, not a FrontierPoint or dict")
        missing = [k for k in ("budget", "floor") if k not in d]
        if missing:
            raise ValueError(f"frontier: point {i} lacks {', '.join(missing)}")
        rows.append({"kind": "frontier", "target": target, **d})
        rows[-1].setdefault("t", horizon)
    if not rows:
        raise ValueError("frontier needs at least one point")
    t = rows[0]["t"]
    for i, r in enumerate(_rows(list(runs), ("G", "error", "optimizer"), "frontier runs") if runs else []):
        rows.append({"kind": "run", "student": "real", "t": t, "target": target, **r})
    return _plot(rows, None)

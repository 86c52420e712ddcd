"""The report's summaries of limits (E1L, E7, E9), of non-linear students (E8) and of Hankel ranks (E6),
and its LaTeX helpers, on hand-made rows whose answers are known: what is counted, what is left out of
a median or a fit, and that an exact power law gives its exponent."""

from __future__ import annotations

from typing import Any

import pytest

from tempx.numerics.app import report


def lim(sigma: float, loss: float | None, status: str = "converged", **kw: Any) -> dict[str, Any]:
    return {"d": 4, "k": 2, "sigma": sigma, "status": status, "extrapolation_loss": loss, "t": 10.0, **kw}


POWER = 4.0  # L = 3 σ⁴ exactly, three models per σ (the same value: the median and every bootstrap agree)


def power_rows(**kw: Any) -> list[dict[str, Any]]:
    return [lim(s, 3 * s**POWER, **kw) for s in (0.1, 0.2, 0.4) for _ in range(3)]


def test_limit_summary_counts_every_model_and_fits_the_small_sigmas() -> None:
    rows = power_rows()
    rows += [lim(0.4, None, "max_steps"), lim(0.8, 1.0), lim(0.8, 2.0, "max_steps")]  # σ = 0.8 is above fit_sigma_max
    rows.append(lim(0.2, 5.0, "diverged", certified=True))
    doc = report.limit_summary(rows, {"fit_sigma_max": 0.5})
    at = {s["sigma"]: s for s in doc["summary"]}
    assert (at[0.4]["n"], at[0.4]["converged"]) == (4, 3) and at[0.4]["median"] == pytest.approx(3 * 0.4**4)
    assert (at[0.2]["n"], at[0.2]["converged"]) == (4, 3)  # the diverged model is counted, not in the median
    assert at[0.8]["median"] == 1.0 and at[0.8]["q25"] == at[0.8]["q75"] == 1.0
    [fit] = doc["fits"]
    assert fit["sigmas"] == [0.1, 0.2, 0.4] and fit["exponent"] == pytest.approx(POWER, abs=1e-9)
    assert fit["ci_low"] == pytest.approx(POWER, abs=1e-9) and fit["ci_high"] == pytest.approx(POWER, abs=1e-9)
    assert [r["sigma"] for r in doc["certified"]] == [0.2]


def test_a_sigma_where_fewer_than_half_converged_is_not_fitted() -> None:
    rows = power_rows() + [lim(0.05, 3 * 0.05**POWER)] + [lim(0.05, None, "max_steps")] * 2
    doc = report.limit_summary(rows, {"fit_sigma_max": 1.0})
    assert doc["fits"][0]["sigmas"] == [0.1, 0.2, 0.4]  # 1 of 3 converged at σ = 0.05
    half = power_rows() + [lim(0.05, 3 * 0.05**POWER), lim(0.05, None, "max_steps")]
    assert report.limit_summary(half, {"fit_sigma_max": 1.0})["fits"][0]["sigmas"] == [0.05, 0.1, 0.2, 0.4]


def test_limit_groups_count_budgets_and_exact_values() -> None:
    rows = [lim(0.1, 1e-3, student="dense", L_inf_exact="1/3"), lim(0.1, 3e-3, student="dense", L_inf_exact="inf"),
            lim(0.1, None, "budget", student="dense"), lim(0.1, 9.0, "max_steps", student="dense", L_inf_exact=None),
            lim(0.1, 2e-3, student="lru", L_inf_exact="2")]
    dense, lru = report.limit_groups(rows, ("student",))
    assert dense == {"student": "dense", "n": 4, "converged": 2, "budget": 1, "linf_finite": 1, "linf_decided": 2,
                     "median": pytest.approx(2e-3), "q25": pytest.approx(1.5e-3), "q75": pytest.approx(2.5e-3)}
    assert (lru["n"], lru["converged"], lru["linf_finite"], lru["linf_decided"]) == (1, 1, 1, 1)


def test_exponent_fits_per_student_and_teacher() -> None:
    rows = power_rows(student="dense", teacher="id") + [lim(s, 7 * s**2, student="lru", teacher="id")
                                                        for s in (0.1, 0.2, 0.4)]
    rows.append(lim(0.4, None, "max_steps", student="lru", teacher="id"))
    fits = {f["student"]: f for f in report.exponent_fits(rows)["fits"]}
    assert fits["dense"]["exponent"] == pytest.approx(POWER, abs=1e-9) and (fits["dense"]["n"], fits["dense"]["converged"]) == (9, 9)
    assert fits["lru"]["exponent"] == pytest.approx(2.0, abs=1e-9) and (fits["lru"]["n"], fits["lru"]["converged"]) == (4, 3)
    few = report.exponent_fits([lim(s, s, student="dense", teacher="id") for s in (0.1, 0.2)])["fits"][0]
    assert few["exponent"] is None and few["sigmas"] == [0.1, 0.2]  # two σ: no fit, and it says which σ it had


def test_nonlinear_summary_medians_of_errors_dimensions_and_train_losses() -> None:
    def nl(student: str, loss: float, se: float | None, a_rank: int | None, h_rank: int, train: float,
           status: str = "max_steps") -> dict[str, Any]:
        return {"teacher": "t", "student": student, "sigma": 0.1, "status": status, "extrapolation_loss": loss,
                "extrapolation_se": se, "A_rank": a_rank, "hankel_rank": h_rank, "train_loss": train}

    rows = [nl("tanh", 1.0, 0.1, 3, 9, 0.5), nl("tanh", 2.0, 0.3, 5, 9, 0.7), nl("tanh", 4.0, 0.2, 4, 9, 0.6),
            nl("tanh", 99.0, 9.0, 9, 9, 9.0, status="diverged"),
            nl("dense", 1e-3, None, None, 2, 1e-4), nl("dense", 3e-3, None, None, 4, 3e-4)]
    out = {s["student"]: s for s in report.nonlinear_summary(rows)}
    assert out["tanh"]["median"] == 2.0 and out["tanh"]["median_se"] == pytest.approx(0.2)
    assert out["tanh"]["median_dim"] == 4.0 and out["tanh"]["train"] == pytest.approx(0.6)  # the diverged one left out
    assert out["dense"]["median_se"] is None and out["dense"]["median_dim"] == 3.0  # the Hankel rank of a linear one


def test_hankel_table_counts_the_models_at_d_star() -> None:
    rows = [{"teacher": "t", "sigma": 0.1, "hankel_rank": r, "teacher_dim": 2, "hankel_tol": 1e-3, "k": 5}
            for r in (2, 2, 3, -1)]
    [row] = report._hankel_table(rows)
    assert (row["n"], row["at_d_star"], row["median_rank"]) == (3, 2, 2.0)  # rank −1 (no rank) is left out
    [one] = report._hankel_table(rows[:1])  # a cell of one model
    assert (one["n"], one["at_d_star"], one["median_rank"]) == (1, 1, 2.0)


def test_latex_numbers_tables_and_escapes() -> None:
    assert report._tex_number(1.234e-5) == "$1.23\\times 10^{-5}$" and report._tex_number(None) == "--"
    assert report._tex_number(6.0e12) == "$6.00\\times 10^{12}$"
    assert report._tex_escape("a_b & 5% #1") == "a\\_b \\& 5\\% \\#1"
    assert report._tex_escape("L ≥ 0, {a}\\b, σ²") == "L $\\geq$ 0, \\{a\\}\\textbackslash{}b, $\\sigma$$^2$"
    tex = report._tex_table(["x", "y"], [["a", "2"], ["b", "4"]], "cap", "tab:x")
    assert "\\begin{tabular}{lr}" in tex and "x & y \\\\" in tex and "b & 4 \\\\" in tex
    assert tex.index("\\toprule") < tex.index("x & y") < tex.index("\\midrule") < tex.index("a & 2") < tex.index("\\bottomrule")
    assert "\\caption{cap}" in tex and "\\label{tab:x}" in tex
    # numbers align on the decimal point: a dcolumn D column in math mode, placeholders centred, headers centred
    tex = report._tex_table(["s", "L"], [["0.05", "$1.23\\times 10^{-5}$"], ["1", "--"]], "cap", "tab:y",
                            {"scale": "quick", "seed": 3, "config": {"E1": {"steps": 20000, "lr": 0.02, "cells": [[1, 2]]}}},
                            "E1")
    assert "\\begin{tabular}{D{.}{.}{-1}D{.}{.}{-1}}" in tex
    assert "0.05 & 1.23\\times 10^{-5} \\\\" in tex and "1 & \\multicolumn{1}{c}{--} \\\\" in tex
    assert "\\multicolumn{1}{c}{s} & \\multicolumn{1}{c}{L}" in tex
    assert "base seed 3; \\texttt{lr} 0.02, \\texttt{steps} 20000" in tex and "\\texttt{quick}" in tex
    assert report._column(["3/4", "1/4"]) == "r" and report._column(["dense", "2"]) == "l"
    assert report._tex_bound(1 / 3, True) == "$3.33\\times 10^{-1}$" and report._tex_bound(1 / 3, False) == "$3.34\\times 10^{-1}$"
    assert report._tex_bound("1.3333333333333334e+312", False) == "$1.34\\times 10^{312}$"


def test_formatting_of_missing_numbers() -> None:
    assert report._fmt(None) == report._dim(None) == "—"
    assert report._fmt(1.5e-3) == "1.50e-03" and report._dim(3.0) == "3" and report._dim(2.5) == "2.5"


def test_e7_splits_free_and_sign_constrained_limits_and_reports_both() -> None:
    """E7's rows from the Gaussian/ring inits are summarized per student and teacher; the rows of the c = ±b
    (symmetric) init per fraction of negative modes; each appears in the key numbers, and a report without E7
    has none of them."""
    from collections import namedtuple

    Unit = namedtuple("Unit", "kind")
    free = [lim(0.1, v, student="dense", teacher="id", init="gaussian", L_inf_exact="1/3") for v in (1e-3, 3e-3)]
    signs = [lim(0.1, v, student="diagonal", teacher="id", init="symmetric", negative_fraction=0.5) for v in (5.0, 7.0)]
    doc = report.assemble([Unit("E7")], {Unit("E7"): free + signs}, "x", "tiny", 0, {})
    [summary] = doc["E7"]["summary"]
    assert (summary["student"], summary["n"], summary["median"]) == ("dense", 2, pytest.approx(2e-3))
    [sign] = doc["E7"]["signs"]
    assert (sign["negative_fraction"], sign["n"], sign["median"]) == (0.5, 2, pytest.approx(6.0))
    names = [k["name"] for k in doc["key_numbers"]]
    assert "E7: median L_q at the limit, dense student, id, σ=0.1" in names
    assert any(n.startswith("E7: median L_q at the limit, real diagonal from c = ±b with 0.5") for n in names)
    without = report.assemble([], {}, "x", "tiny", 0, {})
    assert "E7" not in without and not any(k["name"].startswith("E7") for k in without["key_numbers"])


def test_e9_key_numbers_say_when_there_is_no_fit() -> None:
    doc = {"claims": [], "seed": 0, "E9": {"fits": [
        {"student": "dense", "teacher": "id", "d": 4, "k": 2, "exponent": None, "ci_low": None, "ci_high": None,
         "converged": 1, "n": 6},
        {"student": "lru", "teacher": "id", "d": 4, "k": 3, "exponent": 5.9, "ci_low": 5.5, "ci_high": 6.3,
         "converged": 6, "n": 6}]}}
    values = {k["name"].split(", ")[1]: k["value"] for k in report._key_numbers(doc) if k["name"].startswith("E9")}
    assert values == {"dense student": "no fit (fewer than 3 σ with half the models converged)",
                      "lru student": "5.90 (95% bootstrap CI 5.50 … 6.30); 2k = 6"}

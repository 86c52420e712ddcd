"""Write a reproduction's outputs: results.json, CSV tables, figures, LaTeX tables, REPORT.md.

Every number in REPORT.md is read from the same dictionary that becomes results.json, where it
sits next to its parameters and seeds.  Each file is written atomically.
"""

from __future__ import annotations

import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from tempx.numerics.app.experiments import ROW_COLUMNS, summarize
from tempx.numerics.app.io import ensure_dir, rows_to_csv, write_text_atomic
from tempx.numerics.app.latex import DECIMAL as _DECIMAL  # noqa: F401 - the report's historical names
from tempx.numerics.app.latex import column as _column  # noqa: F401
from tempx.numerics.app.latex import preset_caption as _preset  # noqa: F401
from tempx.numerics.app.latex import tex_bound as _tex_bound
from tempx.numerics.app.latex import tex_escape as _tex_escape
from tempx.numerics.app.latex import tex_number as _tex_number
from tempx.numerics.app.latex import tex_table as _tex_table

__all__ = ["assemble", "package_versions", "write_experiment", "write_one_experiment", "write_outputs"]

PACKAGES = ("numpy", "scipy", "sympy", "python-flint", "mpmath", "matplotlib")
def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2e}"


def _dim(x: float | None) -> str:
    return "—" if x is None else f"{x:g}"


def assemble(units: list[Any], results: dict[Any, Any], code: str, scale: str, seed: int, config: dict[str, Any]) -> dict[str, Any]:
    """The whole content of results.json (deterministic: no timings, no dates)."""
    doc: dict[str, Any] = {"tempx": code, "packages": package_versions(), "scale": scale, "seed": seed, "config": config,
                           "claims": [], "key_numbers": []}
    for u in units:
        r = results[u]
        if u.kind.startswith("C"):
            doc["claims"].append(r)
        elif u.kind == "E3":
            doc["E3"] = r
        else:
            doc.setdefault(u.kind, {"rows": []})["rows"].extend(r)
    for name, by in (("E1", ("d", "k", "sigma")), ("E4", ("d", "k", "sigma")), ("E2", ("d", "k")),
                     ("E5", ("teacher", "k", "sigma")), ("E6", ("teacher", "k", "sigma"))):
        if name in doc:
            doc[name]["summary"] = summarize(doc[name]["rows"], by)
    if "E7" in doc:
        rows = doc["E7"]["rows"]
        doc["E7"]["summary"] = limit_groups([r for r in rows if r["init"] != "symmetric"], ("teacher", "student", "sigma"))
        doc["E7"]["signs"] = limit_groups([r for r in rows if r["init"] == "symmetric"],
                                          ("teacher", "negative_fraction", "sigma"))
    if "E8" in doc:
        doc["E8"]["summary"] = nonlinear_summary(doc["E8"]["rows"])
    if "E9" in doc:
        doc["E9"].update(exponent_fits(doc["E9"]["rows"]))
    if "E1L" in doc:
        doc["E1L"].update(limit_summary(doc["E1L"]["rows"], config["E1L"]))
    if "E10" in doc:
        from tempx.numerics.app.report_poisoning import e10_summary

        doc["E10"]["summary"] = e10_summary(doc["E10"]["rows"])
    if "E11" in doc:
        from tempx.numerics.app.realcomplex import e11_summary

        doc["E11"]["summary"] = e11_summary(doc["E11"]["rows"])
    doc["key_numbers"] = _key_numbers(doc)
    return doc


def limit_summary(rows: list[dict[str, Any]], cfg: dict[str, Any]) -> dict[str, Any]:
    """E1L: per (d, k, σ) the limit's L_q over converged models (unconverged counted); per (d, k) the
    fitted exponent of median L_q against σ (σ ≤ fit_sigma_max) with a 95% bootstrap interval."""
    import numpy as np

    from tempx.numerics.powerlaw import fit_exponent

    summary, fits = [], []
    cells = sorted({(r["d"], r["k"]) for r in rows})
    for d, k in cells:
        by_sigma: dict[float, list[float]] = {}
        for sigma in sorted({r["sigma"] for r in rows if (r["d"], r["k"]) == (d, k)}):
            g = [r for r in rows if (r["d"], r["k"], r["sigma"]) == (d, k, sigma)]
            conv = [r["extrapolation_loss"] for r in g if r["status"] == "converged" and r["extrapolation_loss"] is not None]
            summary.append({"d": d, "k": k, "sigma": sigma, "n": len(g), "converged": len(conv),
                            "median": float(np.median(conv)) if conv else None,
                            "q25": float(np.quantile(conv, 0.25)) if conv else None,
                            "q75": float(np.quantile(conv, 0.75)) if conv else None,
                            "median_t": float(np.median([r["t"] for r in g]))})
            if sigma <= cfg["fit_sigma_max"] and 2 * len(conv) >= len(g):
                by_sigma[sigma] = conv
        fit = fit_exponent(by_sigma)
        fits.append({"d": d, "k": k, **(fit or {"exponent": None})})
    certified = [r for r in rows if r.get("certified") is not None]
    return {"summary": summary, "fits": fits, "certified": certified}


def limit_groups(rows: list[dict[str, Any]], by: tuple[str, ...]) -> list[dict[str, Any]]:
    """Per group of limits: n, converged, median and quartiles of L_q over the converged models (the others
    counted, never dropped), and how many converged limits have L_∞ decided finite (C14)."""
    import numpy as np

    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r[b] for b in by), []).append(r)
    out = []
    for key, g in groups.items():
        conv = [r["extrapolation_loss"] for r in g if r["status"] == "converged" and r["extrapolation_loss"] is not None]
        out.append({**dict(zip(by, key)), "n": len(g), "converged": len(conv),
                    "budget": sum(r["status"] == "budget" for r in g),
                    "linf_finite": sum(r.get("L_inf_exact") not in (None, "inf") for r in g),
                    "linf_decided": sum(r.get("L_inf_exact") is not None for r in g),
                    "median": float(np.median(conv)) if conv else None,
                    "q25": float(np.quantile(conv, 0.25)) if conv else None,
                    "q75": float(np.quantile(conv, 0.75)) if conv else None})
    return out


def nonlinear_summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """E8: per (teacher, student, σ): median and quartiles of L_q over the non-diverged models, the median
    Monte Carlo standard error (non-linear students) and the median learned state dimension (the rank of A
    for non-linear students, the Hankel rank for linear ones)."""
    import numpy as np

    out = []
    for s in summarize(rows, ("teacher", "student", "sigma")):
        g = [r for r in rows if (r["teacher"], r["student"], r["sigma"]) == (s["teacher"], s["student"], s["sigma"])
             and r["status"] != "diverged"]
        ses = [r["extrapolation_se"] for r in g if r.get("extrapolation_se") is not None]
        dims = [r["A_rank"] if r.get("A_rank") is not None else r["hankel_rank"] for r in g]
        out.append({**s, "median_se": float(np.median(ses)) if ses else None,
                    "median_dim": float(np.median(dims)) if dims else None,
                    "train": float(np.median([r["train_loss"] for r in g if r["train_loss"] is not None])) if g else None})
    return out


def exponent_fits(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """E9: per (student, teacher, d, k) the exponent p of median L_q(limit) ∝ σ^p over the σ where at least
    half the models converged, with a 95% bootstrap interval (``tempx.numerics.powerlaw``)."""
    from tempx.numerics.powerlaw import fit_exponent

    summary = limit_groups(rows, ("student", "teacher", "d", "k", "sigma"))
    fits = []
    for student, teacher, d, k in sorted({(r["student"], r["teacher"], r["d"], r["k"]) for r in rows}):
        by_sigma = {}
        for s in summary:
            if (s["student"], s["teacher"], s["d"], s["k"]) == (student, teacher, d, k) and 2 * s["converged"] >= s["n"]:
                by_sigma[s["sigma"]] = [r["extrapolation_loss"] for r in rows
                                        if (r["student"], r["teacher"], r["d"], r["k"], r["sigma"]) == (student, teacher, d, k, s["sigma"])
                                        and r["status"] == "converged" and r["extrapolation_loss"] is not None]
        fit = fit_exponent(by_sigma)
        n = sum(s["n"] for s in summary if (s["student"], s["teacher"], s["d"], s["k"]) == (student, teacher, d, k))
        conv = sum(s["converged"] for s in summary if (s["student"], s["teacher"], s["d"], s["k"]) == (student, teacher, d, k))
        fits.append({"student": student, "teacher": teacher, "d": d, "k": k, "n": n, "converged": conv,
                     **(fit or {"exponent": None, "ci_low": None, "ci_high": None, "sigmas": sorted(by_sigma)})})
    return {"summary": summary, "fits": fits}


def _key_numbers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = []
    passed = sum(c["passed"] for c in doc["claims"])
    keys.append({"name": "exact claims passed", "value": f"{passed} of {len(doc['claims'])}",
                 "params": {"seed": doc["seed"], "checks": sum(c["n_checks"] for c in doc["claims"])}})
    for f in doc.get("E1L", {}).get("fits", []):
        if f["exponent"] is not None:
            keys.append({"name": f"E1L: exponent p of median L_{10 * f['k']} at the limit ∝ σ^p, d={f['d']}, k={f['k']}",
                         "value": f"{f['exponent']:.2f} (95% bootstrap CI {f['ci_low']:.2f} … {f['ci_high']:.2f})",
                         "params": {"experiment": "E1L", "d": f["d"], "k": f["k"], "sigmas": f["sigmas"]}})
    if doc.get("E1L", {}).get("certified"):
        cert = doc["E1L"]["certified"]
        exact = [r for r in cert if r.get("L_inf_exact") is not None]
        finite = [r for r in exact if r["L_inf_exact"] != "inf"]
        digits = max((r["L_inf_digits"] for r in finite), default=None)
        keys.append({"name": "E1L: limits at small σ whose L_∞ is decided exactly (C14)",
                     "value": f"{len(exact)} of {len(cert)} decided, {len(finite)} finite" +
                              (f" (exact rationals of up to {digits} digits)" if digits else ""),
                     "params": {"experiment": "E1L"}})
    for name in ("E1", "E4"):
        if name not in doc:
            continue
        cells: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for s in doc[name]["summary"]:
            cells.setdefault((s["d"], s["k"]), []).append(s)
        for (d, k), ss in sorted(cells.items()):
            ss = sorted((s for s in ss if s["median"] is not None), key=lambda s: s["sigma"])
            if len(ss) < 2:
                continue
            lo, hi = ss[0], ss[-1]
            keys.append({"name": f"{name}: median L_{4 * k} after GD, d={d}, k={k}, smallest vs largest σ",
                         "value": f"{_fmt(lo['median'])} at σ={lo['sigma']:g}; {_fmt(hi['median'])} at σ={hi['sigma']:g}",
                         "params": {"experiment": name, "d": d, "k": k, "sigmas": [lo["sigma"], hi["sigma"]]}})
    if "E2" in doc:
        for s in sorted(doc["E2"]["summary"], key=lambda s: s["k"]):
            keys.append({"name": f"E2: median L_{4 * s['k']} after GD from M, d={s['d']}, k={s['k']}",
                         "value": _fmt(s["median"]), "params": {"experiment": "E2", "d": s["d"], "k": s["k"]}})
    if "E5" in doc:
        keys += _e5_key_numbers(doc["E5"]["summary"])
    if "E6" in doc:
        for t in _hankel_table(doc["E6"]["rows"]):
            keys.append({"name": f"E6: models whose learned Hankel rank is d* = {t['teacher_dim']}, {t['teacher']}, "
                                 f"σ={t['sigma']:g}", "value": f"{t['at_d_star']}/{t['n']} (median rank {t['median_rank']:g})",
                         "params": {"experiment": "E6", "teacher": t["teacher"], "sigma": t["sigma"],
                                    "rel_tol": t["hankel_tol"]}})
    if "E7" in doc:
        small = min(s["sigma"] for s in doc["E7"]["summary"])
        for s in sorted(doc["E7"]["summary"], key=lambda s: (s["teacher"], s["student"])):
            if s["sigma"] == small:
                keys.append({"name": f"E7: median L_q at the limit, {s['student']} student, {s['teacher']}, σ={small:g}",
                             "value": f"{_fmt(s['median'])} ({s['converged']}/{s['n']} converged, L_inf finite for "
                                      f"{s['linf_finite']})",
                             "params": {"experiment": "E7", "teacher": s["teacher"], "student": s["student"],
                                        "sigma": small}})
        for s in sorted(doc["E7"]["signs"], key=lambda s: (s["teacher"], s["negative_fraction"])):
            keys.append({"name": f"E7: median L_q at the limit, real diagonal from c = ±b with {s['negative_fraction']:g} "
                                 f"of the modes negative, {s['teacher']}", "value": _fmt(s["median"]),
                         "params": {"experiment": "E7", "teacher": s["teacher"], "negative_fraction": s["negative_fraction"],
                                    "sigma": s["sigma"]}})
    for f in doc.get("E9", {}).get("fits", []):
        value = ("no fit (fewer than 3 σ with half the models converged)" if f["exponent"] is None else
                 f"{f['exponent']:.2f} (95% bootstrap CI {f['ci_low']:.2f} … {f['ci_high']:.2f}); 2k = {2 * f['k']}")
        keys.append({"name": f"E9: exponent p of median L_{10 * f['k']} ∝ σ^p at the limit, {f['student']} student, "
                             f"{f['teacher']}, d={f['d']}, k={f['k']}", "value": value,
                     "params": {"experiment": "E9", "student": f["student"], "teacher": f["teacher"], "d": f["d"],
                                "k": f["k"], "converged": f"{f['converged']}/{f['n']}"}})
    if "E3" in doc:
        e = doc["E3"]
        for name, values in e["curves"].items():
            keys.append({"name": f"E3: L_{e['q'][-1]} of {name} (d={e['d']}, k={e['k']})", "value": _fmt(values[-1]),
                         "params": {"experiment": "E3", "d": e["d"], "k": e["k"], "q": e["q"][-1], "seed": e["seed"]}})
    from tempx.numerics.app.realcomplex import e11_key_numbers
    from tempx.numerics.app.report_poisoning import e10_key_numbers

    keys += e11_key_numbers(doc)
    keys += e10_key_numbers(doc)
    return keys


def _e5_key_numbers(summary: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per teacher, at the smallest σ: median L_q at k = 2d* and k = 2d* + 1 (C5/C11's threshold)."""
    keys = []
    small = min(s["sigma"] for s in summary)
    for teacher in sorted({s["teacher"] for s in summary}):
        at = {s["k"]: s for s in summary if s["teacher"] == teacher and s["sigma"] == small}
        n = _teacher_dim(teacher)
        shown = [f"k={k}: {_fmt(at[k]['median'])}" for k in (2 * n, 2 * n + 1) if k in at]
        if shown:
            keys.append({"name": f"E5: median L_q after GD at σ={small:g}, {teacher} (d*={n}), k = 2d* vs 2d*+1",
                         "value": "; ".join(shown), "params": {"experiment": "E5", "teacher": teacher, "sigma": small}})
    return keys


def _teacher_dim(spec: str) -> int:
    from tempx.numerics.nonlinear_teachers import teacher_and_dim

    return teacher_and_dim(spec)[1]


def _hankel_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (teacher, σ): how many models learned exactly d* states (numerical Hankel rank)."""
    import numpy as np

    out = []
    for key in sorted({(r["teacher"], r["sigma"]) for r in rows}):
        g = [r for r in rows if (r["teacher"], r["sigma"]) == key and r["hankel_rank"] >= 0]
        if not g:
            continue
        ranks = [r["hankel_rank"] for r in g]
        out.append({"teacher": key[0], "sigma": key[1], "teacher_dim": g[0]["teacher_dim"], "n": len(g),
                    "at_d_star": sum(x == g[0]["teacher_dim"] for x in ranks), "median_rank": float(np.median(ranks)),
                    "hankel_tol": g[0]["hankel_tol"], "k": g[0]["k"]})
    return out


def write_experiment(doc: dict[str, Any], name: str, out: Path, figs_dir: Path, tables_dir: Path) -> list[Path]:
    """One experiment's tidy CSV, LaTeX summary table (E1, E2, E4) and figures (PNG and PDF)."""
    from tempx.numerics.app.plots import plot_curves, plot_q0, plot_sweep, plot_symmetric

    written: list[Path] = []
    if name == "E1L":
        from tempx.numerics.app.experiments import LIMIT_COLUMNS
        from tempx.numerics.app.plots import plot_limit

        write_text_atomic(out / "E1L.csv", rows_to_csv(doc[name]["rows"], LIMIT_COLUMNS))
        rows = [[str(s["d"]), str(s["k"]), f"{s['sigma']:g}", _tex_number(s["median"]), _tex_number(s["q25"]),
                 _tex_number(s["q75"]), f"{s['converged']}/{s['n']}"] for s in doc[name]["summary"]]
        header = ["$d$", "$k$", "$\\sigma$", "median $L_{10k}$", "25\\%", "75\\%", "converged"]
        write_text_atomic(tables_dir / "E1L.tex", _tex_table(header, rows, "E1L: extrapolation loss at the limit of "
                                                             "gradient flow against the initialization scale.", "tab:tempx-E1L", doc, name))
        crow = [[str(r["d"]), str(r["k"]), f"{r['sigma']:g}", str(r["seed"]), _tex_bound(r["L_inf_lower"], True),
                 _tex_bound(r["L_inf_upper"], False), "--" if r.get("L_inf_digits") is None else str(r["L_inf_digits"])]
                for r in doc[name]["certified"]]
        write_text_atomic(tables_dir / "E1L_certified.tex", _tex_table(
            ["$d$", "$k$", "$\\sigma$", "seed", "$L_\\infty \\ge$", "$L_\\infty \\le$", "digits"], crow,
            "$L_\\infty$ of limits of gradient flow decided exactly (claim C14): an interval around the exact rational, "
            "rounded outward at the third digit, and the digits of that rational (in results.json).", "tab:tempx-E1L-certified", doc,
            name))
        return [out / "E1L.csv", *plot_limit(doc[name], figs_dir / "E1L_limit_vs_sigma"), tables_dir / "E1L.tex",
                tables_dir / "E1L_certified.tex"]
    if name == "E8":
        from tempx.numerics.app.plots import plot_nonlinear

        write_text_atomic(out / "E8.csv", rows_to_csv(doc[name]["rows"], ROW_COLUMNS))
        rows = [[_tex_escape(s["teacher"]), s["student"], f"{s['sigma']:g}", _tex_number(s["median"]), _tex_number(s["q25"]),
                 _tex_number(s["q75"]), _tex_number(s["median_se"]), "--" if s["median_dim"] is None else f"{s['median_dim']:g}",
                 f"{s['diverged']}/{s['n']}"] for s in doc[name]["summary"]]
        header = ["teacher", "student", "$\\sigma$", "median $L_q$", "25\\%", "75\\%", "MC s.e.", "state dim.", "diverged"]
        write_text_atomic(tables_dir / "E8.tex", _tex_table(header, rows, "E8: extrapolation loss after GD on finite data for "
                                                            "linear, tanh and ReLU students (Monte Carlo for the non-linear ones).",
                                                            "tab:tempx-E8", doc, name))
        e8 = doc.get("config", {}).get("E8", {})
        setting = ", ".join(f"${k} = {e8[k]}$" for k in ("d", "k") if k in e8)
        if "n_data" in e8:
            setting += f", {e8['n_data']} training sequences"
        return [out / "E8.csv", *plot_nonlinear(doc[name]["summary"], figs_dir / "E8_nonlinear_vs_sigma", setting),
                tables_dir / "E8.tex"]
    if name in ("E7", "E9"):
        from tempx.numerics.app.experiments import LIMIT_COLUMNS

        write_text_atomic(out / f"{name}.csv", rows_to_csv(doc[name]["rows"], LIMIT_COLUMNS))
        written = [out / f"{name}.csv"]
        if name == "E7":
            from tempx.numerics.app.plots import plot_signs, plot_students

            rows = [[_tex_escape(s["teacher"]), s["student"], f"{s['sigma']:g}", _tex_number(s["median"]),
                     _tex_number(s["q25"]), _tex_number(s["q75"]), f"{s['converged']}/{s['n']}",
                     f"{s['linf_finite']}/{s['linf_decided']}"] for s in doc[name]["summary"]]
            header = ["teacher", "student", "$\\sigma$", "median $L_q$", "25\\%", "75\\%", "converged",
                      "$L_\\infty < \\infty$"]
            caption = ("E7: extrapolation loss at the limit of gradient flow for dense, real-diagonal, complex-diagonal "
                       "and LRU students; $L_\\infty$ decided exactly (C14) for the converged limits.")
            q7 = doc[name]["rows"][0]["q"] if doc[name]["rows"] else None
            written += plot_students(doc[name]["summary"], figs_dir / "E7_students", q7)
            written += plot_signs(doc[name]["signs"], figs_dir / "E7_sign_pattern")
        else:
            from tempx.numerics.app.plots import plot_exponents

            rows = [[f["student"], _tex_escape(f["teacher"]), str(f["d"]), str(f["k"]),
                     "--" if f["exponent"] is None else f"{f['exponent']:.2f}",
                     "--" if f["exponent"] is None else f"[{f['ci_low']:.2f}, {f['ci_high']:.2f}]",
                     str(2 * f["k"]), f"{f['converged']}/{f['n']}"] for f in doc[name]["fits"]]
            header = ["student", "teacher", "$d$", "$k$", "$p$", "95\\% CI", "$2k$", "converged"]
            caption = ("E9: exponent $p$ of the median $L_{10k}$ at the limit of gradient flow, "
                       "$L \\propto \\sigma^p$, with a bootstrap interval over seeds.")
            written += plot_exponents(doc[name]["fits"], figs_dir / "E9_exponent_vs_k")
        write_text_atomic(tables_dir / f"{name}.tex", _tex_table(header, rows, caption, f"tab:tempx-{name}", doc, name))
        return [*written, tables_dir / f"{name}.tex"]
    if name == "E3":
        e = doc["E3"]
        lines = ["q," + ",".join(e["curves"])] + [
            f"{q}," + ",".join("" if v[i] is None else repr(v[i]) for v in e["curves"].values()) for i, q in enumerate(e["q"])]
        write_text_atomic(out / "E3.csv", "\n".join(lines) + "\n")
        return [out / "E3.csv", *plot_curves(e, figs_dir / "E3_extrapolation_vs_length")]
    write_text_atomic(out / f"{name}.csv", rows_to_csv(doc[name]["rows"], ROW_COLUMNS))
    written.append(out / f"{name}.csv")
    summary = doc[name]["summary"]
    if name == "E5":
        from tempx.numerics.app.plots import plot_teachers

        rows = [[_tex_escape(s["teacher"]), str(s["k"]), f"{s['sigma']:g}", _tex_number(s["median"]),
                 f"{s['diverged']}/{s['n']}"] for s in summary]
        header = ["teacher", "$k$", "$\\sigma$", "median $L_q$", "diverged"]
        caption = "E5: extrapolation loss after GD against the training length, per teacher."
        written += plot_teachers(doc[name]["rows"], figs_dir / "E5_extrapolation_vs_k")
    elif name == "E6":
        from tempx.numerics.app.plots import plot_hankel

        rows = [[_tex_escape(t["teacher"]), f"{t['sigma']:g}", str(t["teacher_dim"]), f"{t['median_rank']:g}",
                 f"{t['at_d_star']}/{t['n']}"] for t in _hankel_table(doc[name]["rows"])]
        header = ["teacher", "$\\sigma$", "$d^*$", "median rank", "rank $= d^*$"]
        caption = "E6: numerical rank of the learned Hankel matrix (relative tolerance 1e-3)."
        written += plot_hankel(doc[name]["rows"], figs_dir / "E6_hankel_spectrum")
    elif name == "E2":
        rows = [[str(s["d"]), str(s["k"]), _tex_number(s["median"]), _tex_number(s["q25"]), _tex_number(s["q75"]),
                 f"{s['diverged']}/{s['n']}"] for s in summary]
        header = ["$d$", "$k$", "median $L_{4k}$", "25\\%", "75\\%", "diverged"]
        caption = "E2: extrapolation loss after GD from symmetric-balanced initializations."
        written += plot_symmetric(doc[name]["rows"], figs_dir / "E2_symmetric")
    else:
        rows = [[str(s["d"]), str(s["k"]), f"{s['sigma']:g}", _tex_number(s["median"]), _tex_number(s["q25"]),
                 _tex_number(s["q75"]), f"{s['diverged']}/{s['n']}"] for s in summary]
        header = ["$d$", "$k$", "$\\sigma$", "median $L_{4k}$", "25\\%", "75\\%", "diverged"]
        caption = f"{name}: extrapolation loss after GD against the initialization scale."
        title = f"Finite data ($n = {doc[name]['rows'][0]['n_data']}$ sequences): extrapolation vs $\\sigma$" \
            if name == "E4" else ""
        written += plot_sweep(doc[name]["rows"], figs_dir / f"{name}_extrapolation_vs_sigma", title)
        written += plot_q0(doc[name]["rows"], figs_dir / f"{name}_extrapolation_vs_Q0")
    write_text_atomic(tables_dir / f"{name}.tex", _tex_table(header, rows, caption, f"tab:tempx-{name}", doc, name))
    return [*written, tables_dir / f"{name}.tex"]


EXPERIMENTS = ("E1", "E1L", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11")


def write_one_experiment(task: tuple[dict[str, Any], str, Path, Path, Path]) -> list[Path]:
    """(doc, name, out, figures folder, tables folder) → the experiment's files (E10 included)."""
    doc, name, out, figs_dir, tables_dir = task
    if name == "E10":
        from tempx.numerics.app.report_poisoning import write_e10

        return write_e10(doc, out, figs_dir, tables_dir)
    if name == "E11":
        from tempx.numerics.app.realcomplex import write_e11

        return write_e11(doc, out, figs_dir, tables_dir)
    return write_experiment(doc, name, out, figs_dir, tables_dir)


def write_outputs(out: Path, doc: dict[str, Any], environment: dict[str, Any], command: str, jobs: int = 1) -> list[Path]:
    """All files of a reproduction; returns their paths.  With ``jobs`` > 1 the experiments' tables and figures
    are drawn in that many local processes (drawing is most of the report's time; each experiment's files are
    its own, so the bytes do not depend on who drew them)."""
    figs_dir, tables_dir = ensure_dir(out / "figures"), ensure_dir(out / "tables")
    written: list[Path] = []
    claims_rows = [{"id": c["id"], "kind": c["kind"], "title": c["title"], "passed": c["passed"], "n_checks": c["n_checks"],
                    "seed": c["seed"]} for c in doc["claims"]]
    write_text_atomic(out / "claims.csv", rows_to_csv(claims_rows, ("id", "kind", "title", "passed", "n_checks", "seed")))
    written.append(out / "claims.csv")
    tex = _tex_table(["ID", "claim", "verdict", "exact checks"],
                     [[c["id"], _tex_escape(c["title"]), "pass" if c["passed"] else "FAIL", str(c["n_checks"])] for c in doc["claims"]],
                     f"Exact checks of the claims (tempx verify), seed {doc.get('seed', 0)}.", "tab:tempx-claims")
    write_text_atomic(tables_dir / "claims.tex", tex)
    written.append(tables_dir / "claims.tex")
    tasks = [(doc, name, out, figs_dir, tables_dir) for name in EXPERIMENTS if name in doc]
    if jobs > 1 and len(tasks) > 1:
        from tempx.numerics.drivers.executors import local_executor

        with local_executor(min(jobs, len(tasks))) as ex:
            assert ex is not None
            for paths in ex.map(write_one_experiment, tasks):
                written += paths
    else:
        for task in tasks:
            written += write_one_experiment(task)
    write_text_atomic(out / "results.json", json.dumps(doc, indent=1, sort_keys=True) + "\n")
    write_text_atomic(out / "environment.json", json.dumps(environment, indent=1, sort_keys=True) + "\n")
    write_text_atomic(out / "REPORT.md", render_report(doc, command))
    return [*written, out / "results.json", out / "environment.json", out / "REPORT.md"]


def render_report(doc: dict[str, Any], command: str) -> str:
    cfg = doc["config"]
    md = [
        "# tempx reproduction report", "",
        f"Generated by `{command}` with tempx {doc['tempx']} (scale: {doc['scale']}, seed: {doc['seed']}).",
        ("Every number below is in `results.json` next to its parameters and seeds; tidy tables are in "
        "`*.csv`, LaTeX tables in `tables/`, figures (PNG and PDF) in `figures/`, and the software "
        "environment in `environment.json`."), "",
        ("The claims are this package's formalization of the two headline claims of Cohen-Karlik, Ben David, "
        "Cohen and Globerson, *On the Implicit Bias of Gradient Descent for Temporal Extrapolation* "
        "(AISTATS 2022), plus sharpening results; they are not quotations of the paper."), "",
        "## Claims: exact checks", "",
        "| ID | claim | kind | verdict | exact comparisons |", "|---|---|---|---|---|",
    ]
    md += [f"| {c['id']} | {c['title']} | {c['kind']} | {'PASS' if c['passed'] else 'FAIL'} | {c['n_checks']} |" for c in doc["claims"]]
    md += ["", "## Key numbers", ""]
    md += [f"- {k['name']}: **{k['value']}**" for k in doc["key_numbers"]]
    fig = 0
    for name, heading in (("E1", "E1 — initialization scale (claim C7)"), ("E4", "E4 — finite data (claim C8)")):
        if name not in doc:
            continue
        e = cfg[name]
        data = f", trained on n = {e['n_data']} Gaussian sequences" if e.get("n_data") else ", population loss"
        fig += 1
        md += ["", f"## {heading}", "",
               f"![{name}: extrapolation loss against σ](figures/{name}_extrapolation_vs_sigma.png)", "",
               (f"*Figure {fig}. Median and interquartile range of L_q (q = 4k) after {e['steps']} GD steps "
               f"(η = {e['lr']}) from Gaussian initializations N(0, σ²/d), {e['seeds']} seeds per cell, "
               f"(d, k) ∈ {{{', '.join(f'({d}, {k})' for d, k in e['cells'])}}}{data}; memoryless teacher; "
               "dashed: median train loss L_k of the same models. Every model interpolates; where the dashed and "
               "solid lines meet, L_q ≈ L_k and the remaining error is unfinished training, not failed "
               "extrapolation. Diverged models excluded (counted below); values below 1e-30 drawn at 1e-30.*"), "",
               "| d | k | σ | median L_q | 25% | 75% | diverged |", "|---|---|---|---|---|---|---|"]
        md += [f"| {s['d']} | {s['k']} | {s['sigma']:g} | {_fmt(s['median'])} | {_fmt(s['q25'])} | {_fmt(s['q75'])} | "
               f"{s['diverged']}/{s['n']} |" for s in doc[name]["summary"]]
        fig += 1
        md += ["", f"![{name}: extrapolation loss against ‖Q(0)‖](figures/{name}_extrapolation_vs_Q0.png)", "",
               f"*Figure {fig}. The same models: L_q after GD against the imbalance ‖Q(0)‖_F at initialization.*"]
    if "E1L" in doc:
        e = cfg["E1L"]
        fig += 1
        md += ["", "## E1L — the limit of training against σ (claims C7, C13)", "",
               "![E1L: the limit's extrapolation error against σ](figures/E1L_limit_vs_sigma.png)", "",
               (f"*Figure {fig}. L_q (q = {e['q_factor']}k) of the limit of gradient flow (stopped when L_k ≤ 1e-28 "
               f"and ‖∇L‖ ≤ 1e-13, t ≤ {e['t_max']:g}) from N(0, σ²/d), {e['seeds']} seeds per cell, memoryless teacher. "
               "Dots: converged models; crosses: models that did not converge within the budget (drawn, never dropped); "
               "line: median of the converged models; dashed: the least-squares power law over σ ≤ "
               f"{e['fit_sigma_max']:g}, its exponent and 95% bootstrap interval (resampling seeds) in the legend.*"), "",
               "| d | k | exponent p (median L_q ∝ σ^p) | 95% bootstrap CI | σ used |", "|---|---|---|---|---|"]
        md += [f"| {f['d']} | {f['k']} | {f['exponent']:.2f} | {f['ci_low']:.2f} … {f['ci_high']:.2f} | "
               f"{', '.join(f'{x:g}' for x in f['sigmas'])} |" if f["exponent"] is not None else
               f"| {f['d']} | {f['k']} | — (fewer than 3 usable σ) | — | — |" for f in doc["E1L"]["fits"]]
        md += ["", "| d | k | σ | median L_q at the limit | 25% | 75% | converged | median t |", "|---|---|---|---|---|---|---|---|"]
        md += [f"| {s['d']} | {s['k']} | {s['sigma']:g} | {_fmt(s['median'])} | {_fmt(s['q25'])} | {_fmt(s['q75'])} | "
               f"{s['converged']}/{s['n']} | {s['median_t']:.2g} |" for s in doc["E1L"]["summary"]]
        md += ["", (f"L_∞ = Σ_{{i≥0}} r_i² (every length at once) of the converged limits at σ ≤ "
               f"{e['certify_sigma_max']:g}, decided exactly (claim C14, `tempx certify`): each float64 entry is taken as "
               "the exact dyadic rational it stores; the residual's minimal polynomial (Berlekamp–Massey on 2n exact terms) "
               "is tested for stability over ℚ (Schur–Cohn) and L_∞ is the exact rational of Åström's recursion "
               "(`results.json`: `L_inf_exact`). Shown: the float64 interval around it, rounded outward, and the digits "
               "of the rational. These are theorems about these specific trained models."), "",
               "| d | k | σ | seed | L_q (float64) | L_∞ ≥ | L_∞ ≤ | digits |", "|---|---|---|---|---|---|---|---|"]
        md += [f"| {r['d']} | {r['k']} | {r['sigma']:g} | {r['seed']} | {_fmt(r['extrapolation_loss'])} | "
               f"{_fmt(r['L_inf_lower'])} | {'∞' if r['L_inf_upper'] is None else _fmt(r['L_inf_upper'])} | "
               f"{'—' if r.get('L_inf_digits') is None else r['L_inf_digits']} |"
               for r in doc["E1L"]["certified"]]
    if "E2" in doc:
        e = cfg["E2"]
        fig += 1
        md += ["", "## E2 — symmetric-balanced initialization (claims C5, C6)", "",
               "![E2: GD from M](figures/E2_symmetric.png)", "",
               (f"*Figure {fig}. Train loss L_k and extrapolation loss L_4k after {e['steps']} GD steps (η = {e['lr']}) "
               f"from symmetric-balanced initializations (A = Aᵀ, C = Bᵀ, σ = {e['sigma']}, ‖A(0)‖_F ≤ {e['cap']}), "
               f"d = {e['d']}, {e['seeds']} seeds per k. For k ≥ 3 GD extrapolates (C6); for k = 2 it interpolates "
               "without extrapolating (C5's k = 2 failure).*"), "",
               "| d | k | median L_4k | 25% | 75% | diverged |", "|---|---|---|---|---|---|"]
        md += [f"| {s['d']} | {s['k']} | {_fmt(s['median'])} | {_fmt(s['q25'])} | {_fmt(s['q75'])} | {s['diverged']}/{s['n']} |"
               for s in doc["E2"]["summary"]]
    if "E3" in doc:
        e = doc["E3"]
        fig += 1
        md += ["", "## E3 — extrapolation loss against length", "",
               "![E3: L_q against q](figures/E3_extrapolation_vs_length.png)", "",
               (f"*Figure {fig}. L_q for q = 1 … {e['q'][-1]}: the cyclic counterexample (c = {e['c']}), and GD solutions "
               f"({e['steps']} steps, η = {e['lr']}, seed {e['seed']}) from σ = 0.05 and σ = 1; d = {e['d']}, k = {e['k']}.*")]
    if "E5" in doc:
        e = cfg["E5"]
        fig += 1
        md += ["", "## E5 — teachers with memory: extrapolation against the training length (claim C9)", "",
               "![E5: L_q against k per teacher](figures/E5_extrapolation_vs_k.png)", "",
               (f"*Figure {fig}. Median L_{e['q']} after {e['steps']} GD steps (η = {e['lr']}) from N(0, σ²/d), d = {e['d']}, "
               f"{e['seeds']} seeds per cell, against the training length k; one colour per teacher, one line style per σ "
               "(solid: smallest). Triangles on the top edge, in each teacher's colour: k = 2d* + 1, C5's threshold for teachers "
               "on M. Teachers: n = 1, 2, 3 "
               "atoms on M, one with a negative weight (off M), one with complex-conjugate poles (oscillating). "
               "Values below 1e-30 drawn at 1e-30.*"), "",
               "| teacher | k | σ | median L_q | 25% | 75% | diverged |", "|---|---|---|---|---|---|---|"]
        md += [f"| `{s['teacher']}` | {s['k']} | {s['sigma']:g} | {_fmt(s['median'])} | {_fmt(s['q25'])} | "
               f"{_fmt(s['q75'])} | {s['diverged']}/{s['n']} |" for s in doc["E5"]["summary"]]
    if "E6" in doc:
        e = cfg["E6"]
        fig += 1
        md += ["", "## E6 — the learned state dimension (claim C9)", "",
               "![E6: learned Hankel spectrum](figures/E6_hankel_spectrum.png)", "",
               (f"*Figure {fig}. Singular values σ_i/σ_1 of the (2d*+2)×(2d*+2) Hankel matrix of the learned impulse "
               f"response after {e['steps']} GD steps (η = {e['lr']}), k = {e['k']}, d = {e['d']}, {e['seeds']} seeds; "
               "median with interquartile range. Dotted: the rank tolerance; dashed: d*. At small σ the student learns "
               "a d*-dimensional state space; at large σ it uses more states.*"), "",
               "| teacher | σ | d* | median rank | rank = d* |", "|---|---|---|---|---|"]
        md += [f"| `{t['teacher']}` | {t['sigma']:g} | {t['teacher_dim']} | {t['median_rank']:g} | {t['at_d_star']}/{t['n']} |"
               for t in _hankel_table(doc["E6"]["rows"])]
    if "E7" in doc:
        e = cfg["E7"]
        fig += 1
        md += ["", "## E7 — every student at the limit of gradient flow (claims C12, C14)", "",
               "![E7: students](figures/E7_students.png)", "",
               (f"*Figure {fig}. Median L_{e['q']} at the limit of gradient flow (converged: L_k ≤ 1e-28 and ‖∇L‖ ≤ 1e-13, "
               f"at most {e['max_evals']} gradient evaluations and t ≤ {e['t_max']:g}), k = {e['k']}, d = {e['d']} states "
               f"or modes, {e['seeds']} seeds: dense and diagonal students from N(0, σ²/d) entries (complex: real and "
               "imaginary parts each N(0, σ²/(2d))), LRU students from the ring |λ| ∈ [0.4, 0.9] with b, c of scale σ. "
               "Unconverged models are counted in the table, not drawn.*"), "",
               "| teacher | student | σ | median L_q | 25% | 75% | converged | L_∞ finite / decided |",
               "|---|---|---|---|---|---|---|---|"]
        md += [f"| `{s['teacher']}` | {s['student']} | {s['sigma']:g} | {_fmt(s['median'])} | {_fmt(s['q25'])} | "
               f"{_fmt(s['q75'])} | {s['converged']}/{s['n']} | {s['linf_finite']}/{s['linf_decided']} |"
               for s in doc["E7"]["summary"]]
        fig += 1
        md += ["", "![E7: sign pattern](figures/E7_sign_pattern.png)", "",
               (f"*Figure {fig}. Real diagonal students from balanced starts c = s ⊙ b (σ = {e['sign_sigma']}), with a "
               "fraction of the modes negative (s_j = −1); C12(c): the pattern is fixed for gradient flow, so the student "
               "stays a signed measure with that pattern. Median L_q at the limit against the fraction.*"), "",
               "| teacher | negative fraction | median L_q | 25% | 75% | converged |", "|---|---|---|---|---|---|"]
        md += [f"| `{s['teacher']}` | {s['negative_fraction']:g} | {_fmt(s['median'])} | {_fmt(s['q25'])} | "
               f"{_fmt(s['q75'])} | {s['converged']}/{s['n']} |" for s in doc["E7"]["signs"]]
    if "E8" in doc:
        e = cfg["E8"]
        fig += 1
        md += ["", "## E8 — non-linear students: does small initialization still extrapolate? (claim C15)", "",
               "![E8: non-linear students](figures/E8_nonlinear_vs_sigma.png)", "",
               (f"*Figure {fig}. Median L_{e['q']} after {e['steps']} GD steps (η = {e['lr']}) on {e['n_data']} Gaussian "
               f"training sequences of length k = {e['k']} (last output), d = {e['d']}, {e['seeds']} seeds, from N(0, σ²/d) "
               "entries (the same draws for every student); the dense linear student's L_q is exact, the tanh and ReLU "
               f"students' a Monte Carlo estimate on {e['mc_sequences']} held-out sequences (median standard error in "
               "the table). State dimension: the numerical rank of A (relative 1e-3) for non-linear students, the Hankel "
               "rank for the linear one.*"), "",
               "| teacher | student | σ | median L_q | 25% | 75% | MC s.e. | state dim. | train L_k | diverged |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        md += [f"| `{s['teacher']}` | {s['student']} | {s['sigma']:g} | {_fmt(s['median'])} | {_fmt(s['q25'])} | "
               f"{_fmt(s['q75'])} | {_fmt(s['median_se'])} | {_dim(s['median_dim'])} | "
               f"{_fmt(s['train'])} | {s['diverged']}/{s['n']} |" for s in doc["E8"]["summary"]]
    if "E9" in doc:
        e = cfg["E9"]
        fig += 1
        md += ["", "## E9 — the σ-exponent law at the limit", "",
               "![E9: exponent against k](figures/E9_exponent_vs_k.png)", "",
               (f"*Figure {fig}. The exponent p of median L_{{10k}} ∝ σ^p at the limit of gradient flow, fitted over "
               f"σ ∈ {e['sigmas']} ({e['seeds']} seeds each; σ where fewer than half the models converged are left out), "
               "with 95% bootstrap intervals; the line p = 2k, and p = 2(k − d*) dotted for the teacher with memory "
               "(d* = 2). Open squares: wide dense students (d ≥ 32). The LRU student's point follows no power law (σ does "
               "not shrink its recurrence, E7), whatever line it falls near.*"), "",
               "| student | teacher | d | k | p | 95% CI | 2k | converged |", "|---|---|---|---|---|---|---|---|"]
        md += [f"| {f['student']} | `{f['teacher']}` | {f['d']} | {f['k']} | "
               + ("— | — " if f["exponent"] is None else f"{f['exponent']:.2f} | [{f['ci_low']:.2f}, {f['ci_high']:.2f}] ")
               + f"| {2 * f['k']} | {f['converged']}/{f['n']} |" for f in doc["E9"]["fits"]]
    if "E10" in doc:
        from tempx.numerics.app.report_poisoning import e10_section

        fig += 1
        md += e10_section(doc, cfg, fig)
    if "E11" in doc:
        from tempx.numerics.app.realcomplex import e11_section

        fig += 1
        md += e11_section(doc, cfg, fig)
    md += ["", "## Reproduce", "", f"    {command}", "",
           ("Rerunning the same command in the same folder reuses every finished unit (cache/), so an interrupted run "
           "resumes where it stopped and gives identical results.json."), ""]
    from tempx.numerics.app.citation import bibtex
    from tempx.numerics.app.commands.cite import used_in

    md += ["## Cite", "", ("The package and the papers whose claims this run used (`tempx cite --results DIR` prints "
                           "the same):"), "", "```bibtex", bibtex(used_in(doc)).rstrip("\n"), "```", ""]
    return "\n".join(md)


def environment(command: list[str], jobs: int, timings: dict[str, float], total: float) -> dict[str, Any]:
    return {"command": command, "jobs": jobs, "platform": platform.platform(), "machine": platform.machine(),
            "python": sys.version, "packages": package_versions(), "unit_seconds": timings, "total_seconds": total}

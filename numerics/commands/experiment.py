"""``tempx experiment``: run one of the experiments E1–E4 at a preset scale and draw its figure."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from numerics.commands.common import nonneg_int
from numerics.experiments import ROW_COLUMNS, extrapolation_curves, init_scale_sweep, summarize, symmetric_experiment
from numerics.io import ensure_dir, rows_to_csv, write_text_atomic
from numerics.progress import Progress

HELP = "run experiment E1 (init scale), E2 (symmetric init), E3 (L_q vs q) or E4 (finite data) and save its figure"

# Preset parameters: (quick, full).  Quick runs take seconds to a minute on 2 cores.
PRESETS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "E1": ({"ds": [20], "ks": [5], "sigmas": [0.05, 0.1, 0.3, 0.5, 1.0], "seeds": 4, "steps": 20000},
           {"ds": [10, 20], "ks": [3, 5], "sigmas": [0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.2], "seeds": 16,
            "steps": 40000}),
    "E2": ({"d": 6, "ks": [2, 3, 4], "seeds": 8, "steps": 20000}, {"d": 10, "ks": [2, 3, 4, 5, 6], "seeds": 32, "steps": 40000}),
    "E3": ({"d": 20, "k": 5, "q_max": 60, "steps": 20000}, {"d": 20, "k": 5, "q_max": 100, "steps": 40000}),
    "E4": ({"ds": [20], "ks": [5], "sigmas": [0.05, 0.1, 0.3, 0.5, 1.0], "seeds": 4, "steps": 20000, "n_data": 10},
           {"ds": [20], "ks": [5], "sigmas": [0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0], "seeds": 16, "steps": 40000,
            "n_data": 10}),
}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", choices=sorted(PRESETS), help="which experiment")
    p.add_argument("--out", required=True, help="output folder (created if needed)")
    scale = p.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help="the quick preset (default)")
    scale.add_argument("--full", action="store_true", help="the paper-scale preset (more seeds, sizes, steps)")
    p.add_argument("--seed", default="0", help="E3: seed of the GD initializations (default 0)")
    p.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")


def run(args: argparse.Namespace) -> int:
    from numerics.plots import plot_curves, plot_q0, plot_symmetric, plot_sweep  # matplotlib only when drawing

    preset = dict(PRESETS[args.name][1 if args.full else 0])
    seed = nonneg_int(args.seed, "--seed")
    out = ensure_dir(Path(args.out))
    stem = out / args.name
    if args.name in ("E1", "E4"):
        cells = len(preset["ds"]) * len(preset["ks"]) * len(preset["sigmas"])
        bar = Progress(cells, args.name, enabled=True if args.progress else None)
        rows = init_scale_sweep(preset["ds"], preset["ks"], preset["sigmas"], preset["seeds"], steps=preset["steps"],
                                n_data=preset.get("n_data"), progress=lambda n, note: bar.update(n, note))
        bar.close()
        doc: dict[str, Any] = {"experiment": args.name, "preset": preset, "summary": summarize(rows, ("d", "k", "sigma")),
                               "rows": rows}
        write_text_atomic(stem.with_suffix(".csv"), rows_to_csv(rows, ROW_COLUMNS))
        title = "Finite data (n = %d sequences): extrapolation vs σ" % preset["n_data"] if args.name == "E4" else ""
        figs = plot_sweep(rows, out / f"{args.name}_extrapolation_vs_sigma", title) + plot_q0(rows, out / f"{args.name}_extrapolation_vs_Q0")
    elif args.name == "E2":
        bar = Progress(len(preset["ks"]), "E2", enabled=True if args.progress else None)
        rows = symmetric_experiment(preset["d"], preset["ks"], preset["seeds"], steps=preset["steps"],
                                    progress=lambda n, note: bar.update(n, note))
        bar.close()
        doc = {"experiment": "E2", "preset": preset, "summary": summarize(rows, ("k",)), "rows": rows}
        write_text_atomic(stem.with_suffix(".csv"), rows_to_csv(rows, ROW_COLUMNS))
        figs = plot_symmetric(rows, out / "E2_symmetric")
    else:
        doc = extrapolation_curves(preset["d"], preset["k"], preset["q_max"], seed=seed, steps=preset["steps"])
        doc["preset"] = preset
        figs = plot_curves(doc, out / "E3_extrapolation_vs_length")
    write_text_atomic(stem.with_suffix(".json"), json.dumps(doc, indent=1))
    print(f"{args.name}: wrote {stem.with_suffix('.json')}, " + ", ".join(str(f) for f in figs))
    for s in doc.get("summary", []):
        key = ", ".join(f"{k}={s[k]}" for k in ("d", "k", "sigma") if k in s)
        med = "—" if s["median"] is None else f"{s['median']:.2e}"
        print(f"  {key}: median extrapolation loss {med}, diverged {s['diverged']}/{s['n']}")
    return 0

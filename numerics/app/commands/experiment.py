"""``tempx experiment``: run one experiment of ``tempx reproduce`` (E1–E11, E1L) at a preset scale and draw its figures.

The presets and the work are those of ``tempx reproduce`` (``tempx.numerics.app.reproduce.SCALES`` and
its work units), so one experiment run here gives the same numbers as in the full report.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tempx.numerics.app.commands.common import nonneg_int
from tempx.numerics.app.io import ensure_dir, staged, write_text_atomic
from tempx.numerics.app.progress import Progress

HELP = "run one experiment of the report (E1–E11, E1L) at a preset scale and save its tables and figures"
NAMES = ("E1", "E1L", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", choices=NAMES, help="which experiment (docs/reproduce.md lists what each runs)")
    p.add_argument("--out", required=True, help="output folder (created if needed)")
    scale = p.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help="the quick preset of tempx reproduce (default)")
    scale.add_argument("--full", action="store_true", help="the paper-scale preset (more seeds, sizes, steps)")
    p.add_argument("--seed", default="0", help="base seed: model i of each cell uses seed + i (default 0)")
    p.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")


def run(args: argparse.Namespace) -> int:
    from tempx.numerics.app import report
    from tempx.numerics.app.reproduce import SCALES, code_version, compute, plan

    seed = nonneg_int(args.seed, "--seed")
    scale = "full" if args.full else "quick"
    config = {args.name: SCALES[scale][args.name]}
    out = ensure_dir(Path(args.out))
    units = plan(scale, seed, claim_ids=[], config=config)
    bar = Progress(len(units), args.name, enabled=True if args.progress else None)
    results = {}
    for n, unit in enumerate(units):
        results[unit] = compute(unit)
        bar.update(n + 1, unit.label())
    bar.close()
    doc = report.assemble(units, results, code_version(), scale, seed, config)
    part = {"experiment": args.name, "scale": scale, "seed": seed, "preset": config[args.name], **doc[args.name]}
    with staged(out) as stage:
        paths = [out / p.relative_to(stage) for p in report.write_one_experiment((doc, args.name, stage, stage, stage))]
        write_text_atomic(stage / f"{args.name}.json", json.dumps(part, indent=1, sort_keys=True) + "\n")
    print(f"{args.name}: wrote {out / (args.name + '.json')}, " + ", ".join(str(p) for p in paths))
    for s in doc[args.name].get("summary", []):
        key = ", ".join(f"{k}={s[k]}" for k in ("teacher", "student", "d", "k", "sigma", "negative_fraction") if k in s)
        if "best_error" in s:  # E11
            best = "—" if s["best_error"] is None else f"{s['best_error']:.2e}"
            print(f"  t={s['t']} {s['target']} {s['student']} {s['optimizer']}: best normalized error {best}"
                  + ("" if s["floor"] is None else f", G = {s['G']:.3g}, floor {s['floor']:.3e}"))
            continue
        if "baseline_mean" in s:  # E10
            print(f"  {key}: mean error baseline {s['baseline_mean']:.2e}, poisoned {s['poisoned_mean']:.2e} "
                  f"({s['poisoned_converged']}/{s['n']} poisoned flows converged)")
            continue
        med = "—" if s.get("median") is None else f"{s['median']:.2e}"
        tail = f", diverged {s['diverged']}/{s['n']}" if "diverged" in s else \
            f", converged {s['converged']}/{s['n']}" if "converged" in s else ""
        print(f"  {key}: median extrapolation loss {med}{tail}")
    return 0

"""``tempx experiment``: run one of the experiments E1–E4 at a preset scale and draw its figures.

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

HELP = "run experiment E1 (init scale), E2 (symmetric init), E3 (L_q vs q) or E4 (finite data) and save its figures"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", choices=("E1", "E2", "E3", "E4"), help="which experiment")
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
        paths = [out / p.relative_to(stage) for p in report.write_experiment(doc, args.name, stage, stage, stage)]
        write_text_atomic(stage / f"{args.name}.json", json.dumps(part, indent=1, sort_keys=True) + "\n")
    print(f"{args.name}: wrote {out / (args.name + '.json')}, " + ", ".join(str(p) for p in paths))
    for s in doc[args.name].get("summary", []):
        key = ", ".join(f"{k}={s[k]}" for k in ("d", "k", "sigma") if k in s)
        med = "—" if s["median"] is None else f"{s['median']:.2e}"
        print(f"  {key}: median extrapolation loss {med}, diverged {s['diverged']}/{s['n']}")
    return 0

"""``tempx reproduce``: every claim checked, every figure and table regenerated, in one folder."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from tempx.numerics.app.commands.common import nonneg_int, positive_int
from tempx.numerics.app.io import ensure_dir, staged
from tempx.theory.errors import InvalidInput

HELP = "check every claim and regenerate every figure and table into one report (resumable)"


def measured_times() -> str:
    """The quick reproduction's measured times, from ``numerics/app/measured.json`` (written by
    ``python benchmarks/reproduce.py --record``; README.md and docs/reproduce.md quote the same file)."""
    import json

    m = json.loads((Path(__file__).parent.parent / "measured.json").read_text(encoding="utf-8"))
    return (f"{m['warm_s']} s on {m['cores']} cores with compiled kernels cached, {m['cold_s']} s on a fresh install; "
            f"measured {m['date']}")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="tempx-results", help="output folder (default ./tempx-results)")
    scale = p.add_mutually_exclusive_group()
    scale.add_argument("--quick", action="store_true", help=f"quick scale (default; {measured_times()})")
    scale.add_argument("--full", action="store_true", help="paper scale: more seeds, sizes and steps")
    p.add_argument("--seed", default="0", help="base seed of every experiment and claim check (default 0)")
    p.add_argument("--jobs", default="auto", help="worker processes for independent units: a number, or auto (default: "
                                                  "one per available core, as many as the memory limit holds, when "
                                                  "the plan's estimated work is 20 s or more; else 1)")
    p.add_argument("--scheduler", metavar="ADDRESS|local:N",
                   help="run the units on a Dask cluster: a scheduler address (tcp://host:8786) or local:N for a "
                        "LocalCluster of N single-threaded workers (needs tempx[cluster]; see docs/cluster.md)")
    p.add_argument("--config", help="JSON file replacing the preset experiment parameters (see docs/reproduce.md)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the plan (scale and units per experiment) and stop; nothing is run or written")


def _load_config(path: str) -> dict[str, Any]:
    from tempx.theory.files import read_json

    cfg = read_json(path, "--config file", exact=False)
    from tempx.numerics.app.reproduce import SCALES

    quick = SCALES["quick"]
    if not isinstance(cfg, dict) or not set(cfg) <= set(quick):
        raise InvalidInput(f"--config must be an object with keys among {sorted(quick)}")
    for name, value in cfg.items():
        missing = set(quick[name]) - set(value) if isinstance(value, dict) else {"(not an object)"}
        if missing:
            raise InvalidInput(f"--config: {name} lacks {sorted(missing)}")
    return cfg


def run(args: argparse.Namespace) -> int:
    from tempx.numerics.app import report
    from tempx.numerics.app.reproduce import SCALES, check_manifest, code_version, plan, run_units

    seed = nonneg_int(args.seed, "--seed")
    from tempx.numerics.drivers.executors import check_executor_options

    jobs = 1 if args.jobs == "auto" else positive_int(args.jobs, "--jobs")  # auto: decided below, from the plan

    check_executor_options(args.jobs, args.scheduler)  # one line before any folder is touched
    scale = "full" if args.full else "quick"
    config = _load_config(args.config) if args.config else SCALES[scale]
    if args.config:
        scale = "custom"
    if args.jobs == "auto" and args.scheduler is None:
        jobs = _auto_jobs(plan(scale, seed, config=config))
    if args.dry_run:
        return _dry_run(plan(scale, seed, config=config), scale, seed, jobs)
    out = ensure_dir(Path(args.out))
    code = code_version()
    check_manifest(out, code)
    units = plan(scale, seed, config=config)
    command = "tempx " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["reproduce"] else \
        f"tempx reproduce --out {shlex.quote(str(out))}{' --full' if args.full else ''} --seed {seed}"
    say = lambda line: print(line, file=sys.stderr, flush=True)
    where = f"Dask scheduler {args.scheduler}" if args.scheduler else f"{jobs} job{'s' * (jobs > 1)}"
    say(f"tempx reproduce: {len(units)} units ({scale} scale, seed {seed}, {where}) into {out}")
    start = time.perf_counter()
    try:
        results, timings = run_units(units, out, code, jobs, say, scheduler=args.scheduler)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the command line prints the last line and the exit status
        say("tempx reproduce: interrupted; finished units are kept in cache/ — rerun the same command to resume")
        raise
    say("tempx reproduce: writing report, tables and figures")
    doc = report.assemble(units, results, code, scale, seed, config)
    env = report.environment(sys.argv, jobs, timings, time.perf_counter() - start)
    with staged(out) as stage:  # the previous result set stays whole until the new one is
        paths = report.write_outputs(stage, doc, env, command, jobs=1 if args.scheduler else jobs)
    failed = [c["id"] for c in doc["claims"] if not c["passed"]]
    print(f"wrote {out / 'REPORT.md'} and {len(paths) - 1} other files in {time.perf_counter() - start:.0f} s")
    if failed:
        print(f"claims FAILED: {', '.join(failed)}")
        return 1
    print(f"all {len(doc['claims'])} claims passed")
    return 0


AUTO_MIN_SECONDS = 20.0  # below this much estimated work, worker processes cost more than they save (spawn ~2 s)


def _auto_jobs(units: list[Any]) -> int:
    """``--jobs auto``: one worker per available core (``executors.auto_jobs``) when the plan's estimated work is
    worth the processes' start, else this process alone."""
    from tempx.numerics.app.costs import estimate_seconds
    from tempx.numerics.drivers.executors import auto_jobs

    work = sum(estimate_seconds(u.kind, dict(u.params)) for u in units)
    return auto_jobs() if work >= AUTO_MIN_SECONDS else 1


def _dry_run(units: list[Any], scale: str, seed: int, jobs: int) -> int:
    """The plan, one line per kind of unit (claims, then experiments), in report order, with estimated times."""
    from tempx.numerics.app.costs import estimate_seconds

    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    for u in units:
        counts[u.kind] = counts.get(u.kind, 0) + 1
        seconds[u.kind] = seconds.get(u.kind, 0.0) + estimate_seconds(u.kind, dict(u.params))
    total = sum(seconds.values())
    longest = max((estimate_seconds(u.kind, dict(u.params)) for u in units), default=0.0)
    wall = max(total / jobs, longest)
    print(f"tempx reproduce --dry-run: {len(units)} units ({scale} scale, seed {seed}); estimated {total:.0f} s of "
          f"work, about {wall:.0f} s with {jobs} job{'s' * (jobs > 1)} (on the 2-core reference machine, compiled "
          f"kernels cached; the first run compiles them, see docs/reproduce.md)")
    for kind, n in counts.items():
        print(f"  {kind}: {n} unit{'s' * (n > 1)}, about {seconds[kind]:.0f} s")
    return 0

"""Benchmark: ``tempx reproduce`` (quick) cold, warm and under load, with a table per experiment.

Three runs of the installed ``tempx`` command, each into a new folder, with the default ``--jobs auto``:
- cold: numba's compilation cache empty (``NUMBA_CACHE_DIR`` set to a new folder, which numba then uses
  for every kernel), as on a fresh install;
- warm: the same cache, now filled;
- loaded: warm, with ``--load N`` (default 2) other CPU-bound processes spinning on the machine.
For each run: its wall time, and per experiment the sum of its units' seconds (from ``cache/*.json``).
The loaded/quiet ratio per experiment is the check that nothing oversubscribes the cores.

``--fit`` also prints the coefficients of ``tempx.numerics.app.costs`` fitted on the warm run in one
process (``--jobs 1``, a fourth run).  ``--record`` writes the numbers to ``numerics/app/measured.json``,
the one source that ``tempx reproduce --help``, README.md and docs/reproduce.md quote (a test checks
that they agree with it).

Usage:  python benchmarks/reproduce.py [--load 2] [--fit] [--record] [--json out.json]
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEASURED = ROOT / "numerics" / "app" / "measured.json"


def _spin(stop: Any) -> None:
    x = 0
    while not stop.is_set():
        for _ in range(100_000):
            x += 1


def run(out: Path, env: dict[str, str], extra: list[str]) -> dict[str, Any]:
    start = time.perf_counter()
    proc = subprocess.run(["tempx", "reproduce", "--out", str(out), *extra], env=env, capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"tempx reproduce failed:\n{proc.stderr[-3000:]}")
    per: dict[str, float] = collections.Counter()
    for f in (out / "cache").glob("*.json"):
        entry = json.loads(f.read_text(encoding="utf-8"))
        kind = entry["unit"]["kind"]
        per["claims" if kind.startswith("C") else kind] += entry["seconds"]
    return {"wall": wall, "per_kind": dict(per)}


def fit(out: Path) -> dict[str, float]:
    from tempx.numerics.app.costs import work

    secs: dict[str, float] = collections.Counter()
    size: dict[str, float] = collections.Counter()
    for f in (out / "cache").glob("*.json"):
        entry = json.loads(f.read_text(encoding="utf-8"))
        kind, params = entry["unit"]["kind"], entry["unit"]["params"]
        key = "claims" if kind.startswith("C") else kind
        secs[key] += entry["seconds"]
        size[key] += work(kind, params)
    return {k: float(f"{secs[k] / size[k]:.3g}") for k in sorted(secs)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--load", type=int, default=2, help="CPU-bound processes beside the loaded run (default 2)")
    ap.add_argument("--fit", action="store_true", help="also a --jobs 1 run, and the cost coefficients fitted on it")
    ap.add_argument("--record", action="store_true", help=f"write the numbers to {MEASURED.relative_to(ROOT)}")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tempx-bench-") as tmp:
        base = Path(tmp)
        env = {**os.environ, "NUMBA_CACHE_DIR": str(base / "numba-cache")}
        runs = {"cold": run(base / "cold", env, []), "warm": run(base / "warm", env, [])}
        stop = multiprocessing.Event()
        spinners = [multiprocessing.Process(target=_spin, args=(stop,)) for _ in range(args.load)]
        for p in spinners:
            p.start()
        try:
            runs["loaded"] = run(base / "loaded", env, [])
        finally:
            stop.set()
            for p in spinners:
                p.join()
        coefficients = None
        if args.fit:
            runs["one_process"] = run(base / "one", env, ["--jobs", "1"])
            coefficients = fit(base / "one")
    kinds = sorted(runs["warm"]["per_kind"], key=lambda k: -runs["warm"]["per_kind"][k])
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores; tempx reproduce (quick, "
          f"--jobs auto); loaded: {args.load} CPU-bound processes beside it")
    print(f"{'':>10} " + " ".join(f"{name:>10}" for name in runs) + f" {'loaded/warm':>12}")
    print(f"{'wall s':>10} " + " ".join(f"{r['wall']:>10.1f}" for r in runs.values())
          + f" {runs['loaded']['wall'] / runs['warm']['wall']:>12.2f}")
    for k in kinds:
        print(f"{k:>10} " + " ".join(f"{r['per_kind'].get(k, 0.0):>10.1f}" for r in runs.values())
              + f" {runs['loaded']['per_kind'][k] / max(runs['warm']['per_kind'][k], 1e-9):>12.2f}")
    print("(rows below 'wall s': seconds of the units of each experiment, summed over the workers)")
    if coefficients:
        print("cost coefficients (seconds per unit of work, --jobs 1):", json.dumps(coefficients))
    doc = {"date": datetime.date.today().isoformat(), "python": platform.python_version(), "cores": os.cpu_count(),
           "load": args.load, "runs": runs, "coefficients": coefficients}
    if args.json:
        Path(args.json).write_text(json.dumps(doc, indent=1), encoding="utf-8")
    if args.record:
        MEASURED.write_text(json.dumps({"date": doc["date"], "python": doc["python"], "cores": doc["cores"],
                                        "load": doc["load"], "cold_s": round(runs["cold"]["wall"]),
                                        "warm_s": round(runs["warm"]["wall"]), "loaded_s": round(runs["loaded"]["wall"])},
                                       indent=1) + "\n", encoding="utf-8")
        print(f"wrote {MEASURED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

"""``tempx reproduce``: plan the work units, run the missing ones (resumably, in J processes).

A work unit is one claim check or one parameter cell of an experiment.  Its result is a pure
function of its parameters and the code, cached as ``DIR/cache/<key>.json`` where the key
hashes (kind, parameters, code version).  Units run through one executor seam (this process,
J local processes or a Dask cluster: ``tempx.numerics.drivers.executors``); each returns its result and the
client writes its cache file atomically, so an interrupted run loses at most the units in
flight, and a rerun recomputes only the missing ones.  Results never contain timings, so they do not
depend on the number of processes or on interruptions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tempx import __version__
from tempx.numerics.app.io import ensure_dir, write_text_atomic
from tempx.theory.errors import InvalidInput

__all__ = ["SCALES", "Unit", "check_manifest", "check_worker_code", "code_version", "compute", "plan", "run_units", "work"]

def _load_presets() -> dict[str, dict[str, Any]]:
    """The quick and full scales, from ``numerics/app/presets.json`` (data, documented in docs/reproduce.md)."""
    doc = json.loads((Path(__file__).parent / "presets.json").read_text(encoding="utf-8"))
    return {"quick": doc["quick"], "full": doc["full"]}


# Paper-scale and quick presets (times measured on the 2-core reference machine: docs/reproduce.md).
SCALES: dict[str, dict[str, Any]] = _load_presets()


@dataclass(frozen=True)
class Unit:
    """One cached piece of work: ``kind`` is a claim ID or E1–E4; ``params`` are JSON values."""

    kind: str
    params: tuple[tuple[str, Any], ...]

    @staticmethod
    def of(kind: str, **params: Any) -> Unit:
        return Unit(kind, tuple(sorted(params.items())))

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "params": dict(self.params)}

    def key(self, code: str) -> str:
        text = json.dumps({"unit": self.as_dict(), "code": code}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def label(self) -> str:
        p = dict(self.params)
        if self.kind.startswith("C"):
            return f"claim {self.kind}"
        shown = [f"{n}={p[n]}" for n in ("teacher", "target", "t", "student", "optimizer", "d", "k", "sigma", "n_data")
                 if p.get(n) is not None]
        if p.get("init") == "symmetric" and p.get("student") == "diagonal":
            shown.append(f"negative_fraction={p['negative_fraction']}")
        return f"{self.kind} " + " ".join(shown)


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """tempx version, a hash of the installed theory/ and numerics/ sources, and the GD engine.

    The engine (numba kernel or numpy) is part of it because the two agree only to round-off.
    """
    from tempx import numerics, theory
    from tempx.numerics.students import dense_kernels as kernels

    h = hashlib.sha256()
    for pkg in (theory, numerics):
        assert pkg.__file__ is not None  # regular packages, never namespace packages
        root = Path(pkg.__file__).parent
        for path in sorted([*root.rglob("*.py"), *root.rglob("*.json")]):
            h.update(path.relative_to(root.parent).as_posix().encode())
            h.update(path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}.{'numba' if kernels.AVAILABLE else 'numpy'}"


def plan(scale: str, seed: int, claim_ids: list[str] | None = None, config: dict[str, Any] | None = None) -> list[Unit]:
    """Every unit of a reproduction, in report order."""
    from tempx.theory.claims import CLAIMS

    cfg = config if config is not None else SCALES[scale]
    ids = [c.id for c in CLAIMS] if claim_ids is None else claim_ids
    units = [Unit.of(cid, seed=seed) for cid in ids]
    for name in ("E1", "E4"):
        if name in cfg:
            e = cfg[name]
            units += [Unit.of(name, d=d, k=k, sigma=s, seeds=e["seeds"], steps=e["steps"], lr=e["lr"], seed=seed,
                              n_data=e["n_data"] if name == "E4" else None)
                      for d, k in e["cells"] for s in e["sigmas"]]
    if "E1L" in cfg:
        e = cfg["E1L"]
        units += [Unit.of("E1L", d=d, k=k, sigma=s, seeds=e["seeds"], t_max=e["t_max"], q_factor=e["q_factor"],
                          certify=s <= e["certify_sigma_max"], seed=seed)
                  for d, k in e["cells"] for s in e["sigmas"]]
    if "E2" in cfg:
        e = cfg["E2"]
        units += [Unit.of("E2", d=e["d"], k=k, seeds=e["seeds"], sigma=e["sigma"], cap=e["cap"], steps=e["steps"],
                          lr=e["lr"], seed=seed) for k in e["ks"]]
    if "E3" in cfg:
        e = cfg["E3"]
        units.append(Unit.of("E3", d=e["d"], k=e["k"], q_max=e["q_max"], steps=e["steps"], lr=e["lr"], seed=seed))
    if "E5" in cfg:
        e = cfg["E5"]
        units += [Unit.of("E5", teacher=t, d=e["d"], k=k, sigma=s, seeds=e["seeds"], steps=e["steps"], lr=e["lr"],
                          q=e["q"], seed=seed) for t in e["teachers"] for k in e["ks"] for s in e["sigmas"]]
    if "E6" in cfg:
        e = cfg["E6"]
        units += [Unit.of("E6", teacher=t, d=e["d"], k=e["k"], sigma=s, seeds=e["seeds"], steps=e["steps"], lr=e["lr"],
                          q=e["q"], seed=seed) for t in e["teachers"] for s in e["sigmas"]]
    if "E7" in cfg:
        e = cfg["E7"]
        common = {"d": e["d"], "k": e["k"], "seeds": e["seeds"], "t_max": e["t_max"], "max_evals": e["max_evals"],
                  "q": e["q"], "seed": seed}
        from tempx.numerics.students import get as get_student

        units += [Unit.of("E7", teacher=t, student=st, sigma=s, init=get_student(st).inits[0], negative_fraction=0.0,
                          **common) for t in e["teachers"] for st in e["students"] for s in e["sigmas"]]
        units += [Unit.of("E7", teacher=t, student="diagonal", sigma=e["sign_sigma"], init="symmetric",
                          negative_fraction=f, **common) for t in e["sign_teachers"] for f in e["sign_fractions"]]
    if "E8" in cfg:
        e = cfg["E8"]
        units += [Unit.of("E8", teacher=t, student=st, d=e["d"], k=e["k"], sigma=s, seeds=e["seeds"], n_data=e["n_data"],
                          steps=e["steps"], lr=e["lr"], q=e["q"], mc_sequences=e["mc_sequences"], seed=seed)
                  for t in e["teachers"] for st in e["students"] for s in e["sigmas"]]
    if "E9" in cfg:
        e = cfg["E9"]
        units += [Unit.of("E9", student=series["student"], teacher=series["teacher"], d=d, k=k, sigma=s, seeds=e["seeds"],
                          t_max=e["t_max"], max_evals=e["max_evals"], q=e["q_factor"] * k, seed=seed)
                  for series in e["series"] for d, k in series["cells"] for s in e["sigmas"]]
    if "E10" in cfg:
        e = cfg["E10"]
        units += [Unit.of("E10", k=s["k"], d=s["d"], gap=s["gap"], sigma=sigma, seeds=e["seeds"], t_max=e["t_max"],
                          max_evals=e["max_evals"], terms=e["error_terms"], seed=seed)
                  for s in e["settings"] for sigma in s["sigmas"]]
    if "E11" in cfg:
        e = cfg["E11"]
        for t in e["horizons"]:
            for target in e["targets"]:
                units.append(Unit.of("E11", t=t, target=target, student="frontier", budgets=tuple(e["budgets"]), seed=seed))
                units += [Unit.of("E11", t=t, target=target, student=st, optimizer=opt, seeds=e["seeds"], steps=e["steps"],
                                  lr=e["lr_adam"] if opt == "adam" else e["lr_gd"], d_real=e["d_real"], r_min=e["r_min"],
                                  seed=seed) for st in ("real", "complex") for opt in ("gd", "adam")]
    return units


def compute(unit: Unit) -> Any:
    """The result of one unit (JSON values only, no timings)."""
    from tempx.numerics.app.experiments import (
        extrapolation_curves,
        init_scale_sweep,
        symmetric_experiment,
        teacher_experiment,
    )
    from tempx.theory.claims import get_claim

    p = dict(unit.params)
    if unit.kind.startswith("C"):
        claim = get_claim(unit.kind)
        verdict = claim.check(p["seed"]).as_dict()
        verdict.pop("seconds")
        return {"title": claim.title, "kind": claim.kind, "statement": claim.statement, **verdict}
    if unit.kind in ("E1", "E4"):
        return init_scale_sweep([p["d"]], [p["k"]], [p["sigma"]], p["seeds"], lr=p["lr"], steps=p["steps"],
                                n_data=p["n_data"], seed=p["seed"])
    if unit.kind == "E1L":
        from tempx.numerics.app.experiments import limit_sweep

        return limit_sweep(p["d"], p["k"], p["sigma"], p["seeds"], seed=p["seed"], q=p["q_factor"] * p["k"],
                           t_max=p["t_max"], certify=p["certify"])
    if unit.kind == "E2":
        return symmetric_experiment(p["d"], [p["k"]], p["seeds"], sigma=p["sigma"], cap=p["cap"], lr=p["lr"],
                                    steps=p["steps"], seed=p["seed"])
    if unit.kind == "E3":
        return extrapolation_curves(p["d"], p["k"], p["q_max"], seed=p["seed"], lr=p["lr"], steps=p["steps"])
    if unit.kind == "E8":
        return init_scale_sweep([p["d"]], [p["k"]], [p["sigma"]], p["seeds"], lr=p["lr"], steps=p["steps"], q=p["q"],
                                n_data=p["n_data"], seed=p["seed"], teacher=p["teacher"], student=p["student"],
                                mc_sequences=p["mc_sequences"], experiment="E8")
    if unit.kind in ("E7", "E9"):
        from tempx.numerics.app.experiments import limit_sweep

        return limit_sweep(p["d"], p["k"], p["sigma"], p["seeds"], seed=p["seed"], q=p["q"], t_max=p["t_max"],
                           certify=unit.kind == "E7", teacher=p["teacher"], student=p["student"],
                           init=p["init"] if unit.kind == "E7" else None,
                           negative_fraction=p["negative_fraction"] if unit.kind == "E7" else 0.0,
                           experiment=unit.kind, max_evals=p["max_evals"])
    if unit.kind == "E10":
        from tempx.numerics.app.poisoning import poisoning_cell

        return poisoning_cell(p["k"], p["d"], p["sigma"], p["gap"], p["seeds"], seed=p["seed"], t_max=p["t_max"],
                              max_evals=p["max_evals"], terms=p["terms"])
    if unit.kind == "E11":
        from tempx.numerics.app.realcomplex import e11_cell, e11_frontier

        if p["student"] == "frontier":
            return e11_frontier(p["t"], p["target"], p["budgets"], seed=p["seed"])
        return e11_cell(p["t"], p["target"], p["student"], p["optimizer"], p["seeds"], p["steps"], p["lr"], p["d_real"],
                        p["r_min"], seed=p["seed"])
    if unit.kind in ("E5", "E6"):
        return teacher_experiment(unit.kind, p["teacher"], p["d"], [p["k"]], [p["sigma"]], p["seeds"], lr=p["lr"],
                                  steps=p["steps"], q=p["q"], seed=p["seed"])  # E5, E6: dense students, gaussian init
    raise InvalidInput(f"unknown unit kind {unit.kind!r}")


def work(unit: Unit) -> dict[str, Any]:
    """Compute one unit wherever it runs: its result, its seconds, and the code version that ran it.

    A pure function of the unit (seeds included): it writes nothing, so a worker needs no access
    to the output folder, and a unit recomputed after a worker died gives the same result.
    """
    from tempx.numerics.blas_threads import single_blas_thread

    start = time.perf_counter()
    with single_blas_thread():  # the same bits on a Dask worker, in a pool process or here
        result = compute(unit)
    return {"result": result, "seconds": time.perf_counter() - start, "code": code_version()}


def _duration(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"


def check_worker_code(worker: str, client: str) -> None:
    """Refuse a result computed by another code version (a cluster worker with another install)."""
    if worker != client:
        raise InvalidInput(f"a worker runs tempx {worker}, this client {client}: install the same version on every worker")


def check_manifest(out: Path, code: str) -> None:
    """Refuse an output folder that holds results of another code version (``run_units`` records
    ours once its executor is up, so a scheduler that cannot be reached leaves no manifest)."""
    manifest = out / "manifest.json"
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise InvalidInput(f"{str(out)!r} has an unreadable manifest.json; use another --out") from None
        if old.get("code_version") != code:
            raise InvalidInput(
                f"{str(out)!r} holds results of tempx {old.get('code_version')}, this is {code}; "
                "use another --out (nothing there was changed)"
            )


def record_manifest(out: Path, code: str) -> None:
    if not (out / "manifest.json").exists():
        write_text_atomic(out / "manifest.json", json.dumps({"code_version": code}, indent=1))


ETA_TRUST = 0.25  # the share of the plan's estimated work done before the measured speed rescales the ETA


def _eta(to_do: float, done: float, elapsed: float, workers: int) -> float:
    """Seconds left: the plan's estimate of the work not done, spread over the workers (``tempx reproduce
    --dry-run``'s own numbers), rescaled by the speed measured so far once ``ETA_TRUST`` of it is done (the
    factor clamped to [1/2, 2]: one slow first unit, a kernel compiling, must not multiply the ETA by 100)."""
    left = max(to_do - done, 0.0) / max(workers, 1)
    if to_do > 0 and done >= ETA_TRUST * to_do:
        left *= min(2.0, max(0.5, elapsed / max(done / max(workers, 1), 1e-9)))
    return left


def _scheduler_workers(scheduler: str, jobs: int) -> int:
    from tempx.numerics.drivers.executors import parse_scheduler

    kind, value = parse_scheduler(scheduler)
    return int(value) if kind == "local" else max(jobs, 1)


def run_units(
    units: list[Unit], out: Path, code: str, jobs: int, report: Callable[[str], None], scheduler: str | None = None
) -> tuple[dict[Unit, Any], dict[str, float]]:
    """Load cached units, compute the missing ones through the executor seam, write each cache entry.

    ``jobs`` local processes, or a Dask cluster (``scheduler``: an address or ``local:N``); the
    client writes every cache file atomically as its unit arrives, so an interrupted run keeps
    what finished and the results do not depend on who computed them.
    """
    from concurrent.futures import as_completed

    from tempx.numerics.drivers.executors import executor_for

    cache = out / "cache"  # created once the executor is up, with the manifest
    results: dict[Unit, Any] = {}
    timings: dict[str, float] = {}

    def load(unit: Unit) -> bool:
        path = cache / f"{unit.key(code)}.json"
        if not path.exists():
            return False
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return False  # a damaged entry (written by hand?) is recomputed
        results[unit] = entry["result"]
        timings[unit.label()] = entry["seconds"]
        return True

    from tempx.numerics.app.costs import estimate_seconds, order

    estimate = {u: estimate_seconds(u.kind, dict(u.params)) for u in units}
    # longest first, each compiled kernel compiled once (costs.order); the order changes no result
    missing = order([u for u in units if not load(u)], estimate)
    total, done = len(units), len(units) - len(missing)
    if done:
        report(f"[{done}/{total}] found {done} finished units in {cache}")
    to_do, done_estimate, start = sum(estimate[u] for u in missing), 0.0, time.perf_counter()

    def store(unit: Unit, got: dict[str, Any], remote: bool) -> None:
        nonlocal done, done_estimate
        if remote:
            check_worker_code(got["code"], code)
        entry = {"unit": unit.as_dict(), "code": code, "result": got["result"], "seconds": got["seconds"]}
        write_text_atomic(cache / f"{unit.key(code)}.json", json.dumps(entry, sort_keys=True))
        load(unit)
        done += 1
        done_estimate += estimate[unit]
        eta = _eta(to_do, done_estimate, time.perf_counter() - start, workers)
        report(f"[{done}/{total}] {unit.label()}  {got['seconds']:.1f}s  (eta {_duration(eta)})")

    workers = 1 if len(missing) <= 1 else (jobs if scheduler is None else _scheduler_workers(scheduler, jobs))
    with executor_for(jobs if len(missing) > 1 else 1, scheduler) as ex:
        record_manifest(out, code)
        ensure_dir(cache)
        if ex is None:
            for unit in missing:
                store(unit, work(unit), remote=False)
        else:
            futures = {ex.submit(work, unit): unit for unit in missing}
            try:
                for fut in as_completed(futures):
                    store(futures[fut], fut.result(), remote=True)
            except BaseException:
                for fut in futures:
                    fut.cancel()
                raise
    return results, timings

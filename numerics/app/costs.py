"""What a reproduce unit costs, estimated before it runs: for the order of the work, its ETA and ``--dry-run``.

A unit's estimate is ``SECONDS_PER_WORK[kind] × work(unit)``, with a size measure that grows as the work
does: seeds × d² × k (a flow: seeds × k × (256 + d²)/2, since below d ≈ 16 a flow's time is its solver's
overhead), scaled by steps / 20 000 for gradient descent, by n / 8 for the BPTT of an Elman
student on n sequences, and by 8 for the flows of diagonal, complex and LRU students (many short solver
steps: their flows stop on the evaluation budget more often).  The coefficients are the per-kind totals of
measured seconds over total work in one run of the quick scale on the 2-core reference machine, one
process (``python benchmarks/reproduce.py --fit`` prints them).  Per unit the estimate is within
about 5× of the measured time; per kind, at the quick scale, it is exact by construction.

The estimates never change a result: they order the units and scale the elapsed time into an ETA.
``order`` puts longest first (so that the last unit to finish in a pool is a short one), except that a
compiled kernel is compiled once: the first unit of each kernel family goes first (largest compilation
first, one per worker), and the other units of a family whose compilation takes long (the Elman BPTT
kernel, about 45 s on the reference machine against 13 s for the dense GD kernel) go last, so that no
two workers compile the same kernel at once on a fresh install.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CLAIM_SECONDS", "SECONDS_PER_WORK", "estimate_seconds", "kernel_family", "order", "work"]

# seconds per unit of ``work`` (fitted on the cached units of two quick runs with --jobs 2 on 2026-12-07, the
# 2-core reference machine: E1, E3 and E8 from the warm run, the rest from the cold one; compilation excluded)
SECONDS_PER_WORK = {"E1": 2.75e-05, "E1L": 3.0e-04, "E2": 4.27e-05, "E3": 5.42e-05, "E4": 1.77e-05, "E5": 4.9e-05,
                    "E6": 4.84e-05, "E7": 7.91e-05, "E8": 2.79e-04, "E9": 1.12e-04, "E10": 1.66e-04,
                    "E11": 5.17e-04}
CLAIM_SECONDS = 0.214  # a claim check (mean over the claims)
DEFAULT_SECONDS_PER_WORK = 3e-4  # a kind not measured yet: the largest per-model coefficient above, rounded
_SLOW_FLOWS = ("diagonal", "complex", "lru")
_FLOW_KINDS = ("E1L", "E7", "E9")


# kernel family -> seconds to compile it on a fresh install (numba; measured on the reference machine)
COMPILE_SECONDS = {"elman": 46.0, "dense-gd": 13.0}
_GD_KINDS = ("E1", "E2", "E3", "E4", "E5", "E6", "E8")


def kernel_family(kind: str, params: dict[str, Any]) -> str | None:
    """The compiled kernel a unit runs (None: none; the flows run numpy, the claims exact arithmetic)."""
    if kind not in _GD_KINDS:
        return None
    return "elman" if params.get("student") in ("tanh", "relu", "identity") else "dense-gd"


def order(units: list[Any], seconds: dict[Any, float]) -> list[Any]:
    """``units`` (with ``kind`` and ``params``) in the order to submit them (see the module docstring)."""
    by_time = sorted(units, key=lambda u: -seconds[u])
    first: dict[str, Any] = {}
    for u in by_time:
        fam = kernel_family(u.kind, dict(u.params))
        if fam is not None and fam not in first:
            first[fam] = u
    heads = sorted(first.values(), key=lambda u: -COMPILE_SECONDS[kernel_family(u.kind, dict(u.params)) or ""])
    late = [u for u in by_time if u not in heads and kernel_family(u.kind, dict(u.params)) == "elman"]
    return heads + [u for u in by_time if u not in heads and u not in late] + late


def work(kind: str, params: dict[str, Any]) -> float:
    """The size measure of one unit (see the module docstring); 1 for a claim check."""
    if kind.startswith("C"):
        return 1.0
    if kind == "E11":  # per step a fixed overhead plus O(d t); the frontier: a few budgets of ~0.2 s
        if params.get("student") == "frontier":
            return 400.0 * len(params.get("budgets") or ()) * (params.get("t") or 32) / 32
        dim = params.get("d_real") if params.get("student") == "real" else params.get("t")
        return float(params.get("seeds") or 1) * (params.get("steps") or 1) * (1 + (dim or 1) * (params.get("t") or 1) / 1e5)
    d, k, seeds = params.get("d") or 1, params.get("k") or 1, params.get("seeds") or 1
    if kind in _FLOW_KINDS:  # a flow's step costs about a fixed overhead (d ≤ 16) and then P = d² + 2d
        w = float(seeds) * k * (256 + d * d) / 2
    else:
        w = float(seeds) * d * d * k
    if params.get("steps"):
        w *= params["steps"] / 20000
    if params.get("student") in ("tanh", "relu", "identity") and params.get("n_data"):
        w *= params["n_data"] / 8
    if params.get("student") in _SLOW_FLOWS and kind in ("E7", "E9"):
        w *= 8
    return w


def estimate_seconds(kind: str, params: dict[str, Any]) -> float:
    """Seconds one unit takes on the reference machine in one process (an estimate, see the module docstring)."""
    if kind.startswith("C"):
        return CLAIM_SECONDS
    return SECONDS_PER_WORK.get(kind, DEFAULT_SECONDS_PER_WORK) * work(kind, params)

"""Budgets: estimate what a request costs before doing it, refuse what is over the limit.

Memory: 4 GiB unless ``TEMPX_MEMORY_LIMIT`` (or ``tempx --memory-limit``) says otherwise: a
number of bytes or a size like ``500MB``, ``8GiB``, ``2G``.  The limit caps the process's peak resident
memory: a request is estimated as the interpreter with the exact and array libraries (``BASE_BYTES``, measured)
plus the arrays the request holds at once (float64 parameters and their working copies, Krylov
buffers, running sums; exact matrices at their entries' bit sizes).  ``benchmarks/estimates.py``
compares each estimate with the measured peak (target: 1× to 3× of it, never below), so a refusal
means "this would not fit", not "this would be a bit tight".  ``TEMPX_SHOW_ESTIMATES=1`` prints each
estimate to standard error as it is checked.

Work (exact arithmetic only, where cost grows fastest): ``WORK_LIMIT`` units unless
``TEMPX_WORK_LIMIT`` (or ``tempx --work-limit``) says otherwise.  A unit is calibrated to about
10 ns on the 2-core reference machine (measured: ``tempx threshold --teacher delay:500 --k 3``,
estimate 3.3e8 units, took 3.1 s; ``atoms:`` with 250 atoms i/250, 6.7e8 units, 17 s;
``tempx counterexample --k 200 --disguise 1``, 5.3e8 units, 4.8 s), so the default 3e9 units is
about half a minute of exact work.
"""

from __future__ import annotations

import os
import re
import sys

from tempx.theory.errors import InvalidInput

__all__ = [
    "DEFAULT_LIMIT",
    "ENV",
    "WORK_ENV",
    "WORK_LIMIT",
    "OverBudget",
    "bptt_bytes",
    "check_memory",
    "check_work",
    "disguise_work",
    "exact_matrix_bytes",
    "flow_bytes",
    "human",
    "memory_limit",
    "parse_size",
    "profile_work",
    "train_bytes",
    "work_limit",
]

ENV = "TEMPX_MEMORY_LIMIT"
DEFAULT_LIMIT = 4 * 1024**3
WORK_ENV = "TEMPX_WORK_LIMIT"
SHOW_ENV = "TEMPX_SHOW_ESTIMATES"
SLACK = 1.1  # the allocator's slack and a command's temporary objects, on top of what an estimate counts
# Python with numpy, sympy and python-flint loaded: `tempx counterexample --k 3` and `tempx threshold --k 3`
# peaked at 98–101 MB (benchmarks/estimates.py, 2026-12-03)
BASE_BYTES = 100 * 1024**2
# numba and LLVM, scipy's solvers and matplotlib, which the float commands load after their memory check: a
# d = 20 `tempx train` peaked at 204 MB against 98 MB at its check (benchmarks/estimates.py, 2026-12-03)
NUMERIC_LIBRARIES = 128 * 1024**2
# matplotlib and the figures of a command that draws (tempx sweep): a d = 20 sweep peaked at 259 MB, 8 MB above
# the training estimate without it (benchmarks/estimates.py, 2026-12-03)
FIGURES_BYTES = 48 * 1024**2
WORK_LIMIT = 3e9
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 1024, "m": 10**6, "mb": 10**6, "mib": 1024**2,
          "g": 10**9, "gb": 10**9, "gib": 1024**3, "t": 10**12, "tb": 10**12, "tib": 1024**4}


class OverBudget(InvalidInput):
    """A request whose memory or work estimate is over the limit: refused before the work, and
    never taken for a failed check (``tempx verify`` with a tiny limit refuses, it does not fail)."""


def parse_size(text: str, name: str = ENV) -> int:
    """Bytes from '4GiB', '500MB', '2G' or a plain number of bytes."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
    if m is None or m.group(2).lower() not in _UNITS:
        raise InvalidInput(f"{name} must be a size like 4GiB, 500MB or a number of bytes, got {text!r}")
    value = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if not (value >= 1 and value < 2**63):
        raise InvalidInput(f"{name} must be a size like 4GiB, 500MB or a number of bytes >= 1, got {text!r}")
    return int(value)


def memory_limit() -> int:
    text = os.environ.get(ENV)
    return DEFAULT_LIMIT if text is None or not text.strip() else parse_size(text)


def human(n: float) -> str:
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} B"


def _show(kind: str, what: str, value: str) -> None:
    if os.environ.get(SHOW_ENV, "").strip() not in ("", "0"):
        print(f"tempx: estimate: {kind}: {what}: {value}", file=sys.stderr)


def check_memory(what: str, nbytes: float) -> None:
    """Refuse ``what`` with one line when the process (``BASE_BYTES``) with the request's ``nbytes``, and the
    allocator's ``SLACK``, is over the limit."""
    limit = memory_limit()
    nbytes = SLACK * (float(nbytes) + BASE_BYTES)
    _show("memory", what, f"{nbytes:.6g} bytes")
    if nbytes > limit:
        raise OverBudget(f"{what} needs about {human(nbytes)}, over the memory limit of {human(limit)} "
                           f"(raise it with {ENV}=SIZE or 'tempx --memory-limit SIZE')")


def train_bytes(n_models: int, d: int, k: int, q_max: int, n_data: int | None = None) -> float:
    """GD or flow on N models: parameters and their working copies (~6 N d²), forward and backward
    Krylov buffers (~6 N k d), teacher terms and running sums (q), and Σ̂ (k²) with finite data."""
    floats = 6.0 * n_models * d * d + 6.0 * n_models * k * d + 2.0 * q_max + 4.0 * k + 8.0 * n_models
    if n_data is not None:
        floats += 2.0 * k * k + n_data * k
    return 8.0 * floats + NUMERIC_LIBRARIES


def bptt_bytes(n_models: int, d: int, k: int, n_sequences: int, mc_sequences: int = 0) -> float:
    """GD on N non-linear (Elman) students: pre-activations and states of every sequence and step kept for
    back-propagation through time (2 N n k d in the numpy engine), the gradient terms (~3 N n k), and the
    Monte Carlo evaluation's states (N · mc · d, twice)."""
    floats = 2.0 * n_models * n_sequences * k * d + 3.0 * n_models * n_sequences * k + 2.0 * n_models * mc_sequences * d
    return 8.0 * floats + train_bytes(n_models, d, k, 1)


def flow_bytes(d: int) -> float:
    """The stiff solver of one model's gradient flow: a few P × P matrices, P = d² + 2d parameters
    (its Jacobian, the LU factors of its iteration matrix, the Gauss–Newton product)."""
    p = d * d + 2 * d
    return 8.0 * 4 * p * p


def work_limit() -> float:
    text = os.environ.get(WORK_ENV)
    if text is None or not text.strip():
        return WORK_LIMIT
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 1:  # also NaN
        raise InvalidInput(f"{WORK_ENV} must be a number of work units >= 1 (like 3e9), got {text!r}")
    return value


def check_work(what: str, units: float) -> None:
    """Refuse ``what`` with one line when its exact-work estimate is over the limit."""
    limit = work_limit()
    _show("work", what, f"{units:.6g} units")
    if units > limit:
        raise OverBudget(f"{what} is estimated at {units:.2g} units of exact work (about {units * 1e-8:.2g} s), "
                           f"over the limit of {limit:.2g} (raise it with {WORK_ENV}=N or 'tempx --work-limit N')")


def profile_work(n_terms: int, growth_bits: float, base_bits: float) -> float:
    """Berlekamp–Massey over ``n_terms`` exact terms whose i-th term has about
    i·``growth_bits`` + ``base_bits`` bits: step j does O(j) operations on such numbers."""
    n = float(n_terms)
    return n**3 * max(growth_bits, 1.0) / 3 + n**2 * max(base_bits, 1.0) / 2


def disguise_work(d: int, bits: float = 1.0) -> float:
    """A random rational change of basis of a d×d system: products and an inverse of d×d rational
    matrices whose entries grow to O(d) bits (measured growth about d⁴ overall)."""
    return d**4 * max(bits, 1.0) / 3


def exact_matrix_bytes(rows: int, cols: int, bits: float = 1.0) -> float:
    """A dense exact (python-flint) matrix that is also written out: about 48 bytes an entry and its digits, and
    about 64 bytes an entry for its text (one Python string each, in the JSON or table of the output)."""
    return rows * cols * (112.0 + max(bits, 1.0) / 4)

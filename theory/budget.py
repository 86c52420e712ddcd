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
``TEMPX_WORK_LIMIT`` (or ``tempx --work-limit``) says otherwise.  A unit is about 10 ns on the 2-core reference
machine, and each estimate is fitted to measured times of the stage it covers and set 1–3× above them
(``benchmarks/estimates.py`` prints estimate / measured time per stage; ``TEMPX_SHOW_ESTIMATES=1`` also prints
when each checked stage ended), so the default 1e10 units allows a request measured to take about 33–100 s of exact
work.  ``tempx certify --method auto`` spends at most ``tempx.theory.linf.AUTO_EXACT_WORK`` (3e9) on the exact
L_inf before it takes the enclosure.
"""

from __future__ import annotations

import atexit
import os
import re
import sys
import time
from typing import Self

from tempx.theory.errors import InvalidInput

__all__ = [
    "DEFAULT_LIMIT",
    "ENV",
    "LSODA_MAX_PARAMS",
    "WORK_ENV",
    "WORK_LIMIT",
    "OverBudget",
    "Stage",
    "bptt_bytes",
    "check_memory",
    "check_train_time",
    "check_work",
    "diagonal_report_work",
    "disguise_work",
    "exact_matrix_bytes",
    "flow_bytes",
    "flow_seconds",
    "gd_seconds",
    "human",
    "lagrange_work",
    "memory_limit",
    "parse_size",
    "profile_bytes",
    "profile_work",
    "report_work",
    "train_bytes",
    "vandermonde_work",
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
WORK_LIMIT = 1e10
# Berlekamp–Massey on exact terms (profile_work), fitted to `tempx threshold` on delay:300 … delay:1000 (0.5–5.7 s),
# atoms i/250 (n = 201 … 501 terms, 0.4–7.6 s), i/1009 and 1/i (n = 81 … 241, 0.6–404 s): fitted 290 and 1.9e-4,
# then ×1.8 and ×2.6 (the 1/i atoms, dearest per bit², set the second) so that every estimate is 1–3× the
# measured time (1.02–2.69; benchmarks/estimates.py)
PROFILE_OP = 520.0
PROFILE_BIT2 = 4.9e-4
# the change of basis of a disguised counterexample (disguise_work): d = 100 … 400 measured 0.7 µs·d^2.1, ×1.7
DISGUISE_UNIT = 1240.0
# the weights of a diagonal counterexample (lagrange_work, vandermonde_work): fitted, then ×1.5 and ×1.6
LAGRANGE_UNIT = 30.0
VANDERMONDE_UNIT = 0.01
# a counterexample's exact report (report_work): fitted, then ×1.9
REPORT_STEP = 91.0
REPORT_ENTRY = 13.5
REPORT_WORD = 5.0e-3
REPORT_BIT2 = 2.0e-4
REPORT_SINGLE = 0.5
REPORT_DENSE_D = 300.0
# a real diagonal student's report (diagonal_report_work): fitted, then ×1.9
DIAG_REPORT_PRODUCT = 8.85e-5
DIAG_REPORT_STEP = 23.9
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


_START = time.perf_counter()
_ENDS: list[bool] = []


def _showing() -> bool:
    return os.environ.get(SHOW_ENV, "").strip() not in ("", "0")


def _stamp() -> str:
    return f"at {time.perf_counter() - _START:.3f} s"


def _end() -> None:
    print(f"tempx: estimate: end: {_stamp()}", file=sys.stderr)


def _show(kind: str, what: str, value: str) -> None:
    """With ``TEMPX_SHOW_ESTIMATES`` set: the estimate and when it was checked (seconds since tempx was imported),
    and at the process's end one more line with the time, so the time each estimated stage took (from its check
    to the next work check or the end) can be set beside its estimate (``benchmarks/estimates.py``)."""
    if _showing():
        if not _ENDS:
            _ENDS.append(True)
            atexit.register(_end)
        print(f"tempx: estimate: {kind}: {what}: {value} {_stamp()}", file=sys.stderr)


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


# gradient flow integrates models of at most this many parameters with LSODA on P × P matrices (faster at that size),
# larger ones with the low-rank NDF (numerics.drivers.limit's method "auto")
LSODA_MAX_PARAMS = 256


def flow_bytes(n_params: int, k: int) -> float:
    """The stiff solver of one model's gradient flow on P = ``n_params`` parameters (``numerics.drivers.ndf``):
    its 8 backward differences, the Jacobian M of the k responses (k × P) and the k pullbacks that build it
    (k more copies of θ and their gradients), and about 12 working vectors of length P; models of at most
    ``LSODA_MAX_PARAMS`` parameters are integrated by LSODA on P × P matrices (a few, at most 2 MiB)."""
    small = min(n_params, LSODA_MAX_PARAMS)
    return 8.0 * n_params * (8 + 4 * k + 12) + 32.0 * small * small


# Gradient descent's time, estimated before it runs (the numba and numpy engines on the 2-core reference machine,
# within about 3× from d = 4 to 64: 200 000 steps of d = 4 in 1.5 s, 2 000 steps of N = 256, d = 64, k = 16 in 8 s)
GD_STEP_SECONDS = 5e-6  # a step's fixed cost
GD_FLOP_SECONDS = 1.5e-10  # per flop of the model 4·N·k·d² + 10·N·k·d (BPTT: times the sequences)
TRAIN_SECONDS_LIMIT = 86_400.0  # one run of at most a day; longer runs continue with --init-file from --save-params
TRAIN_ANNOUNCE_SECONDS = 60.0  # runs estimated longer than this say so on stderr before they start


def gd_seconds(n_models: int, d: int, k: int, steps: int, n_sequences: int | None = None) -> float:
    """Estimated seconds of ``steps`` GD steps on N students of size d at length k (``n_sequences``: BPTT on
    that many sequences per step, each a forward and backward sweep)."""
    flops = 4.0 * n_models * k * d * d + 10.0 * n_models * k * d
    if n_sequences is not None:
        flops *= max(1, n_sequences)
    return float(steps) * (GD_STEP_SECONDS + GD_FLOP_SECONDS * flops)


# The flow to its limit (numerics.drivers.limit), per model: about FLOW_EVALS gradient evaluations (2 000–3 200
# measured for dense students from σ = 0.1, d = 20 … 1 024), each a fixed cost and a pass over M (k × P) and θ
# (dense d = 256: 1.6 ms, d = 512: 7.8 ms, d = 1 024: 41 ms per evaluation, benchmarks/limit_certify.py).
FLOW_EVALS = 3000
FLOW_EVAL_SECONDS = 1e-4
FLOW_PARAM_SECONDS = 6e-9  # per parameter and response term


def flow_seconds(n_models: int, n_params: int, k: int) -> float:
    """Estimated seconds of ``n_models`` flows to their limits, one after the other (``--jobs`` divides it)."""
    return float(n_models) * FLOW_EVALS * (FLOW_EVAL_SECONDS + FLOW_PARAM_SECONDS * n_params * k)


def check_train_time(what: str, seconds: float) -> None:
    """Refuse a run estimated over ``TRAIN_SECONDS_LIMIT`` in one line; announce one over a minute on stderr."""
    _show("time", what, f"{seconds:.3g} s")
    if seconds > TRAIN_SECONDS_LIMIT:
        raise OverBudget(f"{what} is estimated at {_duration(seconds)}, over the limit of one run "
                         f"({_duration(TRAIN_SECONDS_LIMIT)}); take fewer steps, or split the run: --save-params, "
                         "then --init-file to continue")
    if seconds > TRAIN_ANNOUNCE_SECONDS:
        import sys

        print(f"{what}: estimated {_duration(seconds)}", file=sys.stderr, flush=True)


def _duration(seconds: float) -> str:
    for unit, size in (("days", 86_400.0), ("h", 3_600.0), ("min", 60.0)):
        if seconds >= (2 if unit == "days" else 1) * size:
            return f"about {seconds / size:.3g} {unit}"
    return f"about {seconds:.2g} s"


def work_limit() -> float:
    text = os.environ.get(WORK_ENV)
    if text is None or not text.strip():
        return WORK_LIMIT
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value >= 1:  # also NaN
        raise InvalidInput(f"{WORK_ENV} must be a number of work units >= 1 (like 1e10), got {text!r}")
    return value


class Stage:
    """The work a ``check_work`` allowed: used as a context manager around that work, it prints (with
    ``TEMPX_SHOW_ESTIMATES`` set) when the work ended, so that its time can be set beside its estimate."""

    def __init__(self, what: str) -> None:
        self.what = what

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if _showing() and exc[0] is None:
            print(f"tempx: estimate: done: {self.what}: {_stamp()}", file=sys.stderr)


def check_work(what: str, units: float) -> Stage:
    """Refuse ``what`` with one line when its exact-work estimate is over the limit; else the ``Stage`` to run the
    work in (``with check_work(what, units): ...``)."""
    limit = work_limit()
    _show("work", what, f"{units:.6g} units")
    if units > limit:
        raise OverBudget(f"{what} is estimated at {units:.2g} units of exact work (about {units * 1e-8:.2g} s), "
                           f"over the limit of {limit:.2g} (raise it with {WORK_ENV}=N or 'tempx --work-limit N')")
    return Stage(what)


def profile_work(n_terms: int, growth_bits: float, base_bits: float) -> float:
    """Berlekamp–Massey over ``n_terms`` exact terms whose i-th term has about B_i = ``base_bits`` + i·``growth_bits``
    bits: step j does O(j) rational operations on numbers of B_j bits, each a fixed cost (PROFILE_OP) and a gcd
    quadratic in the bits (PROFILE_BIT2): Σ_j j (c0 + c2 B_j²) = c0 n²/2 + c2 (b² n²/2 + 2 b g n³/3 + g² n⁴/4)."""
    n, g, b = float(n_terms), max(float(growth_bits), 0.0), max(float(base_bits), 1.0)
    return PROFILE_OP * n * n / 2 + PROFILE_BIT2 * (b * b * n * n / 2 + 2 * b * g * n**3 / 3 + g * g * n**4 / 4)


def profile_bytes(n_terms: int, growth_bits: float, base_bits: float) -> float:
    """Berlekamp–Massey's kept states: n connection polynomials of up to n/2 coefficients, the later ones as long as
    the terms (B_n = b + n·g bits): about n²·B_n/16 bytes (atoms 1/2 … 1/71: 141 terms of up to 28 462 bits kept
    15.9 MB, this estimate 35 MB)."""
    n = float(n_terms)
    return n * n * (max(float(base_bits), 1.0) + max(float(growth_bits), 0.0) * n) / 16


def disguise_work(d: int) -> float:
    """A random rational change of basis of a d×d system by S = P (I + u vᵀ) and its Sherman–Morrison inverse
    (``tempx.theory.counterexamples.disguise_matrices``): rank-one updates and a signed permutation with small
    entries, about d² operations a product; measured d^2.1 growth and no dependence on the values' bits
    (d = 100, 200, 400: 0.12, 0.51, 2.2 s; a 5-atom teacher's d = 200 counterexample 0.49 s)."""
    return DISGUISE_UNIT * float(d) ** 2.1


def lagrange_work(n: int, bits: float) -> float:
    """The weights of the memoryless teacher's diagonal counterexample on n nodes of at most ``bits`` bits
    (Lagrange's closed form, n² products of node differences): measured 0.036, 0.15, 0.61 s at n = 100, 200, 400
    nodes 1/i, 0.30 and 1.2 s at n = 300, 600 nodes i/1000, about 0.2 µs·n²·(bits + 10)."""
    return LAGRANGE_UNIT * float(n) ** 2 * (max(float(bits), 1.0) + 10)


def vandermonde_work(n: int, growth_bits: float) -> float:
    """The weights of another teacher's diagonal counterexample: the exact inverse of the n×n Vandermonde matrix of
    the nodes, whose powers add ``growth_bits`` = log₂ Q + log₂ max |Q·λ| a power (Q: the nodes' common
    denominator); measured 0.04–4.5 s for n = 60 … 120 nodes 1/i, i/1000 and i/7, about 62 ps·n⁴·(g + 40)."""
    return VANDERMONDE_UNIT * float(n) ** 4 * (max(float(growth_bits), 0.0) + 40)


def report_work(q: int, d: int, nonzeros: int, products: int, singles: int, growth_bits: float,
                dense: bool = False) -> float:
    """A counterexample's exact report: its impulse response and the teacher's to q terms (one sparse or dense
    matrix-vector product a term: d steps of bookkeeping and ``nonzeros`` entries visited; of these, ``products``
    sit in rows of several entries, summed on one common denominator, and ``singles`` are rows of one entry other
    than 1 — a diagonal's λ_j — each its own rational product; both multiply terms that grow by ``growth_bits`` a
    step) and the partial sums of the q squared residuals (gcds quadratic in their bits).  Fitted (least squares on
    relative error) to the memoryless teacher's k = 500 … 2000 (q = 4k) 0.56–8.6 s, disguised k = 60 … 200
    0.07–2.2 s, the 5-atom teacher's k = 100 … 700 0.09–10.9 s and disguised k = 60, 120 0.15, 2.8 s (0.6–1.17 of
    the time), and diagonal students on 300 and 600 nodes i/1000 (5.1, 45 s); then ×1.9.  A ``dense`` (disguised)
    A's products cost more per entry as d grows (69, 113, 209 ns an entry at d = 200, 300, 400: the rationals of
    its iterates lengthen with d), counted as 1 + (d/300)⁴."""
    n, g = float(q), max(float(growth_bits), 0.0)
    per_entry = REPORT_ENTRY * (1 + (d / REPORT_DENSE_D) ** 4 if dense else 1.0)
    return (REPORT_STEP * n * d + per_entry * n * nonzeros + REPORT_WORD * products * g * n * n
            + REPORT_SINGLE * singles * g * n * n + REPORT_BIT2 * g * g * n**3)


def diagonal_report_work(q: int, d: int, growth_bits: float) -> float:
    """A real diagonal student's exact report, its closed form over integers (``DiagonalStudent.impulse_response``:
    a term is Σ_j N_j p_j^i over G Q^i): q terms of d products of a growing integer (about i·g bits) by p_j, whose
    bits grow with g too, so a product costs about g·(g + 64)·i; plus d steps of bookkeeping a term.  Fitted (least
    squares on relative error; 0.88–1.09 of the time) to 300 and 600 nodes i/1000 (0.10, 0.73 s), 300 nodes i/7
    (0.06 s), 100 nodes 1/i against five atoms (0.21 s) and 400 nodes 1/i (157 s); then ×1.9."""
    g = max(float(growth_bits), 0.0)
    return DIAG_REPORT_PRODUCT * d * g * (g + 64) * float(q) ** 2 + DIAG_REPORT_STEP * d * float(q)


def exact_matrix_bytes(rows: int, cols: int, bits: float = 1.0) -> float:
    """A dense exact (python-flint) matrix that is also written out: about 48 bytes an entry and its digits, and
    about 64 bytes an entry for its text (one Python string each, in the JSON or table of the output)."""
    return rows * cols * (112.0 + max(bits, 1.0) / 4)

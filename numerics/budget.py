"""Memory budget: estimate what a request needs before allocating it, refuse what is over the limit.

The limit is 4 GiB unless ``TEMPX_MEMORY_LIMIT`` (or ``tempx --memory-limit``) says otherwise:
a number of bytes or a size like ``500MB``, ``8GiB``, ``2G``.  Estimates count the float64
arrays a command holds at once (parameters and their working copies, Krylov buffers, running
sums); they are meant to be within a small factor of the peak, so a refusal means "this would
not fit", not "this would be a bit tight".
"""

from __future__ import annotations

import os
import re

from tempx.theory.errors import InvalidInput

__all__ = ["DEFAULT_LIMIT", "ENV", "check_memory", "flow_bytes", "human", "memory_limit", "parse_size", "train_bytes"]

ENV = "TEMPX_MEMORY_LIMIT"
DEFAULT_LIMIT = 4 * 1024**3
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 1024, "m": 10**6, "mb": 10**6, "mib": 1024**2,
          "g": 10**9, "gb": 10**9, "gib": 1024**3, "t": 10**12, "tb": 10**12, "tib": 1024**4}


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


def check_memory(what: str, nbytes: float) -> None:
    """Refuse ``what`` with one line when its estimate ``nbytes`` is over the limit."""
    limit = memory_limit()
    if nbytes > limit:
        raise InvalidInput(f"{what} needs about {human(nbytes)}, over the memory limit of {human(limit)} "
                           f"(raise it with {ENV}=SIZE or 'tempx --memory-limit SIZE')")


def train_bytes(n_models: int, d: int, k: int, q_max: int, n_data: int | None = None) -> float:
    """GD or flow on N models: parameters and their working copies (~6 N d²), forward and backward
    Krylov buffers (~6 N k d), teacher terms and running sums (q), and Σ̂ (k²) with finite data."""
    floats = 6.0 * n_models * d * d + 6.0 * n_models * k * d + 2.0 * q_max + 4.0 * k + 8.0 * n_models
    if n_data is not None:
        floats += 2.0 * k * k + n_data * k
    return 8.0 * floats + 64 * 1024**2  # plus the interpreter and libraries


def flow_bytes(d: int) -> float:
    """The stiff solver of one model's gradient flow: a few P × P matrices, P = d² + 2d parameters
    (its Jacobian, the LU factors of its iteration matrix, the Gauss–Newton product)."""
    p = d * d + 2 * d
    return 8.0 * 4 * p * p

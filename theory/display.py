"""Readable ``repr`` of result objects: exact numbers that would print thousands of digits are shown by their size
and a short decimal enclosure, arrays by shape and a few entries, so a result typed at a prompt fits a screen.

``readable_repr`` is the ``__repr__`` of the result dataclasses (``Decision``, ``Enclosure``, ``LinfEnclosure``,
``Counterexample``, ``Threshold``, ``Verdict``, ``GDResult``, ``LimitResult``, ``FrontierPoint``); the exact values
stay in the objects' fields, unchanged.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction
from typing import Any

__all__ = ["LONG_DIGITS", "readable_repr", "short"]

LONG_DIGITS = 30  # a rational with more digits than this (numerator and denominator together) is summarized
MAX_ITEMS = 4  # entries of a sequence or array shown before "…"


def _decimal(x: Fraction, down: bool) -> str:
    """x to 6 significant digits rounded outward (toward −∞ for ``down``), exactly."""
    from tempx.theory.linf import bound_text

    return bound_text(x, down, 6)


def short(value: Any, depth: int = 0) -> str:
    """A short text for one field value (see the module docstring)."""
    if isinstance(value, Fraction):
        digits = len(str(abs(value.numerator))) + len(str(value.denominator))
        if digits <= LONG_DIGITS:
            return str(value)
        if value == 0:
            return "0"
        lo, hi = _decimal(value, True), _decimal(value, False)
        return (f"<rational of {len(str(abs(value.numerator)))}/{len(str(value.denominator))} digits in "
                f"[{lo}, {hi}]>")
    if hasattr(value, "shape") and hasattr(value, "dtype") and hasattr(value, "ravel"):  # a numpy array
        flat = value.ravel()
        shown = ", ".join(f"{x:.4g}" if isinstance(x, float) else str(x) for x in flat[:MAX_ITEMS].tolist())
        return f"array(shape={tuple(value.shape)}, dtype={value.dtype}, [{shown}{', …' if flat.size > MAX_ITEMS else ''}])"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields(value, depth + 1) if depth < 2 else f"{type(value).__name__}(…)"
    if isinstance(value, dict):
        items = [f"{k!r}: {short(v, depth + 1)}" for k, v in list(value.items())[:MAX_ITEMS]]
        return "{" + ", ".join(items) + (", …" if len(value) > MAX_ITEMS else "") + "}"
    if isinstance(value, (list, tuple)):
        items = [short(v, depth + 1) for v in value[:MAX_ITEMS]]
        more = ", …" if len(value) > MAX_ITEMS else ""
        body = ", ".join(items) + more
        return f"[{body}]" if isinstance(value, list) else f"({body}{',' if len(value) == 1 else ''})"
    if isinstance(value, str) and len(value) > 80:
        return repr(value[:77] + "…")
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "…"


def _fields(obj: Any, depth: int) -> str:
    fields = ", ".join(f"{f.name}={short(getattr(obj, f.name), depth)}" for f in dataclasses.fields(obj) if f.repr)
    return f"{type(obj).__name__}({fields})"


def readable_repr(obj: Any) -> str:
    """``TypeName(field=short value, …)`` for a dataclass instance (nested results one level deep)."""
    return _fields(obj, 0)

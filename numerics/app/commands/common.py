"""Argument parsing shared by the float-layer commands: one clear error per bad value."""

from __future__ import annotations

import math
from typing import Any

from tempx.numerics.app.formatting import parse_int
from tempx.numerics.app.io import finite_or_none
from tempx.theory.errors import InvalidInput

__all__ = ["finite_or_none", "float_list", "freeze_fields", "int_list", "nonneg_float", "nonneg_int", "positive_float", "positive_int"]


def positive_int(text: str, name: str) -> int:
    return parse_int(text, name, minimum=1)


def nonneg_int(text: str, name: str) -> int:
    return parse_int(text, name, minimum=0)


def _float(text: str, name: str) -> float:
    try:
        v = float(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(v):
        raise InvalidInput(f"{name} must be finite, got {text!r}")
    return v


def positive_float(text: str, name: str) -> float:
    v = _float(text, name)
    if v <= 0:
        raise InvalidInput(f"{name} must be > 0, got {text}")
    return v


def nonneg_float(text: str, name: str) -> float:
    v = _float(text, name)
    if v < 0:
        raise InvalidInput(f"{name} must be >= 0, got {text}")
    return v


def _split(text: str, name: str) -> list[str]:
    parts = [p.strip() for p in text.split(",")]
    if not text.strip() or any(not p for p in parts):
        raise InvalidInput(f"{name} must be a comma-separated list, got {text!r}")
    return parts


def int_list(text: str, name: str) -> list[int]:
    return [positive_int(p, name) for p in _split(text, name)]


def float_list(text: str, name: str) -> list[float]:
    return [positive_float(p, name) for p in _split(text, name)]


def freeze_fields(text: str | None, student: Any) -> tuple[str, ...]:
    """``--freeze b,c``: field names of the student (checked against its fields, each once)."""
    if text is None:
        return ()
    names = tuple(p.strip() for p in text.split(","))
    if not text.strip() or any(not n for n in names) or len(set(names)) != len(names):
        raise InvalidInput(f"--freeze must list field names once each, comma-separated (the {student.name} student's "
                           f"fields: {', '.join(student.fields)}), got {text[:60]!r}")
    unknown = [n for n in names if n not in student.fields]
    if unknown:
        raise InvalidInput(f"--freeze {', '.join(unknown)}: not a field of the {student.name} student (its fields: "
                           f"{', '.join(student.fields)})")
    if set(names) == set(student.fields):
        raise InvalidInput(f"--freeze {text}: every field frozen leaves nothing to train")
    return names

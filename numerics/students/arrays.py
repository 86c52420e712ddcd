"""Numbers and arrays of a JSON parameter file, read exactly then rounded to float64 (a floor below the
students: ``protocol.Student.from_json`` and ``files`` both read through it)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational

__all__ = ["json_array"]


def _number(x: Any, where: str) -> float:
    if isinstance(x, bool):
        raise InvalidInput(f"{where}: expected a number, got {x!r}")
    if isinstance(x, str) and x.strip() in ("NaN", "Infinity", "-Infinity"):
        raise InvalidInput(f"{where}: non-finite value {x!r}")
    try:
        if isinstance(x, float):
            v = x
        elif isinstance(x, (int, str)):
            v = float(parse_rational(x))
        else:
            raise InvalidInput(f"{where}: expected a number or a rational string, got {type(x).__name__}")
    except OverflowError:
        raise InvalidInput(f"{where}: {str(x)[:40]!r} is beyond the float64 range (±1.8e308)") from None
    except InvalidInput as err:
        raise InvalidInput(f"{where}: {err}") from None
    if not np.isfinite(v):
        raise InvalidInput(f"{where}: non-finite value {x!r}")
    return v


def json_array(value: Any, where: str, max_depth: int = 3) -> np.ndarray:
    """A rectangular nested list of numbers (at most ``max_depth`` levels) as a float64 array."""
    leaves: list[Any] = []

    def shape_of(v: Any, depth: int) -> tuple[int, ...]:
        if not isinstance(v, list):
            leaves.append(v)
            return ()
        if depth >= max_depth or not v:
            raise InvalidInput(f"{where}: expected a non-empty rectangular list of numbers (at most {max_depth} levels)")
        shapes = {shape_of(x, depth + 1) for x in v}
        if len(shapes) != 1:
            raise InvalidInput(f"{where}: rows of different lengths (expected a rectangular list of numbers)")
        return (len(v), *shapes.pop())

    shape = shape_of(value, 0)
    return np.array([_number(x, where) for x in leaves], dtype=np.float64).reshape(shape)

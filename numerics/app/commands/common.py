"""Argument parsing shared by the float-layer commands: one clear error per bad value."""

from __future__ import annotations

import math
from typing import Any

from tempx.numerics.app.formatting import parse_int
from tempx.numerics.app.io import finite_or_none
from tempx.theory.errors import InvalidInput

__all__ = ["add_optimizer_arguments", "finite_or_none", "float_list", "freeze_fields", "int_list", "nonneg_float", "nonneg_int", "optimizer_from", "positive_float", "positive_int"]


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


def add_optimizer_arguments(p: Any) -> None:
    """``--optimizer gd|adam``, Adam's ``--beta1 --beta2 --eps`` and ``--schedule constant|cosine`` (train, sweep)."""
    p.add_argument("--optimizer", choices=("gd", "adam"), default="gd",
                   help="gd: θ ← θ − η∇L (default); adam: bias-corrected Adam (torch.optim.Adam's update)")
    p.add_argument("--beta1", help="Adam: decay of the first moment, in [0, 1) (default 0.9)")
    p.add_argument("--beta2", help="Adam: decay of the second moment, in [0, 1) (default 0.999)")
    p.add_argument("--eps", help="Adam: ε >= 0 added to the root of the second moment (default 1e-8)")
    p.add_argument("--schedule", choices=("constant", "cosine"), default="constant",
                   help="step size: constant (default) or cosine, η_s = η(1 + cos(π s/S))/2 over the S steps")


def optimizer_from(args: Any) -> Any:
    """The ``Optimizer`` the flags ask for; Adam's flags without ``--optimizer adam`` are refused."""
    from tempx.numerics.drivers.optimizers import Optimizer

    given = [f"--{n}" for n in ("beta1", "beta2", "eps") if getattr(args, n) is not None]
    if args.optimizer != "adam" and given:
        raise InvalidInput(f"{', '.join(given)}: Adam's options; add --optimizer adam")

    def unit(text: str | None, name: str, default: float) -> float:
        v = default if text is None else _float(text, name)
        if not 0 <= v < 1:
            raise InvalidInput(f"{name} must lie in [0, 1), got {text}")
        return v

    eps = 1e-8 if args.eps is None else nonneg_float(args.eps, "--eps")
    return Optimizer(args.optimizer, unit(args.beta1, "--beta1", 0.9), unit(args.beta2, "--beta2", 0.999), eps,
                     args.schedule)

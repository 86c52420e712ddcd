"""``tempx.plot``: the report's figures as functions of your own results (defined in ``tempx.numerics.plot``)."""

from __future__ import annotations

from tempx.numerics.plot import exponents, frontier, limit, sweep

__all__ = ["exponents", "frontier", "limit", "sweep"]

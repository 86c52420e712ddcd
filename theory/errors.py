"""Exception types for bad input and violated hypotheses.

Both derive from ``ValueError`` so that callers who only know the standard library can still
catch them; the command line turns them into one line on stderr and exit status 2.
"""

from __future__ import annotations

__all__ = ["HypothesisViolation", "InvalidInput"]


class InvalidInput(ValueError):
    """A value given to tempx is outside what the function accepts (wrong size, c = 0, ...)."""


class HypothesisViolation(ValueError):
    """A claim was asked about parameters that do not satisfy the claim's hypotheses."""

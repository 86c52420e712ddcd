"""Exception types for bad input and violated hypotheses.

Both derive from ``ValueError`` so that callers who only know the standard library can still
catch them; the command line turns them into one line on stderr and exit status 2.
"""

from __future__ import annotations

__all__ = ["HypothesisViolation", "InvalidInput"]


class InvalidInput(ValueError):
    """A value given to tempx is outside what the function accepts (wrong size, c = 0, ...).

    A ``ValueError``: callers that catch ``ValueError`` catch it too.  The command line turns it
    into one line on stderr and exit status 2.

    Examples
    --------
    >>> from tempx.theory import counterexample
    >>> try:
    ...     counterexample(2, c=0)
    ... except InvalidInput as e:
    ...     print("refused")
    refused
    """


class HypothesisViolation(ValueError):
    """A claim was asked about parameters that do not satisfy the claim's hypotheses.

    A ``ValueError``.  Raised by ``Claim.hypotheses`` (for example C3 at d + d* > k), so that a
    check is never run outside the range its claim covers.

Examples
--------
>>> from tempx.theory import get_claim
>>> try:
...     get_claim("C3").hypotheses(form="interpolating", d=3, k=4, d_star=2)
... except HypothesisViolation:
...     print("outside C3's hypotheses")
outside C3's hypotheses
    """

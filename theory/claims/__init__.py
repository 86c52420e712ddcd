"""The claims registry: every claim tempx states, with its hypotheses and exact check.

``CLAIMS`` is the single list that ``tempx verify``, the tests and the docs iterate over, so
no claim can be registered without being checked and tested.
"""

from __future__ import annotations

from tempx.theory.claims import (
    c1_loss_identity,
    c2_counterexamples,
    c3_tightness,
    c4_invariants,
    c5_symmetric,
    c6_landscape,
    c10_threshold,
    c11_moment_tightness,
    c12_diagonal,
    c13_certified,
    c14_exact_linf,
    c15_relu,
    c16_poisoning,
    c17_real_complex,
)
from tempx.theory.claims.registry import Claim, Evidence, Kind, Verdict, evidence
from tempx.theory.errors import InvalidInput

__all__ = ["CLAIMS", "Claim", "Evidence", "Kind", "Verdict", "evidence", "get_claim", "verify"]

CLAIMS: tuple[Claim, ...] = tuple(
    m.CLAIM for m in (c1_loss_identity, c2_counterexamples, c3_tightness, c4_invariants, c5_symmetric, c6_landscape,
                 c10_threshold, c11_moment_tightness, c12_diagonal, c13_certified, c14_exact_linf, c15_relu,
                 c16_poisoning, c17_real_complex)
)


def get_claim(claim_id: str) -> Claim:
    """The registered claim with this ID (case-insensitive).

    Parameters
    ----------
    claim_id : str
        "C1" … "C17".

    Returns
    -------
    Claim

    Raises
    ------
    InvalidInput
        For an ID that is not registered (the message lists the registered ones).

    Examples
    --------
    >>> get_claim("c2").id
    'C2'
    """
    for claim in CLAIMS:
        if claim.id.lower() == claim_id.strip().lower():
            return claim
    known = ", ".join(c.id for c in CLAIMS)
    raise InvalidInput(f"unknown claim ID {claim_id!r} (known: {known})")


def verify(claim_ids: list[str] | None = None, seed: int = 0) -> list[Verdict]:
    """Run the exact checks of the given claims (all by default) from one seed.

    Parameters
    ----------
    claim_ids : list of str, optional
        Claim identifiers like ``"C5"`` (case-insensitive; ``CLAIMS`` lists them); all claims when omitted.
    seed : int, optional
        The seed every claim draws its random instances from (default 0); a claim's edge cases are always included.

    Returns
    -------
    list of Verdict
        One per claim, in order: ``passed``, the ``evidence`` (each check with its exact values) and ``seconds``.

    Raises
    ------
    InvalidInput
        For an unknown claim identifier or a negative seed (a ``ValueError``).

    Examples
    --------
    >>> [v.passed for v in verify(["C5"])]
    [True]
    """
    claims = CLAIMS if claim_ids is None else tuple(get_claim(c) for c in claim_ids)
    return [claim.check(seed) for claim in claims]

"""The claim registry's vocabulary: what a claim is, and what checking it returns.

A claim has an ID (C1 … C9), a kind, a statement in plain text and LaTeX, its hypotheses
as code, and a check.  A check draws its parameters from a seed, verifies the claim on
each instance exactly and returns a ``Verdict`` holding the computed and expected values
side by side, so a reader sees claim and evidence in one object.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sympy.polys.matrices import DomainMatrix

from tempx.theory.budget import OverBudget
from tempx.theory.display import readable_repr

__all__ = ["SEED_SPACE", "Claim", "Evidence", "Kind", "Verdict", "draw_seed", "evidence"]

# Instance generators draw the seeds of their random objects from [0, SEED_SPACE]: any range
# gives instances that satisfy the hypotheses, so this is a choice of variety, not of strength.
SEED_SPACE = 10**6


def draw_seed(rng: Any) -> int:
    """A seed for one random object of a claim instance (``random.Random`` in, int out)."""
    return int(rng.randint(0, SEED_SPACE))

Kind = Literal["identity", "existence", "implication", "bound", "convergence"]


@dataclass(frozen=True)
class Evidence:
    """One exact comparison: ``computed relation expected`` and whether it holds.

    Attributes
    ----------
    name : str
        What was compared.
    computed, expected : str
        The two sides, printed exactly.
    holds : bool
        Whether ``computed relation expected`` is true.
    relation : str
        "==", "<=", "!=", … .
    params : Mapping
        The instance's parameters.
    """

    name: str
    computed: str
    expected: str
    holds: bool
    relation: str = "=="
    params: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "params": dict(self.params),
            "computed": self.computed,
            "relation": self.relation,
            "expected": self.expected,
            "holds": self.holds,
        }


MAX_SHOWN = 240


def _show(x: Any) -> str:
    """Exact text of a value; long texts (large polynomials) are shortened to a prefix and a digest."""
    if isinstance(x, (list, tuple)):
        text = "[" + ", ".join(_show(v) for v in x) + "]"
    elif hasattr(x, "to_list"):  # DomainMatrix
        text = _show(x.to_list())
    else:
        text = str(x)
    if len(text) > MAX_SHOWN:
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        text = f"{text[:80]}… ({len(text)} chars, sha256 {digest})"
    return text


def _comparable(x: Any) -> Any:
    """Matrices compare by shape and entries, whatever backend (fmpq_mat, dense, sparse) holds them."""
    if isinstance(x, DomainMatrix):
        return (x.shape, x.domain, x.to_list())
    if isinstance(x, (list, tuple)):
        return [_comparable(v) for v in x]
    return x


def evidence(name: str, computed: Any, expected: Any, **params: Any) -> Evidence:
    """Exact equality evidence: ``computed == expected`` (rationals, polynomials, matrices)."""
    holds = bool(_comparable(computed) == _comparable(expected))
    return Evidence(name, _show(computed), _show(expected), holds, "==", params)


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one claim: its evidence, pass or fail, and the time taken.

    Attributes
    ----------
    claim_id : str
        "C1" … "C17".
    passed : bool
        True when every piece of evidence holds.
    evidence : tuple of Evidence
        Every exact comparison made.
    seed : int
        The seed of the instances.
    seconds : float
        Wall-clock time of the check.
    """

    __repr__ = readable_repr  # long rationals and arrays summarized (tempx.theory.display)

    claim_id: str
    passed: bool
    evidence: tuple[Evidence, ...]
    seed: int
    seconds: float

    @property
    def failures(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if not e.holds)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.claim_id,
            "passed": self.passed,
            "seed": self.seed,
            "seconds": round(self.seconds, 4),
            "n_checks": len(self.evidence),
            "evidence": [e.as_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class Claim:
    """A registered claim: its statement, hypotheses, default instances and exact check.

    Attributes
    ----------
    id : str
        "C1" … "C17".
    kind : str
        identity, existence, implication, bound, convergence, … (the ledger's column).
    title, statement, latex : str
        A short title, the statement in words, and the statement in LaTeX.
    hypotheses : callable
        ``hypotheses(**params)`` raises ``HypothesisViolation`` when parameters do not satisfy the claim.
    instances : callable
        ``instances(seed)`` lists the parameter sets a default check covers (all satisfying the
        hypotheses, and covering the edge cases the claim states).
    check_instance : callable
        ``check_instance(**params)`` returns a list of exact ``Evidence``.
    code, test : str
        Where the claim is implemented and tested.

    Examples
    --------
    >>> from tempx.theory import get_claim
    >>> get_claim("C3").kind
    'implication'
    """

    id: str
    kind: Kind
    title: str
    statement: str
    latex: str
    hypotheses: Callable[..., None]
    instances: Callable[[int], list[dict[str, Any]]]
    check_instance: Callable[..., list[Evidence]]
    code: str
    test: str

    def check(self, seed: int = 0) -> Verdict:
        """Verify every instance drawn from ``seed``; passed iff all evidence holds."""
        start = time.perf_counter()
        found: list[Evidence] = []
        for params in self.instances(seed):
            self.hypotheses(**params)
            try:
                found.extend(self.check_instance(**params))
            except OverBudget:  # the request does not fit the limits: refused, not failed
                raise
            except Exception as err:  # noqa: BLE001 — a crashing check is a failed check, reported with its instance
                found.append(Evidence("check raised an exception", f"{type(err).__name__}: {err}",
                                      "no exception", False, "==", params))
        seconds = time.perf_counter() - start
        return Verdict(self.id, bool(found) and all(e.holds for e in found), tuple(found), seed, seconds)

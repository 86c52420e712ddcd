"""``tempx verify``: run the registered exact claim checks and report verdicts."""

from __future__ import annotations

import argparse

from tempx.numerics.app.formatting import dumps, parse_int, table
from tempx.theory.claims import CLAIMS, Verdict, get_claim


def _claim_ids() -> str:
    from tempx.theory.claims import CLAIMS

    return ", ".join(c.id for c in CLAIMS)


HELP = f"run the exact checks of the registered claims ({_claim_ids()}) and print a verdict table"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--claims", help="comma-separated claim IDs, e.g. C1,C3 (default: all registered)")
    p.add_argument("--seed", default="0", help="seed of the random parameters of the checks (default 0)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")


def _with_float_check(verdict: Verdict, seed: int) -> Verdict:
    """The exact verdict, with the claim's float check added where it has one (``float_checks``)."""
    import time

    from tempx.numerics.app.float_checks import FLOAT_CHECKS

    check = FLOAT_CHECKS.get(verdict.claim_id)
    if check is None:
        return verdict
    start = time.perf_counter()
    extra = tuple(check(seed))
    return Verdict(verdict.claim_id, verdict.passed and all(e.holds for e in extra), verdict.evidence + extra, seed,
                   verdict.seconds + time.perf_counter() - start)


def run(args: argparse.Namespace) -> int:
    seed = parse_int(args.seed, "--seed", minimum=0)
    claims = CLAIMS if args.claims is None else tuple(get_claim(c) for c in args.claims.split(","))
    verdicts = [(c, _with_float_check(c.check(seed), seed)) for c in claims]
    passed = all(v.passed for _, v in verdicts)
    if args.format == "json":
        doc = {
            "seed": seed,
            "passed": passed,
            "claims": [{"title": c.title, "kind": c.kind, "statement": c.statement, **v.as_dict()} for c, v in verdicts],
        }
        print(dumps(doc))
    else:
        rows = [(v.claim_id, c.title, "PASS" if v.passed else "FAIL", len(v.evidence), f"{v.seconds:.2f}")
                for c, v in verdicts]
        print(table(("ID", "claim", "verdict", "checks", "seconds"), rows))
        for _, v in verdicts:
            for e in v.failures:
                print(f"{v.claim_id} FAILED: {e.name} {dict(e.params)}: computed {e.computed} != expected {e.expected}")
        print(f"{sum(v.passed for _, v in verdicts)} of {len(verdicts)} claims passed (seed {seed})")
    return 0 if passed else 1

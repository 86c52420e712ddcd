"""``tempx cite``: BibTeX for the package and for the papers whose claims a run used."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tempx.numerics.app.citation import USED_BY, bibtex
from tempx.theory.errors import InvalidInput

HELP = "BibTeX for tempx and for the papers behind the claims and experiments a run used"
MAX_RESULTS_BYTES = 64 * 1024**2


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--claims", help="claims used, e.g. C1,C16 (default: every paper)")
    p.add_argument("--experiments", help="experiments used, e.g. E1,E10")
    p.add_argument("--results", metavar="DIR",
                   help="a 'tempx reproduce' output folder: cite what its results.json ran")


def _names(text: str | None, option: str) -> list[str]:
    if text is None:
        return []
    names = [x.strip().upper() for x in text.split(",")]
    if not text.strip() or any(not x for x in names):
        raise InvalidInput(f"{option} must be a comma-separated list like C1,C16 or E1,E10, got {text!r}")
    return names


def used_by_results(folder: str) -> list[str]:
    """The claims and experiments a reproduce run wrote into FOLDER/results.json."""
    from tempx.theory.files import read_json

    path = Path(folder) / "results.json"
    doc = read_json(path, "results file", exact=False, max_bytes=MAX_RESULTS_BYTES)
    if not isinstance(doc, dict):
        raise InvalidInput(f"{path} is not a tempx reproduce results file")
    return used_in(doc)


def used_in(doc: dict[str, Any]) -> list[str]:
    claims = [c["id"] for c in doc.get("claims", []) if isinstance(c, dict) and c.get("id") in USED_BY]
    experiments = [k for k in doc if k in USED_BY and k.startswith("E")]
    return claims + experiments


def run(args: argparse.Namespace) -> int:
    used = _names(args.claims, "--claims") + _names(args.experiments, "--experiments")
    if args.results is not None:
        used += used_by_results(args.results)
    print(bibtex(used if (used or args.results is not None) else None), end="")
    return 0

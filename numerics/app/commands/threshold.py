"""``tempx threshold``: d*, the linear complexities n_j and d_min(w*, k) for any teacher (claim C10)."""

from __future__ import annotations

import argparse
from typing import Any

from tempx.numerics.app.formatting import dumps, parse_int, table
from tempx.theory.errors import InvalidInput
from tempx.theory.teacher_spec import TEACHER_FORMS, parse_teacher
from tempx.theory.threshold import teacher_profile, threshold

HELP = "the least student dimension that can interpolate a teacher on length k and still differ from it (C10)"
MAX_K = 100_000  # the search runs over j in [k, max(k, 2d*)]: linear in k


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--teacher", default="memoryless", help=f"teacher specification: {TEACHER_FORMS} (default memoryless)")
    p.add_argument("--k", required=True, help="training lengths K1[,K2,...], each >= 1")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")


def _ks(text: str) -> list[int]:
    parts = [x.strip() for x in text.split(",")]
    if not text.strip() or any(not x for x in parts):
        raise InvalidInput(f"--k must be a comma-separated list of integers >= 1, got {text!r}")
    ks = [parse_int(x, "--k", minimum=1) for x in parts]
    if max(ks) > MAX_K:
        raise InvalidInput(f"--k must be <= {MAX_K}, got {max(ks)}")
    return ks


def build(spec: str, ks: list[int]) -> dict[str, Any]:
    teacher = parse_teacher(spec)
    prof = teacher_profile(teacher)
    rows = [threshold(teacher, k, profile=prof).as_dict() for k in ks]
    return {
        "teacher": teacher.describe(),
        "teacher_dim": prof.dim,
        # n_j for j = 0 … max(k, 2d*) + 1: every value the search over j reads
        "linear_complexity": [prof.n(j) for j in range(max(max(ks), 2 * prof.dim) + 2)],
        "rows": rows,
    }


def run(args: argparse.Namespace) -> int:
    doc = build(args.teacher, _ks(args.k))
    if args.format == "json":
        print(dumps(doc))
        return 0
    n = doc["linear_complexity"]
    print(f"teacher {doc['teacher']}: minimal dimension d* = {doc['teacher_dim']}")
    print(f"linear complexities n_j of w*_0..w*_(j-1), j = 0..{len(n) - 1}: " + ", ".join(map(str, n))
          + f" (n_j = {doc['teacher_dim']} from then on)")
    print(table(("k", "d_min", "first difference j"), [(r["k"], r["d_min"], r["first_difference"]) for r in doc["rows"]]))
    print("a student of dimension d >= d_min can have L_k = 0 and differ from the teacher first at index j; "
          "below d_min, L_k = 0 forces perfect extrapolation")
    return 0

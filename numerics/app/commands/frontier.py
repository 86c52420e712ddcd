"""``tempx frontier``: certified bounds of the approximation frontier E(G) of real (or complex) diagonal students
on a horizon t (claim C17 (d)), and the student that attains each upper bound."""

from __future__ import annotations

import argparse
from fractions import Fraction
from pathlib import Path
from typing import Any

from tempx.numerics.app.commands.common import positive_int
from tempx.numerics.app.formatting import dumps, parse_rational_list, table
from tempx.theory.errors import InvalidInput
from tempx.theory.teacher_spec import TEACHER_FORMS, parse_teacher

HELP = "certified lower and upper bounds of the best error a real diagonal student with budget G reaches (C17)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", required=True, help=f"the target, as a teacher specification: {TEACHER_FORMS}; "
                   "the oscillation cos(pi i/2) is oscillating:0:1")
    p.add_argument("--horizon", required=True, help="horizon t: the target's terms 0..t-1 (1 <= t <= 512)")
    p.add_argument("--budget", required=True, help="budgets G1,G2,... >= 0 (exact numbers, e.g. 1,16,256,4096)")
    p.add_argument("--student", choices=("real", "complex"), default="real",
                   help="real diagonal students (default; nodes in [-rho, rho]) or complex ones (C17 (a))")
    p.add_argument("--rho", default="1", help="real students: nodes in [-rho, rho], 0 < rho <= 2 (default 1)")
    p.add_argument("--no-normalize", action="store_true",
                   help="keep the target as given (default: scaled to ||w*||_2 = 1 on i < t, as in the SPEC)")
    p.add_argument("--save-params", help="write the students attaining the upper bounds, one model per budget, as "
                   "JSON or .npz (the students' file format: certify and train --init-file read it)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")


def build(spec: str, t: int, budgets: list[Fraction], student: str, rho: Fraction, normalize: bool) -> tuple[dict[str, Any], Any]:
    from tempx.numerics.frontier import MAX_HORIZON, frontier

    if t > MAX_HORIZON:
        raise InvalidInput(f"--horizon must be <= {MAX_HORIZON}, got {t}")
    teacher = parse_teacher(spec)
    target = list(teacher.impulse_response(t))
    points = frontier(target, budgets, student=student, rho=rho, normalize=normalize)
    doc = {"target": teacher.describe(), "horizon": t, "student": student, "rho": float(rho), "normalized": normalize,
           "points": [p.as_dict() for p in points]}
    return doc, points


def run(args: argparse.Namespace) -> int:
    t = positive_int(args.horizon, "--horizon")
    budgets = parse_rational_list(args.budget, "--budget")
    if any(b < 0 for b in budgets):
        raise InvalidInput(f"--budget values must be >= 0, got {args.budget}")
    rho = parse_rational_list(args.rho, "--rho")
    if len(rho) != 1:
        raise InvalidInput(f"--rho takes one number, got {args.rho!r}")
    if args.save_params is not None:
        out = Path(args.save_params)
        if out.is_dir() or not out.parent.exists():
            raise InvalidInput(f"--save-params: cannot write {args.save_params!r} (not a file in an existing folder)")
    doc, points = build(args.target, t, budgets, args.student, rho[0], not args.no_normalize)
    if args.save_params is not None:
        from tempx.numerics.students.files import save_params

        save_params(_stacked(points), args.save_params)
    if args.format == "json":
        print(dumps(doc))
        return 0
    print(f"frontier of {args.student} diagonal students on i < {t}: target {doc['target']}"
          + (" scaled to ||w*||_2 = 1" if doc["normalized"] else "") + (f", nodes in [-{float(rho[0]):g}, {float(rho[0]):g}]"
                                                                      if args.student == "real" else ""))
    rows = [(f"{p['budget']:g}", f"{p['lower']:.6f}", f"{p['upper']:.6f}", f"{p['gap']:.1e}", p["modes"])
            for p in doc["points"]]
    print(table(("G", "lower (proven)", "upper (attained)", "gap", "modes"), rows))
    print("lower: the dual bound of C17 (b3), max |q| on [-rho, rho] proven in ball arithmetic, rounded down; upper: the "
          "exact error of the saved student (budget <= G), rounded up")
    return 0


def _stacked(points: list[Any]) -> Any:
    """One model per budget, padded with dead modes (λ = b = c = 0) to a common d."""
    import numpy as np

    d = max(p.params.d for p in points)
    fields = []
    for name in ("lam", "b", "c"):
        rows = []
        for p in points:
            row = np.zeros(d, dtype=getattr(p.params, name).dtype)
            row[:p.params.d] = getattr(p.params, name)[0]
            rows.append(row)
        fields.append(np.array(rows))
    return type(points[0].params)(*fields)

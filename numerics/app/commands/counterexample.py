"""``tempx counterexample``: print an exact C2 counterexample as text, JSON or LaTeX."""

from __future__ import annotations

import argparse
from fractions import Fraction
from typing import Any

from tempx.numerics.app.formatting import (
    MATRIX_ENVIRONMENTS,
    dumps,
    latex_equations,
    parse_int,
    parse_rational_list,
    rational_str,
    text_matrix,
)
from tempx.theory.budget import Stage
from tempx.theory.counterexamples import Counterexample, counterexample, disguised
from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational
from tempx.theory.losses import extrapolation_losses, loss, prefix_losses, residuals_of
from tempx.theory.teacher_spec import TEACHER_FORMS, parse_teacher

HELP = "build an exact RNN that fits a teacher (default y_t = x_t) on length k and fails to extrapolate (C2, C10)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--k", required=True, help="training length k >= 1")
    p.add_argument("--teacher", default="memoryless", help=f"teacher specification: {TEACHER_FORMS} (default memoryless)")
    p.add_argument("--d", help="state dimension (default: the least one, d_min; memoryless: k, or k + number of tail values)")
    p.add_argument("--c", help="memoryless: cyclic gain c != 0, so w_{jk} = c^j (default 1); other teachers: the first "
                               "difference w_j - w*_j (default: the value that attains d_min); e.g. 3/2, -2, 0.5")
    p.add_argument("--tail", help="prescribed w_k, w_{k+1}, ... as V1,V2,... (instead of --c); zeros after")
    p.add_argument("--disguise", metavar="SEED", help="disguise by a seeded random invertible rational change of basis")
    p.add_argument("--terms", help="number of impulse-response terms to show (default 2k + 1, more for a long tail)")
    p.add_argument("--q", help="extrapolation lengths q to report, Q1,Q2,... (default k+1, 2k, 4k and the number of terms)")
    p.add_argument("--student", default="dense", help="dense (default), diagonal: A = diag(λ) on the --nodes (claim C12), or "
                                                       "relu: a ReLU RNN with y_t = x_t + c x_(t-k) (claim C15)")
    p.add_argument("--nodes", help="diagonal student: k distinct nonzero nodes L1,L2,... (one per matched term)")
    p.add_argument("--balanced", action="store_true",
                   help="diagonal student: c = b (needs every weight > 0, e.g. k = 2 with nodes of opposite sign; a "
                        "weight that is not a rational square repeats its node, up to 4 times, which the output says)")
    p.add_argument("--format", choices=("text", "json", "latex"), default="text",
                   help="output format (default text); latex: an equation* to paste into a document with amsmath")
    p.add_argument("--latex-matrix", choices=MATRIX_ENVIRONMENTS, default="bmatrix",
                   help="--format latex: the matrix environment (default bmatrix)")
    p.add_argument("--latex-standalone", action="store_true",
                   help="--format latex: a whole document that compiles as it is (pdflatex FILE.tex)")


# The output is the dense d×d matrix (d² entries) and the check computes 2k + 1 exact terms: at
# k = 2000 that is 4 million entries, 20 s and 0.9 GiB (docs/cli.md); beyond, refuse with one line.
MAX_K = 2000
MAX_TERMS = 20_000  # exact impulse-response terms shown or summed (their size grows with the index)


def build(args: argparse.Namespace) -> tuple[Counterexample, int, list[int]]:
    k = parse_int(args.k, "--k", minimum=1)
    d = None if args.d is None else parse_int(args.d, "--d", minimum=1)
    c = None if args.c is None else parse_rational(args.c)
    tail = None if args.tail is None else parse_rational_list(args.tail, "--tail")
    seed = None if args.disguise is None else parse_int(args.disguise, "--disguise", minimum=0)
    if c is not None and c == 0:
        raise InvalidInput("--c must be nonzero (c = 0 gives the teacher itself)")
    if k > MAX_K:
        raise InvalidInput(f"--k must be <= {MAX_K} (exact matrices of that size), got {k}")
    if d is not None and d > MAX_K + 1000:
        raise InvalidInput(f"--d must be <= {MAX_K + 1000}, got {d}")
    terms_req = None if args.terms is None else parse_int(args.terms, "--terms", minimum=1)
    q_req = None if args.q is None else sorted({parse_int(x, "--q", minimum=1) for x in args.q.split(",")})
    for name, v in (("--terms", terms_req), ("--q", None if q_req is None else max(q_req))):
        if v is not None and v > MAX_TERMS:
            raise InvalidInput(f"{name} must be <= {MAX_TERMS} (exact terms, each one RNN step with growing "
                               f"rationals), got {v}; for every length at once use 'tempx certify'")
    teacher = parse_teacher(args.teacher)
    ce = counterexample(k, d=d, c=c, tail=tail, teacher=teacher)
    terms = ce.default_terms() if terms_req is None else terms_req
    qs = sorted({k + 1, 2 * k, 4 * k, terms} - {k} | {k + 1}) if q_req is None else q_req
    check_report_work(ce, max(terms, *qs), dense=seed is not None)  # before the disguise, the dearer part
    if seed is not None:
        ce = disguised(ce, seed)
    return ce, terms, qs


def report_what(d: int, q: int) -> str:
    return f"the exact report of a counterexample of dimension d = {d} to {q} terms"


def check_report_work(ce: Counterexample, q: int, dense: bool = False) -> Stage:
    """The exact report (impulse responses and losses to q terms) estimated before it is computed — and, with
    ``dense`` (a disguise to come, which fills A), before the disguise: its terms grow as the teacher's do (the
    student matches it to k − 1) or as the student's own A lets them, whichever is less (a companion matrix's
    bound is loose)."""
    from tempx.theory.exact import nonzero_rows, term_growth

    A = nonzero_rows(ce.rnn.A)
    growth = min(term_growth(nonzero_rows(ce.teacher.as_rnn().A)), term_growth(A))
    return _check_report(A, ce.d, q, growth, dense)


def _check_report(A: list[list[Fraction]], d: int, q: int, growth: float, dense: bool = False) -> Stage:
    from tempx.theory.budget import check_work, report_work

    if dense:
        nonzeros = products = d * d
        singles = 0
    else:
        nonzeros = sum(len(row) for row in A)
        products = sum(len(row) for row in A if len(row) > 1)
        singles = sum(1 for row in A if len(row) == 1 and row[0] != 1)  # a row holding a single 1 copies
    return check_work(report_what(d, q), report_work(q, d, nonzeros, products, singles, growth, dense))


def as_json(ce: Counterexample, terms: int, qs: list[int]) -> dict[str, Any]:
    """The documented schema (docs/cli.md); every number an exact rational string."""
    from tempx.theory.exact import entry_strings

    L = extrapolation_losses(ce.rnn, ce.teacher, qs)
    return {
        "k": ce.k,
        "d": ce.d,
        "teacher": ce.teacher.describe(),
        "d_min": ce.d_min,
        "first_difference": ce.first_difference,
        "construction": ce.construction,
        "c": None if ce.c is None else rational_str(ce.c),
        "tail": None if ce.tail is None else [rational_str(x) for x in ce.tail],
        "disguise": ce.disguise,
        "A": entry_strings(ce.rnn.A),
        "B": entry_strings(ce.rnn.B),
        "C": entry_strings(ce.rnn.C),
        "impulse_response": [rational_str(x) for x in ce.rnn.impulse_response(terms)],
        "train_loss": rational_str(loss(ce.rnn, ce.teacher, ce.k)),
        "extrapolation_loss": {str(q): rational_str(L[q]) for q in qs},
    }


def as_text(doc: dict[str, Any]) -> str:
    if doc["construction"] == "cyclic":
        how = f"cyclic, c = {doc['c']}"
    elif doc["construction"] == "tail":
        how = f"tail = {', '.join(doc['tail'])}"
    else:
        how = f"shift register, first difference w_{doc['first_difference']} - w*_{doc['first_difference']} = {doc['c']}"
    who = "y_t = x_t" if doc["teacher"] == "memoryless" else doc["teacher"]
    if doc["disguise"] is not None:
        how += f", disguised with seed {doc['disguise']}"
    lines = [
        (f"Counterexample ({'C2' if doc['teacher'] == 'memoryless' else 'C10'}): k = {doc['k']}, d = {doc['d']} "
        f"(d_min = {doc['d_min']}), teacher {who} ({how})"),
        "A =", text_matrix(doc["A"]),
        "B =", text_matrix(doc["B"]),
        "C =", text_matrix(doc["C"]),
        f"impulse response w_0..w_{len(doc['impulse_response']) - 1}: " + ", ".join(doc["impulse_response"]),
        f"train loss L_{doc['k']} = {doc['train_loss']}",
    ]
    lines += [f"extrapolation loss L_{q} = {v}" for q, v in doc["extrapolation_loss"].items()]
    return "\n".join(lines)


def as_latex(doc: dict[str, Any], env: str = "bmatrix", standalone: bool = False) -> str:
    F = lambda rows: [[Fraction(x) for x in r] for r in rows]
    parts = [("A", F(doc["A"])), ("B", F(doc["B"])), ("C", F(doc["C"]))]
    if "impulse_response" in doc:
        n = len(doc["impulse_response"])
        parts.append((f"(w_i)_{{i=0}}^{{{n - 1}}}", [[Fraction(x) for x in doc["impulse_response"]]]))
    student = doc.get("student", "dense")
    comment = f"tempx counterexample: {student} student, k = {doc['k']}, d = {doc['d']}, teacher {doc.get('teacher', 'memoryless')}"
    return latex_equations(comment, parts, env, standalone)


def _diagonal(args: argparse.Namespace) -> dict[str, Any]:
    """C12(a): the diagonal student on the given nodes, as JSON (with its dense realization A, B, C)."""
    from tempx.theory.diagonal import diagonal_counterexample

    k = parse_int(args.k, "--k", minimum=1)
    if args.nodes is None:
        raise InvalidInput("--student diagonal needs --nodes L1,L2,... (k distinct nonzero nodes)")
    for name in ("c", "tail", "disguise", "d"):
        if getattr(args, name) is not None:
            raise InvalidInput(f"--{name} is for the dense student; the diagonal student is fixed by --nodes")
    nodes = parse_rational_list(args.nodes, "--nodes")
    if len(nodes) != k:
        raise InvalidInput(f"--nodes: k = {k} needs exactly {k} nodes (one per matched term), got {len(nodes)}")
    teacher = parse_teacher(args.teacher)
    s = diagonal_counterexample(nodes, k=k, teacher=teacher, balanced=args.balanced)
    terms = 2 * k + 1 if args.terms is None else parse_int(args.terms, "--terms", minimum=1)
    if terms > MAX_TERMS:
        raise InvalidInput(f"--terms must be <= {MAX_TERMS}, got {terms}")
    qs = sorted({k + 1, 2 * k, terms}) if args.q is None else sorted({parse_int(x, "--q", minimum=1) for x in args.q.split(",")})
    if max(qs) > MAX_TERMS:
        raise InvalidInput(f"--q must be <= {MAX_TERMS}, got {max(qs)}; for every length at once use 'tempx certify'")
    rnn = s.to_rnn()
    # one exact sweep serves the impulse response, the train loss L_k and every L_q (each a prefix sum of r_i²); the
    # student's terms grow as its diagonal bounds them (a tight bound), whatever the teacher
    from tempx.theory.budget import check_work, diagonal_report_work
    from tempx.theory.exact import nonzero_rows, term_growth

    n_terms = max(*qs, terms, k)
    growth = max(term_growth(nonzero_rows(rnn.A)), term_growth(nonzero_rows(teacher.as_rnn().A)))
    with check_work(report_what(rnn.d, n_terms), diagonal_report_work(n_terms, rnn.d, growth)):
        w = s.impulse_response(n_terms)  # the closed form, over integers
        L = prefix_losses(residuals_of(w, teacher), [*qs, k])
    mats = rnn.as_lists()
    S = lambda rows: [[rational_str(x) for x in r] for r in rows]
    return {
        "k": k, "d": rnn.d, "student": "diagonal", "teacher": teacher.describe(), "balanced": args.balanced,
        "repeats": [sum(1 for y in s.lam if y == x) for x in nodes],
        "construction": "lagrange" if teacher.describe() == "memoryless" else "vandermonde",
        "nodes": [rational_str(x) for x in s.lam], "b": [rational_str(x) for x in s.b],
        "c": [rational_str(x) for x in s.c], "weights": [rational_str(c * b) for b, c in zip(s.b, s.c)],
        "A": S(mats["A"]), "B": S(mats["B"]), "C": S(mats["C"]),
        "impulse_response": [rational_str(x) for x in w[:terms]],
        "train_loss": rational_str(L[k]),
        "extrapolation_loss": {str(q): rational_str(L[q]) for q in qs},
    }


def _diagonal_text(doc: dict[str, Any]) -> str:
    return "\n".join([
        f"Diagonal counterexample (C12): k = {doc['k']}, teacher {doc['teacher']}, {doc['construction']} weights"
        + (", balanced (c = b)" if doc["balanced"] else ""),
        *([f"balanced: c_j b_j = b_j² must be a rational square, so a node whose weight is not one is repeated "
           f"(a sum of the fewest squares found): d = {doc['d']} for {doc['k']} nodes, repeats "
           + ", ".join(map(str, doc["repeats"]))] if doc["balanced"] and doc["d"] != doc["k"] else []),
        "nodes λ: " + ", ".join(doc["nodes"]),
        "weights c_j b_j: " + ", ".join(doc["weights"]),
        f"impulse response w_0..w_{len(doc['impulse_response']) - 1}: " + ", ".join(doc["impulse_response"]),
        f"train loss L_{doc['k']} = {doc['train_loss']}",
        *(f"extrapolation loss L_{q} = {v}" for q, v in doc["extrapolation_loss"].items()),
    ])


def _relu(args: argparse.Namespace) -> dict[str, Any]:
    """C15: the ReLU RNN with ŷ_t = x_t + c x_{t−k}, its matrices and its losses (exact)."""
    from tempx.theory.relu import MAX_K, relu_counterexample

    k = parse_int(args.k, "--k", minimum=1)
    if k > MAX_K:
        raise InvalidInput(f"--k must be <= {MAX_K} for the ReLU construction (dimension 2k + 2), got {k}")
    for name in ("tail", "disguise", "d", "nodes", "terms", "q"):
        if getattr(args, name) is not None:
            raise InvalidInput(f"--{name} is not an option of the ReLU counterexample (it is fixed by --k and --c)")
    if args.balanced or args.teacher != "memoryless":
        raise InvalidInput("the ReLU counterexample is for the memoryless teacher (no --teacher, no --balanced)")
    c = Fraction(1) if args.c is None else parse_rational(args.c)
    net = relu_counterexample(k, c)
    mats = net.as_lists()
    S = lambda rows: [[rational_str(x) for x in r] for r in rows]
    return {"k": k, "d": net.d, "student": "relu", "teacher": "memoryless", "c": rational_str(c),
            "A": S(mats["A"]), "B": S(mats["B"]), "C": S(mats["C"]),
            "output": f"x_t + ({rational_str(c)}) x_(t-{k})", "train_loss": "0",
            "extrapolation_loss": {"q > k": rational_str(c * c)},
            "note": "exact for every input sequence (claim C15): L_k = 0 for every data set; L_q = c^2 E[x^2] for q > k"}


def run(args: argparse.Namespace) -> int:
    if args.format != "latex" and (args.latex_standalone or args.latex_matrix != "bmatrix"):
        raise InvalidInput("--latex-matrix and --latex-standalone go with --format latex")
    student = args.student.strip().lower()
    if student not in ("dense", "diagonal", "relu"):
        raise InvalidInput(f"unknown student {args.student!r} for counterexample (allowed: dense, diagonal, relu)")
    if student == "relu":
        doc = _relu(args)
        if args.format == "json":
            print(dumps(doc))
        elif args.format == "latex":
            print(as_latex({**doc, "student": "relu"}, args.latex_matrix, args.latex_standalone))
        else:
            print(f"ReLU counterexample (C15): k = {doc['k']}, c = {doc['c']}, {doc['d']} units; "
                  f"output {doc['output']} on every sequence")
            print(f"train loss L_{doc['k']} = 0 (every data set); extrapolation loss L_q = {doc['extrapolation_loss']['q > k']}"
                  " for every q > k (unit-variance inputs)")
            print("A =\n" + text_matrix(doc["A"]) + "\nB =\n" + text_matrix(doc["B"]) + "\nC =\n" + text_matrix(doc["C"]))
        return 0
    if student == "diagonal":
        doc = _diagonal(args)
        print(dumps(doc) if args.format == "json" else _diagonal_text(doc) if args.format == "text" else
              as_latex({**doc, "student": "diagonal"}, args.latex_matrix, args.latex_standalone))
        return 0
    if args.nodes is not None or args.balanced:
        raise InvalidInput("--nodes and --balanced go with --student diagonal")
    ce, terms, qs = build(args)
    with Stage(report_what(ce.d, max(terms, *qs))):  # checked by build
        doc = as_json(ce, terms, qs)
    if args.format == "json":
        out = dumps(doc)
    elif args.format == "latex":
        out = as_latex(doc, args.latex_matrix, args.latex_standalone)
    else:
        out = as_text(doc)
    print(out)
    return 0

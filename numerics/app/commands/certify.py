"""``tempx certify``: exact L_k, L_q and L_∞ decided for every model in a parameter file — the exact rational or ∞
(C14) within the work limit, else a verified enclosure of relative width ≤ 1e-12 or ∞ shown by an unstable mode
(``--method``); with ``--certificate``, the certificate each decision used (or why there is none)."""

from __future__ import annotations

import argparse
from fractions import Fraction
from typing import Any

from tempx.numerics.app.commands.common import int_list, positive_int
from tempx.numerics.app.formatting import dumps, table
from tempx.theory.certify import MAX_TERMS
from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational
from tempx.theory.linf import METHODS, decide
from tempx.theory.rnn import ExactRNN
from tempx.theory.teacher_spec import TEACHER_FORMS, parse_teacher

HELP = "certify a trained model: exact L_k, L_q and L_inf decided: a rational, inf, or a verified enclosure (C14)"
MAX_MODELS = 10_000
MAX_DIM = 2048  # n = d + d*: the enclosure's ball products grow as n³ (n = 1024 takes about a minute, docs/performance.md)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--params", required=True, help="parameters of any student: JSON (the schema of 'tempx train "
                                                  "--save-params') or NumPy .npz")
    p.add_argument("--teacher", default="memoryless", help=f"teacher specification: {TEACHER_FORMS} (default memoryless)")
    p.add_argument("--k", required=True, help="training length k >= 1")
    p.add_argument("--q", help=f"extrapolation lengths Q1,Q2,... to compute exactly (default 4k; each <= {MAX_TERMS})")
    p.add_argument("--exact", action="store_true", help="JSON: add the exact rationals (strings p/q; they can be long)")
    p.add_argument("--method", choices=METHODS, default="auto",
                   help="how L_inf is decided: exact (the rational or inf, C14; refused over the work limit), enclosure "
                        "(a verified enclosure of relative width <= 1e-12 at any size, or inf by an unstable mode), auto "
                        "(default: exact when estimated at most 3e9 units, about half a minute, and within the work limit; "
                        "else the enclosure)")
    p.add_argument("--certificate", action="store_true",
                   help="report the certificate of each decision: C13's contraction (P, gamma < 1: an explicit decay rate) "
                        "on the exact route, the Stein stability certificate on the enclosure route, or why there is none")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default text)")
    p.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")


def _exact(x: Any, where: str) -> Fraction:
    """A JSON number taken exactly: a float is the dyadic rational it stores; a string is read as a rational."""
    if isinstance(x, float):
        return Fraction(x)
    if isinstance(x, int) and not isinstance(x, bool):
        return Fraction(x)
    try:
        return parse_rational(x)
    except (TypeError, InvalidInput) as err:
        raise InvalidInput(f"{where}: {err}") from None


def load_exact_models(path: str, teacher_dim: int = 0) -> tuple[str, list[ExactRNN]]:
    """The student of a parameter file and its models as exact RNNs: a dense JSON model with every entry
    taken exactly (a rational string stays that rational); any other student, and ``.npz``, through its
    float64 dense realization, entry by entry the dyadic rational it is."""
    from tempx.numerics.students import student_of
    from tempx.numerics.students.files import load_params, params_from_json, read_params_json
    from tempx.theory.certify import model_from_floats

    if str(path).endswith(".npz"):
        doc = None
        params = load_params(path)
    else:
        doc = read_params_json(path)
        docs = doc if isinstance(doc, list) else [doc]
        if len(docs) > MAX_MODELS:
            raise InvalidInput(f"parameter file {path!r} holds {len(docs)} models; at most {MAX_MODELS} per run")
        for n, m in enumerate(docs):  # the dimension from the shape, before any entry is converted
            d = len(m["A"]) if isinstance(m, dict) and isinstance(m.get("A"), list) else 0
            if d + teacher_dim > MAX_DIM:
                raise InvalidInput(f"model {n} has dimension d = {d}; with a teacher of dimension {teacher_dim} that is "
                                   f"beyond n = {MAX_DIM} (the enclosure's ball products grow as n³)")
        params = params_from_json(doc)  # shapes, numbers, finiteness: one clear line for each problem
    student = student_of(params)
    if student.nonlinear:
        raise InvalidInput(f"certify decides L_inf of linear students; a {student.name} student's loss is not a function of "
                           "an impulse response (its L_q is a Monte Carlo estimate: tempx train --student "
                           f"{student.name} --data n --q Q)")
    if params.n_models > MAX_MODELS:
        raise InvalidInput(f"parameter file {path!r} holds {params.n_models} models; at most {MAX_MODELS} per run")
    if student.name != "dense" or doc is None:
        states = params.d * (1 if student.name in ("dense", "diagonal") else 2)
        if states + teacher_dim > MAX_DIM:
            raise InvalidInput(f"the {student.name} models have {states} states; with a teacher of dimension {teacher_dim} "
                               f"that is beyond n = {MAX_DIM} (the enclosure's ball products grow as n³)")
        dense = student.to_dense(params)
        return student.name, [model_from_floats(dense.A[i], dense.B[i], dense.C[i]) for i in range(params.n_models)]
    docs = doc if isinstance(doc, list) else [doc]
    out = []
    for n, m in enumerate(docs):
        out.append(ExactRNN.from_entries(
            A=[[_exact(x, f"model {n} A[{i}][{j}]") for j, x in enumerate(r)] for i, r in enumerate(m["A"])],
            B=[_exact(r[0], f"model {n} B[{i}]") for i, r in enumerate(m["B"])],
            C=[_exact(x, f"model {n} C[{j}]") for j, x in enumerate(m["C"][0])],
        ))
    return "dense", out


def build(args: argparse.Namespace) -> dict[str, Any]:
    k = positive_int(args.k, "--k")
    qs = [4 * k] if args.q is None else int_list(args.q, "--q")
    for name, v in [("--k", k), *(("--q", q) for q in qs)]:
        if v > MAX_TERMS:
            raise InvalidInput(f"{name} {v} is beyond {MAX_TERMS}: exact sums of more terms are not computed "
                               "(their cost grows as q²·d²); L_inf's enclosure covers every length")
    teacher = parse_teacher(args.teacher)
    student, models = load_exact_models(args.params, teacher.as_rnn().d)
    from tempx.numerics.app.progress import Progress

    # the exact sums of every model, estimated together before the first one starts
    from tempx.theory.budget import check_memory, check_work
    from tempx.theory.enclosure import enclosure_bytes
    from tempx.theory.linf import decide_work

    method = getattr(args, "method", "auto")
    check_work(f"certify of {len(models)} model(s) at k = {k}, q up to {max(qs)}",
               sum(decide_work(R, teacher, k, qs, method) for R in models))
    if method != "exact":
        n_max = max(R.d for R in models) + teacher.as_rnn().d
        check_memory(f"the L_inf enclosure at n = d + d* = {n_max}", enclosure_bytes(n_max))
    rows = []
    bar = Progress(len(models), "certify", enabled=True if getattr(args, "progress", False) else None)
    with bar.ticking():
        for n, R in enumerate(models):
            decision = decide(R, teacher, k, qs, certificate=args.certificate, method=method,
                              stage=lambda text, n=n: bar.update(n, f"model {n}: {text}"))
            rows.append({"model": n, **decision.as_dict(exact=args.exact, certificate=args.certificate)})
            bar.update(n + 1, f"model {n}")
    bar.close()
    note = {"dense": "every entry exactly", "diagonal": "its dense realization diag(λ), exactly",
            "complex": "its real realization (2×2 blocks per complex mode), exactly",
            "lru": "the float64 values of λ = exp(−exp(ν) + iθ) and γ b (transcendental in ν, θ), realized exactly"}[student]
    return {"config": {"params": args.params, "student": student, "taken": note, "teacher": teacher.describe(), "k": k,
                       "q": qs, "d": models[0].d, "method": method},
            "models": rows}


def run(args: argparse.Namespace) -> int:
    doc = build(args)
    if args.format == "json":
        print(dumps(doc))
        return 0
    cfg = doc["config"]
    qs = cfg["q"]
    fmt = lambda x: "—" if x is None else (x if isinstance(x, str) else f"{x:.6e}")
    size = (f"with {cfg['d'] // 2} complex modes (real dimension {cfg['d']})" if cfg["student"] in ("complex", "lru")
            else f"of dimension {cfg['d']}")
    print(f"{len(doc['models'])} {cfg['student']} model(s) {size} from {cfg['params']}, teacher "
          f"{cfg['teacher']}, k = {cfg['k']} ({cfg['taken']})")
    rows = [(m["model"], fmt(m["L_k"]), *(fmt(m["L_q"][str(q)]) for q in qs), linf_cell(m["L_inf"]),
             exact_cell(m["exact_value"])) for m in doc["models"]]
    print(table(("model", f"L_{cfg['k']}", *(f"L_{q}" for q in qs), "L_inf", "L_inf exact"), rows))
    for m in doc["models"]:
        li = m["L_inf"]
        where = "" if li["complexity"] is None else f" (linear complexity {li['complexity']})"
        print(f"model {m['model']} [{li['method']}]: {li['reason']}{where}")
        if "note" in li:
            print(f"  ({li['note']})")
        if "certificate" in li:
            print(f"  certificate: {certificate_text(li['certificate']) if li['certificate'] else li['certificate_note']}")
    print("every entry is taken exactly (a float64 is a dyadic rational); L_k, L_q exact (shown rounded); L_inf: the "
          "exact value (exact: 12 significant digits shown; --format json --exact gives the rational p/q, read back "
          "with tempx.read_exact) or a proven enclosure [lower, upper], each rounded outward")
    return 0


def linf_cell(li: dict[str, Any]) -> str:
    """L_∞ for the table: inf, the exact value to 12 significant digits (``≈``), or the proven enclosure
    [lower, upper], each bound rounded outward at its 13th digit (enough to show a relative width of 1e-12)."""
    if li["finite"] is False:
        return "inf"
    if li["finite"] is None:
        return f"undecided (≥ {_bound(li['lower'], True)})"
    if li["method"] == "exact":
        return f"≈ {li['lower'] if isinstance(li['lower'], str) else format(li['lower'], '.12g')}"
    return f"[{_bound(li['lower'], True)}, {_bound(li['upper'], False)}]"


def _bound(x: float | str, down: bool) -> str:
    from fractions import Fraction

    from tempx.theory.linf import bound_text

    return x if isinstance(x, str) else bound_text(Fraction(x), down, 13)


def exact_cell(text: str | None) -> str:
    """The exact L_∞ for the table: short values as they are; a long p/q as its digit counts, unmistakably a fraction."""
    if text is None:
        return "— (not computed)"
    if len(text) <= 30:
        return text
    if "/" in text:
        p, q = text.split("/")
        return f"p/q ({len(p.lstrip('-'))}/{len(q)} digits)"
    return f"integer ({len(text.lstrip('-'))} digits)"


def certificate_text(c: dict[str, Any]) -> str:
    if c["kind"] == "contraction":
        return (f"contraction on the {c['system']} (dimension {c['dim']}): γ = {c['gamma']} bounds the spectral radius "
                f"(estimate {c['spectral_radius_estimate']:.6g})")
    return (f"Stein stability certificate on the {c['system']} (dimension {c['dim']}): ‖Y − AYAᵀ − I‖_F ≤ "
            f"{c['residual_bound']} < 1 with Y ≻ 0; {c['refinement_steps']} refinement step(s) at {c['precision_bits']} "
            f"bits (spectral radius estimate {c['spectral_radius_estimate']:.6g})")

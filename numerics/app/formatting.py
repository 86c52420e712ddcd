"""Shared text, JSON and LaTeX rendering of exact values for the command line."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from tempx.theory.errors import InvalidInput
from tempx.theory.exact import parse_rational

__all__ = ["dumps", "latex_matrix", "parse_int", "parse_rational_list", "rational_str", "table", "text_matrix"]


def rational_str(x: Fraction) -> str:
    """'3/2', '-1', '0': a string that ``fractions.Fraction`` parses back exactly."""
    return str(Fraction(x))


def text_matrix(rows: Sequence[Sequence[Fraction | str]], indent: str = "  ") -> str:
    cells = [[x if isinstance(x, str) else rational_str(x) for x in r] for r in rows]
    width = max((len(c) for r in cells for c in r), default=1)
    return "\n".join(indent + "[ " + "  ".join(c.rjust(width) for c in r) + " ]" for r in cells)


def _latex_number(x: Fraction) -> str:
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    sign = "-" if x < 0 else ""
    return f"{sign}\\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"


MATRIX_ENVIRONMENTS = ("bmatrix", "pmatrix")
# pdflatex's default main memory (5 000 000 words) holds about 130 000 characters of matrices: a 150 × 150 cyclic
# matrix (93 kB) and dense 80 × 80 fractions (127 kB) compile, a 200 × 200 cyclic one (165 kB) and dense 100 × 100
# fractions (201 kB) exceed it (measured with TeX Live 2022); the limit keeps a margin
LATEX_MAX_CHARS = 120_000
# the saved box at its size, or scaled down to the line width when it is wider (decided when the document is typeset)
FIT_TO_LINE = "\\ifdim\\wd\\tempxeqbox>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox{\\tempxeqbox}}\\else\\usebox{\\tempxeqbox}\\fi"


def latex_matrix(rows: Sequence[Sequence[Fraction]], env: str = "bmatrix") -> str:
    """An amsmath matrix of exact rationals (fractions as \\frac)."""
    if env not in MATRIX_ENVIRONMENTS:
        raise ValueError(f"env must be one of {MATRIX_ENVIRONMENTS}, got {env!r}")
    body = " \\\\\n".join(" & ".join(_latex_number(x) for x in r) for r in rows)
    return f"\\begin{{{env}}}\n" + body + f"\n\\end{{{env}}}"


def latex_equations(comment: str, parts: Sequence[tuple[str, Sequence[Sequence[Fraction]]]], env: str = "bmatrix",
                    standalone: bool = False) -> str:
    """Named exact matrices as LaTeX to paste (amsmath and graphicx), each in ``env``.

    The matrices stand side by side in one ``equation*``, the last part (the impulse response, a long row) in a
    second one when there are three parts or more.  Each equation is set in a box and scaled down to the line
    width only if it is wider (measured when the document is typeset, so a small model keeps its size); amsmath's
    limit of 10 matrix columns is raised to the widest one.  ``standalone``: a whole document that compiles as it
    is (``pdflatex file.tex``)."""
    cols = max((len(r) for _, rows in parts for r in rows), default=1)
    lines = [list(parts[:-1]), [parts[-1]]] if len(parts) >= 3 else [list(parts)]
    body = [f"% {comment}", f"\\setcounter{{MaxMatrixCols}}{{{max(10, cols)}}}",
            "\\ifdefined\\tempxeqbox\\else\\newsavebox{\\tempxeqbox}\\fi"]
    for line in lines:
        terms = [f"{name} = {latex_matrix(rows, env)}" + (",\\quad" if i < len(line) - 1 else "")
                 for i, (name, rows) in enumerate(line)]
        body += ["\\begin{equation*}", "\\sbox{\\tempxeqbox}{$\\displaystyle", *terms, "$}%",
                 FIT_TO_LINE, "\\end{equation*}"]
    size = sum(len(line) + 1 for line in body)
    if size > LATEX_MAX_CHARS:
        raise InvalidInput(f"--format latex: these matrices take {size:,} characters, more than pdflatex's default memory "
                           f"holds (at most {LATEX_MAX_CHARS:,}: about d = 150 sparse or d = 75 with dense fractions); "
                           "use --format json or text")
    if not standalone:
        body[0] += " (needs \\usepackage{amsmath,graphicx})"
        return "\n".join(body)
    return "\n".join(["\\documentclass{article}", "\\usepackage{amsmath,graphicx}", "\\begin{document}", *body,
                      "\\end{document}"])


def parse_int(text: str, name: str, minimum: int | None = None) -> int:
    shown = repr(text[:40] + "…" if isinstance(text, str) and len(text) > 40 else text)
    if isinstance(text, str) and len(text.strip()) > 30:  # no count or length tempx takes has 30 digits
        raise InvalidInput(f"{name} must be an integer of at most 30 digits, got {shown}")
    try:
        value = int(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name} must be an integer, got {shown}") from None
    if minimum is not None and value < minimum:
        raise InvalidInput(f"{name} must be >= {minimum}, got {value}")
    return value


def parse_rational_list(text: str, name: str) -> list[Fraction]:
    parts = [p for p in text.split(",")]
    if not text.strip() or any(not p.strip() for p in parts):
        raise InvalidInput(f"{name} must be a comma-separated list of numbers like 1,-2,3/2, got {text!r}")
    out = []
    for p in parts:
        try:
            out.append(parse_rational(p))
        except InvalidInput as err:
            raise InvalidInput(f"{name}: {err}") from None
    return out


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain fixed-width table."""
    cells = [[str(h) for h in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def dumps(doc: Any, indent: int = 2) -> str:
    """JSON with 2-space indentation, but every list of scalars (a matrix row) on one line.

    Always valid JSON (RFC 8259): a non-finite float, which JSON cannot hold, is written as the string
    "inf" or "-inf" (the convention of every tempx document, as in ``"exact_value": "inf"``), NaN as null.
    """

    def scalar(v: Any) -> str:
        if isinstance(v, float) and not math.isfinite(v):
            v = None if math.isnan(v) else ("inf" if v > 0 else "-inf")
        return json.dumps(v, ensure_ascii=False, allow_nan=False)

    def render(x: Any, level: int) -> str:
        pad, inner = " " * (indent * level), " " * (indent * (level + 1))
        if isinstance(x, dict):
            if not x:
                return "{}"
            items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {render(v, level + 1)}" for k, v in x.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(x, (list, tuple)):
            if all(not isinstance(v, (dict, list, tuple)) for v in x):
                return "[" + ", ".join(scalar(v) for v in x) + "]"
            return "[\n" + ",\n".join(inner + render(v, level + 1) for v in x) + "\n" + pad + "]"
        return scalar(x)

    return render(doc, 0)

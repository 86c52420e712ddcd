"""Exact rational numbers and matrices: the one thin layer every exact computation goes through.

Matrices are sympy ``DomainMatrix`` objects.  Over ``QQ`` they are backed by python-flint's
``fmpq_mat`` (sympy's ``DFM`` representation); over polynomial rings (the symbolic checks)
by sympy's pure-Python dense representation.  Every formula in ``theory/`` is written once,
against ``DomainMatrix``, and so runs unchanged on both: numbers and symbols.

No floats are ever accepted here: ``0.1`` is not the rational 1/10, so it is refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from fractions import Fraction
from typing import Any, Literal

import flint
from sympy import QQ
from sympy.polys.matrices import DomainMatrix

from tempx.theory.errors import InvalidInput

__all__ = [
    "QQ",
    "Backend",
    "Rational",
    "backend_of",
    "block_diag",
    "column",
    "entries",
    "entry_strings",
    "eye",
    "from_nonzero",
    "krylov_rows",
    "like",
    "markov_parameters",
    "matrix",
    "parse_rational",
    "qq",
    "right_krylov",
    "row",
    "rows_to_matrix",
    "to_backend",
    "to_fraction",
    "zeros",
]

Rational = Fraction
# The caps of every exact number a user gives (command line, teacher specification, JSON file),
# checked on the text before any integer is built: a decimal exponent of 10⁹ would build a
# 10⁹-digit integer.  4 000 digits stays below Python's 4 300-digit limit for converting strings
# to integers, so no valid number meets that limit's internal message.
MAX_EXPONENT = 4000
MAX_DIGITS = 4000
MAX_CHARS = 3 * MAX_DIGITS  # underscores, sign, point, exponent and spaces included
# The grammar Python's Fraction reads (PEP 515 underscores between digits), in named parts.
_DIGITS = r"\d+(?:_\d+)*"
_NUMBER = re.compile(  # ASCII digits only, as in the messages
    rf"\s*(?P<sign>[-+])?(?:(?P<num>{_DIGITS})\s*/\s*(?P<den>{_DIGITS})"
    rf"|(?=\d|\.\d)(?P<int>{_DIGITS})?(?:\.(?P<frac>{_DIGITS})?)?(?:[eE](?P<exp>[-+]?{_DIGITS}))?)\s*",
    re.ASCII,
)
Backend = Literal["flint", "python"]


def to_fraction(x: Any) -> Fraction:
    """Convert an exact domain element (fmpq, PythonMPQ, int, Fraction) to ``Fraction``."""
    if isinstance(x, Fraction):
        return x
    return Fraction(int(x.numerator), int(x.denominator))  # ints, fmpq and PythonMPQ all have these


def parse_rational(value: object) -> Fraction:
    """Read an exact rational from an int, a Fraction, an fmpq or a string.

    Parameters
    ----------
    value : int, Fraction, fmpq or str
        Strings may be integers (``"-2"``), decimals (``"1.5"``, ``"1e-3"``) or fractions
        (``"3/2"``); all are taken exactly.

    Returns
    -------
    Fraction

    Raises
    ------
    TypeError
        For a float (not exact) or another type.
    ValueError
        For a string that is not a rational, or one whose size is over the input limits.

    Examples
    --------
    >>> parse_rational("3/2"), parse_rational("0.1"), parse_rational(-4)
    (Fraction(3, 2), Fraction(1, 10), Fraction(-4, 1))
    """
    if isinstance(value, bool):
        raise TypeError(f"expected an exact rational, got the bool {value!r}")
    if isinstance(value, float):
        raise TypeError(
            f"floats are not exact: got {value!r}; pass a string like '{value!r}' or a Fraction"
        )
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, flint.fmpq):
        return to_fraction(value)
    if isinstance(value, str):
        return _parse_text(value)
    raise TypeError(f"expected an exact rational (int, Fraction or string), got {type(value).__name__}")


def _parse_text(value: str) -> Fraction:
    """The bounded reader behind ``parse_rational``: grammar and caps first, integers after."""
    shown = repr(value[:40] + ("…" if len(value) > 40 else ""))
    if len(value) > MAX_CHARS:
        raise InvalidInput(f"number {shown} has {len(value)} characters (allowed: at most {MAX_CHARS})")
    m = _NUMBER.fullmatch(value)
    if m is None:
        raise InvalidInput(f"not an exact rational number: {shown} "
                           "(allowed: integers like -2, decimals like 1.5 or 2e-3, fractions like 3/2)")
    parts = {k: v.replace("_", "") for k, v in m.groupdict().items() if v is not None}
    digits = max(len(parts.get("num", "")), len(parts.get("den", "")), len(parts.get("int", "") + parts.get("frac", "")))
    if digits > MAX_DIGITS:
        raise InvalidInput(f"number {shown} has {digits} digits (allowed: at most {MAX_DIGITS})")
    if "exp" in parts:
        exp = parts["exp"].lstrip("+-").lstrip("0")
        if len(exp) > len(str(MAX_EXPONENT)) or int(exp or "0") > MAX_EXPONENT:
            raise InvalidInput(f"the exponent of {shown} is beyond ±{MAX_EXPONENT} (allowed: |exponent| <= {MAX_EXPONENT})")
    sign = -1 if parts.get("sign") == "-" else 1
    if "num" in parts:
        den = int(parts["den"])
        if den == 0:
            raise InvalidInput(f"not an exact rational number: {shown} has denominator 0")
        return Fraction(sign * int(parts["num"]), den)
    frac = parts.get("frac", "")
    mantissa = int(parts.get("int", "") + frac or "0")
    exp = int(parts.get("exp", "0")) - len(frac)
    return Fraction(sign * mantissa * 10**exp) if exp >= 0 else Fraction(sign * mantissa, 10**-exp)


def qq(value: object) -> Any:
    """``parse_rational`` followed by conversion to the ``QQ`` domain element."""
    if type(value) is int:  # the common case, kept cheap for large matrices
        return QQ(value)
    f = parse_rational(value)
    return QQ(f.numerator, f.denominator)


def matrix(rows: Sequence[Sequence[object]], domain: Any = QQ) -> DomainMatrix:
    """Exact matrix from nested rows of exact numbers (or ring elements when ``domain`` is given)."""
    rows = [list(r) for r in rows]
    if not rows or not rows[0]:
        raise InvalidInput("a matrix needs at least one row and one column")
    width = len(rows[0])
    if any(len(r) != width for r in rows):
        raise InvalidInput(f"rows of unequal length: {[len(r) for r in rows]}")
    conv = qq if domain == QQ else domain.convert
    return DomainMatrix([[conv(x) for x in r] for r in rows], (len(rows), width), domain)


def from_nonzero(nonzero: dict[tuple[int, int], object], shape: tuple[int, int]) -> DomainMatrix:
    """Exact dense matrix from its nonzero entries {(i, j): value}; cheap for large sparse matrices."""
    rows, cols = shape
    dok: dict[int, dict[int, object]] = {}
    for (i, j), v in nonzero.items():
        if not (0 <= i < rows and 0 <= j < cols):
            raise InvalidInput(f"entry ({i}, {j}) outside a {rows}×{cols} matrix")
        dok.setdefault(i, {})[j] = qq(v)
    return DomainMatrix(dok, shape, QQ).to_dense()


def column(values: Iterable[object], domain: Any = QQ) -> DomainMatrix:
    """Exact d×1 column vector."""
    return matrix([[v] for v in values], domain)


def row(values: Iterable[object], domain: Any = QQ) -> DomainMatrix:
    """Exact 1×d row vector."""
    return matrix([list(values)], domain)


def zeros(r: int, c: int, domain: Any = QQ) -> DomainMatrix:
    return DomainMatrix.zeros((r, c), domain).to_dense()


def eye(n: int, domain: Any = QQ) -> DomainMatrix:
    return DomainMatrix.eye(n, domain).to_dense()


def backend_of(m: DomainMatrix) -> Backend:
    """``flint`` when the matrix is stored as python-flint's fmpq_mat, else ``python``."""
    return "flint" if getattr(m.rep, "is_DFM", False) else "python"


def like(m: DomainMatrix, ref: DomainMatrix) -> DomainMatrix:
    """``m`` stored on the same backend as ``ref`` (products of mixed backends are refused)."""
    return m if backend_of(m) == backend_of(ref) else to_backend(m, backend_of(ref))


def block_diag(top: DomainMatrix, bottom: DomainMatrix) -> DomainMatrix:
    """[[top, 0], [0, bottom]]."""
    (r1, c1), (r2, c2) = top.shape, bottom.shape
    dom = top.domain
    bottom = like(bottom, top)
    upper = top.hstack(like(zeros(r1, c2, dom), top)) if c2 else top
    lower = like(zeros(r2, c1, dom), top).hstack(bottom) if c1 else bottom
    return upper.vstack(lower)


def entry_strings(m: DomainMatrix) -> list[list[str]]:
    """Nested lists of exact strings ('3/2', '-4', '0'), straight from flint's matrix when it holds one."""
    if _is_flint_qq(m):
        return [[str(x) for x in row] for row in m.rep.rep.tolist()]
    return [[str(to_fraction(x)) for x in r] for r in m.to_list()]


def entries(m: DomainMatrix) -> list[list[Fraction]]:
    """Nested lists of Fractions (rational matrices only)."""
    return [[to_fraction(x) for x in r] for r in m.to_list()]


def to_backend(m: DomainMatrix, backend: Backend) -> DomainMatrix:
    """The same matrix on another backend: ``flint`` (fmpq_mat) or ``python`` (pure Python)."""
    if backend == "flint":
        return DomainMatrix.from_rep(m.to_dense().rep.to_dfm_or_ddm())
    if backend == "python":
        return DomainMatrix.from_rep(m.rep.to_ddm())
    raise InvalidInput(f"unknown backend {backend!r} (allowed: flint, python)")


def rows_to_matrix(vectors: Sequence[DomainMatrix], domain: Any) -> DomainMatrix:
    """Stack n ≥ 1 vectors (1×d or d×1) as the rows of an n×d matrix, on the first vector's backend."""
    if not vectors:
        raise InvalidInput("rows_to_matrix needs at least one vector")
    flat: list[Any] = []
    for v in vectors:
        flat.extend(v.to_list_flat())
    n = len(vectors)
    out = DomainMatrix.from_list_flat(flat, (n, len(flat) // n), domain).to_dense()
    return like(out, vectors[0])


def _is_flint_qq(m: DomainMatrix) -> bool:
    return m.domain == QQ and getattr(m.rep, "is_DFM", False)


SPARSE_FRACTION = 1 / 16  # below this share of nonzero entries, sparse products win (cyclic: 1/d)


def _is_sparse(A: DomainMatrix) -> bool:
    """True when A is large and mostly zeros, as the constructions of C2 are before disguise."""
    d = A.shape[0]
    return d >= 16 and A.rep.nnz() <= SPARSE_FRACTION * d * d


def _integer_parts(m: DomainMatrix) -> tuple[Any, Any]:
    """(M_int as fmpz_mat, den as fmpz) with m = M_int / den."""
    den, m_int = m.clear_denoms(convert=True)
    return m_int.to_dense().rep.rep, flint.fmpz(int(den.element))


def _integer_krylov(A: DomainMatrix, x: DomainMatrix, n: int) -> Iterator[tuple[Any, Any]]:
    """Yield (A_int^i x_int, b·a^i) for i < n, where A = A_int / a and x = x_int / b.

    So A^i x = A_int^i x_int / (b·a^i): integer matrix-vector products (fmpz_mat), which skip
    fmpq_mat's canonicalisation of rationals — about 3× faster at d = 512.  n − 1 products.
    """
    a_raw, a_den = _integer_parts(A)
    v, den = _integer_parts(x)
    for i in range(n):
        yield v, den
        if i + 1 < n:
            v = a_raw * v
            den *= a_den


def nonzero_rows(m: DomainMatrix) -> list[list[Fraction]]:
    """Each row's nonzero entries (as Fractions, zeros left out): cheap for a large sparse matrix, whose full list
    of entries (``entries``) would hold d² Fractions."""
    return [[Fraction(int(v.numerator), int(v.denominator)) for v in r.values()] for r in m.to_sparse().rep.values()]


def term_growth(rows: list[list[Fraction]]) -> float:
    """The bits a power of A adds to an impulse-response term, at most: log₂ Q + log₂ ‖Q·A‖_∞ (Q: the entries' common
    denominator), since |(QA)^i| ≤ ‖QA‖_∞^i; a shift adds none.  ``rows`` may leave out their zeros
    (``nonzero_rows``)."""
    Q = math.lcm(*(x.denominator for row in rows for x in row))
    norm = max((sum(abs(x.numerator * (Q // x.denominator)) for x in row) for row in rows), default=1)
    return math.log2(Q) + math.log2(max(norm, 1))


def _sparse_rows(m: DomainMatrix) -> list[tuple[int, list[tuple[int, Any]]]]:
    """[(i, [(j, m[i, j]) …]) …]: the nonzero entries of a rational matrix, row by row (fmpq values)."""
    sdm = m.to_sparse().rep
    return [(i, [(j, flint.fmpq(int(v.numerator), int(v.denominator))) for j, v in sorted(r.items())])
            for i, r in sorted(sdm.items())]


def _sparse_krylov(A: DomainMatrix, x: DomainMatrix, n: int) -> Iterator[list[Any]]:
    """Yield A^i x as a list of d rationals (fmpq) for i < n, touching only nonzero entries of A.

    For the large, mostly-zero matrices of C2 and C10 (shifts, companion matrices): a row with
    a single entry 1 is a copy, so one product costs O(d) moves plus the few real
    multiply-adds, whatever the size of the rationals in the iterates.  n − 1 products.
    """
    zero = flint.fmpq(0)
    rows = _sparse_rows(A)
    copies = [(i, r[0][0]) for i, r in rows if len(r) == 1 and r[0][1] == 1]
    general = [(i, r) for i, r in rows if not (len(r) == 1 and r[0][1] == 1)]
    d = x.shape[0]
    v = [zero] * d
    for i, r in _sparse_rows(x):
        v[i] = r[0][1]
    # A row with several entries is one fmpq_mat product: flint puts the terms on a common
    # denominator once instead of canonicalising every partial sum (9× faster at 40 000 bits).
    dense = [(i, [j for j, _ in r], flint.fmpq_mat(1, len(r), [val for _, val in r])) for i, r in general]
    for step in range(n):
        yield v
        if step + 1 < n:
            new = [zero] * d
            for i, j in copies:
                new[i] = v[j]
            for i, cols, row in dense:
                new[i] = (row * flint.fmpq_mat(len(cols), 1, [v[j] for j in cols]))[0, 0]
            v = new


def right_krylov(A: DomainMatrix, x: DomainMatrix, n: int) -> list[DomainMatrix]:
    """[x, A x, A² x, …, A^{n-1} x]: n column vectors, one matrix-vector product each."""
    out = [x] if n > 0 else []
    for _ in range(n - 1):
        out.append(A * out[-1])
    return out


def krylov_rows(A: DomainMatrix, x: DomainMatrix, n: int) -> DomainMatrix:
    """The n×d matrix with rows (A^i x)ᵀ, i < n.

    Over QQ on the flint backend: a sparse sweep for mostly-zero A, else the integer sweep
    of ``_integer_krylov`` with every row scaled onto the common denominator b·a^{n−1}.
    """
    d = x.shape[0]
    if n <= 0:
        raise InvalidInput(f"a Krylov matrix needs n >= 1 rows, got {n}")
    if not (_is_flint_qq(A) and _is_flint_qq(x)):
        return rows_to_matrix(right_krylov(A, x, n), A.domain)
    if _is_sparse(A):
        rows = [v.transpose() for v in right_krylov(A.to_sparse(), x.to_sparse(), n)]
        return like(DomainMatrix.from_rep(rows[0].rep.vstack(*(r.rep for r in rows[1:]))).to_dense(), A)
    pairs = list(_integer_krylov(A, x, n))
    common = pairs[-1][1]  # b·a^{n−1}, a multiple of every row's denominator
    flat: list[Any] = []
    for vec, den in pairs:
        scale = common // den
        flat.extend(e * scale for e in vec.entries())
    M = flint.fmpq_mat(flint.fmpz_mat(n, d, flat)) / common
    return DomainMatrix.from_rep(_dfm_from_flint(M))


def _dfm_from_flint(m: Any) -> Any:
    from sympy.polys.matrices._dfm import DFM

    return DFM(m, (m.nrows(), m.ncols()), QQ)


def markov_parameters(y: DomainMatrix, A: DomainMatrix, x: DomainMatrix, n: int) -> list[Any]:
    """[y x, y A x, …, y A^{n-1} x]: the scalar sequence of a 1×d row, d×d matrix, d×1 column.

    Over QQ on the flint backend this runs in integer arithmetic (as ``krylov_rows``) and
    never builds a rational vector.
    """
    if n <= 0:
        return []
    if _is_flint_qq(A) and _is_flint_qq(x) and _is_flint_qq(y) and _is_sparse(A):
        y_rows = _sparse_rows(y)
        y_entries = y_rows[0][1] if y_rows else []
        zero = flint.fmpq(0)
        return [sum((val * v[j] for j, val in y_entries), zero) for v in _sparse_krylov(A, x, n)]
    if _is_flint_qq(A) and _is_flint_qq(x) and _is_flint_qq(y):
        y_raw, y_den = _integer_parts(y)
        return [flint.fmpq((y_raw * v)[0, 0], den * y_den) for v, den in _integer_krylov(A, x, n)]
    return [(y * v).to_list_flat()[0] for v in right_krylov(A, x, n)]

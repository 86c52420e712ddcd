r"""Claim C14: L_∞ = Σ_{i≥0} r_i² decided exactly — zero, a positive rational, or ∞ with the reason.

Setting: a model with rational entries (a float64 model's entries are the dyadic rationals they
store) and a teacher with a rational realization; r_i = w_i − w*_i is the impulse response of the
joint residual system of dimension n = d + d* (``tempx.theory.certify.residual_system``).

1. Berlekamp–Massey on r_0 … r_{2n−1} (2n terms determine a sequence of linear complexity ≤ n)
   gives the linear complexity m of r and its connection polynomial D(w) = 1 + c_1 w + … + c_m w^m;
   the minimal polynomial is p(z) = z^m D(1/z), the characteristic polynomial of every minimal
   realization, and R(w) = Σ r_i w^i = Q(w)/D(w) with Q = D·R mod w^m.
2. m = 0 ⇔ r ≡ 0 ⇔ L_∞ = 0.
3. L_∞ < ∞ ⇔ every root of p lies strictly inside the unit disc.  Decided exactly by the
   Schur–Cohn recursion: with κ = p(0)/lead(p), |κ| ≥ 1 means the product of the roots has
   modulus ≥ 1 (a root on or outside the circle); else p has all its roots inside iff
   (p(z) − κ p*(z))/z does (p* the reciprocal polynomial), one degree lower.
4. Then L_∞ is the rational (1/2πi)∮ R(w)R(1/w) dw/w, evaluated by Åström's recursion, which
   runs the same reflections on the numerator: with A = p and B(z) = z^m Q(1/z) (so that
   B(z)/A(z) = Σ r_i z^{−i}), for k = m … 0:
       α_k = a_k/a_0,  β_k = b_k/a_0,
       a_i ← a_i − α_k a_{k−i},  b_i ← b_i − β_k a_{k−i}  (i < k),
   and L_∞ = (1/a_0^{(m)}) Σ_k a_0^{(k)} β_k² (K. J. Åström, E. I. Jury, R. G. Agniel, "A numerical
   method for the evaluation of complex integrals", IEEE TAC 15, 1970).  O(m²) exact operations.

Reference: SPEC C14.  The claim's check (``tempx.theory.claims.c14_exact_linf``) compares with an
independent route, the Stein equation P − F P Fᵀ = g gᵀ solved over ℚ for small m, with closed
forms, and with C13's enclosures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

import flint

from tempx.theory.budget import OverBudget, Stage, check_work
from tempx.theory.display import readable_repr
from tempx.theory.errors import InvalidInput
from tempx.theory.rnn import ExactRNN

__all__ = [
    "METHODS",
    "Decision",
    "ExactLinf",
    "bound_text",
    "decide",
    "display_float",
    "energy",
    "exact_linf",
    "exact_linf_of_terms",
    "fraction_text",
    "json_bound",
    "read_exact",
    "residual_head",
    "schur_cohn",
]


@dataclass(frozen=True)
class ExactLinf:
    """L_∞ decided: ``value`` the exact rational, or None when L_∞ = ∞ (``reason`` says why)."""

    value: Fraction | None
    complexity: int  # m, the linear complexity of the residual
    polynomial: tuple[Fraction, ...]  # the minimal polynomial p, monic, highest degree first
    reason: str

    @property
    def finite(self) -> bool:
        return self.value is not None

    def as_text(self) -> str:
        """``inf``, an integer, or ``p/q``."""
        return "inf" if self.value is None else fraction_text(self.value)


def fraction_text(x: Any) -> str:
    """``p/q`` or an integer, at any length (``str`` of a Python int stops at 4300 digits by default;
    python-flint's conversion has no such limit and is quasi-linear)."""
    x = _q(x)
    num = flint.fmpz(x.numerator).str()
    return num if x.denominator == 1 else f"{num}/{flint.fmpz(x.denominator).str()}"


def read_exact(text: str) -> Fraction | float:
    """The exact value of a string ``tempx`` prints (``exact_value``, ``--exact`` fields), at any length.

    ``fractions.Fraction(text)`` works too, but Python 3.11 and later refuse integer strings beyond 4300 digits
    (``sys.set_int_max_str_digits``); this reads through python-flint, in quasi-linear time, with no such limit.

    Parameters
    ----------
    text : str
        ``"p/q"``, an integer, or ``"inf"``.

    Returns
    -------
    Fraction or float
        The rational, or ``math.inf``.

    Raises
    ------
    InvalidInput
        For text that is none of these (a ``ValueError``).

    Examples
    --------

    >>> read_exact("1/3"), read_exact("-12"), read_exact("inf")
    (Fraction(1, 3), Fraction(-12, 1), inf)
    >>> len(str(read_exact("1" + "0" * 9000 + "/7").numerator.bit_length()))
    5
    """
    import math
    import re

    if not isinstance(text, str):
        raise TypeError(f"read_exact reads a string (p/q, an integer or inf), got {type(text).__name__}")
    t = text.strip()
    if t == "inf":
        return math.inf
    m = re.fullmatch(r"(-?[0-9]+)(?:/([0-9]+))?", t)
    if m is None:
        shown = t if len(t) <= 40 else f"{t[:18]}…{t[-18:]}"
        raise InvalidInput(f"not an exact value: {shown!r} (allowed: p/q, an integer, or inf)")
    num = int(flint.fmpz(m.group(1)))
    den = int(flint.fmpz(m.group(2))) if m.group(2) else 1
    if den == 0:
        raise InvalidInput("not an exact value: the denominator is 0")
    return Fraction(num, den)


def _q(x: Any) -> Fraction:
    if isinstance(x, (Fraction, int)):
        return Fraction(x)
    if isinstance(x, flint.fmpz):
        return Fraction(int(x))
    return Fraction(int(x.p), int(x.q))


def _fq(x: Any) -> Any:
    if isinstance(x, flint.fmpq):
        return x
    f = _q(x)
    return flint.fmpq(f.numerator, f.denominator)


def residual_head(A: Any, B: Any, C: Any, n: int) -> list[Any]:
    """r_0 … r_{n−1} of (A, B, C) (fmpq matrices) as ``flint.fmpq``, by C13's integer Krylov sweep."""
    from tempx.theory.certify import terms

    return [_fq(r) for r in terms(A, B, C, n)]


def _integers(values: Sequence[Any]) -> tuple[list[Any], Any]:
    """Rationals as integers over one common denominator: (numerators as fmpz, the denominator)."""
    q = [_fq(x) for x in values]
    den = flint.fmpz(1)
    for x in q:
        den = den * x.q // den.gcd(x.q)  # the least common multiple
    return [x.p * (den // x.q) for x in q], den


def _primitive(poly: Any) -> Any:
    """A fmpz_poly divided by the gcd of its coefficients (the same roots, smaller numbers)."""
    g = poly.content()
    return poly if g in (0, 1) else poly / g


def _reverse(poly: Any, length: int) -> Any:
    c = poly.coeffs()
    return flint.fmpz_poly(list(reversed(c + [0] * (length - len(c)))))


def schur_cohn(p: Sequence[Any]) -> str | None:
    """None when every root of p (coefficients highest degree first, p[0] ≠ 0) lies strictly inside
    the unit disc; else the reason, exactly (which reflection failed, and a root at ±1 by name).

    Fraction-free: the coefficients are scaled to integers (scaling keeps the roots) and each
    reflection a ← (a_0·a − a_k·a*)/z is taken times a_0 and divided by its content, so no
    rational is ever normalized (|κ| ≥ 1 is |a_k| ≥ |a_0| on integers)."""
    ints, _ = _integers(p)
    if ints[0] == 0:
        raise InvalidInput("the leading coefficient of a polynomial must be nonzero")
    # highest-first coefficients stored as the coefficient list of a fmpz_poly (index j = a_j)
    a = flint.fmpz_poly(ints)
    m = len(ints) - 1
    at_one = sum(ints, flint.fmpz(0))
    at_minus_one = sum((x if (m - i) % 2 == 0 else -x for i, x in enumerate(ints)), flint.fmpz(0))
    if at_one == 0:
        return "the minimal polynomial has the root z = 1 (a non-decaying constant mode)"
    if at_minus_one == 0:
        return "the minimal polynomial has the root z = −1 (a non-decaying alternating mode)"
    for step in range(m):
        k = m - step
        c = a.coeffs() + [flint.fmpz(0)] * (k + 1 - a.length())
        lead, last = c[0], c[k]
        if abs(last) >= abs(lead):
            ratio = _q(flint.fmpq(abs(last), abs(lead)))
            return (f"the minimal polynomial has a root with |z| ≥ 1 (Schur–Cohn step {step} of {m}: "
                    f"reflection coefficient |κ| = {_ratio_text(ratio)} ≥ 1; the product of the remaining "
                    f"{k} roots has modulus ≥ 1)")
        a = _primitive((lead * a - last * _reverse(a, k + 1)).truncate(k))
    return None


def _ratio_text(x: Fraction) -> str:
    """An exact ratio ≥ 1 for a reason: itself when short (``3/2``, ``1``), else ``1 + δ`` with δ = x − 1 > 0 rounded
    down at its last printed digit (so the text still shows x > 1: ``1 + 8.6736173798840354e-19``)."""
    text = fraction_text(x)
    if len(text) <= 40:
        return text
    if x > 1:
        return f"1 + {bound_text(x - 1, True)}"
    return bound_text(x, True)


def energy(a: Sequence[Any], b: Sequence[Any]) -> Fraction:
    """Σ_i h_i² for B(z)/A(z) = Σ_i h_i z^{−i}, A with every root strictly inside the unit disc
    (Åström's recursion; coefficients highest degree first, len(b) == len(a)).

    Fraction-free: A = s_a·A_int and B = s_b·B_int with integer polynomials reduced by their
    content at every step; only the m + 1 terms of the sum are rationals."""
    value = _astrom(a, b)
    if value is None:
        raise InvalidInput("energy needs A with every root strictly inside the unit disc (a reflection has |α| ≥ 1)")
    return value


def _astrom(a: Sequence[Any], b: Sequence[Any]) -> Fraction | None:
    """Åström's recursion; None as soon as a reflection coefficient α_k = a_k/a_0 has |α_k| ≥ 1.
    Those are Schur–Cohn's reflections of A, so one pass decides stability and computes the value."""
    if len(a) != len(b):
        raise InvalidInput("energy needs A and B of the same length (pad B with leading zeros)")
    a_int, a_den = _integers(a)
    b_int, b_den = _integers(b)
    A, B = flint.fmpz_poly(a_int), flint.fmpz_poly(b_int)
    sa, sb = flint.fmpq(1, a_den), flint.fmpq(1, b_den)
    a0_top = sa * a_int[0]
    total = flint.fmpq(0)
    m = len(a_int) - 1
    for step in range(m + 1):
        k = m - step
        ca = A.coeffs() + [flint.fmpz(0)] * (k + 1 - A.length())
        cb = B.coeffs() + [flint.fmpz(0)] * (k + 1 - B.length())
        a0, ak, bk = ca[0], ca[k], cb[k]
        if k > 0 and abs(ak) >= abs(a0):
            return None
        total += sb * sb / sa * flint.fmpq(bk * bk, 1) / a0  # a_0·β_k², β_k = b_k/a_0
        if k == 0:
            break
        rev = _reverse(A, k + 1)
        A, B = (a0 * A - ak * rev).truncate(k), (a0 * B - bk * rev).truncate(k)
        sa, sb = sa / a0, sb / a0
        ga, gb = A.content(), B.content()
        if ga not in (0, 1):
            A, sa = A / ga, sa * ga
        if gb not in (0, 1):
            B, sb = B / gb, sb * gb
    return _q(total / a0_top)


def _integer_bm(v: Sequence[Any]) -> tuple[int, list[Any]]:
    """Berlekamp–Massey on an integer sequence, fraction-free: the update C ← b·C − δ·x^s·B is
    Massey's C − (δ/b)·x^s·B times b, so the connection polynomial is found up to a scalar (its
    content is divided out each step).  Returns (L, the connection coefficients c_0 … c_L)."""
    C, Bp = flint.fmpz_poly([1]), flint.fmpz_poly([1])
    L, shift, b = 0, 1, flint.fmpz(1)
    for n in range(len(v)):
        c = C.coeffs()
        d = sum((c[i] * v[n - i] for i in range(min(len(c), L + 1))), flint.fmpz(0))
        if d == 0:
            shift += 1
            continue
        T = C
        C = _primitive(b * C - d * Bp.left_shift(shift))
        if 2 * L <= n:
            L, Bp, b, shift = n + 1 - L, T, d, 1
        else:
            shift += 1
    c = C.coeffs()
    return L, c + [flint.fmpz(0)] * (L + 1 - len(c))


def exact_linf_of_terms(head: Sequence[Any], n: int) -> ExactLinf:
    """C14 from the first 2n terms of a residual of linear complexity ≤ n."""
    if len(head) < 2 * n:
        raise InvalidInput(f"C14 needs 2n = {2 * n} terms, got {len(head)}")
    v, _ = _integers(head[: 2 * n])  # v = K·r with one constant K: the same recurrence as r
    m, c = _integer_bm(v)
    if m == 0:
        return ExactLinf(Fraction(0), 0, (Fraction(1),), "the residual is identically zero (m = 0)")
    poly = tuple(Fraction(int(x), int(c[0])) for x in c)  # monic p(z) = z^m + c_1 z^{m−1} + … + c_m
    terms = [_fq(x) for x in head[:m]]
    q = [sum((flint.fmpq(c[l], 1) * terms[j - l] for l in range(j + 1)), flint.fmpq(0)) for j in range(m)]  # D·R mod w^m
    value = _astrom(c, [*q, flint.fmpq(0)])  # its reflections are Schur–Cohn's: one pass decides and sums
    if value is None:
        why = schur_cohn(c)  # the reason, exactly (a root at ±1 by name, or the reflection that failed)
        assert why is not None  # Invariant: the two recursions reflect the same polynomial
        return ExactLinf(None, m, poly, why)
    return ExactLinf(value, m, poly, f"every root of the degree-{m} minimal polynomial lies inside the unit disc")


def exact_linf(model: ExactRNN, teacher: Any) -> ExactLinf:
    """L_∞ of ``model`` against ``teacher`` (an exact teacher or specification), decided exactly (C14).

    >>> from tempx.theory.rnn import ExactRNN
    >>> exact_linf(ExactRNN.from_entries(A=[[0, "1/2"], [1, 0]], B=[1, 0], C=[1, 0]), "memoryless").as_text()
    '1/3'
    >>> exact_linf(ExactRNN.from_entries(A=[[0, 1], [1, 0]], B=[1, 0], C=[1, 0]), "memoryless").finite
    False
    """
    from tempx.theory.certify import residual_system

    A, B, C = residual_system(model, teacher)
    n = A.nrows()
    with _check(A, n):
        return exact_linf_of_terms(residual_head(A, B, C, 2 * n), n)


def display_float(x: Fraction) -> float | str:
    """A float for display, or, beyond float64's normal range (an exact value near 1e400 or 1e-400), the exact
    value rounded to 5 significant digits as a string with a normalized mantissa (``1.2346e+400``) — never an
    overflow, and never a nonzero value shown as 0."""
    import math
    import sys

    if x == 0:
        return 0.0
    try:
        f = float(x)
    except OverflowError:
        f = math.inf
    if math.isfinite(f) and abs(f) >= sys.float_info.min:
        return f
    return _decimal(Fraction(x), "nearest", 5)


METHODS = ("auto", "exact", "enclosure")


def bound_text(x: Fraction, down: bool, digits: int = 17) -> str:
    """x rounded outward at its last printed digit, in scientific notation with a normalized mantissa at any
    magnitude: the largest such decimal ≤ x (``down``) or the smallest ≥ x (``bound_text(F(1, 3), True)`` is
    ``3.3333333333333333e-01``, with ``down=False`` ``3.3333333333333334e-01``)."""
    return _decimal(Fraction(x), "down" if down else "up", digits)


def _decimal(x: Fraction, mode: str, digits: int) -> str:
    """x in scientific notation with ``digits`` significant digits, rounded ``down`` (toward −∞), ``up`` (toward
    +∞) or to the ``nearest``; the mantissa normalized (a carry into a new digit moves the exponent)."""
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    a = -x if x < 0 else x
    if x < 0 and mode != "nearest":
        mode = "up" if mode == "down" else "down"  # the magnitude rounds the other way
    e = len(flint.fmpz(a.numerator // a.denominator).str()) - 1 if a >= 1 else -_leading_zeros(a) - 1
    scaled = a * Fraction(10) ** (digits - 1 - e)  # the mantissa times 10^(digits−1)
    if mode == "down":
        m = scaled.numerator // scaled.denominator
    elif mode == "up":
        m = -(-scaled.numerator // scaled.denominator)
    else:
        m = round(scaled)
    if m >= 10**digits:  # rounding carried into a new digit
        m, e = m // 10, e + 1
    text = str(m)
    return f"{sign}{text[0]}.{text[1:]}e{'+' if e >= 0 else '-'}{abs(e):02d}"


def _leading_zeros(a: Fraction) -> int:
    """For 0 < a < 1: the number of zeros after the decimal point before the first significant digit."""
    inv = a.denominator // a.numerator  # ⌊1/a⌋ ≥ 1
    z = len(flint.fmpz(inv).str()) - 1
    return z if a * Fraction(10) ** (z + 1) >= 1 else z + 1


def json_bound(x: Fraction, down: bool) -> float | str:
    """A JSON bound: a float outward of x whose printed decimal text is outward too (``printed_down`` and
    ``printed_up``: what a reader parses is a true bound) when x is a normal float64, else
    ``bound_text``'s outward-rounded decimal string (beyond float64, or below its normal range)."""
    from tempx.theory.certify import printed_down, printed_up

    if x == 0:
        return 0.0
    if Fraction(1, 10**300) <= abs(x) <= Fraction(10) ** 300:
        return printed_down(x) if down else printed_up(x)
    return bound_text(x, down)


@dataclass(frozen=True)
class Decision:
    """What ``tempx certify`` reports for one model: exact L_k and L_q, and L_∞ decided — exactly (C14, a rational
    or ∞), or by a verified enclosure (``verified``), or shown infinite by an unstable mode (``unstable``)."""

    __repr__ = readable_repr  # long rationals and arrays summarized (tempx.theory.display)

    k: int
    L_k: Fraction
    L_q: dict[int, Fraction]
    linf: ExactLinf | None  # the exact decision; None when the enclosure route ran
    terms: int
    head_sum: Fraction  # Σ_{i<terms} r_i², exact: the lower bound that remains when L_∞ = ∞ or undecided
    enclosure: Any = None  # C13's Enclosure when a contraction certificate was asked for
    note: str = ""
    method: str = "exact"
    verified: Any = None  # tempx.theory.enclosure.LinfEnclosure on the enclosure route
    unstable: str = ""  # the proof that L_∞ = ∞ on the enclosure route (an unstable mode), if found
    certificate_note: str = ""  # why --certificate gives no certificate

    @property
    def finite(self) -> bool | None:
        if self.linf is not None:
            return self.linf.finite
        if self.verified is not None:
            return True
        return False if self.unstable else None

    def as_dict(self, exact: bool = False, certificate: bool = False) -> dict[str, Any]:
        """JSON values: losses as floats; L_inf as the interval [lower, upper] rounded outward (``json_bound``: floats,
        or decimal strings beyond float64's normal range; upper null when L_inf = inf or undecided, lower then the exact
        partial sum of ``terms`` terms), ``method`` (exact, enclosure), and ``exact_value``: "p/q", an integer, "inf",
        or null when the enclosure route ran."""
        from tempx.theory.certify import printed_up

        li: dict[str, Any]
        if self.linf is not None:
            v = self.linf.value
            lower = v if v is not None else self.head_sum
            li = {"lower": json_bound(lower, True), "upper": None if v is None else json_bound(v, False),
                  "certified": v is not None, "finite": v is not None, "reason": self.linf.reason,
                  "method": "exact", "terms": self.terms, "complexity": self.linf.complexity}
            if self.note:
                li["note"] = self.note
            exact_value: str | None = self.linf.as_text()
        else:
            enc = self.verified
            finite = self.finite
            if enc is not None:
                lo, up, reason = enc.lower, enc.upper, enc.reason
                # L_∞ ≥ L_q exactly (a sum of squares): where the enclosure's own lower end is below an exact L_q it
                # already computed (tiny or zero values), the exact L_q is the lower bound
                lo = max(lo, *self.L_q.values(), self.L_k)
            else:
                lo, up, reason = self.head_sum, None, (self.unstable or self.note)
            li = {"lower": json_bound(lo, True), "upper": None if up is None else json_bound(up, False),
                  "certified": finite is True, "finite": finite, "reason": reason, "method": "enclosure",
                  "terms": self.terms, "complexity": None}
            if enc is not None and up is not None:
                rel = (up - lo) / lo if lo > 0 else None
                if rel is not None and rel <= 1:
                    li["rel_width"] = printed_up(rel)
                else:  # a tiny or zero value: only an absolute width means anything
                    li["rel_width"] = None
                    li["abs_width"] = printed_up(up - lo)
                    li["width_note"] = ("a tiny or zero value: the enclosure [lower, upper] is absolute (lower: the exact "
                                        "L_q, a partial sum of L_inf), its relative width is over 1")
            if self.note and enc is not None:
                li["note"] = self.note
            exact_value = "inf" if finite is False else None
        out: dict[str, Any] = {"L_k": display_float(self.L_k),
                               "L_q": {str(q): display_float(x) for q, x in self.L_q.items()},
                               "L_inf": li, "exact_value": exact_value}
        if certificate:
            li["certificate"] = self._certificate()
            if li["certificate"] is None:
                li["certificate_note"] = self.certificate_note
        elif self.enclosure is not None and self.enclosure.certificate is not None:
            li["certificate"] = self._certificate()
        if exact:
            out["exact"] = {"L_k": fraction_text(self.L_k), "L_q": {str(q): fraction_text(x) for q, x in self.L_q.items()}}
            if self.linf is not None:
                out["exact"].update({"L_inf": self.linf.as_text(),
                                     "minimal_polynomial": [fraction_text(x) for x in self.linf.polynomial]})
            else:
                enc = self.verified
                out["exact"].update({"L_inf": "inf" if self.finite is False else None,
                                     "lower": fraction_text(enc.lower if enc is not None else self.head_sum),
                                     "upper": None if enc is None else fraction_text(enc.upper)})
        return out

    def _certificate(self) -> dict[str, Any] | None:
        """The certificate the decision used or asked for: C13's contraction (exact γ, ρ ≤ γ proven), or the
        enclosure's stability certificate (δ = ‖Y − AYAᵀ − I‖_F bound, proven < 1)."""
        if self.enclosure is not None and self.enclosure.certificate is not None:
            c = self.enclosure.certificate
            return {"kind": "contraction", "system": c.system, "dim": c.dim, "gamma": fraction_text(c.gamma),
                    "spectral_radius_bound": fraction_text(c.gamma),
                    "spectral_radius_estimate": c.spectral_radius}
        if self.verified is not None:
            v = self.verified
            return {"kind": "stein", "system": "joint residual system", "dim": v.dim,
                    "residual_bound": bound_text(v.delta, False, 6), "precision_bits": v.precision,
                    "refinement_steps": v.steps, "spectral_radius_estimate": v.rho_estimate}
        return None


def decide(model: ExactRNN, teacher: Any, k: int, qs: Sequence[int] = (), certificate: bool = False,
           method: str = "auto", rel_width: float = 1e-12, stage: Any = None) -> Decision:
    """Exact L_k, L_q and L_∞ of one model.  ``method``: "exact" (C14: the rational or ∞, under the work limit),
    "enclosure" (a verified enclosure of relative width ≤ ``rel_width``, or ∞ by an unstable mode; any size) or
    "auto" (exact when its estimate is within ``AUTO_EXACT_WORK`` and the work limit, else the enclosure).  With
    ``certificate`` also C13's contraction certificate on the exact route (or why there is none); the enclosure
    route reports its own certificate.  ``stage(text)``, if given, is called as each stage starts (for a progress
    line: the exact sums, the exact L_inf, the enclosure, the search for an unstable mode)."""
    from tempx.theory.certify import _Sweep, certify, residual_system

    def say(text: str) -> None:
        if stage is not None:
            stage(text)

    for name, v in [("k", k), *(("q", q) for q in qs)]:
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidInput(f"{name} must be an integer >= 1, got {v!r}")
    if method not in METHODS:
        raise InvalidInput(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    A, B, C = residual_system(model, teacher)
    n = A.nrows()
    over: OverBudget | None = None
    cost = 0.0 if method == "enclosure" else linf_work(A)
    if method == "exact" or (method == "auto" and cost <= AUTO_EXACT_WORK):
        try:
            _check(A, n)
        except OverBudget as err:
            if method == "exact":
                raise
            over = err
    use_exact = method == "exact" or (method == "auto" and over is None and cost <= AUTO_EXACT_WORK)
    lengths = sorted({k, *qs, *((2 * n,) if use_exact else ())})
    sweep, head, sums = _Sweep(A, B, C), list[Any](), dict[int, Fraction]()
    say(f"exact sums of {lengths[-1]} terms (L_k, L_q)")
    while sweep.i < lengths[-1]:
        r = sweep.advance()
        if use_exact and len(head) < 2 * n:
            head.append(flint.fmpq(r.numerator, r.denominator))
        if sweep.i in lengths:
            sums[sweep.i] = sweep.partial_sum()
    L_k, L_q = sums[k], {q: sums[q] for q in qs}
    if use_exact:
        say(f"exact L_inf (C14, n = {n})")
        linf = exact_linf_of_terms(head, n)
        enclosure, note = None, ""
        if certificate and linf.finite:
            enclosure = _quiet(lambda: certify(model, teacher, k, list(qs)))
            if enclosure.certificate is None:
                note = f"no contraction certificate (C13): {enclosure.reason}"
        elif certificate:
            note = "no certificate: L_inf = inf (the minimal polynomial's root on or outside the unit circle is the proof)"
        return Decision(k=k, L_k=L_k, L_q=L_q, linf=linf, terms=2 * n, head_sum=sums[2 * n], enclosure=enclosure,
                        method="exact", certificate_note=note)
    from tempx.theory.enclosure import enclose, unstable_mode

    terms = lengths[-1]
    why_auto = ("" if method != "auto" else
                f"the exact rational is over the work limit (about {cost:.2g} units, limit {_limit():.2g}): the "
                "enclosure instead" if over is not None else
                f"the exact rational would cost about {cost:.2g} work units, more than auto spends on it "
                f"({AUTO_EXACT_WORK:.2g}" + ("; --method exact computes it within the work limit" if cost <= _limit() else
                                            f", and over the work limit {_limit():.2g}") + "): the enclosure instead")
    say(f"L_inf enclosure (Stein, n = {n})")
    verified = _quiet(lambda: enclose(A, B, C, rel_width))
    if not isinstance(verified, str):
        return Decision(k=k, L_k=L_k, L_q=L_q, linf=None, terms=terms, head_sum=sweep.partial_sum(), method="enclosure",
                        verified=verified, note=why_auto)
    say("search for an unstable mode")
    proof = _quiet(lambda: unstable_mode(A, B, C))
    if proof:
        return Decision(k=k, L_k=L_k, L_q=L_q, linf=None, terms=terms, head_sum=sweep.partial_sum(),
                        method="enclosure", unstable=f"L_inf = inf: {proof}",
                        certificate_note="no certificate: L_inf = inf (the unstable mode is the proof)")
    cost = linf_work(A)
    if n <= EXACT_FALLBACK_DIM and cost <= _limit():
        # an unstable mode the float eigenvectors cannot isolate (a disguised or defective one): at this size the
        # exact route decides (C14: the minimal polynomial's roots, proven), within the work limit
        exact = decide(model, teacher, k, qs, certificate=certificate, method="exact", stage=stage)
        why = (f"the enclosure could not decide ({verified}; no unstable mode isolated in floats), so the exact route "
               f"decided (n = {n} <= {EXACT_FALLBACK_DIM}, about {cost:.2g} work units)")
        return replace(exact, note=why if not exact.note else f"{why}; {exact.note}")
    note = (f"undecided: {verified}, and no unstable mode was shown reachable and observable (an unstable mode may be "
            f"hidden); " + (f"the exact route (--method exact) would cost about {cost:.2g} work units "
                            f"(limit {_limit():.2g}, TEMPX_WORK_LIMIT)" if cost <= _limit() else
                            f"the exact route would cost about {cost:.2g} work units, over the work limit {_limit():.2g} "
                            "(raise it with TEMPX_WORK_LIMIT)"))
    return Decision(k=k, L_k=L_k, L_q=L_q, linf=None, terms=terms, head_sum=sweep.partial_sum(), method="enclosure",
                    note=note, certificate_note="no certificate: L_inf was not decided")


# the largest residual system whose L_inf the enclosure route hands to the exact route when it cannot decide
EXACT_FALLBACK_DIM = 64
# the most exact work "auto" spends on the rational L_inf before it takes the enclosure (about half a minute; the
# enclosure answers to twelve digits in seconds at any size); --method exact goes up to the work limit
AUTO_EXACT_WORK = 3e9


def _limit() -> float:
    from tempx.theory.budget import work_limit

    return work_limit()


def _quiet(f: Any) -> Any:
    """f() with third-party warnings (scipy's LinAlgWarning on an ill-conditioned proposal, numpy overflow) kept
    off standard error: every proposal is checked, so a warning about its accuracy carries no information."""
    import warnings

    import numpy as np

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return f()


def linf_work(A: Any) -> float:
    """The work of C14 on the residual system A (n × n): the exact value has Θ(n² b) bits (b: the
    bits a term adds, those of A's common denominator and largest integer entry), and
    the fraction-free Berlekamp–Massey, Schur–Cohn and Åström recursions do Θ(n²) operations on
    numbers that grow to that size.  Calibrated on float64 models (b ≈ 140 here): n = 16, 32, 64
    took 0.14 s, 2.4 s, 53 s (benchmarks/exact_linf.py, 2026-11-29), about 0.002·n^4.5·b² units
    of 10 ns."""
    n = A.nrows()
    b = _bits(A)
    return 0.002 * float(n) ** 4.5 * b * b


def _bits(A: Any) -> int:
    num, den = A.numer_denom()
    return max(1, int(den).bit_length()) + max((int(abs(x)).bit_length() for x in num.entries()), default=1)


def sweep_work(A: Any, terms: int) -> float:
    """The work of the exact sweep r_0 … r_{terms−1} and its partial sums on the residual system A (n × n): term i
    has about i·b bits (b: ``linf_work``'s bits of A), a matrix-vector product costs n² such multiplications, and
    squaring the terms for the sums grows faster still; measured (a d = 8 limit of gradient flow, n = 9, b = 126:
    400, 800 and 1600 terms took 0.20, 1.40 and 10.8 s, benchmarks/estimates.py) about 2.6e-13·n²·b·terms³
    seconds, i.e. 2.6e-5·n²·b·terms³ units of 10 ns."""
    n = A.nrows()
    return 2.6e-5 * float(n) ** 2 * _bits(A) * float(terms) ** 3


def decide_work(model: ExactRNN, teacher: Any, k: int, qs: Sequence[int] = (), method: str = "auto") -> float:
    """``decide``'s exact sweep, estimated before it runs: 2n terms on the exact route (taken by "auto" within the
    work limit), else max(k, q) (the L_∞ part has its own check, and the enclosure is not exact work)."""
    from tempx.theory.budget import work_limit
    from tempx.theory.certify import residual_system

    A = residual_system(model, teacher)[0]
    exact = method == "exact" or (method == "auto" and linf_work(A) <= min(work_limit(), AUTO_EXACT_WORK))
    return sweep_work(A, max(k, *qs, *((2 * A.nrows(),) if exact else ())))


def _check(A: Any, n: int) -> Stage:
    return check_work(f"the exact L_inf of a model with n = d + d* = {n}", linf_work(A))


def diagonal_linf(lam: Sequence[Any], g: Sequence[Any], teacher: Any) -> ExactLinf | None:
    """C14's closed form for a diagonal student w_i = Re Σ_j g_j λ_j^i (g_j = c_j b_j; λ_j, g_j real
    or complex, given as exact rationals or (re, im) pairs of them), against ``teacher``.

    With every |λ_j| < 1 and a stable teacher, listing the modes twice as (g_j/2, λ_j) and
    (ḡ_j/2, λ̄_j) =: (h_a, μ_a) (real modes the same way; the list is closed under conjugation):
        Σ w_i² = Σ_{a,b} h_a h_b / (1 − μ_a μ_b),   Σ w_i w*_i = Σ_a h_a C*(I − μ_a A*)⁻¹ B*,
    and L_∞ = Σ w_i² − 2 Σ w_i w*_i + Σ w*_i² (the last from the teacher's own residual).  A stable
    student beside an unstable teacher has L_∞ = ∞ (the teacher's pole stays in the residual).
    Returns None when some mode with g_j ≠ 0 has |λ_j| ≥ 1: the dense route decides that case.

    >>> diagonal_linf(["1/2"], ["1"], "memoryless").as_text()  # w = 1, 1/2, 1/4, …; r_0 = 0
    '1/3'
    """
    from sympy.polys.domains import QQ_I
    from sympy.polys.matrices import DomainMatrix

    from tempx.theory.certify import _as_exact

    def gauss(x: Any) -> Any:
        re, im = (x if isinstance(x, (tuple, list)) else (x, 0))
        fr, fi = _q(_parse(re)), _q(_parse(im))
        return QQ_I(flint.fmpq(fr.numerator, fr.denominator), flint.fmpq(fi.numerator, fi.denominator))

    if len(lam) != len(g) or not lam:
        raise InvalidInput(f"a diagonal student needs as many λ as g (at least one), got {len(lam)} and {len(g)}")
    modes = [(gauss(l_), gauss(g_)) for l_, g_ in zip(lam, g) if gauss(g_) != QQ_I(0, 0)]
    if any(mu.x * mu.x + mu.y * mu.y >= 1 for mu, _ in modes):
        return None
    conj = lambda z: QQ_I(z.x, -z.y)
    half = QQ_I(flint.fmpq(1, 2), 0)
    listed = [(half * h, mu) for mu, h in modes] + [(half * conj(h), conj(mu)) for mu, h in modes]
    one = QQ_I(1, 0)
    ww = sum((ha * hb / (one - ma * mb) for ha, ma in listed for hb, mb in listed), QQ_I(0, 0))
    t = _as_exact(teacher)
    zero_student = ExactRNN.from_entries(A=[[0]], B=[0], C=[0])
    teacher_energy = exact_linf(zero_student, t)  # r = −w*: Σ w*_i²
    if not teacher_energy.finite:
        return ExactLinf(None, teacher_energy.complexity, teacher_energy.polynomial,
                         f"the teacher's impulse response does not decay: {teacher_energy.reason}")
    m = t.as_lists()
    d = len(m["A"])
    to_qi = lambda x: QQ_I(flint.fmpq(_q(x).numerator, _q(x).denominator), 0)
    A_t = DomainMatrix([[to_qi(x) for x in row] for row in m["A"]], (d, d), QQ_I)
    B_t = DomainMatrix([[to_qi(row[0])] for row in m["B"]], (d, 1), QQ_I)
    C_t = DomainMatrix([[to_qi(x) for x in m["C"][0]]], (1, d), QQ_I)
    eye = DomainMatrix.eye(d, QQ_I)
    cross = QQ_I(0, 0)
    for h, mu in listed:
        solved = (eye - A_t.mul(mu)).lu_solve(B_t)  # (I − μ A*)⁻¹ B*
        cross += h * (C_t * solved)[0, 0].element
    total = ww - QQ_I(2, 0) * cross
    assert total.y == 0 and ww.y == 0 and cross.y == 0  # real: the mode list is closed under conjugation
    value = _q(total.x) + (teacher_energy.value or Fraction(0))
    return ExactLinf(value, -1, (), f"closed form over {len(modes)} diagonal mode(s), every |λ_j| < 1")


def _parse(x: Any) -> Any:
    from tempx.theory.exact import parse_rational

    if isinstance(x, float):
        return Fraction(x)  # a float64 is the dyadic rational it stores
    return x if isinstance(x, (Fraction, flint.fmpq, flint.fmpz)) else parse_rational(x)

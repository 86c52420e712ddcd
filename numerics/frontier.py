r"""The approximation frontier E(G) of real diagonal students on a horizon t (claim C17 (d)), with certified ends.

The attainable responses of real students with budget :math:`G = \sum_j |g_j|` and nodes in :math:`[-\rho, \rho]` are
:math:`G \cdot \operatorname{conv}\{\pm(\lambda^i)_{i<t}\}`, so E(G) is a convex problem.  It is solved on a grid of
nodes as a non-negative least-squares problem (scipy's ``nnls``: the columns :math:`\pm G\lambda^i`, a slack column,
and one heavily weighted row that holds the weights' sum at ≤ 1), and the grid is refined by the local maxima of the
dual vector :math:`|q(x)|`, :math:`q = v - w` (an exchange step, a few rounds).  Then:

- **upper**: the solution is a real diagonal student (balanced: :math:`b_j = \sqrt{|g_j|}`, :math:`c_j = \pm b_j`)
  whose float64 entries, taken exactly, have budget ≤ G and error ``student_error`` (rounded up);
- **lower**: ``tempx.theory.frontier.lower_bound`` with the same q (:math:`\max |q|` proven in ball arithmetic).

Measured on t = 32 (docs/claims.md, C17): the two ends agree to about 1e-6 for G ≤ 4096 on the delay and the
oscillation, and the SPEC's reference values are reproduced.  Costs: the grid has :math:`\max(2001, 40t)` nodes
and the horizon is at most ``MAX_HORIZON``; the work is bounded before it starts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.optimize import nnls

from tempx.numerics.students.diagonal import DiagParams
from tempx.theory.certify import printed_down, printed_up
from tempx.theory.display import readable_repr
from tempx.theory.errors import InvalidInput
from tempx.theory.frontier import complex_lower_bound, lower_bound, student_error, to_fractions
from tempx.theory.realcomplex import dft_student, enclose_real, norm_squared

__all__ = ["MAX_BUDGETS", "MAX_HORIZON", "FrontierPoint", "frontier", "real_response_exact"]

MAX_HORIZON = 512  # the grid's Vandermonde columns λ^i lose all accuracy far beyond this in float64
MAX_BUDGETS = 200
ROUNDS = 3  # exchange rounds (the gap stops shrinking after two on t = 32)
SUM_WEIGHT = 1e4  # the weight of the row Σ h ≤ 1 (its violation is O(1/weight²), then scaled away)


@dataclass(frozen=True)
class FrontierPoint:
    """One budget of the frontier: certified ``lower`` ≤ E(G) ≤ ``upper`` (exact Fractions), the student that attains
    ``upper`` (one model), and the proven :math:`\\max|q|` behind ``lower``."""

    __repr__ = readable_repr  # long rationals and arrays summarized (tempx.theory.display)

    budget: Fraction
    lower: Fraction
    upper: Fraction
    params: DiagParams
    student_budget: Fraction  # Σ|c_j b_j| of the saved student, exactly (≤ budget)
    modes: int

    def as_dict(self) -> dict[str, Any]:
        """JSON values: the bounds as floats whose printed decimals lie on the proven side (``printed_down``/``_up``)."""
        return {"budget": float(self.budget), "lower": printed_down(self.lower), "upper": printed_up(self.upper),
                "gap": printed_up(self.upper - self.lower), "student_budget": printed_up(self.student_budget),
                "modes": self.modes}


def real_response_exact(params: DiagParams, t: int) -> list[Fraction]:
    """The exact response :math:`w_i = \\sum_j c_j b_j \\lambda_j^i`, i < t, of one real diagonal model's float entries."""
    lam, b, c = (to_fractions(np.asarray(x)[0].tolist()) for x in (params.lam, params.b, params.c))
    g = [cj * bj for cj, bj in zip(c, b)]
    scale = _common_scale(lam)
    # integers: λ_j = L_j / 2^e, so λ_j^i = L_j^i / 2^{ie}; one Fraction a term
    ints = [int(x * scale) for x in lam]
    out, powers = [], [1] * len(ints)
    for i in range(t):
        out.append(sum((gj * p for gj, p in zip(g, powers)), Fraction(0)) / scale**i)
        powers = [p * x for p, x in zip(powers, ints)]
    return out


def _common_scale(values: Sequence[Fraction]) -> int:
    return max((x.denominator for x in values), default=1)  # dyadic: the largest denominator divides into all


def _grid(t: int, rho: float) -> np.ndarray:
    m = max(2001, 40 * t)
    return rho * np.cos(np.pi * np.arange(m) / (m - 1))


def _solve(v: np.ndarray, G: float, grid: np.ndarray) -> np.ndarray:
    """Weights g on the grid with Σ|g| ≤ G (approximately; scaled exactly afterwards) minimizing ‖V g − v‖."""
    t, m = v.size, grid.size
    V = grid[None, :] ** np.arange(t)[:, None]
    cols = np.hstack([G * V, -G * V, np.zeros((t, 1))])
    A = np.vstack([cols, SUM_WEIGHT * np.ones((1, cols.shape[1]))])
    h, _ = nnls(A, np.concatenate([v, [SUM_WEIGHT]]), maxiter=50 * A.shape[1])
    h = h / max(1.0, float(h.sum()))
    return G * (h[:m] - h[m:2 * m])


def _critical_points(q: np.ndarray, rho: float) -> np.ndarray:
    if q.size < 3:
        return np.zeros(0)
    roots = np.polynomial.Polynomial(q).deriv().roots()
    real = roots[np.abs(roots.imag) <= 1e-7 * np.maximum(1.0, np.abs(roots))].real
    return real[np.abs(real) <= rho]


def _student(nodes: np.ndarray, g: np.ndarray, budget: Fraction, t: int) -> tuple[DiagParams, Fraction, list[Fraction]]:
    """The balanced real student of weights g, shrunk until its exact budget Σ|c_j b_j| is ≤ ``budget``."""
    keep = g != 0
    nodes, g = nodes[keep], g[keep]
    if g.size == 0:
        nodes, g = np.zeros(1), np.zeros(1)
    shrink = 1.0
    while True:
        b = np.sqrt(np.abs(g) * shrink)
        c = np.sign(g) * b
        params = DiagParams(nodes[None, :], b[None, :], c[None, :])
        spent = sum((abs(x * y) for x, y in zip(to_fractions(b.tolist()), to_fractions(c.tolist()))), Fraction(0))
        if spent <= budget:
            return params, spent, real_response_exact(params, t)
        shrink *= 1 - 2.0**-40


def _real_point(v: np.ndarray, target: list[Fraction], G: Fraction, rho: float, normalize: bool) -> FrontierPoint:
    t = v.size
    grid = _grid(t, rho)
    best: FrontierPoint | None = None
    for _ in range(ROUNDS):
        g = _solve(v, float(G), grid)
        params, spent, w = _student(grid, g, G, t)
        q = v - np.array([float(x) for x in w])
        point = FrontierPoint(G, lower_bound(q.tolist(), target, G, Fraction(rho), normalize),
                              student_error(w, target, normalize), params, spent, int(params.d))
        if best is None or point.upper - point.lower < best.upper - best.lower:
            best = point
        grid = np.unique(np.concatenate([grid, _critical_points(q, rho)]))
    assert best is not None
    return FrontierPoint(G, max(best.lower, Fraction(0)), best.upper, best.params, best.student_budget, best.modes)


def _complex_point(v: np.ndarray, target: list[Fraction], G: Fraction, normalize: bool, norm: float) -> FrontierPoint:
    """(a) scaled: the DFT student times s = min(1, G/G_a) (G_a proven from above), error (1 − s)²; lower bound
    from q = v with S_q = ‖q‖₁."""
    t = v.size
    vq = [Fraction(x) for x in target]
    g_exact = dft_student(vq)
    # G_a ≤ Σ_j sqrt(upper end of |g_j|²): proven from above
    G_a = Fraction(0)
    for gj in g_exact:
        G_a += Fraction(float(enclose_real(norm_squared(gj, t), t).upper().sqrt()) * (1 + 2.0**-40))
    G_a = G_a / Fraction(norm) if normalize else G_a
    s = min(Fraction(1), G / G_a) if G_a > 0 else Fraction(1)
    upper = (1 - s) ** 2
    lam = np.exp(2j * np.pi * np.arange(t) / t)
    gf = np.fft.fft(v) / t  # g_j = (1/t) Σ_i v_i ω^{−ji}
    b = np.sqrt(np.abs(gf) * float(s)).astype(complex)
    c = np.where(b != 0, gf * float(s) / np.where(b != 0, b, 1), 0)
    params = DiagParams(lam[None, :], b[None, :], c[None, :])
    lower = Fraction(0) if upper == 0 else complex_lower_bound(v.tolist(), target, G, normalize)
    return FrontierPoint(G, min(lower, upper), upper, params, s * G_a, t)


def frontier(target: Sequence[Any], budgets: Sequence[Any], student: str = "real", rho: Any = 1, normalize: bool = True,
             progress: Callable[[int, int], None] | None = None) -> list[FrontierPoint]:
    r"""Certified bounds ``lower ≤ E(G) ≤ upper`` of the frontier for every budget.

    Parameters
    ----------
    target : sequence of rationals
        :math:`w^*_0 … w^*_{t-1}` (exact; floats are taken as the binary fractions they are).
    budgets : sequence of numbers
        The budgets G ≥ 0.
    student : {"real", "complex"}
        ``real``: the convex problem over :math:`[-\rho, \rho]`.  ``complex``: the DFT student of C17 (a), scaled to
        the budget (exact 0 once G reaches its :math:`\sum_j |g_j| \le \|w^*\|_1`), with the dual bound
        :math:`S_q = \|q\|_1` below.
    rho : number
        Nodes in :math:`[-\rho, \rho]` (real students; default 1 as in the SPEC).
    normalize : bool
        Use :math:`w^*/\|w^*\|_2` (default), else w* as given (E is relative either way).

    Returns
    -------
    list of FrontierPoint

    Raises
    ------
    InvalidInput
        A zero target, t beyond ``MAX_HORIZON``, a negative budget, more than ``MAX_BUDGETS`` budgets.

    Examples
    --------
    >>> pts = frontier([0, 0, 1, 0], [1, 4])
    >>> [bool(p.lower <= p.upper and p.upper - p.lower < 1e-6) for p in pts]
    [True, True]
    """
    exact = to_fractions(target)
    t = len(exact)
    if not 1 <= t <= MAX_HORIZON:
        raise InvalidInput(f"the horizon must be in [1, {MAX_HORIZON}], got {t}")
    if not any(exact):
        raise InvalidInput("the target is zero on the horizon: its frontier is 0 at every budget")
    Gs = to_fractions(budgets)
    if not 1 <= len(Gs) <= MAX_BUDGETS or any(G < 0 for G in Gs):
        raise InvalidInput(f"give 1 to {MAX_BUDGETS} budgets, each >= 0 (got {len(Gs)})")
    if any(G > 10**300 for G in Gs):
        raise InvalidInput("a budget beyond 1e300 is not supported (float64 solve)")
    if student not in ("real", "complex"):
        raise InvalidInput(f"unknown student {student!r} for the frontier (allowed: real, complex)")
    r = Fraction(rho)
    if not 0 < r <= 2:
        raise InvalidInput(f"rho must lie in (0, 2], got {rho}")
    norm = float(np.sqrt(float(sum(x * x for x in exact))))
    v = np.array([float(x) for x in exact]) / (norm if normalize else 1.0)
    if not np.all(np.isfinite(v)):
        raise InvalidInput("the target's entries must be finite in float64")
    out = []
    for n, G in enumerate(Gs):
        if student == "real":
            out.append(_real_point(v, exact, G, float(r), normalize))
        else:
            out.append(_complex_point(v, exact, G, normalize, norm))
        if progress is not None:
            progress(n + 1, len(Gs))
    return out

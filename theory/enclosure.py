r"""A verified enclosure of L_∞ at any size: a Stein solution in high precision, bounded by its residual in ball arithmetic.

For the residual system (A, b, c) of dimension n (rational entries, taken exactly; C13/C14's
``residual_system``) with ρ(A) < 1,

    L_∞ = Σ_{i≥0} (c A^i b)² = c P cᵀ,   P − A P Aᵀ = b bᵀ   (the Stein equation; P the controllability Gramian).

For any symmetric P̃ let R = b bᵀ + A P̃ Aᵀ − P̃ (its residual).  Then E = P − P̃ solves E − A E Aᵀ = R, so
E = Σ_i A^i R A^{iT} and

    |L_∞ − c P̃ cᵀ| = |Σ_i (c A^i) R (c A^i)ᵀ| ≤ ‖R‖₂ · c X cᵀ,   X − A X Aᵀ = I.            (1)

Two certificates make (1) a proof, both checked in ball arithmetic (arb, through python-flint):

* **Stability and a bound on X.**  A symmetric Y (a float solution of X − A X Aᵀ = I) with
  δ = ‖Y − A Y Aᵀ − I‖_F < 1 and Y ≻ 0.  Y ≻ 0 is shown by congruence: for G ≈ chol(Y)⁻¹ (floats),
  M = G Y Gᵀ is strictly diagonally dominant with a positive diagonal (Gershgorin), so M ≻ 0, G is
  nonsingular and Y ≻ 0.  Then Y − A Y Aᵀ ⪰ (1 − δ) I ≻ 0, so every eigenvalue of A has |λ| < 1 (for a
  left eigenvector u: (1 − |λ|²) u*Yu = u*(Y − AYAᵀ)u > 0) — L_∞ is finite — and
  X ⪯ Y/(1 − δ), so c X cᵀ ≤ c Y cᵀ/(1 − δ).
* **A small residual.**  P̃ is refined (P̃ ← P̃ + solve(R), the float solve applied to R computed in ball
  arithmetic at increasing precision) until ‖R‖_F · c Y cᵀ/(1 − δ) is below the requested relative width.
  Every quantity in (1) is a ball, so the enclosure holds whatever the floats did: they only propose.

Before this, A is balanced by an exact diagonal similarity of powers of two and b, c are scaled by
powers of two (L_∞ scales by their squares, exactly), so models with entries far beyond float64 are
enclosed too; the float solves use doubling (Smith's method: P ← P + A_k P A_kᵀ, A_{k+1} = A_k²), whose
squarings are kept for every refinement step.

What it cannot do: a model with an eigenvalue on or outside the unit circle — L_∞ may still be finite
when that mode is unreachable or unobservable — gets no stability certificate; ``tempx.theory.linf``
then decides by the exact route or by an unstable mode shown reachable and observable.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from tempx.theory.display import readable_repr
from tempx.theory.errors import InvalidInput

__all__ = ["REL_WIDTH", "LinfEnclosure", "arb_exact", "arb_lower", "arb_upper", "enclose", "enclosure_bytes"]

REL_WIDTH = 1e-12  # the requested relative width (upper − lower)/lower
START_PREC = 128  # bits of the ball arithmetic; doubled while the residual stalls, up to MAX_PREC
MAX_PREC = 2048
MAX_STEPS = 24  # refinement steps (each gains ≈ 53 − log2 κ bits; κ the Stein operator's condition)
MAX_LEVELS = 80  # doubling levels (ρ^(2^80) ≈ 0 even for ρ = 1 − 1e-20)


@dataclass(frozen=True)
class LinfEnclosure:
    """lower ≤ L_∞ ≤ upper, proven (exact rationals); ``finite`` True once A's stability certificate holds."""

    __repr__ = readable_repr  # long rationals and arrays summarized (tempx.theory.display)

    lower: Fraction
    upper: Fraction
    finite: bool
    dim: int
    precision: int  # bits of the ball arithmetic of the last step
    steps: int  # refinement steps taken
    delta: Fraction  # ‖Y − AYAᵀ − I‖_F, proven < 1
    rho_estimate: float  # the float spectral radius of A (an estimate, not part of the proof)
    reason: str

    @property
    def rel_width(self) -> float:
        if self.lower <= 0:
            return math.inf if self.upper > 0 else 0.0
        return float((self.upper - self.lower) / self.lower)


def arb_exact(x: Any) -> Fraction:
    """An arb's exact midpoint, or an arf/bound, as a Fraction."""
    m, e = x.man_exp()
    m, e = int(m), int(e)
    return Fraction(m * 2**e) if e >= 0 else Fraction(m, 2**-e)


def arb_upper(x: Any) -> Fraction:
    """The exact upper end of an arb ball, as a Fraction (a proven upper bound of its value)."""
    return arb_exact(flint.arb(x.upper()))


def arb_lower(x: Any) -> Fraction:
    """The exact lower end of an arb ball, as a Fraction (a proven lower bound of its value)."""
    return arb_exact(flint.arb(x.lower()))


def _pow2(e: int) -> Any:
    return flint.fmpq(2**e, 1) if e >= 0 else flint.fmpq(1, 2**-e)


def _exponent(x: Any) -> int:
    """⌊log2 |x|⌋ of a nonzero fmpq (exactly)."""
    p, q = abs(int(x.p)), int(x.q)
    e = p.bit_length() - q.bit_length()
    return e if (p >= q * 2**e if e >= 0 else p * 2**-e >= q) else e - 1


def _scaled(A: Any, B: Any, C: Any) -> tuple[Any, Any, Any, int]:
    """(D⁻¹AD, s_b D⁻¹B, s_c C D) with D diagonal, every scale a power of two (exact), chosen so that the
    float copies are balanced and of order one; returns the log2 of s_b·s_c too."""
    from scipy.linalg import matrix_balance

    n = A.nrows()
    expo = [[(_exponent(A[i, j]) if A[i, j] != 0 else None) for j in range(n)] for i in range(n)]
    # a float proxy of A with every entry's magnitude, clamped to float64's range: enough to choose D
    proxy = np.array([[0.0 if e is None else 2.0 ** max(-1000, min(1000, e)) for e in row] for row in expo])
    _, (scale, _perm) = matrix_balance(proxy, permute=False, separate=True)
    d = [round(math.log2(s)) for s in scale]
    D = [_pow2(k) for k in d]
    Di = [_pow2(-k) for k in d]
    A2 = flint.fmpq_mat([[A[i, j] * Di[i] * D[j] for j in range(n)] for i in range(n)])
    B2 = [B[i, 0] * Di[i] for i in range(n)]
    C2 = [C[0, j] * D[j] for j in range(n)]
    eb = max((_exponent(x) for x in B2 if x != 0), default=0)
    ec = max((_exponent(x) for x in C2 if x != 0), default=0)
    B3 = flint.fmpq_mat([[x * _pow2(-eb)] for x in B2])
    C3 = flint.fmpq_mat([[x * _pow2(-ec) for x in C2]])
    return A2, B3, C3, eb + ec


def _float(x: Any) -> float:
    """The float64 nearest to a fmpq (Python's int division is correctly rounded), ±inf beyond float64's range."""
    p, q = int(x.p), int(x.q)
    try:
        return p / q
    except OverflowError:
        return math.inf if p > 0 else -math.inf


def _floats(M: Any) -> np.ndarray:
    """A fmpq or arb matrix as float64 (nearest; ±inf beyond float64's range, which the callers check)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if isinstance(M, flint.fmpq_mat):
            return np.array([[_float(x) for x in row] for row in M.tolist()])
        return np.array([[float(x.mid()) for x in row] for row in M.tolist()])


def _arb(F: np.ndarray) -> Any:
    """A float64 array as an exact arb matrix (every float is a dyadic rational)."""
    return flint.arb_mat(F.tolist())


def _frobenius_upper(M: Any) -> Fraction:
    """An upper bound of ‖M‖_F for an arb matrix."""
    total = flint.arb(0)
    for x in M.entries():
        a = flint.arb(x.abs_upper())
        total += a * a
    return arb_upper(total.sqrt())


class _Doubling:
    """Approximate solves of X − A X Aᵀ = Q by doubling, the squarings A^(2^k) computed once: in float64 (numpy), or,
    for a model too ill-conditioned for floats, on the midpoints of ball matrices at ``prec`` bits (any size works;
    the cost is n³ per product at that precision)."""

    def __init__(self, A: Any, prec: int = 0) -> None:
        self.prec = prec
        if prec:
            flint.ctx.prec = prec
        self.powers: list[Any] = [flint.arb_mat(A) if prec else _floats(A)]
        norm = (lambda M: float(np.linalg.norm(M))) if not prec else (lambda M: float(_frobenius_upper(M)))
        with np.errstate(all="ignore"):
            self._square(norm, max(1.0, norm(self.powers[0])))

    def _square(self, norm: Any, scale: float) -> None:
        while len(self.powers) < MAX_LEVELS:
            last = self.powers[-1]
            nrm = norm(last)
            if not math.isfinite(nrm) or nrm > 1e150:
                raise _Unstable("the doubling squarings grow without bound")
            if nrm <= 2.0 ** -(self.prec or 53) * 1e-3 * scale:
                break
            self.powers.append(_mids(last * last) if self.prec else last @ last)

    def solve(self, Q: Any) -> Any:
        """X ≈ the solution, symmetric, as an exact arb matrix (its entries are the proposal, radius zero)."""
        if not self.prec:
            X = _floats(Q) if not isinstance(Q, np.ndarray) else Q
            with np.errstate(all="ignore"):
                for Ak in self.powers:
                    X = X + Ak @ X @ Ak.T
            if not np.all(np.isfinite(X)):
                raise _Unstable("the float Stein solution overflows")
            return _arb((X + X.T) / 2)  # exactly symmetric: fl(a + b) = fl(b + a)
        flint.ctx.prec = self.prec
        X = _mids(Q)
        for Ak in self.powers:
            X = _mids(X + Ak * X * Ak.transpose())
        return _mids((X + X.transpose()) * flint.arb(0.5))


def _mids(M: Any) -> Any:
    return flint.arb_mat([[x.mid() for x in row] for row in M.tolist()])


class _Unstable(Exception):
    pass


def enclosure_bytes(n: int) -> int:
    """Peak memory of ``enclose`` at dimension n: the doubling squarings (≤ 64 at ρ ≤ 1 − 1e-12, 8 bytes an entry)
    and about six ball matrices at up to 512 bits (≈ 160 bytes an entry)."""
    return n * n * (64 * 8 + 6 * 160)


HIGH_PREC_DIM = 64  # below this size a model too ill-conditioned for float64 is retried on ball midpoints


def enclose(A: Any, B: Any, C: Any, rel_width: float = REL_WIDTH, *, watch: Any = None) -> LinfEnclosure | str:
    """L_∞ = Σ_i (C A^i B)² of the rational system (A, B, C) (fmpq matrices n×n, n×1, 1×n) enclosed with relative
    width ≤ ``rel_width``, or the reason there is no stability certificate (a string).  ``watch(step, width)`` is
    called after every refinement step.  Floats propose first; a model whose float proposals fail the checks (for
    example a Jordan block near the unit circle) and has n ≤ ``HIGH_PREC_DIM`` is retried with proposals at
    256 and then 1024 bits."""
    if not (0 < rel_width < 1):
        raise InvalidInput(f"rel_width must lie in (0, 1), got {rel_width}")
    n = A.nrows()
    if all(B[i, 0] == 0 for i in range(n)) or all(C[0, j] == 0 for j in range(n)):
        return LinfEnclosure(Fraction(0), Fraction(0), True, n, 0, 0, Fraction(0), 0.0,
                             "B = 0 or C = 0: the residual is identically zero")
    A2, B2, C2, e2 = _scaled(A, B, C)
    Af = _floats(A2)
    if not np.all(np.isfinite(Af)):
        return "entries beyond float64's range after an exact balancing (no float Stein solution to verify)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rho = float(np.max(np.abs(np.linalg.eigvals(Af))))
    why = ""
    caller_prec = flint.ctx.prec  # the ball arithmetic below sets its own precision; the caller's is restored
    for prec in (0, 256, 1024):
        if prec and n > HIGH_PREC_DIM:
            break
        if not prec and not rho < 1 - 1e-14:  # floats cannot tell; only the high-precision proposals might
            why = f"the float spectral radius estimate is {rho:.17g}"
            continue
        try:
            out = _enclose(A2, B2, C2, e2, rho, prec, rel_width, watch)
        except _Unstable as err:
            out = str(err)
        finally:
            flint.ctx.prec = caller_prec
        if not isinstance(out, str):
            return out
        why = out
    return f"no stability certificate: {why}"


def _enclose(A2: Any, B2: Any, C2: Any, e2: int, rho: float, prec0: int, rel_width: float,
             watch: Any) -> LinfEnclosure | str:
    solver = _Doubling(A2, prec0)
    n = A2.nrows()
    # certificate 1: Y ≻ 0 with ‖Y − AYAᵀ − I‖_F = δ < 1
    flint.ctx.prec = max(96, prec0)
    Aa = flint.arb_mat(A2)
    Aat = Aa.transpose()
    eye = flint.arb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])
    Y = solver.solve(eye)
    delta: Fraction | None = None
    for _ in range(4):
        flint.ctx.prec = max(96, 2 * prec0)
        RY = Y - Aa * Y * Aat - eye
        delta = _frobenius_upper(RY)
        if delta <= Fraction(1, 2):
            break
        Y = _mids(Y + solver.solve(RY))
    assert delta is not None
    if not delta < 1:
        return f"the Stein residual of the proposed Y stays ‖·‖_F = {float(delta):.3g} ≥ 1"
    why = _positive_definite(Y, prec0)
    if why:
        return why
    ca = flint.arb_mat(C2)
    omega = arb_upper((ca * Y * ca.transpose())[0, 0]) / (1 - delta)  # c X cᵀ ≤ ω
    # certificate 2: refine P̃ until ‖R‖_F · ω is within the width
    prec = max(START_PREC, 2 * prec0)
    flint.ctx.prec = prec
    ba = flint.arb_mat(B2)
    P = solver.solve(ba * ba.transpose())
    last = math.inf
    steps = 0
    scale = Fraction(2) ** (2 * e2)
    lower = upper = Fraction(0)
    while True:
        flint.ctx.prec = prec
        Aa = flint.arb_mat(A2)
        ba = flint.arb_mat(B2)
        R = ba * ba.transpose() + Aa * P * Aa.transpose() - P
        eps = _frobenius_upper(R)
        mid = (ca * P * ca.transpose())[0, 0]
        err = eps * omega
        lower, upper = max(Fraction(0), arb_lower(mid) - err), arb_upper(mid) + err
        steps += 1
        width = float((upper - lower) / lower) if lower > 0 else math.inf
        if watch is not None:
            watch(steps, width)
        if width <= rel_width or upper == 0 or steps >= MAX_STEPS:
            break
        if float(eps) > last / 4:  # stalled: the balls' own radii dominate — more bits
            if prec >= MAX_PREC:
                break
            prec *= 2
        last = float(eps)
        P = _mids(P + solver.solve(R))
    reached = lower > 0 and (upper - lower) <= Fraction(rel_width) * lower
    proposals = "float64" if not prec0 else f"{prec0}-bit"
    reason = (f"Stein solution verified in ball arithmetic ({proposals} proposals): Y ≻ 0 with ‖Y − AYAᵀ − I‖_F ≤ "
              f"{float(delta):.3g} proves every |λ(A)| < 1; residual bound after {steps} refinement step(s) at {prec} bits")
    if not reached:
        reason += f"; the relative width {rel_width:g} was not reached"
    return LinfEnclosure(lower * scale, upper * scale, True, n, prec, steps, delta, rho, reason)


def _positive_definite(Y: Any, prec: int) -> str:
    """'' when Y ≻ 0 is proven; else why not.  Float proposals: congruence by G ≈ chol(Y)⁻¹ (floats), then
    Gershgorin on G Y Gᵀ in ball arithmetic.  High-precision proposals (small n): Sylvester's criterion on Y's
    exact dyadic entries (``tempx.theory.certify.positive_definite``)."""
    from scipy.linalg import solve_triangular

    n = Y.nrows()
    if prec:
        from tempx.theory.certify import positive_definite

        exact = flint.fmpq_mat([[_fmpq(x) for x in row] for row in Y.tolist()])
        return "" if positive_definite(exact) else "the proposed Y is not positive definite (exact Sylvester test)"
    Yf = _floats(Y)
    try:
        L = np.linalg.cholesky(Yf)
    except np.linalg.LinAlgError:
        return "the float solution Y of X − AXAᵀ = I is not numerically positive definite"
    G = solve_triangular(L, np.eye(n), lower=True)
    Ga = _arb(G)
    M = Ga * Y * Ga.transpose()
    rows = M.tolist()
    for i in range(n):
        off = flint.arb(0)
        for j in range(n):
            if j != i:
                off += flint.arb(rows[i][j].abs_upper())
        if not (rows[i][i] - off > 0):
            return f"Gershgorin's test of G Y Gᵀ fails in row {i} (Y too ill-conditioned for float proposals)"
    return ""


def _fmpq(x: Any) -> Any:
    f = arb_exact(x.mid())
    return flint.fmpq(f.numerator, f.denominator)


def unstable_mode(A: Any, B: Any, C: Any, prec: int = 128) -> str | None:
    """A proof that L_∞ = ∞, or None: an eigenvalue λ of A with |λ| ≥ 1, shown simple, observable (c v ≠ 0) and
    reachable (uᵀb ≠ 0), every part an enclosure in ball arithmetic (acb, through python-flint).

    λ simple with right eigenvector v and left eigenvector u makes the transfer function c(zI − A)⁻¹b have the pole
    z = λ with residue (c v)(uᵀ b)/(uᵀ v) ≠ 0; a rational function with a pole on or outside the unit circle has
    coefficients r_i that are not square-summable, so L_∞ = ∞.  The eigenpair (λ, v), v_k = 1, is enclosed by
    Krawczyk's test on f(λ, v) = (A − λI)v, which also proves the Jacobian [(A − λI) without column k, −v]
    nonsingular on the whole box — hence λ algebraically simple.  The left eigenvector, normalized by uᵀv = 1,
    solves the bordered system [[Aᵀ − λI, e_k], [vᵀ, 0]] [u; 0] = [0; 1], solved in ball arithmetic."""
    A2, B2, C2, _ = _scaled(A, B, C)
    Af = _floats(A2)
    if not np.all(np.isfinite(Af)):
        return None
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        lam, V = np.linalg.eig(Af)
    order = [i for i in np.argsort(-np.abs(lam)) if abs(lam[i]) > 1 + 1e-12][:4]
    n = Af.shape[0]
    caller_prec = flint.ctx.prec
    try:
        flint.ctx.prec = prec
        Aa = flint.acb_mat(flint.arb_mat(A2))
        b = [flint.acb(flint.arb(x)) for x in flint.arb_mat(B2).entries()]
        c = [flint.acb(flint.arb(x)) for x in flint.arb_mat(C2).entries()]
        for i in order:
            found = _eigenpair(Aa, Af, complex(lam[i]), V[:, i].astype(complex), n)
            if found is None:
                continue
            L, v, k = found
            if not (abs(L) >= 1):
                continue
            cv = sum((ci * vi for ci, vi in zip(c, v)), flint.acb(0))
            if cv.contains(0):
                continue
            y = _left_vector(Aa, Af, L, v, k, lam[i], n)
            if y is None:
                continue
            ub = sum((y[j] * b[j] for j in range(n)), flint.acb(0))
            if ub.contains(0):
                continue
            return (f"a simple eigenvalue λ = {_acb_text(L)} with |λ| ≥ {float(arb_lower(abs(L))):.12g} ≥ 1, observable "
                    f"(|c v| ≥ {float(arb_lower(abs(cv))):.3g}) and reachable (|uᵀb| ≥ {float(arb_lower(abs(ub))):.3g}), "
                    "each an enclosure in ball arithmetic: the residual has a pole outside the unit disc")
        return None
    finally:
        flint.ctx.prec = caller_prec


def _acb_text(z: Any) -> str:
    re, im = z.real, z.imag
    if im.contains(0):  # real, or a pair too close to tell apart at this width: the real part
        return re.str(12, radius=False)
    return f"{re.str(12, radius=False)} {'+' if im > 0 else '−'} {abs(im).str(12, radius=False)}i"


def _inverse(M: np.ndarray) -> np.ndarray | None:
    """A float approximate inverse (only proposed: the tests that use it are done in ball arithmetic), or None."""
    try:
        R = np.linalg.inv(M)
    except np.linalg.LinAlgError:
        return None
    return R if np.all(np.isfinite(R)) else None


def _eigenpair(Aa: Any, Af: np.ndarray, lam: complex, v: np.ndarray, n: int) -> tuple[Any, list[Any], int] | None:
    """Krawczyk's test around a float eigenpair: (λ ball, v balls with v_k = 1, k) or None."""
    k = int(np.argmax(np.abs(v)))
    v = v / v[k]
    J = Af.astype(complex) - lam * np.eye(n)
    J[:, k] = -v
    Rf = _inverse(J)
    if Rf is None:
        return None
    R = flint.acb_mat([[complex(x) for x in row] for row in Rf.tolist()])
    lt = flint.acb(lam)
    vt = [flint.acb(complex(x)) for x in v]
    vt[k] = flint.acb(1)
    eye = flint.acb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)])
    f = Aa * flint.acb_mat([[x] for x in vt]) - flint.acb_mat([[lt * x] for x in vt])
    Rf_x = R * f  # the Newton step
    r = [float(arb_upper(abs(Rf_x[i, 0]))) * 10 + 1e-30 for i in range(n)]
    for _ in range(3):
        # the box x̃ + X, X_i a square ball of half-width r_i; component k of the unknowns is λ
        box = [flint.acb(flint.arb(0, ri), flint.arb(0, ri)) for ri in r]
        Lb = lt + box[k]
        Vb = [vt[j] + (box[j] if j != k else 0) for j in range(n)]
        Jx = Aa - eye * Lb  # (A − ΛI), then column k replaced by −V
        for i in range(n):
            Jx[i, k] = -Vb[i]
        IRJ = eye - R * Jx
        K = flint.acb_mat([[-Rf_x[i, 0]] for i in range(n)]) + IRJ * flint.acb_mat([[x] for x in box])
        inside = all(_within(K[i, 0], r[i]) for i in range(n))
        if inside:
            return Lb, Vb, k
        r = [max(ri * 10, float(arb_upper(abs(K[i, 0]))) * 2) for i, ri in enumerate(r)]
    return None


def _left_vector(Aa: Any, Af: np.ndarray, L: Any, v: list[Any], k: int, lam: complex, n: int) -> list[Any] | None:
    """Balls around u/(uᵀv) for the left eigenvector u: the solution y of M y = e_{n+1} with the bordered
    M = [[Aᵀ − λI, e_k], [vᵀ, 0]] (its last component is 0), for every λ, v in their balls.  Verified from a float
    inverse R ≈ M⁻¹: with β = ‖I − R M‖_∞ < 1, ‖y − ỹ‖_∞ ≤ ‖R (e − M ỹ)‖_∞ / (1 − β)."""
    Mf = np.zeros((n + 1, n + 1), dtype=complex)
    Mf[:n, :n] = Af.T - lam * np.eye(n)
    Mf[k, n] = 1
    Mf[n, :n] = [complex(x.mid()) for x in v]
    Rf = _inverse(Mf)
    if Rf is None:
        return None
    yt = Rf[:, n]
    eye = flint.acb_mat([[1 if i == j else 0 for j in range(n + 1)] for i in range(n + 1)])
    top = Aa.transpose() - flint.acb_mat([[1 if i == j else 0 for j in range(n)] for i in range(n)]) * L
    M = flint.acb_mat(n + 1, n + 1)
    rows = top.tolist()
    for i in range(n):
        for j in range(n):
            M[i, j] = rows[i][j]
        M[n, i] = v[i]
    M[k, n] = 1
    R = flint.acb_mat([[complex(x) for x in row] for row in Rf.tolist()])
    C = eye - R * M
    beta = max(sum((arb_upper(abs(x)) for x in row), Fraction(0)) for row in C.tolist())
    if not beta < 1:
        return None
    e = flint.acb_mat([[0]] * n + [[1]])
    y0 = flint.acb_mat([[complex(x)] for x in yt.tolist()])
    z = R * (e - M * y0)
    radius = max(arb_upper(abs(z[i, 0])) for i in range(n + 1)) / (1 - beta)
    ball = flint.acb(flint.arb(0, float(radius) * (1 + 1e-12) + 1e-300), flint.arb(0, float(radius) * (1 + 1e-12) + 1e-300))
    return [y0[i, 0] + ball for i in range(n)]


def _within(z: Any, r: float) -> bool:
    """The ball z lies in the open square of half-width r around 0."""
    rr = flint.arb(r)
    return bool(abs(z.real) < rr) and bool(abs(z.imag) < rr)

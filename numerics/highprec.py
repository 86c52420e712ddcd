"""A high-precision (mpmath) path for small d: certify that a tiny float64 loss is real.

The float64 parameters are converted exactly to mpmath numbers, and the impulse response
and L_q are recomputed with ``dps`` decimal digits.  If the two agree to a few digits, the
float64 value is not round-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from tempx.numerics.extrapolation import extrapolation_losses
from tempx.numerics.students.dense import Params
from tempx.numerics.teachers import Teacher
from tempx.theory.errors import InvalidInput

__all__ = ["Certificate", "certify_extrapolation_loss", "mp_extrapolation_loss"]

MAX_D = 64  # mpmath matrices are pure Python: keep this for small models


def mp_extrapolation_loss(params: Params, teacher: Teacher, q: int, model: int = 0, dps: int = 50) -> mpmath.mpf:
    """L_q of one model in mpmath with ``dps`` digits (parameters converted exactly from float64)."""
    if params.d > MAX_D:
        raise InvalidInput(f"the high-precision path is for d <= {MAX_D}, got d = {params.d}")
    if q < 1:
        raise InvalidInput(f"q must be >= 1, got {q}")
    with mpmath.workdps(dps):
        A = mpmath.matrix(params.A[model].tolist())
        v = mpmath.matrix(params.B[model].tolist())
        C = mpmath.matrix(params.C[model].tolist())
        tA, tv, tC = (mpmath.matrix(x.tolist()) for x in (teacher.A, teacher.B, teacher.C))
        total = mpmath.mpf(0)
        for _ in range(q):
            r = (C * v)[0, 0] - (tC * tv)[0, 0]
            total += r * r
            v = A * v
            tv = tA * tv
        return +total


@dataclass(frozen=True)
class Certificate:
    """float64 and high-precision values of L_q for one model, and their relative difference.

    Attributes
    ----------
    q : int
        The length.
    float64 : float
        L_q computed in float64.
    high_precision : str
        L_q recomputed with mpmath at ``dps`` digits, as a decimal string.
    relative_difference : float
        |float64 − high precision| / |high precision|.
    dps : int
        Decimal digits of the recomputation.
    """

    q: int
    float64: float
    high_precision: str
    relative_difference: float
    dps: int

    @property
    def certified(self) -> bool:
        """True when float64 agrees with the high-precision value to 1e-6 relative."""
        return self.relative_difference <= 1e-6


def certify_extrapolation_loss(params: Params, teacher: Teacher, q: int, model: int = 0, dps: int = 50) -> Certificate:
    """Compare float64 L_q with an mpmath recomputation for one model.

    Parameters
    ----------
    params : Params
        A dense batch.
    teacher : Teacher
        The teacher.
    q : int
        Length, q ≥ 1.
    model : int, default 0
        Which model of the batch.
    dps : int, default 50
        Decimal digits of the recomputation.

    Returns
    -------
    Certificate
        Both values and their relative difference.
    """
    f = float(extrapolation_losses(params.select(model), teacher, [q])[0, 0])
    hp = mp_extrapolation_loss(params, teacher, q, model, dps)
    denom = max(abs(float(hp)), np.finfo(float).tiny)
    rel = abs(f - float(hp)) / denom
    return Certificate(q=q, float64=f, high_precision=mpmath.nstr(hp, 20), relative_difference=rel, dps=dps)

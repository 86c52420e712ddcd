from __future__ import annotations

import numpy as np
import pytest

from tempx.numerics.drivers.descent import gd
from tempx.numerics.highprec import certify_extrapolation_loss, mp_extrapolation_loss
from tempx.numerics.students.dense import Params
from tempx.numerics.students.init import init_gaussian
from tempx.numerics.teachers import memoryless
from tempx.theory.errors import InvalidInput


def test_tiny_extrapolation_error_after_gd_is_certified() -> None:
    res = gd(init_gaussian(1, 10, 0.1, seed=0), memoryless(4), 4, 0.02, 5000, qs=[16])
    cert = certify_extrapolation_loss(res.params, memoryless(4), 16)
    assert cert.float64 < 1e-5 and cert.certified


def test_high_precision_sees_what_float64_rounds_away() -> None:
    """w_0 = 1 + 2^-60 is 1 in float64 arithmetic of the sum, but not in mpmath: the exact
    conversion of parameters and 50 digits recover L_1 = (2^-60)^2."""
    b = 1 + 2.0**-30
    p = Params(np.zeros((1, 1, 1)), np.full((1, 1, 1), b), np.full((1, 1, 1), b))
    hp = mp_extrapolation_loss(p, memoryless(1), 1)
    exact = ((b * b) - 1) ** 2  # float64 keeps b exactly; (b·b − 1) loses the 2^-60 term
    assert float(hp) == pytest.approx((2.0**-29 + 2.0**-60) ** 2, rel=1e-12)
    assert exact != float(hp)


def test_high_precision_refuses_large_d() -> None:
    with pytest.raises(InvalidInput):
        mp_extrapolation_loss(init_gaussian(1, 65, 0.1, 0), memoryless(1), 3)

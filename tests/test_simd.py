"""The four-lane float64 operations the GD kernels are written in (numerics/students/simd.py)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from tempx.numerics.students import dense_kernels

pytestmark = pytest.mark.skipif(not dense_kernels.AVAILABLE, reason="numba is not installed")

if dense_kernels.AVAILABLE:
    from numba import njit

    from tempx.numerics.students.simd import sfma, vadd, vfma, vlane, vload, vmul, vsplat, vstore, vstore_t4, vzero

    @njit(cache=False)
    def lanewise(x: np.ndarray, y: np.ndarray, z: np.ndarray, out: np.ndarray) -> None:
        """out rows: x+y, x·y, x·y+z fused, splat(x[1]), zero, and x read back lane by lane; at offset 2."""
        a, b, c = vload(x, 2), vload(y, 2), vload(z, 2)
        vstore(out, 0, vadd(a, b))
        vstore(out, 4, vmul(a, b))
        vstore(out, 8, vfma(a, b, c))
        vstore(out, 12, vsplat(x[3]))
        vstore(out, 16, vzero())
        for q in range(4):
            out[20 + q] = vlane(a, q)

    @njit(cache=False)
    def transpose(m: np.ndarray, out: np.ndarray, stride: int) -> None:
        vstore_t4(out, 1, stride, vload(m, 0), vload(m, 4), vload(m, 8), vload(m, 12))

    @njit(cache=False)
    def scalar_fma(x: float, y: float, z: float) -> float:
        return sfma(x, y, z)


def test_lanewise_operations_are_the_ieee_operations_on_each_lane() -> None:
    rng = np.random.default_rng(0)
    x, y, z = rng.normal(size=(3, 7))
    out = np.full(24, np.nan)
    lanewise(x, y, z, out)
    a, b, c = x[2:6], y[2:6], z[2:6]
    assert np.array_equal(out[0:4], a + b) and np.array_equal(out[4:8], a * b)
    assert np.array_equal(out[12:16], np.full(4, x[3])) and np.array_equal(out[16:20], np.zeros(4))
    assert np.array_equal(out[20:24], a)
    fused = [float(Fraction(p) * Fraction(q) + Fraction(r)) for p, q, r in zip(a, b, c, strict=True)]
    assert out[8:12].tolist() == fused


def test_fma_is_rounded_once() -> None:
    """(1 + 2⁻⁵²)(1 − 2⁻⁵²) − 1 = −2⁻¹⁰⁴ exactly; a multiply then add gives 0."""
    e = 2.0 ** -52
    assert scalar_fma(1 + e, 1 - e, -1.0) == -(2.0 ** -104)
    x, y, z = np.array([0, 0, 1 + e, 1 + e, 1 + e, 1 + e, 0]), np.array([0, 0] + [1 - e] * 4 + [0]), np.full(7, -1.0)
    out = np.zeros(24)
    lanewise(x, y, z, out)
    assert out[8:12].tolist() == [-(2.0 ** -104)] * 4 and out[4:8].tolist() == [1.0] * 4


def test_transposed_store() -> None:
    m = np.arange(16.0)  # rows (0 1 2 3), (4 5 6 7), …
    out = np.zeros(1 + 3 * 6 + 4)
    transpose(m, out, 6)
    for q in range(4):
        assert out[1 + 6 * q: 5 + 6 * q].tolist() == [q, 4 + q, 8 + q, 12 + q]
    assert np.count_nonzero(out) == 15  # nothing else written (m[0] = 0 is the one zero written)


def test_only_contiguous_float64_arrays_are_accepted() -> None:
    from numba.core.errors import TypingError

    out = np.zeros(24)
    with pytest.raises(TypingError, match="C-contiguous float64"):
        lanewise(np.zeros(8, np.float32), np.zeros(8), np.zeros(8), out)
    with pytest.raises(TypingError, match="C-contiguous float64"):
        lanewise(np.zeros(16)[::2], np.zeros(8), np.zeros(8), out)

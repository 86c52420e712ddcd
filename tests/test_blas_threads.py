"""The one-BLAS-thread block of the compiled Elman kernel: it finds scipy's OpenBLAS, sets one thread,
and restores the previous count (also when the block raises)."""

from __future__ import annotations

import pytest

from tempx.numerics.students.blas_threads import controls, single_blas_thread


def test_one_thread_inside_and_the_count_restored_after() -> None:
    import glob
    import os

    import scipy

    ctl = controls()
    if ctl is None:
        # only a scipy without the OpenBLAS library of its wheel may have no thread control
        shipped = glob.glob(os.path.join(os.path.dirname(os.path.dirname(scipy.__file__)), "scipy.libs", "*openblas*"))
        assert not shipped, f"scipy ships {shipped}, but its thread control was not found"
        pytest.skip("no scipy OpenBLAS library found (a non-wheel scipy)")
    get, put = ctl
    before = get()
    put(2)
    try:
        with pytest.raises(RuntimeError, match="inside"), single_blas_thread():
            assert get() == 1
            raise RuntimeError("inside")
        assert get() == 2
        with single_blas_thread():
            assert get() == 1
        assert get() == 2
    finally:
        put(before)

"""One BLAS thread inside every unit of work (``tempx.numerics.blas_threads``): every BLAS library of the
process (numpy's and scipy's OpenBLAS are two) is set to one thread inside the block and restored after it,
also when the block raises; the drivers and the command line run inside such a block."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_limits

from tempx.numerics.blas_threads import blas_thread_counts, single_blas_thread, with_single_blas_thread


def test_one_thread_inside_and_the_counts_restored_after() -> None:
    import numpy as np

    counts = blas_thread_counts()
    assert counts, "no BLAS library found: numpy and scipy wheels each ship one"
    if np.__config__.CONFIG["Build Dependencies"]["blas"]["name"].startswith("scipy-openblas"):
        assert len(counts) >= 2, f"numpy's and scipy's OpenBLAS are two libraries, found {counts}"
    with threadpool_limits(limits=2, user_api="blas"):
        with pytest.raises(RuntimeError, match="inside"), single_blas_thread():
            assert all(n == 1 for _, n in blas_thread_counts())
            raise RuntimeError("inside")
        assert all(n == 2 for _, n in blas_thread_counts())
        with single_blas_thread():
            assert all(n == 1 for _, n in blas_thread_counts())
        assert all(n == 2 for _, n in blas_thread_counts())


def test_the_drivers_run_on_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """gd, flow_limit (and each model it integrates), gradient_flow, evaluate and the Monte Carlo estimates are
    wrapped: a right-hand side evaluated inside the flow sees one thread."""
    from tempx.numerics.drivers import descent, flow, limit, montecarlo

    for f in (descent.gd, descent.evaluate, flow.gradient_flow, limit.flow_limit, limit._one,
              montecarlo.monte_carlo_loss, montecarlo.extrapolation_mc):
        assert getattr(f, "__wrapped__", None) is not None, f.__name__
    seen: list[int] = []

    @with_single_blas_thread
    def probe() -> None:
        seen.extend(n for _, n in blas_thread_counts())

    with threadpool_limits(limits=2, user_api="blas"):
        probe()
    assert seen and set(seen) == {1}

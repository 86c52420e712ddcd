"""One BLAS thread inside every unit of work, so that a result does not depend on where it ran.

OpenBLAS splits a product differently with a different number of threads (and takes another kernel
for small sizes), so the last bits of a product depend on ``OPENBLAS_NUM_THREADS``; a gradient flow
integrated to t = 10¹² turns last bits into different step sizes, evaluation counts and limits.
Measured on 2 cores (``tempx train --d 20 --k 5 --sigma 0.1 --n-models 2 --until-converged``): with
two OpenBLAS threads per 20×20 product the flow took 28.9 s and ended elsewhere than with one thread
(3.8 s).  tempx therefore runs every product of a unit on one BLAS thread, whatever the
environment says, and gets its parallelism from units, models or row blocks side by side
(``drivers.executors``, numba's ``prange``).

``single_blas_thread()`` sets every BLAS library loaded in this process to one thread for a block
and restores the previous counts, also on an exception.  numpy and scipy wheels each ship their own
OpenBLAS (numpy's is the 64-bit-integer build; scipy's is the one numba's compiled ``np.dot`` calls),
so both are set; threadpoolctl finds them, and MKL, BLIS or FlexiBLAS where those are installed
instead.  The controller is made once, after numpy and scipy.linalg are loaded, and costs about
20 µs per block.  ``blas_thread_counts()`` reads the counts (for the tests).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["blas_thread_counts", "single_blas_thread", "with_single_blas_thread"]

F = TypeVar("F", bound=Callable[..., Any])
_CONTROLLER: list[Any] = []


def _controller() -> Any:
    if not _CONTROLLER:
        import numpy  # noqa: F401 - loads numpy's OpenBLAS
        import scipy.linalg  # noqa: F401 - loads scipy's OpenBLAS (numba's np.dot calls it)
        from threadpoolctl import ThreadpoolController

        _CONTROLLER.append(ThreadpoolController())
    return _CONTROLLER[0]


def blas_thread_counts() -> list[tuple[str, int]]:
    """(library file, thread count) of every BLAS library loaded in this process."""
    return [(info["filepath"], int(info["num_threads"])) for info in _controller().info() if info["user_api"] == "blas"]


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the block with every BLAS library on one thread; the previous counts are restored after it."""
    with _controller().limit(limits=1, user_api="blas"):
        yield


def with_single_blas_thread(func: F) -> F:
    """``func`` run inside ``single_blas_thread()`` (for the drivers' and the units' entry points)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with single_blas_thread():
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]

"""One BLAS thread while a compiled kernel runs its own threads.

The Elman kernel (``elman_kernels``) calls BLAS (scipy's OpenBLAS, through numba's ``np.dot``) from
numba's parallel threads; OpenBLAS would start threads of its own in every call.  Measured on 2
cores (a single model at (d, k, n) = (64, 32, 1024), its sequences in two row blocks): 0.068 s per
step with OpenBLAS threads in each block, 0.017 s with one.  ``single_blas_thread()`` sets OpenBLAS
to one thread for a block and restores the previous count.  It finds the thread setter by name in
the OpenBLAS that scipy's wheels ship (the BLAS numba calls); where there is none (MKL, Accelerate,
a system BLAS) it changes nothing, which is only slower.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["controls", "single_blas_thread"]

_PREFIXES = ("scipy_openblas", "openblas")
Controls = tuple[Callable[[], int], Callable[[int], None]]


def _find() -> Controls | None:
    import scipy

    base = os.path.dirname(os.path.dirname(scipy.__file__))
    for path in sorted(glob.glob(os.path.join(base, "scipy.libs", "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:  # pragma: no cover - a file we cannot load
            continue
        for prefix in _PREFIXES:
            get = getattr(lib, f"{prefix}_get_num_threads", None)
            put = getattr(lib, f"{prefix}_set_num_threads", None)
            if get is not None and put is not None:
                get.restype, get.argtypes = ctypes.c_int, []
                put.restype, put.argtypes = None, [ctypes.c_int]
                return (lambda g=get: int(g())), (lambda n, p=put: p(int(n)))
    return None  # pragma: no cover - a scipy without its OpenBLAS wheel library


_FOUND: list[Controls | None] = []


def controls() -> Controls | None:
    """(get, set) of the thread count of scipy's OpenBLAS, or None where it is not found (looked up once)."""
    if not _FOUND:
        _FOUND.append(_find())
    return _FOUND[0]


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Run the block with OpenBLAS on one thread; the previous count is restored, also on an exception."""
    ctl = controls()
    if ctl is None:  # pragma: no cover - see the module docstring
        yield
        return
    get, put = ctl
    before = get()
    put(1)
    try:
        yield
    finally:
        put(before)

"""Where independent work runs: this process, J local processes, or a Dask cluster (one seam).

Every parallel job in tempx (models of a flow, units of a reproduction or sweep) is a pure
function of its arguments, mapped through a ``concurrent.futures.Executor``; the result does
not depend on which executor ran it.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

__all__ = ["local_executor"]


@contextmanager
def local_executor(jobs: int) -> Iterator[Executor | None]:
    """None (run in this process) for ``jobs == 1``, else ``jobs`` spawned processes."""
    if jobs <= 1:
        yield None
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as ex:
        yield ex

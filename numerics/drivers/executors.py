"""Where independent work runs: this process, J local processes, or a Dask cluster (one seam).

Every parallel job in tempx (models of a flow, units of a reproduction, cells of a sweep) is a
pure function of its arguments (seeds included) mapped through a ``concurrent.futures.Executor``;
it returns its result and the caller writes files, so the result does not depend on which
executor ran it, and workers need not share a file system with the client.

- ``jobs == 1`` and no scheduler: ``None`` (the caller runs the work in its own process);
- ``jobs > 1``: a ``ProcessPoolExecutor`` of spawned processes;
- ``scheduler="tcp://host:port"``: an existing Dask scheduler (``Client(address).get_executor()``);
- ``scheduler="local:N"``: a Dask ``LocalCluster`` of N single-threaded worker processes.

Dask is the optional extra ``tempx[cluster]``; without it ``--scheduler`` is one clear line.
A worker that dies mid-task has its task rescheduled by Dask on another worker; since a task
is a pure function, the result is the same.

Interruption (Ctrl-C, SIGTERM): local workers ignore SIGINT (the terminal sends it to the whole
process group; only the leader acts on it), and a leader leaving its executor on an exception
terminates its worker processes instead of waiting for them; a ``LocalCluster`` is closed and its
scratch folder removed, so nothing is left running or lying in the temporary folder.  A leader killed
outright (SIGKILL, the out-of-memory killer) cleans nothing up; its local workers (of a process pool
or a ``LocalCluster``) notice that their parent is gone and exit within a second (``exit_with_parent``).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from tempx.theory.budget import check_memory
from tempx.theory.errors import InvalidInput

__all__ = ["CLUSTER_HINT", "auto_jobs", "check_executor_options", "executor_for", "local_executor", "parse_scheduler"]

CLUSTER_HINT = "pip install 'tempx[cluster]' (or: pip install 'dask[distributed]')"
MAX_LOCAL_WORKERS = 256
WORKER_BYTES = 300 * 1024**2  # one worker process with numpy, scipy, numba and its share of a unit (measured ~250 MB)
# Network schedulers only: inproc:// names a scheduler inside the client's own process, which a
# command line cannot reach.
_ADDRESS = re.compile(r"(tcp|tls|ws|wss|ucx)://[^\s/:]+(:\d{1,5})?/?")


def parse_scheduler(text: str) -> tuple[str, Any]:
    """('local', N) for 'local:N', ('address', text) for 'tcp://host:port'; else one clear error."""
    t = text.strip()
    if t.startswith("local:"):
        n = t.split(":", 1)[1]
        if not n.isdigit() or len(n) > 3 or not (1 <= int(n) <= MAX_LOCAL_WORKERS):
            raise InvalidInput(f"--scheduler local:N needs 1 <= N <= {MAX_LOCAL_WORKERS} workers, got {text[:40]!r}")
        return "local", int(n)
    if _ADDRESS.fullmatch(t):
        return "address", t
    raise InvalidInput(f"--scheduler must be a Dask scheduler address like tcp://host:8786 (tcp, tls, ws, wss or ucx) "
                       f"or local:N, got {text[:60]!r}")


def _dask() -> Any:
    try:
        import dask.distributed as dd
    except ImportError:
        raise InvalidInput(f"--scheduler needs Dask's distributed scheduler, which is not installed: {CLUSTER_HINT}") from None
    return dd


def check_executor_options(jobs_text: str, scheduler: str | None) -> None:
    """``--jobs`` and ``--scheduler`` of a command, checked before anything runs or is written:
    not both, a well-formed scheduler, and Dask installed when a scheduler is asked for."""
    if scheduler is None:
        return
    if jobs_text not in ("1", "auto"):
        raise InvalidInput("give either --jobs (local processes) or --scheduler (a Dask cluster), not both")
    kind, value = parse_scheduler(scheduler)
    if kind == "local":
        check_memory(f"--scheduler local:{value} ({value} worker processes)", value * WORKER_BYTES)
    _dask()


def auto_jobs() -> int:
    """``--jobs auto``: one worker per core this process may run on, as many as the memory limit holds."""
    import os

    from tempx.theory.budget import memory_limit

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity (macOS)
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_LOCAL_WORKERS, memory_limit() // WORKER_BYTES))


PARENT_POLL_SECONDS = 0.5  # how often a worker looks whether the process that started it is still there


def exit_with_parent(parent: int) -> None:
    """In a worker process: end this process (exit status 1) as soon as ``parent`` is no longer its parent.

    A parent killed by SIGKILL runs no clean-up, so its workers would stay alive, idle, holding their
    memory; the kernel re-parents them, so ``os.getppid()`` changes, and a daemon thread that polls it
    every ``PARENT_POLL_SECONDS`` ends the worker.  (Linux's PR_SET_PDEATHSIG is not used: it fires when
    the parent's *thread* that started the worker ends, and executors start workers from helper threads.)
    Results already written stay, so a reproduction resumes as after any interruption.
    """
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="tempx-parent-watch", daemon=True).start()


def _start_worker(parent: int) -> None:
    """Every local worker: SIGINT ignored (see the module docstring), and it ends with its parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent)


def dask_setup(worker: Any) -> None:
    """Dask's preload hook (``--scheduler local:N`` workers load this module): end with the parent process."""
    exit_with_parent(os.getppid())


@contextmanager
def local_executor(jobs: int) -> Iterator[Executor | None]:
    """None (run in this process) for ``jobs == 1``, else ``jobs`` spawned processes."""
    if jobs <= 1:
        yield None
        return
    check_memory(f"--jobs {jobs} ({jobs} worker processes)", jobs * WORKER_BYTES)
    ex = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_start_worker, initargs=(os.getpid(),))
    try:
        yield ex
    except BaseException:
        # Interrupted or failed: stop the workers now instead of letting them finish their tasks.
        # ProcessPoolExecutor has no public way to do that; its worker table is read, not changed.
        workers = list(getattr(ex, "_processes", {}).values())
        ex.shutdown(wait=False, cancel_futures=True)
        for proc in workers:
            proc.terminate()
        for proc in workers:
            proc.join(timeout=10)
        raise
    ex.shutdown(wait=True)


_QUIET_ENV = "DASK_LOGGING__DISTRIBUTED"
# the loggers distributed's default configuration gives a level of their own, which the parent's would not override
_QUIET_LOGGERS = ("distributed", "distributed.client", "distributed.core", "distributed.nanny", "distributed.worker",
                  "distributed.scheduler", "distributed.deploy", "tornado", "tornado.application", "asyncio")


def _quiet_distributed() -> Callable[[], None]:
    """distributed's, tornado's and asyncio's loggers at CRITICAL in this process, and in the worker processes (they
    configure their logging from the environment when they import distributed): a command line's stderr carries its
    own one-line messages, and distributed's INFO lines about closing streams would precede them, also while a
    cluster interrupted mid-start is closed at exit.  Returns what puts the previous levels back, for a run that
    ended normally (a library caller keeps its logging)."""
    import logging

    levels = {name: logging.getLogger(name).level for name in _QUIET_LOGGERS}
    env = os.environ.get(_QUIET_ENV)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    os.environ[_QUIET_ENV] = "critical"

    def restore() -> None:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        if env is None:
            os.environ.pop(_QUIET_ENV, None)
        else:
            os.environ[_QUIET_ENV] = env

    return restore


def _close_abandoned_clusters() -> None:
    """Close every local cluster of this process that is still open, quietly, and forget it.

    An interrupt (Ctrl-C, SIGTERM) while ``LocalCluster`` is starting leaves a half-built cluster that this code
    never got hold of; distributed closes it at interpreter exit and, its workers still starting, prints an
    ``AssertionError: Status.init`` traceback.  Closing it here, with that error expected, leaves one line.
    """
    try:
        from distributed.deploy.spec import SpecCluster
    except ImportError:  # pragma: no cover - Dask is not installed: no cluster was made
        return
    for cluster in list(getattr(SpecCluster, "_instances", ())):
        try:
            cluster.close(timeout=10)
        except BaseException:  # noqa: BLE001,S110 - a cluster interrupted while starting cannot close cleanly
            pass
        SpecCluster._instances.discard(cluster)


@contextmanager
def executor_for(jobs: int, scheduler: str | None = None) -> Iterator[Executor | None]:
    """The executor for ``--jobs J`` / ``--scheduler ADDRESS|local:N`` (see the module docstring)."""
    if scheduler is None:
        with local_executor(jobs) as ex:
            yield ex
        return
    kind, value = parse_scheduler(scheduler)
    if kind == "local":
        check_memory(f"--scheduler local:{value} ({value} worker processes)", value * WORKER_BYTES)
    dd = _dask()
    import dask

    # workers compute pure functions; let Dask retry a task whose worker died (the default is 3)
    restore_logging = _quiet_distributed()  # kept quiet if the run is interrupted: its shutdown must stay silent
    with dask.config.set({"distributed.scheduler.allowed-failures": 5}):
        if kind == "local":
            scratch = tempfile.mkdtemp(prefix="tempx-dask-")
            try:
                # every file of the cluster (workers' spill space, the scheduler's lock files) in one
                # folder of ours, removed on the way out however the run ends
                with dask.config.set({"temporary-directory": scratch}):
                    cluster = dd.LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                              dashboard_address=None, silence_logs=50, local_directory=scratch,
                                              preload=[__name__])
                    try:
                        with dd.Client(cluster) as client:
                            yield client.get_executor()
                    finally:
                        cluster.close()
            finally:
                _close_abandoned_clusters()
                shutil.rmtree(scratch, ignore_errors=True)
            restore_logging()
            return
        try:
            client = dd.Client(value, timeout="10s")
        except (OSError, TimeoutError) as err:
            raise InvalidInput(f"cannot reach the Dask scheduler at {value}: {err}") from None
        with client:
            yield client.get_executor()
        restore_logging()

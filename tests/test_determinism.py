"""Results do not depend on where they run (one machine): not on the BLAS thread count, not on numba's thread
count, not on the executor.  Each driver is run under several thread settings and its outputs compared byte for
byte; the instances are ones where threads did change the bits before every unit ran on one BLAS thread (the
flow limit at d = 12: a 20×20 product split over two OpenBLAS threads rounds differently, and the flow turns
last bits into other step sizes and evaluation counts).  The whole reproduction under each executor and BLAS
setting is the slow test at the end (``.ci/run`` also compares two of them)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numba
import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from tempx.numerics.drivers.descent import gd
from tempx.numerics.drivers.executors import local_executor
from tempx.numerics.drivers.limit import flow_limit
from tempx.numerics.drivers.montecarlo import extrapolation_mc
from tempx.numerics.nonlinear_teachers import teacher_and_dim
from tempx.numerics.students import get
from tempx.numerics.students.dense_kernels import AVAILABLE
from tempx.numerics.teachers import memoryless

SETTINGS = [(1, 1), (2, 2), (4, 1), (None, 2)]  # (BLAS threads or None for the process default, numba threads)


@contextmanager
def threads(blas: int | None, nb: int) -> Iterator[None]:
    before = numba.get_num_threads()
    numba.set_num_threads(min(nb, numba.config.NUMBA_NUM_THREADS))
    try:
        if blas is None:
            yield
        else:
            with threadpool_limits(limits=blas, user_api="blas"):
                yield
    finally:
        numba.set_num_threads(before)


def _bytes(*arrays: Any) -> bytes:
    return b"".join(np.ascontiguousarray(np.asarray(a, dtype=float)).tobytes() for a in arrays)


def _same_under_every_setting(run: Callable[[], bytes]) -> None:
    outs = []
    for blas, nb in SETTINGS:
        with threads(blas, nb):
            outs.append(run())
    assert all(o == outs[0] for o in outs[1:]), [len(o) for o in outs]


def test_the_flow_limit_is_the_same_whatever_the_threads() -> None:
    p = get("dense").init("gaussian", 2, 12, 0.1, 0)

    def run() -> bytes:
        r = flow_limit(p, memoryless(1), 4, [40])
        return _bytes(get("dense").flatten(r.params), r.t, r.train_loss, r.nfev, r.Q_drift, r.extrapolation_loss)

    _same_under_every_setting(run)


@pytest.mark.slow
def test_the_flow_limit_is_the_same_in_worker_processes() -> None:
    p = get("diagonal").init("gaussian", 2, 6, 0.1, 3)
    here = flow_limit(p, memoryless(1), 4, [40])
    with threads(4, 2), local_executor(2) as ex:
        there = flow_limit(p, memoryless(1), 4, [40], executor=ex)
    assert _bytes(get("diagonal").flatten(here.params), here.nfev) == _bytes(get("diagonal").flatten(there.params),
                                                                              there.nfev)


@pytest.mark.parametrize("backend", ["numba", "numpy"] if AVAILABLE else ["numpy"])
@pytest.mark.parametrize("student", ["dense", "diagonal", "complex", "lru"])
def test_gradient_descent_is_the_same_whatever_the_threads(backend: str, student: str) -> None:
    s = get(student)
    if backend == "numba" and (s.kernel is None or not s.kernel.available()):
        pytest.skip(f"no compiled kernel for {student}")
    p = s.init(s.inits[0], 3, 10, 0.3, 1)

    def run() -> bytes:
        r = gd(p, memoryless(1), 5, 0.02, 300, qs=[20], backend=backend)
        return _bytes(s.flatten(r.params), r.train_loss, r.extrapolation_loss)

    _same_under_every_setting(run)


@pytest.mark.parametrize("n_data", [64, 520])  # one row block, and eight (the fixed most) of a single model
def test_bptt_and_monte_carlo_are_the_same_whatever_the_threads(n_data: int) -> None:
    s = get("tanh")
    teacher = teacher_and_dim("memoryless")[0]
    p = s.init("gaussian", 1, 16, 0.5, 2)
    X = np.random.default_rng(5).normal(size=(n_data, 6))

    def run() -> bytes:
        r = gd(p, teacher, 6, 0.05, 40, data=X)
        mean, se = extrapolation_mc(r.params, teacher, [12], n=256, seed=1)
        return _bytes(s.flatten(r.params), r.train_loss, mean, se)

    _same_under_every_setting(run)


def _train_json(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "tempx", "train", *args, "--format", "json"], capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.slow
def test_the_command_line_is_the_same_under_any_blas_environment() -> None:
    """The environment variables a user sets (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS) change no byte of a result."""
    args = ("--d", "12", "--k", "4", "--sigma", "0.1", "--n-models", "2", "--until-converged")
    runs = [_train_json({"OPENBLAS_NUM_THREADS": "1"}, *args), _train_json({"OMP_NUM_THREADS": "4"}, *args)]
    assert runs[0] == runs[1]
    assert json.loads(runs[0])["summary"]["converged"] == 2


@pytest.mark.slow
def test_reproduce_is_byte_identical_under_every_executor_and_blas_setting(tmp_path: Path) -> None:
    """One unit of every experiment kind (the claims too), run with --jobs 1, --jobs 2 and a Dask LocalCluster,
    under OPENBLAS_NUM_THREADS 1 and 4 and unset: results.json is the same file every time."""
    pytest.importorskip("dask.distributed")
    from tempx.numerics.app.reproduce import SCALES

    config = {}
    for name, e in SCALES["quick"].items():
        e = dict(e)
        for key in ("cells", "series"):
            if key in e:
                e[key] = e[key][:1]
        for key in ("sigmas", "ks", "teachers", "students", "sign_fractions", "sign_teachers"):
            if key in e:
                e[key] = e[key][:1]
        e["seeds"] = min(e.get("seeds", 2), 2)
        config[name] = e
    cfg = tmp_path / "config.json"
    cfg.write_text(json.dumps(config), encoding="utf-8")
    runs = [(["--jobs", "1"], {"OPENBLAS_NUM_THREADS": "1"}), (["--jobs", "2"], {"OPENBLAS_NUM_THREADS": "4"}),
            (["--scheduler", "local:2"], {})]
    docs = []
    for n, (flags, env) in enumerate(runs):
        out = tmp_path / f"run{n}"
        full_env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
        proc = subprocess.run([sys.executable, "-m", "tempx", "reproduce", "--config", str(cfg), "--out", str(out),
                               *flags], capture_output=True, text=True, env={**full_env, **env}, timeout=1200, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        docs.append((out / "results.json").read_bytes())
    assert docs[0] == docs[1] == docs[2]

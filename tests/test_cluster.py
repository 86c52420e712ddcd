"""The executor seam on a real Dask LocalCluster: same bytes as --jobs 1, also with a worker killed mid-run.

These start real worker processes (seconds each), so they are marked slow: `.ci/run` runs them
(`pytest -m slow`).  Without dask.distributed installed they are skipped.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_helpers import assert_usage_error, run_tempx

dd = pytest.importorskip("dask.distributed")

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.filterwarnings("ignore::UserWarning")]

CONFIG = {
    "E1": {"cells": [[6, 3]], "sigmas": [0.05, 0.3, 1.0], "seeds": 2, "steps": 300, "lr": 0.02},
    "E1L": {"cells": [[4, 2]], "sigmas": [0.1, 0.3], "seeds": 2, "t_max": 1e12, "q_factor": 10,
            "certify_sigma_max": 0.1, "fit_sigma_max": 0.5},
    "E5": {"teachers": ["atoms:1/2@1"], "d": 4, "ks": [2, 3], "sigmas": [0.05], "seeds": 2, "steps": 300,
           "lr": 0.02, "q": 8},
}
# Units of about half a second each (E1 cells of d = 30, k = 6), so that a worker killed after the
# third finished unit has work in flight.
SLOW = {"E1": {"cells": [[30, 6]], "sigmas": [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.2], "seeds": 2, "steps": 100_000,
               "lr": 0.02}}


def _reproduce(tmp: Path, name: str, config: dict, *extra: str) -> bytes:
    cfg = tmp / f"{name}.json"
    cfg.write_text(json.dumps(config))
    proc = run_tempx(["reproduce", "--out", str(tmp / name), "--config", str(cfg), *extra], timeout=600)
    assert proc.returncode == 0, proc.stderr
    return (tmp / name / "results.json").read_bytes()


def test_local_cluster_gives_the_bytes_of_one_process(tmp_path: Path) -> None:
    ref = _reproduce(tmp_path, "jobs1", CONFIG)
    assert _reproduce(tmp_path, "dask", CONFIG, "--scheduler", "local:2") == ref


def test_sweep_on_a_local_cluster_gives_the_same_table(tmp_path: Path) -> None:
    args = ["sweep", "--d", "5", "--k", "3", "--sigmas", "0.1,1", "--seeds", "2", "--steps", "200"]
    a = run_tempx([*args, "--out", str(tmp_path / "a")])
    b = run_tempx([*args, "--out", str(tmp_path / "b"), "--scheduler", "local:2"])
    assert a.returncode == 0 and b.returncode == 0, (a.stderr, b.stderr)
    assert (tmp_path / "a" / "results.json").read_bytes() == (tmp_path / "b" / "results.json").read_bytes()


def test_a_worker_killed_mid_run_does_not_change_the_results(tmp_path: Path) -> None:
    ref = _reproduce(tmp_path, "ref", SLOW)
    cluster = dd.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = dd.Client(cluster)
    try:
        cfg = tmp_path / "slow.json"
        cfg.write_text(json.dumps(SLOW))
        out = tmp_path / "killed"
        cmd = [sys.executable, "-m", "tempx.numerics.app.cli", "reproduce", "--out", str(out), "--config", str(cfg),
               "--scheduler", cluster.scheduler_address]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and len(list((out / "cache").glob("*.json"))) < 3:
            time.sleep(0.05)
        before = client.run(os.getpid)
        victim = min(before.values())
        os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker; Dask reschedules the lost unit
        _, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stderr
        assert victim not in client.run(os.getpid).values()
        assert (out / "results.json").read_bytes() == ref
    finally:
        client.close()
        cluster.close()


def test_scheduler_errors_are_one_line(tmp_path: Path) -> None:
    assert_usage_error(run_tempx(["reproduce", "--out", str(tmp_path / "x"), "--scheduler", "nonsense"]),
                       "--scheduler must be")
    assert_usage_error(run_tempx(["reproduce", "--out", str(tmp_path / "x"), "--scheduler", "local:0"]), "local:N")
    assert_usage_error(run_tempx(["reproduce", "--out", str(tmp_path / "x"), "--scheduler", "local:2", "--jobs", "2"]),
                       "not both")
    assert not (tmp_path / "x").exists()


def test_without_dask_the_scheduler_option_says_what_to_install(tmp_path: Path) -> None:
    # a real interpreter in which `import dask` fails, as on a machine without the extra
    fake = tmp_path / "nodask" / "dask"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('dask is not installed here')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "nodask")}
    proc = subprocess.run([sys.executable, "-m", "tempx.numerics.app.cli", "reproduce", "--out", str(tmp_path / "o"),
                           "--scheduler", "local:2"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert_usage_error(proc, "tempx[cluster]")
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("sig", "status", "line"), [(signal.SIGINT, 130, "tempx: interrupted"),
                                                     (signal.SIGTERM, 143, "tempx: terminated")])
def test_a_signal_while_the_cluster_starts_is_one_line(tmp_path: Path, sig: int, status: int, line: str) -> None:
    """Ctrl-C or SIGTERM at several moments of LocalCluster's start (before, during and after its workers come up):
    one line and the signal's status, never distributed's 'AssertionError: Status.init' traceback at exit."""
    for delay in (1.0, 1.8, 2.6, 3.5):
        out = tmp_path / f"s{delay}"
        proc = subprocess.Popen([sys.executable, "-m", "tempx", "sweep", "--d", "4", "--k", "2", "--sigmas", "0.1,0.2",
                                 "--seeds", "2", "--steps", "10", "--out", str(out), "--scheduler", "local:2"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509 - one signal call
        time.sleep(delay)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=120)
        if proc.returncode == 0:  # finished before the signal: nothing to check at this delay
            continue
        assert proc.returncode == status and err.strip() == line, (delay, err[-2000:])

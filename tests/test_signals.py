"""Signals on worker pools, tried on the installed command in real subprocesses: SIGTERM and
Ctrl-C (SIGINT) stop the leader with one line and exit 143 / 130, its worker processes are gone,
no traceback is printed (the workers ignore SIGINT; the leader stops them), and no temporary file
or partial result is left behind."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

# Slow (each run spawns worker processes and waits for them): `pytest -m slow`, which .ci/run runs.
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find worker processes")]

# Long enough that the run is still going when the signal arrives (each flow takes seconds).
FLOW = ["train", "--d", "40", "--k", "8", "--sigma", "0.02", "--n-models", "8", "--until-converged", "--jobs", "2"]


def _tempx() -> list[str]:
    exe = shutil.which("tempx")
    return [exe] if exe else [sys.executable, "-m", "tempx"]


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _interrupt(args: list[str], sig: int, cwd: Path, workers: int = 2) -> tuple[subprocess.CompletedProcess[str], set[int]]:
    # SIGINT as a terminal delivers it: a shell that starts a job in the background without job control passes
    # SIGINT on as ignored, and Python then keeps ignoring it, so the child's disposition is reset first
    proc = subprocess.Popen([*_tempx(), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509 - one signal call
    deadline = time.monotonic() + 120
    kids: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        kids = _children(proc.pid)
        if len(kids) >= workers:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    time.sleep(1.0)  # the workers are computing
    kids |= _children(proc.pid)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(args, proc.returncode, out, err), kids


@pytest.mark.parametrize(("sig", "status", "line"), [(signal.SIGTERM, 143, "tempx: terminated"),
                                                     (signal.SIGINT, 130, "tempx: interrupted")])
def test_a_signal_stops_the_flow_and_its_workers(tmp_path: Path, sig: int, status: int, line: str) -> None:
    done, kids = _interrupt([*FLOW, "--save-params", "limit.json"], sig, tmp_path)
    assert done.returncode == status, (done.returncode, done.stderr[-2000:])
    assert done.stderr.strip().splitlines()[-1] == line
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert kids, "no worker process was seen"
    time.sleep(0.5)
    assert not [k for k in kids if _alive(k)], "worker processes outlived their leader"
    assert list(tmp_path.iterdir()) == []  # neither the parameter file nor a temporary file


def test_sigterm_during_a_sweep_leaves_no_partial_result_set(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    done, _ = _interrupt(["sweep", "--d", "40", "--k", "8", "--sigmas", "0.02,0.05,0.1,0.2", "--seeds", "8",
                          "--steps", "2000000", "--jobs", "2", "--out", str(out)],
                         signal.SIGTERM, tmp_path)
    assert done.returncode == 143 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert not out.exists() or list(out.iterdir()) == []

"""Workers end with their parent: a leader killed by SIGKILL leaves no process of its tree behind
(tempx.numerics.drivers.executors.exit_with_parent), for a process pool, a Dask LocalCluster and a real
``tempx reproduce``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")

LEADER = """
import sys, time
from tempx.numerics.drivers.executors import executor_for
jobs, scheduler = int(sys.argv[1]), (sys.argv[2] or None)
with executor_for(jobs, scheduler) as ex:
    futures = [ex.submit(time.sleep, 120) for _ in range(2)]
    print("ready", flush=True)
    time.sleep(120)
"""


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, out, todo = _children(), set(), [pid]
    while todo:
        for c in tree.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(p)
    return alive


def _kill_and_watch(proc: subprocess.Popen[str], wanted: int) -> None:
    deadline = time.monotonic() + 120
    tree: set[int] = set()
    while time.monotonic() < deadline and len(tree) < wanted:
        time.sleep(0.5)
        tree = _descendants(proc.pid)
    assert len(tree) >= wanted, f"the leader started {len(tree)} processes, expected {wanted}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
    deadline = time.monotonic() + 10
    while _alive(tree) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = _alive(tree)
    for p in left:  # do not leave them to the next test
        os.kill(p, signal.SIGKILL)
    assert not left, f"{len(left)} of the leader's {len(tree)} processes outlived it"


def _leader(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", LEADER, *args], stdout=subprocess.PIPE, text=True)


def test_process_pool_workers_end_with_a_killed_leader() -> None:
    proc = _leader("2", "")
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    _kill_and_watch(proc, 3)  # two workers and multiprocessing's resource tracker


@pytest.mark.slow
def test_local_cluster_workers_end_with_a_killed_leader() -> None:
    pytest.importorskip("dask.distributed")
    proc = _leader("1", "local:2")
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    _kill_and_watch(proc, 2)


@pytest.mark.slow
def test_a_killed_reproduce_leaves_no_worker(tmp_path: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tempx", "reproduce", "--out", str(tmp_path / "r"), "--jobs", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    _kill_and_watch(proc, 3)

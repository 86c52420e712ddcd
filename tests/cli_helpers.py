"""Run the installed ``tempx`` command in a subprocess, as a user would."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence


def run_tempx(args: Sequence[str], timeout: float = 300, cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("tempx")
    cmd = [exe, *args] if exe else [sys.executable, "-m", "tempx.numerics.app.cli", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False)


def assert_usage_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit status 2, nothing on stdout, exactly one line on stderr, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("tempx: error: ") and "Traceback" not in proc.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


def run_cli(args: Sequence[str], cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    """The console script's entry point (``tempx.numerics.app.cli.main``) called in this process, with its
    output captured: for the long lists of bad-input cases, where a subprocess per case would cost
    most of a second of interpreter start-up.  An exception escaping ``main`` fails the test (it
    would be a traceback for the user); ``run_tempx`` covers the installed script itself."""
    import contextlib
    import io
    import os

    from tempx.numerics.app.cli import main
    from tempx.theory.budget import ENV, WORK_ENV

    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    env_before = {name: os.environ.get(name) for name in (ENV, WORK_ENV)}  # --memory-limit, --work-limit set them
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exc:  # --help, --version
                status = exc.code if isinstance(exc.code, int) else 0
    finally:
        os.chdir(before)
        for name, value in env_before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(list(args), status, out.getvalue(), err.getvalue())

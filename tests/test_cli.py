"""``tempx counterexample`` and ``tempx verify`` end to end, in a subprocess."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
from cli_helpers import assert_usage_error, run_cli, run_tempx

from tempx.theory.losses import extrapolation_loss, loss
from tempx.theory.rnn import ExactRNN


def test_counterexample_json_round_trips_exactly() -> None:
    proc = run_tempx(["counterexample", "--k", "7", "--d", "9", "--c", "3/2", "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {"k", "d", "teacher", "A", "B", "C", "impulse_response", "train_loss", "extrapolation_loss"} <= set(doc)
    assert (doc["k"], doc["d"]) == (7, 9)
    assert len(doc["A"]) == 9 and all(len(r) == 9 for r in doc["A"])
    assert len(doc["B"]) == 9 and all(len(r) == 1 for r in doc["B"]) and len(doc["C"]) == 1 and len(doc["C"][0]) == 9
    rnn = ExactRNN.from_entries(doc["A"], doc["B"], doc["C"])  # exact strings parse back
    w = rnn.impulse_response(8)
    assert w == (1, 0, 0, 0, 0, 0, 0, Fraction(3, 2))
    assert [Fraction(x) for x in doc["impulse_response"]] == list(rnn.impulse_response(len(doc["impulse_response"])))
    assert Fraction(doc["train_loss"]) == loss(rnn, None, 7) == 0
    for q, value in doc["extrapolation_loss"].items():
        assert Fraction(value) == extrapolation_loss(rnn, None, int(q))
    # the default lengths: k + 1, 2k, 4k and the number of terms shown (15 = 2k + 1), in order
    assert list(doc["extrapolation_loss"]) == ["8", "14", "15", "28"] and len(doc["impulse_response"]) == 15
    # the smallest requests: one term, L_1
    one = run_cli(["counterexample", "--k", "1", "--terms", "1", "--q", "1", "--format", "json"])
    assert one.returncode == 0, one.stderr
    small = json.loads(one.stdout)
    assert small["impulse_response"] == ["1"] and list(small["extrapolation_loss"]) == ["1"]
    assert_usage_error(run_cli(["counterexample", "--k", "1", "--terms", "0"]), "--terms must be >= 1, got 0")
    assert_usage_error(run_cli(["counterexample", "--k", "1", "--q", "0"]), "--q must be >= 1, got 0")


def test_disguised_tail_counterexample_json() -> None:
    proc = run_tempx(["counterexample", "--k", "3", "--tail", "0,-5/2,1.5", "--d", "8", "--disguise", "11",
                      "--format", "json"])
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    rnn = ExactRNN.from_entries(doc["A"], doc["B"], doc["C"])
    assert rnn.d == 8
    assert rnn.impulse_response(8) == (1, 0, 0, 0, Fraction(-5, 2), Fraction(3, 2), 0, 0)
    assert sum(1 for row in doc["A"] for x in row if x != "0") > 20  # disguised: dense


def test_counterexample_text_and_latex() -> None:
    text = run_tempx(["counterexample", "--k", "2", "--c=-3/2"])
    assert text.returncode == 0 and "impulse response w_0..w_4: 1, 0, -3/2, 0, 9/4" in text.stdout
    latex = run_cli(["counterexample", "--k", "2", "--format", "latex"])
    assert latex.returncode == 0 and latex.stdout.count("\\begin{bmatrix}") == 4 and "\\begin{equation*}" in latex.stdout
    # the cyclic counterexample at k = 2: w_0 … w_4 = 1, 0, 1, 0, 1, labelled with its last index
    assert "(w_i)_{i=0}^{4} = \\begin{bmatrix}\n1 & 0 & 1 & 0 & 1\n\\end{bmatrix}" in latex.stdout


def test_verify_claims_pass_and_json_has_evidence() -> None:
    """Claims pass through the command line, in text and JSON.  Every claim's check runs in tests/test_claims.py,
    and every claim through the command line in the Quickstart's reproduction (.ci/run requires all passed)."""
    text = run_cli(["verify", "--claims", "C1,C3"])
    assert text.returncode == 0, text.stdout + text.stderr
    assert "2 of 2 claims passed" in text.stdout
    proc = run_tempx(["verify", "--claims", "C2,c5", "--seed", "3", "--format", "json"])
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0 and doc["passed"] and [c["id"] for c in doc["claims"]] == ["C2", "C5"]
    assert all(e["holds"] for c in doc["claims"] for e in c["evidence"])


@pytest.mark.parametrize(
    "args, needles",
    [
        (["counterexample", "--k", "0"], ["--k", ">= 1"]),
        (["counterexample", "--k", "three"], ["--k", "integer"]),
        (["counterexample"], ["--k"]),
        (["counterexample", "--k", "4", "--d", "3"], ["d must be >= k = 4"]),
        (["counterexample", "--k", "2", "--c", "0"], ["nonzero"]),
        (["counterexample", "--k", "2", "--c", "1/0"], ["not an exact rational"]),
        (["counterexample", "--k", "2", "--c", "-3/2"], ["--c=-3/2"]),
        (["counterexample", "--k", "2", "--tail", "1,,2"], ["--tail"]),
        (["counterexample", "--k", "2", "--tail", "0,0"], ["nonzero"]),
        (["counterexample", "--k", "2", "--c", "2", "--tail", "1"], ["not both"]),
        (["counterexample", "--k", "2", "--disguise", "-1"], ["--disguise", ">= 0"]),
        (["counterexample", "--k", "2", "--terms", "0"], ["--terms"]),
        (["counterexample", "--k", "2", "--format", "xml"], ["invalid choice"]),
        (["counterexample", "--k", "2", "--bogus"], ["unrecognized arguments: --bogus"]),
        (["verify", "--claims", "C1,C42"], ["unknown claim ID 'C42'", "C1, C2"]),
        (["verify", "--seed", "-3"], ["--seed"]),
        (["frobnicate"], ["invalid choice"]),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(args: list[str], needles: list[str]) -> None:
    assert_usage_error(run_cli(args), *needles)


def test_no_command_is_one_line_and_exit_2() -> None:
    assert_usage_error(run_tempx([]), "a command is required", "certify", "reproduce")


@pytest.mark.parametrize(("error", "status", "line"), [
    ("terminated", 143, "tempx: terminated"),  # SIGTERM's handler raises Terminated
    ("interrupt", 130, "tempx: interrupted"),
    ("pipe", 141, None),  # a closed pipe: silent, like other Unix tools
    ("disk", 1, "tempx: error: cannot write '/full/disk.json': No space left on device"),
    ("input", 2, "tempx: error: bad value"),
])
def test_exit_status_and_one_line_for_every_way_a_command_can_end(monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str], error: str,
                                                                  status: int, line: str | None) -> None:
    """In process, with a command that raises (the subprocess tests of real signals are slow-marked)."""
    import errno

    from tempx.numerics.app import cli
    from tempx.theory.errors import InvalidInput

    def boom(args: object) -> int:
        raise {"terminated": cli.Terminated(), "interrupt": KeyboardInterrupt(), "pipe": BrokenPipeError(),
               "disk": OSError(errno.ENOSPC, "No space left on device", "/full/disk.json"),
               "input": InvalidInput("bad value")}[error]

    commands = cli._commands()
    monkeypatch.setattr(cli, "_commands", lambda: {**commands, "verify": (commands["verify"][0], commands["verify"][1], boom)})
    assert cli.main(["verify"]) == status
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ([] if line is None else [line])


def test_counterexample_size_limits_are_inclusive(monkeypatch: pytest.MonkeyPatch) -> None:
    """k = MAX_K is accepted and MAX_K + 1 refused (checked with the limits lowered, so the accepted case is
    small); d may exceed MAX_K by 1000 (padding), not by 1001 — checked at the real limit (refused before work)."""
    from tempx.numerics.app.commands import counterexample as command
    from tempx.theory import relu

    assert_usage_error(run_cli(["counterexample", "--k", "1", "--d", str(command.MAX_K + 1001)]),
                       f"--d must be <= {command.MAX_K + 1000}")
    assert_usage_error(run_cli(["counterexample", "--k", str(command.MAX_K + 1)]), f"--k must be <= {command.MAX_K}")
    monkeypatch.setattr(command, "MAX_K", 3)
    assert run_cli(["counterexample", "--k", "3"]).returncode == 0
    assert_usage_error(run_cli(["counterexample", "--k", "4"]), "--k must be <= 3")
    monkeypatch.setattr(command, "MAX_TERMS", 5)
    assert run_cli(["counterexample", "--k", "2", "--terms", "5"]).returncode == 0
    assert_usage_error(run_cli(["counterexample", "--k", "2", "--terms", "6"]), "--terms must be <= 5")
    assert_usage_error(run_cli(["counterexample", "--k", "2", "--q", "3,6"]), "--q must be <= 5")
    monkeypatch.setattr(relu, "MAX_K", 2)
    assert run_cli(["counterexample", "--student", "relu", "--k", "2"]).returncode == 0
    assert_usage_error(run_cli(["counterexample", "--student", "relu", "--k", "3"]), "--k must be <= 2")


def test_a_successful_command_returns_the_integer_0(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``tempx.numerics.app.cli.main`` returns the exit status, an int: 0 on success (None would also exit 0
    from the console script, but not from a caller that checks ``main(...) == 0``)."""
    from tempx.numerics.app import cli

    params = tmp_path / "half.json"
    params.write_text('{"A": [[0.5]], "B": [[1.0]], "C": [[1.0]]}')
    for argv in (["threshold", "--k", "3"], ["threshold", "--k", "3", "--format", "json"],
                 ["counterexample", "--k", "2"], ["counterexample", "--k", "2", "--format", "json"],
                 ["counterexample", "--student", "relu", "--k", "2"], ["certify", "--params", str(params), "--k", "2"],
                 ["certify", "--params", str(params), "--k", "2", "--format", "json"],
                 ["train", "--k", "2", "--d", "2", "--n-models", "1", "--steps", "0"],
                 ["reproduce", "--dry-run"]):
        status = cli.main(argv)
        assert status == 0 and type(status) is int, argv


def test_relu_counterexample_as_latex() -> None:
    proc = run_cli(["counterexample", "--student", "relu", "--k", "1", "--c", "1/2", "--format", "latex"])
    assert proc.returncode == 0, proc.stderr
    assert [line.split(" = ")[0] for line in proc.stdout.splitlines() if " = " in line and not line.startswith("%")] == ["A", "B", "C"]
    assert proc.stdout.count("\\begin{bmatrix}") == 3 and "\\frac{1}{2}" in proc.stdout


def test_sigterm_ends_a_single_process_command_with_one_line_and_143() -> None:
    """SIGTERM during a command without worker processes: the command line turns it into "tempx: terminated" and
    exit status 143 (the slow tests try the same on worker pools).  The signal is sent once the progress bar
    shows that training runs, so it cannot land before the handler exists."""
    import os
    import select
    import shutil
    import signal
    import subprocess
    import sys
    import time

    exe = shutil.which("tempx")
    args = ["train", "--d", "30", "--k", "6", "--steps", "50000000", "--progress"]
    cmd = [exe, *args] if exe else [sys.executable, "-m", "tempx.numerics.app.cli", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    seen, deadline = b"", time.monotonic() + 120
    while b"train [" not in seen and time.monotonic() < deadline:
        if select.select([proc.stderr], [], [], 1.0)[0]:
            seen += os.read(proc.stderr.fileno(), 4096)
    assert b"train [" in seen, seen
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, (proc.returncode, err[-2000:])
    assert err.decode().strip().splitlines()[-1].endswith("tempx: terminated") and b"Traceback" not in err
    assert out == b""


@pytest.mark.parametrize(("sig", "status", "line"), [(2, 130, "tempx: interrupted"), (15, 143, "tempx: terminated")])
def test_a_signal_while_the_libraries_load_is_one_line(sig: int, status: int, line: str) -> None:
    """Ctrl-C or SIGTERM in the first second, while sympy, numpy and python-flint load (numpy turns an interrupt
    inside its import into an ImportError): one line and the signal's status, no traceback.  The signal is sent once
    the process catches SIGTERM (tempx's entry point installs that handler before its first import; before it, the
    interpreter itself is still starting), then again at later moments of the loading."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    def catches_sigterm(pid: int) -> bool:
        status_file = Path(f"/proc/{pid}/status")
        if not status_file.exists():
            pytest.skip("needs /proc to see when the process handles SIGTERM")
        mask = next((ln.split()[1] for ln in status_file.read_text().splitlines() if ln.startswith("SigCgt:")), "0")
        return bool(int(mask, 16) & (1 << (signal.SIGTERM - 1)))

    for delay in (0.0, 0.2, 0.5):
        proc = subprocess.Popen([sys.executable, "-m", "tempx", "verify"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # noqa: PLW1509
        deadline = time.monotonic() + 60
        while not catches_sigterm(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(delay)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
        assert (proc.returncode, err.strip(), out) == (status, line, ""), (delay, err[-2000:])

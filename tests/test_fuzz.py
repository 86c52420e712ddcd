"""Fuzzing the command line: 300 generated argument vectors across every command.

Each vector mixes valid small values with malformed, non-finite, huge and negative ones,
missing and unreadable files and folders that cannot be created, and the hostile classes:
exact numbers with huge exponents in every syntax Python's ``Fraction`` reads (underscores,
leading zeros) and too many digits, special files (a FIFO, ``/dev/zero``), deeply nested JSON,
parameter files with entries beyond float64 or beyond the digit caps, teachers and
counterexamples whose size or exact work is over the limits, outputs that are links, FIFOs or
devices, and schedulers that cannot be reached or would not fit.  Every call must exit 0 or 2,
print no traceback, print exactly one ``tempx: error:`` line when it exits 2, and leave no
partial file behind (no temporary file ever; no new file at all after an error).

The calls run in this process through ``tempx.numerics.app.cli.main`` (the console script's entry point),
so that 300 of them fit in seconds; ``tests/test_cli*.py`` run the installed script in real
subprocesses.  Values that would be valid but slow (k = 2000 counterexamples, --jobs 2, a
LocalCluster) are left out: slowness is not what this test is about.  The profile is
derandomized (tests/conftest.py), so CI sees the same 300 vectors every time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tempx.numerics.app.cli import main
from tempx.theory.budget import ENV, WORK_ENV

# Exact numbers the bounded reader must refuse at once (tempx.theory.exact): exponents past ±4000 in
# every spelling Fraction accepts, and more digits than 4000.
HOSTILE_NUMBERS = ["1e1_000_000_000", "1e" + "0" * 31 + "1000000000", "1_0e4_001", "-.5E-9999", "9" * 4001,
                   "1/" + "7" * 4001, "٣"]
BAD_NUMBERS = ["", "abc", "-1", "0", "nan", "inf", "-inf", "1e999999999", "1/0", "1e400", "0x10", " ", "3.5.1",
               *HOSTILE_NUMBERS]
# Teachers whose realization or exact work is over the default limits: refused in one line, at once.
# (over 64 GiB, the largest --memory-limit the fuzz gives, for the two realizations; the atoms' exact work
# for d* is in closed form, so only threshold's profile of them is refused)
BIG_TEACHERS = ["delay:100000", "impulse:" + ",".join(["1"] * 40000),
                "atoms:" + ",".join(f"{i}/1000000000@1" for i in range(1, 401))]
HUGE = ["1000000000", "10000000000000", "99999999999999999999"]  # sizes whose memory estimate must refuse them
# Step counts are not sizes: 10⁹ steps is a valid (long) request, so the fuzz never asks for one.
BAD_STEPS = ["", "abc", "-1", "1.5", "1e3", "nan", "1e999999999", " ", "0x10"]
TEACHERS = ["memoryless", "geometric:1/2", "atoms:4/5@3/5,-1/2@2/5", "oscillating:3/5:3/5", "delay:2", "impulse:1,1/2",
            "atoms:1", "geometric:", "nonsense", "file:FILE_MISSING", "file:FILE_BAD_JSON", "file:FILE_DIR",
            "atoms:1e999999999@1", "geometric:2", "memoryless:0", "file:FILE_FIFO", "file:/dev/zero", "file:FILE_NESTED",
            *(f"geometric:{x}" for x in HOSTILE_NUMBERS[:4]), "memoryless:" + HOSTILE_NUMBERS[4],
            "impulse:1," + HOSTILE_NUMBERS[0], "atoms:1@" + HOSTILE_NUMBERS[1], *BIG_TEACHERS]
FILES = ["FILE_GOOD", "FILE_MISSING", "FILE_BAD_JSON", "FILE_NAN", "FILE_DIR", "FILE_BINARY", "FILE_LIST_EMPTY",
         "FILE_SHAPES", "FILE_UNDER_FILE", "FILE_FIFO", "/dev/zero", "/dev/urandom", "FILE_NESTED", "FILE_HUGE_EXP",
         "FILE_E400", "FILE_BIGINT", "FILE_BIG_D"]
SPECIAL_OUTPUTS = ["OUT_LINK", "FILE_FIFO", "/dev/null", "/dev/stdout", "FILE_DIR"]
OUTS = ["OUT_NEW", "OUT_UNDER_FILE", "/proc/tempx-forbidden/out", "OUT_IS_FILE"]


BAD_INT = ["", "abc", "-1", "0", "1.5", "1e3", "nan", "1e999999999", " ", "0x10", *HUGE]
BAD_FLOAT = ["", "abc", "-1", "0", "nan", "inf", "-inf", "1e999999999", "1/0", "1e400", "3.5.1"]

# Per command: valid small values for each option (the first option set is always given), bad values,
# and flags.  A vector is a valid command with 0, 1 or 2 faults: a bad value, a dropped option, a stray
# token.  So about a third of the vectors run to the end (exit 0) and the rest probe one fault at a time.
COMMANDS: dict[str, dict] = {
    "train": {
        "required": {"--d": ["2", "3"], "--k": ["2", "3"]},
        "optional": {"--steps": ["3", "10"], "--sigma": ["0.1", "1"], "--n-models": ["1", "2"], "--q": ["5", "4,9"],
                     "--teacher": TEACHERS[:6], "--loss": ["last", "all"], "--format": ["text", "json"],
                     "--lr": ["0.02"], "--save-params": ["OUT_FILE"], "--data": ["4"], "--tol": ["1e-3"],
                     "--seed": ["0", "7"]},
        "bad": {"--d": BAD_INT, "--k": BAD_INT, "--steps": BAD_STEPS, "--sigma": BAD_FLOAT, "--n-models": BAD_INT,
                "--q": ["4,x", "1000000000", "0", "", "1"], "--teacher": TEACHERS[6:], "--loss": ["mean"],
                "--format": ["xml"], "--lr": BAD_FLOAT, "--save-params": ["OUT_UNDER_FILE/p.json", "/proc/tempx-forbidden/p.json",
                *SPECIAL_OUTPUTS], "--data": ["0", *HUGE], "--tol": ["nan", "-1"],
                "--seed": BAD_INT, "--init-file": FILES, "--student": ["sparse", "", "complex"],
                "--init": ["zeros", "file", "ring"], "--cap": ["0.9", "0", "inf"], "--negative-fraction": ["0.5", "2"],
                "--t-max": ["5", "nan"], "--jobs": ["0", "x"], "--r-min": ["0.2"]},
        "flags": [[], [], ["--until-converged", "--t-max", "1e4"], ["--student", "diagonal"], ["--init", "symmetric"]],
    },
    "counterexample": {
        "required": {"--k": ["1", "3", "5"]},
        "optional": {"--d": ["6"], "--c": ["-3/2", "2"], "--terms": ["9"], "--q": ["7,12"], "--disguise": ["7"],
                     "--format": ["text", "json", "latex"]},
        "bad": {"--k": [*BAD_INT, "2001"], "--d": [*BAD_INT, "2"], "--c": ["0", "1e999999999", "abc", *HOSTILE_NUMBERS],
                "--tail": ["0,0", "x", "", "1," + HOSTILE_NUMBERS[0], ",".join(["1"] * 20000)], "--terms": ["0", *HUGE], "--q": ["0", "x", *HUGE], "--disguise": ["-1", "x"],
                "--teacher": TEACHERS[6:], "--student": ["bogus", "diagonal"],
                "--nodes": ["1,1,2", "0,1,2", "x", "1," + HOSTILE_NUMBERS[2], ",".join(str(i) for i in range(1, 1001))],
                "--format": ["pdf"], "--balanced": None},
        "flags": [[], [], ["--teacher", "geometric:1/2"], ["--tail", "1,2"]],
    },
    "threshold": {
        "required": {"--k": ["1", "4,5,9"]},
        "optional": {"--teacher": TEACHERS[:6], "--format": ["text", "json"]},
        "bad": {"--k": [*BAD_INT, "3,x", "100001"], "--teacher": TEACHERS[6:], "--format": ["csv"]},
        "flags": [[]],
    },
    "verify": {
        "required": {"--claims": ["C5", "C13", "C2,C11"]},
        "optional": {"--seed": ["0", "3"], "--format": ["text", "json"]},
        "bad": {"--claims": ["C99", "", ",", "C5,,C2"], "--seed": BAD_INT, "--format": ["yaml"]},
        "flags": [[]],
    },
    "certify": {
        "required": {"--params": ["FILE_GOOD"], "--k": ["1", "3"]},
        "optional": {"--q": ["4", "5,9"], "--teacher": TEACHERS[:6], "--format": ["text", "json"]},
        "bad": {"--params": FILES[1:], "--k": BAD_INT, "--q": ["99999", "0", "x"], "--teacher": TEACHERS[6:],
                "--format": ["tsv"]},
        "flags": [[], ["--exact"]],
    },
    "sweep": {
        "required": {"--d": ["3"], "--k": ["2"], "--sigmas": ["0.1", "0.1,1"], "--seeds": ["1"], "--out": ["OUT_NEW"],
                     "--steps": ["3"]},
        "optional": {"--teacher": ["memoryless", "geometric:1/2"], "--student": ["dense", "diagonal"]},
        "bad": {"--d": BAD_INT, "--k": ["x", *HUGE], "--sigmas": ["0", "nan", "0.1,-1", ""], "--seeds": ["0", *HUGE],
                "--steps": BAD_STEPS, "--q": ["1", *HUGE], "--teacher": TEACHERS[6:], "--student": ["nope"],
                "--data": ["0"], "--jobs": ["0", "x"],
                "--scheduler": ["local:0", "nonsense", "tcp://", "local:x", "inproc://x", "local:64", "local:99999999"],
                "--out": OUTS[1:]},
        "flags": [[]],
        "always_bad": True,  # a valid sweep draws figures (a second each); tests/test_cli_numerics.py runs them
    },
    "reproduce": {  # always one fault (a valid reproduction takes a minute)
        "required": {"--out": ["OUT_NEW"]},
        "optional": {"--seed": ["0"], "--jobs": ["1"]},
        "bad": {"--out": OUTS[1:], "--seed": [b for b in BAD_INT if b != "0" and b not in HUGE], "--jobs": ["0", "x", "-2"],
                "--config": FILES[1:], "--scheduler": ["nonsense", "local:0", "inproc://x"]},
        "flags": [[]],
        "always_bad": True,
    },
    "experiment": {  # always one fault (a valid experiment takes seconds to minutes)
        "required": {"--out": ["OUT_NEW"]},
        "optional": {},
        "bad": {"--out": OUTS[1:], "--seed": ["x", "-1"], "--bogus": ["1"]},
        "flags": [["E1"], ["E3"]],
        "bad_flags": [["E9"], []],
        "always_bad": True,
    },
}


@st.composite
def vectors(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    spec = COMMANDS[name]
    opts = {o: draw(st.sampled_from(v)) for o, v in spec["required"].items()}
    for o, v in spec["optional"].items():
        if draw(st.booleans()):
            opts[o] = draw(st.sampled_from(v))
    flags = list(draw(st.sampled_from(spec["flags"])))
    n_faults = draw(st.integers(1 if spec.get("always_bad") else 0, 2))
    stray: list[str] = []
    for _ in range(n_faults):
        # commands that must not run to the end get only faults that are certain to stop them
        kind = "value" if spec.get("always_bad") else draw(st.sampled_from(["value", "value", "drop", "stray", "flags"]))
        if kind == "value":
            o = draw(st.sampled_from(sorted(spec["bad"])))
            if spec["bad"][o] is None:
                flags.append(o)
            else:
                opts[o] = draw(st.sampled_from(spec["bad"][o]))
        elif kind == "drop" and spec["required"]:
            opts.pop(draw(st.sampled_from(sorted(spec["required"]))), None)
        elif kind == "flags" and spec.get("bad_flags"):
            flags = list(draw(st.sampled_from(spec["bad_flags"])))
        else:
            stray.append(draw(st.sampled_from(["--bogus", "x", "--", "-", "--k"])))
    prefix = draw(st.sampled_from([[], [], [], ["--memory-limit", "1KB"], ["--memory-limit", "64GiB"],
                                   ["--memory-limit", "x"], ["--work-limit", "x"], ["--work-limit", "0"],
                                   ["--work-limit", "1e3"]]))
    return [*prefix, name, *flags, *(a for o, v in opts.items() for a in (o, v)), *stray]


VECTORS = st.one_of(vectors(), vectors(), vectors(), st.lists(st.sampled_from(["--k", "3", "x", "--", "-", "tempx", "--d", "--format", "json",
                                                        "train", "--memory-limit", "1KB", "--version-x"]), max_size=6))


_SHARED: dict[str, Path] = {}


def _shared_file(name: str, text: Callable[[], str]) -> Path:
    """A large read-only fixture, made and written once per test run (not per example)."""
    if name not in _SHARED:
        folder = Path(tempfile.mkdtemp(prefix="tempx-fuzz-"))
        (folder / name).write_text(text())
        _SHARED[name] = folder / name
    return _SHARED[name]


def _big_model(d: int) -> str:
    """d beyond certify's n <= 256: refused from the shape, before any entry is converted."""
    return json.dumps({"A": [[0.5] * d for _ in range(d)], "B": [[1]] * d, "C": [[1] * d]})


def _fixtures(root: Path) -> dict[str, str]:
    good = root / "good.json"
    good.write_text(json.dumps([{"A": [[0.5, 0.0], [0.25, -0.125]], "B": [[1.0], [0.0]], "C": [[1.0, 0.5]]}]))
    bad = root / "bad.json"
    bad.write_text("{\"A\": [[1, 2]")
    nan = root / "nan.json"
    nan.write_text('{"A": [[NaN]], "B": [[1]], "C": [[1]]}')
    binary = root / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    empty = root / "empty.json"
    empty.write_text("[]")
    shapes = root / "shapes.json"
    shapes.write_text('{"A": [[1, 2]], "B": [[1]], "C": [[1]]}')
    folder = root / "folder"
    folder.mkdir()
    plain = root / "plain.txt"
    plain.write_text("a file, not a folder")
    fifo = root / "fifo"
    os.mkfifo(fifo)  # opened for reading it would block forever: it must be refused by kind
    model = lambda x: json.dumps({"A": [[x]], "B": [[1]], "C": [[1]]})
    (root / "huge_exp.json").write_text(model("1e999999999"))
    (root / "e400.json").write_text('{"A": [[1e400]], "B": [[1]], "C": [[1]]}')
    (root / "bigint.json").write_text('{"A": [[' + "9" * 5000 + ']], "B": [[1]], "C": [[1]]}')
    (root / "link.json").symlink_to(good)
    return {"FILE_GOOD": str(good), "FILE_MISSING": str(root / "missing.json"), "FILE_BAD_JSON": str(bad),
            "FILE_NAN": str(nan), "FILE_DIR": str(folder), "FILE_BINARY": str(binary), "FILE_LIST_EMPTY": str(empty),
            "FILE_SHAPES": str(shapes), "FILE_UNDER_FILE": str(plain / "x.json"), "OUT_NEW": str(root / "new-out"),
            "OUT_UNDER_FILE": str(plain), "OUT_IS_FILE": str(plain), "OUT_FILE": str(root / "saved.json"),
            "FILE_FIFO": str(fifo), "FILE_NESTED": str(_shared_file("nested.json", lambda: "[" * 100_000 + "]" * 100_000)), "FILE_HUGE_EXP": str(root / "huge_exp.json"),
            "FILE_E400": str(root / "e400.json"), "FILE_BIGINT": str(root / "bigint.json"),
            "FILE_BIG_D": str(_shared_file("big_d.json", lambda: _big_model(300))), "OUT_LINK": str(root / "link.json")}


def _substitute(argv: list[str], names: dict[str, str]) -> list[str]:
    out = []
    for a in argv:
        for key in sorted(names, key=len, reverse=True):
            a = a.replace(key, names[key])
        out.append(a)
    return out


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(argv=VECTORS)
def test_every_command_exits_0_or_2_with_one_line_and_no_partial_files(argv: list[str]) -> None:
    env_before = {name: os.environ.get(name) for name in (ENV, WORK_ENV)}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        names = _fixtures(root)
        args = _substitute(argv, names)
        before = _snapshot(root)
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        cwd = os.getcwd()
        os.chdir(root)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    status = main(args)
                except SystemExit as exc:  # --help / --version only
                    status = 0 if exc.code in (0, None) else exc.code
        finally:
            os.chdir(cwd)
            for name, value in env_before.items():  # --memory-limit and --work-limit set these
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        text = err.getvalue()
        if os.environ.get("TEMPX_FUZZ_LOG"):
            with open(os.environ["TEMPX_FUZZ_LOG"], "a", encoding="utf-8") as log:
                log.write(json.dumps({"argv": argv, "status": status, "error": text.strip()[:200],
                                      "seconds": time.perf_counter() - started}) + "\n")
        assert status in (0, 2), (args, status, text[-2000:])
        assert "Traceback" not in text and "Traceback" not in out.getvalue(), (args, text[-2000:])
        after = _snapshot(root)
        assert not [p for p in after if p.endswith(".tmp")], (args, after)
        if status == 2:
            lines = text.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("tempx: error: "), (args, text)
            assert after == before, (args, after - before)

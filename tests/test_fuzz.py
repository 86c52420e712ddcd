"""Fuzzing the command line: 500 generated argument vectors across every command.

Each vector mixes valid small values with malformed, non-finite, huge and negative ones,
missing and unreadable files and folders that cannot be created.  Every call must exit 0 or 2,
print no traceback, print exactly one ``tempx: error:`` line when it exits 2, and leave no
partial file behind (no temporary file ever; no new file at all after an error).

The calls run in this process through ``tempx.numerics.cli.main`` (the console script's entry point),
so that 500 of them fit in seconds; ``tests/test_cli*.py`` run the installed script in real
subprocesses.  Values that would be valid but slow (k = 2000 counterexamples, --jobs 2, a
LocalCluster) are left out: slowness is not what this test is about.  The profile is
derandomized (tests/conftest.py), so CI sees the same 500 vectors every time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tempx.numerics.budget import ENV
from tempx.numerics.cli import main

BAD_NUMBERS = ["", "abc", "-1", "0", "nan", "inf", "-inf", "1e999999999", "1/0", "1e400", "0x10", " ", "3.5.1"]
HUGE = ["1000000000", "10000000000000", "99999999999999999999"]  # sizes whose memory estimate must refuse them
# Step counts are not sizes: 10⁹ steps is a valid (long) request, so the fuzz never asks for one.
BAD_STEPS = ["", "abc", "-1", "1.5", "1e3", "nan", "1e999999999", " ", "0x10"]
TEACHERS = ["memoryless", "geometric:1/2", "atoms:4/5@3/5,-1/2@2/5", "oscillating:3/5:3/5", "delay:2", "impulse:1,1/2",
            "atoms:1", "geometric:", "nonsense", "file:FILE_MISSING", "file:FILE_BAD_JSON", "file:FILE_DIR",
            "atoms:1e999999999@1", "geometric:2", "memoryless:0"]
FILES = ["FILE_GOOD", "FILE_MISSING", "FILE_BAD_JSON", "FILE_NAN", "FILE_DIR", "FILE_BINARY", "FILE_LIST_EMPTY",
         "FILE_SHAPES", "FILE_UNDER_FILE"]
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
                "--format": ["xml"], "--lr": BAD_FLOAT, "--save-params": ["OUT_UNDER_FILE/p.json", "FILE_DIR",
                "/proc/tempx-forbidden/p.json"], "--data": ["0", *HUGE], "--tol": ["nan", "-1"],
                "--seed": BAD_INT, "--init-file": FILES, "--student": ["sparse", "", "complex"],
                "--init": ["zeros", "file", "ring"], "--cap": ["0.9", "0", "inf"], "--negative-fraction": ["0.5", "2"],
                "--t-max": ["5", "nan"], "--jobs": ["0", "x"], "--r-min": ["0.2"]},
        "flags": [[], [], ["--until-converged", "--t-max", "1e4"], ["--student", "diagonal"], ["--init", "symmetric"]],
    },
    "counterexample": {
        "required": {"--k": ["1", "3", "5"]},
        "optional": {"--d": ["6"], "--c": ["-3/2", "2"], "--terms": ["9"], "--q": ["7,12"], "--disguise": ["7"],
                     "--format": ["text", "json", "latex"]},
        "bad": {"--k": [*BAD_INT, "2001"], "--d": [*BAD_INT, "2"], "--c": ["0", "1e999999999", "abc", "1e4000"],
                "--tail": ["0,0", "x", ""], "--terms": ["0", *HUGE], "--q": ["0", "x", *HUGE], "--disguise": ["-1", "x"],
                "--teacher": TEACHERS[6:], "--student": ["bogus", "diagonal"], "--nodes": ["1,1,2", "0,1,2", "x"],
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
                "--data": ["0"], "--jobs": ["0", "x"], "--scheduler": ["local:0", "nonsense", "tcp://", "local:x"],
                "--out": OUTS[1:]},
        "flags": [[]],
        "always_bad": True,  # a valid sweep draws figures (a second each); tests/test_cli_numerics.py runs them
    },
    "reproduce": {  # always one fault (a valid reproduction takes a minute)
        "required": {"--out": ["OUT_NEW"]},
        "optional": {"--seed": ["0"], "--jobs": ["1"]},
        "bad": {"--out": OUTS[1:], "--seed": [b for b in BAD_INT if b != "0" and b not in HUGE], "--jobs": ["0", "x", "-2"],
                "--config": FILES[1:], "--scheduler": ["nonsense", "local:0"]},
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
                                   ["--memory-limit", "x"]]))
    return [*prefix, name, *flags, *(a for o, v in opts.items() for a in (o, v)), *stray]


VECTORS = st.one_of(vectors(), vectors(), vectors(), st.lists(st.sampled_from(["--k", "3", "x", "--", "-", "tempx", "--d", "--format", "json",
                                                        "train", "--memory-limit", "1KB", "--version-x"]), max_size=6))


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
    return {"FILE_GOOD": str(good), "FILE_MISSING": str(root / "missing.json"), "FILE_BAD_JSON": str(bad),
            "FILE_NAN": str(nan), "FILE_DIR": str(folder), "FILE_BINARY": str(binary), "FILE_LIST_EMPTY": str(empty),
            "FILE_SHAPES": str(shapes), "FILE_UNDER_FILE": str(plain / "x.json"), "OUT_NEW": str(root / "new-out"),
            "OUT_UNDER_FILE": str(plain), "OUT_IS_FILE": str(plain), "OUT_FILE": str(root / "saved.json")}


def _substitute(argv: list[str], names: dict[str, str]) -> list[str]:
    out = []
    for a in argv:
        for key in sorted(names, key=len, reverse=True):
            a = a.replace(key, names[key])
        out.append(a)
    return out


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(argv=VECTORS)
def test_every_command_exits_0_or_2_with_one_line_and_no_partial_files(argv: list[str]) -> None:
    env_before = os.environ.get(ENV)
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
            if env_before is None:
                os.environ.pop(ENV, None)
            else:
                os.environ[ENV] = env_before
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

"""Docs that cannot drift: everything that lists what the code has is checked against the registries.

Students (``tempx.numerics.students.STUDENTS``), teacher kinds (``tempx.theory.teacher_spec.KINDS`` and the
non-linear ``rnn:``), activations (``ACTIVATIONS``), claims (``CLAIMS`` and the ledger's C1–C16) and experiments
(``tempx experiment``'s names, the presets) must appear in the docs' lists, the command line's help and the
"allowed" messages — and those lists must not name anything the code does not have."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tempx.numerics.app.cli import build_parser
from tempx.numerics.app.commands.experiment import NAMES
from tempx.numerics.app.reproduce import SCALES
from tempx.theory.claims import CLAIMS
from tempx.theory.teacher_spec import KINDS


def _pristine() -> dict[str, list[str]]:
    """The registries as a fresh interpreter has them (other tests register students and activations of their own)."""
    code = ("import json; from tempx.numerics.students import LINEAR, STUDENTS; "
            "from tempx.numerics.students.elman import ACTIVATIONS; "
            "print(json.dumps({'students': STUDENTS, 'linear': LINEAR, 'activations': list(ACTIVATIONS)}))")
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


_REG = _pristine()
STUDENTS, LINEAR, ACTIVATIONS = tuple(_REG["students"]), tuple(_REG["linear"]), tuple(_REG["activations"])

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parents[1]
LEDGER = [f"C{i}" for i in range(1, 18)]  # the claims of the reference (C7–C9 are measured, not in the registry)


def _doc(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _help(command: str) -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")  # the sub-command action
    return " ".join(sub.choices[command].format_help().split())  # type: ignore[union-attr]


def _word(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


@pytest.mark.parametrize("where", ["README.md", "docs/cli.md", "docs/api.md", "train --help", "sweep --help"])
def test_every_student_is_listed(where: str) -> None:
    text = _help(where.split()[0]) if where.endswith("--help") else _doc(where)
    missing = [s for s in STUDENTS if not _word(s, text)]
    assert not missing, (where, missing)


def test_the_unknown_student_message_lists_exactly_the_students() -> None:
    from tempx.numerics.students import get
    from tempx.theory.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        get("nope")
    allowed = str(err.value).split("(allowed: ")[1].rstrip(")").split(", ")
    assert tuple(allowed[: len(STUDENTS)]) == STUDENTS  # then any registered at run time


TEACHER_KINDS = (*KINDS, "rnn")


def _teacher_table() -> list[str]:
    """The kinds named by the rows of docs/cli.md's teacher table."""
    text = _doc("docs/cli.md")
    table = text[text.index("| form | impulse response $w^*$ |"):]
    table = table[: table.index("\n\n")]
    return [re.match(r"\| `([a-z]+)", row).group(1) for row in table.splitlines()[2:]]  # type: ignore[union-attr]


def test_the_teacher_table_lists_every_kind_and_nothing_else() -> None:
    assert sorted(_teacher_table()) == sorted(TEACHER_KINDS)


@pytest.mark.parametrize("where", ["README.md", "train --help", "sweep --help"])
def test_every_teacher_kind_is_listed(where: str) -> None:
    text = _help(where.split()[0]) if where.endswith("--help") else _doc(where)
    missing = [k for k in TEACHER_KINDS if f"{k}:" not in text and not _word(k, text)]
    assert not missing, (where, missing)


def test_the_allowed_teachers_of_a_float_command_include_the_nonlinear_forms() -> None:
    from cli_helpers import run_cli

    proc = run_cli(["train", "--teacher", "bogus", "--d", "3", "--k", "2"])
    assert proc.returncode == 2
    allowed = proc.stderr.split("(allowed: ", 1)[1]
    assert all(f"{k}:" in allowed or _word(k, allowed) for k in TEACHER_KINDS), allowed


@pytest.mark.parametrize("where", ["docs/api.md", "docs/cli.md", "train --help"])
def test_every_activation_is_listed(where: str) -> None:
    text = _help(where.split()[0]) if where.endswith("--help") else _doc(where)
    assert all(_word(a, text) for a in ACTIVATIONS), where


def test_the_claims_ledger_has_exactly_the_claims() -> None:
    text = _doc("docs/claims.md")
    rows = re.findall(r"^\| (C\d+) \|", text, re.MULTILINE)
    assert rows == LEDGER
    sections = re.findall(r"^## (C\d+) —", text, re.MULTILINE)
    assert sections == LEDGER
    registered = [c.id for c in CLAIMS]
    assert set(registered) <= set(LEDGER) and registered == sorted(registered, key=lambda c: int(c[1:]))
    verify = _help("verify")
    assert all(_word(c, verify) for c in registered)
    assert set(re.findall(r"\bC\d+\b", verify)) == set(registered)


def test_every_experiment_is_run_listed_and_documented() -> None:
    assert set(NAMES) == set(SCALES["quick"]) == set(SCALES["full"])
    text = _doc("docs/reproduce.md")
    assert all(_word(e, text) for e in NAMES)
    named = set(re.findall(r"\bE\d+L?\b", text))
    assert named <= set(NAMES), named - set(NAMES)
    assert all(_word(e, _help("experiment")) for e in NAMES)


def test_linear_students_are_the_ones_certify_and_the_flow_take() -> None:
    assert set(LINEAR) <= set(STUDENTS)
    assert all(_word(s, _help("train")) for s in LINEAR)


def test_every_page_of_docs_is_on_the_site() -> None:
    """docs/index.md's tables of contents list every page of docs/ (the site is built from them with -W in .ci/run)."""
    index = _doc("docs/index.md")
    pages = {p.stem for p in (ROOT / "docs").glob("*.md")} - {"index"}
    listed = set(re.findall(r"^([a-z][\w-]*)$", index, re.MULTILINE))
    assert pages <= listed, pages - listed
    # the generated references sit under the pages that introduce them: one menu entry per topic
    for page, ref in (("docs/cli.md", "_generated/cli-reference"), ("docs/api.md", "_generated/api-reference")):
        assert ref in re.findall(r"^(_generated/[\w-]+)$", _doc(page), re.MULTILINE), (page, ref)
    assert "gallery/index" in listed | set(re.findall(r"^(gallery/index)$", index, re.MULTILINE))
    examples = sorted((ROOT / "docs" / "examples").glob("plot_*.py"))
    assert len(examples) >= 6  # counterexample, threshold, limit and certify, σ sweep, poisoning, real vs complex


def test_the_sweep_csv_columns_in_the_docs_are_the_code_s() -> None:
    from tempx.numerics.app.experiments import ROW_COLUMNS

    text = " ".join(_doc("docs/cli.md").split())
    listed = re.search(r"one row per model with columns `([^`]+)`", text)
    assert listed is not None and [c.strip() for c in listed.group(1).split(",")] == list(ROW_COLUMNS)

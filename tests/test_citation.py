"""``tempx cite`` and the report's citations: one source (numerics/app/citation.py) agreeing with CITATION.cff."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

import tempx
from tempx.numerics.app.citation import PAPERS, RELEASE_DATE, REPOSITORY, USED_BY, bibtex, papers_for
from tempx.numerics.app.commands.experiment import NAMES
from tempx.theory.claims import CLAIMS
from tempx.theory.errors import InvalidInput

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parents[1]


def test_every_claim_and_experiment_has_its_papers() -> None:
    # every claim of the ledger (C1–C16; C7–C9 are measured by experiments, not in the exact registry) and experiment
    assert set(USED_BY) == {f"C{i}" for i in range(1, 18)} | set(NAMES)
    assert {c.id for c in CLAIMS} <= set(USED_BY)
    assert papers_for(["C16"]) == ["slutzky2024poisoned"] and papers_for(["E10"]) == ["slutzky2024poisoned"]
    assert papers_for(["C17"]) == ["ranmilo2024complex"] and papers_for(["E11"]) == ["ranmilo2024complex"]
    assert papers_for(["C1", "C9"]) == ["cohenkarlik2022implicit", "cohenkarlik2023lowdim"]
    with pytest.raises(InvalidInput, match="unknown claim or experiment 'C99'"):
        papers_for(["C99"])


def test_citation_cff_agrees_with_the_package() -> None:
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf"^version: {re.escape(tempx.__version__)}$", cff, re.MULTILINE)
    assert re.search(rf"^date-released: {RELEASE_DATE}$", cff, re.MULTILINE)  # the year tempx cite prints
    assert re.search(rf'^repository-code: "{REPOSITORY}"$', cff, re.MULTILINE)
    for entry in PAPERS.values():  # every paper's title and arXiv number in both places
        title = re.search(r"title\s*=\s*\{(.+?)\},", entry).group(1)  # type: ignore[union-attr]
        eprint = re.search(r"eprint\s*=\s*\{(.+?)\}", entry).group(1)  # type: ignore[union-attr]
        assert f'title: "{title}"' in cff and f"arXiv:{eprint}" in cff
    assert len(re.findall(r"^  - type: ", cff, re.MULTILINE)) == len(PAPERS)


def test_bibtex_is_balanced_and_names_the_version() -> None:
    text = bibtex()
    assert text.count("{") == text.count("}") and text.count("@") == 1 + len(PAPERS)
    assert f"version = {{{tempx.__version__}}}" in text


def test_the_cite_command(tmp_path: Path) -> None:
    from cli_helpers import assert_usage_error, run_cli

    everything = run_cli(["cite"])
    assert everything.returncode == 0 and everything.stdout.count("@") == 1 + len(PAPERS)
    one = run_cli(["cite", "--claims", "c16"])
    assert one.returncode == 0 and "slutzky2024poisoned" in one.stdout and "cohenkarlik2022" not in one.stdout
    # a reproduction's captions and instances hold brackets in strings: they are not nesting
    (tmp_path / "results.json").write_text(json.dumps({"claims": [{"id": "C1", "note": "[" * 40}], "E5": {"caption": "{" * 40}}))
    run = run_cli(["cite", "--results", str(tmp_path)])
    assert run.returncode == 0 and "cohenkarlik2023lowdim" in run.stdout and "slutzky" not in run.stdout
    assert_usage_error(run_cli(["cite", "--claims", "C99"]), "unknown claim or experiment")
    assert_usage_error(run_cli(["cite", "--experiments", ","]), "comma-separated")
    assert_usage_error(run_cli(["cite", "--results", str(tmp_path / "missing")]), "results file")


def test_the_readme_quotes_the_same_entry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert PAPERS["cohenkarlik2022implicit"] in readme

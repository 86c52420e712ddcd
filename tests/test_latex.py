"""Every LaTeX output compiles as it is, with a real TeX engine (skipped where none is installed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_helpers import assert_usage_error, run_cli
from tex_helpers import compile_tex, needs_tex

CASES = {
    "dense": ["counterexample", "--k", "3", "--c", "1/2"],
    "dense_tail": ["counterexample", "--k", "2", "--tail=-3/7,2"],
    "diagonal": ["counterexample", "--k", "2", "--student", "diagonal", "--nodes", "1/2,-1/3"],
    "relu": ["counterexample", "--k", "2", "--student", "relu", "--c=-3/2"],
    "teacher": ["counterexample", "--k", "3", "--teacher", "geometric:1/2"],
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_latex_snippet_is_an_equation_with_frac(case: str) -> None:
    proc = run_cli([*CASES[case], "--format", "latex"])
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "\\begin{equation*}" in text and "\\end{equation*}" in text and "\\begin{bmatrix}" in text
    assert "\\tfrac" not in text and "\\documentclass" not in text
    if case in ("dense", "teacher", "diagonal"):
        assert "\\frac{" in text


@needs_tex
@pytest.mark.parametrize("case", list(CASES))
def test_every_latex_output_compiles(case: str, tmp_path: Path) -> None:
    snippet = run_cli([*CASES[case], "--format", "latex"]).stdout
    compile_tex(snippet, tmp_path, "wide_snippet")
    pmatrix = run_cli([*CASES[case], "--format", "latex", "--latex-matrix", "pmatrix"]).stdout
    assert "\\begin{pmatrix}" in pmatrix and "bmatrix" not in pmatrix
    compile_tex(pmatrix, tmp_path, "wide_pmatrix")
    standalone = run_cli([*CASES[case], "--format", "latex", "--latex-standalone"]).stdout
    assert standalone.startswith("\\documentclass")
    assert compile_tex(standalone, tmp_path, "wide_standalone", wrap=False).stat().st_size > 0


@needs_tex
def test_a_matrix_wider_than_ten_columns_compiles(tmp_path: Path) -> None:
    """amsmath stops at 10 matrix columns unless told; a k = 12 counterexample has 12."""
    snippet = run_cli(["counterexample", "--k", "12", "--format", "latex"]).stdout
    assert "\\setcounter{MaxMatrixCols}{25}" in snippet  # w_0 … w_24: 25 columns
    compile_tex(snippet, tmp_path, "wide_k12")


def test_latex_options_go_with_latex() -> None:
    assert_usage_error(run_cli(["counterexample", "--k", "2", "--latex-standalone"]), "--format latex")
    assert_usage_error(run_cli(["counterexample", "--k", "2", "--latex-matrix", "pmatrix"]), "--format latex")

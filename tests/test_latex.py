"""Every LaTeX output compiles as it is, with a real TeX engine (skipped where none is installed)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from cli_helpers import assert_usage_error, run_cli
from tex_helpers import ARTICLE, compile_tex, needs_tex

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
    """In a plain article (default margins) with the packages the snippet names, and without an overfull box."""
    snippet = run_cli([*CASES[case], "--format", "latex"]).stdout
    assert "(needs \\usepackage{amsmath,graphicx})" in snippet.splitlines()[0]
    compile_tex(snippet, tmp_path, "snippet", preamble=ARTICLE)
    pmatrix = run_cli([*CASES[case], "--format", "latex", "--latex-matrix", "pmatrix"]).stdout
    assert "\\begin{pmatrix}" in pmatrix and "bmatrix" not in pmatrix
    compile_tex(pmatrix, tmp_path, "pmatrix", preamble=ARTICLE)
    standalone = run_cli([*CASES[case], "--format", "latex", "--latex-standalone"]).stdout
    assert standalone.startswith("\\documentclass{article}") and "geometry" not in standalone
    assert compile_tex(standalone, tmp_path, "standalone", wrap=False).stat().st_size > 0


@needs_tex
def test_a_matrix_wider_than_ten_columns_compiles(tmp_path: Path) -> None:
    """amsmath stops at 10 matrix columns unless told; a k = 12 counterexample has 12."""
    snippet = run_cli(["counterexample", "--k", "12", "--format", "latex"]).stdout
    assert "\\setcounter{MaxMatrixCols}{25}" in snippet  # w_0 … w_24: 25 columns
    compile_tex(snippet, tmp_path, "k12", preamble=ARTICLE)


@needs_tex
@pytest.mark.parametrize("args", [["--k", "40"], ["--k", "6", "--d", "30", "--disguise", "3"]], ids=["k40", "disguised"])
def test_a_large_counterexample_fits_the_text_width(args: list[str], tmp_path: Path) -> None:
    """A 40 × 40 matrix and an 81-term impulse response, or dense 30 × 30 rationals, are scaled to the line width:
    no overfull box in a plain article."""
    snippet = run_cli(["counterexample", *args, "--format", "latex"]).stdout
    assert "\\resizebox{\\linewidth}" in snippet
    compile_tex(snippet, tmp_path, "large", preamble=ARTICLE)


def test_latex_options_go_with_latex() -> None:
    assert_usage_error(run_cli(["counterexample", "--k", "2", "--latex-standalone"]), "--format latex")
    assert_usage_error(run_cli(["counterexample", "--k", "2", "--latex-matrix", "pmatrix"]), "--format latex")


@needs_tex
def test_the_largest_latex_output_compiles_and_a_larger_one_is_refused(tmp_path: Path) -> None:
    """The size limit of --format latex is below what pdflatex's default memory holds: a 150 × 150 counterexample
    (93 kB) compiles; a 200 × 200 one (164 kB, which exceeds TeX's memory) is refused in one line before printing."""
    snippet = run_cli(["counterexample", "--k", "150", "--format", "latex", "--latex-standalone"]).stdout
    compile_tex(snippet, tmp_path, "k150", wrap=False)
    assert_usage_error(run_cli(["counterexample", "--k", "200", "--format", "latex"]), "pdflatex's default memory")

"""Compile LaTeX with a real TeX engine (pdflatex), skipping cleanly where none is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

PDFLATEX = shutil.which("pdflatex")
needs_tex = pytest.mark.skipif(PDFLATEX is None, reason="no TeX engine (pdflatex) installed; .ci/run installs one")
PREAMBLE = "\\documentclass{article}\n\\usepackage{amsmath,booktabs,dcolumn}\n\\usepackage[margin=1cm,landscape]{geometry}\n"


ARTICLE = "\\documentclass{article}\n\\usepackage{amsmath,booktabs,dcolumn,graphicx,tabularx}\n"  # default margins


def compile_tex(source: str, folder: Path, name: str = "doc", wrap: bool = True, preamble: str = PREAMBLE) -> Path:
    """The PDF of ``source`` (wrapped in a minimal document unless it is one); a TeX error fails with its log."""
    text = preamble + "\\begin{document}\n" + source + "\n\\end{document}\n" if wrap else source
    tex = folder / f"{name}.tex"
    tex.write_text(text, encoding="utf-8")
    proc = subprocess.run([str(PDFLATEX), "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=folder, check=False,
                          capture_output=True, text=True, timeout=120)
    log = (folder / f"{name}.log").read_text(errors="replace") if (folder / f"{name}.log").exists() else proc.stdout
    assert proc.returncode == 0, log[-3000:]
    assert "Overfull" not in log or name.startswith("wide"), [ln for ln in log.splitlines() if "Overfull" in ln][:3]
    return folder / f"{name}.pdf"

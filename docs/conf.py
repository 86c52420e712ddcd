"""Sphinx configuration of the tempx documentation site: the markdown pages of docs/ (MyST), a command-line
reference generated from the parser and an API reference generated from the docstrings of the public names
(``_ext/tempx_docs.py`` writes both at build time and executes the tutorials' examples).

Build (warnings are errors):  pip install ".[docs]"  &&  python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

from tempx_docs import github_slug

import tempx

project = "tempx"
author = "The tempx developers"
release = version = tempx.__version__
copyright = "2026, the tempx developers"

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.mathjax", "tempx_docs"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "figures/*.md"]
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 4
# pages open at a level-1 title and may skip to level 3 in notes; the slug function is a function (not cached)
suppress_warnings = ["myst.header", "config.cache"]


myst_heading_slug_func = github_slug  # anchors as GitHub writes them: the same links work in both places
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "none"
html_theme = "alabaster"
html_title = f"tempx {release}"

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

# MathJax is served from the site itself (sphinx-mathjax-offline copies MathJax 3 into _static), so the formulas are
# typeset offline too: on a cluster's login node, from a local build, and in the headless-browser test.
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.mathjax", "sphinx-mathjax-offline",
              "sphinx_gallery.gen_gallery", "tempx_docs"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "figures/*.md", "examples/README.rst", "gallery/*.ipynb", "gallery/*.py",
                    "gallery/*.zip", "gallery/*.json"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 4
# pages open at a level-1 title and may skip to level 3 in notes; the slug function is a function (not cached)
suppress_warnings = ["myst.header", "config.cache"]


myst_heading_slug_func = github_slug  # anchors as GitHub writes them: the same links work in both places
autodoc_default_options = {"members": True, "undoc-members": False}
autodoc_typehints = "none"
napoleon_numpy_docstring = True
napoleon_google_docstring = True  # the older docstrings' Args:/Returns: sections
napoleon_use_rtype = False
napoleon_custom_sections = [("Attributes", "params_style")]  # a field list: dataclass fields are not described twice
html_theme = "pydata_sphinx_theme"  # NumPy's and SciPy's theme: made for API documentation, pages fit 1 280 px
html_title = f"tempx {release}"
# the pages whose tables are read whole (the claims ledger, the option tables) use the width of the empty left column
html_sidebars = {"claims": [], "cli": [], "performance": [], "reproduce": []}
html_theme_options = {"navigation_depth": 2, "show_toc_level": 2, "secondary_sidebar_items": ["page-toc"],
                      "navbar_align": "left", "header_links_before_dropdown": 6}
html_static_path = ["_static"]
html_css_files = ["tempx.css"]

# the example gallery: every script in docs/examples runs when the site is built, its figures and output shown
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "gallery",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
}

"""Sphinx extension of the tempx site: what it shows is generated from the code and run when the site is built.

- ``_generated/cli-reference.md``: every command's ``--help``, from the same parser the command line uses.
- ``_generated/api-reference.md``: autodoc of the public modules (their docstrings).
- Tutorials: every Python example (``>>>``) runs as a doctest in a fresh folder and must give the output the page
  shows (a mismatch stops the build); each ``tempx`` command of a shell block that stands alone runs too, and its
  real output is shown under it.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sphinx.errors import ExtensionError
from unicode_math import math_spans

API_MODULES = (  # tempx itself: its names are the reference's first section
    "tempx.theory.counterexamples", "tempx.theory.threshold", "tempx.theory.losses", "tempx.theory.rnn",
    "tempx.theory.teacher_spec", "tempx.theory.certify", "tempx.theory.linf", "tempx.theory.enclosure",
    "tempx.theory.diagonal", "tempx.theory.relu", "tempx.theory.poisoning", "tempx.theory.budget",
    "tempx.theory.claims",
    "tempx.numerics.students", "tempx.numerics.students.protocol", "tempx.numerics.students.init",
    "tempx.numerics.students.files", "tempx.numerics.students.elman", "tempx.numerics.teachers",
    "tempx.numerics.drivers.descent", "tempx.numerics.drivers.limit", "tempx.numerics.drivers.ndf", "tempx.numerics.drivers.flow",
    "tempx.numerics.drivers.montecarlo", "tempx.numerics.drivers.poisoning", "tempx.numerics.data",
    "tempx.numerics.blas_threads", "tempx.numerics.powerlaw",
)
COMMAND_TIMEOUT = 120  # seconds for one tutorial command


def github_slug(text: str) -> str:
    """A heading's anchor as GitHub writes it (lower case, punctuation dropped, spaces to hyphens)."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def cli_reference() -> str:
    from tempx.numerics.app.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    out = ["# Command-line reference", "",
           "Generated from the parser when this site was built: exactly what `tempx COMMAND --help` prints.", "",
           "## tempx", "", "```text", parser.format_help().rstrip(), "```", ""]
    for name, p in sub.choices.items():  # type: ignore[union-attr]
        out += [f"## tempx {name}", "", "```text", p.format_help().rstrip(), "```", ""]
    return "\n".join(out)


PUBLIC = ("counterexample", "threshold", "loss", "parse_teacher", "ExactRNN", "verify", "read_exact", "gd", "flow_limit",
          "init_gaussian", "memoryless", "teacher_from_spec")
PLOT = ("sweep", "limit", "exponents", "frontier")


def api_reference() -> str:
    import tempx

    out = ["# API reference", "",
           ("Generated from the docstrings when this site was built; [the Python API page](../api.md) is the "
            "guided tour.  First the names a newcomer reaches for (`tempx.NAME`) and the plotting functions "
            "(`tempx.plot`), with their parameters; then every public module."), "",
           "## `tempx`: the first names", ""]
    for name in PUBLIC:
        obj = getattr(tempx, name)
        kind = "autoclass" if isinstance(obj, type) else "autofunction"
        out += ["```{eval-rst}", f".. {kind}:: tempx.{name}", "   :no-index:", "```", ""]
    out += ["## `tempx.plot`: figures of your own results", ""]
    for name in PLOT:
        out += ["```{eval-rst}", f".. autofunction:: tempx.plot.{name}", "```", ""]
    out += ["## The modules", ""]
    for mod in API_MODULES:
        out += [f"## `{mod}`", "", "```{eval-rst}", f".. automodule:: {mod}", "   :members:", "```", ""]
    return "\n".join(out)


def _generate(app: Any) -> None:
    folder = Path(app.srcdir) / "_generated"
    folder.mkdir(exist_ok=True)
    for name, text in (("cli-reference.md", cli_reference()), ("api-reference.md", api_reference())):
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:  # unchanged files keep Sphinx's cache
            path.write_text(text, encoding="utf-8")


_BLOCK = re.compile(r"^```[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def _standalone(line: str) -> bool:
    return line.startswith("tempx ") and not re.search(r"[<>|\\]|--out|--init-file|file:|--params|--save", line)


def _run_tutorial(docname: str, text: str) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(
                optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
            test = parser.get_doctest(text, {"__name__": docname}, docname, docname, 0)
            failures: list[str] = []
            runner.run(test, out=failures.append)
            if runner.failures:
                raise ExtensionError(f"{docname}: {runner.failures} example(s) failed when the tutorial was executed:\n"
                                     + "".join(failures)[:3000])

            def with_output(match: re.Match[str]) -> str:
                lines = [ln for ln in match.group(1).splitlines() if ln.strip()]
                if not lines or not all(_standalone(ln) for ln in lines):
                    return match.group(0)
                shown = []
                for ln in lines:
                    proc = subprocess.run([sys.executable, "-m", "tempx", *shlex.split(ln)[1:]], capture_output=True,
                                          text=True, timeout=COMMAND_TIMEOUT, check=False)
                    if proc.returncode != 0:
                        raise ExtensionError(f"{docname}: '{ln}' exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
                    shown.append(proc.stdout.rstrip())
                return (match.group(0) + "\n\nOutput when this page was built:\n\n```text\n" + "\n".join(shown)
                        + "\n```")

            return _BLOCK.sub(with_output, text)
        finally:
            os.chdir(cwd)


_SECTIONS = re.compile(r"^\s*(:param |:returns?:|:raises|:Parameters:|:Returns:|:Attributes:|\.\. rubric::|\.\. admonition::)")
# napoleon's own markup at the start of a line (kept): ":returns: *Type* -- ", ":Attributes: * **name** (*type*) -- "
_NAPOLEON = re.compile(r"^(\s*:returns?:\s*\*[^*]+\*(?: -- )?|\s*:(?:param|type|raises|returns?|rtype)(?: [^:]+)?:\s*|\s*(?::[A-Z][\w ]*:\s*)?(?:\* )?\*\*[^*]+\*\*(?: \(\*[^*]+\*\))?(?: -- )?)(.*)$")
_KEEP = re.compile(r"(:math:`[^`]*`|``[^`]*``|`[^`]*`_?)")


def _escape(line: str) -> str:
    """Unicode mathematics kept literal inside reStructuredText: ``*`` and ``|`` escaped outside roles and code."""
    parts = _KEEP.split(line)
    return "".join(p if i % 2 else p.replace("\\", "\\\\").replace("*", "\\*").replace("|", "\\|")
                   for i, p in enumerate(parts))


def _typeset(text: str) -> str:
    """Prose of a docstring as reStructuredText: its Unicode formulas as ``:math:`` roles (``unicode_math``), then
    ``*`` and ``|`` escaped outside roles and code."""
    parts = _KEEP.split(text)
    return _escape("".join(p if i % 2 else math_spans(p) for i, p in enumerate(parts)))


def _plain_docstring(app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Docstrings with numpydoc (or Google) sections, which napoleon has turned into fields, are shown as
    reStructuredText (parameters, returns, raises, examples), their Unicode mathematics escaped; the others are
    plain text with mathematics in Unicode (|x|, ‖·‖, indented formulas): shown as they are, in a literal block,
    so nothing in them is misread as markup."""
    if not lines:
        return
    if any(_SECTIONS.match(ln) for ln in lines):
        out, in_code = [], False
        for ln in lines:
            stripped = ln.strip()
            if stripped.startswith(">>>") or stripped.endswith("::"):
                in_code = True
            elif not stripped:
                in_code = False
            markup = _NAPOLEON.match(ln)
            if in_code or stripped.startswith((">>>", "...")):
                out.append(ln)
            elif markup:
                out.append(markup.group(1) + _typeset(markup.group(2)))
            else:
                out.append(_typeset(ln))
        lines[:] = out
        return
    lines[:] = ["::", "", *("    " + ln for ln in lines), ""]


def _source_read(app: Any, docname: str, source: list[str]) -> None:
    if docname.startswith("tutorial-") or docname == "index":
        source[0] = _run_tutorial(docname, source[0])


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", _generate)
    app.connect("source-read", _source_read)
    app.connect("autodoc-process-docstring", _plain_docstring)
    return {"version": "1", "parallel_read_safe": True}

"""Docstring examples of the installed package, and the examples in README.md, run as doctests."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest

from tempx import numerics, theory

ROOT = Path(__file__).resolve().parents[1]


def _modules() -> list[str]:
    names = ["tempx"]
    for pkg in (theory, numerics):
        names.append(pkg.__name__)
        names += [m.name for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")]
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize("doc", ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))])
def test_markdown_examples(doc: str) -> None:
    result = doctest.testfile(str(ROOT / doc), module_relative=False, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_readme_quickstart_has_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = quick.split("```")[1::2]
    assert [b.strip() for b in blocks] == ["pip install . && tempx reproduce", 'pip install ".[test]" && pytest']


def test_public_names_are_not_shadowed_by_submodules() -> None:
    """Importing every submodule first must not turn a public function into a module object."""
    import types

    for name in _modules():
        importlib.import_module(name)
    for pkg in (theory, numerics):
        for public in pkg.__all__:
            assert not isinstance(getattr(pkg, public), types.ModuleType), f"{pkg.__name__}.{public}"


_SECTION = re.compile(r"^(Parameters|Returns|Yields|Attributes|Raises|Examples|See Also)\n-{3,}$", re.MULTILINE)


def _public_callables() -> list[tuple[str, Any]]:
    import tempx
    import tempx.plot

    out = []
    for mod in (tempx, theory, numerics, tempx.plot):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if callable(obj) and not inspect.ismodule(obj):
                out.append((f"{mod.__name__}.{name}", obj))
    return out


@pytest.mark.parametrize(("name", "obj"), _public_callables(), ids=[n for n, _ in _public_callables()])
def test_public_names_have_numpydoc_sections(name: str, obj: Any) -> None:
    """Every public name of tempx, tempx.theory, tempx.numerics and tempx.plot documents itself in numpydoc
    sections (the API reference renders them); a function that takes arguments has a Parameters section
    naming each of them."""
    doc = inspect.getdoc(obj) or ""
    sections = set(_SECTION.findall(doc))
    assert sections, f"{name}: no numpydoc section (Parameters, Returns, Attributes, Examples, …)"
    function = inspect.unwrap(obj)
    if inspect.isfunction(function):
        params = [p for p in inspect.signature(function).parameters if p not in ("self", "cls")]
        if params:
            assert "Parameters" in sections, f"{name}: no Parameters section"
            body = doc.split("Parameters\n", 1)[1]
            body = _SECTION.split(body)[0]
            named = {n.strip() for line in body.splitlines() if " : " in line and not line.startswith(" ")
                     for n in line.split(" : ", 1)[0].replace("*", "").split(",")}
            named |= {line.strip().replace("*", "") for line in body.splitlines() if line and not line.startswith((" ", "-"))}
            missing = [p for p in params if p not in named]
            assert not missing, f"{name}: parameters not documented: {missing}"

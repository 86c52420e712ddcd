"""Docstring examples of the installed package, and the examples in README.md, run as doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

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

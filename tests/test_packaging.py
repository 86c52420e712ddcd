"""One import package, ``tempx``: what pyproject.toml maps, what ``import tempx`` offers, and that
the source folders cannot be imported under their own names.  (.ci/run also builds the wheel,
installs it alone outside the checkout and runs it; these are the checks that need no build.)"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run_cli

import tempx

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_package_folder_is_mapped_under_tempx() -> None:
    """A new subpackage of theory/ or numerics/ that pyproject.toml does not list would be missing
    from the wheel: the list must be exactly the folders that hold an __init__.py."""
    setup = PYPROJECT["tool"]["setuptools"]
    assert setup["package-dir"] == {"tempx": "tempx", "tempx.theory": "theory", "tempx.numerics": "numerics"}
    found = {"tempx"}
    for top in ("theory", "numerics"):
        for init in (ROOT / top).rglob("__init__.py"):
            rel = init.parent.relative_to(ROOT).parts
            found.add(".".join(("tempx", *rel)))
    assert set(setup["packages"]) == found
    assert all(name == "tempx" or name.startswith("tempx.") for name in setup["packages"])


def test_the_source_tree_symlinks_point_at_the_layers() -> None:
    for name in ("theory", "numerics"):
        link = ROOT / "tempx" / name
        assert link.is_symlink() and link.resolve() == (ROOT / name).resolve()


def test_import_tempx_offers_the_first_names_and_the_version() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", tempx.__version__)
    for name in tempx.__all__:
        assert getattr(tempx, name) is not None, name
    assert tempx.theory is importlib.import_module("tempx.theory")
    assert tempx.gd is importlib.import_module("tempx.numerics.drivers.descent").gd
    assert sorted(tempx.__all__) == sorted(dir(tempx))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        tempx.nonsense  # noqa: B018


def test_one_version_everywhere() -> None:
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert f"\nversion: {tempx.__version__}\n" in cff
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    proc = run_cli(["--version"])
    assert proc.returncode == 0 and proc.stdout.strip() == f"tempx {tempx.__version__}"


@pytest.mark.parametrize("name", ["theory", "numerics"])
def test_the_source_folders_refuse_to_be_imported_by_their_folder_names(name: str) -> None:
    """From the root of a checkout, ``import theory`` would find the folder: it says what to import
    instead of loading a second copy of the package under another name."""
    proc = subprocess.run([sys.executable, "-c", f"import {name}"], cwd=ROOT, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 1
    assert f"ImportError: {name}/ is the source of tempx.{name}: import tempx.{name}" in proc.stderr


def test_python_dash_m_tempx_is_the_command_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "tempx", "--version"], capture_output=True, text=True, check=False,
                          cwd=ROOT.parent)
    assert proc.returncode == 0 and proc.stdout.strip() == f"tempx {tempx.__version__}"


def _mutate() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("tempx_mutate", ROOT / "tests" / "mutate.py")
    assert spec is not None and spec.loader is not None
    mutate = importlib.util.module_from_spec(spec)
    sys.modules["tempx_mutate"] = mutate  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(mutate)
    finally:
        del sys.modules["tempx_mutate"]
    return mutate


def test_every_equivalent_mutant_exists_and_is_documented() -> None:
    """tests/mutation_equivalent.json names mutation points of the current code (by module, scope and text),
    and docs/testing.md lists each with the same reason."""
    mutate = _mutate()
    recorded = json.loads((ROOT / "tests" / "mutation_equivalent.json").read_text(encoding="utf-8"))
    modules = {key.split(":", 1)[0] for key in recorded}
    current = {m.key for mod in modules for m in mutate.find_mutants(mod)}
    assert set(recorded) - current == set()
    doc = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    for key, why in recorded.items():
        assert f"| `{key.replace('|', chr(92) + '|')}` | {why.replace('|', chr(92) + '|')} |" in doc, key


def test_every_module_is_in_the_mutation_map() -> None:
    """Mutation testing covers every module of theory/ and numerics/, and the site's own code in docs/_ext that has
    unit tests (tests/mutate.py, docs/testing.md): a new module without its tests in the map is noticed here, not
    in a report nobody ran."""
    mutate = _mutate()
    modules = {p.relative_to(ROOT).as_posix() for layer in ("theory", "numerics") for p in (ROOT / layer).rglob("*.py")}
    modules.add("docs/_ext/unicode_math.py")
    assert modules - set(mutate.TESTS) - mutate.SKIP == set()
    assert set(mutate.TESTS) <= modules  # no stale entries
    for tests in mutate.TESTS.values():
        for node in tests:
            assert (ROOT / node.split("::")[0]).is_file(), node

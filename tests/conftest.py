"""Hypothesis profiles, and figures closed after every test.

``default`` (used by CI): derandomized, no deadlines, so a loaded machine cannot flake it.
``thorough``: many more examples, still no deadlines:  pytest --hypothesis-profile=thorough
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "default",
    derandomize=True,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    derandomize=False,
    deadline=None,
    max_examples=400,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.load_profile("default")


@pytest.fixture(autouse=True)
def _close_figures_after_each_test() -> Iterator[None]:
    """Every test leaves no pyplot figure open: tempx.plot returns figures open (for its caller to show or save), and a
    test process that kept them would pass matplotlib's 20-figure warning, an error here, in whichever test came
    next on the same worker (which depends on how xdist groups the modules)."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")

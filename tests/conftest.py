"""Hypothesis profiles.

``default`` (used by CI): derandomized, no deadlines, so a loaded machine cannot flake it.
``thorough``: many more examples, still no deadlines:  pytest --hypothesis-profile=thorough
"""

from __future__ import annotations

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

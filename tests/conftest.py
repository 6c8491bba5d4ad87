"""Shared test set-up: hypothesis profiles and a scenario folder with the shipped sources.

Hypothesis profiles, chosen by the environment variable HYPOTHESIS_PROFILE:

- `dev` (the default): 200 examples per property, no deadline; quick enough for every run;
- `ci` (the default when CI is set): as `dev`, derandomised, so a CI run is reproducible;
- `long`: 5,000 examples per property, for a deliberate search, e.g.
  `HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_loader.py`.

A test that passes its own `@settings(max_examples=...)` keeps its own count.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tests.builders import scenario_folder

settings.register_profile("dev", max_examples=200, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=True, database=None, print_blob=True
)
settings.register_profile("long", max_examples=5_000, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """An empty scenario folder holding a copy of the shipped `sources/` (quotes resolve)."""
    return scenario_folder(tmp_path / "scenarios")

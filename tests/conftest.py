"""Shared test set-up: hypothesis profiles, the baseline, small scenarios, a scenario folder.

Hypothesis profiles, chosen by the environment variable HYPOTHESIS_PROFILE:

- `dev` (the default): 200 examples per property, no deadline; quick enough for every run;
- `ci` (the default when CI is set): as `dev`, derandomised, so a CI run is reproducible;
- `long`: 5,000 examples per property, for a deliberate search, e.g.
  `HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_loader.py`.

A test that passes its own `@settings(max_examples=...)` keeps its own count.

Fixtures (the paths themselves are constants of `tests/builders.py`: `ROOT`, `SCENARIOS`,
`BASELINE`, `SOURCES`, `ARTICLE_PATH`):

- `baseline_path`: the shipped baseline scenario's file;
- `baseline`: that scenario loaded (`sim.api.load`), once per session; it is frozen;
- `baseline_data`: the baseline as plain data, a fresh copy per test (edit it freely);
- `decisive`: the small scenario of `tests/sweep_fixtures.py` in which one number decides
  agreement, written to a temporary folder and loaded once per session;
- `scenario_dir`: an empty scenario folder holding a copy of the shipped `sources/`.

Markers (pyproject.toml): `slow` for a test that takes more than a few seconds, `browser` for
the Chromium tests; `make test-fast` runs everything else on two xdist workers, so a test
writes only under its own `tmp_path` and binds no fixed port.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from sim import api
from tests import builders
from tests.builders import BASELINE, scenario_folder
from tests.sweep_fixtures import write_decisive

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


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    """The shipped baseline scenario's file (`scenarios/baseline.yaml`)."""
    return BASELINE


@pytest.fixture(scope="session")
def baseline(baseline_path: Path) -> api.LoadedScenario:
    """The shipped baseline, loaded once per session (a frozen model: tests cannot change it)."""
    return api.load(baseline_path)


@pytest.fixture
def baseline_data() -> dict[str, Any]:
    """The baseline as plain data, a fresh copy for each test."""
    data: dict[str, Any] = builders.baseline_data()
    return data


@pytest.fixture(scope="session")
def decisive(tmp_path_factory: pytest.TempPathFactory) -> api.LoadedScenario:
    """The scenario in which `actors.a.batna.value` < 0.5 decides agreement, loaded once."""
    return api.load(write_decisive(tmp_path_factory.mktemp("decisive")))

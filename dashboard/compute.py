"""Cached calls into `sim.api` for one scenario: its checks, compiled arrays, analysis and runs.

Long computations over many runs (sweeps, sensitivity, discovery) go through
:mod:`dashboard.jobs`; everything else a page shows comes from here.

Every function takes the scenario as text (with its name and sources folder), the `--set`
overrides and any seed or parameter, so cache keys are exactly what the result depends on.
Plain results are cached with `cache_data` (bounded by `max_entries`); the heavy ones (a
compiled scenario, an analysis, a recorded run) are kept per session within its memory budget
(:mod:`dashboard.memory`), so a large scenario cannot fill the server.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from dashboard import memory
from dashboard.catalogue import ScenarioFile
from sim import api

Overrides = tuple[str, ...]


@dataclass(frozen=True)
class Checked:
    """A scenario that loaded, or the located problems (`FILE:LINE:COL: path: message`)."""

    scenario: api.Scenario | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the scenario is valid."""
        return self.scenario is not None


@st.cache_data(max_entries=64, show_spinner=False)
def check(file: ScenarioFile, overrides: Overrides = ()) -> Checked:
    """Load a scenario as `redlines validate` / `redlines run --set` do: every adjustment
    passes the same checks, and a value out of range is refused with the same message."""
    try:
        return Checked(api.load_text(file.text, file.name, Path(file.folder), overrides).scenario)
    except api.ScenarioError as error:
        return Checked(None, tuple(str(p) for p in error.problems))


def scenario_of(file: ScenarioFile, overrides: Sequence[str] = ()) -> api.Scenario:
    """The (adjusted) scenario; raises ScenarioError when it is not valid."""
    checked = check(file, tuple(overrides))
    if checked.scenario is None:
        raise api.ScenarioError.at(file.name, "; ".join(checked.problems))
    return checked.scenario


def _held[T](file: ScenarioFile, overrides: Overrides, key: Hashable, build: Callable[[], T]) -> T:
    """A heavy result of the (adjusted) scenario, kept within the session's memory budget."""
    scenario = scenario_of(file, overrides)
    return memory.held().get((file, overrides), memory.working_set(scenario), key, build)


def compiled(file: ScenarioFile, overrides: Overrides = ()) -> api.Compiled:
    """The scenario compiled into arrays (never mutated)."""
    return _held(
        file, overrides, "compiled", lambda: api.compile_scenario(scenario_of(file, overrides))
    )


def outcomes(file: ScenarioFile) -> int:
    """The outcomes left after the rules; for a scenario too large to compile here, every
    combination of options (what the estimate counts)."""
    scenario = scenario_of(file)
    if memory.too_large(scenario) is not None:
        return api.estimate_sweep(scenario, 1, workers=1, out="-").outcomes
    return compiled(file).space.size


def analysis(file: ScenarioFile, overrides: Overrides = (), threshold: float = 0.0) -> api.Analysis:
    """`redlines explain`: the bargaining space at the nominal parameters."""

    def build() -> api.Analysis:
        with st.spinner("Analysing the bargaining space…"):
            return api.explain(compiled(file, overrides), threshold=threshold)

    return _held(file, overrides, ("analysis", threshold), build)


def run_output(file: ScenarioFile, overrides: Overrides, seed: int) -> api.RunOutput:
    """`redlines run --seed`: one recorded run (events and per-round data). Read-only."""
    return _held(
        file, overrides, ("run", seed), lambda: api.run(compiled(file, overrides), seed=seed)
    )


@st.cache_data(max_entries=64, show_spinner=False)
def run_story(file: ScenarioFile, overrides: Overrides, seed: int) -> str:
    """The run told as `redlines run` prints it (plain text, for the run log download)."""
    return api.story_text(run_output(file, overrides, seed), width=100)


@st.cache_data(max_entries=32, show_spinner=False)
def analysis_json(file: ScenarioFile, overrides: Overrides, threshold: float) -> str:
    """The analysis as `redlines explain --json` prints it."""
    import json

    return json.dumps(analysis(file, overrides, threshold).to_dict(), ensure_ascii=False, indent=1)

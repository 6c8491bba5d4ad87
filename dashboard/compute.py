"""Cached calls into `sim`: the only place the dashboard gets numbers from.

Every function takes the scenario as text (with its name and sources folder), the `--set`
overrides and any seed or parameter, so cache keys are exactly what the result depends on.
Caches are bounded (`max_entries`). Immutable objects holding numpy arrays (a compiled
scenario, an analysis) are kept with `cache_resource`; plain results with `cache_data`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from dashboard.catalogue import ScenarioFile
from sim.errors import ScenarioError

if TYPE_CHECKING:
    from sim.analysis.bargaining import Analysis
    from sim.engine.run import RunOutput
    from sim.engine.space import Compiled
    from sim.scenario.schema import Scenario

Overrides = tuple[str, ...]


@dataclass(frozen=True)
class Checked:
    """A scenario that loaded, or the located problems (`FILE:LINE:COL: path: message`)."""

    scenario: Scenario | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the scenario is valid."""
        return self.scenario is not None


@st.cache_data(max_entries=64, show_spinner=False)
def check(file: ScenarioFile, overrides: Overrides = ()) -> Checked:
    """Load a scenario as `redlines validate` / `redlines run --set` do."""
    from sim.scenario.build import load_text

    try:
        loaded = load_text(file.text, file.name, Path(file.folder))
        if overrides:
            from sim.scenario.build import apply_overrides

            return Checked(apply_overrides(loaded.scenario, overrides, Path(file.folder)))
        return Checked(loaded.scenario)
    except ScenarioError as error:
        return Checked(None, tuple(str(p) for p in error.problems))


def scenario_of(file: ScenarioFile, overrides: Sequence[str] = ()) -> Scenario:
    """The (adjusted) scenario; raises ScenarioError when it is not valid."""
    checked = check(file, tuple(overrides))
    if checked.scenario is None:
        raise ScenarioError.at(file.name, "; ".join(checked.problems))
    return checked.scenario


@st.cache_resource(max_entries=32, show_spinner=False)
def compiled(file: ScenarioFile, overrides: Overrides = ()) -> Compiled:
    """The scenario compiled into arrays (shared, never mutated)."""
    from sim.engine.space import compile_scenario

    return compile_scenario(scenario_of(file, overrides))


@st.cache_resource(max_entries=32, show_spinner="Analysing the bargaining space…")
def analysis(file: ScenarioFile, overrides: Overrides = (), threshold: float = 0.0) -> Analysis:
    """`redlines explain`: the bargaining space at the nominal parameters."""
    from sim.analysis.bargaining import analyse

    return analyse(compiled(file, overrides), threshold=threshold)


@st.cache_resource(max_entries=64, show_spinner=False)
def run_output(file: ScenarioFile, overrides: Overrides, seed: int) -> RunOutput:
    """`redlines run --seed`: one recorded run (events and per-round data). Read-only."""
    from sim.engine.run import run

    return run(compiled(file, overrides), seed=seed)


@st.cache_data(max_entries=64, show_spinner=False)
def run_story(file: ScenarioFile, overrides: Overrides, seed: int) -> str:
    """The run told as `redlines run` prints it (plain text, for the run log download)."""
    import io

    from rich.console import Console

    from sim.cli.story import render

    console = Console(file=io.StringIO(), width=100, record=True, highlight=False)
    render(run_output(file, overrides, seed), console)
    return console.export_text()


@st.cache_data(max_entries=32, show_spinner=False)
def analysis_json(file: ScenarioFile, overrides: Overrides, threshold: float) -> str:
    """The analysis as `redlines explain --json` prints it."""
    import json

    return json.dumps(analysis(file, overrides, threshold).to_dict(), ensure_ascii=False, indent=1)

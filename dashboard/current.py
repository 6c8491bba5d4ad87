"""The scenario in use, as every page needs it: the file, its adjustments, and the checks.

Pages call :func:`scenario_in_use`, which stops the page with the located problems when the
file (or its adjustments) is not valid, so no page ever computes on a bad scenario.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from dashboard import compute, labels, memory
from dashboard.catalogue import UPLOAD_PREFIX, ScenarioFile, shipped_file
from dashboard.state import KEPT, forget
from sim.api import ScenarioError

if TYPE_CHECKING:
    from sim.api import Scenario

ADJUST_WIDGETS = "adjust_w_"
"""Prefix of the Adjust page's widget keys (dropped when the scenario changes)."""


@dataclass(frozen=True)
class InUse:
    """The scenario file in use, its `--set` adjustments and the adjusted scenario."""

    file: ScenarioFile
    overrides: tuple[str, ...]
    scenario: Scenario
    """With the adjustments applied."""
    base: Scenario
    """As the file says."""


@st.cache_data(max_entries=16, show_spinner=False)
def _shipped(name: str) -> ScenarioFile:
    return shipped_file(name)


def current_file() -> tuple[ScenarioFile | None, tuple[str, ...]]:
    """The chosen scenario file, or None with the problems that stop it from being read."""
    choice = st.session_state[KEPT]["scenario_choice"]
    if choice.startswith(UPLOAD_PREFIX):
        upload = st.session_state["scenario_upload"]
        return upload, tuple(st.session_state["scenario_upload_problems"])
    try:
        return _shipped(choice), ()
    except ScenarioError as error:
        return None, tuple(str(p) for p in error.problems)


def sync_adjustments(file: ScenarioFile) -> None:
    """Drop the adjustments when they were made to another scenario."""
    if st.session_state["adjust_for"] != file.key:
        forget(ADJUST_WIDGETS)
        st.session_state["adjust_overrides"] = []
        st.session_state["adjust_for"] = file.key


def show_problems(problems: tuple[str, ...] | list[str], what: str) -> None:
    """The located problems, exactly as `redlines validate` prints them."""
    st.error(f"{what} `redlines validate` reports:", icon=":material/error:")
    st.code("\n".join(problems), language=None, wrap_lines=True)


def scenario_in_use(adjusted: bool = True) -> InUse:
    """The scenario the page works on; stops the page with a message when there is none."""
    file, problems = current_file()
    if file is None or problems:
        show_problems(problems or ("no scenario chosen",), "The chosen scenario cannot be used.")
        st.page_link("views/scenario.py", label="Choose a scenario", icon=":material/description:")
        st.stop()
    sync_adjustments(file)
    base = compute.check(file)
    if base.scenario is None:
        show_problems(base.problems, f"{labels.literal(file.label)} is not a valid scenario.")
        st.stop()
    overrides = tuple(st.session_state["adjust_overrides"]) if adjusted else ()
    checked = compute.check(file, overrides)
    if checked.scenario is None:
        show_problems(checked.problems, "The adjusted scenario is not valid.")
        st.page_link("views/adjust.py", label="Fix it on the Adjust page", icon=":material/tune:")
        st.stop()
    reason = memory.too_large(checked.scenario)
    if reason is not None:  # explained, never compiled
        st.warning(reason, icon=":material/memory:")
        st.stop()
    return InUse(file, overrides, checked.scenario, base.scenario)


def sidebar() -> None:
    """Which scenario is in use and how many adjustments, on every page."""
    file, problems = current_file()
    with st.sidebar:
        if file is None or problems:
            st.caption("No valid scenario chosen.")
            return
        checked = compute.check(file)
        title = checked.scenario.title if checked.scenario is not None else "(not valid)"
        st.caption(f"**{labels.literal(file.label)}** — {labels.literal(title)}")
        count = (
            len(st.session_state["adjust_overrides"])
            if st.session_state["adjust_for"] == file.key
            else 0
        )
        if count:
            st.caption(
                f":orange[{count} adjustment{'s' if count > 1 else ''}] from the Adjust page"
            )

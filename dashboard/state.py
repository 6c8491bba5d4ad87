"""Session state: every key the dashboard keeps, its default, and widgets that remember.

Keys are prefixed by the page that owns them (`scenario_`, `adjust_`, `run_`, `space_`, `mc_`,
`sens_`, `compare_`). The entry file calls :func:`init_state` once per session; pages never
set defaults of their own.

Streamlit forgets a widget's value when its page is left (the widget is not drawn). A widget
made with ``**kept(key)`` starts from the value last chosen, kept under ``kept`` in the session.
"""

from __future__ import annotations

import copy
from typing import Any

import streamlit as st

KEPT = "kept"
"""The session key of the remembered widget values."""

WIDGET_DEFAULTS: dict[str, Any] = {
    "scenario_choice": "baseline.yaml",
    "run_seed": 3,
    "run_round": 1,
    "space_threshold": 0.0,
    "mc_runs": 400,
    "mc_seed": 2025,
    "sens_runs": 200,
    "sens_seed": 7,
    "compare_left": "shipped",
    "compare_right": "adjusted",
    "compare_runs": 300,
    "compare_seed": 11,
}
"""Widgets that keep their value across pages, with the value they start from."""

DEFAULTS: dict[str, Any] = {
    KEPT: WIDGET_DEFAULTS,
    # the last uploaded scenario (a dashboard.catalogue.ScenarioFile), or the problems found
    "scenario_upload": None,
    "scenario_upload_problems": [],
    # the scenario the adjustments belong to (they are dropped when it changes)
    "adjust_for": None,
    # PATH=VALUE overrides, as `redlines run --set` takes them
    "adjust_overrides": [],
    # what the pages' long computations kept (dashboard.jobs): job name -> jobs.Done
    "mc_result": {},
    "sens_result": {},
    "compare_result": {},
}


def init_state() -> None:
    """Set every default once per session (the entry file calls this on every run)."""
    for key, value in DEFAULTS.items():
        if key not in st.session_state:
            st.session_state[key] = copy.deepcopy(value)


def kept(key: str, default: Any = None) -> dict[str, Any]:
    """Keyword arguments for a widget that remembers its value across pages.

    The value comes from the kept store, else from `default` (for widgets made per scenario,
    such as the Adjust page's sliders); the widget's callback stores every change.
    """
    store = st.session_state[KEPT]
    if key not in st.session_state:
        value = store.get(key, default)
        if value is not None:
            st.session_state[key] = value
    return {"key": key, "on_change": keep, "args": (key,)}


def keep(key: str) -> None:
    """Remember a widget's value (its on_change callback)."""
    st.session_state[KEPT][key] = st.session_state[key]


def forget(prefix: str) -> None:
    """Drop every remembered and live widget value whose key starts with `prefix`."""
    store = st.session_state[KEPT]
    for key in [k for k in store if k.startswith(prefix)]:
        del store[key]
    for key in [k for k in st.session_state if str(k).startswith(prefix)]:
        del st.session_state[key]

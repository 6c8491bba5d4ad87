"""The dashboard's memory budget: what a session may hold, and what is too large to run here.

Every session has a budget (default 1 GB; `REDLINES_DASHBOARD_BUDGET=2GB` in the server's
environment changes it). A scenario's working set is estimated by the same function the CLI's
`--memory-budget` uses (:func:`sim.api.estimate_sweep`): one run needs about 20 bytes per
outcome x (actor or red line). A scenario whose one run, held once and run once more, would not
fit the budget is explained on every page and never compiled. The heavy results of a session
(compiled arrays, analyses, recorded runs) are kept per scenario and adjustment in
:class:`Held`, which forgets the least recently used scenario when the next one would not fit
beside a run in progress.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st

from sim import api

DEFAULT_BUDGET = 1 << 30
HELD = "memory_held"


def budget() -> int:
    """This server's budget per session, in bytes (a bad setting falls back to 1 GB)."""
    text = os.environ.get("REDLINES_DASHBOARD_BUDGET")
    if not text:
        return DEFAULT_BUDGET
    try:
        return api.parse_size(text)
    except ValueError:
        return DEFAULT_BUDGET


def working_set(scenario: api.Scenario) -> int:
    """The memory one run of the scenario works in (its peak, less the interpreter's)."""
    return api.estimate_sweep(scenario, 1, workers=1, out="-").working_bytes


def too_large(scenario: api.Scenario) -> str | None:
    """Why the scenario cannot be run in this session (None: it can)."""
    need = 2 * working_set(scenario)  # its results held, and one run in progress
    if need <= budget():
        return None
    cost = api.estimate_sweep(scenario, 1, workers=1, out="-")
    return (
        f"This scenario has {cost.outcomes:,} outcomes: one run works in about "
        f"{api.bytes_text(working_set(scenario))}, and the dashboard needs twice that (results "
        f"kept, a run in progress), more than its budget of {api.bytes_text(budget())} per "
        "session. It is not run here. Run it from the command line (`redlines run`, "
        "`redlines sweep --memory-budget ...`), use fewer issues or coarser options, or start "
        "the dashboard with a larger REDLINES_DASHBOARD_BUDGET."
    )


class Held:
    """A session's heavy results, grouped by scenario: the least recently used group goes
    first when a new one would take the session over its budget."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.groups: OrderedDict[Hashable, tuple[int, dict[Hashable, Any]]] = OrderedDict()

    @property
    def used(self) -> int:
        """The estimated bytes held."""
        return sum(cost for cost, _ in self.groups.values())

    def get[T](self, group: Hashable, cost: int, key: Hashable, build: Callable[[], T]) -> T:
        """The value `key` of `group` (estimated at `cost` bytes), built if not held."""
        if group in self.groups:
            self.groups.move_to_end(group)
        else:
            while self.groups and self.used + cost + cost > self.limit:
                self.groups.popitem(last=False)
            self.groups[group] = (cost, {})
        values = self.groups[group][1]
        if key not in values:
            values[key] = build()
        return values[key]


def held() -> Held:
    """This session's store."""
    if HELD not in st.session_state:
        st.session_state[HELD] = Held(budget())
    store: Held = st.session_state[HELD]
    return store

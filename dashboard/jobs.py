"""Long computations: the one way a page starts one, shows its progress, stops it and keeps it.

Monte Carlo, the sensitivity analyses, discovery and the comparison of two scenarios take
seconds to minutes, so a page never calls `sim` for them. It draws a start button
(:func:`start_button`), describes the work with one of the functions at the end of this module
(each a call into :mod:`sim.api`, as the matching `redlines` command makes it) and hands both to
:func:`run`, which

- while the work runs, shows a Stop button and a progress bar moved after every chunk of runs;
- keeps the result in the session with the settings it was computed for;
- says so when Stop interrupted it (nothing is kept), and when the kept result belongs to
  other settings than the widgets show now.

Stop works because each progress report is a Streamlit command: a click on Stop (or on any
widget) makes Streamlit end the script there, between two chunks, and rerun it; on that rerun
the Stop button reads True. One seeded run is quick and cached by :mod:`dashboard.compute`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard import memory
from sim import api

Report = Callable[[int, int], None]
"""A `progress` callback for `sim.api`: called with (runs done, runs in all)."""
Reporter = Callable[[str], Report]
"""Gives the progress callback of one part of a job, named in words for the bar."""
Work = Callable[[Reporter], Any]
"""A long computation, waiting for its progress reporter."""

WORKERS = 1
"""Runs happen in the server's process: a page's work must not start a process pool."""


@dataclass(frozen=True)
class Job:
    """One long computation of a page, and the session keys it owns.

    `page` is the page's key prefix (`mc`, `sens`, `compare`); `name` tells a page's jobs apart
    (`oat`, `grid`, ...; empty for a page's only job). The start button is `PAGE_go[_NAME]`, the
    Stop button `PAGE_stop[_NAME]`, and results are kept in `PAGE_result` under `name`.
    """

    page: str
    name: str = ""

    def _key(self, what: str) -> str:
        return f"{self.page}_{what}" + (f"_{self.name}" if self.name else "")

    @property
    def go(self) -> str:
        """The start button's key."""
        return self._key("go")

    @property
    def stop(self) -> str:
        """The Stop button's key."""
        return self._key("stop")

    @property
    def store(self) -> str:
        """The session key of the page's kept results."""
        return f"{self.page}_result"


@dataclass(frozen=True)
class Done:
    """A finished job's result and the settings it was computed for."""

    settings: Hashable
    value: Any


def start_button(job: Job, label: str, *, disabled: bool = False) -> bool:
    """The button that starts `job` (drawn where the page calls this); True when clicked."""
    return st.button(
        label, type="primary", key=job.go, icon=":material/play_arrow:", disabled=disabled
    )


def reporter(bar: Any) -> Reporter:
    """Progress callbacks that move one Streamlit progress bar, each naming its part."""

    def part(what: str) -> Report:
        def report(done: int, total: int) -> None:
            bar.progress(min(done / total, 1.0), text=f"{what}: {done:,} of {total:,} runs")

        return report

    return part


def run(job: Job, started: bool, settings: Hashable, work: Work) -> Done | None:
    """Run `work` when `started` (with Stop and progress), keep it, and return what is kept.

    `settings` is everything the result depends on (scenario, adjustments, runs, seed, ...):
    a kept result for other settings is still returned, under a warning that it is stale.
    """
    kept: dict[str, Done] = st.session_state[job.store]
    if started:
        holder = st.empty()
        holder.button("Stop", key=job.stop, icon=":material/stop:")
        bar = st.progress(0.0, text="Starting…")
        try:
            value = work(reporter(bar))
        except api.OverBudget as error:  # refused before it ran, as the CLI refuses it
            bar.empty()
            holder.empty()
            st.error(f"{error} (the dashboard's budget: REDLINES_DASHBOARD_BUDGET)")
            return None
        bar.empty()
        holder.empty()
        kept[job.name] = Done(settings, value)
    elif st.session_state.get(job.stop):
        st.warning("Stopped: the computation was interrupted, nothing was kept. Run it again.")
    done = kept.get(job.name)
    if done is not None and done.settings != settings:
        st.warning(
            "These results are for other settings (scenario, adjustments, runs, seed or "
            "choices): run again to update them."
        )
    return done


def chunk(runs: int, parts: int = 40) -> int:
    """Runs per chunk for a sweep on a page: `parts` progress reports, at least 50 runs each.

    The chunk size changes no number, only how often the bar moves and Stop can take effect.
    """
    return max(50, runs // parts)


# --- the work -------------------------------------------------------------------------------------


def monte_carlo(scenario: api.Scenario, runs: int, seed: int) -> Work:
    """`redlines sweep --runs RUNS --seed SEED`: the :class:`api.SweepResult`."""
    return lambda report: api.sweep(
        scenario,
        runs,
        seed=seed,
        workers=WORKERS,
        chunk_size=chunk(runs),
        progress=report("Monte Carlo"),
        memory_budget=memory.budget(),
    )


def compare(sides: Sequence[tuple[str, api.Scenario]], runs: int, seed: int) -> Work:
    """Both sides swept with the same runs and root seed: side label -> sweep summary."""

    def work(report: Reporter) -> dict[str, dict[str, Any]]:
        return {
            label: api.sweep(
                scenario,
                runs,
                seed=seed,
                workers=WORKERS,
                chunk_size=chunk(runs, 20),
                progress=report(label),
                memory_budget=memory.budget(),
            ).summary
            for label, scenario in sides
        }

    return work


def one_at_a_time(scenario: api.Scenario, varies: Sequence[api.Vary], runs: int, seed: int) -> Work:
    """`redlines sensitivity --vary ...`: the one-at-a-time table (common seeds)."""
    return lambda report: api.one_at_a_time(
        scenario, varies, runs, seed=seed, workers=WORKERS, progress=report("One at a time")
    )


def grid(scenario: api.Scenario, x: api.Vary, y: api.Vary, runs: int, seed: int) -> Work:
    """`redlines sensitivity --grid`: P(outcome) over every pair of values of two numbers."""
    return lambda report: api.grid(
        scenario, x, y, runs, seed=seed, workers=WORKERS, progress=report("Heat map")
    )


def sobol(scenario: api.Scenario, samples: int, runs: int, seed: int) -> Work:
    """`redlines sensitivity --sobol N`: Sobol indices of every uncertain number."""
    return lambda report: api.sobol(
        scenario, samples, runs, seed=seed, workers=WORKERS, progress=report("Sobol")
    )


def discovery(scenario: api.Scenario, target: str, runs: int, seed: int) -> Work:
    """`redlines discover --target TARGET --runs RUNS`: PRIM boxes of a fresh sweep."""
    return lambda report: api.discover(
        scenario,
        target,
        runs=runs,
        seed=seed,
        workers=WORKERS,
        chunk_size=chunk(runs),
        progress=report("Sweep for discovery"),
        memory_budget=memory.budget(),
    )

"""What a sweep will cost before it runs: memory and time, from the outcome space, the runs and
the workers, and the budget that refuses what would not fit.

The model is linear in the table cells a run works over (outcomes x (actors + red lines)),
calibrated on this project's own measurements (2 vCPU AMD EPYC, Python 3.12): a worker holds
the interpreter and libraries (about 170 MB) and, at its peak inside one run, about 20 bytes
per cell (a 10^6-outcome scenario of 4 actors and 10 red lines peaked at 445 MB, a 10^5-outcome
one at 196 MB); a run takes about 0.7 ms plus 0.05 µs per cell (0.7 s and 0.12 s for those
two). A sweep without `--out` also keeps its table in memory (about 8
bytes per column and run). The estimate is a guide, meant to be within a factor of two.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.checks import outcome_space_size
from sim.scenario.distributions import is_uncertain
from sim.scenario.parameters import numbers
from sim.scenario.schema import Scenario

MB = 1 << 20
GB = 1 << 30
PROCESS_BYTES = 170 * MB
"""A worker's interpreter, numpy, pandas and mesa, before any scenario."""
BYTES_PER_CELL = 20
"""A run's peak memory per outcome x (actor or red line)."""
SECONDS_PER_RUN = 0.7e-3
SECONDS_PER_CELL = 0.05e-6
TABLE_BYTES_PER_VALUE = 8
MANY_RUNS = 10**9
"""Runs beyond this need an explicit yes (`--yes`)."""


class OverBudget(ValueError):
    """A sweep whose estimated memory exceeds the budget (a user error: exit 2)."""


@dataclass(frozen=True)
class Estimate:
    """The estimated cost of a sweep."""

    outcomes: int
    cells: int
    runs: int
    workers: int
    worker_bytes: int
    """The peak memory of one worker."""
    table_bytes: int
    """The table kept in memory (0 when it goes to a directory)."""
    seconds: float

    @property
    def working_bytes(self) -> int:
        """What one run works in: a worker's peak less the interpreter's own."""
        return self.worker_bytes - PROCESS_BYTES

    @property
    def total_bytes(self) -> int:
        """Every worker at its peak, plus the table."""
        return self.workers * self.worker_bytes + self.table_bytes

    def describe(self) -> str:
        """One line: outcomes, runs, memory and time."""
        table = f" + {size(self.table_bytes)} of table" if self.table_bytes else ""
        return (
            f"{self.outcomes:,} outcomes, {self.runs:,} runs on {self.workers} worker"
            f"{'s' * (self.workers != 1)}: about {size(self.total_bytes)} of memory "
            f"({size(self.worker_bytes)} per worker{table}) and {duration(self.seconds)}"
        )


def estimate(
    scenario: Scenario, runs: int, workers: int, *, columns: int = 0, kept: bool = True
) -> Estimate:
    """The cost of `runs` runs of `scenario` on `workers` processes.

    `kept`: the table stays in memory (`columns` wide) rather than going to a directory.

    >>> from sim.scenario.build import load_scenario
    >>> cost = estimate(load_scenario("scenarios/baseline.yaml").scenario, 1000, 2)
    >>> cost.outcomes, cost.worker_bytes < 200 * MB, cost.seconds < 5
    (54, True, True)
    """
    outcomes = outcome_space_size(scenario)
    lines = sum(len(actor.red_lines) for actor in scenario.actors)
    cells = outcomes * (len(scenario.actors) + lines)
    worker = PROCESS_BYTES + BYTES_PER_CELL * cells
    table = runs * max(columns, 1) * TABLE_BYTES_PER_VALUE if kept else 0
    seconds = runs * (SECONDS_PER_RUN + SECONDS_PER_CELL * cells) / max(workers, 1)
    return Estimate(outcomes, cells, runs, workers, worker, table, seconds)


def table_columns(scenario: Scenario) -> int:
    """The sweep table's width (see :class:`sim.explore.montecarlo.Layout`), from the schema."""
    uncertain = sum(is_uncertain(value) for _, value in numbers(scenario))
    lines = [line for actor in scenario.actors for line in actor.red_lines]
    preconditions = sum(line.precondition is not None for line in lines)
    return 4 + uncertain + len(lines) + preconditions + len(scenario.issues) + len(scenario.actors)


def sweep_cost(
    scenario: Scenario,
    runs: int,
    workers: int | None = None,
    scheduler: Any = None,
    *,
    out: str | Path | None = None,
    chunk_size: int | None = None,
) -> Estimate:
    """The estimated memory and time of a sweep on this machine (Dask workers not counted:
    they are another machine's)."""
    from sim.explore.executors import cores
    from sim.explore.montecarlo import default_chunk_size

    chunks = -(-runs // (chunk_size or default_chunk_size(runs)))
    local = 0 if scheduler is not None else min(workers or cores(), cores(), chunks)
    columns = table_columns(scenario)
    return estimate(scenario, runs, local, columns=columns, kept=out is None)


def machine_memory() -> int:
    """This machine's physical memory, in bytes."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not a POSIX system
        import psutil

        return int(psutil.virtual_memory().total)


def default_budget() -> int:
    """The CLI's default memory budget: half of this machine's memory."""
    return machine_memory() // 2


def check_budget(cost: Estimate, budget: int, *, flag: str = "--memory-budget") -> None:
    """Refuse (:class:`OverBudget`) a sweep whose estimate exceeds `budget` bytes."""
    if cost.total_bytes <= budget:
        return
    hints = [f"raise {flag} (e.g. {flag} {math.ceil(cost.total_bytes / GB)}GB)"]
    if cost.workers > 1:
        hints.insert(0, "use fewer --workers")
    if cost.table_bytes > budget // 2:
        hints.insert(0, "write the table to a directory with --out")
    raise OverBudget(
        f"the sweep would need {cost.describe()}, more than the memory budget of "
        f"{size(budget)}: {', or '.join(hints)}"
    )


def parse_size(text: str) -> int:
    """A memory size in bytes from `512MB`, `8GB`, `1.5G` or a number of bytes.

    >>> parse_size("8GB"), parse_size("512mb"), parse_size("1024")
    (8589934592, 536870912, 1024)
    """
    units = {"": 1, "B": 1, "K": 1 << 10, "M": MB, "G": GB, "T": 1 << 40}
    cleaned = text.strip().upper().removesuffix("IB").removesuffix("B")
    number = cleaned.rstrip("KMGT")
    unit = cleaned[len(number) :]
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"{text!r} is not a memory size (e.g. 512MB, 8GB)") from None
    if not math.isfinite(value) or value <= 0 or unit not in units:
        raise ValueError(f"{text!r} is not a memory size (e.g. 512MB, 8GB)")
    return int(value * units[unit])


def size(n: int) -> str:
    """Bytes in words: `660 MB`, `4.3 GB`."""
    if n >= GB:
        return f"{n / GB:,.1f} GB"
    return f"{max(n / MB, 1):,.0f} MB"


def duration(seconds: float) -> str:
    """Seconds in words: `12 s`, `3.5 min`, `2.1 h`, `4.0 days`."""
    if seconds < 90:
        return f"{max(seconds, 0.1):.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86_400:,.1f} days"

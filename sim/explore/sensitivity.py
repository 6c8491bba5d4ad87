"""Sensitivity: how outcome probabilities move with the scenario's numbers.

Three methods, all returning pandas DataFrames:

- :func:`one_at_a_time` sets one number to each of a range of values (`PATH=LOW:HIGH:STEPS`),
  every other uncertain number still drawn from its distribution, and estimates each
  outcome's probability with a Wilson 95% interval per setting; :func:`ranking` orders the
  parameters by the swing they cause.
- :func:`grid` does the same over every pair of values of two numbers (heat-map data).
- :func:`sobol` estimates first-order and total-order Sobol indices of P(agreement) and
  P(escalation) with SALib (Saltelli sampling, Jansen/Saltelli estimators, bootstrap
  intervals). Each factor is drawn on [0, 1] and mapped through its distribution's inverse
  CDF, so a factor keeps the distribution the scenario gives it; a `choice` becomes an index
  into its values (through its cumulative weights). The output at a point is the share of
  `runs` seeded runs that end in the outcome.

Every setting and every Sobol point uses the same run seeds (common random numbers): the
differences between settings come from the settings, not from different dice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.results import OUTCOMES
from sim.errors import Problem, ScenarioError
from sim.explore.executors import Work, compiled_for, open_executor
from sim.explore.montecarlo import run_seeds, scenario_yaml, text_hash
from sim.explore.progress import Progress, reporter
from sim.explore.summary import wilson
from sim.scenario.build import LoadedScenario, Settings
from sim.scenario.schema import Scenario

RUNS_PER_TASK = 400
"""About how many runs one task holds (several small cases share a task)."""


@dataclass(frozen=True)
class Vary:
    """A number to vary: its dotted path and the values it takes (`PATH=LOW:HIGH:STEPS`)."""

    path: str
    low: float
    high: float
    steps: int

    @classmethod
    def parse(cls, text: str) -> Vary:
        """Read `PATH=LOW:HIGH:STEPS`. Raises ValueError with a message for the user."""
        path, sep, spec = text.partition("=")
        parts = spec.split(":")
        if not sep or not path.strip() or len(parts) != 3:
            raise ValueError(
                f"--vary {text!r}: expected PATH=LOW:HIGH:STEPS, "
                "e.g. actors.ACTOR.batna.value=0.2:0.8:7"
            )
        try:
            low, high, steps = float(parts[0]), float(parts[1]), int(parts[2])
        except ValueError:
            raise ValueError(
                f"--vary {text!r}: LOW and HIGH must be numbers and STEPS an integer"
            ) from None
        if not (np.isfinite(low) and np.isfinite(high)) or low > high:
            raise ValueError(f"--vary {text!r}: need finite LOW <= HIGH")
        if steps < 1 or steps > 1000:
            raise ValueError(f"--vary {text!r}: STEPS must be between 1 and 1000")
        return cls(path.strip(), low, high, steps)

    def values(self) -> list[float | int]:
        """The values, evenly spaced from low to high (whole numbers as ints, so integer
        settings such as `protocol.max_rounds` can be varied too)."""
        spaced = [self.low] if self.steps == 1 else np.linspace(self.low, self.high, self.steps)
        return [int(v) if float(v).is_integer() else float(v) for v in spaced]


# --- running cases -------------------------------------------------------------------------------


def run_counts(work: Work) -> np.ndarray:
    """Run every case of a work item (in a worker): outcome counts, cases x outcomes."""
    from sim.engine.run import simulate

    code = {name: k for k, name in enumerate(OUTCOMES)}
    seeds = run_seeds(work.root_seed, work.start, work.stop).tolist()
    counts = np.zeros((len(work.cases), len(OUTCOMES)), dtype=np.int64)
    for c, case in enumerate(work.cases):
        compiled = compiled_for(work, case)
        for seed in seeds:
            counts[c, code[simulate(compiled, seed).outcome]] += 1
    return counts


def scenario_of(scenario: LoadedScenario | Scenario) -> tuple[Scenario, Any]:
    """The scenario model and the folder its sources resolve against (None for a bare model)."""
    if isinstance(scenario, LoadedScenario):
        return scenario.scenario, scenario.folder
    return scenario, None


def check_paths(
    scenario: LoadedScenario | Scenario, settings: Sequence[Settings], where: str = "--vary"
) -> None:
    """Check every distinct (path, value) of the settings through the one build path, so a
    wrong path or a value outside its range fails here, with a located message
    (`--vary:N:1: path: message`, N the path's place), rather than inside a worker."""
    from sim.scenario.build import apply_settings

    model, folder = scenario_of(scenario)
    order: dict[str, int] = {}
    seen: set[tuple[str, Any]] = set()
    for case in settings:
        for path, value in case:
            number = order.setdefault(path, len(order) + 1)
            if (path, value) in seen:
                continue
            seen.add((path, value))
            try:
                apply_settings(model, [(path, value)], folder, where)
            except ScenarioError as error:
                raise ScenarioError(
                    [Problem(where, number, 1, q.path, q.message) for q in error.problems]
                ) from None


def evaluate(
    scenario: LoadedScenario | Scenario,
    cases: Sequence[Settings],
    runs: int,
    *,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress = None,
) -> np.ndarray:
    """Outcome counts (cases x outcomes) of `runs` seeded runs of each case.

    Every case uses the seeds of runs 0..runs-1 of root seed `seed`.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    model, _ = scenario_of(scenario)
    text = scenario_yaml(model)
    key = text_hash(text)
    works = []
    if runs >= RUNS_PER_TASK:
        for c, case in enumerate(cases):
            for start in range(0, runs, RUNS_PER_TASK):
                stop = min(start + RUNS_PER_TASK, runs)
                works.append(Work(key, text, seed, start, stop, (case,), tag=(c,)))
    else:
        per_task = max(1, RUNS_PER_TASK // runs)
        for first in range(0, len(cases), per_task):
            group = tuple(range(first, min(first + per_task, len(cases))))
            chosen = tuple(cases[c] for c in group)
            works.append(Work(key, text, seed, 0, runs, chosen, tag=group))
    counts = np.zeros((len(cases), len(OUTCOMES)), dtype=np.int64)
    with (
        open_executor(workers, scheduler, chunks=len(works)) as executor,
        reporter(progress, runs * len(cases), 0) as report,
    ):
        for work, result in executor.map(run_counts, works):
            counts[list(work.tag)] += result
            report(work.size)
    return counts


def _rows(counts: np.ndarray, runs: int, labels: Sequence[dict[str, Any]]) -> pd.DataFrame:
    rows = []
    for label, row in zip(labels, counts, strict=True):
        for k, outcome in enumerate(OUTCOMES):
            low, high = wilson(int(row[k]), runs)
            rows.append(
                {**label, "outcome": outcome, "count": int(row[k]), "runs": runs,
                 "p": row[k] / runs, "low": low, "high": high}
            )  # fmt: skip
    return pd.DataFrame(rows)


# --- one at a time and grids ---------------------------------------------------------------------


def one_at_a_time(
    scenario: LoadedScenario | Scenario,
    varies: Sequence[Vary],
    runs: int = 500,
    *,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress = None,
) -> pd.DataFrame:
    """Vary each number alone; one row per (parameter, value, outcome).

    Columns: `parameter`, `value`, `outcome`, `count`, `runs`, `p`, `low`, `high` (Wilson
    95%). The other uncertain numbers keep their distributions.
    """
    cases: list[Settings] = []
    labels = []
    for vary in varies:
        for value in vary.values():
            cases.append(((vary.path, value),))
            labels.append({"parameter": vary.path, "value": value})
    check_paths(scenario, cases)
    counts = evaluate(
        scenario, cases, runs, seed=seed, workers=workers, scheduler=scheduler, progress=progress
    )
    return _rows(counts, runs, labels)


def ranking(table: pd.DataFrame, outcome: str = "agreement") -> pd.DataFrame:
    """Parameters of a one-at-a-time table ordered by the swing of P(`outcome`).

    Columns: `parameter`, `swing` (largest minus smallest probability over the values),
    `p_min`, `p_max`, `at_min`, `at_max` (the values where they occur).
    """
    rows = []
    for parameter, group in table[table["outcome"] == outcome].groupby("parameter", sort=False):
        lowest, highest = group.loc[group["p"].idxmin()], group.loc[group["p"].idxmax()]
        rows.append(
            {"parameter": parameter, "swing": highest["p"] - lowest["p"],
             "p_min": lowest["p"], "p_max": highest["p"],
             "at_min": lowest["value"], "at_max": highest["value"]}
        )  # fmt: skip
    result = pd.DataFrame(
        rows, columns=["parameter", "swing", "p_min", "p_max", "at_min", "at_max"]
    )
    return result.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def grid(
    scenario: LoadedScenario | Scenario,
    x: Vary,
    y: Vary,
    runs: int = 500,
    *,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress = None,
) -> pd.DataFrame:
    """Vary two numbers together; one row per (x value, y value, outcome).

    Columns: `x`, `y` (the values), `outcome`, `count`, `runs`, `p`, `low`, `high`; the
    table's `attrs` name the two paths (`x_path`, `y_path`).
    """
    if x.path == y.path:
        raise ValueError(f"a grid needs two different parameters, got {x.path} twice")
    cases: list[Settings] = []
    labels = []
    for xv in x.values():
        for yv in y.values():
            cases.append(((x.path, xv), (y.path, yv)))
            labels.append({"x": xv, "y": yv})
    check_paths(scenario, cases)
    counts = evaluate(
        scenario, cases, runs, seed=seed, workers=workers, scheduler=scheduler, progress=progress
    )
    table = _rows(counts, runs, labels)
    table.attrs.update(x_path=x.path, y_path=y.path)
    return table


# --- defaults and reports ----------------------------------------------------------------------


def default_varies(scenario: LoadedScenario | Scenario, steps: int = 3) -> list[Vary]:
    """Every uncertain number of the scenario over its bounds, in `steps` values."""
    from sim.engine.space import compile_scenario
    from sim.scenario.distributions import bounds

    model, _ = scenario_of(scenario)
    found = []
    for path, distribution in compile_scenario(model).uncertain:
        low, high = bounds(distribution)
        if low < high:
            found.append(Vary(path, low, high, steps))
    return found


ONE_AT_A_TIME_METHOD = (
    "one at a time: each number set to each value in turn while every other uncertain "
    "number keeps its distribution; P(outcome) over the runs of each setting (common seeds), "
    "Wilson 95% intervals; parameters ranked by the swing of P(agreement)"
)

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.executors import Settings, Work, compiled_for, open_executor
from sim.loader import LoadedScenario
from sim.results import OUTCOMES
from sim.scenario import Scenario
from sim.summary import wilson
from sim.sweep import Progress, _reporter, run_seeds, scenario_yaml, text_hash
from sim.uncertainty import Distribution

SOBOL_TARGETS = ("agreement", "escalation")
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
                "e.g. actors.russia.batna.value=0.2:0.8:7"
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
    from sim.model import simulate

    code = {name: k for k, name in enumerate(OUTCOMES)}
    seeds = run_seeds(work.root_seed, work.start, work.stop).tolist()
    counts = np.zeros((len(work.cases), len(OUTCOMES)), dtype=np.int64)
    for c, case in enumerate(work.cases):
        compiled = compiled_for(work, case)
        for seed in seeds:
            counts[c, code[simulate(compiled, seed).outcome]] += 1
    return counts


def _scenario(scenario: LoadedScenario | Scenario) -> tuple[Scenario, Any]:
    if isinstance(scenario, LoadedScenario):
        return scenario.scenario, scenario.folder
    return scenario, None


def check_paths(scenario: LoadedScenario | Scenario, settings: Sequence[Settings]) -> None:
    """Apply each distinct setting once, so a wrong path or value fails here with a
    located message (a :class:`sim.errors.ScenarioError`) rather than inside a worker."""
    from sim.overrides import apply_overrides

    model, folder = _scenario(scenario)
    seen: set[str] = set()
    for case in settings:
        for path, value in case:
            if path not in seen:
                seen.add(path)
                apply_overrides(model, [f"{path}={value!r}"], folder)


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
    model, _ = _scenario(scenario)
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
        _reporter(progress, runs * len(cases), 0) as report,
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


# --- Sobol indices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Factor:
    """An input of the Sobol analysis: a number and how a draw u in [0, 1] maps to it."""

    path: str
    describe: str
    inverse: Callable[[float], float]


def factors(scenario: LoadedScenario | Scenario, varies: Sequence[Vary] = ()) -> list[Factor]:
    """The scenario's uncertain numbers (each with its own distribution), plus each `vary`
    as a uniform factor on [low, high] (replacing the number's distribution if it has one)."""
    from sim.space import compile_scenario

    model, _ = _scenario(scenario)
    chosen = {v.path: v for v in varies}
    found = [
        _factor(path, distribution)
        for path, distribution in compile_scenario(model).uncertain
        if path not in chosen
    ]
    for vary in varies:
        low, high = vary.low, vary.high
        found.append(
            Factor(vary.path, f"uniform [{low:g}, {high:g}] (--vary)", _uniform(low, high))
        )
    return found


def _uniform(low: float, high: float) -> Callable[[float], float]:
    return lambda u: low + u * (high - low)


def _factor(path: str, distribution: Distribution) -> Factor:
    from scipy import stats

    from sim.scenario import Beta, Normal, Uniform

    if isinstance(distribution, Uniform):
        low, high = distribution.low, distribution.high
        return Factor(path, f"uniform [{low:g}, {high:g}]", _uniform(low, high))
    if isinstance(distribution, Beta):
        b = distribution

        def beta(u: float) -> float:
            return float(b.low + (b.high - b.low) * stats.beta.ppf(u, b.a, b.b))

        return Factor(path, f"beta({b.a:g}, {b.b:g}) on [{b.low:g}, {b.high:g}]", beta)
    if isinstance(distribution, Normal):
        n = distribution

        def normal(u: float) -> float:
            value = n.mean if n.sd == 0 else stats.norm.ppf(u, n.mean, n.sd)
            return float(np.clip(value, n.low, n.high))

        return Factor(path, f"normal({n.mean:g}, {n.sd:g}) clipped to [{n.low:g}, {n.high:g}]",
                      normal)  # fmt: skip
    values = list(distribution.values)
    weights = np.asarray(distribution.weights or [1.0] * len(values), dtype=float)
    cumulative = np.cumsum(weights) / weights.sum()

    def choice(u: float) -> float:
        index = min(int(np.searchsorted(cumulative, u, side="right")), len(values) - 1)
        return float(values[index])

    shown = ", ".join(f"{v:g}" for v in values)
    return Factor(path, f"choice of {{{shown}}} as an index by cumulative weight", choice)


@dataclass
class SobolResult:
    """Sobol indices with how they were computed."""

    indices: pd.DataFrame
    """One row per (target, parameter): `S1`, `S1_conf`, `ST`, `ST_conf` (95% bootstrap
    half-widths), sorted by `ST` within each target."""
    factors: pd.DataFrame
    """One row per factor: `parameter`, `distribution`."""
    method: str
    points: int
    runs: int
    """Runs per point."""
    constant: dict[str, float] = field(default_factory=dict)
    """Targets whose probability is the same at every point (their indices are NaN)."""


SOBOL_STABLE_N = 64
"""Below this base sample size the CLI and the dashboard warn that the indices are rough."""


def sobol(
    scenario: LoadedScenario | Scenario,
    samples: int = 64,
    runs: int = 32,
    *,
    varies: Sequence[Vary] = (),
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress = None,
) -> SobolResult:
    """First- and total-order Sobol indices of P(agreement) and P(escalation).

    `samples` is SALib's base sample size N (a power of 2); the analysis runs N x (D + 2)
    points of D factors, each point `runs` times.
    """
    from SALib.analyze import sobol as analyse
    from SALib.sample import sobol as sample

    if samples < 2 or samples & (samples - 1):
        raise ValueError(f"the Sobol sample size must be a power of 2 (>= 2), got {samples}")
    chosen = factors(scenario, varies)
    if not chosen:
        raise ValueError(
            "the scenario has no uncertain numbers: give some as distributions or add --vary"
        )
    if varies:
        check_paths(scenario, [tuple((v.path, v.low) for v in varies)])
    names = [f.path for f in chosen]
    problem = {"num_vars": len(chosen), "names": names, "bounds": [[0.0, 1.0]] * len(chosen)}
    draws = sample.sample(problem, samples, calc_second_order=False, scramble=True, seed=seed)
    cases: list[Settings] = [
        tuple((f.path, f.inverse(float(u))) for f, u in zip(chosen, row, strict=True))
        for row in draws
    ]
    counts = evaluate(
        scenario, cases, runs, seed=seed, workers=workers, scheduler=scheduler, progress=progress
    )
    rows = []
    constant: dict[str, float] = {}
    for target in SOBOL_TARGETS:
        output = counts[:, OUTCOMES.index(target)] / runs
        if np.ptp(output) == 0:  # no variance to apportion: the indices are undefined
            constant[target] = float(output[0])
            result = {k: np.full(len(names), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            result = analyse.analyze(
                problem,
                output,
                calc_second_order=False,
                print_to_console=False,
                seed=seed + 1,  # SALib reads a seed of 0 as "no seed" (global random state)
            )
        for j, name in enumerate(names):
            rows.append(
                {"target": target, "parameter": name,
                 **{k: float(result[k][j]) for k in ("S1", "S1_conf", "ST", "ST_conf")}}
            )  # fmt: skip
    indices = pd.DataFrame(rows)
    indices = indices.sort_values(
        ["target", "ST"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)
    method = (
        f"Sobol variance-based indices (SALib {_salib_version()}): Saltelli sampling with "
        f"scrambled Sobol' sequences, N={samples}, D={len(names)}, {len(cases)} points x {runs} "
        "runs (common seeds); first-order (S1) and total-order (ST) indices of the share of "
        "runs ending in each target outcome, 95% bootstrap intervals. Each factor follows its "
        "scenario distribution through its inverse CDF; a choice is an index by cumulative "
        "weight. The runs' own randomness (red lines binding, votes) is not a factor."
    )
    if samples < SOBOL_STABLE_N:
        method += (
            f" Caution: N={samples} is small; indices this rough can read as 0 or come out "
            f"negative or with S1 > ST. Trust only narrow intervals, or use N >= {SOBOL_STABLE_N}."
        )
    table = pd.DataFrame({"parameter": names, "distribution": [f.describe for f in chosen]})
    return SobolResult(indices, table, method, len(cases), runs, constant)


def _salib_version() -> str:
    from importlib.metadata import version

    return version("SALib")


# --- defaults and reports ----------------------------------------------------------------------


def default_varies(scenario: LoadedScenario | Scenario, steps: int = 3) -> list[Vary]:
    """Every uncertain number of the scenario over its bounds, in `steps` values."""
    from sim.space import compile_scenario
    from sim.uncertainty import bounds

    model, _ = _scenario(scenario)
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


@dataclass
class Report:
    """The results of `redlines sensitivity`, as text or as one JSON object."""

    one_at_a_time: pd.DataFrame
    grid: pd.DataFrame | None
    sobol: SobolResult | None
    runs: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        document: dict[str, Any] = {
            "seed": self.seed,
            "runs_per_setting": self.runs,
            "one_at_a_time": {
                "method": ONE_AT_A_TIME_METHOD,
                "rows": self.one_at_a_time.to_dict(orient="records"),
                "ranking": {
                    target: ranking(self.one_at_a_time, target).to_dict(orient="records")
                    for target in SOBOL_TARGETS
                },
            },
            "grid": None,
            "sobol": None,
        }
        if self.grid is not None:
            document["grid"] = {
                "method": "two numbers set together to every pair of values (common seeds)",
                "x": self.grid.attrs["x_path"],
                "y": self.grid.attrs["y_path"],
                "rows": self.grid.to_dict(orient="records"),
            }
        if self.sobol is not None:
            document["sobol"] = {
                "method": self.sobol.method,
                "points": self.sobol.points,
                "runs_per_point": self.sobol.runs,
                "factors": self.sobol.factors.to_dict(orient="records"),
                "constant": self.sobol.constant,
                "indices": [
                    {
                        k: (None if isinstance(v, float) and np.isnan(v) else v)
                        for k, v in row.items()
                    }
                    for row in self.sobol.indices.to_dict(orient="records")
                ],
            }
        return document

    def text(self) -> str:
        """Plain text for a terminal."""
        lines = [f"Method: {ONE_AT_A_TIME_METHOD}.", f"{self.runs:,} runs per setting, seed "
                 f"{self.seed}.", ""]  # fmt: skip
        table = self.one_at_a_time
        names = list(table["parameter"])
        if self.sobol is not None:
            names += list(self.sobol.indices["parameter"])
        width = max([len(name) for name in names] + [10])
        lines.append(f"{'value':>10}  {'P(agreement) [95%]':<26}{'P(escalation) [95%]':<26}")
        for parameter in dict.fromkeys(table["parameter"]):
            lines.append(parameter)
            rows = table[table["parameter"] == parameter]
            for value in dict.fromkeys(rows["value"]):
                at = rows[rows["value"] == value].set_index("outcome")
                cells = [
                    f"{at.at[t, 'p']:.3f} [{at.at[t, 'low']:.3f}, {at.at[t, 'high']:.3f}]"
                    for t in SOBOL_TARGETS
                ]
                lines.append(f"{value:>10.4g}  {cells[0]:<26}{cells[1]:<26}")
        lines.append("")
        lines.append("Ranking by swing of P(agreement) (largest minus smallest over the values):")
        for k, row in ranking(self.one_at_a_time).iterrows():
            lines.append(f"{k + 1:>3}. {row['parameter']:<{width}} {row['swing']:.3f}")
        if self.grid is not None:
            lines.append("")
            x, y = self.grid.attrs["x_path"], self.grid.attrs["y_path"]
            lines.append(f"Grid: P(agreement); rows {x}, columns {y}")
            heat = self.grid[self.grid["outcome"] == "agreement"].pivot(
                index="x", columns="y", values="p"
            )
            lines.append(" " * 10 + "".join(f"{c:>9.4g}" for c in heat.columns))
            for value, row in heat.iterrows():
                lines.append(f"{value:>10.4g}" + "".join(f"{p:>9.3f}" for p in row))
        if self.sobol is not None:
            lines.append("")
            lines.append(f"Method: {self.sobol.method}")
            for target in SOBOL_TARGETS:
                if target in self.sobol.constant:
                    value = self.sobol.constant[target]
                    lines.append(
                        f"P({target}) is {value:.3f} at every point: no variance, no indices."
                    )
                    continue
                lines.append(f"Sobol indices of P({target}), by total order:")
                rows = self.sobol.indices[self.sobol.indices["target"] == target]
                for _, row in rows.iterrows():
                    lines.append(
                        f"  {row['parameter']:<{width}} S1 {row['S1']:6.3f} ±{row['S1_conf']:.3f}"
                        f"  ST {row['ST']:6.3f} ±{row['ST_conf']:.3f}"
                    )
        return "\n".join(lines)

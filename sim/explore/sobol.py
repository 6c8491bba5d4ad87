"""Sobol variance-based sensitivity indices (SALib) over a scenario's uncertain numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.results import OUTCOMES
from sim.explore.progress import Progress
from sim.explore.sensitivity import Vary, check_paths, evaluate, scenario_of
from sim.scenario.build import LoadedScenario, Settings
from sim.scenario.distributions import Distribution
from sim.scenario.schema import Scenario

SOBOL_TARGETS = ("agreement", "escalation")


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
    from sim.engine.space import compile_scenario

    model, _ = scenario_of(scenario)
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

    from sim.scenario.distributions import Beta, Normal, Uniform

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
        check_paths(scenario, [((v.path, v.low), (v.path, v.high)) for v in varies])
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

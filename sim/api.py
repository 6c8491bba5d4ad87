"""The facade of Red Lines: every computation a Python user, the CLI or the dashboard asks for.

A thin layer over the pure functions below it, as Nashpy's `Game` is over its algorithms. Each
function takes a scenario (a path, or what :func:`load` returned) and gives a result whose
`to_dict()` is what the matching command prints with `--json`:

>>> scenario = load("scenarios/baseline.yaml")
>>> run(scenario, seed=1).to_dict()["outcome"]
'no_talks'

Problems a user can cause raise :class:`ScenarioError` (located: `FILE:LINE:COL: message`) or
:class:`BadInput` (a flag or an address); anything else is a bug. The result and error types
are re-exported here, so the dashboard imports nothing from `sim` but this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.analysis.bargaining import Analysis, Point, RedLineSummary, Relaxation, analyse
from sim.cli.briefing import briefing_text
from sim.cli.story import ENDINGS, Story, render
from sim.cli.tables import discovery_text, format_summary, sensitivity_text, sweep_text
from sim.engine.params import DEFAULT_EXPONENTS
from sim.engine.results import OUTCOMES, Outcome, RunResult
from sim.engine.run import RunOutput, new_seed
from sim.engine.run import run as _run
from sim.engine.space import Compiled, compile_scenario
from sim.errors import Problem, ScenarioError
from sim.explore.bundle import Bundle, Finding, SweepDirError, SweepWarning
from sim.explore.columns import BINDS, CONCEDED, TERMS, UTILITY, family
from sim.explore.discovery import Discovery
from sim.explore.discovery import discover as _discover
from sim.explore.estimate import (
    MANY_RUNS,
    Estimate,
    OverBudget,
    check_budget,
    default_budget,
    parse_size,
    sweep_cost,
)
from sim.explore.estimate import size as bytes_text
from sim.explore.montecarlo import SweepResult, kept_runs, open_sweep
from sim.explore.montecarlo import sweep as _sweep
from sim.explore.progress import Progress
from sim.explore.sensitivity import Vary, default_varies, grid, one_at_a_time, ranking
from sim.explore.sensitivity_report import Report
from sim.explore.sobol import SOBOL_STABLE_N, SobolResult, sobol
from sim.scenario.build import LoadedScenario, Settings, apply_overrides, apply_settings
from sim.scenario.build import load_scenario as _load_scenario
from sim.scenario.build import load_text as _load_text
from sim.scenario.distributions import (
    Beta,
    Choice,
    Distribution,
    Normal,
    Uniform,
    bounds,
    is_uncertain,
    nominal,
)
from sim.scenario.export import export_yaml, scenario_data
from sim.scenario.parameters import RANGES, Parameter, Range, parameters
from sim.scenario.reading import decode, read_text
from sim.scenario.schema import OptionRef, Scenario, json_schema
from sim.scenario.sources import fold, quote_found, quote_line, read_source, resolve_source

__all__ = [
    "BINDS", "CONCEDED", "DEFAULT_EXPONENTS", "ENDINGS", "MANY_RUNS", "OUTCOMES", "RANGES",
    "SOBOL_STABLE_N", "TERMS", "UTILITY", "Analysis", "BadInput", "Beta", "Choice", "Compiled",
    "Discovery", "Distribution", "Estimate", "Finding", "LoadedScenario", "Normal", "OptionRef",
    "Outcome", "OverBudget", "Parameter", "Point", "Problem", "Progress", "Range",
    "RedLineSummary", "Relaxation", "Report", "RunOutput", "RunResult", "Scenario",
    "ScenarioError", "Settings", "SobolResult", "Story", "SweepDirError", "SweepResult",
    "SweepWarning", "Uniform", "Vary", "apply_overrides", "apply_settings", "bounds",
    "briefing_text", "bytes_text", "check_budget", "compile_scenario", "decode", "default_budget",
    "default_varies", "discover", "discovery_text", "estimate_sweep", "explain", "export_yaml",
    "family", "fold", "format_summary", "grid", "is_uncertain", "json_schema", "kept_runs", "load",
    "load_text", "new_seed", "nominal", "one_at_a_time", "open_sweep", "parameters", "parse_size",
    "quote_found", "quote_line", "ranking", "read_source", "read_text", "render", "resolve_source",
    "run", "scenario_data", "sensitivity", "sensitivity_text", "sobol", "story_text", "sweep",
    "sweep_text", "validate", "verify_sweep",
]  # fmt: skip


class BadInput(ValueError):
    """A flag, a value or an address a user gave that cannot be used (exit 2 in the CLI)."""


ScenarioLike = str | Path | LoadedScenario | Scenario
"""A scenario file's path, what :func:`load` returned, or a checked :class:`Scenario` (one
that :func:`apply_overrides` made, as the dashboard's widgets do)."""


def load(path: str | Path, overrides: Sequence[str] = ()) -> LoadedScenario:
    """Read and check a scenario file, then apply `--set` style overrides.

    >>> load("scenarios/baseline.yaml", ["protocol.max_rounds=5"]).scenario.protocol.max_rounds
    5
    """
    return _load_scenario(path, overrides)


def load_text(
    text: str, name: str, folder: str | Path, overrides: Sequence[str] = ()
) -> LoadedScenario:
    """Check scenario text as if it were the file `name` in `folder` (its sources' folder).

    >>> text = Path("scenarios/baseline.yaml").read_text()
    >>> load_text(text, "pasted.yaml", "scenarios").scenario.id
    'baseline'
    """
    return _load_text(text, name, Path(folder), overrides)


def validate(path: str | Path) -> list[Problem]:
    """Every problem of a scenario file, in file order (empty when it is valid).

    >>> validate("scenarios/baseline.yaml")
    []
    >>> [p.message for p in validate("no/such.yaml")]
    ['no such file']
    """
    try:
        _load_scenario(path)
    except ScenarioError as error:
        return list(error.problems)
    return []


def _loaded(scenario: ScenarioLike) -> LoadedScenario | Scenario:
    if isinstance(scenario, LoadedScenario | Scenario):
        return scenario
    return _load_scenario(scenario)


def run(scenario: ScenarioLike | Compiled, *, seed: int | None = None) -> RunOutput:
    """One recorded run: its result, events and per-round data (`redlines run --json`).

    Without a seed, a fresh one is drawn and reported in the result. A scenario compiled
    once (:func:`compile_scenario`) can be run with many seeds.

    >>> output = run("scenarios/baseline.yaml", seed=3)
    >>> output.result.outcome, output.result.rounds, output.to_dict()["seed"]
    ('agreement', 20, 3)
    """
    return _run(scenario if isinstance(scenario, Compiled) else _loaded(scenario), seed=seed)


def explain(
    scenario: ScenarioLike | Compiled, *, threshold: float = 0.0, max_relaxation: int = 3
) -> Analysis:
    """The bargaining space at the nominal numbers (`redlines explain --json`).

    >>> document = explain("scenarios/baseline.yaml").to_dict()
    >>> document["outcomes"], document["zopa_size"]
    (45, 2)
    """
    if not 0.0 <= threshold <= 1.0:
        raise BadInput(f"--threshold {threshold}: must lie in [0, 1]")
    model = scenario if isinstance(scenario, Compiled) else _loaded(scenario)
    return analyse(model, threshold=threshold, max_relaxation_size=max_relaxation)


def sweep(
    scenario: ScenarioLike,
    runs: int,
    *,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    out: str | Path | None = None,
    progress: Progress = None,
    chunk_size: int | None = None,
    memory_budget: int | None = None,
) -> SweepResult:
    """Monte Carlo: `runs` seeded draws, outcome probabilities (`redlines sweep --json`).

    `chunk_size` (runs per chunk, so how often `progress` is called) changes no number.

    >>> result = sweep("scenarios/baseline.yaml", 20, seed=0, workers=1)
    >>> result.to_dict()["runs"], sorted(result.to_dict()["outcomes"]) == sorted(OUTCOMES)
    (20, True)
    """
    try:
        return _sweep(
            _loaded(scenario),
            runs,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            out=out,
            progress=progress,
            chunk_size=chunk_size,
            memory_budget=memory_budget,
        )
    except ConnectionError as error:
        raise BadInput(str(error)) from None


def estimate_sweep(
    scenario: ScenarioLike,
    runs: int,
    *,
    workers: int | None = None,
    scheduler: Any = None,
    out: str | Path | None = None,
) -> Estimate:
    """The memory and time a sweep will take here, before it runs (what `sweep` checks).

    >>> cost = estimate_sweep("scenarios/baseline.yaml", 1000, workers=1)
    >>> cost.outcomes, cost.workers
    (54, 1)
    """
    loaded = _loaded(scenario)
    model = loaded.scenario if isinstance(loaded, LoadedScenario) else loaded
    return sweep_cost(model, runs, workers, scheduler, out=out)


def verify_sweep(path: str | Path) -> list[Finding]:
    """What is wrong with a sweep directory's chunks, reading only (`redlines sweep --verify`).

    Every chunk is checked: present, this sweep's own (seed, scenario, runs), its sha256 the
    one committed to the manifest, every Parquet page's checksum, its rows. An empty list: the
    directory is sound (a missing chunk of an unfinished sweep is a finding of kind `missing`).

    >>> verify_sweep("no/such/sweep")
    Traceback (most recent call last):
    ...
    sim.explore.manifest.SweepDirError: no/such/sweep: not a sweep directory (manifest.json missing)
    """
    return Bundle.existing(path).verify()


def sensitivity(
    scenario: ScenarioLike,
    vary: Sequence[str | Vary] = (),
    *,
    runs: int = 500,
    with_grid: bool = False,
    sobol_samples: int | None = None,
    sobol_runs: int = 32,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress = None,
) -> Report:
    """One at a time, a two-number grid and Sobol indices (`redlines sensitivity --json`).

    `vary`: `PATH=LOW:HIGH:STEPS` texts (or :class:`Vary`); default: every uncertain number
    over its bounds, 3 steps. Every value is checked as a `--set` would be.

    >>> baseline = load("scenarios/baseline.yaml")
    >>> batna = f"actors.{baseline.scenario.actors[0].id}.batna.value"  # the first actor's
    >>> report = sensitivity(baseline, [f"{batna}=0.2:0.8:2"], runs=10, workers=1)
    >>> sorted(report.to_dict())
    ['grid', 'one_at_a_time', 'runs_per_setting', 'seed', 'sobol']
    >>> sensitivity(baseline, [f"{batna}=0.5:1.5:3"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    sim.errors.ScenarioError: --vary:1:1: actors....batna.value: a BATNA must lie in [0.0, 1.0], got 1.5
    """  # noqa: E501
    loaded = _loaded(scenario)
    try:
        explicit = [v if isinstance(v, Vary) else Vary.parse(v) for v in vary]
        varies = explicit or default_varies(loaded)
        if not varies:
            raise BadInput(
                "the scenario has no uncertain numbers, so there is nothing to vary: give a "
                "number as a distribution, or --vary PATH=LOW:HIGH:STEPS"
            )
        if with_grid and len(varies) != 2:
            raise BadInput("--grid needs exactly two --vary options")
        where: dict[str, Any] = {"seed": seed, "workers": workers, "scheduler": scheduler}
        oat = one_at_a_time(loaded, varies, runs, progress=progress, **where)
        heat = grid(loaded, varies[0], varies[1], runs, **where) if with_grid else None
        indices = None
        if sobol_samples:
            indices = sobol(loaded, sobol_samples, sobol_runs, varies=explicit, **where)
    except ConnectionError as error:
        raise BadInput(str(error)) from None
    except ValueError as error:
        if isinstance(error, BadInput | SweepDirError):
            raise
        raise BadInput(str(error)) from None
    return Report(oat, heat, indices, runs=runs, seed=seed)


def discover(
    source: ScenarioLike,
    target: str = "agreement",
    *,
    runs: int = 2000,
    boxes: int = 3,
    min_coverage: float = 0.0,
    seed: int = 0,
    workers: int | None = None,
    scheduler: Any = None,
    progress: Progress = None,
    chunk_size: int | None = None,
    memory_budget: int | None = None,
) -> Discovery:
    """PRIM boxes of the inputs where an outcome concentrates (`redlines discover --json`).

    `source`: a scenario (swept `runs` times) or a finished sweep directory.

    >>> found = discover("scenarios/baseline.yaml", "agreement", runs=200, workers=1)
    >>> found.to_dict()["target"], found.runs
    ('agreement', 200)
    """
    if target not in OUTCOMES:
        raise BadInput(f"--target {target!r}: choose one of {', '.join(OUTCOMES)}")
    if isinstance(source, str | Path) and Path(source).is_dir():
        table = open_sweep(source).table
    else:
        result = sweep(
            source,
            runs,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            chunk_size=chunk_size,
            memory_budget=memory_budget,
        )
        table = result.table
    return _discover(table, target, min_coverage=min_coverage, max_boxes=boxes)


def story_text(output: RunOutput, width: int = 100) -> str:
    """A recorded run told round by round, as `redlines run` prints it (plain text).

    >>> "Agreement in round 20" in story_text(run("scenarios/baseline.yaml", seed=3))
    True
    """
    import io

    from rich.console import Console

    console = Console(file=io.StringIO(), width=width, record=True, highlight=False)
    render(output, console)
    return console.export_text()

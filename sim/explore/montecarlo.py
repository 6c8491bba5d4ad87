"""Monte Carlo sweeps: many seeded runs of a scenario, as one tidy table and a summary.

Seeds. Run `i` of a sweep with root seed `S` and `N` runs is seeded with the first 64-bit
word of `numpy.random.SeedSequence(S).spawn(N)[i]`, shifted right by one bit so it fits an
int64. That child is `SeedSequence(S, spawn_key=(i,))`, so any chunk computes its own seeds
directly (about 13 µs a run) and the seeds, hence the results, depend on nothing but `S` and
`i`: not on the number of workers, the chunking, the executor or the order chunks finish in.

Table. One row per run, in run order: `run`, `seed`, every sampled parameter (named by its
dotted `--set` path), `binds.ACTOR.RED_LINE` (True when that red line bound in the run),
`outcome`, `rounds`, `terms.ISSUE` (the agreed option, or the deployed one on escalation;
missing otherwise) and `utility.ACTOR` (missing without terms).

Chunks. Runs go out in chunks of a few hundred (see :func:`default_chunk_size`) to an
executor of :mod:`sim.explore.executors`; with `out`, each chunk is written to a sweep directory
(:mod:`sim.explore.bundle`) as soon as it is back, and only counts stay in memory.
"""

from __future__ import annotations

import gc
import hashlib
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.results import OUTCOMES
from sim.engine.space import Compiled, compile_scenario
from sim.explore.bundle import Bundle, Plan, SweepWarning, read_manifest
from sim.explore.columns import BINDS, CONCEDED, TERMS, UTILITY, column
from sim.explore.estimate import check_budget, default_budget, sweep_cost
from sim.explore.executors import Work, checked_scheduler, compiled_for, open_executor
from sim.explore.progress import Progress, reporter
from sim.explore.summary import Tally
from sim.scenario.build import LoadedScenario
from sim.scenario.schema import Scenario

# --- seeds ----------------------------------------------------------------------------------------


def run_seeds(root_seed: int, start: int, stop: int) -> np.ndarray:
    """The seeds of runs `start`..`stop`-1 of a sweep with root seed `root_seed` (int64).

    >>> children = np.random.SeedSequence(7).spawn(3)
    >>> int(run_seeds(7, 2, 3)[0]) == int(children[2].generate_state(1, np.uint64)[0] >> 1)
    True
    """
    if root_seed < 0:
        raise ValueError(f"the seed must be a non-negative integer, got {root_seed}")
    seeds = np.empty(stop - start, dtype=np.int64)
    for k, run in enumerate(range(start, stop)):
        word = np.random.SeedSequence(root_seed, spawn_key=(run,)).generate_state(1, np.uint64)
        seeds[k] = int(word[0]) >> 1
    return seeds


def default_chunk_size(runs: int) -> int:
    """Runs per chunk: a few hundred (100 to 1,000), about 200 chunks for large sweeps."""
    return max(1, min(runs, max(100, min(1000, runs // 200))))


# --- the table ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """The columns of a scenario's sweep table."""

    parameters: tuple[str, ...]
    red_lines: tuple[str, ...]
    preconditions: tuple[str, ...]
    """Red lines with a precondition: each gets a `conceded.` column."""
    issues: tuple[str, ...]
    options: tuple[tuple[str, ...] | None, ...]
    """Per issue: the option ids of a categorical issue, None for a numeric one."""
    actors: tuple[str, ...]

    @classmethod
    def of(cls, compiled: Compiled) -> Layout:
        """The layout of a compiled scenario."""
        space = compiled.space
        return cls(
            parameters=tuple(path for path, _ in compiled.uncertain),
            red_lines=tuple(ref.key for ref in compiled.red_lines),
            preconditions=tuple(
                ref.key for ref in compiled.red_lines if ref.rule.precondition is not None
            ),
            issues=space.issues,
            options=tuple(
                None if issue.numeric else tuple(str(o) for o in space.options[i])
                for i, issue in enumerate(compiled.scenario.issues)
            ),
            actors=compiled.actor_ids,
        )

    @property
    def columns(self) -> list[str]:
        """Every column name, in order."""
        return [
            "run",
            "seed",
            *self.parameters,
            *(column(BINDS, key) for key in self.red_lines),
            *(column(CONCEDED, key) for key in self.preconditions),
            "outcome",
            "rounds",
            *(column(TERMS, issue) for issue in self.issues),
            *(column(UTILITY, actor) for actor in self.actors),
        ]

    def conform(self, table: pd.DataFrame) -> pd.DataFrame:
        """The table with the layout's dtypes (outcome and categorical terms as categories)."""
        table = table.copy()
        table["outcome"] = pd.Categorical(table["outcome"].astype(object), categories=OUTCOMES)
        for issue, options in zip(self.issues, self.options, strict=True):
            name = column(TERMS, issue)
            if options is None:
                table[name] = table[name].astype(np.float64)
            else:
                table[name] = pd.Categorical(table[name].astype(object), categories=options)
        return table.reset_index(drop=True)


LARGE_CELLS = 200_000
"""Outcomes x actors from which a worker collects each run's garbage at once (a few ms
against a run of a tenth of a second or more), so memory stays that of one run."""


def run_table(work: Work) -> pd.DataFrame:
    """Run one chunk of a sweep (in a worker) and return its rows."""
    from sim.engine.run import simulate

    compiled = compiled_for(work)
    layout = Layout.of(compiled)
    seeds = run_seeds(work.root_seed, work.start, work.stop)
    n = len(seeds)
    parameter = {path: j for j, path in enumerate(layout.parameters)}
    red_line = {key: j for j, key in enumerate(layout.red_lines)}
    precondition = {key: j for j, key in enumerate(layout.preconditions)}
    outcome_code = {name: k for k, name in enumerate(OUTCOMES)}
    option_code = [
        None if options is None else {o: k for k, o in enumerate(options)}
        for options in layout.options
    ]
    actor = {a: j for j, a in enumerate(layout.actors)}

    sampled = np.full((n, len(layout.parameters)), np.nan)
    binds = np.zeros((n, len(layout.red_lines)), dtype=bool)
    conceded = np.zeros((n, len(layout.preconditions)), dtype=bool)
    outcomes = np.zeros(n, dtype=np.int8)
    rounds = np.zeros(n, dtype=np.int64)
    terms = np.full((n, len(layout.issues)), np.nan)
    utilities = np.full((n, len(layout.actors)), np.nan)
    large = compiled.space.size * compiled.n_actors >= LARGE_CELLS
    for k, seed in enumerate(seeds.tolist()):
        result = simulate(compiled, seed)
        if large:  # a run's model is a cycle of objects: free its arrays before the next run
            gc.collect()
        for path, drawn in result.sampled.items():
            j = parameter.get(path)
            if j is not None:
                sampled[k, j] = drawn
        for owner, ids in result.binding_red_lines.items():
            for line in ids:
                binds[k, red_line[f"{owner}.{line}"]] = True
        for owner, ids in result.conceded.items():
            for line in ids:
                conceded[k, precondition[f"{owner}.{line}"]] = True
        outcomes[k] = outcome_code[result.outcome]
        rounds[k] = result.rounds
        if result.terms is not None:
            for i, issue in enumerate(layout.issues):
                value = result.terms.get(issue)
                if value is None:  # a deployment names only some issues
                    continue
                codes = option_code[i]
                terms[k, i] = float(value) if codes is None else codes[str(value)]
        if result.utilities is not None:
            for name, utility in result.utilities.items():
                utilities[k, actor[name]] = utility

    columns: dict[str, Any] = {
        "run": np.arange(work.start, work.stop, dtype=np.int64),
        "seed": seeds,
    }
    for j, path in enumerate(layout.parameters):
        columns[path] = sampled[:, j]
    for j, key in enumerate(layout.red_lines):
        columns[column(BINDS, key)] = binds[:, j]
    for j, key in enumerate(layout.preconditions):
        columns[column(CONCEDED, key)] = conceded[:, j]
    columns["outcome"] = pd.Categorical.from_codes(outcomes, categories=OUTCOMES)
    columns["rounds"] = rounds
    for i, issue in enumerate(layout.issues):
        options = layout.options[i]
        if options is None:
            columns[column(TERMS, issue)] = terms[:, i]
        else:
            picked = np.where(np.isnan(terms[:, i]), -1, terms[:, i]).astype(np.int16)
            columns[column(TERMS, issue)] = pd.Categorical.from_codes(picked, categories=options)
    for j, name in enumerate(layout.actors):
        columns[column(UTILITY, name)] = utilities[:, j]
    return pd.DataFrame(columns)


# --- the scenario as it travels -------------------------------------------------------------------


def scenario_yaml(scenario: Scenario) -> str:
    """The scenario as YAML text (what workers compile and what a sweep directory keeps)."""
    from sim.scenario.export import export_yaml

    return export_yaml(scenario)


def text_hash(text: str) -> str:
    """The sha256 of a text's UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _sources(loaded: LoadedScenario) -> list[tuple[Path, str]]:
    """Source documents that live under the scenario's folder, with their relative paths."""
    found = []
    for source in loaded.scenario.sources:
        relative = PurePosixPath(source.path)
        file = loaded.folder / relative
        if not relative.is_absolute() and ".." not in relative.parts and file.is_file():
            found.append((file, str(relative)))
    return found


# --- the sweep ------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    """A finished sweep: its summary, and its table (in memory, or read from `out`)."""

    scenario: str
    """The scenario's id."""
    scenario_sha256: str
    seed: int
    runs: int
    summary: dict[str, Any]
    out: Path | None = None
    layout: Layout | None = field(default=None, repr=False)
    _table: pd.DataFrame | None = field(default=None, repr=False)
    elapsed: float = 0.0
    """Seconds spent running (0 when nothing was left to run)."""
    ran: int = 0
    """Runs executed by this call (fewer than `runs` when a sweep resumed)."""

    @property
    def table(self) -> pd.DataFrame:
        """One row per run, in run order (read from the sweep directory when there is one)."""
        if self._table is None:
            if self.out is None:
                raise ValueError("this sweep kept no table")
            self._table = read_table(self.out)
        return self._table

    @property
    def outcomes(self) -> pd.DataFrame:
        """One row per outcome: `outcome`, `p`, `low`, `high` (Wilson 95%), `count`."""
        rows = [{"outcome": name, **row} for name, row in self.summary["outcomes"].items()]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The `redlines sweep --json` object: the summary."""
        return self.summary


def sweep(
    scenario: LoadedScenario | Scenario,
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
    """Run `runs` seeded Monte Carlo draws of a scenario; return the table and its summary.

    `workers`: local processes (default: every core; 1 runs here). `scheduler`: a Dask
    scheduler address (`tcp://host:port`), Client or cluster, used instead of local workers.
    `out`: a directory for Parquet chunks, manifest, scenario copy and summary; running the
    same sweep on the same directory resumes it. Results do not depend on `workers`,
    `scheduler` or `chunk_size`. `memory_budget` (bytes; default half of this machine's
    memory): a sweep estimated to need more (:mod:`sim.explore.estimate`) is refused with
    :class:`sim.explore.estimate.OverBudget`. Raises ValueError on bad arguments,
    :class:`sim.explore.bundle.SweepDirError` for a directory that holds another sweep, and
    ConnectionError for an unreachable scheduler.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if seed < 0:
        raise ValueError(f"the seed must be a non-negative integer, got {seed}")
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, got {chunk_size}")
    loaded = scenario if isinstance(scenario, LoadedScenario) else None
    model = scenario.scenario if isinstance(scenario, LoadedScenario) else scenario
    text = scenario_yaml(model)
    key = text_hash(text)
    layout = Layout.of(compile_scenario(model))
    plan = Plan(model.id, key, seed, runs, chunk_size or default_chunk_size(runs))
    cost = sweep_cost(model, runs, workers, scheduler, out=out, chunk_size=plan.chunk_size)
    check_budget(cost, default_budget() if memory_budget is None else memory_budget)
    if scheduler is not None and out is not None:
        checked_scheduler(scheduler)  # an unreachable one claims no directory

    bundle = None
    if out is not None:
        bundle = Bundle.open(
            out,
            plan,
            scenario_text=text,
            columns=layout.columns,
            sources=_sources(loaded) if loaded is not None else (),
            overrides=loaded.overrides if loaded is not None else (),
        )
        plan = bundle.plan  # a resumed sweep keeps its chunking
    with bundle if bundle is not None else nullcontext():
        tally = Tally(layout.issues, layout.red_lines)
        tables: dict[int, pd.DataFrame] = {}
        done = _resume(bundle, tally) if bundle is not None else []
        finished = set(done)
        todo = [
            Work(key, text, seed, *plan.chunk_range(index), tag=index)
            for index in range(plan.chunks)
            if index not in finished
        ]
        already = sum(len(range(*plan.chunk_range(i))) for i in done)

        began = time.perf_counter()
        if todo:
            with (
                open_executor(workers, scheduler, chunks=len(todo)) as executor,
                reporter(progress, runs, already) as report,
            ):
                for work, table in executor.map(run_table, todo):
                    if bundle is not None:
                        bundle.write_chunk(work.tag, table)
                    else:
                        tables[work.tag] = table
                    tally.add(table)
                    report(work.size)
        elapsed = time.perf_counter() - began if todo else 0.0

        summary = {"scenario": model.id, "scenario_sha256": key, "seed": seed, **tally.summary()}
        if bundle is not None:
            bundle.finish(summary)
    table = None
    if bundle is None:
        table = layout.conform(pd.concat([tables[i] for i in sorted(tables)], ignore_index=True))
    return SweepResult(
        scenario=model.id,
        scenario_sha256=key,
        seed=seed,
        runs=runs,
        summary=summary,
        out=Path(out) if out is not None else None,
        layout=layout,
        _table=table,
        elapsed=elapsed,
        ran=runs - already,
    )


def _resume(bundle: Bundle, tally: Tally) -> list[int]:
    """Verify every stored chunk; count the sound ones, set aside the rest to run again."""
    done = []
    for index in range(bundle.plan.chunks):
        finding, table = bundle.inspect(index)
        if finding is None:
            tally.add(table)
            done.append(index)
        elif finding.kind == "uncommitted":  # stopped between writing it and committing it
            finding.file.unlink()
        elif finding.kind != "missing":
            moved = bundle.quarantine(finding)
            warnings.warn(SweepWarning(f"{finding}; moved to {moved}, run again"), stacklevel=3)
    return done


def kept_runs(path: str | Path) -> tuple[int, int]:
    """(runs committed, runs asked) of a sweep directory, as its manifest says."""
    bundle = Bundle.existing(path)
    committed = bundle.manifest.get("committed", {}).values()
    return sum(c["stop"] - c["start"] for c in committed), bundle.plan.runs


def read_table(path: str | Path) -> pd.DataFrame:
    """The whole table of a sweep directory, in run order."""
    from sim.explore.bundle import SweepDirError

    layout = open_sweep(path).layout
    bundle = Bundle.existing(path)
    tables, missing, damaged = [], 0, []
    for index in range(bundle.plan.chunks):
        finding, table = bundle.inspect(index)
        if finding is None:
            tables.append(table)
        elif finding.kind == "missing":
            missing += 1
        else:
            damaged.append(str(finding))
    if damaged:
        raise SweepDirError(
            f"{damaged[0]}"
            + (f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else "")
            + "; resume the sweep to set damaged chunks aside and run them again"
        )
    if missing:
        raise SweepDirError(
            f"{path}: {missing} chunks are missing; run the sweep again to redo them"
        )
    table = pd.concat(tables, ignore_index=True)
    return layout.conform(table) if layout is not None else table


def _read_text(file: Path) -> str:
    from sim.explore.bundle import SweepDirError

    try:
        return file.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise SweepDirError(f"{file}: cannot read it: {reason}") from None


def open_sweep(path: str | Path) -> SweepResult:
    """A finished sweep directory as a :class:`SweepResult` (its table is read on demand)."""
    import json

    from sim.explore.bundle import SUMMARY, SweepDirError
    from sim.scenario.build import load_text

    path = Path(path)
    manifest = read_manifest(path)
    if manifest is None:
        raise SweepDirError(f"{path}: not a sweep directory (no manifest.json)")
    summary_file = path / SUMMARY
    if not manifest.get("complete") or not summary_file.is_file():
        raise SweepDirError(f"{path}: the sweep is not finished; run the same command to resume")
    scenario_file = path / manifest["scenario_file"]
    text, summary = _read_text(scenario_file), _read_text(summary_file)
    try:
        summary = json.loads(summary)
    except ValueError as error:
        raise SweepDirError(f"{summary_file}: not JSON: {error}") from None
    if text_hash(text) != manifest["scenario_sha256"]:
        raise SweepDirError(
            f"{scenario_file}: not the scenario the manifest names (sha256 differs)"
        )
    if not isinstance(summary, dict) or summary.get("runs") != manifest["runs"]:
        raise SweepDirError(f"{summary_file}: not this sweep's summary")
    loaded = load_text(text, str(scenario_file), path, verify_quotes=False)
    return SweepResult(
        scenario=manifest["scenario"],
        scenario_sha256=manifest["scenario_sha256"],
        seed=manifest["seed"],
        runs=manifest["runs"],
        summary=summary,
        out=path,
        layout=Layout.of(compile_scenario(loaded.scenario)),
    )

"""The `redlines` command line: a thin face over :mod:`sim.api`.

One error policy for every command (:mod:`sim.cli.policy`): an input error (a file, a flag, a
value) exits 2 with a located message, never a traceback; a bug inside Red Lines exits 1 with a
short message that points to `--debug` for the traceback; Ctrl-C exits 130 and says what was
kept. The shared options and their checks are in :mod:`sim.cli.options`. Heavy libraries
(pandas, mesa, streamlit) load inside the commands that need them, so `redlines --help` starts
fast.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sim.cli.options import (
    BudgetOption,
    ConnectTimeoutOption,
    FileArg,
    JsonOption,
    SchedulerOption,
    SeedOption,
    SetOption,
    WorkersOption,
    YesOption,
    announce,
    budget_of,
    check_bindable,
    scheduler_at,
)
from sim.cli.policy import (
    DEBUG,
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    KEPT,
    PolicyGroup,
    fail,
    refuse,
    terminated,
)
from sim.cli.terminal import json_text, printable
from sim.errors import ScenarioError

if TYPE_CHECKING:
    from sim.scenario.build import LoadedScenario


app = typer.Typer(
    name="redlines",
    help="Red Lines: simulate negotiations bounded by red lines, from a scenario file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    cls=PolicyGroup,
)


def load(file: Path, sets: list[str] | None = None) -> LoadedScenario:
    """Load a scenario for a command, exiting 2 with located messages when it is bad."""
    from sim import api

    try:
        return api.load(file, sets or [])
    except ScenarioError as error:
        fail(error)


@app.command()
def explain(
    file: FileArg,
    sets: SetOption = None,
    as_json: JsonOption = False,
    threshold: Annotated[
        float,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help="Count only red lines whose nominal firmness is at least this (0: all bind).",
        ),
    ] = 0.0,
    max_relaxation: Annotated[
        int,
        typer.Option(
            "--max-relaxation", min=0, max=8, help="Largest set of red lines to try dropping."
        ),
    ] = 3,
) -> None:
    """The bargaining space: feasible deals, ZOPA, solution points, blockers, what must give."""
    from sim import api
    from sim.cli.briefing import print_briefing

    result = api.explain(load(file, sets), threshold=threshold, max_relaxation=max_relaxation)
    if as_json:
        print(json_text(result.to_dict()))
        return
    print_briefing(result)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files.", show_default=False)],
) -> None:
    """Check scenario files: exit 0 when all are valid, else 2 with FILE:LINE:COL: messages."""
    from sim import api

    bad = False
    for file in files:
        try:
            loaded = api.load(file)
        except ScenarioError as error:
            bad = True
            for problem in error.problems:
                print(printable(str(problem)), file=sys.stderr)
            continue
        actors = len(loaded.scenario.actors)
        print(printable(f"{file}: ok ({loaded.scenario.id}: {actors} actors)"))
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    from sim import api

    print(json.dumps(api.json_schema(), indent=2, ensure_ascii=False))


@app.command()
def dashboard(
    port: Annotated[int, typer.Option("--port", help="Port to serve on.", min=1, max=65535)] = 8501,
    host: Annotated[
        str,
        typer.Option("--host", help="Address to bind; the default serves this machine only."),
    ] = "127.0.0.1",
) -> None:
    """Serve the dashboard with Streamlit (headless, no usage statistics, 127.0.0.1 by default).

    Streamlit runs as a child process (`python -m streamlit run dashboard/app.py`), so `sim`
    never imports it; stopping this command stops the server.
    """
    import os
    import signal
    import subprocess
    from importlib.util import find_spec

    check_bindable(host, port)
    spec = find_spec("dashboard")
    if spec is None or spec.origin is None or find_spec("streamlit") is None:
        print(
            "the dashboard needs its extras: run `make dashboard` in the project folder "
            "(or pip install -c constraints.txt -e '.[dashboard]')",
            file=sys.stderr,
        )
        raise typer.Exit(1)
    app_file = Path(spec.origin).parent / "app.py"
    command = [
        sys.executable, "-m", "streamlit", "run", str(app_file),
        "--server.address", host,
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.fileWatcherType", "none",
        "--server.maxUploadSize", "1",
        "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
        "--browser.serverAddress", host,
        "--browser.serverPort", str(port),
    ]  # fmt: skip
    print(f"Red Lines dashboard on http://{host}:{port} (Ctrl-C stops it)", file=sys.stderr)
    # the address is chosen (127.0.0.1 unless --host): the app warns only when it was not
    server = subprocess.Popen(command, env={**os.environ, "REDLINES_EXPLICIT_HOST": "1"})
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        code = server.wait()
    except KeyboardInterrupt:
        server.terminate()
        code = server.wait()
    raise typer.Exit(0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code)


@app.command()
def sweep(
    file: Annotated[
        Path | None, typer.Argument(help="A scenario YAML file.", show_default=False)
    ] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Number of runs.")] = 1000,
    seed: SeedOption = 0,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    connect_timeout: ConnectTimeoutOption = 10.0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write Parquet chunks, manifest and summary to this "
            "directory; the same command on it resumes.",
            show_default=False,
        ),
    ] = None,
    verify: Annotated[
        Path | None,
        typer.Option(
            "--verify",
            help="Check a sweep directory's chunks (hashes, page checksums, provenance) "
            "without running anything; exit 2 if one is damaged.",
            show_default=False,
        ),
    ] = None,
    sets: SetOption = None,
    memory_budget: BudgetOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Monte Carlo sweep: outcome probabilities (Wilson 95% intervals), terms, rounds."""
    address = scheduler_at(scheduler, connect_timeout)
    if verify is not None:
        if file is not None or out is not None:
            refuse("redlines sweep --verify DIR takes no scenario file and no --out")
        verify_sweep(verify)
        return
    if file is None:
        refuse("redlines sweep: give a scenario file (or --verify DIR)")
    loaded = load(file, sets)  # first, so a bad file is refused before the engine loads
    budget = budget_of(memory_budget)
    announce(loaded, runs, yes, budget, workers=workers, scheduler=address, out=out)
    from sim import api

    try:
        result = api.sweep(
            loaded,
            runs,
            seed=seed,
            workers=workers,
            scheduler=address,
            out=out,
            memory_budget=budget,
        )
    except KeyboardInterrupt:
        if out is not None:
            KEPT[0] = kept_in(out)
        raise
    if as_json:
        print(json_text(result.to_dict()))
        return
    print(api.sweep_text(result))
    rate = f", {result.ran / result.elapsed:,.0f} runs/s" if result.elapsed > 0 else ""
    where = f"; table in {out}" if out is not None else ""
    if result.ran == 0 and out is not None:
        print(f"\nalready complete: all {runs:,} runs were in {out}; nothing to run")
        return
    resumed = f" (the other {runs - result.ran:,} were already in {out})" * (result.ran < runs)
    print(f"\n{result.ran:,} runs in {result.elapsed:.1f} s{rate}{where}{resumed}")


def kept_in(out: Path) -> str:
    """What an interrupted sweep kept in `out`, and the command that resumes it."""
    import shlex

    from sim import api

    try:
        done, asked = api.kept_runs(out)
    except api.SweepDirError:
        return f"nothing was kept in {out}"
    again = shlex.join(["redlines", *sys.argv[1:]])
    return f"{done:,} of {asked:,} runs are kept in {out}; resume with: {again}"


def verify_sweep(path: Path) -> None:
    """`redlines sweep --verify DIR`: report every damaged chunk by name; exit 2 if any."""
    from sim import api

    findings = api.verify_sweep(path)
    # a chunk written but never committed (the sweep stopped between the two) is not damage:
    # the committed ones are intact, and a resume runs that one again
    damaged = [f for f in findings if f.kind not in ("missing", "uncommitted")]
    missing = len(findings) - len(damaged)
    for finding in findings:
        if finding.kind == "uncommitted":
            print(printable(f"redlines: note: {finding}"), file=sys.stderr)
    for finding in damaged:
        print(printable(f"redlines: {finding}"), file=sys.stderr)
    if damaged:
        refuse(
            f"{path}: {len(damaged)} damaged chunk{'s' * (len(damaged) != 1)}; resume the sweep "
            "to move them to quarantine/ and run them again"
        )
    state = f"{missing} chunk{'s' * (missing != 1)} still to run" if missing else "complete"
    print(f"{path}: ok (every stored chunk verified; {state})")


@app.command()
def sensitivity(
    file: FileArg,
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            help="PATH=LOW:HIGH:STEPS, a number to vary one at a time "
            "(repeatable; default: every uncertain number over its bounds, 3 steps).",
            show_default=False,
        ),
    ] = None,
    runs: Annotated[int, typer.Option("--runs", min=1, help="Runs per setting.")] = 500,
    grid: Annotated[
        bool, typer.Option("--grid", help="Also vary the two --vary numbers together.")
    ] = False,
    sobol: Annotated[
        int | None,
        typer.Option(
            "--sobol",
            min=2,
            help="Sobol indices with this base sample size (a power of 2).",
            show_default=False,
        ),
    ] = None,
    sobol_runs: Annotated[
        int, typer.Option("--sobol-runs", min=1, help="Runs per Sobol point.")
    ] = 32,
    seed: SeedOption = 0,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    connect_timeout: ConnectTimeoutOption = 10.0,
    sets: SetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sensitivity: one-at-a-time sweeps, a two-number grid, Sobol indices (SALib)."""
    address = scheduler_at(scheduler, connect_timeout)
    from sim import api

    report = api.sensitivity(
        load(file, sets),
        vary or [],
        runs=runs,
        with_grid=grid,
        sobol_samples=sobol,
        sobol_runs=sobol_runs,
        seed=seed,
        workers=workers,
        scheduler=address,
    )
    print(json_text(report.to_dict()) if as_json else api.sensitivity_text(report))


@app.command()
def discover(
    file: Annotated[
        Path,
        typer.Argument(
            help="A scenario YAML file, or a finished sweep directory (--out).", show_default=False
        ),
    ],
    target: Annotated[
        str, typer.Option("--target", help="The outcome to explain: agreement, escalation, ...")
    ] = "agreement",
    runs: Annotated[int, typer.Option("--runs", min=1, help="Runs of the sweep.")] = 2000,
    boxes: Annotated[int, typer.Option("--boxes", min=1, help="Most boxes to report.")] = 3,
    min_coverage: Annotated[
        float,
        typer.Option(
            "--min-coverage",
            min=0.0,
            max=1.0,
            help="Smallest share of the target runs a box must hold (default: none; the box "
            "with the best mass x (density - base rate) is reported).",
        ),
    ] = 0.0,
    seed: SeedOption = 0,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    connect_timeout: ConnectTimeoutOption = 10.0,
    sets: SetOption = None,
    memory_budget: BudgetOption = None,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Scenario discovery: PRIM boxes of the inputs where an outcome concentrates."""
    address = scheduler_at(scheduler, connect_timeout)
    from sim import api

    source = file if file.is_dir() else load(file, sets)
    budget = budget_of(memory_budget)
    if not isinstance(source, Path):
        announce(source, runs, yes, budget, workers=workers, scheduler=address)
    found = api.discover(
        source,
        target,
        runs=runs,
        boxes=boxes,
        min_coverage=min_coverage,
        seed=seed,
        workers=workers,
        scheduler=address,
        memory_budget=budget,
    )
    if as_json:
        print(json_text(found.to_dict()))
        return
    print(api.discovery_text(found))


@app.command("run")
def run_command(
    file: FileArg,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed",
            min=0,
            help="Seed of the run (the same seed gives the same run); default: a fresh one, "
            "reported in the output.",
            show_default=False,
        ),
    ] = None,
    sets: SetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a scenario once and tell it round by round (or print one JSON object)."""
    loaded = load(file, sets)  # first, so a bad file is refused before mesa is imported
    from sim import api

    output = api.run(loaded, seed=seed)
    if as_json:
        print(json_text(output.to_dict()))
        return
    from rich.console import Console

    api.render(output, Console(highlight=False, soft_wrap=False))


def main() -> None:
    """Entry point of the `redlines` console script."""
    if "--debug" in sys.argv[1:]:
        sys.argv.remove("--debug")
        DEBUG[0] = True
    signal.signal(signal.SIGTERM, terminated)
    try:
        app()
    except KeyboardInterrupt:  # outside a command (e.g. while parsing)
        print(printable(f"interrupted: {KEPT[0]}"), file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()

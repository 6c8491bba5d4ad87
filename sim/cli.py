"""The `redlines` command line: a thin face over :mod:`sim`.

Exit codes: 0 success, 2 bad input (a located message per problem, never a traceback),
1 internal error. Heavy libraries (pandas, mesa, streamlit) are imported inside the commands
that need them, so `redlines --help` starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from sim.errors import ScenarioError

if TYPE_CHECKING:
    from sim.loader import LoadedScenario

app = typer.Typer(
    name="redlines",
    help="Red Lines: simulate negotiations bounded by red lines, from a scenario file.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_BAD_INPUT = 2

FileArg = Annotated[Path, typer.Argument(help="A scenario YAML file.", show_default=False)]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a scenario value by dotted path, e.g. "
        "actors.russia.red_lines.no_nato_timeline.firmness=0 (repeatable).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def fail(error: ScenarioError) -> NoReturn:
    """Print every problem of a bad input on stderr, one per line, and exit 2."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)


def load(file: Path, sets: list[str] | None = None) -> LoadedScenario:
    """Load a scenario for a command, exiting 2 with located messages when it is bad."""
    from sim.loader import load_scenario

    try:
        return load_scenario(file, sets or [])
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
    from sim.analysis import analyse
    from sim.briefing import print_briefing

    result = analyse(load(file, sets), threshold=threshold, max_relaxation_size=max_relaxation)
    if as_json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    print_briefing(result)


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files.", show_default=False)],
) -> None:
    """Check scenario files: exit 0 when all are valid, else 2 with FILE:LINE:COL: messages."""
    from sim.loader import load_scenario

    bad = False
    for file in files:
        try:
            loaded = load_scenario(file)
        except ScenarioError as error:
            bad = True
            for problem in error.problems:
                print(problem, file=sys.stderr)
            continue
        print(f"{file}: ok ({loaded.scenario.id}: {len(loaded.scenario.actors)} actors)")
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario format."""
    from sim.scenario import json_schema

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))


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
    import signal
    import subprocess
    from importlib.util import find_spec

    spec = find_spec("dashboard")
    if spec is None or spec.origin is None or find_spec("streamlit") is None:
        print("the dashboard needs its extras: pip install 'redlines[dashboard]'", file=sys.stderr)
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
        "--browser.serverAddress", host,
        "--browser.serverPort", str(port),
    ]  # fmt: skip
    print(f"Red Lines dashboard on http://{host}:{port} (Ctrl-C stops it)", file=sys.stderr)
    server = subprocess.Popen(command)
    signal.signal(signal.SIGTERM, lambda *_: server.terminate())
    try:
        code = server.wait()
    except KeyboardInterrupt:
        server.terminate()
        code = server.wait()
    raise typer.Exit(0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code)


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
    from sim.model import run as run_model

    loaded = load(file, sets)
    output = run_model(loaded, seed=seed)
    if as_json:
        print(json.dumps(output.result.to_dict(), ensure_ascii=False))
        return
    from rich.console import Console

    from sim.report import render

    render(output, Console(highlight=False, soft_wrap=False))


def main() -> None:
    """Entry point of the `redlines` console script."""
    try:
        app()
    except ScenarioError as error:  # a command that did not catch its own bad input
        for problem in error.problems:
            print(problem, file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()

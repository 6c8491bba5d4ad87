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

"""The command line's one error policy, for every command.

An input error (a file, a flag, a value, an address) exits 2 with a message: located
(`FILE:LINE:COL: path: message`) when it comes from a scenario. A bug inside Red Lines exits 1
with one line that points to `--debug` for the traceback. Ctrl-C, and SIGTERM handled as Ctrl-C,
exits 130 and says what was kept. Warnings print on one line of stderr. Every message passes
through :func:`sim.cli.terminal.printable`.
"""

from __future__ import annotations

import sys
import traceback
import warnings
from functools import partial
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from sim.cli.terminal import printable
from sim.errors import ScenarioError

EXIT_BAD_INPUT = 2
EXIT_BUG = 1
EXIT_INTERRUPTED = 130

KEPT = ["nothing was written"]
"""What an interrupted command keeps, in words (a sweep with --out says so)."""
DEBUG = [False]
"""Set by `--debug`: a bug prints its traceback."""


def _bad_input() -> tuple[type[Exception], ...]:
    """The api's input errors (imported only once an error is raised: start-up stays fast)."""
    from sim.api import BadInput, OverBudget, SweepDirError

    return (BadInput, OverBudget, SweepDirError)


class PolicyGroup(TyperGroup):
    """The app's command group: every command runs under the one error policy."""

    def invoke(self, ctx: Any) -> Any:
        """Run the command; translate what it raises into a message and an exit code."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always", UserWarning)
                warnings.showwarning = partial(_warn, set())  # each distinct one once
                return super().invoke(ctx)
        except ScenarioError as error:  # a bad file or value, located
            fail(error)
        except (typer.Exit, TyperException):  # exits and usage errors: typer's own handling
            raise
        except (KeyboardInterrupt, typer.Abort):
            print(printable(f"interrupted: {KEPT[0]}"), file=sys.stderr)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except MemoryError:
            print(
                "redlines: out of memory; try fewer workers, a smaller outcome space or "
                "fewer rounds",
                file=sys.stderr,
            )
            raise typer.Exit(EXIT_BUG) from None
        except Exception as error:
            if isinstance(error, _bad_input()):  # a flag, a value or an address
                refuse(f"redlines: {error}")
            if isinstance(error, OSError) and error.filename is not None and not DEBUG[0]:
                refuse(f"redlines: {error.filename}: {error.strerror or error}")  # a given path
            if DEBUG[0]:
                traceback.print_exc()
            else:  # a bug in Red Lines: say so briefly, the traceback with --debug
                print(
                    f"redlines: internal error ({type(error).__name__}: {printable(str(error))}); "
                    "this is a bug in Red Lines. Run the command again with --debug for the "
                    "traceback.",
                    file=sys.stderr,
                )
            raise typer.Exit(EXIT_BUG) from None


def fail(error: ScenarioError) -> NoReturn:
    """Print every problem of a bad input on stderr, one per line, and exit 2."""
    for problem in error.problems:
        print(printable(str(problem)), file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)


def refuse(message: object) -> NoReturn:
    """Print a bad-input message (not tied to a scenario line) on stderr and exit 2."""
    print(printable(str(message)), file=sys.stderr)
    raise typer.Exit(EXIT_BAD_INPUT)


def terminated(signum: int, frame: object) -> None:
    """SIGTERM is handled as Ctrl-C: stop, say what was kept, exit 130."""
    raise KeyboardInterrupt


def _warn(
    said: set[str], message: Warning | str, category: type[Warning], *args: object, **kw: object
) -> None:
    """A warning from Red Lines, on one line of stderr (never the source line), unless this
    command has said it already (`said`)."""
    line = printable(f"redlines: warning: {message}")
    if line not in said:
        said.add(line)
        print(line, file=sys.stderr)

"""The options that several commands share, and the checks made on them before anything
loads or runs: the scheduler's address, the memory budget and the sweep's estimate, the
dashboard's address."""

from __future__ import annotations

import errno
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sim.cli.policy import refuse
from sim.cli.terminal import printable

if TYPE_CHECKING:
    from sim.scenario.build import LoadedScenario


FileArg = Annotated[Path, typer.Argument(help="A scenario YAML file.", show_default=False)]

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="Override a scenario value by dotted path, e.g. "
        "actors.ACTOR.red_lines.RED_LINE.firmness=0 (repeatable).",
        show_default=False,
    ),
]

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]

SeedOption = Annotated[
    int, typer.Option("--seed", min=0, help="Root seed: per-run seeds are spawned from it.")
]

WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", min=1, help="Local worker processes (default: every core).", show_default=False
    ),
]

SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run on a Dask cluster: its scheduler, tcp://host:port or tls://host:port.",
        show_default=False,
    ),
]

ConnectTimeoutOption = Annotated[
    float,
    typer.Option(
        "--connect-timeout",
        min=0.001,
        max=3600,
        help="Seconds to wait for the --scheduler to answer.",
    ),
]


def scheduler_at(scheduler: str | None, timeout: float) -> Any:
    """`--scheduler`, checked before anything loads or runs (exit 2 naming the address)."""
    if scheduler is None:
        return None
    from sim.explore.addresses import BadAddress, parse_scheduler

    try:
        return parse_scheduler(scheduler, timeout)
    except BadAddress as error:
        refuse(f"redlines: {error}")


BudgetOption = Annotated[
    str | None,
    typer.Option(
        "--memory-budget",
        help="Refuse a sweep estimated to need more memory than this, e.g. 8GB "
        "(default: half of this machine's memory).",
        show_default=False,
    ),
]

YesOption = Annotated[
    bool, typer.Option("--yes", help="Run more than 10^9 runs without asking for it again.")
]


def budget_of(text: str | None) -> int | None:
    """The `--memory-budget` in bytes (None: the default), or an exit 2."""
    if text is None:
        return None
    from sim.explore.estimate import parse_size

    try:
        return parse_size(text)
    except ValueError as error:
        refuse(f"redlines: --memory-budget: {error}")


def announce(
    scenario: LoadedScenario, runs: int, yes: bool, budget: int | None, **where: Any
) -> None:
    """Before a sweep: beyond 10^9 runs, ask for --yes; over the memory budget, refuse; when
    it will take a while, its estimated cost on stderr (the first sign of progress).

    The one module below the api that the CLI imports itself: the estimate needs only the
    scenario, so it is printed before the engine (and sim.api, about 1.4 s) loads.
    """
    from sim.explore.estimate import MANY_RUNS, check_budget, default_budget, sweep_cost

    cost = sweep_cost(scenario.scenario, runs, **where)
    if runs > MANY_RUNS and not yes:
        refuse(f"redlines: --runs {runs:,}: {cost.describe()}; add --yes to run that many")
    check_budget(cost, default_budget() if budget is None else budget)
    if cost.seconds >= 2:
        print(printable(f"redlines: sweep of {cost.describe()}"), file=sys.stderr)


def check_bindable(host: str, port: int) -> None:
    """Refuse (exit 2, naming the flag) an address the server could not listen on: a host that
    does not resolve, one that is not this machine's, or a port already in use."""
    import socket

    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        refuse(f"redlines: --host {host!r}: no such host ({error})")
    family, kind, proto, _, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(address)
        except OSError as error:
            flag = "--port" if error.errno in (errno.EADDRINUSE, errno.EACCES) else "--host"
            refuse(f"redlines: {flag}: cannot serve on {host}:{port} ({error.strerror})")

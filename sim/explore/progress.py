"""Progress of long work: a bar on the terminal, a callback, or nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = bool | Callable[[int, int], None] | None
"""True: a progress bar on the terminal; False: none; None: a bar when stdout and stderr are
both terminals; a function: called with (runs done, runs in all) after every chunk."""


# --- progress -------------------------------------------------------------------------------------


@contextmanager
def reporter(progress: Progress, total: int, done: int) -> Iterator[Callable[[int], None]]:
    """A function to call with the runs of each finished chunk, drawing progress if asked."""
    if callable(progress):
        count = [done]

        def call(runs: int) -> None:
            count[0] += runs
            progress(count[0], total)

        yield call
        return
    show = progress if progress is not None else sys.stdout.isatty() and sys.stderr.isatty()
    if not show:
        yield lambda runs: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs  {task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    began = time.perf_counter()
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task("sweep", total=total, completed=done, rate="")
        ran = [0]

        def advance(runs: int) -> None:
            ran[0] += runs
            rate = ran[0] / max(time.perf_counter() - began, 1e-9)
            bar.update(task, advance=runs, rate=f"{rate:,.0f} runs/s")

        yield advance

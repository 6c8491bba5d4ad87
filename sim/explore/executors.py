"""Where chunks of runs execute: in this process, a local process pool, or a Dask cluster.

Every executor does one thing: apply a module-level function to a stream of :class:`Work`
items and yield `(work, result)` pairs as they finish (in any order; callers sort by
`work.tag`). A work item carries the scenario as YAML text (a few kilobytes) with its hash;
each worker process parses and compiles a scenario once and keeps it in a small cache keyed
by that hash, so no task ships compiled arrays and no worker compiles twice.

The process pool uses the `forkserver` start method, safe whatever threads this process runs
(a progress bar, a web server; numpy's and Arrow's native pools): a server process imports the
engine once (about 1.5 s of CPU, once per process) and the workers fork from it. Like any
spawned process, those workers import the main script as `__mp_main__`, so a script that
sweeps with more than one worker keeps its work under `if __name__ == "__main__":` (and code
piped to `python -` must use one worker). The pool keeps a bounded number of tasks in flight,
so memory does not grow with the number of chunks. Dask tasks are submitted
with `pure=False`: two chunks that look alike are still both run.
"""

from __future__ import annotations

import os
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Protocol

from sim.engine.space import Compiled
from sim.explore.addresses import BadAddress, Scheduler, parse_scheduler, reach
from sim.explore.lifeline import identity, watch
from sim.scenario.build import Settings
from sim.scenario.schema import Scenario

SETTING = "setting"
"""Where a bad setting is located in messages (`setting:N:1: path: message`)."""


@dataclass(frozen=True)
class Work:
    """A chunk of runs: runs `start`..`stop`-1 of every case, seeded from `root_seed`.

    A case is a set of :data:`Settings` applied on top of the scenario (a sweep has one case
    with no settings; a sensitivity analysis has one case per parameter setting).
    """

    key: str
    """The scenario's hash: workers cache what they compile under it."""
    scenario: str = field(repr=False)
    """The scenario as YAML text."""
    root_seed: int
    start: int
    stop: int
    cases: tuple[Settings, ...] = ((),)
    tag: Any = None
    """The caller's label (e.g. the chunk index), handed back with the result."""

    @property
    def size(self) -> int:
        """How many runs the work holds (runs per case x cases)."""
        return (self.stop - self.start) * len(self.cases)


Task = Callable[[Work], Any]


class Executor(Protocol):
    """Runs a task on work items, yielding `(work, result)` as each finishes."""

    workers: int

    def map(self, task: Task, works: Iterable[Work]) -> Iterator[tuple[Work, Any]]:
        """Apply `task` to every work item; results come in completion order."""
        ...

    def close(self) -> None:
        """Release processes and connections (idempotent)."""
        ...


# --- the worker side: compile each scenario (and each case) once per process -----------------

_CACHE_SIZE = 16
_scenarios: OrderedDict[str, Scenario] = OrderedDict()
_compiled: OrderedDict[tuple[str, Settings], Compiled] = OrderedDict()


def compiled_for(work: Work, case: Settings = ()) -> Compiled:
    """The compiled scenario of a work item with a case's settings, from this process's cache.

    The scenario was checked (quotes included) by the caller; here it is rebuilt through the
    same one path (:func:`sim.scenario.build.build`) without reading sources, so a worker
    needs no access to the scenario's documents, and a setting outside its range is refused
    here as it is everywhere.
    """
    from sim.engine.space import compile_scenario
    from sim.scenario.build import apply_settings, build
    from sim.scenario.locating import InDocument
    from sim.scenario.reading import parse_yaml

    cache_key = (work.key, case)
    hit = _compiled.get(cache_key)
    if hit is not None:
        _compiled.move_to_end(cache_key)
        return hit
    scenario = _scenarios.get(work.key)
    if scenario is None:
        document = parse_yaml(work.scenario, f"scenario {work.key[:12]}")
        scenario = build(document.data, InDocument(document), None)
        _remember(_scenarios, work.key, scenario)
    if case:
        scenario = apply_settings(scenario, case, None, SETTING)
    compiled = compile_scenario(scenario)
    _remember(_compiled, cache_key, compiled)
    return compiled


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any) -> None:
    cache[key] = value
    while len(cache) > _CACHE_SIZE:
        cache.popitem(last=False)


# --- executors ---------------------------------------------------------------------------------


def cores() -> int:
    """How many cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class InProcess:
    """Runs every chunk here, one after the other (one worker; no start-up cost)."""

    workers = 1

    def map(self, task: Task, works: Iterable[Work]) -> Iterator[tuple[Work, Any]]:
        """Apply `task` to each work item in turn."""
        for work in works:
            yield work, task(work)

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ProcessPool:
    """A pool of local worker processes (default: one per core)."""

    def __init__(self, workers: int | None = None) -> None:
        import multiprocessing

        self.workers = workers if workers is not None else cores()
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")
        context = multiprocessing.get_context("forkserver")
        # the server imports these once; each worker forks from it with them loaded
        context.set_forkserver_preload(
            [
                "sim.explore.executors",
                "sim.engine.run",
                "sim.explore.montecarlo",
                "sim.explore.sensitivity",
            ]
        )
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=watch,
            initargs=identity(),  # each worker exits soon after this process is gone
        )

    def map(self, task: Task, works: Iterable[Work]) -> Iterator[tuple[Work, Any]]:
        """Apply `task` to every work item, at most a few per worker in flight."""
        limit = 3 * self.workers
        pending: dict[Future[Any], Work] = {}
        queue = iter(works)
        try:
            for work in queue:
                pending[self._pool.submit(task, work)] = work
                if len(pending) >= limit:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    work = pending.pop(future)
                    yield work, future.result()
                    following = next(queue, None)
                    if following is not None:
                        pending[self._pool.submit(task, following)] = following
        finally:
            for future in pending:
                future.cancel()

    def close(self, *, now: bool = False) -> None:
        """Stop the worker processes: once their chunks are done, or `now` (an interruption:
        the chunks in progress are abandoned)."""
        if now:
            # ProcessPoolExecutor has no public way to stop a running task before 3.14
            processes = list((getattr(self._pool, "_processes", None) or {}).values())
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=2)
                if process.is_alive():
                    process.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ProcessPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(now=kind is not None)


class DaskCluster:
    """A Dask distributed cluster: a scheduler address (`tcp://host:port`, `tls://host:port`,
    or a :class:`~sim.explore.addresses.Scheduler` with its connect timeout), a Client or a
    cluster object (such as `LocalCluster`). An address is checked and reached first
    (:mod:`sim.explore.addresses`): BadAddress says what is wrong with it.

    Every worker needs this package installed (`pip install redlines`); only the scenario
    text travels with the tasks. A client made here is closed by :meth:`close`; one passed in
    is left open.
    """

    def __init__(self, scheduler: Any) -> None:
        from distributed import Client

        if isinstance(scheduler, Client):
            self._client, self._own = scheduler, False
        elif isinstance(scheduler, Scheduler | str):
            address = checked_scheduler(scheduler)
            try:
                self._client = Client(str(address), timeout=address.timeout, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as error:
                raise BadAddress(f"cannot reach the Dask scheduler at {address}: {error}") from None
            self._own = True
        elif hasattr(scheduler, "scheduler_address"):  # a cluster object such as LocalCluster
            self._client, self._own = Client(scheduler, set_as_default=False), True
        else:
            raise TypeError(f"expected a scheduler address or a Dask client, got {scheduler!r}")
        threads = sum(self._client.nthreads().values())
        if threads == 0:
            warnings.warn(
                "the Dask scheduler has no workers yet: the runs wait until some join",
                stacklevel=2,
            )
        self.workers = max(1, threads)

    def map(self, task: Task, works: Iterable[Work]) -> Iterator[tuple[Work, Any]]:
        """Submit every work item (`pure=False`), a few per worker thread in flight."""
        from distributed import as_completed

        queue = iter(works)
        pending: dict[Any, tuple[Any, Work]] = {}
        running = as_completed(loop=self._client.loop)

        def submit(work: Work) -> None:
            future = self._client.submit(task, work, pure=False)
            pending[future.key] = (future, work)
            running.add(future)

        for work in islice(queue, 4 * self.workers):
            submit(work)
        try:
            for future in running:
                _, work = pending.pop(future.key)
                result = future.result()
                future.release()
                yield work, result
                following = next(queue, None)
                if following is not None:
                    submit(following)
        finally:
            if pending:
                self._client.cancel([future for future, _ in pending.values()])

    def close(self) -> None:
        """Close the client if this executor opened it."""
        if self._own:
            self._client.close()

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_executor(
    workers: int | None = None, scheduler: Any = None, *, chunks: int | None = None
) -> InProcess | ProcessPool | DaskCluster:
    """The executor for a run: Dask when a scheduler is given, else a local pool of
    `workers` processes (default: every core; more than the cores are capped, with a
    warning), else this process when one worker (or one chunk) is enough."""
    if scheduler is not None:
        return DaskCluster(scheduler)
    count = workers if workers is not None else cores()
    if count < 1:
        raise ValueError(f"workers must be at least 1, got {count}")
    asked, count = count, min(count, cores(), chunks or count)
    if asked > cores():
        warnings.warn(
            f"{asked:,} workers asked for, but this process may use {cores()} "
            f"core{'s' * (cores() != 1)}: running {count}",
            stacklevel=2,
        )
    return ProcessPool(count) if count > 1 else InProcess()


def checked_scheduler(scheduler: Any) -> Any:
    """A scheduler address (text or :class:`Scheduler`) read and reached, so a sweep can
    refuse it before it writes anything; a Client or cluster object as it is."""
    if isinstance(scheduler, Scheduler | str):
        address = scheduler if isinstance(scheduler, Scheduler) else parse_scheduler(scheduler)
        reach(address)  # a message in seconds, not a client left half open
        return address
    return scheduler

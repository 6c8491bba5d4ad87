"""Processes that die with their parent, and a pool no larger than the machine.

A sweep's descendants (the forkserver, the resource tracker and the workers) are listed with
psutil while it runs; any of them still running after the sweep's process died is an orphan.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from sim import api
from sim.cli.app import app
from sim.explore.executors import cores, open_executor
from tests.builders import BASELINE, REPO, scenario_folder, sized_baseline, write_scenario

REDLINES = [sys.executable, "-m", "sim.cli"]


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline with an extra numeric issue: about 2 * 10^5 outcomes, so one chunk of runs
    keeps a worker busy for many seconds (a worker that only quits between chunks would
    outlive its parent)."""
    folder = scenario_folder(tmp_path_factory.mktemp("slow") / "scenarios")
    return write_scenario(folder, sized_baseline(2 * 10**5))


def alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those still running (a zombie has ended)."""
    left = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                left.append(process)
        except psutil.NoSuchProcess:
            pass
    return left


def busy_sweep(scenario: Path, out: Path) -> tuple[subprocess.Popen[str], list[psutil.Process]]:
    """A two-worker sweep in a process group of its own, once both workers are in their first
    chunk, and its descendants (the forkserver, the resource tracker and the workers)."""
    sweep = subprocess.Popen(
        [*REDLINES, "sweep", str(scenario), "--runs", "400", "--workers", "2", "--out", str(out)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    parent = psutil.Process(sweep.pid)
    deadline = time.monotonic() + 60
    while len(descendants := parent.children(recursive=True)) < 4:
        assert sweep.poll() is None, sweep.communicate()[1]
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.1)
    time.sleep(1.0)  # the workers are in their first chunk (about 10 s of runs each)
    assert not list(out.glob("chunks/*.parquet")), "the first chunks ended too soon"
    return sweep, descendants


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sig", "group"),
    [(signal.SIGKILL, False), (signal.SIGTERM, False), (signal.SIGINT, False),
     (signal.SIGINT, True)],
    ids=["kill-9", "kill-TERM", "kill-INT", "ctrl-c"],
)  # fmt: skip
def test_no_process_of_a_sweep_outlives_it_by_5_s(
    sig: signal.Signals, group: bool, slow: Path, tmp_path: Path
) -> None:
    """`kill` signals the parent only; Ctrl-C in a terminal signals its whole group. After
    SIGKILL the parent is left unreaped (a zombie, as under a parent that does not wait) until
    the check is done: the workers must see a zombie as gone."""
    sweep, descendants = busy_sweep(slow, tmp_path / "sweep")
    began = time.monotonic()
    if group:
        os.killpg(sweep.pid, sig)
    else:
        os.kill(sweep.pid, sig)
    if sig != signal.SIGKILL:
        sweep.wait(timeout=30)
    while alive(descendants) and time.monotonic() - began < 5:
        time.sleep(0.1)
    left = alive(descendants)
    for process in left:  # do not leave them to the next test
        process.kill()
    sweep.wait(timeout=30)
    assert not left, f"{len(left)} processes of the sweep alive 5 s after {sig.name}: {left}"
    if sig == signal.SIGKILL:
        assert sweep.returncode == -signal.SIGKILL
    else:
        said = sweep.stderr.read()  # type: ignore[union-attr]
        assert sweep.returncode == 130, said
        assert "resume with: redlines sweep" in said and "Traceback" not in said, said
        verified = subprocess.run(
            [*REDLINES, "sweep", "--verify", str(tmp_path / "sweep")],
            cwd=REPO, capture_output=True, text=True,
        )  # fmt: skip
        assert verified.returncode == 0, verified.stdout + verified.stderr  # no half chunk


def test_more_workers_than_cores_are_capped_with_a_note() -> None:
    with pytest.warns(UserWarning, match=f"10,000 workers asked for.*running {cores()}$"):
        executor = open_executor(10_000, chunks=10**6)
    with executor:
        assert executor.workers == cores()
    with pytest.warns(UserWarning, match="running 1$"):  # one chunk: one worker, here
        assert open_executor(10_000, chunks=1).workers == 1
    runs = 100 * cores()  # a chunk per core
    done = CliRunner().invoke(
        app, ["sweep", str(BASELINE), "--runs", str(runs), "--workers", "10000", "--json"]
    )
    assert done.exit_code == 0, done.stderr
    note = [line for line in done.stderr.splitlines() if "workers asked for" in line]
    assert note == [f"redlines: warning: 10,000 workers asked for, but this process may use "
                    f"{cores()} core{'s' * (cores() != 1)}: running {cores()}"]  # fmt: skip
    assert json.loads(done.stdout) == api.sweep(BASELINE, runs, workers=1).to_dict()


def test_the_note_is_said_once_per_command() -> None:
    """A sensitivity analysis opens an executor per part (one at a time, grid, Sobol)."""
    done = CliRunner().invoke(
        app,
        ["sensitivity", str(BASELINE), "--runs", "2", "--grid", "--sobol", "2",
         "--sobol-runs", "1", "--workers", "10000",
         "--vary", "actors.russia.batna.value=0.3:0.5:2",
         "--vary", "actors.france.batna.value=0.3:0.5:2"],
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert done.stderr.count("workers asked for") == 1, done.stderr

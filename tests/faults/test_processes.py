"""Processes that die with their parent, and a pool no larger than the machine.

A sweep's descendants (the forkserver, the resource tracker and the workers) are found by
their session: the sweep is started in a session of its own, so every process still in it
after the parent died is an orphan of that sweep.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

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


def session_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return int(stat.read().rpartition(")")[2].split()[3])


def in_session(session: int) -> list[int]:
    """The live (not zombie) processes of a session."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text("ascii").rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def busy_sweep(scenario: Path, out: Path) -> subprocess.Popen[str]:
    """A two-worker sweep in a session of its own, once both workers have started."""
    sweep = subprocess.Popen(
        [*REDLINES, "sweep", str(scenario), "--runs", "400", "--workers", "2", "--out", str(out)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    # the parent, the forkserver, the resource tracker and two workers
    while len(in_session(sweep.pid)) < 5:
        assert sweep.poll() is None, sweep.communicate()[1]
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.1)
    time.sleep(1.0)  # the workers are in their first chunk
    return sweep


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
    """`kill` signals the parent only; Ctrl-C in a terminal signals its whole group."""
    sweep = busy_sweep(slow, tmp_path / "sweep")
    session = sweep.pid
    began = time.monotonic()
    if group:
        os.killpg(sweep.pid, sig)
    else:
        os.kill(sweep.pid, sig)
    sweep.wait(timeout=30)
    while in_session(session) and time.monotonic() - began < 5:
        time.sleep(0.1)
    left = in_session(session)
    for pid in left:  # do not leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} processes of the sweep alive 5 s after {sig.name}"
    if sig != signal.SIGKILL:
        said = sweep.stderr.read()  # type: ignore[union-attr]
        assert sweep.returncode == 130, said
        assert "resume with: redlines sweep" in said and "Traceback" not in said, said
        verified = subprocess.run(
            [*REDLINES, "sweep", "--verify", str(tmp_path / "sweep")],
            cwd=REPO, capture_output=True, text=True,
        )  # fmt: skip
        assert verified.returncode == 0, verified.stdout + verified.stderr  # no half chunk


def test_more_workers_than_cores_are_capped_with_a_note() -> None:
    with pytest.warns(UserWarning, match=f"10,000 workers asked for.*running {cores()}"):
        executor = open_executor(10_000, chunks=10**6)
    with executor:
        assert executor.workers == cores()
    done = CliRunner().invoke(
        app, ["sweep", str(BASELINE), "--runs", "40", "--workers", "10000", "--json"]
    )
    assert done.exit_code == 0, done.stderr
    note = [line for line in done.stderr.splitlines() if "workers asked for" in line]
    assert note == [f"redlines: warning: 10,000 workers asked for, but this process may use "
                    f"{cores()} core{'s' * (cores() != 1)}: running {cores()}"]  # fmt: skip
    assert json.loads(done.stdout) == api.sweep(BASELINE, 40, workers=1).to_dict()

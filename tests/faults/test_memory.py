"""Memory you can predict: a sweep is estimated before it runs, refused over its budget, and a
large scenario's sweep stays at the memory of one run; a huge --runs needs --yes; a long sweep
says something within 2 s."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner, Result

from sim import api
from sim.cli.app import app
from tests.builders import BASELINE, REPO, scenario_folder, sized_baseline, write_scenario

REDLINES = [sys.executable, "-m", "sim.cli"]


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


@pytest.fixture(scope="module")
def million(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline with a numeric issue added: just under 10^6 outcomes, 4.7 KB of YAML."""
    folder = scenario_folder(tmp_path_factory.mktemp("million") / "scenarios")
    return write_scenario(folder, sized_baseline(10**6))


def test_a_sweep_over_its_memory_budget_is_refused_with_the_estimate(million: Path) -> None:
    refused = cli(
        "sweep", str(million), "--runs", "400", "--workers", "2", "--memory-budget", "800MB"
    )
    assert refused.exit_code == 2, refused.stderr
    assert "999,972 outcomes" in refused.stderr and "memory budget of 800 MB" in refused.stderr
    assert "--memory-budget" in refused.stderr and "fewer --workers" in refused.stderr
    assert "Traceback" not in refused.stderr
    with pytest.raises(api.OverBudget):
        api.sweep(million, 400, workers=2, memory_budget=800 << 20)


def test_a_table_too_big_for_memory_points_to_out() -> None:
    refused = cli("sweep", str(BASELINE), "--runs", "100000000", "--memory-budget", "2GB")
    assert refused.exit_code == 2 and "--out" in refused.stderr


def test_a_bad_budget_is_a_message() -> None:
    for text in ("lots", "-1GB", "0", "nanGB"):
        refused = cli("sweep", str(BASELINE), "--runs", "5", "--memory-budget", text)
        assert refused.exit_code == 2 and "--memory-budget" in refused.stderr, text


def test_more_than_a_billion_runs_needs_yes(tmp_path: Path) -> None:
    refused = cli("sweep", str(BASELINE), "--runs", str(10**12), "--out", str(tmp_path / "d"))
    assert refused.exit_code == 2 and "--yes" in refused.stderr
    assert "days" in refused.stderr  # the estimate says how long it would take
    assert not (tmp_path / "d").exists()  # nothing was started
    assert cli("discover", str(BASELINE), "--runs", str(10**10)).exit_code == 2


def test_the_estimate_grows_with_the_space_and_the_workers(million: Path) -> None:
    small = api.estimate_sweep(BASELINE, 1000, workers=1)
    large = api.estimate_sweep(million, 1000, workers=1)
    assert large.worker_bytes > 2 * small.worker_bytes and large.seconds > 100 * small.seconds
    two = api.estimate_sweep(million, 1000, workers=2)
    assert two.total_bytes > large.total_bytes and two.seconds < large.seconds
    assert api.estimate_sweep(BASELINE, 1000, out="x").table_bytes == 0


@pytest.mark.slow
def test_a_large_scenarios_sweep_stays_at_the_memory_of_one_run(million: Path) -> None:
    """The 10^6-outcome sweep peaked at 2.7 GB for 20 runs before; now near one run's peak,
    and within a factor of two of its estimate."""
    runs = 12
    with tempfile.TemporaryFile("w+") as errors:
        sweep = subprocess.Popen(
            [*REDLINES, "sweep", str(million), "--runs", str(runs), "--workers", "1"],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=errors, text=True,
        )  # fmt: skip
        # wait4 gives this child's own peak (with its workers'), whatever other tests' children
        # reached before it in this process
        _, status, usage = os.wait4(sweep.pid, 0)
        sweep.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        assert sweep.returncode == 0, errors.read()
    peak = usage.ru_maxrss * 1024  # kB on Linux
    estimate = api.estimate_sweep(million, runs, workers=1).total_bytes
    print(f"peak {peak / (1 << 20):.0f} MB, estimate {estimate / (1 << 20):.0f} MB")
    assert peak < 1.0 * (1 << 30), f"{peak / (1 << 20):.0f} MB"
    assert estimate / 2 < peak < estimate * 2, (peak, estimate)


@pytest.mark.slow
def test_a_long_sweep_says_something_within_two_seconds() -> None:
    """Within 2 s of its own work: the CPU time the command has used when its first line
    arrives (the wall-clock time also counts what else the machine runs; it only has to stay
    far from a hang)."""
    # the command as a user runs it: not traced by coverage (under `make test` it doubles the
    # start-up's CPU time)
    plain = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    began = time.monotonic()
    running = subprocess.Popen(
        [*REDLINES, "sweep", str(BASELINE), "--runs", "20000", "--workers", "1"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=plain,
    )  # fmt: skip
    try:
        assert running.stderr is not None
        first = running.stderr.readline()
        took = time.monotonic() - began
        times = psutil.Process(running.pid).cpu_times()
    finally:
        running.kill()
        running.wait()
    assert "20,000 runs" in first and "about" in first
    worked = times.user + times.system
    assert worked < 2.0, f"{worked:.1f} s of CPU before the first line"
    assert took < 10.0, f"{took:.1f} s"

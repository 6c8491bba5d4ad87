"""Monte Carlo sweeps: seeds, the table, executors, result directories, resuming, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from sim.cli.app import app
from sim.engine.results import OUTCOMES
from sim.engine.space import compile_scenario
from sim.explore.addresses import Scheduler
from sim.explore.bundle import SweepDirError
from sim.explore.executors import DaskCluster
from sim.explore.montecarlo import Layout, open_sweep, read_table, run_seeds, sweep, text_hash
from sim.scenario.build import LoadedScenario, load_scenario
from tests.builders import BASELINE, ROOT


@pytest.fixture(scope="module")
def reference(baseline: LoadedScenario) -> pd.DataFrame:
    """300 baseline runs, seed 11, in this process: the table every executor must match."""
    return sweep(baseline, 300, seed=11, workers=1, chunk_size=64, progress=False).table


# --- seeds ---------------------------------------------------------------------------------


def test_run_seeds_are_spawned_children_whatever_the_chunking() -> None:
    children = np.random.SeedSequence(2024).spawn(50)
    expected = [int(c.generate_state(1, np.uint64)[0]) >> 1 for c in children]
    assert run_seeds(2024, 0, 50).tolist() == expected
    pieces = np.concatenate(
        [run_seeds(2024, 0, 7), run_seeds(2024, 7, 31), run_seeds(2024, 31, 50)]
    )
    assert pieces.tolist() == expected
    assert len(set(expected)) == 50
    assert run_seeds(2025, 0, 50).tolist() != expected


# --- the table -------------------------------------------------------------------------------


def test_table_has_one_row_per_run_and_every_column(
    baseline: LoadedScenario, reference: pd.DataFrame
) -> None:
    compiled = compile_scenario(baseline.scenario)
    layout = Layout.of(compiled)
    assert list(reference.columns) == layout.columns
    assert reference["run"].tolist() == list(range(300))
    assert reference["seed"].tolist() == run_seeds(11, 0, 300).tolist()
    for path, _ in compiled.uncertain:
        assert reference[path].notna().all(), path
    assert "binds.russia.no_nato_timeline" in reference.columns
    assert reference["binds.russia.no_nato_timeline"].dtype == bool
    conceded = reference["conceded.russia.talks_require_nato_off_table"]
    assert conceded.dtype == bool and conceded.any() and (~conceded).any()
    # a precondition can only be conceded where it binds, and then talks happen
    assert not (conceded & ~reference["binds.russia.talks_require_nato_off_table"]).any()
    assert (reference.loc[conceded, "outcome"] != "no_talks").all()
    assert list(reference["outcome"].cat.categories) == list(OUTCOMES)
    agreed = reference["outcome"] == "agreement"
    assert agreed.any() and (~agreed).any()
    assert reference.loc[agreed, "terms.nato"].notna().all()
    assert (
        reference.loc[~agreed & (reference["outcome"] != "escalation"), "terms.nato"].isna().all()
    )
    assert reference.loc[agreed, "utility.russia"].between(0, 1).all()
    low, high = 0.35, 0.55  # the baseline's uniform range for Russia's BATNA
    assert reference["actors.russia.batna.value"].between(low, high).all()


def test_escalations_keep_the_deployed_terms_only() -> None:
    deploying = load_scenario(BASELINE, ["institutions.unilateral_deployment.probability=1"])
    table = sweep(deploying, 40, seed=1, workers=1).table
    escalated = table[table["outcome"] == "escalation"]
    assert len(escalated) > 0
    assert (escalated["terms.force"] == "european").all()
    assert (escalated["terms.mandate"] == "none").all()
    assert escalated["terms.nato"].isna().all()  # the deployment says nothing about NATO
    assert escalated["utility.russia"].isna().all()


def test_same_seed_same_table_other_seed_other_table(
    baseline: LoadedScenario, reference: pd.DataFrame
) -> None:
    again = sweep(baseline, 300, seed=11, workers=1, chunk_size=300, progress=False).table
    pd.testing.assert_frame_equal(again, reference)
    other = sweep(baseline, 300, seed=12, workers=1, progress=False).table
    assert not other["actors.russia.batna.value"].equals(reference["actors.russia.batna.value"])


def test_summary_counts_agree_with_the_table(baseline: LoadedScenario) -> None:
    result = sweep(baseline, 250, seed=5, workers=1, chunk_size=40, progress=False)
    table = result.table
    outcomes = result.summary["outcomes"]
    assert result.summary["runs"] == 250
    for name in OUTCOMES:
        assert outcomes[name]["count"] == int((table["outcome"] == name).sum())
        assert outcomes[name]["low"] <= outcomes[name]["p"] <= outcomes[name]["high"]
    agreed = table[table["outcome"] == "agreement"]
    for option, row in result.summary["terms"]["force"].items():
        assert row["count"] == int((agreed["terms.force"] == option).sum())
    failed = table[table["outcome"] != "agreement"]
    for key, row in result.summary["red_lines_binding_in_failures"].items():
        assert row["count"] == int(failed[f"binds.{key}"].sum())
    assert list(result.outcomes.columns) == ["outcome", "p", "low", "high", "count"]


def test_progress_function_sees_every_run(baseline: LoadedScenario) -> None:
    seen: list[tuple[int, int]] = []
    sweep(baseline, 90, seed=1, workers=1, chunk_size=40, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(40, 90), (80, 90), (90, 90)]


def test_no_progress_bar_when_not_a_terminal(
    baseline: LoadedScenario, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep(baseline, 20, seed=1, workers=1)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_progress_bar_shows_runs_per_second_when_asked(
    baseline: LoadedScenario, capsys: pytest.CaptureFixture[str]
) -> None:
    sweep(baseline, 40, seed=1, workers=1, chunk_size=20, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "40/40" in captured.err and "runs/s" in captured.err and "ETA" in captured.err


def test_bad_arguments_are_refused(baseline: LoadedScenario) -> None:
    with pytest.raises(ValueError, match="runs"):
        sweep(baseline, 0)
    with pytest.raises(ValueError, match="seed"):
        sweep(baseline, 10, seed=-1)


# --- executors -------------------------------------------------------------------------------


@pytest.mark.slow
def test_two_workers_and_dask_give_the_same_table(
    baseline: LoadedScenario, reference: pd.DataFrame
) -> None:
    from distributed import LocalCluster

    pool = sweep(baseline, 300, seed=11, workers=2, chunk_size=50, progress=False).table
    pd.testing.assert_frame_equal(pool, reference)
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        dask = sweep(baseline, 300, seed=11, scheduler=address, chunk_size=37, progress=False)
        command = cli("sweep", str(BASELINE), "--runs", "300", "--seed", "11",
                      "--scheduler", address, "--json")  # fmt: skip
    pd.testing.assert_frame_equal(dask.table, reference)
    assert command.exit_code == 0, command.stderr
    assert json.loads(command.stdout)["outcomes"] == dask.summary["outcomes"]


def test_pool_workers_match_this_process_with_a_thread_running(
    baseline: LoadedScenario,
) -> None:
    import threading

    from sim.explore.executors import InProcess, ProcessPool, Work
    from sim.explore.montecarlo import run_table, scenario_yaml

    text = scenario_yaml(baseline.scenario)
    works = [Work(text_hash(text), text, 4, k * 10, k * 10 + 10, tag=k) for k in range(3)]
    expected = {w.tag: table for w, table in InProcess().map(run_table, works)}
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)  # like a progress bar's thread
    busy.start()
    try:
        with ProcessPool(2) as pool:
            got = {w.tag: table for w, table in pool.map(run_table, works)}
    finally:
        stop.set()
        busy.join()
    assert sorted(got) == [0, 1, 2]
    for tag, table in expected.items():
        pd.testing.assert_frame_equal(got[tag], table)


def test_unreachable_scheduler_is_a_connection_error() -> None:
    with pytest.raises(ConnectionError, match="cannot reach the Dask scheduler"):
        DaskCluster(Scheduler("tcp", "127.0.0.1", 9, timeout=0.5))


# --- result directories ----------------------------------------------------------------------


def test_out_directory_holds_chunks_manifest_scenario_and_summary(
    baseline: LoadedScenario, reference: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    result = sweep(baseline, 300, seed=11, workers=1, chunk_size=64, out=out, progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True
    assert (manifest["runs"], manifest["seed"], manifest["chunks"]) == (300, 11, 5)
    assert len(list((out / "chunks").glob("chunk-*.parquet"))) == 5
    text = (out / "scenario.yaml").read_text(encoding="utf-8")
    assert text_hash(text) == manifest["scenario_sha256"] == result.scenario_sha256
    assert load_scenario(out / "scenario.yaml").scenario == baseline.scenario  # quotes verify
    assert json.loads((out / "summary.json").read_text()) == result.summary
    pd.testing.assert_frame_equal(result.table, reference)
    pd.testing.assert_frame_equal(open_sweep(out).table, reference)


def test_resume_runs_only_missing_chunks(
    baseline: LoadedScenario, reference: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    first = sweep(baseline, 300, seed=11, workers=1, chunk_size=64, out=out, progress=False)
    (out / "chunks" / "chunk-000001.parquet").unlink()
    with pytest.raises(SweepDirError, match="1 chunks are missing"):
        read_table(out)
    (out / "chunks" / "chunk-000004.parquet").unlink()
    (out / "chunks" / ".chunk-000004.parquet.123.tmp").write_bytes(b"half a chunk")
    # a different chunk size on resume is ignored: the directory keeps its own
    again = sweep(baseline, 300, seed=11, workers=1, chunk_size=10, out=out, progress=False)
    assert again.ran == 64 + (300 - 4 * 64)
    assert again.summary == first.summary
    assert not list((out / "chunks").glob(".*.tmp"))
    pd.testing.assert_frame_equal(again.table, reference)


def test_a_different_sweep_on_the_same_directory_is_refused(
    baseline: LoadedScenario, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    sweep(baseline, 50, seed=1, workers=1, out=out, progress=False)
    with pytest.raises(SweepDirError, match="seed 1 there, 2 now"):
        sweep(baseline, 50, seed=2, workers=1, out=out, progress=False)
    with pytest.raises(SweepDirError, match="runs 50 there, 60 now"):
        sweep(baseline, 60, seed=1, workers=1, out=out, progress=False)
    changed = load_scenario(BASELINE, ["actors.russia.batna.value=0.5"])
    with pytest.raises(SweepDirError, match="scenario baseline sha256"):
        sweep(changed, 50, seed=1, workers=1, out=out, progress=False)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "thesis.txt").write_text("mine")
    with pytest.raises(SweepDirError, match="not empty"):
        sweep(baseline, 50, seed=1, workers=1, out=other, progress=False)


# --- the command line ------------------------------------------------------------------------


def cli(*args: str) -> Result:
    """Run a `redlines` command in this process."""
    return CliRunner().invoke(app, list(args))


def test_cli_sweep_json() -> None:
    done = cli("sweep", str(BASELINE), "--runs", "120", "--seed", "3", "--workers", "1", "--json")
    assert done.exit_code == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["runs"] == 120
    assert set(summary["outcomes"]) == set(OUTCOMES)
    assert sum(row["count"] for row in summary["outcomes"].values()) == 120
    for row in summary["outcomes"].values():
        assert set(row) == {"p", "low", "high", "count"}
    assert done.stderr == ""  # no progress bar when not on a terminal


def test_cli_sweep_exit_codes(tmp_path: Path) -> None:
    missing = cli("sweep", str(tmp_path / "missing.yaml"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    assert cli("sweep", str(BASELINE), "--runs", "0").exit_code == 2
    bad_set = cli("sweep", str(BASELINE), "--runs", "5", "--set", "actors.nobody.x=1")
    assert bad_set.exit_code == 2 and "nobody" in bad_set.stderr
    out = tmp_path / "run"
    first = cli("sweep", str(BASELINE), "--runs", "30", "--workers", "1", "--out", str(out))
    assert first.exit_code == 0, first.stderr
    assert "agreement" in first.stdout and "30 runs in" in first.stdout
    refused = cli("sweep", str(BASELINE), "--runs", "30", "--seed", "9", "--out", str(out))
    assert refused.exit_code == 2
    assert "holds a different sweep" in refused.stderr
    again = cli("sweep", str(BASELINE), "--runs", "30", "--workers", "1", "--out", str(out))
    assert again.exit_code == 0 and "already complete: all 30 runs were in" in again.stdout
    garbage = cli("sweep", str(BASELINE), "--runs", "5", "--scheduler", "garbage")
    assert garbage.exit_code == 2 and "expected tcp://host:port" in garbage.stderr
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    unwritable = cli("sweep", str(BASELINE), "--runs", "5", "--out", str(blocker / "sub"))
    assert unwritable.exit_code == 2 and "cannot write the sweep there" in unwritable.stderr


@pytest.mark.slow
def test_sweep_killed_mid_way_resumes_to_the_same_table(
    baseline: LoadedScenario, tmp_path: Path
) -> None:
    out = tmp_path / "run"
    args = [sys.executable, "-m", "sim.cli", "sweep", str(BASELINE), "--runs", "1500",
            "--seed", "8", "--workers", "1", "--out", str(out)]  # fmt: skip
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    chunks = out / "chunks"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(chunks.glob("chunk-*.parquet"))) < 3:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    written = len(list(chunks.glob("chunk-*.parquet")))
    assert 3 <= written < 15, "the sweep was not interrupted mid-way"
    assert json.loads((out / "manifest.json").read_text())["complete"] is False
    resumed = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"{1500 - written * 100:,} runs in" in resumed.stdout
    assert f"(the other {written * 100:,} were already in" in resumed.stdout
    whole = sweep(baseline, 1500, seed=8, workers=1, progress=False)
    pd.testing.assert_frame_equal(open_sweep(out).table, whole.table)
    assert open_sweep(out).summary == whole.summary

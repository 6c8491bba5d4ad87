"""Results recorded before the layered refactor (issue 11), compared byte for byte.

The fixtures in `tests/regression/` were written by the commands named in each test, on the
code before the refactor. A change that moves code must leave them equal; a change that means
to alter results re-records them in a commit of its own that says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from tests.builders import BASELINE, ROOT, SCENARIOS

FIXTURES = ROOT / "tests" / "regression"


def redlines(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.stderr
    return result.stdout


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("seed", [1, 3])
def test_run_json_equals_the_recorded_run(seed: int) -> None:
    out = redlines("run", str(BASELINE), "--seed", str(seed), "--json")
    assert out == fixture(f"run_baseline_seed{seed}.json")


def test_run_story_equals_the_recorded_story() -> None:
    assert redlines("run", str(BASELINE), "--seed", "3") == fixture("run_baseline_seed3.txt")


def test_explain_json_and_briefing_equal_the_recorded_ones() -> None:
    assert redlines("explain", str(BASELINE), "--json") == fixture("explain_baseline.json")
    assert redlines("explain", str(BASELINE)) == fixture("explain_baseline.txt")


@pytest.mark.slow
def test_every_shipped_scenario_runs_as_recorded() -> None:
    recorded = json.loads(fixture("runs_all_scenarios.json"))
    for key, expected in recorded.items():
        name, seed = key.split(":")
        out = redlines("run", str(SCENARIOS / name), "--seed", seed, "--json")
        assert json.loads(out) == expected, key


def test_a_500_run_sweep_table_equals_the_recorded_table(tmp_path: Path) -> None:
    redlines("sweep", str(BASELINE), "--runs", "500", "--workers", "1", "--out", str(tmp_path))
    chunks = sorted((tmp_path / "chunks").glob("*.parquet"))
    table = pd.concat([pd.read_parquet(c) for c in chunks], ignore_index=True)
    recorded = pd.read_parquet(FIXTURES / "sweep_baseline_500_seed0.parquet")
    pd.testing.assert_frame_equal(table, recorded, check_exact=True)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary == json.loads(fixture("sweep_baseline_500_seed0_summary.json"))


@pytest.mark.slow
def test_sensitivity_and_discovery_equal_the_recorded_ones() -> None:
    varied = redlines(
        "sensitivity", str(BASELINE), "--json", "--runs", "60", "--grid",
        "--vary", "actors.russia.batna.value=0.2:0.8:3",
        "--vary", "actors.france.batna.value=0.2:0.6:2",
    )  # fmt: skip
    assert json.loads(varied) == json.loads(fixture("sensitivity_baseline.json"))
    sobol = redlines(
        "sensitivity", str(BASELINE), "--json", "--sobol", "8", "--sobol-runs", "4", "--runs", "20"
    )
    assert json.loads(sobol) == json.loads(fixture("sobol_baseline.json"))
    found = redlines("discover", str(BASELINE), "--runs", "400", "--json")
    assert json.loads(found) == json.loads(fixture("discover_baseline.json"))

"""Requests that cannot be met are messages: `sensitivity` on a scenario with no uncertain
numbers used to end in `KeyError: 'parameter'` (exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sim import api
from sim.cli.app import app
from tests.builders import baseline_data, scenario_folder, write_scenario


def fixed(data: Any) -> Any:
    """`data` with every distribution replaced by its midpoint: nothing left uncertain."""
    if isinstance(data, dict):
        if data.get("dist") == "uniform":
            return (data["low"] + data["high"]) / 2
        return {key: fixed(value) for key, value in data.items()}
    if isinstance(data, list):
        return [fixed(value) for value in data]
    return data


@pytest.fixture(scope="module")
def certain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = scenario_folder(tmp_path_factory.mktemp("certain") / "scenarios")
    return write_scenario(folder, fixed(baseline_data()))


@pytest.mark.parametrize("extra", [[], ["--sobol", "8"], ["--grid"]])
def test_sensitivity_with_nothing_uncertain_is_a_message(certain: Path, extra: list[str]) -> None:
    said = CliRunner().invoke(app, ["sensitivity", str(certain), "--runs", "4", *extra])
    assert said.exit_code == 2, said.output
    assert "no uncertain numbers" in said.stderr and "--vary" in said.stderr
    assert "Traceback" not in said.output and "KeyError" not in said.output
    with pytest.raises(api.BadInput, match="no uncertain numbers"):
        api.sensitivity(certain, [], runs=4)


def test_sensitivity_with_nothing_uncertain_still_varies_what_it_is_told(certain: Path) -> None:
    report = api.sensitivity(certain, ["actors.russia.batna.value=0.3:0.6:2"], runs=4, workers=1)
    assert report.to_dict()["runs_per_setting"] == 4
    rows = report.to_dict()["one_at_a_time"]["rows"]
    assert {row["parameter"] for row in rows} == {"actors.russia.batna.value"}

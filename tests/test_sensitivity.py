"""Sensitivity: one at a time, grids and Sobol indices rank the number that decides first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from sim.errors import ScenarioError
from sim.explore.sensitivity import Vary, grid, one_at_a_time, ranking
from sim.explore.sobol import _factor, sobol
from sim.scenario.build import LoadedScenario, load_scenario
from sim.scenario.distributions import Choice
from tests.builders import write_scenario
from tests.sweep_fixtures import DECISIVE, decisive_data, write_decisive


def test_vary_parses_and_refuses() -> None:
    vary = Vary.parse("actors.a.batna.value=0:1:5")
    assert vary == Vary("actors.a.batna.value", 0.0, 1.0, 5)
    assert vary.values() == [0, 0.25, 0.5, 0.75, 1]
    assert Vary.parse("protocol.max_rounds=5:25:3").values() == [5, 15, 25]
    for bad in ("x", "x=1:2", "x=a:b:3", "x=2:1:3", "x=0:1:0"):
        with pytest.raises(ValueError, match="--vary"):
            Vary.parse(bad)


def test_one_at_a_time_ranks_the_deciding_number_first(decisive: LoadedScenario) -> None:
    varies = [
        Vary("actors.b.batna.value", 0.0, 0.1, 3),
        Vary(DECISIVE, 0.1, 0.9, 3),
        Vary("actors.a.red_lines.never_low.firmness", 0.0, 1.0, 3),
    ]
    table = one_at_a_time(decisive, varies, runs=40, seed=2, workers=1)
    assert len(table) == (3 + 3 + 3) * 5  # one row per setting and outcome
    agreement = table[(table["parameter"] == DECISIVE) & (table["outcome"] == "agreement")]
    assert agreement["p"].tolist() == [1.0, 1.0, 0.0]
    assert (agreement["low"] <= agreement["p"]).all() and (
        agreement["p"] <= agreement["high"]
    ).all()
    ranked = ranking(table)
    assert ranked["parameter"].iloc[0] == DECISIVE
    assert ranked["swing"].iloc[0] == 1.0
    assert ranked["swing"].iloc[1:].max() < 0.3


def test_grid_gives_heat_map_data(decisive: LoadedScenario) -> None:
    x, y = Vary(DECISIVE, 0.2, 0.8, 2), Vary("actors.b.batna.value", 0.0, 0.1, 3)
    table = grid(decisive, x, y, runs=20, seed=1, workers=1)
    assert table.attrs == {"x_path": DECISIVE, "y_path": "actors.b.batna.value"}
    heat = table[table["outcome"] == "agreement"].pivot(index="x", columns="y", values="p")
    assert heat.shape == (2, 3)
    assert heat.loc[0.2].tolist() == [1.0, 1.0, 1.0]
    assert heat.loc[0.8].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="two different"):
        grid(decisive, x, x, runs=5, workers=1)


def test_a_wrong_path_fails_with_a_located_message(decisive: LoadedScenario) -> None:
    with pytest.raises(ScenarioError, match="nobody"):
        one_at_a_time(decisive, [Vary("actors.nobody.batna.value", 0, 1, 2)], runs=5, workers=1)


def test_choice_factor_maps_draws_to_values_by_cumulative_weight() -> None:
    factor = _factor("x", Choice(dist="choice", values=[0.2, 0.8], weights=[3.0, 1.0]))
    assert [factor.inverse(u) for u in (0.0, 0.5, 0.74, 0.76, 1.0)] == [0.2, 0.2, 0.2, 0.8, 0.8]
    assert "index" in factor.describe


@pytest.mark.slow
def test_sobol_ranks_the_deciding_choice_first(tmp_path: Path) -> None:
    data = decisive_data()
    data["actors"][0]["batna"]["value"] = {"dist": "choice", "values": [0.2, 0.8]}
    loaded = load_scenario(write_scenario(tmp_path, data))
    result = sobol(loaded, samples=16, runs=4, seed=3, workers=1)
    assert result.points == 16 * (4 + 2)  # N x (D + 2), D = 4 uncertain numbers
    agreement = result.indices[result.indices["target"] == "agreement"]
    assert agreement["parameter"].iloc[0] == DECISIVE
    top = agreement.iloc[0]
    assert top["ST"] > 0.8 and top["S1"] > 0.6
    assert agreement["ST"].iloc[1:].max() < 0.2
    assert "Sobol" in result.method and "SALib" in result.method and "index" in result.method
    assert "Caution: N=16 is small" in result.method
    assert "Caution" not in sobol(loaded, samples=64, runs=1, seed=3, workers=1).method
    assert result.constant == {"escalation": 0.0}  # never escalates: no variance to apportion
    escalation = result.indices[result.indices["target"] == "escalation"]
    assert escalation["ST"].isna().all()
    with pytest.raises(ValueError, match="power of 2"):
        sobol(loaded, samples=10, runs=2, workers=1)


def test_cli_sensitivity_json_and_exit_codes(tmp_path: Path) -> None:
    file = write_decisive(tmp_path)
    runner = CliRunner()
    done = runner.invoke(
        app,
        ["sensitivity", str(file), "--vary", f"{DECISIVE}=0.1:0.9:3",
         "--vary", "actors.b.batna.value=0:0.1:2", "--grid", "--runs", "20", "--workers", "1",
         "--sobol", "4", "--sobol-runs", "2", "--json"],
    )  # fmt: skip
    assert done.exit_code == 0, done.stderr

    def strict(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    report = json.loads(done.stdout, parse_constant=strict)
    assert report["sobol"]["constant"] == {"escalation": 0.0}
    assert "SALib" in report["sobol"]["method"] and report["sobol"]["points"] == 4 * (4 + 2)
    assert "one at a time" in report["one_at_a_time"]["method"]
    assert report["one_at_a_time"]["ranking"]["agreement"][0]["parameter"] == DECISIVE
    assert report["grid"]["x"] == DECISIVE and len(report["grid"]["rows"]) == 3 * 2 * 5
    text = runner.invoke(app, ["sensitivity", str(file), "--runs", "10", "--workers", "1"])
    assert text.exit_code == 0 and "Ranking by swing" in text.stdout  # default: every number
    bad = runner.invoke(app, ["sensitivity", str(file), "--vary", "nonsense"])
    assert bad.exit_code == 2 and "PATH=LOW:HIGH:STEPS" in bad.stderr
    lonely = runner.invoke(app, ["sensitivity", str(file), "--vary", f"{DECISIVE}=0:1:2",
                                 "--grid"])  # fmt: skip
    assert lonely.exit_code == 2 and "exactly two" in lonely.stderr

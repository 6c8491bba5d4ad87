"""Scenario discovery: PRIM finds the ranges (and red lines) where an outcome concentrates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from sim.cli.tables import discovery_text
from sim.explore.discovery import Restriction, discover, inputs, peel
from sim.explore.montecarlo import sweep
from sim.scenario.build import load_scenario
from tests.sweep_fixtures import DECISIVE, write_decisive


def synthetic(n: int = 4000, seed: int = 0) -> pd.DataFrame:
    """Agreement when a < 0.3 and red line p.x does not bind, plus 5% noise."""
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(
        {
            "run": np.arange(n),
            "seed": rng.integers(0, 2**62, n),
            "a": rng.random(n),
            "b": rng.random(n),
            "c": rng.choice([0.1, 0.5, 0.9], n),
            "binds.p.x": rng.random(n) < 0.5,
            "rounds": rng.integers(1, 20, n),
            "terms.issue": "yes",
        }
    )
    agreed = ((table["a"] < 0.3) & ~table["binds.p.x"]) | (rng.random(n) < 0.05)
    table["outcome"] = np.where(agreed, "agreement", "deadlock")
    return table


def test_inputs_are_sampled_numbers_and_binding_flags() -> None:
    assert inputs(synthetic(200)) == ["a", "b", "c", "binds.p.x"]


def test_peeling_raises_density_and_shrinks_the_box() -> None:
    table = synthetic()
    hits = (table["outcome"] == "agreement").to_numpy()
    steps = peel(table, hits, inputs(table))
    densities = [s["density"] for s in steps]
    masses = [s["mass"] for s in steps]
    assert densities == sorted(densities) and densities[-1] > 0.95
    assert masses == sorted(masses, reverse=True) and masses[-1] >= 0.05
    assert steps[0]["coverage"] == 1.0


def test_discover_finds_the_planted_box_in_words() -> None:
    table = synthetic()
    found = discover(table, "agreement")
    assert found.base_density == pytest.approx((table["outcome"] == "agreement").mean())
    box = found.boxes[0]
    by_column = {r.column: r for r in box.restrictions}
    assert set(by_column) == {"a", "binds.p.x"}
    assert by_column["binds.p.x"].value is False
    assert by_column["a"].low is None and 0.25 < by_column["a"].high < 0.32
    assert box.density > 0.95 and box.coverage > 0.7
    sentence = box.words("agreement")
    assert sentence.startswith(f"agreement in {box.density:.0%} of runs when ")
    assert "p.x does not bind" in sentence and f"a <= {by_column['a'].high:.3g}" in sentence
    assert found.table()["description"].iloc[0] == sentence
    assert set(found.restrictions()["column"]) == {"a", "binds.p.x"}


def test_noise_columns_are_pruned() -> None:
    rng = np.random.default_rng(9)
    table = synthetic(6000, seed=9)
    for k in range(12):
        table[f"noise{k}"] = rng.random(len(table))
    box = discover(table, "agreement").boxes[0]
    assert {r.column for r in box.restrictions} == {"a", "binds.p.x"}


def test_covering_finds_a_second_box_outside_the_first() -> None:
    rng = np.random.default_rng(3)
    n = 6000
    table = pd.DataFrame({"a": rng.random(n), "b": rng.random(n), "c": rng.random(n)})
    table["outcome"] = np.where((table["a"] < 0.25) | (table["b"] > 0.8), "escalation", "deadlock")
    found = discover(table, "escalation")
    assert len(found.boxes) >= 2
    first, second = found.boxes[:2]
    assert {r.column for r in first.restrictions} | {r.column for r in second.restrictions} == {
        "a",
        "b",
    }
    assert second.after == 1 and second.words("escalation").startswith("outside box 1, ")
    assert first.density > 0.95 and second.density > 0.95
    assert first.coverage + second.coverage == pytest.approx(
        (first.hits + second.hits) / (table["outcome"] == "escalation").sum()
    )
    assert first.coverage + second.coverage > 0.95


def test_no_box_when_nothing_concentrates() -> None:
    table = synthetic()
    rng = np.random.default_rng(5)
    table["outcome"] = np.where(rng.random(len(table)) < 0.3, "agreement", "deadlock")
    found = discover(table, "agreement")
    assert found.boxes == []
    assert "no range" in discovery_text(found)
    none = discover(table, "escalation")
    assert none.boxes == [] and none.base_density == 0.0
    with pytest.raises(ValueError, match="unknown target"):
        discover(table, "victory")


def test_restriction_words() -> None:
    assert Restriction("x", low=0.25, high=0.5).words() == "0.25 <= x <= 0.5"
    assert Restriction("x", low=0.123456).words() == "x >= 0.123"
    assert Restriction("binds.a.b", value=True).words() == "a.b binds"


def test_discover_on_a_sweep_of_the_decisive_scenario(tmp_path: Path) -> None:
    loaded = load_scenario(write_decisive(tmp_path))
    table = sweep(loaded, 400, seed=4, workers=1).table
    found = discover(table, "agreement")
    first = found.boxes[0]
    assert [r.column for r in first.restrictions] == [DECISIVE]
    assert 0.45 < first.restrictions[0].high < 0.55 and first.restrictions[0].low is None
    assert first.density > 0.95 and first.coverage > 0.9
    failed = discover(table, "deadlock").boxes[0]
    assert [r.column for r in failed.restrictions] == [DECISIVE]
    assert 0.45 < failed.restrictions[0].low < 0.55


def test_cli_discover_from_a_file_and_from_a_sweep_directory(tmp_path: Path) -> None:
    file = write_decisive(tmp_path)
    runner = CliRunner()
    done = runner.invoke(app, ["discover", str(file), "--runs", "300", "--workers", "1"])
    assert done.exit_code == 0, done.stderr
    assert "1. agreement in 9" in done.stdout and f"runs when {DECISIVE} <= 0.5" in done.stdout
    out = tmp_path / "sweep"
    ran = runner.invoke(app, ["sweep", str(file), "--runs", "300", "--workers", "1",
                              "--out", str(out)])  # fmt: skip
    assert ran.exit_code == 0, ran.stderr
    again = runner.invoke(app, ["discover", str(out), "--target", "deadlock", "--json"])
    assert again.exit_code == 0, again.stderr
    document = json.loads(again.stdout)
    assert document["runs"] == 300 and document["target"] == "deadlock"
    assert document["boxes"][0]["density"] == 1.0
    assert DECISIVE in document["boxes"][0]["conditions"]
    bad = runner.invoke(app, ["discover", str(file), "--target", "victory"])
    assert bad.exit_code == 2 and "choose one of" in bad.stderr

"""The scenario -> YAML writer: whatever it writes, the loader reads back to the same scenario."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from sim import api
from sim.scenario.build import apply_overrides, load_scenario, load_text
from sim.scenario.export import export_yaml
from sim.scenario.schema import Scenario
from tests.builders import ROOT, SCENARIOS, scenario_dicts


def round_trip(scenario: Scenario, folder: Path = SCENARIOS) -> Scenario:
    """Export, then load the text again as `redlines run` would."""
    return load_text(export_yaml(scenario), "exported.yaml", folder).scenario


def test_every_shipped_scenario_round_trips() -> None:
    shipped = sorted(SCENARIOS.glob("*.yaml"))
    assert shipped
    for path in shipped:
        scenario = load_scenario(path).scenario
        assert round_trip(scenario) == scenario, path.name


def test_adjusted_baseline_round_trips_with_its_changes(baseline: api.LoadedScenario) -> None:
    base = baseline.scenario
    adjusted = apply_overrides(
        base,
        [
            "actors.russia.red_lines.no_nato_timeline.firmness=0",
            "actors.russia.batna.value={dist: beta, a: 2, b: 5, low: 0.1, high: 0.6}",
            "actors.france.strategy={kind: conceder, exponent: 4}",
            "protocol={kind: alternating, max_rounds: 7, proposers: [russia, ukraine]}",
            "institutions.security_council.members.china.p_yes=0.25",
        ],
        SCENARIOS,
    )
    again = round_trip(adjusted)
    assert again == adjusted
    assert again != base
    assert again.actor("russia").red_lines[0].firmness == 0.0
    assert again.protocol.proposers == ["russia", "ukraine"]


def test_export_keeps_quotes_verbatim_and_comments_the_header(baseline: api.LoadedScenario) -> None:
    base = baseline.scenario
    text = export_yaml(base, header="Adjusted in the dashboard\nfrom baseline.yaml")
    assert text.startswith("# Adjusted in the dashboard\n# from baseline.yaml\n")
    again = round_trip(base)
    quotes = [line.provenance.quote for a in again.actors for line in a.red_lines]
    assert quotes == [line.provenance.quote for a in base.actors for line in a.red_lines]
    assert not any(line.endswith(" ") for line in text.splitlines())
    assert max(len(line) for line in text.splitlines()) <= 110


def _awkward() -> dict[str, Any]:
    """Strings YAML could misread, numeric options, identical sub-mappings (alias bait)."""
    same = {"value": 0.5, "drift": -0.01}
    return {
        "schema_version": 1,
        "id": "awkward",
        "title": "yes",
        "description": "null",
        "question": "a: b # not a comment,  two  spaces\nand a second line",
        "issues": [
            {"id": "level", "name": "1.0", "values": [0.0, 0.5, 1.0]},
            {"id": "mode", "name": "~", "options": [{"id": "null"}, {"id": "true"}, {"id": "on"}]},
            {"id": "share", "name": "Share", "range": {"start": 0, "stop": 0.3, "step": 0.1}},
        ],
        "actors": [
            {
                "id": actor,
                "name": f"‘{actor}’ — “quoted”",
                "role": "belligerent",
                "weights": {"level": 1.0, "mode": 1.0, "share": 0.5},
                "scores": {
                    "level": {0.0: 0.0, 0.5: 0.25, 1.0: 1.0},
                    "mode": {"null": 1.0, "true": 0.5, "on": 0.0},
                    "share": [0.0, 0.3, 0.6, 1.0],
                },
                "batna": dict(same),
                "red_lines": [
                    {
                        "id": "no_null",
                        "forbids": {"mode": ["null"], "level": [1.0]},
                        "firmness": {"dist": "choice", "values": [0.2, 1.0], "weights": [1, 3]},
                        "provenance": {"kind": "assumption", "rationale": "x" * 250},
                    }
                ],
            }
            for actor in ("north", "south")
        ],
        "protocol": {"kind": "alternating", "max_rounds": 3},
    }


def test_awkward_values_round_trip(tmp_path: Path) -> None:
    scenario = Scenario.model_validate(_awkward())
    text = export_yaml(scenario)
    assert "&" not in text and "*id" not in text  # no anchors or aliases for repeated values
    assert round_trip(scenario, tmp_path) == scenario


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenario_dicts())
def test_generated_scenarios_round_trip(data: dict[str, Any]) -> None:
    scenario = Scenario.model_validate(data)
    assert load_text(export_yaml(scenario), "g.yaml", Path("."), verify_quotes=False).scenario == (
        scenario
    )


def test_redlines_validate_accepts_the_export(baseline: api.LoadedScenario, tmp_path: Path) -> None:
    base = baseline.scenario
    adjusted = apply_overrides(base, ["protocol.max_rounds=5"], SCENARIOS)
    # sources resolve against the file's folder: write it beside the shipped scenarios' sources
    folder = tmp_path / "scenarios"
    (folder / "sources").mkdir(parents=True)
    for source in (SCENARIOS / "sources").iterdir():
        (folder / "sources" / source.name).write_bytes(source.read_bytes())
    path = folder / "adjusted.yaml"
    path.write_text(export_yaml(adjusted), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ok (baseline: 4 actors)" in done.stdout
    assert load_scenario(path).scenario.protocol.max_rounds == 5

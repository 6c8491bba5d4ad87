"""Tests of `redlines explain`: the JSON object, the briefing, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sim import api
from sim.analysis.bargaining import analyse
from sim.cli.app import app
from sim.cli.briefing import briefing_text
from tests.builders import BASELINE

REQUIRED = (
    "outcomes",
    "feasible",
    "zopa",
    "pareto",
    "nash",
    "kalai_smorodinsky",
    "egalitarian",
    "utilitarian",
    "blocking",
    "minimal_relaxations",
)
runner = CliRunner()


def explain(*args: str) -> Any:
    return runner.invoke(app, ["explain", *args])


def explain_json(*args: str) -> dict[str, Any]:
    result = explain(str(BASELINE), "--json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_json_has_every_required_key_in_its_form() -> None:
    data = explain_json()
    for key in REQUIRED:
        assert key in data, key
    assert data["outcomes"] == 45
    assert isinstance(data["feasible"], int) and 0 < data["feasible"] <= 45
    for entry in data["zopa"] + data["pareto"]:
        assert set(entry) >= {"terms", "utilities"}
        assert set(entry["terms"]) == {"nato", "force", "mandate", "support"}
        assert set(entry["utilities"]) == {"russia", "united_states", "france", "ukraine"}
    for name in ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        assert data[name] in data["zopa"]
    assert data["nash"]["terms"]["nato"] == "off_table"
    assert {b["red_line"] for b in data["blocking"]} >= {"no_nato_timeline", "veto_western_troops"}
    assert data["minimal_relaxations"] == [[]]  # a ZOPA exists: nothing has to give
    assert len(data["binding_red_lines"]) == 10 and data["not_binding_red_lines"] == []


def test_json_without_a_zopa_lists_relaxations_as_actor_and_red_line() -> None:
    data = explain_json("--set", "actors.ukraine.batna.value=0.6")
    assert data["zopa"] == [] and data["pareto"] == []
    for name in ("nash", "kalai_smorodinsky", "egalitarian", "utilitarian"):
        assert data[name] is None
    assert data["minimal_relaxations"]
    for relaxation in data["minimal_relaxations"]:
        assert relaxation, "an empty set cannot open a ZOPA that does not exist"
        for line in relaxation:
            assert set(line) == {"actor", "red_line"}
    assert data["minimal_relaxations"][0] == [
        {"actor": "russia", "red_line": "veto_western_troops"},
        {"actor": "russia", "red_line": "no_western_peacekeepers"},
    ]


def test_threshold_is_reported_and_changes_what_binds() -> None:
    data = explain_json("--threshold", "0.7")
    assert data["threshold"] == 0.7
    assert "france.no_option_discarded" in data["not_binding_red_lines"]
    assert "russia.no_nato_timeline" in data["binding_red_lines"]
    by_id = {b["red_line"]: b for b in data["blocking"]}
    assert by_id["no_option_discarded"]["binding"] is False
    assert by_id["no_nato_timeline"]["binding"] is True


def test_cap_on_relaxation_size() -> None:
    data = explain_json("--set", "actors.ukraine.batna.value=0.6", "--max-relaxation", "1")
    assert data["minimal_relaxations"] == []
    assert data["max_relaxation_size"] == 1


def test_briefing_on_the_baseline_reads_as_a_briefing() -> None:
    result = explain(str(BASELINE))
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())  # undo the wrapping
    assert "45 possible settlements" in text
    assert "Zone of possible agreement (ZOPA: both at once): 2 of 45" in text
    assert "Verdict: a deal is possible" in text
    assert "This is the static space" in text and "`redlines sweep` gives how often" in text
    assert "membership off the table" in text and "a force from non-NATO states" in text
    assert "Nash bargaining" in text
    assert "Nebenzia" in text  # the speaker behind a blocking red line
    assert "ASSUMPTION (not in the source)" in text  # Ukraine's red lines are ours
    assert "United States (mediator) signs nothing" in text
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("probability", "threshold", "expected"),
    [
        ("0.5", "0", "with probability 0.50 per run"),
        ("0", "0", "with probability 0.00 per run"),
        ("0.5", "0.9", "it does not count as binding here"),
    ],
)
def test_briefing_names_the_precondition_to_talks_and_who_can_meet_it(
    probability: str, threshold: str, expected: str
) -> None:
    result = explain(
        str(BASELINE),
        "--threshold",
        threshold,
        "--set",
        "actors.russia.red_lines.talks_require_nato_off_table.precondition.probability="
        + probability,
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    before, _, after = text.partition("Before any talks")
    assert after, "no precondition section"
    assert "Verdict" in after and "Verdict" not in before  # it comes before the verdict
    assert "Russia will not negotiate until Ukraine's NATO membership: membership off" in after
    assert "until NATO membership is completely off the table" in after  # the quote
    assert "United States concedes it before talks" in after
    assert expected in after


def test_briefing_without_a_deal_says_why_and_what_would_give() -> None:
    result = explain(str(BASELINE), "--set", "actors.ukraine.batna.value=0.6")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Verdict: no deal" in text
    assert "leave a signatory below its value of no deal: Ukraine" in text
    assert "Drop Russia's veto_western_troops + Russia's no_western_peacekeepers" in text
    assert "Moscow’s ambassador to the UN rejected" in text  # the quote behind it
    assert "Ukraine from 0.60 to 0.55" in text


def test_briefing_text_matches_the_command(baseline: api.LoadedScenario) -> None:
    text = briefing_text(analyse(baseline), width=80)
    assert text.splitlines()[0].startswith("Bargaining space:")
    assert all(len(line) <= 80 for line in text.splitlines())
    assert all(line == line.rstrip() for line in text.splitlines())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("schema_version: 1\nid: [unclosed\n", "bad.yaml:"),
        ("schema_version: 1\nid: x\n", "bad.yaml:"),
    ],
)
def test_bad_file_exits_2_with_a_located_message(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = explain(str(path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_bad_override_and_bad_threshold_exit_2() -> None:
    assert explain(str(BASELINE), "--set", "actors.nobody.batna.value=1").exit_code == 2
    assert explain(str(BASELINE), "--threshold", "1.5").exit_code == 2
    assert explain(str(BASELINE), "--threshold", "nan").exit_code == 2

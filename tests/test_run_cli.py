"""`redlines run FILE [--seed N] [--set PATH=VALUE]... [--json]`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from tests.builders import BASELINE, ROOT, SCENARIOS

MANDATED = SCENARIOS / "un_mandated_non_nato_force.yaml"
NO_TALKS = (
    "--set",
    "actors.russia.red_lines.talks_require_nato_off_table.firmness=1",
    "--set",
    "actors.russia.red_lines.talks_require_nato_off_table.precondition.probability=0",
)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["run", *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_json_is_one_object_with_the_documented_keys() -> None:
    code, out, err = invoke(str(MANDATED), "--seed", "4", "--json")
    assert code == 0, err
    assert out.count("\n") == 1
    data = json.loads(out)
    assert {"scenario", "seed", "outcome", "rounds", "terms", "utilities"} <= set(data)
    assert {"binding_red_lines", "events"} <= set(data)
    assert data["scenario"] == "un_mandated_non_nato_force" and data["seed"] == 4
    assert data["outcome"] == "agreement"
    assert set(data["terms"]) == {"nato", "force", "mandate", "support"}
    assert set(data["utilities"]) == {"russia", "united_states", "france", "ukraine"}
    for event in data["events"]:
        assert isinstance(event["round"], int) and isinstance(event["kind"], str)
        if event["kind"] == "proposal":
            assert {"proposer", "offer", "responses"} <= set(event)
            for answer in event["responses"].values():
                assert {"accept", "reason", "red_line"} <= set(answer)
                assert answer["accept"] == (answer["reason"] is None)


@pytest.mark.slow
def test_the_same_seed_prints_byte_identical_json() -> None:
    command = [sys.executable, "-m", "sim.cli", "run", str(BASELINE), "--seed", "3", "--json"]
    first = subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
    second = subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
    assert first.stdout == second.stdout
    assert json.loads(first.stdout)["seed"] == 3


def test_without_a_seed_a_fresh_one_is_reported() -> None:
    seeds = set()
    for _ in range(3):
        code, out, _ = invoke(str(BASELINE), "--json")
        assert code == 0
        seeds.add(json.loads(out)["seed"])
    assert len(seeds) == 3
    seed = seeds.pop()
    _, again, _ = invoke(str(BASELINE), "--json", "--seed", str(seed))
    _, replay, _ = invoke(str(BASELINE), "--json", "--seed", str(seed))
    assert again == replay


def test_overrides_apply() -> None:
    code, out, _ = invoke(str(BASELINE), "--seed", "0", "--json", *NO_TALKS)
    assert code == 0
    assert json.loads(out)["outcome"] == "no_talks"


def test_the_story_names_proposals_reasons_quotes_the_council_and_the_ending() -> None:
    from tests.test_model import ALL_LINES

    firm = [arg for line in ALL_LINES for arg in ("--set", line)]
    code, out, err = invoke(str(MANDATED), "--seed", "4", *firm)
    assert code == 0, err
    text = " ".join(out.split())
    assert "Round 1" in text
    assert "United States proposes: membership off the table" in text
    assert "rejects: below its aspiration" in text
    assert "Security Council vote" in text and "Veto by China" in text
    assert "Agreement in round 21" in text
    assert "Utilities (0 worst, 1 best)" in text and "Aspirations by round" in text


def test_a_red_line_rejection_quotes_the_red_line() -> None:
    code, out, _ = invoke(
        str(BASELINE),
        "--seed",
        "1",
        "--set",
        "actors.russia.red_lines.no_nato_timeline.firmness=1",
        "--set",
        "actors.russia.red_lines.talks_require_nato_off_table.firmness=0",
        "--set",
        "protocol={kind: alternating, max_rounds: 8}",
    )
    assert code == 0
    text = " ".join(out.split())
    assert "Russia rejects: red line no_nato_timeline" in text
    assert "rejecting any 'timeline' of NATO membership, whether 20 years or more" in text


def test_no_talks_story_quotes_the_precondition() -> None:
    code, out, _ = invoke(str(BASELINE), "--seed", "0", *NO_TALKS)
    assert code == 0
    text = " ".join(out.split())
    assert "No talks" in text
    assert "Moscow is unlikely to enter negotiations until NATO membership is completely" in text


def test_a_missing_file_exits_2_with_a_located_message() -> None:
    code, out, err = invoke("no/such/file.yaml", "--seed", "1")
    assert code == 2
    assert out == ""
    assert err.startswith("no/such/file.yaml:1:1: ")


def test_a_bad_override_exits_2_with_a_message() -> None:
    code, out, err = invoke(str(BASELINE), "--set", "actors.nobody.batna.value=0.3")
    assert code == 2
    assert out == ""
    assert "nobody" in err and "Traceback" not in err


def test_an_invalid_value_exits_2_located() -> None:
    code, _, err = invoke(str(BASELINE), "--set", "protocol.max_rounds=0")
    assert code == 2
    assert "max_rounds" in err


def test_a_negative_seed_is_refused() -> None:
    code, out, _ = invoke(str(BASELINE), "--seed", "-1")
    assert code == 2
    assert out == ""


def test_a_rejection_never_prints_two_equal_numbers() -> None:
    from sim.cli.story import _apart

    assert _apart(0.5099, 0.5101) == ("0.5099", "0.5101")
    assert _apart(0.2, 0.9) == ("0.20", "0.90")

"""`--set PATH=VALUE` overrides: paths by id or index, YAML values, re-validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.scenario.build import LoadedScenario, apply_overrides, load_scenario
from sim.scenario.distributions import Uniform
from sim.scenario.overrides import parse_override, parse_value, set_path
from sim.scenario.schema import Scenario
from tests.builders import BASELINE, scenario_dicts


def _problems(scenario: Scenario, *overrides: str, folder: Path | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(scenario, overrides, folder)
    return [str(p) for p in caught.value.problems]


# --- paths and values ----------------------------------------------------------------------


def test_set_by_id(baseline: LoadedScenario) -> None:
    changed = apply_overrides(
        baseline.scenario, ["actors.russia.red_lines.no_nato_timeline.firmness=0"]
    )
    assert changed.actor("russia").red_lines[0].id == "no_nato_timeline"
    assert changed.actor("russia").red_lines[0].firmness == 0.0
    # a new copy: the original is untouched
    assert isinstance(baseline.scenario.actor("russia").red_lines[0].firmness, Uniform)


def test_set_by_index(baseline: LoadedScenario) -> None:
    changed = apply_overrides(baseline.scenario, ["actors.2.red_lines.0.firmness=0.25"])
    assert changed.actors[2].id == "france"
    assert changed.actor("france").red_lines[0].firmness == 0.25


def test_set_a_distribution(baseline: LoadedScenario) -> None:
    changed = apply_overrides(
        baseline.scenario, ["actors.ukraine.batna.value={dist: uniform, low: 0.2, high: 0.8}"]
    )
    assert changed.actor("ukraine").batna.value == Uniform(dist="uniform", low=0.2, high=0.8)


def test_set_several_in_order(baseline: LoadedScenario) -> None:
    changed = apply_overrides(
        baseline.scenario,
        [
            "protocol.max_rounds=5",
            "protocol.max_rounds=7",
            "institutions.security_council.votes_needed=10",
        ],
    )
    assert changed.protocol.max_rounds == 7
    assert changed.institutions.security_council is not None
    assert changed.institutions.security_council.votes_needed == 10


def test_set_a_list_and_a_new_optional_key(baseline: LoadedScenario) -> None:
    changed = apply_overrides(
        baseline.scenario,
        ["protocol.kind=alternating", "protocol.proposers=[russia, ukraine]"],
    )
    assert changed.protocol.kind == "alternating"
    assert changed.protocol.proposers == ["russia", "ukraine"]


def test_overrides_through_the_loader(tmp_path: Path) -> None:
    loaded = load_scenario(BASELINE, ["actors.russia.batna.value=0.5"])
    assert loaded.scenario.actor("russia").batna.value == 0.5


@pytest.mark.parametrize(
    ("text", "segments", "value"),
    [
        ("a.b=1", ["a", "b"], 1),
        ("a.b = 0.5", ["a", "b"], 0.5),
        ("a=[x, y]", ["a"], ["x", "y"]),
        ("a={dist: beta, a: 2, b: 3}", ["a"], {"dist": "beta", "a": 2, "b": 3}),
        ("a=x=y", ["a"], "x=y"),
        ("a=", ["a"], None),
        ("a=2025-02-11", ["a"], "2025-02-11"),
    ],
)
def test_parse_override(text: str, segments: list[str], value: object) -> None:
    assert parse_override(text) == (segments, value)


@pytest.mark.parametrize("text", ["no_equals", "=1", "a..b=1", ".a=1", "a.=1"])
def test_parse_override_refuses_a_malformed_path(text: str) -> None:
    with pytest.raises(ValueError, match="expected PATH=VALUE"):
        parse_override(text)


def test_parse_value_refuses_anchors_and_aliases() -> None:
    # `&a [*a]` is a list containing itself: it must not reach the recursive data walk
    with pytest.raises(ValueError, match="anchors and aliases are not allowed"):
        parse_value("&a [*a]")


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("[1,", "at column 4"),
        ("!!python/name:os.system", "could not determine a constructor"),
        ("2025-13-45", "month must be in 1..12"),
    ],
)
def test_parse_value_errors_are_one_line(raw: str, fragment: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_value(raw)
    message = str(caught.value)
    assert message.startswith("the value is not valid YAML")
    assert fragment in message
    assert "\n" not in message


def test_set_path_in_plain_data() -> None:
    data = {"actors": [{"id": "a", "x": 1}, {"id": "b", "x": 2}], "scores": {0.5: 1}}
    set_path(data, ["actors", "b", "x"], 3)
    set_path(data, ["actors", "0", "x"], 4)
    set_path(data, ["scores", "0.5"], 0)
    assert data == {"actors": [{"id": "a", "x": 4}, {"id": "b", "x": 3}], "scores": {0.5: 0}}


# --- bad paths -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "actors.germany.batna.value=0.3",
            "--set:1:1: actors.germany.batna.value: actors has no entry 'germany' "
            "(entries: russia, united_states, france, ukraine)",
        ),
        (
            "actors.9.batna.value=0.3",
            "--set:1:1: actors.9.batna.value: actors has no entry '9' "
            "(entries: russia, united_states, france, ukraine)",
        ),
        (
            "actors.russia.batnaa.value=0.3",
            "--set:1:1: actors.russia.batnaa.value: actors.russia has no key 'batnaa'",
        ),
        (
            "protocol.max_rounds.x=1",
            "--set:1:1: protocol.max_rounds.x: protocol.max_rounds is a single value; "
            "it has no 'x'",
        ),
        (
            "protocol",
            "--set:1:1: protocol: expected PATH=VALUE, e.g. actors.ACTOR.batna.value=0.4",
        ),
    ],
)
def test_bad_path(baseline: LoadedScenario, override: str, expected: str) -> None:
    assert _problems(baseline.scenario, override) == [expected]


def test_bad_paths_are_numbered_by_their_place(baseline: LoadedScenario) -> None:
    problems = _problems(
        baseline.scenario, "protocol.max_rounds=5", "actors.nobody.batna.value=0", "x.y=1"
    )
    assert [p.split(": ")[0] for p in problems] == ["--set:2:1", "--set:3:1"]


def test_a_bad_path_and_a_bad_value_are_reported_together(baseline: LoadedScenario) -> None:
    problems = _problems(
        baseline.scenario, "actors.nobody.batna.value=0", "protocol.max_rounds=abc"
    )
    assert [p.split(": ")[0] for p in problems] == ["--set:1:1", "--set:2:1"]
    assert "has no entry 'nobody'" in problems[0]
    assert "valid integer" in problems[1]


# --- re-validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            ["actors.russia.batna.value=1.5"],
            "--set:1:1: actors.russia.batna.value: a BATNA must lie in [0.0, 1.0], got 1.5",
        ),
        (
            # addressed by index, reported by id, still attributed to its override
            ["protocol.max_rounds=5", "actors.0.scores.nato.off_table=2"],
            "--set:2:1: actors.russia.scores.nato.off_table: a score must lie in [0.0, 1.0], "
            "got 2.0",
        ),
        (
            ["protocol.max_rounds=many"],
            "--set:1:1: protocol.max_rounds: Input should be a valid integer (got 'many')",
        ),
        (["actors.russia.batnaa=0.3"], "--set:1:1: actors.russia.batnaa: unknown key 'batnaa'"),
        (
            ["actors.russia.batna.value=.nan"],
            "--set:1:1: actors.russia.batna.value: expected a finite number, got nan",
        ),
        (
            ["actors.russia.batna.value=1" + "0" * 400],
            "--set:1:1: actors.russia.batna.value: expected a finite number, "
            "got an integer too large for a float",
        ),
        (
            ["protocol.max_rounds=5", "protocol.mediator=germany"],
            "--set:2:1: protocol.mediator: no actor 'germany' "
            "(actors: france, russia, ukraine, united_states)",
        ),
    ],
)
def test_revalidation_error(baseline: LoadedScenario, overrides: list[str], expected: str) -> None:
    assert _problems(baseline.scenario, *overrides) == [expected]


def test_a_renamed_id_leaves_references_dangling(baseline: LoadedScenario) -> None:
    problems = _problems(baseline.scenario, "actors.united_states.id=usa")
    assert len(problems) == 3
    assert all(p.startswith("--set:1:1: ") for p in problems)
    assert "--set:1:1: protocol.mediator: no actor 'united_states' " in problems[-1]


def test_revalidation_verifies_quotes_against_the_folder(baseline: LoadedScenario) -> None:
    override = "actors.france.red_lines.support_continues.provenance.quote=We will not support"
    assert _problems(baseline.scenario, override, folder=baseline.folder) == [
        "--set:1:1: actors.france.red_lines.support_continues.provenance.quote: "
        "quote not found verbatim in source 'zh_2025_02_11': 'We will not support'"
    ]
    # without a folder, quotes are not verified
    assert apply_overrides(baseline.scenario, [override]).actor("france").red_lines[0].provenance


def test_revalidation_refuses_a_source_path_escaping_the_folder(
    baseline: LoadedScenario,
) -> None:
    assert _problems(
        baseline.scenario, "sources.zh_2025_02_11.path=../outside.txt", folder=baseline.folder
    ) == [
        "--set:1:1: sources.zh_2025_02_11.path: source path '../outside.txt' escapes the "
        "scenario's folder"
    ]


def test_load_scenario_reports_override_problems(baseline: LoadedScenario) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BASELINE, ["protocol.max_rounds=0"])
    assert [str(p) for p in caught.value.problems] == [
        "--set:1:1: protocol.max_rounds: Input should be greater than or equal to 1"
    ]


@pytest.mark.slow
@given(data=scenario_dicts(), firmness=st.floats(0, 1))
def test_override_equals_editing_the_data(data: dict, firmness: float) -> None:
    """Setting a value by --set gives the scenario one gets by writing it in the data."""
    scenario = Scenario.model_validate(data)
    actor = data["actors"][-1]
    actor["batna"]["value"] = firmness
    expected = Scenario.model_validate(data)
    path = f"actors.{actor['id']}.batna.value={firmness!r}"
    assert apply_overrides(scenario, [path]) == expected

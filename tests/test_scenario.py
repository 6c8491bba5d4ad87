"""The scenario language: pydantic models, numbers and distributions, the JSON Schema."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from pydantic import TypeAdapter, ValidationError

from sim.scenario.distributions import Beta, Choice, Normal, Number, Uniform, bounds, nominal
from sim.scenario.schema import (
    Issue,
    NumericRange,
    OutcomeRule,
    Provenance,
    RedLine,
    Scenario,
    Strategy,
    json_schema,
)
from tests.builders import baseline_data, scenario_dicts

BASE: dict[str, Any] = baseline_data()
NUMBER: TypeAdapter[Any] = TypeAdapter(Number)


def _errors(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    """The (loc, message) of each error of a scenario, sorted."""
    with pytest.raises(ValidationError) as caught:
        Scenario.model_validate(data)
    return sorted((tuple(e["loc"]), e["msg"]) for e in caught.value.errors())


# --- the whole scenario ----------------------------------------------------------------------


def test_the_baseline_validates() -> None:
    scenario = Scenario.model_validate(BASE)
    assert scenario.id == "baseline"
    assert scenario.actor("france").role == "guarantor"
    assert scenario.issue("mandate").option_keys() == ["none", "unsc"]


def test_scenarios_are_frozen() -> None:
    scenario = Scenario.model_validate(BASE)
    with pytest.raises(ValidationError, match="frozen"):
        scenario.id = "other"  # type: ignore[misc]


def test_unknown_keys_are_refused_at_every_level() -> None:
    data = copy.deepcopy(BASE)
    data["colour"] = "red"
    data["actors"][0]["batna"]["mood"] = "grim"
    assert _errors(data) == [
        (("actors", 0, "batna", "mood"), "Extra inputs are not permitted"),
        (("colour",), "Extra inputs are not permitted"),
    ]


@pytest.mark.parametrize("version", [0, 2, "1", None])
def test_schema_version_is_one(version: Any) -> None:
    data = {**BASE, "schema_version": version}
    assert [loc for loc, _ in _errors(data)] == [("schema_version",)]


@pytest.mark.parametrize("bad_id", ["Russia", "1st", "has space", "dash-ed", "", "x" * 65])
def test_ids_are_lower_snake_case(bad_id: str) -> None:
    data = copy.deepcopy(BASE)
    data["actors"][0]["id"] = bad_id
    assert [loc for loc, _ in _errors(data)] == [("actors", 0, "id")]


def test_at_least_two_actors_and_one_issue() -> None:
    data = copy.deepcopy(BASE)
    data["actors"] = data["actors"][:1]
    data["issues"] = []
    locs = [loc for loc, _ in _errors(data)]
    assert ("actors",) in locs
    assert ("issues",) in locs


def test_strict_types_do_not_coerce() -> None:
    data = copy.deepcopy(BASE)
    data["protocol"]["max_rounds"] = "24"
    assert [loc for loc, _ in _errors(data)] == [("protocol", "max_rounds")]


@pytest.mark.slow
@given(data=scenario_dicts())
def test_generated_scenarios_validate_and_round_trip(data: dict[str, Any]) -> None:
    scenario = Scenario.model_validate(data)
    dumped = scenario.model_dump(mode="json", exclude_none=True)
    assert Scenario.model_validate(dumped) == scenario
    assert 2 <= len(scenario.actors) <= 4
    assert 1 <= len(scenario.issues) <= 4


# --- numbers and distributions ---------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(0, 0.0), (1, 1.0), (0.25, 0.25), (-3, -3.0)])
def test_plain_numbers(value: Any, expected: float) -> None:
    assert NUMBER.validate_python(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "got true/false"),
        (float("nan"), "expected a finite number, got nan"),
        (float("inf"), "expected a finite number, got inf"),
        (10**400, "an integer too large for a float"),
        ("0.5", "expected a number or a distribution"),
        ([0.5], "expected a number or a distribution"),
        (None, "expected a number or a distribution"),
    ],
)
def test_what_is_not_a_number(value: Any, fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment.replace("(", r"\(")):
        NUMBER.validate_python(value)


@pytest.mark.parametrize(
    ("value", "expected_nominal", "expected_bounds"),
    [
        ({"dist": "uniform", "low": 0.2, "high": 0.6}, 0.4, (0.2, 0.6)),
        ({"dist": "uniform", "low": 0.2, "high": 0.6, "nominal": 0.3}, 0.3, (0.2, 0.6)),
        ({"dist": "beta", "a": 2, "b": 2}, 0.5, (0.0, 1.0)),
        ({"dist": "beta", "a": 1, "b": 3, "low": 0.2, "high": 0.6}, 0.3, (0.2, 0.6)),
        ({"dist": "normal", "mean": 0.5, "sd": 0.1, "low": 0, "high": 1}, 0.5, (0.0, 1.0)),
        ({"dist": "normal", "mean": 2, "sd": 1, "low": 0, "high": 1}, 1.0, (0.0, 1.0)),
        ({"dist": "choice", "values": [0.1, 0.3]}, 0.2, (0.1, 0.3)),
        ({"dist": "choice", "values": [0.0, 1.0], "weights": [3, 1]}, 0.25, (0.0, 1.0)),
    ],
)
def test_distributions(
    value: dict[str, Any], expected_nominal: float, expected_bounds: tuple[float, float]
) -> None:
    number = NUMBER.validate_python(value)
    assert isinstance(number, Uniform | Beta | Normal | Choice)
    assert nominal(number) == pytest.approx(expected_nominal)
    assert bounds(number) == expected_bounds


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"dist": "uniform", "low": 0.6, "high": 0.2}, "low (0.6) is greater than high (0.2)"),
        ({"dist": "uniform", "low": 0, "high": 1, "nominal": 2}, "nominal (2.0) lies outside"),
        ({"dist": "beta", "a": 0, "b": 1}, "greater than 0"),
        ({"dist": "normal", "mean": 0, "sd": -1, "low": 0, "high": 1}, "greater than or equal"),
        ({"dist": "normal", "mean": 0, "sd": 1}, "Field required"),
        ({"dist": "choice", "values": []}, "at least 1 item"),
        ({"dist": "choice", "values": [1, 2], "weights": [1]}, "weights has 1 entries"),
        ({"dist": "choice", "values": [1, 2], "weights": [0, 0]}, "must not all be zero"),
        ({"dist": "poisson", "lam": 3}, "does not match any of the expected tags"),
        ({"low": 0, "high": 1}, "Unable to extract tag"),
        ({"dist": "uniform", "low": 0, "high": 1, "seed": 3}, "Extra inputs"),
    ],
)
def test_bad_distributions(value: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        NUMBER.validate_python(value)
    assert fragment in str(caught.value)


# --- issues ----------------------------------------------------------------------------------


def test_an_issue_has_exactly_one_kind_of_options() -> None:
    with pytest.raises(ValidationError, match="give exactly one of options"):
        Issue.model_validate(
            {"id": "x", "name": "x", "values": [1, 2], "range": {"start": 0, "stop": 1, "step": 1}}
        )
    with pytest.raises(ValidationError, match="got none"):
        Issue.model_validate({"id": "x", "name": "x"})


def test_numeric_range_values_do_not_drift() -> None:
    r = NumericRange(start=0, stop=1, step=0.1)
    assert r.count() == 11
    assert r.values() == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert NumericRange(start=5, stop=4, step=1).count() == 0
    assert NumericRange(start=5, stop=4, step=1).values() == []
    assert NumericRange(start=0, stop=1e300, step=1e-300).count() > 10**599


def test_issue_option_keys_and_counts() -> None:
    categorical = Issue.model_validate(BASE["issues"][0])
    numeric = Issue.model_validate({"id": "km", "name": "km", "values": [0, 5.5, 10]})
    ranged = Issue.model_validate(
        {"id": "km", "name": "km", "range": {"start": 0, "stop": 10, "step": 2.5}}
    )
    assert (categorical.numeric, categorical.option_count()) == (False, 3)
    assert (numeric.numeric, numeric.option_keys()) == (True, [0.0, 5.5, 10.0])
    assert (ranged.option_count(), ranged.option_keys()) == (5, [0.0, 2.5, 5.0, 7.5, 10.0])


def test_outcome_rules() -> None:
    OutcomeRule.model_validate({"id": "r", "kind": "exclude", "when": {"force": ["none"]}})
    with pytest.raises(ValidationError, match="a collapse rule needs `then`"):
        OutcomeRule.model_validate({"id": "r", "kind": "collapse", "when": {"force": ["none"]}})
    with pytest.raises(ValidationError, match="an exclude rule takes no `then`"):
        OutcomeRule.model_validate(
            {"id": "r", "kind": "exclude", "when": {"a": ["b"]}, "then": {"c": "d"}}
        )
    with pytest.raises(ValidationError):
        OutcomeRule.model_validate({"id": "r", "kind": "exclude", "when": {}})
    with pytest.raises(ValidationError):
        OutcomeRule.model_validate({"id": "r", "kind": "exclude", "when": {"force": []}})


# --- red lines and provenance ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("provenance", "fragment"),
    [
        ({"kind": "assumption"}, "an assumption needs a `rationale`"),
        ({"kind": "assumption", "rationale": "r", "quote": "q"}, "an assumption carries no quote"),
        ({"kind": "stated", "speaker": "s", "source": "src"}, "a stated red line needs quote"),
        ({"kind": "reported", "quote": "q"}, "a reported red line needs speaker, source"),
        ({"kind": "rumour", "rationale": "r"}, "Input should be 'stated'"),
    ],
)
def test_provenance_needs_its_evidence(provenance: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        Provenance.model_validate(provenance)


def test_provenance_kinds_that_are_valid() -> None:
    assert Provenance.model_validate({"kind": "assumption", "rationale": "because"}).quote is None
    stated = {"kind": "author_assessment", "speaker": "a", "source": "s", "quote": "q"}
    assert Provenance.model_validate(stated).kind == "author_assessment"


def test_a_red_line_forbids_something() -> None:
    provenance = {"kind": "assumption", "rationale": "r"}
    with pytest.raises(ValidationError, match="needs `forbids`, `precondition`, or both"):
        RedLine.model_validate({"id": "x", "provenance": provenance})
    line = RedLine.model_validate(
        {"id": "x", "precondition": {"requires": {"nato": ["off_table"]}}, "provenance": provenance}
    )
    assert line.consequence == "reject"
    assert line.firmness == 1.0
    with pytest.raises(ValidationError, match="Input should be 'reject'"):
        RedLine.model_validate(
            {"id": "x", "forbids": {"a": ["b"]}, "consequence": "sulk", "provenance": provenance}
        )


def test_strategy_exponent_only_for_time_based_kinds() -> None:
    assert Strategy(kind="boulware", exponent=0.2).exponent == 0.2
    with pytest.raises(ValidationError, match="strategy hardliner takes no exponent"):
        Strategy.model_validate({"kind": "hardliner", "exponent": 2})


# --- the JSON Schema -------------------------------------------------------------------------


def test_json_schema_describes_the_format() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "Red Lines scenario"
    assert schema["additionalProperties"] is False
    defs = schema["$defs"]
    assert set(defs["Provenance"]["properties"]["kind"]["enum"]) == {
        "stated",
        "reported",
        "author_assessment",
        "assumption",
    }
    # attribute docstrings become descriptions an editor can show
    assert (
        "Probability that the red line binds"
        in defs["RedLine"]["properties"]["firmness"]["description"]
    )

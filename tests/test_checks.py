"""Cross-field checks: ids that must exist, bounds, protocol needs, sizes, sources and quotes.

Each check yields `(loc, message)`; these tests edit the baseline's data, validate its shape
with pydantic, and assert the exact location (as pydantic would report it) and the message.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

from sim.scenario.checks import MAX_CELLS, MAX_OUTCOMES, check, outcome_space_size
from sim.scenario.schema import Scenario
from tests.builders import BASELINE, baseline_data, scenario_dicts

BASE: dict[str, Any] = baseline_data()

RUSSIA, US, FRANCE, UKRAINE = 0, 1, 2, 3


def _found(edit: Callable[[dict[str, Any]], None], folder: Path | None = None) -> dict:
    data = copy.deepcopy(BASE)
    edit(data)
    return dict(check(Scenario.model_validate(data), folder))


def _one(edit: Callable[[dict[str, Any]], None], folder: Path | None = None) -> tuple[Any, str]:
    found = _found(edit, folder)
    assert len(found) == 1, found
    return next(iter(found.items()))


def test_the_baseline_passes_every_check() -> None:
    assert check(Scenario.model_validate(BASE), BASELINE.parent) == []


def test_the_baseline_outcome_space() -> None:
    assert outcome_space_size(Scenario.model_validate(BASE)) == 3 * 3 * 2 * 3


@pytest.mark.slow
@given(data=scenario_dicts())
def test_generated_scenarios_pass_every_check(data: dict[str, Any]) -> None:
    assert check(Scenario.model_validate(data), None) == []


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "loc", "fragment"),
    [
        (
            lambda d: d["protocol"].update(mediator="germany"),
            ("protocol", "mediator"),
            "no actor 'germany' (actors: france, russia, ukraine, united_states)",
        ),
        (
            lambda d: d["protocol"].update(kind="alternating", proposers=["russia", "china"]),
            ("protocol", "proposers", 1),
            "no actor 'china'",
        ),
        (
            lambda d: d["actors"][RUSSIA]["red_lines"][1]["precondition"].update(met_by="nato"),
            ("actors", RUSSIA, "red_lines", 1, "precondition", "met_by"),
            "no actor 'nato'",
        ),
        (
            lambda d: d["institutions"]["security_council"]["members"][0].update(actor="ussr"),
            ("institutions", "security_council", "members", 0, "actor"),
            "no actor 'ussr'",
        ),
        (
            lambda d: d["institutions"]["unilateral_deployment"].update(actor="uk"),
            ("institutions", "unilateral_deployment", "actor"),
            "no actor 'uk'",
        ),
        (
            lambda d: d["actors"][FRANCE]["red_lines"][0]["provenance"].update(source="bbc"),
            ("actors", FRANCE, "red_lines", 0, "provenance", "source"),
            "no source 'bbc' (sources: zh_2025_02_11)",
        ),
        (
            lambda d: d["actors"][RUSSIA]["red_lines"][0].update(forbids={"nato": ["soon"]}),
            ("actors", RUSSIA, "red_lines", 0, "forbids", "nato", 0),
            "'soon' is not an option of issue 'nato' "
            "(options: accession_timeline, delayed_accession, off_table)",
        ),
        (
            lambda d: d["actors"][RUSSIA]["red_lines"][0].update(forbids={"crimea": ["x"]}),
            ("actors", RUSSIA, "red_lines", 0, "forbids", "crimea"),
            "no issue 'crimea'",
        ),
        (
            lambda d: d["rules"][0].update(then={"mandate": "maybe"}),
            ("rules", 0, "then", "mandate"),
            "'maybe' is not an option of issue 'mandate'",
        ),
        (
            lambda d: d["actors"][FRANCE]["signs_when"].append({"force": ["martian"]}),
            ("actors", FRANCE, "signs_when", 2, "force", 0),
            "'martian' is not an option of issue 'force'",
        ),
        (
            lambda d: d["institutions"]["security_council"].update(mandate={"mandat": ["unsc"]}),
            ("institutions", "security_council", "mandate", "mandat"),
            "no issue 'mandat'",
        ),
    ],
)
def test_dangling_ids(edit: Callable[[dict[str, Any]], None], loc: tuple, fragment: str) -> None:
    found_loc, message = _one(edit)
    assert found_loc == loc
    assert fragment in message


@pytest.mark.parametrize(
    ("edit", "loc", "message"),
    [
        (
            lambda d: d["actors"].append(copy.deepcopy(d["actors"][UKRAINE])),
            ("actors", 4, "id"),
            "duplicate actor id 'ukraine'",
        ),
        (
            lambda d: d["issues"][0]["options"].append({"id": "off_table"}),
            ("issues", 0, "options", 3, "id"),
            "duplicate option id 'off_table'",
        ),
        (
            lambda d: d["actors"][FRANCE]["red_lines"].append(
                copy.deepcopy(d["actors"][FRANCE]["red_lines"][0])
            ),
            ("actors", FRANCE, "red_lines", 2, "id"),
            "duplicate red line id 'support_continues'",
        ),
        (
            lambda d: d["sources"].append(copy.deepcopy(d["sources"][0])),
            ("sources", 1, "id"),
            "duplicate source id 'zh_2025_02_11'",
        ),
    ],
)
def test_duplicate_ids(edit: Callable[[dict[str, Any]], None], loc: tuple, message: str) -> None:
    found = _found(edit)
    assert found[loc] == message


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "loc", "message"),
    [
        (
            lambda d: d["actors"][RUSSIA]["scores"]["nato"].update(off_table=1.5),
            ("actors", RUSSIA, "scores", "nato", "off_table"),
            "a score must lie in [0.0, 1.0], got 1.5",
        ),
        (
            lambda d: d["actors"][RUSSIA]["scores"].update(mandate=[0.2, -0.1]),
            ("actors", RUSSIA, "scores", "mandate", 1),
            "a score must lie in [0.0, 1.0], got -0.1",
        ),
        (
            lambda d: d["actors"][RUSSIA]["scores"]["force"].update(
                none={"dist": "uniform", "low": 0.5, "high": 1.2}
            ),
            ("actors", RUSSIA, "scores", "force", "none"),
            "a score must lie in [0.0, 1.0], got values from 0.5 to 1.2",
        ),
        (
            lambda d: d["actors"][FRANCE]["red_lines"][0].update(firmness=2),
            ("actors", FRANCE, "red_lines", 0, "firmness"),
            "firmness must lie in [0.0, 1.0], got 2.0",
        ),
        (
            lambda d: d["actors"][US]["batna"].update(value=-0.2),
            ("actors", US, "batna", "value"),
            "a BATNA must lie in [0.0, 1.0], got -0.2",
        ),
        (
            lambda d: d["actors"][US]["weights"].update(nato=-1),
            ("actors", US, "weights", "nato"),
            "a weight must not be negative, got -1.0",
        ),
        (
            lambda d: d["actors"][RUSSIA]["strategy"].update(exponent=0),
            ("actors", RUSSIA, "strategy", "exponent"),
            "the exponent must be positive",
        ),
        (
            lambda d: d["institutions"]["security_council"]["members"][4].update(p_yes=1.1),
            ("institutions", "security_council", "members", 4, "p_yes"),
            "p_yes must lie in [0.0, 1.0], got 1.1",
        ),
        (
            lambda d: d["institutions"]["security_council"].update(votes_needed=16),
            ("institutions", "security_council", "votes_needed"),
            "16 votes needed but the council has only 15 seats",
        ),
    ],
)
def test_numbers_out_of_range(
    edit: Callable[[dict[str, Any]], None], loc: tuple, message: str
) -> None:
    assert _one(edit) == (loc, message)


def test_all_zero_weights() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["actors"][US]["weights"] = {"nato": 0, "force": 0, "mandate": 0, "support": 0}

    assert _one(edit) == (
        ("actors", US, "weights"),
        "weights must not all be zero (they are normalised to sum to 1)",
    )


def test_weights_need_not_sum_to_one() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["actors"][US]["weights"] = {"nato": 2, "force": 3, "mandate": 1, "support": 4}

    assert _found(edit) == {}


def test_score_list_length_must_match_the_options() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["actors"][RUSSIA]["scores"]["support"] = [0.0, 1.0]

    assert _one(edit) == (
        ("actors", RUSSIA, "scores", "support"),
        "2 scores given for 3 options of issue 'support'",
    )


def test_a_missing_option_score() -> None:
    def edit(d: dict[str, Any]) -> None:
        del d["actors"][RUSSIA]["scores"]["support"]["reduced"]

    loc, message = _one(edit)
    assert loc == ("actors", RUSSIA, "scores", "support")
    assert "no score for option(s) reduced of issue 'support'" in message


def test_a_weighted_issue_needs_scores() -> None:
    def edit(d: dict[str, Any]) -> None:
        del d["actors"][UKRAINE]["scores"]["mandate"]

    loc, message = _one(edit)
    assert loc == ("actors", UKRAINE, "weights", "mandate")
    assert "has a weight but no scores" in message


def test_a_list_of_hundreds_of_scores_on_a_numeric_issue() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["issues"].append(
            {"id": "km", "name": "buffer zone", "range": {"start": 0, "stop": 499, "step": 1}}
        )
        d["actors"][RUSSIA]["scores"]["km"] = [k / 499 for k in range(500)]
        d["actors"][RUSSIA]["weights"]["km"] = 0.1
        d["actors"][UKRAINE]["scores"]["km"] = {float(k): 1 - k / 499 for k in range(500)}
        d["actors"][UKRAINE]["weights"]["km"] = 0.1
        d["actors"][RUSSIA]["red_lines"][0]["forbids"] = {"km": [0, 1.0000000001, 2]}

    assert _found(edit) == {}


# --- protocol --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("protocol", "fragment"),
    [
        ({"kind": "mediated"}, "a mediated protocol needs `mediator`"),
        ({"kind": "setter", "proposers": ["russia", "ukraine"]}, "exactly one proposer"),
        ({"kind": "monotonic_concession"}, "exactly two actors who sign"),
    ],
)
def test_protocol_needs(protocol: dict[str, Any], fragment: str) -> None:
    loc, message = _one(lambda d: d.update(protocol=protocol))
    assert loc == ("protocol", "kind")
    assert fragment in message


def test_monotonic_concession_with_two_signatories() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["protocol"] = {"kind": "monotonic_concession"}
        d["actors"][FRANCE]["role"] = "observer"
        del d["actors"][FRANCE]["signs_when"]

    assert _found(edit) == {}


# --- size ------------------------------------------------------------------------------------


def _range_issue(stop: float, step: float = 1) -> dict[str, Any]:
    return {"id": "zone", "name": "zone", "range": {"start": 0, "stop": stop, "step": step}}


def test_outcome_space_over_the_limit_says_how_large() -> None:
    loc, message = _one(lambda d: d["issues"].append(_range_issue(99_999)))
    assert loc == ("issues",)
    assert message.startswith(
        "the outcome space would have 5,400,000 outcomes (3 x 3 x 2 x 3 x 100,000)"
    )
    assert f"more than the limit of {MAX_OUTCOMES:,}" in message


def test_outcome_space_at_the_limit_is_allowed() -> None:
    scenario = copy.deepcopy(BASE)
    scenario["issues"].append(_range_issue(MAX_OUTCOMES // 54 - 1))
    assert outcome_space_size(Scenario.model_validate(scenario)) <= MAX_OUTCOMES
    found = dict(check(Scenario.model_validate(scenario), None))
    assert ("issues",) not in found


def test_a_table_over_the_cell_limit() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["issues"].append(_range_issue(MAX_OUTCOMES // 54 - 1))  # just under the outcome limit
        extra = d["actors"][UKRAINE]["red_lines"][0]
        d["actors"][UKRAINE]["red_lines"] = [
            {**copy.deepcopy(extra), "id": f"line_{k}"} for k in range(MAX_CELLS // MAX_OUTCOMES)
        ]

    found = _found(edit)
    assert "table cells, more than the limit" in found[("issues",)]


def test_an_astronomical_range_is_refused_quickly() -> None:
    """The size is computed without listing options, and nothing else lists them first."""

    def edit(d: dict[str, Any]) -> None:
        d["issues"].append(_range_issue(1e300, 1e-300))
        d["actors"][RUSSIA]["red_lines"][0]["forbids"] = {"zone": [3]}
        d["actors"][RUSSIA]["scores"]["zone"] = {5: 1.0}

    started = time.perf_counter()
    loc, message = _one(edit)
    assert time.perf_counter() - started < 2
    assert loc == ("issues",)
    assert "about 10^602 outcomes" in message


def test_an_empty_range() -> None:
    loc, message = _one(lambda d: d["issues"].append(_range_issue(-1)))
    assert loc == ("issues", 4, "range")
    assert "the range is empty" in message


# --- sources ---------------------------------------------------------------------------------


def _copy_sources(tmp_path: Path) -> Path:
    from tests.builders import scenario_folder

    return scenario_folder(tmp_path)


def test_quote_not_in_source(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path)

    def edit(d: dict[str, Any]) -> None:
        d["actors"][FRANCE]["red_lines"][1]["provenance"]["quote"] = "We discard no option."

    assert _one(edit, folder) == (
        ("actors", FRANCE, "red_lines", 1, "provenance", "quote"),
        "quote not found verbatim in source 'zh_2025_02_11': 'We discard no option.'",
    )


def test_quotes_are_not_read_without_a_folder() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["actors"][FRANCE]["red_lines"][1]["provenance"]["quote"] = "We discard no option."

    assert _found(edit, None) == {}


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        (
            "../sources/2025-02-11-russia-peacekeepers-condition.txt",
            "escapes the scenario's folder",
        ),
        ("sources/../../outside.txt", "escapes the scenario's folder"),
        ("/etc/passwd", "must be relative to the scenario's folder"),
        ("sources/missing.txt", "does not exist"),
        ("sources", "is not a file"),
    ],
)
def test_bad_source_paths(tmp_path: Path, path: str, fragment: str) -> None:
    folder = _copy_sources(tmp_path / "scenarios")
    loc, message = _one(lambda d: d["sources"][0].update(path=path), folder)
    assert loc == ("sources", 0, "path")
    assert fragment in message


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path / "scenarios")
    outside = tmp_path / "outside.txt"
    outside.write_text("anything", encoding="utf-8")
    (folder / "sources" / "link.txt").symlink_to(outside)
    loc, message = _one(lambda d: d["sources"][0].update(path="sources/link.txt"), folder)
    assert loc == ("sources", 0, "path")
    assert "escapes the scenario's folder" in message


def test_a_source_that_is_not_utf8(tmp_path: Path) -> None:
    folder = _copy_sources(tmp_path)
    (folder / "sources" / "latin1.txt").write_bytes("Barrot: « Nous » café".encode("latin-1"))
    found = _found(lambda d: d["sources"][0].update(path="sources/latin1.txt"), folder)
    assert "is not UTF-8 text" in found[("sources", 0, "path")]

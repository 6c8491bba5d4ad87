"""The dashboard's non-UI helpers: override strings, highlighted passages, words, doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

from dashboard import adjust, labels, passages, sweeps
from sim import api
from sim.scenario.build import apply_overrides
from sim.scenario.distributions import Beta, Normal, Uniform
from sim.scenario.sources import quote_found
from tests.builders import ARTICLE_PATH, ROOT


@pytest.mark.parametrize(
    "module",
    ["dashboard.adjust", "dashboard.labels", "dashboard.passages", "dashboard.sweeps"],
)
def test_doctests(module: str) -> None:
    found = doctest.testmod(importlib.import_module(module))
    assert found.attempted > 0
    assert found.failed == 0


def test_every_override_the_helpers_write_is_accepted_by_apply_overrides(
    baseline: api.LoadedScenario,
) -> None:
    base = baseline.scenario
    line = base.actor("russia").red_lines[0]
    cases = [
        adjust.range_override(
            "actors.russia.red_lines.no_nato_timeline.firmness", line.firmness, (0.1, 0.1)
        ),
        adjust.range_override(
            "actors.russia.batna.value", base.actor("russia").batna.value, (0.2, 0.7)
        ),
        adjust.range_override("protocol.max_rounds", 24.0, (24.0, 24.0)),
        adjust.strategy_override("actors.france.strategy", "linear", None, "conceder", (4.0, 6.0)),
        adjust.override("protocol.proposers", ["russia", "ukraine"]),
        adjust.override("protocol.kind", "alternating"),
    ]
    assert cases[2] is None  # a slider left on the file's value writes nothing
    written = [c for c in cases if c is not None]
    adjusted = apply_overrides(base, written, ROOT / "scenarios")
    assert adjusted.actor("russia").red_lines[0].firmness == 0.1
    assert adjusted.actor("russia").batna.value == Uniform(dist="uniform", low=0.2, high=0.7)
    assert adjusted.actor("france").strategy.kind == "conceder"
    assert adjusted.protocol.proposers == ["russia", "ukraine"]


def test_moving_the_bounds_of_a_distribution_keeps_its_shape() -> None:
    beta = Beta(dist="beta", a=2, b=5, low=0.0, high=1.0, nominal=0.9)
    assert adjust.from_range(beta, 0.1, 0.5) == {
        "dist": "beta",
        "a": 2.0,
        "b": 5.0,
        "low": 0.1,
        "high": 0.5,
    }
    normal = Normal(dist="normal", mean=0.5, sd=0.1, low=0.0, high=1.0)
    assert adjust.from_range(normal, 0.2, 0.8)["mean"] == 0.5
    assert adjust.as_range(normal) == (0.0, 1.0)
    assert adjust.yaml_flow("null") == '"null"'  # a string YAML would read as None is quoted


def test_every_baseline_quote_is_highlighted_exactly(baseline: api.LoadedScenario) -> None:
    text = ARTICLE_PATH.read_text(encoding="utf-8")
    scenario = baseline.scenario
    quotes = [
        line.provenance.quote
        for a in scenario.actors
        for line in a.red_lines
        if line.provenance.quote
    ]
    assert len(quotes) == 8
    for quote in quotes:
        start, end = passages.span(quote, text)  # type: ignore[misc]
        assert quote_found(quote, text[start:end])
        assert quote_found(text[start:end], quote)
    html = passages.highlighted_html(text, [passages.Passage(q, "note <b>") for q in quotes])
    assert html.count("<mark") >= 8
    assert "note &lt;b&gt;" in html
    assert passages.span("a sentence the article never says", text) is None


def test_paths_and_conditions_in_words(baseline: api.LoadedScenario) -> None:
    scenario = baseline.scenario
    assert labels.path_words(scenario, "actors.ukraine.batna.drift") == (
        "Ukraine · value of no deal · drift per round"
    )
    assert (
        labels.path_words(
            scenario,
            "actors.russia.red_lines.talks_require_nato_off_table.precondition.probability",
        )
        == "Russia · red line “talks require NATO off table” · chance its precondition is conceded"
    )
    assert labels.path_words(scenario, "institutions.security_council.members.china.p_yes") == (
        "Security Council · China · probability of a yes vote"
    )
    assert labels.condition_words(scenario, {"force": ["european"], "mandate": ["none"]}) == (
        "Foreign peacekeeping force: a European / NATO-state force; and "
        "UN Security Council mandate for the force: no mandate"
    )
    colours = labels.actor_colours(scenario)
    assert list(colours) == ["Russia", "United States", "France", "Ukraine"]
    assert len(set(colours.values())) == 4


def test_differences_between_two_scenarios(baseline: api.LoadedScenario) -> None:
    base = baseline.scenario
    other = apply_overrides(base, ["protocol.max_rounds=7", "actors.russia.batna.drift=0"], None)
    diff = sweeps.differences(base, other)
    assert sorted(diff["path"]) == ["actors.russia.batna.drift", "protocol.max_rounds"]
    row = diff.set_index("path").loc["protocol.max_rounds"]
    assert (row["left"], row["right"]) == ("24", "7")
    assert sweeps.differences(base, base).empty

"""The negotiation model: the article's claims, determinism, the Python API.

The invariants over generated scenarios (no agreement crosses a binding red line or falls
below a BATNA; same seed, same result) are in `tests/test_invariants.py`.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim import api
from sim.engine.model import NegotiationModel
from sim.engine.results import OUTCOMES
from sim.engine.run import RunOutput, run, simulate
from sim.engine.space import Compiled, compile_scenario
from sim.scenario.build import load_scenario
from sim.scenario.checks import check
from sim.scenario.schema import Scenario
from tests.builders import BASELINE, ROOT, SCENARIOS, scenario_dicts

RUSSIA = "actors.russia.red_lines"
RUSSIAN_LINES = (
    "no_nato_timeline",
    "talks_require_nato_off_table",
    "no_troops_without_mandate",
    "veto_western_troops",
    "no_western_peacekeepers",
)
ALL_LINES = (
    *(f"{RUSSIA}.{line}.firmness=1" for line in RUSSIAN_LINES),
    "actors.united_states.red_lines.plan_includes_peacekeepers.firmness=1",
    "actors.france.red_lines.support_continues.firmness=1",
    "actors.france.red_lines.no_option_discarded.firmness=1",
    "actors.ukraine.red_lines.no_halt_of_support.firmness=1",
    "actors.ukraine.red_lines.requires_security_guarantee.firmness=1",
)
"""Every red line of the baseline at firmness 1 (the article's claims assume they hold)."""


def scenario(name: str, *sets: str) -> Compiled:
    return compile_scenario(load_scenario(SCENARIOS / f"{name}.yaml", sets).scenario)


def same(a: Any, b: Any) -> bool:
    keep = ("outcome", "rounds", "terms", "utilities", "binding_red_lines", "sampled")
    return all(getattr(a, k) == getattr(b, k) for k in keep)


# --- the article's claims (red lines at firmness 1) -------------------------------------------


@pytest.mark.parametrize(
    "protocol",
    [
        "{kind: mediated, mediator: united_states, max_rounds: 24}",
        "{kind: alternating, max_rounds: 40}",
    ],
)
def test_claim_no_agreement_contains_a_nato_timeline(protocol: str) -> None:
    """Putin rejects "any 'timeline' of NATO membership, whether 20 years or more". With the
    precondition lifted (so NATO options stay on the table), no agreement has a timeline."""
    sets = (
        f"{RUSSIA}.no_nato_timeline.firmness=1",
        f"{RUSSIA}.talks_require_nato_off_table.firmness=0",
        f"protocol={protocol}",
    )
    compiled = scenario("baseline", *sets)
    agreed = [simulate(compiled, seed) for seed in range(60)]
    terms = [r.terms for r in agreed if r.outcome == "agreement" and r.terms]
    assert terms, "some runs agree"
    assert all(t["nato"] not in ("accession_timeline", "delayed_accession") for t in terms)


def test_the_timeline_line_is_what_keeps_timelines_out() -> None:
    """Control for the claim above: when the line does not bind, parties at the pen do put
    timelines into agreements (so the claim's test could fail)."""
    compiled = scenario(
        "baseline",
        f"{RUSSIA}.no_nato_timeline.firmness=0",
        f"{RUSSIA}.talks_require_nato_off_table.firmness=0",
        "protocol={kind: alternating, max_rounds: 40}",
    )
    results = [simulate(compiled, seed) for seed in range(80)]
    natos = {r.terms["nato"] for r in results if r.outcome == "agreement" and r.terms}
    assert natos & {"accession_timeline", "delayed_accession"}


def test_claim_no_talks_while_nato_membership_is_on_the_table() -> None:
    """ "Moscow is unlikely to enter negotiations until NATO membership is completely off the
    table": binding and not conceded, there are no talks, for every seed."""
    compiled = scenario(
        "baseline",
        *ALL_LINES,
        f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=0",
    )
    for seed in range(30):
        result = simulate(compiled, seed, record=True)
        assert result.outcome == "no_talks"
        assert result.rounds == 0
        assert not [e for e in result.events if e["kind"] == "proposal"]
        ending = result.events[-1]
        assert ending["kind"] == "no_talks"
        assert ending["red_line"] == "talks_require_nato_off_table"
        assert "completely off" in ending["quote"]
        assert result.conceded["russia"] == []


def test_once_the_precondition_is_conceded_talks_start_with_nato_off_the_table() -> None:
    compiled = scenario(
        "baseline",
        *ALL_LINES,
        f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=1",
    )
    for seed in range(20):
        result = simulate(compiled, seed, record=True)
        offers = [e["offer"] for e in result.events if e["kind"] == "proposal"]
        assert result.outcome != "no_talks"
        assert offers and all(o["nato"] == "off_table" for o in offers)
        assert result.conceded["russia"] == ["talks_require_nato_off_table"]
        assert simulate(compiled, seed).conceded == result.conceded


@pytest.mark.parametrize("talks", [False, True])
def test_claim_a_european_force_deployed_without_a_mandate_escalates(talks: bool) -> None:
    """ "Any foreign military contingents sent into the combat zone will be regarded as
    ordinary combatants ... and a legitimate military target": France deploys after 12 rounds
    (with no talks, or with talks a hard-line Ukraine deadlocks), and the war escalates."""
    sets = [
        *ALL_LINES,
        "institutions.unilateral_deployment.probability=1",
        f"{RUSSIA}.talks_require_nato_off_table.precondition.probability={int(talks)}",
    ]
    if talks:
        sets.append("actors.ukraine.strategy={kind: hardliner}")
    compiled = scenario("france_deploys_without_mandate", *sets)
    for seed in range(20):
        result = simulate(compiled, seed, record=True)
        assert result.outcome == "escalation"
        assert result.rounds == 12
        assert result.terms is not None
        assert (result.terms["force"], result.terms["mandate"]) == ("european", "none")
        ending = result.events[-1]
        assert ending["kind"] == "escalation"
        assert (ending["actor"], ending["red_line"]) == ("russia", "no_troops_without_mandate")
        assert ending["deployed_by"] == "france"
        assert bool([e for e in result.events if e["kind"] == "proposal"]) == talks


def test_a_deployment_escalates_only_when_the_mandate_line_binds() -> None:
    compiled = scenario(
        "france_deploys_without_mandate",
        "institutions.unilateral_deployment.probability=1",
        f"{RUSSIA}.talks_require_nato_off_table.firmness=1",
        f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=0",
        f"{RUSSIA}.no_troops_without_mandate.firmness=0",
    )
    for seed in range(10):
        assert simulate(compiled, seed).outcome == "no_talks"


def agreement_seeds_in_readme() -> list[int]:
    """The seeds scenarios/README.md says reach agreement in un_mandated_non_nato_force."""
    text = (SCENARIOS / "README.md").read_text(encoding="utf-8")
    marker = "reach agreement with every red line at firmness 1 for seeds"
    assert marker in text
    listed = text.split(marker, 1)[1].split(".", 1)[0]
    return [int(s) for s in listed.replace(",", " ").replace("and", " ").split()]


def test_claim_with_the_precondition_met_a_mandated_non_nato_force_can_be_agreed() -> None:
    """The headline: Russia would accept foreign peacekeepers "On One Condition". With NATO
    off the table and a non-NATO force under a mandate, agreement comes for some seeds: those
    README.md names, every one a non-NATO force under a mandate that passed the Council."""
    compiled = scenario("un_mandated_non_nato_force", *ALL_LINES)
    seeds = agreement_seeds_in_readme()
    assert seeds
    for seed in seeds:
        result = simulate(compiled, seed, record=True)
        assert result.outcome == "agreement", seed
        assert result.terms is not None
        assert result.terms["nato"] == "off_table"
        assert (result.terms["force"], result.terms["mandate"]) == ("non_nato", "unsc")
        council = [e for e in result.events if e["kind"] == "council"]
        assert council and council[-1]["passed"]
    outcomes = [simulate(compiled, seed).outcome for seed in range(10)]
    first_ten = [s for s in seeds if s < 10]
    assert [s for s, o in enumerate(outcomes) if o == "agreement"] == first_ten


def test_the_baseline_with_the_precondition_met_agrees_only_on_a_mandated_non_nato_force() -> None:
    compiled = scenario(
        "baseline", *ALL_LINES, f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=1"
    )
    results = [simulate(compiled, seed) for seed in range(40)]
    agreed = [r.terms for r in results if r.outcome == "agreement"]
    assert agreed
    for terms in agreed:
        assert terms is not None
        assert (terms["nato"], terms["force"], terms["mandate"]) == (
            "off_table",
            "non_nato",
            "unsc",
        )
        assert terms["support"] != "halted"


# --- generated scenarios (their invariants: tests/test_invariants.py) ---------------------------


def compiled_or_skip(data: dict[str, Any]) -> Compiled:
    parsed = Scenario.model_validate(data)
    assume(not check(parsed, None))
    return compile_scenario(parsed)


def test_monotonic_concession_refuses_more_than_two_signing_actors() -> None:
    compiled = scenario("baseline")
    parsed = compiled.scenario.model_copy(
        update={
            "protocol": compiled.scenario.protocol.model_copy(
                update={"kind": "monotonic_concession"}
            )
        }
    )
    with pytest.raises(ValueError, match="bilateral"):
        NegotiationModel(compile_scenario(parsed), seed=0)


def synthetic() -> Compiled:
    path = ROOT / "benchmarks" / "bench_engine.py"
    spec = importlib.util.spec_from_file_location("bench_engine", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.synthetic()


def test_blocks_of_quiet_rounds_give_the_stepped_result_on_the_benchmark() -> None:
    compiled = synthetic()
    for seed in range(40):
        fast = simulate(compiled, seed)
        stepped = NegotiationModel(compiled, seed=seed, record=False)
        while stepped.running:
            stepped.play_round()
        assert same(fast, stepped.result()), seed


# --- determinism and the API ------------------------------------------------------------------


def test_same_seed_same_result_different_seeds_differ() -> None:
    compiled = scenario("baseline")
    first = simulate(compiled, 11, record=True)
    assert first.to_dict() == simulate(compiled, 11, record=True).to_dict()
    sampled = {tuple(simulate(compiled, s).sampled.values()) for s in range(5)}
    assert len(sampled) == 5


def test_the_fast_path_fills_the_result_without_events() -> None:
    compiled = scenario("us_takes_nato_off_table")
    result = simulate(compiled, 2)
    assert result.events == []
    assert result.outcome in OUTCOMES and result.rounds >= 1
    assert set(result.binding_red_lines) == set(compiled.actor_ids)
    assert result.sampled and all(isinstance(v, float) for v in result.sampled.values())
    if result.outcome == "agreement":
        assert result.terms is not None and set(result.terms) == set(compiled.space.issues)
        assert result.utilities is not None and set(result.utilities) == set(compiled.actor_ids)


def test_run_returns_the_story_and_one_row_per_round() -> None:
    output = run(SCENARIOS / "us_takes_nato_off_table.yaml", seed=3)
    assert isinstance(output, RunOutput)
    result = output.result
    assert list(output.rounds.index) == list(range(result.rounds + 1))
    assert {"talks", "proposer", "offer", "outcome"} <= set(output.rounds.columns)
    assert len(output.actors) == (result.rounds + 1) * len(output.compiled.actor_ids)
    assert output.rounds["outcome"].iloc[-1] == result.outcome
    proposals = [e for e in result.events if e["kind"] == "proposal"]
    assert len(proposals) == result.rounds
    for event in proposals:
        assert {"round", "kind", "proposer", "offer", "responses"} <= set(event)
        for answer in event["responses"].values():
            assert {"accept", "reason", "red_line"} <= set(answer)
    # the value of no deal in the last round, as the report and the dashboard show it
    last = output.actors.reset_index().groupby("actor")["batna"].last()
    assert output.final_batnas() == pytest.approx(last.to_dict())
    assert set(output.final_batnas()) == set(output.compiled.actor_ids)


def test_run_accepts_paths_loaded_scenarios_scenarios_and_compiled_ones(
    baseline: api.LoadedScenario,
) -> None:
    loaded = baseline
    compiled = compile_scenario(loaded.scenario)
    results = [
        run(item, seed=4).result.to_dict()
        for item in (
            BASELINE,
            str(BASELINE),
            loaded,
            loaded.scenario,
            compiled,
        )
    ]
    assert all(r == results[0] for r in results)
    with pytest.raises(TypeError):
        run(42, seed=1)


def test_run_applies_overrides(baseline: api.LoadedScenario) -> None:
    sets = [
        f"{RUSSIA}.talks_require_nato_off_table.firmness=1",
        f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=0",
    ]
    assert run(BASELINE, seed=0, overrides=sets).result.outcome == "no_talks"
    loaded = baseline
    assert run(loaded, seed=0, overrides=sets).result.outcome == "no_talks"


def test_without_a_seed_run_draws_a_fresh_one_and_reports_it() -> None:
    seeds = {run(BASELINE).result.seed for _ in range(3)}
    assert len(seeds) == 3
    seed = seeds.pop()
    assert isinstance(seed, int) and seed >= 0
    replay = run(BASELINE, seed=seed).result
    assert replay.seed == seed


def test_params_can_be_given_instead_of_drawn() -> None:
    from sim.engine.params import nominal_parameters

    compiled = scenario("baseline")
    params = nominal_parameters(compiled)
    model = NegotiationModel(compiled, seed=1, record=False, params=params)
    assert model.params is params
    np.testing.assert_array_equal(model.board.u, params.utilities)


# --- the parameter draw the engine relies on --------------------------------------------------


def reference_draw(compiled: Compiled, seed: int) -> Any:
    from sim.engine.params import _parameters
    from sim.scenario.distributions import sample

    rng = np.random.default_rng(seed)
    return _parameters(compiled, {path: sample(dist, rng) for path, dist in compiled.uncertain})


def assert_same_parameters(a: Any, b: Any) -> None:
    from dataclasses import fields

    for f in fields(a):
        left, right = getattr(a, f.name), getattr(b, f.name)
        if isinstance(left, np.ndarray):
            assert left.shape == right.shape, f.name
            assert np.array_equal(left, right, equal_nan=True), f.name
        else:
            assert left == right, f.name


@pytest.mark.parametrize("name", ["baseline", "un_mandated_non_nato_force", "synthetic"])
def test_draw_parameters_equals_the_reference_to_the_last_bit(name: str) -> None:
    from sim.engine.params import draw_parameters

    compiled = synthetic() if name == "synthetic" else scenario(name)
    for seed in range(30):
        drawn = draw_parameters(compiled, np.random.default_rng(seed))
        assert_same_parameters(drawn, reference_draw(compiled, seed))


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenario_dicts(), seed=st.integers(0, 2**32 - 1))
def test_draw_parameters_equals_the_reference_on_generated_scenarios(
    data: dict[str, Any], seed: int
) -> None:
    from sim.engine.params import draw_parameters

    compiled = compiled_or_skip(data)
    assert_same_parameters(
        draw_parameters(compiled, np.random.default_rng(seed)), reference_draw(compiled, seed)
    )

"""Institutions: binding draws, preconditions, the Security Council vote, deployments."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.institutions import Council, Deployment, draw_binding, draw_conceded
from sim.engine.model import NegotiationModel
from sim.engine.params import nominal_parameters
from sim.engine.run import simulate
from sim.engine.space import Compiled, compile_scenario
from sim.scenario.build import load_scenario
from tests.builders import BASELINE

RUSSIA = "actors.russia.red_lines"


def baseline(*sets: str) -> Compiled:
    return compile_scenario(load_scenario(BASELINE, sets).scenario)


def outcome(compiled: Compiled, **terms: str) -> int:
    found = compiled.space.find(terms)
    assert found is not None, terms
    return found


def crossing(compiled: Compiled, binding: np.ndarray, o: int) -> list[list[int]]:
    lines: list[list[int]] = [[] for _ in compiled.actor_ids]
    for ref in compiled.red_lines:
        if binding[ref.row] and compiled.red_line_mask[ref.row, o]:
            lines[ref.actor_index].append(ref.row)
    return lines


# --- draws -----------------------------------------------------------------------------------


def test_binding_is_one_draw_per_red_line_in_order() -> None:
    compiled = baseline()
    params = nominal_parameters(compiled)
    binding = draw_binding(params, np.random.default_rng(3))
    rng = np.random.default_rng(3)
    expected = [rng.random() < f for f in params.firmness]
    assert binding.tolist() == expected


def test_firmness_zero_never_binds_and_one_always_binds() -> None:
    params = nominal_parameters(baseline())
    rng = np.random.default_rng(0)
    for firmness in (0.0, 1.0):
        params.firmness[:] = firmness
        assert draw_binding(params, rng).all() == bool(firmness)
        assert draw_binding(params, rng).any() == bool(firmness)


def test_only_binding_preconditions_are_drawn() -> None:
    compiled = baseline(f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=1")
    params = nominal_parameters(compiled)
    is_pre = np.array([r.rule.precondition is not None for r in compiled.red_lines])
    rng = np.random.default_rng(1)
    none_bind = np.zeros(len(compiled.red_lines), dtype=bool)
    before = rng.bit_generator.state
    assert not draw_conceded(params, none_bind, is_pre, rng).any()
    assert rng.bit_generator.state == before, "no binding precondition: nothing drawn"
    conceded = draw_conceded(params, is_pre.copy(), is_pre, rng)
    assert conceded.tolist() == is_pre.tolist()


# --- the Security Council --------------------------------------------------------------------


def test_a_permanent_member_crossing_its_veto_line_vetoes() -> None:
    compiled = baseline()
    council = Council.of(compiled)
    assert council is not None
    params = nominal_parameters(compiled)
    binding = np.ones(len(compiled.red_lines), dtype=bool)
    o = outcome(compiled, nato="off_table", force="european", mandate="unsc", support="continued")
    p_yes = np.ones_like(params.council_p_yes)
    vote = council.vote(
        crossing(compiled, binding, o),
        params.utilities[o],
        params.batna,
        p_yes,
        np.random.default_rng(0),
    )
    assert not vote.passed
    assert [b.member for b in vote.vetoed_by] == ["russia"]
    veto = compiled.red_lines[vote.vetoed_by[0].red_line]
    assert veto.actor == "russia"
    assert vote.yes >= council.votes_needed, "the veto, not the count, stops it"


def test_a_mandate_passes_with_enough_yes_votes_and_no_veto() -> None:
    compiled = baseline()
    council = Council.of(compiled)
    assert council is not None
    params = nominal_parameters(compiled)
    binding = np.ones(len(compiled.red_lines), dtype=bool)
    o = outcome(compiled, nato="off_table", force="non_nato", mandate="unsc", support="continued")
    low_batna = np.zeros_like(params.batna)
    rng = np.random.default_rng(0)
    yes_all = np.ones_like(params.council_p_yes)
    vote = council.vote(
        crossing(compiled, binding, o), params.utilities[o], low_batna, yes_all, rng
    )
    assert vote.passed and vote.yes == 15 and vote.no == 0
    elected_no = yes_all.copy()
    elected_no[[m.index for m in council.seats if m.id == "elected"]] = 0.0
    vote = council.vote(
        crossing(compiled, binding, o), params.utilities[o], low_batna, elected_no, rng
    )
    assert vote.yes == 5 and not vote.vetoed_by
    assert not vote.passed, "5 of 15 is short of 9"


def test_an_actor_votes_no_when_the_mandate_is_worth_less_than_no_deal() -> None:
    compiled = baseline()
    council = Council.of(compiled)
    assert council is not None
    params = nominal_parameters(compiled)
    o = outcome(compiled, nato="off_table", force="non_nato", mandate="unsc", support="continued")
    high_batna = np.ones_like(params.batna)
    vote = council.vote(
        [[] for _ in compiled.actor_ids],
        params.utilities[o],
        high_batna,
        np.ones_like(params.council_p_yes),
        np.random.default_rng(0),
    )
    actor_seats = {b.member for b in vote.ballots if b.no and b.red_line is None}
    assert {"russia", "united_states", "france"} <= actor_seats
    assert not vote.passed


def test_seats_without_an_actor_draw_once_per_seat() -> None:
    compiled = baseline()
    council = Council.of(compiled)
    assert council is not None
    params = nominal_parameters(compiled)
    o = outcome(compiled, nato="off_table", force="non_nato", mandate="unsc", support="continued")
    rng = np.random.default_rng(9)
    council.vote(
        [[] for _ in compiled.actor_ids],
        params.utilities[o],
        params.batna,
        params.council_p_yes,
        rng,
    )
    reference = np.random.default_rng(9)
    reference.random(sum(s.seats for s in council.seats if s.actor is None))
    assert rng.random() == reference.random()


def test_claim_a_mandate_for_a_european_force_is_vetoed_by_russia() -> None:
    """The article: Russia "can provide a lone veto halting any proposal to send foreign
    troops". France, informed and alone at the pen, proposes a European force under a mandate
    that Russia accepts at the table (no other red line of Russia's stands in the way); the
    Security Council vote is vetoed by Russia, and no agreement ever includes it."""
    compiled = baseline(
        *(f"{RUSSIA}.{line}.firmness=1" for line in ("no_nato_timeline", "veto_western_troops")),
        f"{RUSSIA}.talks_require_nato_off_table.firmness=1",
        f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=1",
        f"{RUSSIA}.no_western_peacekeepers.firmness=0",
        "actors.russia.batna.value=0.2",
        "actors.russia.strategy={kind: informed}",
        "actors.ukraine.strategy={kind: informed}",
        "actors.france.strategy={kind: informed}",
        "protocol={kind: setter, proposers: [france], max_rounds: 6}",
        "institutions.security_council.members.united_kingdom.p_yes=1",
        "institutions.security_council.members.china.p_yes=1",
    )
    for seed in range(10):
        result = simulate(compiled, seed, record=True)
        votes = [e for e in result.events if e["kind"] == "council"]
        european = [v for v in votes if v["offer"]["force"] == "european"]
        assert european, f"seed {seed}: France put a European force to the Council"
        first = european[0]
        assert first["vetoed_by"] == ["russia"]
        ballot = next(b for b in first["ballots"] if b["member"] == "russia")
        assert ballot["red_line"] == "veto_western_troops"
        if result.outcome == "agreement":
            assert result.terms is not None
            assert not (result.terms["force"] == "european" and result.terms["mandate"] == "unsc")


def test_a_vetoed_text_is_not_proposed_again() -> None:
    compiled = baseline(
        f"{RUSSIA}.veto_western_troops.firmness=1",
        f"{RUSSIA}.talks_require_nato_off_table.firmness=0",
        f"{RUSSIA}.no_western_peacekeepers.firmness=0",
        "actors.russia.batna.value=0.0",
        "actors.russia.strategy={kind: informed}",
        "actors.ukraine.strategy={kind: informed}",
        "actors.france.strategy={kind: informed}",
        "protocol={kind: setter, proposers: [france], max_rounds: 8}",
    )
    result = simulate(compiled, 0, record=True)
    vetoed = [e["offer"] for e in result.events if e["kind"] == "council" and e["vetoed_by"]]
    assert vetoed
    later = [e["offer"] for e in result.events if e["kind"] == "proposal"]
    assert all(later.count(text) == 1 for text in vetoed)


# --- deployments ------------------------------------------------------------------------------


def test_deployed_terms_cross_a_red_line_on_the_issues_both_name() -> None:
    compiled = baseline()
    deployment = Deployment.of(compiled)
    assert deployment is not None
    crossed = {compiled.red_lines[k].key for k in np.flatnonzero(deployment.crosses)}
    assert "russia.no_troops_without_mandate" in crossed  # force european, mandate none
    assert "russia.no_western_peacekeepers" in crossed  # force european
    assert "russia.veto_western_troops" not in crossed  # needs a mandate
    assert "russia.no_nato_timeline" not in crossed  # names no deployed issue
    assert "france.support_continues" not in crossed


def test_only_a_binding_escalate_line_escalates() -> None:
    compiled = baseline()
    deployment = Deployment.of(compiled)
    assert deployment is not None
    escalate = np.array([r.consequence == "escalate" for r in compiled.red_lines])
    everything = np.ones(len(compiled.red_lines), dtype=bool)
    line = deployment.escalates(everything, escalate)
    assert line is not None and compiled.red_lines[line].id == "no_troops_without_mandate"
    everything[line] = False
    assert deployment.escalates(everything, escalate) is None


def test_a_deployment_that_crosses_nothing_binding_is_recorded_and_talks_go_on() -> None:
    compiled = baseline(
        f"{RUSSIA}.talks_require_nato_off_table.firmness=0",
        f"{RUSSIA}.no_troops_without_mandate.firmness=0",
        "institutions.unilateral_deployment.probability=1",
        "institutions.unilateral_deployment.after_rounds=2",
        "protocol.max_rounds=6",
        "actors.russia.strategy={kind: hardliner}",
    )
    model = NegotiationModel(compiled, seed=4, record=True)
    model.run_model()
    deployments = [e for e in model.events if e["kind"] == "deployment"]
    assert len(deployments) == 1 and deployments[0]["round"] == 2
    assert deployments[0]["escalates"] is False
    assert model.outcome != "escalation"
    assert model.rounds_played > 2


def test_without_talks_a_deployment_that_does_not_escalate_ends_the_wait() -> None:
    compiled = baseline(
        f"{RUSSIA}.talks_require_nato_off_table.firmness=1",
        f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=0",
        f"{RUSSIA}.no_troops_without_mandate.firmness=0",
        "institutions.unilateral_deployment.probability=1",
        "institutions.unilateral_deployment.after_rounds=3",
    )
    result = simulate(compiled, 0, record=True)
    assert result.outcome == "no_talks"
    assert result.rounds == 3
    kinds = [e["kind"] for e in result.events]
    assert kinds == ["precondition", "deployment", "no_talks"]


@pytest.mark.parametrize("seed", range(5))
def test_no_deployment_when_its_probability_is_zero(seed: int) -> None:
    compiled = baseline(
        f"{RUSSIA}.no_troops_without_mandate.firmness=1",
        f"{RUSSIA}.talks_require_nato_off_table.firmness=1",
        f"{RUSSIA}.talks_require_nato_off_table.precondition.probability=0",
    )
    result = simulate(compiled, seed, record=True)
    assert result.outcome == "no_talks"
    assert result.rounds == 0
    assert not [e for e in result.events if e["kind"] == "deployment"]

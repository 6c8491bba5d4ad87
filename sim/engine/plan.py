"""What every run of a compiled scenario shares, precomputed once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.institutions import Council, Deployment, council_vetoes
from sim.engine.space import Compiled, derived

SIGNING_ROLES = ("belligerent", "guarantor")


@dataclass(frozen=True, eq=False)
class Plan:
    """What every run of a compiled scenario shares, precomputed once (see :func:`plan_of`)."""

    n_outcomes: int
    n_actors: int
    owner: np.ndarray
    """int per red line: the actor it belongs to."""
    owner_onehot: np.ndarray
    """bool, actors x red lines."""
    owner_onehot_t: np.ndarray
    """bool, red lines x actors."""
    consequence: tuple[str, ...]
    is_walk: np.ndarray
    is_escalate: np.ndarray
    is_precondition: np.ndarray
    requires: np.ndarray
    """bool, red lines x outcomes: meets the line's precondition (all True for other lines)."""
    table_mask: np.ndarray
    """bool, red lines x outcomes: the line acts at the table on the outcome."""
    table_mask_t: np.ndarray
    """The same, outcomes x red lines."""
    declared_bad: np.ndarray
    """bool per outcome: crosses a declared (not assumed) red line of a needed signatory."""
    need_t: np.ndarray
    """bool, outcomes x actors: `Compiled.signatory_mask` transposed."""
    mandate: np.ndarray
    council: Council | None
    deployment: Deployment | None
    parties: tuple[int, ...]
    """Actors who sign anything (belligerents and guarantors), in file order."""
    proposers: tuple[int, ...]
    mediator: int | None
    kinds: tuple[str, ...]
    max_rounds: int
    proposer_of_round: np.ndarray
    """int per round (index 0 = round 1): who proposes under a rotation."""
    proposers_set: tuple[int, ...]
    """The proposers, each once."""
    turns: dict[int, np.ndarray]
    """Per proposer, the rounds (index 0 = round 1) it proposes in, ascending."""
    steps: np.ndarray
    """float, (max_rounds + 1) x 1: the round numbers 0..max_rounds."""
    everything: np.ndarray
    """bool per outcome, all True."""
    no_outcome_actor: np.ndarray
    """bool, outcomes x actors, all False."""
    no_outcome: np.ndarray
    """bool per outcome, all False."""
    minus_infinity: np.ndarray
    """float, 1 x actors, all -inf (the utility of a pass)."""
    actor_rows: np.ndarray
    """int, actors x 1: 0..n_actors - 1 (for gathers)."""
    need_pass: np.ndarray
    """`need_t` with one more row, all True, standing for a pass (offer -1)."""

    @classmethod
    def build(cls, compiled: Compiled) -> Plan:
        """Precompute the run-independent arrays of a compiled scenario."""
        scenario = compiled.scenario
        n_lines, n_actors = len(compiled.red_lines), compiled.n_actors
        space = compiled.space
        owner = np.array([r.actor_index for r in compiled.red_lines], dtype=np.intp)
        onehot = np.zeros((n_actors, n_lines), dtype=bool)
        onehot[owner, np.arange(n_lines)] = True
        consequence = tuple(r.consequence for r in compiled.red_lines)
        council = Council.of(compiled)
        mask = compiled.red_line_mask.reshape(n_lines, space.size)
        table = mask.copy()
        table[council_vetoes(compiled)] &= ~compiled.mandate_mask
        requires = np.ones((n_lines, space.size), dtype=bool)
        for ref in compiled.red_lines:
            if ref.rule.precondition is not None:
                requires[ref.row] = space.matches(ref.rule.precondition.requires)
        declared = np.array(
            [r.rule.provenance.kind != "assumption" for r in compiled.red_lines], dtype=bool
        )
        need = compiled.signatory_mask
        declared_bad = (mask[declared] & need[owner[declared]]).any(axis=0)
        parties = tuple(a for a, role in enumerate(compiled.roles) if role in SIGNING_ROLES)
        protocol = scenario.protocol
        if protocol.proposers:
            proposers = tuple(compiled.actor_index(p) for p in protocol.proposers)
        else:
            proposers = parties
        mediator = compiled.actor_index(protocol.mediator) if protocol.mediator else None
        proposers = proposers or parties
        rotation = np.resize(np.array(proposers or (0,), dtype=np.intp), protocol.max_rounds)
        return cls(
            n_outcomes=space.size,
            n_actors=n_actors,
            owner=owner,
            owner_onehot=onehot,
            owner_onehot_t=np.ascontiguousarray(onehot.T),
            consequence=consequence,
            is_walk=np.array([c == "walk_out" for c in consequence], dtype=bool),
            is_escalate=np.array([c == "escalate" for c in consequence], dtype=bool),
            is_precondition=np.array(
                [r.rule.precondition is not None for r in compiled.red_lines], dtype=bool
            ),
            requires=requires,
            table_mask=table,
            table_mask_t=np.ascontiguousarray(table.T),
            declared_bad=declared_bad,
            need_t=np.ascontiguousarray(need.T),
            mandate=compiled.mandate_mask,
            council=council,
            deployment=Deployment.of(compiled),
            parties=parties,
            proposers=proposers or parties,
            mediator=mediator,
            kinds=tuple(a.strategy.kind for a in scenario.actors),
            max_rounds=protocol.max_rounds,
            proposer_of_round=rotation,
            proposers_set=tuple(dict.fromkeys(proposers)),
            turns={p: np.flatnonzero(rotation == p) for p in dict.fromkeys(proposers)},
            steps=np.arange(protocol.max_rounds + 1, dtype=float)[:, None],
            everything=np.ones(space.size, dtype=bool),
            no_outcome_actor=np.zeros((space.size, n_actors), dtype=bool),
            no_outcome=np.zeros(space.size, dtype=bool),
            minus_infinity=np.full((1, n_actors), -np.inf),
            actor_rows=np.arange(n_actors)[:, None],
            need_pass=np.vstack([need.T, np.ones((1, n_actors), dtype=bool)]),
        )


def plan_of(compiled: Compiled) -> Plan:
    """The plan of a compiled scenario (built once per compiled scenario)."""
    return derived(compiled, Plan.build)

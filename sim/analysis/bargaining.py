"""The bargaining space: feasible sets, ZOPA, Pareto frontier, solution points, blocking.

Two layers, like Nashpy's algorithms behind its game object:

* pure numpy functions over the arrays of :mod:`sim.engine.space` (red-line mask
  `red lines x outcomes`, signatory mask `actors x outcomes`, utilities
  `outcomes x actors`, BATNAs, firmness), each stating its formula;
* :func:`analyse`, which runs them all on a scenario and returns an :class:`Analysis` that the
  CLI (`redlines explain`), the dashboard and sweeps share.

Vocabulary. An outcome *crosses* a red line when it meets the red line's `forbids` condition
(a precondition red line without `forbids` is crossed by every outcome that does not meet its
requirement). A crossed red line *blocks* the outcome when it *binds* (its firmness is at
least a threshold; by default every red line binds) and its owner's consent is needed: the
owner must sign that outcome, or the red line is a veto of an actor casting a permanent seat
and the outcome needs a Security Council mandate. An outcome is *feasible* when nothing blocks
it, *acceptable* when it gives every actor who must sign it at least its BATNA (tolerance
:data:`TOLERANCE`), and in the *ZOPA* (zone of possible agreement) when both hold.

The *parties* of the bargaining problem are the actors whose signature every ZOPA outcome needs
(belligerents, typically); actors who sign only some outcomes (a guarantor signing what it
contributes to) shape the ZOPA through their red lines and BATNA but do not enter the solution
points. Gains are utilities minus BATNAs, clipped at zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.analysis.blocking import (
    MAX_RELAXATION_SIZE,
    blocking_counts,
    bluff_probability,
    closing_red_lines,
    minimal_relaxations,
)
from sim.analysis.feasibility import (
    TOLERANCE,
    acceptable,
    actor_feasible,
    binding_mask,
    blocking_matrix,
    consent_mask,
    gains,
    joint_feasible,
    parties_of,
)
from sim.analysis.pareto import pareto_front
from sim.analysis.solutions import SOLUTIONS, Comparison, compare, nash_point

if TYPE_CHECKING:
    from sim.engine.params import Parameters
    from sim.engine.space import Compiled, RedLineRef
    from sim.scenario.build import LoadedScenario
    from sim.scenario.schema import OptionRef, Scenario


# --- the whole analysis of a scenario ------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """An outcome with its terms and every actor's utility."""

    outcome: int
    terms: dict[str, OptionRef]
    """issue id -> option id (or number)."""
    words: dict[str, str]
    """issue id -> option label."""
    utilities: dict[str, float]
    """actor id -> utility."""

    def to_dict(self) -> dict[str, Any]:
        """`{terms, labels, utilities}` for JSON."""
        return {
            "terms": dict(self.terms),
            "labels": dict(self.words),
            "utilities": {a: round(u, 6) for a, u in self.utilities.items()},
        }


@dataclass(frozen=True)
class RedLineSummary:
    """One red line's part in the bargaining space."""

    ref: RedLineRef
    firmness: float
    binding: bool
    crosses: int
    """Outcomes that cross it."""
    blocks: int
    """Acceptable outcomes (every required signatory at or above its BATNA) it blocks, or
    would block if it does not bind."""
    swing: int
    """Binding: outcomes that join the ZOPA if it alone is dropped. Not binding: ZOPA
    outcomes it would remove if it bound."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        rule = self.ref.rule
        return {
            "actor": self.ref.actor,
            "red_line": self.ref.id,
            "consequence": self.ref.consequence,
            "precondition": rule.precondition is not None,
            "kind": rule.provenance.kind,
            "speaker": rule.provenance.speaker,
            "quote": rule.provenance.quote,
            "firmness": round(self.firmness, 6),
            "binding": self.binding,
            "crosses": self.crosses,
            "blocks": self.blocks,
            "swing": self.swing,
        }


@dataclass(frozen=True)
class Relaxation:
    """A minimal set of red lines whose removal opens a ZOPA."""

    red_lines: tuple[RedLineRef, ...]
    bluff_probability: float
    """Probability that all of them are bluffs: the product of (1 - firmness)."""
    zopa_size: int
    """How many outcomes the ZOPA has once they are dropped."""
    nash: Point | None
    """The Nash point of that ZOPA."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "red_lines": [{"actor": r.actor, "red_line": r.id} for r in self.red_lines],
            "bluff_probability": round(self.bluff_probability, 6),
            "zopa_size": self.zopa_size,
            "nash": self.nash.to_dict() if self.nash else None,
        }


@dataclass(frozen=True)
class Analysis:
    """The bargaining space of a scenario under one set of parameters.

    Masks are bool arrays over the outcomes of `compiled.space`; `blocking` is red lines x
    outcomes (binding red lines only). See the module docstring for the vocabulary.
    """

    compiled: Compiled = field(repr=False)
    parameters: Parameters = field(repr=False)
    threshold: float
    binding: np.ndarray = field(repr=False)
    parties: tuple[str, ...]
    """Actors whose gains the solution points and the Pareto frontier weigh."""
    actor_feasible: np.ndarray = field(repr=False)
    blocking: np.ndarray = field(repr=False)
    feasible: np.ndarray = field(repr=False)
    acceptable: np.ndarray = field(repr=False)
    zopa: np.ndarray = field(repr=False)
    pareto: np.ndarray = field(repr=False)
    """Indices of the ZOPA outcomes on its Pareto frontier (over the parties' utilities)."""
    solutions: dict[str, Point | None]
    """nash, kalai_smorodinsky, egalitarian, utilitarian -> point (None without a ZOPA)."""
    red_lines: tuple[RedLineSummary, ...]
    relaxations: tuple[Relaxation, ...]
    max_relaxation_size: int
    closing: tuple[RedLineRef, ...]
    """With a ZOPA: red lines that do not bind but would close the ZOPA if they did."""
    space_pareto: np.ndarray | None = field(default=None, repr=False)
    """Indices of the whole space's Pareto frontier, when asked for."""

    @property
    def n_outcomes(self) -> int:
        """Size of the outcome space (after the scenario's rules)."""
        return self.compiled.space.size

    @property
    def has_deal(self) -> bool:
        """Whether the ZOPA is non-empty."""
        return bool(self.zopa.any())

    @property
    def opening(self) -> tuple[RedLineRef, ...]:
        """Without a ZOPA: the single red lines whose removal alone opens one."""
        if self.has_deal:
            return ()
        return tuple(r.red_lines[0] for r in self.relaxations if len(r.red_lines) == 1)

    def point(self, outcome: int) -> Point:
        """An outcome with its terms and utilities."""
        return _point(self.compiled, self.parameters, outcome)

    def blockers(self, outcome: int) -> list[RedLineRef]:
        """The binding red lines that block an outcome."""
        return [self.compiled.red_lines[r] for r in np.flatnonzero(self.blocking[:, outcome])]

    def below_batna(self, outcome: int) -> list[str]:
        """The required signatories an outcome leaves below their BATNA."""
        c, p = self.compiled, self.parameters
        short = (p.utilities[outcome] < p.batna - TOLERANCE) & c.signatory_mask[:, outcome]
        return [c.actor_ids[a] for a in np.flatnonzero(short)]

    def compare(self, agreement: int | Mapping[str, OptionRef] | np.ndarray) -> Comparison:
        """How far an agreement (an outcome index, its terms, or a utility vector over every
        actor) is from the Nash point and from the ZOPA's Pareto frontier, in the parties'
        utilities."""
        c, p = self.compiled, self.parameters
        if isinstance(agreement, Mapping):
            found = c.space.find(agreement)
            if found is None:
                raise ValueError(f"no outcome has the terms {dict(agreement)}")
            agreement = found
        if isinstance(agreement, int | np.integer):
            vector = p.utilities[int(agreement)]
        else:
            vector = np.asarray(agreement, dtype=float)
        columns = [c.actor_index(a) for a in self.parties]
        nash = self.solutions.get("nash")
        return compare(
            vector[columns],
            None if nash is None else p.utilities[nash.outcome, columns],
            p.utilities[np.ix_(self.pareto, columns)],
        )

    def to_dict(self) -> dict[str, Any]:
        """The `redlines explain --json` object."""
        c, p = self.compiled, self.parameters
        zopa = np.flatnonzero(self.zopa)
        result: dict[str, Any] = {
            "scenario": c.scenario.id,
            "threshold": self.threshold,
            "binding_red_lines": [r.key for r in c.red_lines if self.binding[r.row]],
            "not_binding_red_lines": [r.key for r in c.red_lines if not self.binding[r.row]],
            "parties": list(self.parties),
            "batna": {a: round(float(p.batna[i]), 6) for i, a in enumerate(c.actor_ids)},
            "outcomes": self.n_outcomes,
            "feasible": int(self.feasible.sum()),
            "feasible_by_actor": {
                a: int(self.actor_feasible[i].sum()) for i, a in enumerate(c.actor_ids)
            },
            "acceptable": int(self.acceptable.sum()),
            "zopa_size": int(zopa.size),
            "zopa": [self.point(int(k)).to_dict() for k in zopa],
            "pareto": [self.point(int(k)).to_dict() for k in self.pareto],
        }
        for name, point in self.solutions.items():
            result[name] = point.to_dict() if point else None
        result["blocking"] = [s.to_dict() for s in self.red_lines]
        result["minimal_relaxations"] = [
            [{"actor": r.actor, "red_line": r.id} for r in x.red_lines] for x in self.relaxations
        ]
        result["max_relaxation_size"] = self.max_relaxation_size
        result["relaxations"] = [x.to_dict() for x in self.relaxations]
        result["pivotal"] = [
            {"actor": r.actor, "red_line": r.id, "effect": "opens"} for r in self.opening
        ] + [{"actor": r.actor, "red_line": r.id, "effect": "closes"} for r in self.closing]
        if self.space_pareto is not None:
            result["space_pareto"] = [self.point(int(k)).to_dict() for k in self.space_pareto]
        return result


def analyse(
    scenario: LoadedScenario | Scenario | Compiled,
    *,
    parameters: Parameters | None = None,
    threshold: float = 0.0,
    binding: np.ndarray | None = None,
    max_relaxation_size: int = MAX_RELAXATION_SIZE,
    space_pareto: bool = False,
) -> Analysis:
    """The whole bargaining-space analysis of a scenario.

    `parameters` default to the nominal ones. Red lines bind when their firmness is at least
    `threshold` (default 0: all bind), unless `binding` (bool per red line, e.g. one run's
    draw) says which bind. `space_pareto` also computes the Pareto frontier of the whole
    space (over the parties of the whole space).
    """
    from sim.engine.institutions import council_vetoes
    from sim.engine.params import nominal_parameters
    from sim.engine.space import Compiled, compile_scenario
    from sim.scenario.build import LoadedScenario

    if isinstance(scenario, Compiled):
        compiled = scenario
    elif isinstance(scenario, LoadedScenario):
        compiled = compile_scenario(scenario.scenario)
    else:
        compiled = compile_scenario(scenario)
    p = parameters if parameters is not None else nominal_parameters(compiled)
    if max_relaxation_size < 0:
        raise ValueError("max_relaxation_size must be at least 0")
    binds = (
        binding_mask(p.firmness, threshold)
        if binding is None
        else np.asarray(binding, dtype=bool).copy()
    )
    owners = np.array([r.actor_index for r in compiled.red_lines], dtype=int)
    consent = consent_mask(
        compiled.signatory_mask, owners, council_vetoes(compiled), compiled.mandate_mask
    )
    would_block = blocking_matrix(compiled.red_line_mask, consent)
    blocking = would_block & binds[:, None]
    feasible = joint_feasible(blocking)
    ok = acceptable(p.utilities, p.batna, compiled.signatory_mask)
    zopa = feasible & ok

    parties = parties_of(compiled.signatory_mask, zopa)
    zopa_rows = np.flatnonzero(zopa)
    zopa_utilities = p.utilities[np.ix_(zopa_rows, parties)]
    pareto = zopa_rows[pareto_front(zopa_utilities)]
    party_gains = gains(zopa_utilities, p.batna[parties])
    solutions: dict[str, Point | None] = {}
    for name, solve in SOLUTIONS.items():
        best = solve(party_gains)
        solutions[name] = None if best is None else _point(compiled, p, int(zopa_rows[best]))

    blocks, swing = blocking_counts(would_block, ok, binds)
    summaries = tuple(
        RedLineSummary(
            ref=ref,
            firmness=float(p.firmness[ref.row]),
            binding=bool(binds[ref.row]),
            crosses=int(compiled.red_line_mask[ref.row].sum()),
            blocks=int(blocks[ref.row]),
            swing=int(swing[ref.row]),
        )
        for ref in compiled.red_lines
    )
    relaxations = tuple(
        _relaxation(compiled, p, blocking, ok, rows)
        for rows in minimal_relaxations(blocking, ok, p.firmness, max_relaxation_size)
    )
    closing = tuple(compiled.red_lines[r] for r in closing_red_lines(would_block, zopa))
    whole: np.ndarray | None = None
    if space_pareto:
        everyone = parties_of(compiled.signatory_mask, np.ones(compiled.space.size, bool))
        whole = np.flatnonzero(pareto_front(p.utilities[:, everyone]))
    return Analysis(
        compiled=compiled,
        parameters=p,
        threshold=float(threshold),
        binding=binds,
        parties=tuple(compiled.actor_ids[a] for a in parties),
        actor_feasible=actor_feasible(compiled.red_line_mask, owners, compiled.n_actors, binds),
        blocking=blocking,
        feasible=feasible,
        acceptable=ok,
        zopa=zopa,
        pareto=pareto,
        solutions=solutions,
        red_lines=summaries,
        relaxations=relaxations,
        max_relaxation_size=max_relaxation_size,
        closing=closing,
        space_pareto=whole,
    )


def _point(compiled: Compiled, p: Parameters, outcome: int) -> Point:
    space = compiled.space
    return Point(
        outcome=outcome,
        terms=space.terms(outcome),
        words=space.words(outcome),
        utilities={a: float(p.utilities[outcome, i]) for i, a in enumerate(compiled.actor_ids)},
    )


def _relaxation(
    compiled: Compiled,
    p: Parameters,
    blocking: np.ndarray,
    ok: np.ndarray,
    rows: tuple[int, ...],
) -> Relaxation:
    keep = np.ones(blocking.shape[0], dtype=bool)
    keep[list(rows)] = False
    zopa = ok & ~blocking[keep].any(axis=0)
    zopa_rows = np.flatnonzero(zopa)
    parties = parties_of(compiled.signatory_mask, zopa)
    best = nash_point(gains(p.utilities[np.ix_(zopa_rows, parties)], p.batna[parties]))
    return Relaxation(
        red_lines=tuple(compiled.red_lines[r] for r in rows),
        bluff_probability=bluff_probability(p.firmness, rows),
        zopa_size=int(zopa_rows.size),
        nash=None if best is None else _point(compiled, p, int(zopa_rows[best])),
    )

"""What stands around the table: preconditions to talks, the Security Council, deployments.

Semantics (decided for the project; :mod:`sim.engine.model` applies them in this order per run):

1. **Binding red lines.** After the run's parameters are drawn, one `rng.random()` per red line,
   in red-line order (actors in file order, their red lines in file order): the line binds iff
   the draw is below its firmness.
2. **Preconditions.** Then one `rng.random()` per *binding* precondition, in the same order: it
   is conceded (by its `met_by` actor) iff the draw is below its probability. A binding
   precondition not conceded means no talks. Once conceded, offers stay inside its
   `requires` condition.
3. **Security Council.** An outcome that every needed signatory accepts and that meets the
   council's `mandate` condition goes to a vote. A seat cast by an actor votes no when the
   outcome crosses any of that actor's binding red lines (a `veto` line acts here, when its
   owner holds a permanent seat), else yes iff the outcome is worth at least the actor's BATNA
   at that round. Every other seat votes yes with its `p_yes`, one `rng.random()` per seat, in
   member order. The mandate passes with at least `votes_needed` yes votes and no permanent
   member voting no. A refused mandate does not end the run: the parties go on talking, and
   the refused outcome (and every outcome crossing a vetoing red line) is known to be bad.
4. **Unilateral deployment.** One `rng.random()` per run (after the preconditions) decides
   whether the deploying actor acts (draw below `probability`). It acts at the end of round
   `after_rounds` if there is no agreement by then. Its `terms` cross a red line when, on the
   issues both name, every option deployed is one the red line lists (issues the red line
   names but the terms do not are ignored). Crossing a binding `escalate` red line ends the
   run in `escalation`; otherwise the deployment is recorded and talks go on.

   With no talks (a precondition unmet), the run still waits for a deployment that is due:
   the rounds pass without talks until round `after_rounds`, so a force deployed without a
   mandate while the parties are not even talking escalates the war (a deployment that does
   not escalate ends the wait: `no_talks` in that round). When no deployment is
   due (none configured, the draw failed, or `after_rounds` beyond `max_rounds`), the run
   ends at once, in round 0, as `no_talks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.params import Parameters
from sim.engine.space import Compiled


@dataclass(frozen=True)
class Seat:
    """A council member as the engine sees it."""

    id: str
    name: str
    permanent: bool
    seats: int
    actor: int | None
    """Index of the actor who casts this seat's vote, or None (votes by `p_yes`)."""
    index: int
    """Row in `Parameters.council_p_yes`."""


@dataclass(frozen=True)
class Ballot:
    """How one council member voted."""

    member: str
    yes: int
    no: int
    permanent: bool
    red_line: int | None = None
    """The red line (row) an actor's no vote cites, if any."""


@dataclass(frozen=True)
class Vote:
    """The result of a Security Council vote on one outcome."""

    ballots: tuple[Ballot, ...]
    votes_needed: int

    @property
    def yes(self) -> int:
        """Yes votes cast."""
        return sum(b.yes for b in self.ballots)

    @property
    def no(self) -> int:
        """No votes cast."""
        return sum(b.no for b in self.ballots)

    @property
    def vetoed_by(self) -> tuple[Ballot, ...]:
        """The permanent members who voted no."""
        return tuple(b for b in self.ballots if b.permanent and b.no)

    @property
    def passed(self) -> bool:
        """At least `votes_needed` yes votes and no veto."""
        return self.yes >= self.votes_needed and not self.vetoed_by


@dataclass(frozen=True)
class Council:
    """The Security Council of a scenario, ready to vote."""

    seats: tuple[Seat, ...]
    votes_needed: int

    @classmethod
    def of(cls, compiled: Compiled) -> Council | None:
        """The scenario's council, or None when it has none."""
        council = compiled.scenario.institutions.security_council
        if council is None:
            return None
        seats = tuple(
            Seat(
                id=m.id,
                name=m.name or m.id,
                permanent=m.permanent,
                seats=m.seats,
                actor=compiled.actor_index(m.actor) if m.actor is not None else None,
                index=k,
            )
            for k, m in enumerate(council.members)
        )
        return cls(seats=seats, votes_needed=council.votes_needed)

    def permanent_actors(self, n_actors: int) -> np.ndarray:
        """bool per actor: it casts a permanent member's vote."""
        held = np.zeros(n_actors, dtype=bool)
        for seat in self.seats:
            if seat.actor is not None and seat.permanent:
                held[seat.actor] = True
        return held

    def vote(
        self,
        crossing: list[list[int]],
        utility: np.ndarray,
        batna: np.ndarray,
        p_yes: np.ndarray,
        rng: np.random.Generator,
    ) -> Vote:
        """Vote on one outcome.

        `crossing[a]`: the binding red lines (rows) of actor a that the outcome crosses, in
        order; `utility` and `batna`: per actor, at this round; `p_yes`: per member.
        """
        ballots = []
        for seat in self.seats:
            if seat.actor is not None:
                lines = crossing[seat.actor]
                if lines:
                    ballots.append(Ballot(seat.id, 0, seat.seats, seat.permanent, lines[0]))
                    continue
                yes = bool(utility[seat.actor] >= batna[seat.actor])
                ballots.append(
                    Ballot(seat.id, seat.seats * yes, seat.seats * (not yes), seat.permanent)
                )
                continue
            draws = rng.random(seat.seats) < p_yes[seat.index]
            n_yes = int(draws.sum())
            ballots.append(Ballot(seat.id, n_yes, seat.seats - n_yes, seat.permanent))
        return Vote(ballots=tuple(ballots), votes_needed=self.votes_needed)


@dataclass(frozen=True)
class Deployment:
    """A unilateral deployment as the engine sees it."""

    actor: int
    after_rounds: int
    terms: dict[str, str | float]
    crosses: np.ndarray
    """bool per red line: the deployed terms cross it (on the issues both name)."""

    @classmethod
    def of(cls, compiled: Compiled) -> Deployment | None:
        """The scenario's deployment, or None when it has none."""
        spec = compiled.scenario.institutions.unilateral_deployment
        if spec is None:
            return None
        crosses = np.array(
            [_terms_cross(compiled, spec.terms, ref.rule.forbids) for ref in compiled.red_lines],
            dtype=bool,
        )
        return cls(
            actor=compiled.actor_index(spec.actor),
            after_rounds=spec.after_rounds,
            terms=dict(spec.terms),
            crosses=crosses,
        )

    def escalates(self, binding: np.ndarray, escalate: np.ndarray) -> int | None:
        """The first binding `escalate` red line (row) the deployment crosses, or None."""
        hit = np.flatnonzero(self.crosses & binding & escalate)
        return int(hit[0]) if hit.size else None


def council_vetoes(compiled: Compiled) -> np.ndarray:
    """bool per red line: a `veto` red line whose owner casts a permanent Security Council
    vote. Such a line acts in the Council on outcomes that need a mandate, not at the table;
    the engine's plan and the bargaining analysis both read this one rule."""
    council = Council.of(compiled)
    n_actors = compiled.n_actors
    permanent = council.permanent_actors(n_actors) if council else np.zeros(n_actors, dtype=bool)
    return np.array(
        [r.consequence == "veto" and bool(permanent[r.actor_index]) for r in compiled.red_lines],
        dtype=bool,
    )


def _terms_cross(
    compiled: Compiled,
    terms: dict[str, str | float],
    forbids: dict[str, list[str | float]] | None,
) -> bool:
    if forbids is None:
        return False
    space = compiled.space
    shared = [issue for issue in forbids if issue in terms]
    if not shared:
        return False
    for issue in shared:
        listed = {space.option_index(issue, o) for o in forbids[issue]}
        if space.option_index(issue, terms[issue]) not in listed:
            return False
    return True


def draw_binding(params: Parameters, rng: np.random.Generator) -> np.ndarray:
    """Which red lines bind in this run: one draw per red line, in red-line order."""
    return rng.random(params.firmness.size) < params.firmness


def draw_conceded(
    params: Parameters, binding: np.ndarray, is_precondition: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Which binding preconditions are conceded: one draw per binding precondition, in order.

    Returns a bool per red line (False where the line is no binding precondition).
    """
    rows = np.flatnonzero(binding & is_precondition)
    conceded = np.zeros(binding.size, dtype=bool)
    conceded[rows] = rng.random(rows.size) < params.precondition_probability[rows]
    return conceded

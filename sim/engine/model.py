"""The negotiation as a mesa model: one agent per actor, one step per round.

A run, in order (the random draws all come from `model.rng`, seeded by the run's seed):

1. draw the run's numbers (:func:`sim.engine.params.draw_parameters`), then which red lines bind and
   which binding preconditions are conceded, then whether a unilateral deployment happens
   (:mod:`sim.engine.institutions` states these rules);
2. a binding precondition not conceded means no talks: the run ends in round 0 as `no_talks`,
   unless a deployment is due, which the run waits for (round `after_rounds`);
3. otherwise each round (a mesa step): aspirations move (:mod:`sim.engine.strategies`), the protocol
   puts an offer on the table (:mod:`sim.engine.protocols`), and every signatory the offer needs
   (`Compiled.signatory_mask`) answers at once. A signatory rejects an offer that crosses one
   of its binding red lines with consequence `reject` or `escalate` (reason: that red line),
   walks out on a `walk_out` line (the run ends in `walkout`), and otherwise accepts iff the
   offer is worth at least its aspiration and at least its BATNA at that round. A `veto` red
   line acts in the Security Council when the outcome needs a mandate and its owner holds a
   permanent seat; otherwise it acts at the table like `reject`. An offer every needed
   signatory accepts is agreed, after the Security Council approves it if it needs a mandate.
   So no agreement crosses a binding red line of a signatory it needs, nor gives one less than
   its BATNA at that round;
   The proposer is one of the signatories an offer needs when its role says so, and consents
   by the same rule (its offers meet its own threshold, so it does unless its BATNA rose);
4. a rejection on a red line makes that red line common knowledge (`Board.known_bad`):
   nobody offers an outcome crossing it again (it counts only where its owner must sign); a
   mandate the Council refused is never offered again, nor anything crossing a vetoing line;
5. at the end of round `after_rounds`, a due unilateral deployment happens (escalation if it
   crosses a binding `escalate` red line, see :mod:`sim.engine.institutions`);
6. with no agreement by round `max_rounds`, the run ends in `deadlock`.

The model owns the round state (:class:`sim.engine.board.Board`) and is the only code that
writes it: strategies and the protocol read read-only views (:mod:`sim.engine.view`) and
return their decisions as values, which the model applies and records.

A recorded run writes every decision to its event log (:mod:`sim.engine.events`).

`simulate(compiled, seed)` is the fast path for sweeps: no event list, no DataCollector, and
the rounds are played by :meth:`NegotiationModel.play_fast` — a plain loop over
:meth:`NegotiationModel.play_round` (mesa's event-list step costs about 20 µs, more than a
round), with blocks of quiet rounds computed at once where the protocol allows.
`run(...)` steps the model through mesa (`run_model`), records every decision with its reason,
and collects one row per round (and per actor) with mesa's DataCollector. Both give the same
result for the same seed (tested).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import mesa
import numpy as np

from sim.engine.agents import NegotiatorAgent
from sim.engine.board import Board
from sim.engine.events import EventLog, cited, line_fields
from sim.engine.institutions import Council, Deployment, Vote, draw_binding, draw_conceded
from sim.engine.params import Parameters, draw_parameters
from sim.engine.plan import plan_of
from sim.engine.protocols import PROTOCOLS, Protocol
from sim.engine.quiet import QuietRounds
from sim.engine.results import Outcome, RunResult
from sim.engine.space import Compiled
from sim.engine.strategies import Strategy, build_strategy
from sim.engine.view import FullView, View, view_of


class NegotiationModel(QuietRounds, mesa.Model):
    """A negotiation of one compiled scenario: agents are the actors, a step is a round.

    Stops (`running` False) at the first terminal outcome: agreement, no_talks, deadlock,
    walkout or escalation.
    """

    def __init__(
        self,
        compiled: Compiled,
        *,
        seed: int,
        record: bool = True,
        params: Parameters | None = None,
        strategies: Mapping[str, type[Strategy]] | None = None,
    ) -> None:
        """`params`: use these numbers instead of drawing them (the draws that follow — red
        lines, preconditions, deployment, votes — still come from the seed). `strategies`:
        replace the strategy class of some actors, by actor id (scripted opponents in tests,
        experiments with a strategy the scenario does not name)."""
        super().__init__(rng=seed)
        self.compiled, self.seed, self.record = compiled, seed, record
        self.plan = plan_of(compiled)
        self.outcome: Outcome | None = None
        self.agreed: int | None = None
        self.rounds_played = 0
        self.last_offer: int | None = None
        self.proposer_id: str | None = None
        self.deployed = False
        unmet = self._draw(params)
        self.board = self._board(self.conceded)
        self.log = EventLog(compiled, self.plan, self.board, self.binding) if record else None
        self.events = self.log.events if self.log is not None else []
        self._seat(strategies or {})
        self._schedule()
        self.protocol: Protocol = PROTOCOLS[compiled.scenario.protocol.kind](self.plan)
        if self.protocol.drafts:
            assert self.plan.mediator is not None
            self.table = FullView(self.board, self.plan.mediator)
            self.protocol.prepare(self.table)
        self.datacollector = self._collector() if record else None
        if self.log is not None:
            self.log.preconditions(self.conceded)
        if not self.talks and not self._deployment_due():
            self.finish("no_talks", **line_fields(compiled, int(unmet[0])))
        if self.datacollector is not None:
            self.datacollector.collect(self)

    # --- set-up --------------------------------------------------------------------------

    def _draw(self, params: Parameters | None) -> np.ndarray:
        """The run's draws, in order: numbers, binding red lines, conceded preconditions and
        the deployment. Returns the binding preconditions not conceded."""
        plan, rng = self.plan, self.rng
        self.params = params if params is not None else draw_parameters(self.compiled, rng)
        self.binding = draw_binding(self.params, rng)
        self.conceded = draw_conceded(self.params, self.binding, plan.is_precondition, rng)
        self.deploy = (
            plan.deployment is not None and rng.random() < self.params.deployment_probability
        )
        unmet = np.flatnonzero(self.binding & plan.is_precondition & ~self.conceded)
        self.talks = unmet.size == 0
        return unmet

    def _board(self, conceded: np.ndarray) -> Board:
        plan, params, binding = self.plan, self.params, self.binding
        allowed = plan.requires[conceded].all(axis=0) if conceded.any() else plan.everything
        refuse_t = plan.table_mask_t[:, binding] @ plan.owner_onehot_t[binding]
        walk_lines = binding & plan.is_walk
        if walk_lines.any():
            walk_t = plan.table_mask_t[:, walk_lines] @ plan.owner_onehot_t[walk_lines]
            self.walk_any = (walk_t & plan.need_t).any(axis=1)
        else:
            walk_t, self.walk_any = plan.no_outcome_actor, plan.no_outcome
        batna = params.batna + params.drift * plan.steps
        np.minimum(np.maximum(batna, 0.0, out=batna), 1.0, out=batna)  # np.clip, cheaper
        u = params.utilities
        # Offers that stop a block of quiet rounds whatever the round: a needed signatory
        # rejects them on a red line (which reveals it) or walks out. One more row, False,
        # stands for a pass.
        self.stops = np.zeros(plan.n_outcomes + 1, dtype=bool)
        np.logical_or((refuse_t & plan.need_t).any(axis=1), self.walk_any, out=self.stops[:-1])
        self.u_pass = np.concatenate((u, plan.minus_infinity))
        return Board(
            u=u,
            ut=np.ascontiguousarray(u.T),
            need_t=plan.need_t,
            refuse_t=refuse_t,
            walk_t=walk_t,
            ok=allowed & ~refuse_t.T,
            allowed=allowed,
            batna=batna,
            rounds=plan.max_rounds,
            known_bad=np.zeros(plan.n_outcomes, dtype=bool),
        )

    def _seat(self, chosen: Mapping[str, type[Strategy]]) -> None:
        """One agent per actor, each with its strategy and the view its strategy may see."""
        plan, board = self.plan, self.board
        # Each actor's own feasible outcomes sorted by its utility (stable: ties by index),
        # for all actors in one sort: infeasible outcomes sort first, at -inf.
        masked = np.where(board.ok, board.ut, -np.inf)
        orders = np.full((plan.n_actors, plan.n_outcomes + 1), -1, dtype=np.intp)
        orders[:, :-1] = np.argsort(masked, axis=1, kind="stable")
        values = masked[plan.actor_rows, orders[:, :-1]]
        starts = (plan.n_outcomes - board.ok.sum(axis=1)).tolist()
        exponents = self.params.exponents.tolist()
        self.negotiators: list[NegotiatorAgent] = []
        self.views: list[View] = []
        for a, actor in enumerate(self.compiled.scenario.actors):
            kind = chosen.get(actor.id)
            strategy = (
                kind(a, exponents[a]) if kind else build_strategy(plan.kinds[a], a, exponents[a])
            )
            view = view_of(board, a, strategy.information)
            strategy.prepare(view, orders[a, starts[a] :], values[a, starts[a] :])
            self.views.append(view)
            self.negotiators.append(
                NegotiatorAgent(
                    self, actor_id=actor.id, name=actor.name, role=actor.role, index=a,
                    strategy=strategy,
                )
            )  # fmt: skip
        self.strategies = [agent.strategy for agent in self.negotiators]

    def _schedule(self) -> None:
        """Aspirations of the strategies that follow a schedule, for every round at once."""
        board, views = self.board, self.views
        table = np.zeros((board.rounds, self.plan.n_actors))
        dynamic: list[int] = []
        groups: dict[object, list[Strategy]] = {}
        shared = Strategy.schedules.__func__  # type: ignore[attr-defined]
        for strategy in self.strategies:  # one call per vectorised formula, else per actor
            key = type(strategy).schedules.__func__  # type: ignore[attr-defined]
            groups.setdefault(strategy.actor if key is shared else key, []).append(strategy)
        for members in groups.values():
            actors = [m.actor for m in members]
            columns = type(members[0]).schedules([views[a] for a in actors], members)
            if columns is None:
                dynamic.extend(actors)
            else:
                table[:, actors] = columns
        dynamic.sort()
        self.aspirations = table
        self.dynamic = np.array(dynamic, dtype=np.intp)
        self.moving = [a in dynamic for a in range(self.plan.n_actors)]
        self.thresholds = np.maximum(table, board.batna[1:])
        self.concede = [self.strategies[a] for a in dynamic]
        board.asp[self.dynamic] = [s.aspiration for s in self.concede]

    def _collector(self) -> mesa.DataCollector:
        """One row per round (and per actor) of what a recorded run reports."""
        return mesa.DataCollector(
            model_reporters={
                "round": "rounds_played",
                "talks": "talks",
                "proposer": "proposer_id",
                "offer": "offer_text",
                "outcome": "outcome",
            },
            agent_reporters={
                "actor": "actor_id",
                "aspiration": "aspiration",
                "batna": "batna",
                "offer_utility": "offer_utility",
            },
        )

    def _deployment_due(self) -> bool:
        deployment = self.plan.deployment
        return (
            self.deploy
            and deployment is not None
            and deployment.after_rounds <= self.plan.max_rounds
        )

    # --- a round -------------------------------------------------------------------------

    def step(self) -> None:
        """One round of the negotiation (mesa calls this once per step)."""
        self.play_round()
        if self.datacollector is not None:
            self.datacollector.collect(self)

    def play_round(self) -> None:
        """Aspirations move, the protocol offers, the answers come in; then the round's end."""
        if not self.running:
            return
        board = self.board
        self.rounds_played = board.round = r = board.round + 1
        board.asp[:] = self.aspirations[r - 1]
        if self.dynamic.size:
            board.asp[self.dynamic] = [s.aspiration for s in self.concede]
            np.maximum(board.asp, board.batna[r], out=board.threshold)
        else:
            board.threshold[:] = self.thresholds[r - 1]
        if self.talks:
            self._table()
            if self.running and self.concede:
                for strategy in self.concede:
                    strategy.concede(self.views[strategy.actor])
                    board.asp[strategy.actor] = strategy.aspiration
        if not self.running:
            return
        deployment = self.plan.deployment
        if self.deploy and deployment is not None and r == deployment.after_rounds:
            self._deploy(deployment)
            if self.running and not self.talks:  # nothing else can happen without talks
                self.finish("no_talks", **self._line(self._unmet_line()))
        if self.running and r >= self.plan.max_rounds:
            if self.talks:
                self.finish("deadlock", reason="max_rounds")
            else:
                self.finish("no_talks", **self._line(self._unmet_line()))

    def _table(self) -> None:
        """This round at the table: the protocol names the proposers, offers come in."""
        protocol = self.protocol
        proposers = protocol.proposers(self.board.round)
        if protocol.simultaneous:
            first, second = proposers
            self.exchange((first, second), (self._propose(first), self._propose(second)))
        elif protocol.drafts:
            text = protocol.draft(self.table)
            protocol.answered(text, self.offer(proposers[0], text))
        else:
            self.offer(proposers[0], self._propose(proposers[0]))

    def _propose(self, actor: int) -> int | None:
        """What an actor's strategy offers when it holds the pen (None: it passes)."""
        strategy = self.strategies[actor]
        outcome = strategy.propose(self.views[actor], float(self.board.threshold[actor]))
        if self.moving[actor]:
            self.board.asp[actor] = strategy.aspiration
        return outcome

    def offer(self, proposer: int, outcome: int | None) -> bool:
        """Put an outcome on the table; every signatory it needs answers. True if agreed."""
        board = self.board
        self.proposer_id = self.negotiators[proposer].actor_id
        if outcome is None:
            if self.log is not None:
                self.log.add("pass", proposer=self.proposer_id)
            return False
        self.last_offer = outcome
        if self.concede:
            seen = board.last_offer_to[proposer]
            board.last_offer_to[:] = outcome
            board.last_offer_to[proposer] = seen
        need = board.need_t[outcome]
        accept = (board.u[outcome] >= board.threshold) & ~board.refuse_t[outcome]
        rejecting = need & ~accept
        if self.log is not None:
            self.log.proposal(proposer, outcome, need, accept)
        if self.walk_any[outcome]:
            walker = int(np.flatnonzero(need & board.walk_t[outcome])[0])
            self.finish("walkout", **self._line(cited(self.plan, self.binding, walker, outcome)))
            return False
        if rejecting.any():
            self._reveal(rejecting, outcome)
            return False
        return self._agree(outcome)

    def exchange(self, parties: tuple[int, int], offers: tuple[int | None, int | None]) -> bool:
        """Monotonic concession: simultaneous offers; one worth the other's own offer is agreed."""
        board = self.board
        r = board.round
        good: list[int] = []
        if self.concede:
            for k in (0, 1):
                seen = offers[1 - k]
                if seen is not None:
                    board.last_offer_to[parties[k]] = seen
        for k, (mine, theirs) in enumerate(zip(offers, offers[::-1], strict=True)):
            me, other = parties[k], parties[1 - k]
            self.proposer_id = self.negotiators[me].actor_id
            if mine is None:
                if self.log is not None:
                    self.log.add("pass", proposer=self.proposer_id)
                continue
            self.last_offer = mine
            floor = board.batna[r, other]
            if theirs is not None:
                floor = max(floor, board.u[theirs, other])
            else:
                floor = max(floor, board.threshold[other])
            own = board.u[mine, me] >= board.batna[r, me] and not board.refuse_t[mine, me]
            yes = bool(board.u[mine, other] >= floor and not board.refuse_t[mine, other])
            if self.log is not None:
                need = np.zeros(self.plan.n_actors, dtype=bool)
                need[[me, other]] = True
                accept = np.zeros(self.plan.n_actors, dtype=bool)
                accept[me], accept[other] = own, yes
                self.log.proposal(me, mine, need, accept, floor={other: float(floor)})
            if board.walk_t[mine, other]:
                self.finish("walkout", **self._line(cited(self.plan, self.binding, other, mine)))
                return False
            if yes and own:
                good.append(mine)
            elif not yes and board.refuse_t[mine, other]:
                rejecting = np.zeros(self.plan.n_actors, dtype=bool)
                rejecting[other] = True
                self._reveal(rejecting, mine)
        if not good:
            return False
        if len(good) == 2:
            batna = board.batna[r, list(parties)]
            gains = [np.prod(board.u[g, list(parties)] - batna) for g in good]
            good = [good[1]] if gains[1] > gains[0] else [good[0]]
        return self._agree(good[0])

    def _agree(self, outcome: int) -> bool:
        council = self.plan.council
        if council is not None and self.plan.mandate[outcome]:
            vote = self._vote(council, outcome)
            if not vote.passed:
                self.board.known_bad[outcome] = True
                self.board.revision += 1
                for ballot in vote.vetoed_by:
                    if ballot.red_line is not None:
                        self.board.known_bad |= self.compiled.red_line_mask[ballot.red_line]
                return False
        self.agreed = outcome
        self.finish("agreement")
        return True

    def _vote(self, council: Council, outcome: int) -> Vote:
        crossing: list[list[int]] = [[] for _ in range(self.plan.n_actors)]
        lines = np.flatnonzero(self.binding & self.compiled.red_line_mask[:, outcome])
        for line in lines:
            crossing[self.plan.owner[line]].append(int(line))
        board = self.board
        vote = council.vote(
            crossing,
            board.u[outcome],
            board.batna[board.round],
            self.params.council_p_yes,
            self.rng,
        )
        if self.log is not None:
            self.log.council(outcome, vote)
        return vote

    def _reveal(self, rejecting: np.ndarray, outcome: int) -> None:
        """Red lines cited in rejections become common knowledge."""
        board = self.board
        citing = rejecting & board.refuse_t[outcome]
        for actor in citing.nonzero()[0]:
            line = cited(self.plan, self.binding, int(actor), outcome)
            board.known_bad |= self.plan.table_mask[line] & board.need_t[:, actor]
            board.revision += 1

    def _deploy(self, deployment: Deployment) -> None:
        line = deployment.escalates(self.binding, self.plan.is_escalate)
        self.deployed = True
        actor = self.negotiators[deployment.actor].actor_id
        if self.log is not None:
            self.log.deployment(actor, dict(deployment.terms), line)
        if line is not None:
            self.finish("escalation", deployed_by=actor, **self._line(line))

    def _unmet_line(self) -> int:
        unmet = self.binding & self.plan.is_precondition
        return int(np.flatnonzero(unmet)[0])

    def finish(self, outcome: Outcome, **details: Any) -> None:
        """End the run with a terminal outcome."""
        self.outcome = outcome
        self.running = False
        if self.log is not None:
            if outcome == "agreement" and self.agreed is not None:
                details = {
                    "terms": self.compiled.space.terms(self.agreed),
                    "utilities": self._utilities(self.agreed),
                }
            self.log.add(outcome, **details)

    # --- reporting -----------------------------------------------------------------------

    @property
    def offer_text(self) -> str | None:
        """The last offer in words (for the per-round table)."""
        if self.last_offer is None:
            return None
        words = self.compiled.space.words(self.last_offer)
        return "; ".join(words.values())

    def _utilities(self, outcome: int) -> dict[str, float]:
        row = self.board.u[outcome]
        return {a: float(row[k]) for k, a in enumerate(self.compiled.actor_ids)}

    def _line(self, line: int) -> dict[str, Any]:
        return line_fields(self.compiled, line)

    def result(self) -> RunResult:
        """The run's result (call once the model has stopped)."""
        compiled = self.compiled
        outcome = self.outcome or "deadlock"
        terms: dict[str, Any] | None = None
        utilities: dict[str, float] | None = None
        if outcome == "agreement" and self.agreed is not None:
            terms = compiled.space.terms(self.agreed)
            utilities = self._utilities(self.agreed)
        elif outcome == "escalation" and self.plan.deployment is not None:
            deployed = self.plan.deployment.terms
            terms = {issue: deployed.get(issue) for issue in compiled.space.issues}
        binding: dict[str, list[str]] = {a: [] for a in compiled.actor_ids}
        conceded: dict[str, list[str]] = {a: [] for a in compiled.actor_ids}
        for ref in compiled.red_lines:
            if self.binding[ref.row]:
                binding[ref.actor].append(ref.id)
            if self.conceded[ref.row]:
                conceded[ref.actor].append(ref.id)
        return RunResult(
            scenario=compiled.scenario.id,
            seed=self.seed,
            outcome=outcome,
            rounds=self.rounds_played,
            terms=terms,
            utilities=utilities,
            binding_red_lines=binding,
            sampled=dict(self.params.sampled),
            conceded=conceded,
            events=self.events,
        )

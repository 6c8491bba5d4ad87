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

Recorded events (dicts, in order; each has `round` and `kind`): `precondition` (round 0: a
binding precondition, its quote, whether it was conceded), `proposal` (`proposer`, `offer`,
`responses`: actor -> {accept, reason, red_line, utility, aspiration}, where reason is None,
`red_line`, `walk_out`, `below_aspiration`, `below_batna` or, under monotonic concession,
`below_own_offer`), `pass` (a proposer with nothing it believes acceptable), `council`
(`offer`, `yes`, `no`, `votes_needed`, `passed`, `vetoed_by`, `ballots`), `deployment`, and
last the ending, whose kind is the outcome (`agreement` with `terms` and `utilities`;
`no_talks`, `walkout` and `escalation` with the red line's `actor`, id and `quote`; `deadlock`).

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
from sim.engine.institutions import Council, Deployment, Vote, draw_binding, draw_conceded
from sim.engine.params import Parameters, draw_parameters
from sim.engine.plan import plan_of
from sim.engine.protocols import PROTOCOLS, Protocol
from sim.engine.results import Outcome, RunResult
from sim.engine.space import Compiled
from sim.engine.strategies import Strategy, build_strategy


class NegotiationModel(mesa.Model):
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
        self.compiled = compiled
        self.seed = seed
        self.record = record
        self.plan = plan = plan_of(compiled)
        self.events: list[dict[str, Any]] = []
        self.outcome: Outcome | None = None
        self.agreed: int | None = None
        self.rounds_played = 0
        self.last_offer: int | None = None
        self.proposer_id: str | None = None
        self.deployed = False

        rng = self.rng
        self.params = params if params is not None else draw_parameters(compiled, rng)
        self.binding = draw_binding(self.params, rng)
        self.conceded = conceded = draw_conceded(
            self.params, self.binding, plan.is_precondition, rng
        )
        self.deploy = (
            plan.deployment is not None and rng.random() < self.params.deployment_probability
        )
        unmet = np.flatnonzero(self.binding & plan.is_precondition & ~conceded)
        self.talks = unmet.size == 0

        self.board = board = self._board(conceded)
        self.negotiators: list[NegotiatorAgent] = []
        # Each actor's own feasible outcomes sorted by its utility (stable: ties by index),
        # for all actors in one sort: infeasible outcomes sort first, at -inf.
        masked = np.where(board.ok, board.ut, -np.inf)
        orders = np.full((plan.n_actors, plan.n_outcomes + 1), -1, dtype=np.intp)
        orders[:, :-1] = np.argsort(masked, axis=1, kind="stable")
        values = masked[plan.actor_rows, orders[:, :-1]]
        starts = (plan.n_outcomes - board.ok.sum(axis=1)).tolist()
        exponents = self.params.exponents.tolist()
        chosen = strategies or {}
        for a, actor in enumerate(compiled.scenario.actors):
            if actor.id in chosen:
                strategy = chosen[actor.id](a, exponents[a])
            else:
                strategy = build_strategy(plan.kinds[a], a, exponents[a])
            strategy.prepare(board, orders[a, starts[a] :], values[a, starts[a] :])
            self.negotiators.append(
                NegotiatorAgent(
                    self,
                    actor_id=actor.id,
                    name=actor.name,
                    role=actor.role,
                    index=a,
                    strategy=strategy,
                )
            )
        self._schedule()
        self.protocol: Protocol = PROTOCOLS[compiled.scenario.protocol.kind](plan)
        self.protocol.prepare(self)

        if record:
            self._record_preconditions(conceded)
        self.datacollector: mesa.DataCollector | None = None
        if record:
            self.datacollector = mesa.DataCollector(
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
        if not self.talks and not self._deployment_due():
            line = int(unmet[0])
            self.finish("no_talks", **self._line_fields(line))
        if self.datacollector is not None:
            self.datacollector.collect(self)

    # --- set-up --------------------------------------------------------------------------

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
        rounds = plan.max_rounds
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
            rounds=rounds,
            known_bad=np.zeros(plan.n_outcomes, dtype=bool),
        )

    def _schedule(self) -> None:
        """Aspirations of the strategies that follow a schedule, for every round at once."""
        board = self.board
        rounds, n_actors = board.rounds, self.plan.n_actors
        table = np.zeros((rounds, n_actors))
        dynamic: list[int] = []
        groups: dict[object, list[Strategy]] = {}
        shared = Strategy.schedules.__func__  # type: ignore[attr-defined]
        for agent in self.negotiators:  # one call per vectorised formula, else per actor
            key = type(agent.strategy).schedules.__func__  # type: ignore[attr-defined]
            groups.setdefault(agent.index if key is shared else key, []).append(agent.strategy)
        for members in groups.values():
            columns = type(members[0]).schedules(board, members)
            actors = [m.actor for m in members]
            if columns is None:
                dynamic.extend(actors)
            else:
                table[:, actors] = columns
        dynamic.sort()
        self.aspirations = table
        self.dynamic = np.array(dynamic, dtype=np.intp)
        self.thresholds = np.maximum(table, board.batna[1:])
        self.concede = [self.negotiators[a].strategy for a in dynamic]

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
        if self.dynamic.size:
            static = self.aspirations[r - 1]
            saved = board.asp[self.dynamic]
            board.asp = static.copy()
            board.asp[self.dynamic] = saved
            board.threshold = np.maximum(board.asp, board.batna[r])
        else:
            board.asp = self.aspirations[r - 1]
            board.threshold = self.thresholds[r - 1]
        if self.talks:
            self.protocol.play(self)
            if self.running and self.concede:
                for strategy in self.concede:
                    strategy.concede(board)
        if not self.running:
            return
        deployment = self.plan.deployment
        if self.deploy and deployment is not None and r == deployment.after_rounds:
            self._deploy(deployment)
            if self.running and not self.talks:  # nothing else can happen without talks
                self.finish("no_talks", **self._line_fields(self._unmet_line()))
        if self.running and r >= self.plan.max_rounds:
            if self.talks:
                self.finish("deadlock", reason="max_rounds")
            else:
                self.finish("no_talks", **self._line_fields(self._unmet_line()))

    def play_fast(self) -> None:
        """Play to the end without recording: in blocks of quiet rounds where possible.

        With an alternating or setter protocol whose proposers keep the default offer rule
        and strategies that follow a schedule, a round that ends in a plain rejection changes
        nothing but the round number. So the offers and answers of every remaining round are
        computed at once, and the run jumps to the first round where something happens (an
        offer every needed signatory accepts, a rejection that reveals a red line, a walk-out,
        a deployment, the last round), which is played by :meth:`play_round` as usual. The
        result is the same as stepping round by round (tested).
        """
        if not self._blocks:
            while self.running:
                self.play_round()
            return
        while self.running:
            self._skip_quiet_rounds()
            self.play_round()

    @property
    def _blocks(self) -> bool:
        if not self.talks or self.dynamic.size or self.plan.mediator is not None:
            return False
        if self.compiled.scenario.protocol.kind not in ("alternating", "setter"):
            return False
        return all(self.negotiators[p].strategy.blockable for p in self.plan.proposers)

    def _skip_quiet_rounds(self) -> None:
        """Advance `board.round` past the rounds before the next one where anything happens."""
        board, plan = self.board, self.plan
        first = board.round + 1
        last = plan.max_rounds
        deployment = plan.deployment
        if self.deploy and deployment is not None and deployment.after_rounds >= first:
            last = min(last, deployment.after_rounds)
        if last <= first:
            return
        lo, hi = first - 1, last - 1
        offers = np.empty(hi - lo, dtype=np.intp)
        for proposer in plan.proposers_set:
            turns = plan.turns[proposer]
            rows = turns[turns.searchsorted(lo) : turns.searchsorted(hi)]
            if rows.size:
                strategy = self.negotiators[proposer].strategy
                offers[rows - lo] = strategy.offers(board, self.thresholds[rows, proposer])
        # A pass (-1) indexes the extra last row: needs everyone, worth -inf, never stops.
        short = plan.need_pass[offers] & (self.u_pass[offers] < self.thresholds[lo:hi])
        happens = self.stops[offers] | ~short.any(axis=1)
        skip = int(happens.argmax()) if happens.any() else hi - lo
        if skip:
            board.round = self.rounds_played = first - 1 + skip

    def offer(self, proposer: int, outcome: int | None) -> bool:
        """Put an outcome on the table; every signatory it needs answers. True if agreed."""
        board = self.board
        self.proposer_id = self.negotiators[proposer].actor_id
        if outcome is None:
            if self.record:
                self._event("pass", proposer=self.proposer_id)
            return False
        self.last_offer = outcome
        if self.concede:
            seen = board.last_offer_to[proposer]
            board.last_offer_to[:] = outcome
            board.last_offer_to[proposer] = seen
        need = board.need_t[outcome]
        accept = (board.u[outcome] >= board.threshold) & ~board.refuse_t[outcome]
        rejecting = need & ~accept
        if self.record:
            self._record_offer(proposer, outcome, need, accept)
        if self.walk_any[outcome]:
            walker = int(np.flatnonzero(need & board.walk_t[outcome])[0])
            self.finish("walkout", **self._line_fields(self._cited(walker, outcome)))
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
                if self.record:
                    self._event("pass", proposer=self.proposer_id)
                continue
            self.last_offer = mine
            floor = board.batna[r, other]
            if theirs is not None:
                floor = max(floor, board.u[theirs, other])
            else:
                floor = max(floor, board.threshold[other])
            own = board.u[mine, me] >= board.batna[r, me] and not board.refuse_t[mine, me]
            yes = bool(board.u[mine, other] >= floor and not board.refuse_t[mine, other])
            if self.record:
                need = np.zeros(self.plan.n_actors, dtype=bool)
                need[[me, other]] = True
                accept = np.zeros(self.plan.n_actors, dtype=bool)
                accept[me], accept[other] = own, yes
                self._record_offer(me, mine, need, accept, floor={other: float(floor)})
            if board.walk_t[mine, other]:
                self.finish("walkout", **self._line_fields(self._cited(other, mine)))
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
        if self.record:
            refs = self.compiled.red_lines
            self._event(
                "council",
                offer=self.compiled.space.terms(outcome),
                yes=vote.yes,
                no=vote.no,
                votes_needed=vote.votes_needed,
                passed=vote.passed,
                vetoed_by=[b.member for b in vote.vetoed_by],
                ballots=[
                    {
                        "member": b.member,
                        "yes": b.yes,
                        "no": b.no,
                        "permanent": b.permanent,
                        "red_line": refs[b.red_line].id if b.red_line is not None else None,
                    }
                    for b in vote.ballots
                ],
            )
        return vote

    def _reveal(self, rejecting: np.ndarray, outcome: int) -> None:
        """Red lines cited in rejections become common knowledge."""
        board = self.board
        cited = rejecting & board.refuse_t[outcome]
        for actor in cited.nonzero()[0]:
            line = self._cited(int(actor), outcome)
            board.known_bad |= self.plan.table_mask[line] & board.need_t[:, actor]
            board.revision += 1

    def _cited(self, actor: int, outcome: int) -> int:
        """The first binding red line of `actor` that acts at the table on `outcome`."""
        plan = self.plan
        lines = (plan.table_mask_t[outcome] & self.binding & (plan.owner == actor)).nonzero()[0]
        return int(lines[0])

    def _deploy(self, deployment: Deployment) -> None:
        line = deployment.escalates(self.binding, self.plan.is_escalate)
        self.deployed = True
        actor = self.negotiators[deployment.actor].actor_id
        if self.record:
            self._event(
                "deployment",
                actor=actor,
                terms=dict(deployment.terms),
                escalates=line is not None,
                red_line_actor=self.compiled.red_lines[line].actor if line is not None else None,
                red_line=self.compiled.red_lines[line].id if line is not None else None,
            )
        if line is not None:
            self.finish("escalation", deployed_by=actor, **self._line_fields(line))

    def _unmet_line(self) -> int:
        unmet = self.binding & self.plan.is_precondition
        return int(np.flatnonzero(unmet)[0])

    def finish(self, outcome: Outcome, **details: Any) -> None:
        """End the run with a terminal outcome."""
        self.outcome = outcome
        self.running = False
        if self.record:
            if outcome == "agreement" and self.agreed is not None:
                details = {
                    "terms": self.compiled.space.terms(self.agreed),
                    "utilities": self._utilities(self.agreed),
                }
            self._event(outcome, **details)

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

    def _line_fields(self, line: int) -> dict[str, Any]:
        ref = self.compiled.red_lines[line]
        return {"actor": ref.actor, "red_line": ref.id, "quote": ref.rule.provenance.quote}

    def _event(self, kind: str, **fields: Any) -> None:
        self.events.append({"round": self.board.round, "kind": kind, **fields})

    def _record_preconditions(self, conceded: np.ndarray) -> None:
        for row in np.flatnonzero(self.binding & self.plan.is_precondition):
            ref = self.compiled.red_lines[row]
            precondition = ref.rule.precondition
            assert precondition is not None
            self._event(
                "precondition",
                **self._line_fields(int(row)),
                requires={k: list(v) for k, v in precondition.requires.items()},
                met_by=precondition.met_by,
                conceded=bool(conceded[row]),
            )

    def _record_offer(
        self,
        proposer: int,
        outcome: int,
        need: np.ndarray,
        accept: np.ndarray,
        floor: dict[int, float] | None = None,
    ) -> None:
        board = self.board
        responses: dict[str, dict[str, Any]] = {}
        for actor in np.flatnonzero(need):
            a = int(actor)
            if a == proposer and accept[a]:
                continue
            utility = float(board.u[outcome, a])
            answer: dict[str, Any] = {"accept": bool(accept[a]), "reason": None, "red_line": None}
            if not accept[a]:
                if board.refuse_t[outcome, a]:
                    line = self._cited(a, outcome)
                    kind = "walk_out" if self.plan.is_walk[line] else "red_line"
                    answer.update(reason=kind, red_line=self.compiled.red_lines[line].id)
                elif floor is not None and a in floor and utility < floor[a]:
                    below_own = utility >= board.batna[board.round, a]
                    answer["reason"] = "below_own_offer" if below_own else "below_batna"
                elif utility < board.asp[a]:
                    answer["reason"] = "below_aspiration"
                else:
                    answer["reason"] = "below_batna"
            answer["utility"] = utility
            answer["aspiration"] = float(board.asp[a])
            responses[self.negotiators[a].actor_id] = answer
        self._event(
            "proposal",
            proposer=self.negotiators[proposer].actor_id,
            offer=self.compiled.space.terms(outcome),
            responses=responses,
        )

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

"""The event log of a recorded run: every decision, in order, with its reasons.

Each event is a dict with the `round` and the `kind`, and what the kind needs:
`precondition` (round 0: a binding precondition, its quote, whether it was conceded),
`proposal` (`proposer`, `offer`, `responses`: actor -> {accept, reason, red_line, utility,
aspiration}, where reason is None, `red_line`, `walk_out`, `below_aspiration`, `below_batna`
or, under monotonic concession, `below_own_offer`; `red_line` is the cited red line's id),
`pass` (a proposer with nothing it believes acceptable), `council` (`offer`, `yes`, `no`,
`votes_needed`, `passed`, `vetoed_by`, `ballots`), `deployment`, and last the ending, whose
kind is the outcome (`agreement` with `terms` and `utilities`; `no_talks`, `walkout` and
`escalation` with the red line's `actor`, id and `quote`; `deadlock`). The story and the
briefings (:mod:`sim.cli.story`), `redlines run --json` and the dashboard's timeline read this
log. A sweep runs without one (`record=False`), and nothing else differs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.engine.board import Board
    from sim.engine.institutions import Vote
    from sim.engine.plan import Plan
    from sim.engine.space import Compiled


def cited(plan: Plan, binding: np.ndarray, actor: int, outcome: int) -> int:
    """The first binding red line of `actor` that acts at the table on `outcome`."""
    lines = (plan.table_mask_t[outcome] & binding & (plan.owner == actor)).nonzero()[0]
    return int(lines[0])


def line_fields(compiled: Compiled, line: int) -> dict[str, Any]:
    """A red line as an event names it: its owner, its id and its quote."""
    ref = compiled.red_lines[line]
    return {"actor": ref.actor, "red_line": ref.id, "quote": ref.rule.provenance.quote}


class EventLog:
    """The events of one recorded run, appended by the model as it decides."""

    def __init__(self, compiled: Compiled, plan: Plan, board: Board, binding: np.ndarray):
        self.compiled = compiled
        self.plan = plan
        self.board = board
        self.binding = binding
        self.events: list[dict[str, Any]] = []

    def add(self, kind: str, **fields: Any) -> None:
        """One event of this round."""
        self.events.append({"round": self.board.round, "kind": kind, **fields})

    def preconditions(self, conceded: np.ndarray) -> None:
        """Round 0: each binding precondition, its quote, and whether it was conceded."""
        for row in np.flatnonzero(self.binding & self.plan.is_precondition):
            ref = self.compiled.red_lines[row]
            precondition = ref.rule.precondition
            assert precondition is not None
            self.add(
                "precondition",
                **line_fields(self.compiled, int(row)),
                requires={k: list(v) for k, v in precondition.requires.items()},
                met_by=precondition.met_by,
                conceded=bool(conceded[row]),
            )

    def proposal(
        self,
        proposer: int,
        outcome: int,
        need: np.ndarray,
        accept: np.ndarray,
        floor: dict[int, float] | None = None,
    ) -> None:
        """An offer and every needed signatory's answer with its reason (the proposer's own
        only when it does not consent)."""
        board, ids = self.board, self.compiled.actor_ids
        responses: dict[str, dict[str, Any]] = {}
        for actor in np.flatnonzero(need):
            a = int(actor)
            if a == proposer and accept[a]:
                continue
            utility = float(board.u[outcome, a])
            answer: dict[str, Any] = {"accept": bool(accept[a]), "reason": None, "red_line": None}
            if not accept[a]:
                if board.refuse_t[outcome, a]:
                    line = cited(self.plan, self.binding, a, outcome)
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
            responses[ids[a]] = answer
        self.add(
            "proposal",
            proposer=ids[proposer],
            offer=self.compiled.space.terms(outcome),
            responses=responses,
        )

    def council(self, outcome: int, vote: Vote) -> None:
        """The Security Council's vote on a mandate, ballot by ballot."""
        refs = self.compiled.red_lines
        self.add(
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

    def deployment(self, actor: str, terms: dict[str, Any], line: int | None) -> None:
        """A unilateral deployment, and the red line it crosses if it escalates."""
        refs = self.compiled.red_lines
        self.add(
            "deployment",
            actor=actor,
            terms=terms,
            escalates=line is not None,
            red_line_actor=refs[line].actor if line is not None else None,
            red_line=refs[line].id if line is not None else None,
        )

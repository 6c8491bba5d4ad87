"""The fast path of a sweep's run: blocks of quiet rounds computed at once.

With an alternating or setter protocol whose proposers keep the default offer rule and
strategies that follow a schedule, a round that ends in a plain rejection changes nothing but
the round number. :class:`QuietRounds` (a part of :class:`sim.engine.model.NegotiationModel`)
computes the offers and answers of every remaining round in one array operation and jumps to
the first round where something happens, which the model plays as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.engine.board import Board
    from sim.engine.plan import Plan
    from sim.engine.space import Compiled
    from sim.engine.strategies import Strategy
    from sim.engine.view import View


class QuietRounds:
    """The model's `play_fast`: play to the end, skipping quiet rounds where it can."""

    running: bool
    talks: bool
    deploy: bool
    rounds_played: int
    compiled: Compiled
    plan: Plan
    board: Board
    dynamic: np.ndarray
    strategies: list[Strategy]
    views: list[View]
    thresholds: np.ndarray
    stops: np.ndarray
    u_pass: np.ndarray

    def play_round(self) -> None:
        raise NotImplementedError

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
        return all(self.strategies[p].blockable for p in self.plan.proposers)

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
                strategy = self.strategies[proposer]
                offers[rows - lo] = strategy.offers(
                    self.views[proposer], self.thresholds[rows, proposer]
                )
        # A pass (-1) indexes the extra last row: needs everyone, worth -inf, never stops.
        short = plan.need_pass[offers] & (self.u_pass[offers] < self.thresholds[lo:hi])
        happens = self.stops[offers] | ~short.any(axis=1)
        skip = int(happens.argmax()) if happens.any() else hi - lo
        if skip:
            board.round = self.rounds_played = first - 1 + skip

"""The actors as mesa agents: who each is, how it bargains, and what it reports each round.

An agent reads the model's board for its reports; it decides nothing itself: the model asks
its strategy, through the strategy's read-only view (:mod:`sim.engine.view`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.engine.board import Board
from sim.engine.strategies import Strategy

if TYPE_CHECKING:
    from sim.engine.model import NegotiationModel


class NegotiatorAgent(mesa.Agent):
    """One actor at the table: who it is, how it bargains, and what it reports each round."""

    def __init__(
        self,
        model: NegotiationModel,
        *,
        actor_id: str,
        name: str,
        role: str,
        index: int,
        strategy: Strategy,
    ) -> None:
        super().__init__(model)
        self.actor_id = actor_id
        self.name = name
        self.role = role
        self.index = index
        self.strategy = strategy

    @property
    def board(self) -> Board:
        """The run's round state (the model's)."""
        return self.model.board

    @property
    def aspiration(self) -> float:
        """The utility the actor aspires to this round."""
        return float(self.board.asp[self.index])

    @property
    def batna(self) -> float:
        """The value of no deal this round."""
        return float(self.board.batna[self.board.round, self.index])

    @property
    def offer_utility(self) -> float | None:
        """The utility to this actor of the outcome last put on the table (None before any)."""
        offer = self.model.last_offer
        return None if offer is None else float(self.board.u[offer, self.index])

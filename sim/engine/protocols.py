"""Who puts what on the table each round: one small class per protocol, and a registry.

A protocol only chooses offers; :meth:`sim.engine.model.NegotiationModel.offer` collects the answers
of every signatory the offer needs, the Security Council vote and the ending, the same way for
all protocols.

- `alternating`: the proposers take turns, one per round (default rotation: every actor who
  signs anything — belligerents and guarantors — in file order); each offers what its
  strategy proposes (:mod:`sim.engine.strategies`). Every signatory the offer needs must accept.
- `setter`: one proposer offers every round, take it or leave it, for `max_rounds` rounds.
- `mediated`: the mediator writes a single text each round (Raiffa's single negotiating text).
  Candidates: outcomes inside every conceded precondition, crossing none of the mediator's own
  binding red lines, not known to cross a declared red line of a signatory the outcome needs
  (a red line whose provenance is not an `assumption` is public, and the mediator takes it at
  face value: it cannot tell a bluff), not revealed bad at the table (`Board.known_bad`), and
  not yet rejected in the current pass. It proposes the candidate with the greatest joint gain,
  the sum over the signatories the outcome needs of utility minus BATNA at that round (ties:
  the lowest outcome index). When every candidate has been rejected, a new pass starts with
  the rejected texts back in (the parties' aspirations have fallen since).
- `monotonic_concession` (Rosenschein & Zlotkin 1994): two parties offer at the same time each
  round; an offer is accepted when it gives the other at least the value of the other's own
  offer (and at least its BATNA, and crosses none of its binding red lines). When both offers
  are acceptable, the one with the larger Nash product (gains over BATNA multiplied) is
  agreed, the first party's on a tie. The protocol is bilateral: it refuses a scenario with
  more or fewer than two signing actors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import numpy as np

if TYPE_CHECKING:
    from sim.engine.model import NegotiationModel
    from sim.engine.plan import Plan


class Protocol:
    """Base class: how offers reach the table in one round."""

    kind: ClassVar[str] = ""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def prepare(self, model: NegotiationModel) -> None:
        """Per-run state (called once the board is ready)."""

    def play(self, model: NegotiationModel) -> None:
        """Put this round's offer(s) on the table."""
        raise NotImplementedError


class Alternating(Protocol):
    """Proposers take turns; every signatory the offer needs must accept."""

    kind = "alternating"

    def play(self, model: NegotiationModel) -> None:
        proposers = self.plan.proposers
        proposer = proposers[(model.board.round - 1) % len(proposers)]
        model.offer(proposer, model.negotiators[proposer].propose())


class Setter(Alternating):
    """One proposer, take it or leave it, every round until `max_rounds`."""

    kind = "setter"


class Mediated(Protocol):
    """The mediator proposes the joint-gain-maximising text not known or seen to fail."""

    kind = "mediated"

    def prepare(self, model: NegotiationModel) -> None:
        plan = self.plan
        assert plan.mediator is not None  # checked when the scenario was validated
        board = model.board
        self.base = board.ok[plan.mediator] & ~plan.declared_bad
        self.rejected = np.zeros(plan.n_outcomes, dtype=bool)
        self.need = board.need_t.astype(float)

    def play(self, model: NegotiationModel) -> None:
        board, mediator = model.board, self.plan.mediator
        assert mediator is not None
        open_ = self.base & ~board.known_bad
        candidates = open_ & ~self.rejected
        if not candidates.any() and self.rejected.any():
            self.rejected[:] = False
            candidates = open_
        if not candidates.any():
            model.offer(mediator, None)
            return
        gain = ((board.u - board.batna[board.round]) * self.need).sum(axis=1)
        text = int(np.argmax(np.where(candidates, gain, -np.inf)))
        if not model.offer(mediator, text):
            self.rejected[text] = True


class MonotonicConcession(Protocol):
    """Two parties offer at once; an offer worth the other's own offer to it is agreed."""

    kind = "monotonic_concession"

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        if len(plan.parties) != 2:
            raise ValueError(
                "monotonic_concession is bilateral: it needs exactly two signing actors "
                f"(belligerents or guarantors), got {len(plan.parties)}"
            )

    def play(self, model: NegotiationModel) -> None:
        first, second = self.plan.parties
        offers = (model.negotiators[first].propose(), model.negotiators[second].propose())
        model.exchange((first, second), offers)


PROTOCOLS: dict[str, type[Protocol]] = {
    cls.kind: cls for cls in (Alternating, Setter, Mediated, MonotonicConcession)
}
"""Every protocol by its scenario `kind`."""

"""Who puts what on the table each round: one small class per protocol, and a registry.

A protocol says who proposes in a round (`proposers`) and how the replies combine: one offer
that every signatory it needs must accept, or two simultaneous offers (`simultaneous`,
monotonic concession). A mediating protocol also writes the text itself (`drafts`), from a
read-only view of the run (:mod:`sim.engine.view`), and hears whether it was agreed
(`answered`). A protocol never calls into the model:
:class:`sim.engine.model.NegotiationModel` asks it these questions, collects the answers of
every signatory an offer needs, the Security Council vote and the ending, the same way for
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
    from sim.engine.plan import Plan
    from sim.engine.view import FullView


class Protocol:
    """Base class: who proposes in a round, and how the replies combine."""

    kind: ClassVar[str] = ""
    simultaneous: ClassVar[bool] = False
    """Two parties offer at once and an offer worth the other's own offer is agreed
    (otherwise: one offer a round, which every signatory it needs must accept)."""
    drafts: ClassVar[bool] = False
    """The protocol writes the text (`draft`); otherwise the proposer's strategy does."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def prepare(self, view: FullView) -> None:
        """Per-run state, from the run's first view (the mediator's, for a mediated one)."""

    def proposers(self, round_: int) -> tuple[int, ...]:
        """Who proposes in round `round_` (1-based): one actor, or two when simultaneous."""
        raise NotImplementedError

    def draft(self, view: FullView) -> int | None:
        """The text a mediating protocol puts on the table this round (None: nothing)."""
        raise NotImplementedError

    def answered(self, text: int | None, agreed: bool) -> None:
        """What became of this round's text (only a drafting protocol listens)."""


class Alternating(Protocol):
    """Proposers take turns; every signatory the offer needs must accept."""

    kind = "alternating"

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        self._turns = tuple((p,) for p in plan.proposers)

    def proposers(self, round_: int) -> tuple[int, ...]:
        return self._turns[(round_ - 1) % len(self._turns)]


class Setter(Alternating):
    """One proposer, take it or leave it, every round until `max_rounds`."""

    kind = "setter"


class Mediated(Protocol):
    """The mediator proposes the joint-gain-maximising text not known or seen to fail."""

    kind = "mediated"
    drafts = True

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        assert plan.mediator is not None  # checked when the scenario was validated
        self.mediator = (plan.mediator,)

    def prepare(self, view: FullView) -> None:
        self.base = view.ok & ~self.plan.declared_bad
        self.rejected = np.zeros(self.plan.n_outcomes, dtype=bool)
        self.need = view.need_t  # bool: times a float, exactly 0.0 or the float

    def proposers(self, round_: int) -> tuple[int, ...]:
        return self.mediator

    def draft(self, view: FullView) -> int | None:
        open_ = self.base & ~view.known_bad
        candidates = open_ & ~self.rejected
        if not candidates.any() and self.rejected.any():
            self.rejected[:] = False
            candidates = open_
        if not candidates.any():
            return None
        gain = ((view.u - view.batnas[view.round]) * self.need).sum(axis=1)
        return int(np.argmax(np.where(candidates, gain, -np.inf)))

    def answered(self, text: int | None, agreed: bool) -> None:
        if text is not None and not agreed:
            self.rejected[text] = True


class MonotonicConcession(Protocol):
    """Two parties offer at once; an offer worth the other's own offer to it is agreed."""

    kind = "monotonic_concession"
    simultaneous = True

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan)
        if len(plan.parties) != 2:
            raise ValueError(
                "monotonic_concession is bilateral: it needs exactly two signing actors "
                f"(belligerents or guarantors), got {len(plan.parties)}"
            )

    def proposers(self, round_: int) -> tuple[int, ...]:
        return self.plan.parties


PROTOCOLS: dict[str, type[Protocol]] = {
    cls.kind: cls for cls in (Alternating, Setter, Mediated, MonotonicConcession)
}
"""Every protocol by its scenario `kind`."""

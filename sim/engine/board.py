"""The board: the round state of one run, owned and written by the model alone.

What the run knows — utilities, which red lines bind, the preconditions conceded, what has
been revealed at the table, this round's aspirations — lives in one :class:`Board`, so a round
is a few array operations over all actors at once rather than a call per actor. Only
:class:`sim.engine.model.NegotiationModel` writes it; strategies and protocols read it through
read-only views (:mod:`sim.engine.view`). The moving arrays are updated in place, so a view
made once per run always shows the current round.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class Board:
    """The arrays of one run (O outcomes, A actors, R rounds), shared by the actors.

    Fixed for the run: `u`/`ut`, `need_t`, `refuse_t`, `walk_t`, `ok`, `allowed`, `batna`.
    Moving: `round`, `asp`, `threshold`, `known_bad`, `last_offer_to`.
    """

    u: np.ndarray
    """float, O x A: utility of each outcome to each actor."""
    ut: np.ndarray
    """float, A x O: the same, one contiguous row per actor."""
    need_t: np.ndarray
    """bool, O x A: the outcome needs the actor's signature."""
    refuse_t: np.ndarray
    """bool, O x A: the outcome crosses one of the actor's binding red lines at the table."""
    walk_t: np.ndarray
    """bool, O x A: ... one whose consequence is `walk_out`."""
    ok: np.ndarray
    """bool, A x O: inside every conceded precondition and crossing none of the actor's own
    binding red lines at the table (what the actor could sign)."""
    allowed: np.ndarray
    """bool, O: inside every conceded precondition."""
    batna: np.ndarray
    """float, (R + 1) x A: the BATNA at rounds 0..R."""
    rounds: int
    """R, the protocol's `max_rounds`."""
    known_bad: np.ndarray
    """bool, O: known by all to cross a needed signatory's binding red line (revealed by a
    rejection or a veto), or a mandate the Security Council refused."""
    asp: np.ndarray = field(init=False)
    """float, A: each actor's aspiration this round."""
    threshold: np.ndarray = field(init=False)
    """float, A: max(aspiration, BATNA) this round: the least utility an actor accepts."""
    last_offer_to: np.ndarray = field(init=False)
    """int, A: the last outcome someone else offered the actor (-1: none yet)."""
    round: int = 0
    revision: int = 0
    """Incremented whenever `known_bad` changes (strategies cache what depends on it)."""

    def __post_init__(self) -> None:
        n_actors = self.u.shape[1]
        self.asp = np.zeros(n_actors)
        self.threshold = np.zeros(n_actors)
        self.last_offer_to = np.full(n_actors, -1, dtype=np.intp)

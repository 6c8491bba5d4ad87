"""What a strategy or a protocol may know of a run: read-only views of the model's board.

The model (:class:`sim.engine.model.NegotiationModel`) owns the round state, a
:class:`sim.engine.board.Board`. A strategy never holds the board: it is given a view, made
once per run, whose arrays are read-only numpy views of the board's (writing one raises
`ValueError`) and whose other fields are properties without setters (assigning one raises
`AttributeError`). The views read the board live, so what they show is always this round's.

Two information sets, declared by each strategy class (`Strategy.information`):

- `own` (:class:`View`): the actor's own utilities and what it could sign, its own value of no
  deal in every round, the round and the deadline, the outcome last put to it, and the
  outcomes known to be refused (`known_bad`, common knowledge once a rejection or a veto
  cites a red line);
- `complete` (:class:`FullView`): as `own`, and also every actor's utilities, aspirations,
  thresholds and values of no deal, who must sign what and whose binding red lines an outcome
  crosses (Zeuthen's and the informed actor's complete information). A mediating protocol
  sees the same.
"""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np

from sim.engine.board import Board

Information = Literal["own", "complete"]
"""Who knows what: see the module's docstring."""


def frozen(array: np.ndarray) -> np.ndarray:
    """A read-only numpy view of `array` (the owner still writes through `array`)."""
    view = array.view()
    view.flags.writeable = False
    return view


class View:
    """One actor's own information (`own`), read live from the board, read-only."""

    __slots__ = ("_board", "actor", "batna", "known_bad", "ok", "own", "rounds")
    information: ClassVar[Information] = "own"

    def __init__(self, board: Board, actor: int) -> None:
        fields = {
            "_board": board,
            "actor": actor,
            "rounds": board.rounds,
            "own": frozen(board.ut[actor]),
            "ok": frozen(board.ok[actor]),
            "batna": frozen(board.batna[:, actor]),
            "known_bad": frozen(board.known_bad),
        }
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    _board: Board
    actor: int
    """The actor's index (the order of the scenario's actors)."""
    rounds: int
    """The deadline: the protocol's `max_rounds`."""
    own: np.ndarray
    """float, O: the actor's utility of each outcome."""
    ok: np.ndarray
    """bool, O: what the actor could sign (inside every conceded precondition, crossing none
    of its own binding red lines)."""
    batna: np.ndarray
    """float, R + 1: the actor's value of no deal at rounds 0..R."""
    known_bad: np.ndarray
    """bool, O: outcomes known by all to be refused (see `Board.known_bad`)."""

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a view is read-only: cannot set {name!r}")

    @property
    def round(self) -> int:
        """The round being played (0 before the first)."""
        return self._board.round

    @property
    def revision(self) -> int:
        """Changes whenever `known_bad` does (for caches of what depends on it)."""
        return self._board.revision

    @property
    def last_offer(self) -> int:
        """The last outcome someone else offered the actor (-1: none yet)."""
        return int(self._board.last_offer_to[self.actor])


class FullView(View):
    """Complete information (`complete`): the actor's own view and everyone's numbers."""

    __slots__ = ("asp", "batnas", "need_t", "refuse_t", "threshold", "u")
    information: ClassVar[Information] = "complete"

    def __init__(self, board: Board, actor: int) -> None:
        super().__init__(board, actor)
        object.__setattr__(self, "u", frozen(board.u))
        object.__setattr__(self, "batnas", frozen(board.batna))
        object.__setattr__(self, "need_t", frozen(board.need_t))
        object.__setattr__(self, "refuse_t", frozen(board.refuse_t))
        object.__setattr__(self, "asp", frozen(board.asp))
        object.__setattr__(self, "threshold", frozen(board.threshold))

    u: np.ndarray
    """float, O x A: every actor's utility of each outcome."""
    batnas: np.ndarray
    """float, (R + 1) x A: every actor's value of no deal at rounds 0..R."""
    need_t: np.ndarray
    """bool, O x A: the outcome needs the actor's signature."""
    refuse_t: np.ndarray
    """bool, O x A: the outcome crosses one of the actor's binding red lines at the table."""
    asp: np.ndarray
    """float, A: every actor's aspiration this round."""
    threshold: np.ndarray
    """float, A: every actor's threshold this round, max(aspiration, value of no deal)."""


VIEWS: dict[Information, type[View]] = {"own": View, "complete": FullView}
"""The view class of each information set."""


def view_of(board: Board, actor: int, information: Information) -> View:
    """The view of `board` an actor with this information set receives."""
    return VIEWS[information](board, actor)

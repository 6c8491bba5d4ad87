"""How an actor concedes, proposes and accepts: one small class per strategy, and a registry.

Every strategy answers three questions about its actor, over a read-only view of the run
(:mod:`sim.engine.view`; it never holds the board the model writes):

- `schedule(view)`: its aspiration in every round, when that does not depend on what
  happens at the table (time-based strategies, the hard-liner, the informed actor); None for
  a strategy that moves with the history (Zeuthen), which keeps its own `aspiration` (the
  model copies it to the board after each of the strategy's decisions);
- `propose(view, threshold)`: the outcome it offers when it holds the pen, or None to pass;
- `concede(view)`: what it updates after a round without agreement (default: nothing).

What each strategy may see is declared once, beside it, as `information`: `own` for the
time-based strategies and the hard-liner (own utilities, the offers put to it, the round, the
deadline, the outcomes known to be refused), `complete` for Zeuthen and the informed actor
(also everyone's utilities, aspirations and binding red lines).

An actor **accepts** an offer, whatever its strategy, iff the offer crosses none of its binding
red lines and its utility is at least its threshold, `max(aspiration, BATNA at that round)`;
this rule is applied to every responder at once by :mod:`sim.engine.model`, in one array operation.

What a proposer believes acceptable: outcomes inside every conceded precondition, crossing
none of its own binding red lines, and not known to cross anyone else's (a red line becomes
common knowledge when a rejection or a veto cites it: `board.known_bad`). Among those, the
default offer is the outcome nearest its threshold from above (the smallest concession that
still meets its aspiration; Faratin et al. offer an outcome of utility a(t)), ties broken by
the lowest outcome index.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, cast

import numpy as np

if TYPE_CHECKING:
    from sim.engine.view import FullView, Information, View


LIST_LIMIT = 65_536
"""Outcomes up to which a strategy keeps its sorted utilities as a list (see `prepare`)."""


class Strategy:
    """Base class: aspiration by schedule, offer nearest the threshold, no history."""

    kind: ClassVar[str] = ""
    source: ClassVar[str] = ""
    blockable: ClassVar[bool] = True
    """Offers follow from the round's threshold alone (see `offers`); the model may then
    compute many quiet rounds at once."""
    information: ClassVar[Information] = "own"
    """What the strategy sees of the run (:mod:`sim.engine.view`)."""

    def __init__(self, actor: int, exponent: float) -> None:
        self.actor = actor
        self.exponent = exponent
        self.aspiration = 0.0
        """The aspiration of a strategy without a schedule (its own state)."""
        self._order: np.ndarray = np.empty(0, dtype=np.intp)
        self._values: np.ndarray = np.empty(0)
        self._sorted: Sequence[float] | np.ndarray = []

    def prepare(self, view: View, order: np.ndarray, values: np.ndarray) -> None:
        """Take, once per run, the outcomes the actor could sign sorted by its utility
        (ascending, ties by outcome index), followed by -1 (a pass), and their utilities."""
        self._order = order[:-1]
        self._values = values
        # a list bisects fastest; past LIST_LIMIT outcomes the array itself (bisect reads it
        # the same way) spares a copy of 32 bytes an outcome
        self._sorted = values.tolist() if len(values) <= LIST_LIMIT else values
        self._open_order, self._open_values = order, values
        self._revision = 0

    @classmethod
    def schedules(cls, views: list[View], members: list[Strategy]) -> np.ndarray | None:
        """Aspirations per round (rounds x members) of several actors of this strategy, each
        with its own view."""
        columns = [m.schedule(v) for m, v in zip(members, views, strict=True)]
        present = [c for c in columns if c is not None]
        if len(present) < len(columns):
            return None
        return np.column_stack(present)

    def best(self, view: View) -> float:
        """The actor's best utility among outcomes it could sign (its BATNA at round 0 if none)."""
        return float(self._sorted[-1]) if len(self._sorted) else float(view.batna[0])

    def schedule(self, view: View) -> np.ndarray | None:
        """Aspiration per round (index 0 = round 1), or None when it depends on the history."""
        raise NotImplementedError

    def propose(self, view: View, threshold: float) -> int | None:
        """The believed-acceptable outcome nearest `threshold` from above, or None (pass)."""
        order, known_bad = self._order, view.known_bad
        k = bisect_left(self._sorted, threshold)
        while k < len(order):
            outcome = int(order[k])
            if not known_bad[outcome]:
                return outcome
            k += 1
        return None

    def concede(self, view: View) -> None:
        """Update after a round without agreement (only history-dependent strategies do)."""

    def offers(self, view: View, thresholds: np.ndarray) -> np.ndarray:
        """What `propose` returns for each threshold (-1 for a pass), in one array operation.

        Valid for strategies that keep the default `propose` (the model checks), while
        `view.known_bad` does not change.
        """
        if self._revision != view.revision:
            keep = ~view.known_bad[self._order]
            self._open_values = self._values[keep]
            self._open_order = np.concatenate((self._order[keep], _PASS))
            self._revision = view.revision
        return self._open_order[self._open_values.searchsorted(thresholds)]


class TimeBased(Strategy):
    """Time-dependent concession (Faratin, Sierra & Jennings 1998, "Negotiation decision
    functions for autonomous agents", Robotics and Autonomous Systems 24(3-4)).

    Aspiration in round r of a negotiation of at most R rounds, with t = r - 1, T = max(R - 1, 1),
    `best` the actor's best utility among the outcomes it could sign and b(r) its BATNA at
    round r (`Parameters.batna_at`):

        a(r) = best - (best - b(r)) * (t / T) ** (1 / beta)

    so a(1) = best and a(R) = b(R). beta < 1 concedes late (Boulware), beta = 1 linearly,
    beta > 1 early (Conceder). The exponent comes from the scenario (`strategy.exponent`) or
    the kind's default (0.2, 1, 5).

    >>> from types import SimpleNamespace
    >>> s = TimeBased(0, 1.0)
    >>> s._sorted = [0.2, 1.0]
    >>> view = SimpleNamespace(rounds=3, batna=np.array([0.2, 0.2, 0.2, 0.2]))
    >>> s.schedule(view).round(3).tolist()
    [1.0, 0.6, 0.2]
    """

    def schedule(self, view: View) -> np.ndarray:
        rounds = view.rounds
        t = np.arange(rounds, dtype=float) / max(rounds - 1, 1)
        best = self.best(view)
        reserve = view.batna[1 : rounds + 1]
        return best - (best - reserve) * t ** (1.0 / self.exponent)

    @classmethod
    def schedules(cls, views: list[View], members: list[Strategy]) -> np.ndarray:
        """The same formula for several actors at once (one array operation)."""
        rounds = views[0].rounds
        t = (np.arange(rounds, dtype=float) / max(rounds - 1, 1))[:, None]
        best = np.array([m.best(v) for m, v in zip(members, views, strict=True)])
        reserve = np.column_stack([v.batna[1 : rounds + 1] for v in views])
        power = np.array([1.0 / m.exponent for m in members])
        return best - (best - reserve) * t**power


class Boulware(TimeBased):
    """Faratin et al. (1998) with beta < 1: holds its ground until the deadline nears."""

    kind = "boulware"
    source = "Faratin, Sierra & Jennings 1998"


class Linear(TimeBased):
    """Faratin et al. (1998) with beta = 1: concedes the same amount each round."""

    kind = "linear"
    source = "Faratin, Sierra & Jennings 1998"


class Conceder(TimeBased):
    """Faratin et al. (1998) with beta > 1: concedes most of the way early."""

    kind = "conceder"
    source = "Faratin, Sierra & Jennings 1998"


class Hardliner(Strategy):
    """Never concedes: aspires to its best feasible outcome in every round and offers it
    (the "hard-headed" or "take it or leave it" negotiator; Faratin et al.'s beta -> 0)."""

    kind = "hardliner"
    source = "Faratin, Sierra & Jennings 1998 (limit beta -> 0)"

    def schedule(self, view: View) -> np.ndarray:
        return np.full(view.rounds, self.best(view))


class Informed(Strategy):
    """Knows the others' utilities, BATNAs, thresholds and binding red lines (complete
    information, as in the bargaining-theory benchmark of Nash 1950).

    As a responder it accepts exactly the offers that cross none of its binding red lines and
    give it at least its BATNA (its aspiration is its BATNA). As a proposer it offers its best
    outcome among those every signatory the outcome needs would accept this round (inside
    every conceded precondition, not known to be bad); when there is none, it offers its own
    best such outcome and waits for the others to concede. It does not anticipate the Security
    Council: a mandate refused there becomes known to be bad and is not offered again.
    """

    kind = "informed"
    source = "Nash 1950 (complete information)"
    blockable = False
    information = "complete"

    def schedule(self, view: View) -> np.ndarray:
        return view.batna[1 : view.rounds + 1].copy()

    def propose(self, view: View, threshold: float) -> int | None:
        full = _complete(view)
        blocked = full.need_t & (full.refuse_t | (full.u < full.threshold))
        open_ = full.ok & ~full.known_bad
        fine = open_ & ~blocked.any(axis=1)
        if fine.any():
            return int(np.argmax(np.where(fine, full.own, -np.inf)))
        if open_.any():
            return int(np.argmax(np.where(open_, full.own, -np.inf)))
        return None


class Zeuthen(Strategy):
    """Zeuthen's principle (Zeuthen 1930; Harsanyi 1956; Rosenschein & Zlotkin 1994, "Rules
    of Encounter", the Zeuthen strategy for the monotonic concession protocol).

    The actor holds a position x (its current offer; aspiration u(x)), starting at its best
    feasible outcome. After a round without agreement it compares its risk, the share of its
    gain over no deal it would lose by accepting the offer y last put to it,

        risk_i = (u_i(x_i) - u_i(y)) / (u_i(x_i) - b_i)      (1 when u_i(x_i) <= b_i),

    kept in [0, 1] (an offer worth less than no deal is as bad as conflict: risk 1),

    with each other signatory j's risk of accepting x_i, (a_j - u_j(x_i)) / (a_j - b_j), with
    a_j j's current aspiration. If its risk is the smallest (ties included) it concedes just
    enough: to the best outcome for itself, below its position, after which its risk exceeds
    the smallest of theirs; when no outcome does that, to its next-best outcome. It never goes
    below its BATNA. With two Zeuthen actors under the monotonic concession protocol the
    agreement is the outcome that maximises the Nash product, the product of gains over BATNA
    (Harsanyi 1956; checked on random bilateral instances in the tests). With more
    signatories, each compares its risk with the smallest of theirs: a heuristic, no theorem.
    """

    kind = "zeuthen"
    source = "Zeuthen 1930; Rosenschein & Zlotkin 1994"
    blockable = False
    information = "complete"

    def prepare(self, view: View, order: np.ndarray, values: np.ndarray) -> None:
        super().prepare(view, order, values)
        self.position: int | None = int(self._order[-1]) if len(self._order) else None
        if self.position is not None:
            self.aspiration = float(view.own[self.position])

    def schedule(self, view: View) -> None:
        return None

    def propose(self, view: View, threshold: float) -> int | None:
        if self.position is not None and view.known_bad[self.position]:
            self._step_down(view)
        return self.position

    def concede(self, view: View) -> None:
        full = _complete(view)
        seen = full.last_offer
        if self.position is None or seen < 0:
            return
        own = full.own
        r = full.round
        b = float(full.batna[r])
        mine = own[self.position]
        others = full.need_t[self.position].copy()
        others[self.actor] = False
        if not others.any():
            return
        if _risk(mine, own[seen], b) > self._risk_of_others(full, others, self.position):
            return
        below = self._candidates(full, mine, b)
        if below.size == 0:
            return
        u_new = own[below]
        mine_risk = np.where(u_new > b, (u_new - own[seen]) / np.maximum(u_new - b, 1e-12), 1.0)
        mine_risk = np.clip(mine_risk, 0.0, 1.0)
        asp = full.asp[others]
        denom = np.maximum(asp - full.batnas[r, others], 1e-12)
        their = ((asp[None, :] - full.u[below][:, others]) / denom[None, :]).min(axis=1)
        their = np.clip(their, 0.0, 1.0)
        enough = np.flatnonzero(mine_risk > their)
        pick = below[enough[-1]] if enough.size else below[-1]
        self.position = int(pick)
        self.aspiration = float(own[pick])

    def _candidates(self, view: View, mine: float, b: float) -> np.ndarray:
        """Own feasible outcomes below the position and at or above the BATNA, ascending."""
        k = bisect_left(self._sorted, mine - 1e-12)
        start = bisect_left(self._sorted, b)
        order = self._order[start:k]
        return order[~view.known_bad[order]]

    def _risk_of_others(self, view: FullView, others: np.ndarray, outcome: int) -> float:
        asp = view.asp[others]
        batna = view.batnas[view.round, others]
        risks = np.where(
            asp > batna, (asp - view.u[outcome, others]) / np.maximum(asp - batna, 1e-12), 1.0
        )
        return float(np.clip(risks.min(), 0.0, 1.0))

    def _step_down(self, view: View) -> None:
        assert self.position is not None
        own = view.own
        below = self._candidates(view, own[self.position], float(view.batna[view.round]))
        self.position = int(below[-1]) if below.size else None
        if self.position is not None:
            self.aspiration = float(own[self.position])


_PASS = np.array([-1], dtype=np.intp)


def _complete(view: View) -> FullView:
    """The complete-information view a strategy declaring `complete` receives."""
    assert view.information == "complete", "this strategy declares complete information"
    return cast("FullView", view)


def _risk(mine: float, offered: float, batna: float) -> float:
    return 1.0 if mine <= batna else min(max((mine - offered) / (mine - batna), 0.0), 1.0)


STRATEGIES: dict[str, type[Strategy]] = {
    cls.kind: cls for cls in (Boulware, Linear, Conceder, Hardliner, Zeuthen, Informed)
}
"""Every strategy by its scenario `kind`."""


def build_strategy(kind: str, actor: int, exponent: float) -> Strategy:
    """A fresh strategy object for one actor in one run."""
    return STRATEGIES[kind](actor, exponent)

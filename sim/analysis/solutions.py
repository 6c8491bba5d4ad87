"""Bargaining solution points over gains (Nash, Kalai-Smorodinsky, egalitarian, utilitarian),
and how an agreement compares with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    pass


TIE = 1e-12
"""Scores within TIE of the best tie; ties go to the next criterion, then the lowest index."""


# --- solution points ------------------------------------------------------------------------


def _first_best(keys: Sequence[np.ndarray]) -> int | None:
    """Index of the best row: maximise keys[0], ties (within TIE) by keys[1], ... then lowest."""
    if len(keys) == 0 or keys[0].size == 0:
        return None
    alive = np.arange(keys[0].size)
    for key in keys:
        values = key[alive]
        top = values.max()
        if np.isneginf(top):
            continue
        alive = alive[values >= top - TIE]
        if alive.size == 1:
            break
    return int(alive[0])


def nash_point(gains: np.ndarray) -> int | None:
    """Nash bargaining (Nash 1950): the row maximising ``prod_a g[k, a]``.

    Scored as ``sum_a log g[k, a]`` (a zero gain scores minus infinity); ties within TIE go to
    the larger sum of gains, then to the lowest row. None when there is no row.

    >>> x = np.linspace(0, 1, 101)
    >>> k = nash_point(np.column_stack([x, 1 - x]))
    >>> float(x[k])
    0.5
    """
    g = np.asarray(gains, dtype=float)
    if g.shape[0] == 0:
        return None
    with np.errstate(divide="ignore"):
        score = np.log(g).sum(axis=1)
    return _first_best([score, g.sum(axis=1)])


def kalai_smorodinsky_point(gains: np.ndarray) -> int | None:
    """Kalai–Smorodinsky (1975): maximise the smallest gain relative to each party's best.

    ``score[k] = min_a g[k, a] / max_j g[j, a]`` (a party with nothing to gain anywhere counts
    as 1, so it does not constrain); ties within TIE go to the larger sum of gains, then to
    the lowest row.

    >>> x = np.linspace(0, 1, 1001)
    >>> k = kalai_smorodinsky_point(np.column_stack([x, 1 - x**2]))
    >>> round(float(x[k]), 3)  # (sqrt(5) - 1) / 2 on the grid
    0.618
    """
    g = np.asarray(gains, dtype=float)
    if g.shape[0] == 0:
        return None
    ideal = g.max(axis=0)
    relative = np.ones_like(g)
    has = ideal > 0
    relative[:, has] = g[:, has] / ideal[has]
    score = relative.min(axis=1) if g.shape[1] else np.ones(g.shape[0])
    return _first_best([score, g.sum(axis=1)])


def egalitarian_point(gains: np.ndarray) -> int | None:
    """Egalitarian (leximin, Rawls 1971): maximise the smallest gain, then the next smallest...

    Compares each row's gains sorted in increasing order, lexicographically (within TIE at
    each step), then takes the lowest row.

    >>> egalitarian_point(np.array([[0.2, 0.9], [0.3, 0.3], [0.9, 0.3], [0.3, 0.5]]))
    2
    """
    g = np.asarray(gains, dtype=float)
    if g.shape[0] == 0:
        return None
    ordered = np.sort(g, axis=1)
    return _first_best([ordered[:, j] for j in range(g.shape[1])] or [np.zeros(g.shape[0])])


def utilitarian_point(gains: np.ndarray) -> int | None:
    """Utilitarian: maximise ``sum_a g[k, a]``; ties go to the larger smallest gain, then
    the lowest row.

    >>> utilitarian_point(np.array([[0.6, 0.0], [0.3, 0.3], [0.1, 0.4]]))
    1
    """
    g = np.asarray(gains, dtype=float)
    if g.shape[0] == 0:
        return None
    smallest = g.min(axis=1) if g.shape[1] else np.zeros(g.shape[0])
    return _first_best([g.sum(axis=1), smallest])


SOLUTIONS = {
    "nash": nash_point,
    "kalai_smorodinsky": kalai_smorodinsky_point,
    "egalitarian": egalitarian_point,
    "utilitarian": utilitarian_point,
}
"""The solution points, by the name they carry in JSON."""


# --- comparing an agreement -----------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """How an agreement's utility vector (over the parties) compares with the benchmarks."""

    nash_distance: float | None
    """Euclidean distance from the Nash point's utilities (None without a Nash point)."""
    frontier_distance: float | None
    """Euclidean distance from the nearest Pareto-frontier point (None without a frontier)."""
    dominated: bool
    """Whether some frontier point is at least as good for every party and better for one."""
    shortfall: float
    """The most every party could gain at once by moving to a frontier point,
    ``max_f min_a (f_a - u_a)``, floored at zero: 0 means no frontier point is better for all."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "nash_distance": self.nash_distance,
            "frontier_distance": self.frontier_distance,
            "dominated": self.dominated,
            "shortfall": self.shortfall,
        }


def compare(agreement: np.ndarray, nash: np.ndarray | None, frontier: np.ndarray) -> Comparison:
    """Compare an agreement's utilities `agreement` (one per party) with the Nash point's
    utilities `nash` and the frontier's utilities `frontier` (points x parties).

    >>> c = compare(np.array([0.4, 0.4]), np.array([0.5, 0.5]),
    ...             np.array([[0.5, 0.5], [1.0, 0.0]]))
    >>> round(c.nash_distance, 4), round(c.frontier_distance, 4), c.dominated, round(c.shortfall, 2)
    (0.1414, 0.1414, True, 0.1)
    """
    u = np.asarray(agreement, dtype=float)
    f = np.asarray(frontier, dtype=float).reshape(-1, u.size)
    nash_distance = None if nash is None else float(np.linalg.norm(u - np.asarray(nash)))
    if f.shape[0] == 0:
        return Comparison(nash_distance, None, False, 0.0)
    difference = f - u[None, :]
    distance = float(np.sqrt((difference**2).sum(axis=1)).min())
    dominated = bool(((difference >= 0).all(axis=1) & (difference > 0).any(axis=1)).any())
    shortfall = max(float(difference.min(axis=1).max()) if u.size else 0.0, 0.0)
    return Comparison(nash_distance, distance, dominated, shortfall)

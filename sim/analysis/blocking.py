"""What blocks a deal: blocking counts, blocker sets, minimal relaxations and the red lines
that close the zone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    pass


MAX_RELAXATION_SIZE = 3
"""Default cap on the size of the red-line sets searched by :func:`minimal_relaxations`."""


# --- blocking and relaxations ---------------------------------------------------------------


def blocking_counts(
    blocking: np.ndarray, acceptable: np.ndarray, binding: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per red line: how many acceptable outcomes it blocks, and its *swing*.

    ``blocks[r] = #{k acceptable: blocking[r, k]}`` (`blocking` ignoring firmness, so a red
    line that does not bind counts what it would block). ``swing[r]``: for a binding red line,
    the acceptable outcomes that only it blocks among binding ones (they join the ZOPA if it
    alone is dropped); for one that does not bind, the ZOPA outcomes it blocks (they leave the
    ZOPA if it binds).

    >>> b = np.array([[True, True, False], [False, True, False], [False, False, True]])
    >>> blocks, swing = blocking_counts(b, np.array([True, True, True]), np.array([1, 1, 0], bool))
    >>> blocks.tolist(), swing.tolist()
    ([2, 1, 1], [1, 0, 1])
    """
    b = np.asarray(blocking, dtype=bool)
    ok = np.asarray(acceptable, dtype=bool)
    binds = np.ones(b.shape[0], bool) if binding is None else np.asarray(binding, dtype=bool)
    within = b[:, ok]
    blocks = within.sum(axis=1)
    count = within[binds].sum(axis=0)  # binding blockers per acceptable outcome
    swing = np.where(
        binds,
        (within & (count == 1)[None, :]).sum(axis=1),
        (within & (count == 0)[None, :]).sum(axis=1),
    )
    return blocks, swing


def blocker_sets(blocking: np.ndarray, acceptable: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct sets of red lines blocking acceptable outcomes, with how many outcomes each.

    Returns `sets` (bool, distinct sets x red lines) and `counts`; an acceptable outcome is in
    the ZOPA once every red line of its set is dropped.

    >>> b = np.array([[True, True, False], [False, True, False]])
    >>> sets, counts = blocker_sets(b, np.array([True, True, True]))
    >>> sets.astype(int).tolist(), counts.tolist()
    ([[0, 0], [1, 0], [1, 1]], [1, 1, 1])
    """
    b = np.asarray(blocking, dtype=bool)
    columns = b[:, np.asarray(acceptable, dtype=bool)].T
    if columns.shape[0] == 0:
        return np.zeros((0, b.shape[0]), dtype=bool), np.zeros(0, dtype=int)
    sets, counts = np.unique(columns, axis=0, return_counts=True)
    return sets, counts


def minimal_relaxations(
    blocking: np.ndarray,
    acceptable: np.ndarray,
    firmness: np.ndarray,
    max_size: int = MAX_RELAXATION_SIZE,
) -> list[tuple[int, ...]]:
    """Every minimal set of red lines (at most `max_size`) whose removal opens a ZOPA.

    Dropping a set S opens the ZOPA iff some acceptable outcome's blocker set is inside S, so
    the minimal S are the inclusion-minimal blocker sets of acceptable outcomes. When a ZOPA
    already exists the answer is ``[()]``; when no acceptable outcome exists, or every set
    is larger than `max_size`, it is ``[]``.

    Ranked by the probability that every red line in the set is a bluff,
    ``prod_{r in S} (1 - firmness[r])``, highest first; then smaller sets; then by red-line
    rows.

    >>> b = np.array([[True, True, False], [True, False, True], [False, True, True]])
    >>> minimal_relaxations(b, np.ones(3, bool), np.array([0.9, 0.5, 0.6]))
    [(1, 2), (0, 1), (0, 2)]
    """
    sets, _ = blocker_sets(blocking, acceptable)
    sizes = sets.sum(axis=1)
    order = np.argsort(sizes, kind="stable")
    kept: list[np.ndarray] = []
    for k in order:
        if sizes[k] > max_size:
            break
        candidate = sets[k]
        if any(not (earlier & ~candidate).any() for earlier in kept):
            continue  # contains a smaller set that already opens the ZOPA
        kept.append(candidate)
    firm = np.asarray(firmness, dtype=float)
    found = [tuple(int(r) for r in np.flatnonzero(s)) for s in kept]
    return sorted(found, key=lambda rows: (-bluff_probability(firm, rows), len(rows), rows))


def bluff_probability(firmness: np.ndarray, rows: Sequence[int]) -> float:
    """The probability that every red line in `rows` is a bluff: ``prod (1 - firmness[r])``.

    >>> bluff_probability(np.array([0.5, 0.9, 0.2]), [0, 2])
    0.4
    """
    return float(math.prod(1.0 - float(firmness[r]) for r in rows))


def closing_red_lines(blocking: np.ndarray, zopa: np.ndarray) -> np.ndarray:
    """Red lines that would close a non-empty ZOPA on their own: they block all of it.

    With `blocking` computed for every red line (binding or not), these are the red lines that
    do not bind now and on which the deal hangs. Empty when the ZOPA is.

    >>> closing_red_lines(np.array([[True, True, False], [False, True, False]]),
    ...                   np.array([True, True, False])).tolist()
    [0]
    """
    z = np.asarray(zopa, dtype=bool)
    if not z.any():
        return np.zeros(0, dtype=int)
    return np.flatnonzero(np.asarray(blocking, dtype=bool)[:, z].all(axis=1))

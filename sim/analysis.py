"""The bargaining space: feasible sets, ZOPA, Pareto frontier, solution points, blocking.

Two layers, like Nashpy's algorithms behind its game object:

* pure numpy functions over the arrays of :mod:`sim.space` (red-line mask
  `red lines x outcomes`, signatory mask `actors x outcomes`, utilities
  `outcomes x actors`, BATNAs, firmness), each stating its formula;
* :func:`analyse`, which runs them all on a scenario and returns an :class:`Analysis` that the
  CLI (`redlines explain`), the dashboard and sweeps share.

Vocabulary. An outcome *crosses* a red line when it meets the red line's `forbids` condition
(a precondition red line without `forbids` is crossed by every outcome that does not meet its
requirement). A crossed red line *blocks* the outcome when it *binds* (its firmness is at
least a threshold; by default every red line binds) and its owner's consent is needed: the
owner must sign that outcome, or the red line is a veto of an actor casting a permanent seat
and the outcome needs a Security Council mandate. An outcome is *feasible* when nothing blocks
it, *acceptable* when it gives every actor who must sign it at least its BATNA (tolerance
:data:`TOLERANCE`), and in the *ZOPA* (zone of possible agreement) when both hold.

The *parties* of the bargaining problem are the actors whose signature every ZOPA outcome needs
(belligerents, typically); actors who sign only some outcomes (a guarantor signing what it
contributes to) shape the ZOPA through their red lines and BATNA but do not enter the solution
points. Gains are utilities minus BATNAs, clipped at zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.loader import LoadedScenario
    from sim.scenario import OptionRef, Scenario
    from sim.space import Compiled, Parameters, RedLineRef

TOLERANCE = 1e-9
"""Slack of every comparison with a BATNA: u >= batna - TOLERANCE counts as acceptable."""
TIE = 1e-12
"""Scores within TIE of the best tie; ties go to the next criterion, then the lowest index."""
MAX_RELAXATION_SIZE = 3
"""Default cap on the size of the red-line sets searched by :func:`minimal_relaxations`."""
_BUDGET = 1 << 22
"""Elements of the largest boolean temporary the Pareto sweep builds (4 MiB)."""


# --- feasibility ----------------------------------------------------------------------------


def binding_mask(firmness: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Which red lines bind: ``firmness[r] >= threshold`` (threshold 0: all of them).

    >>> binding_mask(np.array([1.0, 0.4, 0.0]), 0.5).tolist()
    [True, False, False]
    >>> binding_mask(np.array([1.0, 0.4, 0.0])).tolist()
    [True, True, True]
    """
    return np.asarray(firmness, dtype=float) >= threshold


def consent_mask(
    signatory_mask: np.ndarray,
    owners: np.ndarray,
    veto: np.ndarray | None = None,
    mandate_mask: np.ndarray | None = None,
) -> np.ndarray:
    """Where each red line's owner has a say: ``signs[owner[r], k] or (veto[r] and mandate[k])``.

    `owners[r]` is the actor index of red line r; `veto[r]` marks a veto red line of an actor
    casting a permanent Security Council seat, which stops any outcome needing a mandate
    (`mandate_mask[k]`) whether or not its owner signs. Shape: red lines x outcomes.

    >>> signs = np.array([[True, True], [False, True]])
    >>> consent_mask(signs, np.array([1, 0])).tolist()
    [[False, True], [True, True]]
    >>> consent_mask(signs, np.array([1]), np.array([True]), np.array([True, False])).tolist()
    [[True, True]]
    """
    consent = np.asarray(signatory_mask, dtype=bool)[np.asarray(owners, dtype=int)]
    if veto is not None and mandate_mask is not None:
        consent = consent | (np.asarray(veto, bool)[:, None] & np.asarray(mandate_mask, bool))
    return consent


def blocking_matrix(
    red_line_mask: np.ndarray, consent: np.ndarray, binding: np.ndarray | None = None
) -> np.ndarray:
    """Which red lines block which outcomes: ``cross[r, k] and consent[r, k] and binding[r]``.

    >>> cross = np.array([[True, True, False], [False, True, True]])
    >>> consent = np.array([[True, False, True], [True, True, True]])
    >>> blocking_matrix(cross, consent).astype(int).tolist()
    [[1, 0, 0], [0, 1, 1]]
    >>> blocking_matrix(cross, consent, np.array([True, False])).astype(int).tolist()
    [[1, 0, 0], [0, 0, 0]]
    """
    blocks = np.asarray(red_line_mask, dtype=bool) & np.asarray(consent, dtype=bool)
    if binding is not None:
        blocks &= np.asarray(binding, dtype=bool)[:, None]
    return blocks


def actor_feasible(
    red_line_mask: np.ndarray,
    owners: np.ndarray,
    n_actors: int,
    binding: np.ndarray | None = None,
) -> np.ndarray:
    """Each actor's feasible set: ``ok[a, k] = not any(cross[r, k] for binding r owned by a)``.

    Shape: actors x outcomes. This ignores who signs: it is what the actor itself would
    accept, whether or not its signature is needed.

    >>> cross = np.array([[True, False, False], [False, False, True]])
    >>> actor_feasible(cross, np.array([0, 0]), 2).astype(int).tolist()
    [[0, 1, 0], [1, 1, 1]]
    """
    cross = np.asarray(red_line_mask, dtype=bool)
    if binding is not None:
        cross = cross & np.asarray(binding, dtype=bool)[:, None]
    owners = np.asarray(owners, dtype=int)
    ok = np.ones((n_actors, cross.shape[1]), dtype=bool)
    for a in range(n_actors):
        rows = cross[owners == a]
        if rows.shape[0]:
            ok[a] = ~rows.any(axis=0)
    return ok


def joint_feasible(blocking: np.ndarray) -> np.ndarray:
    """The joint feasible set: outcomes no red line blocks, ``not any_r blocking[r, k]``.

    >>> joint_feasible(np.array([[True, False, False], [False, False, True]])).tolist()
    [False, True, False]
    >>> joint_feasible(np.zeros((0, 2), dtype=bool)).tolist()
    [True, True]
    """
    blocking = np.asarray(blocking, dtype=bool)
    return ~blocking.any(axis=0)


def acceptable(
    utilities: np.ndarray,
    batna: np.ndarray,
    signatory_mask: np.ndarray,
    tol: float = TOLERANCE,
) -> np.ndarray:
    """Outcomes every required signatory prefers to no deal.

    ``ok[k] = all_a (not signs[a, k] or u[k, a] >= batna[a] - tol)``.

    >>> u = np.array([[0.5, 0.1], [0.3, 0.6]])
    >>> signs = np.array([[True, True], [True, False]])
    >>> acceptable(u, np.array([0.4, 0.5]), signs).tolist()
    [False, False]
    >>> acceptable(u, np.array([0.3, 0.5]), signs).tolist()
    [False, True]
    """
    u = np.asarray(utilities, dtype=float)
    ok_each = u >= np.asarray(batna, dtype=float)[None, :] - tol
    return np.all(ok_each | ~np.asarray(signatory_mask, dtype=bool).T, axis=1)


def parties_of(signatory_mask: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """The parties bargaining over `candidates` (bool per outcome), as actor indices.

    The actors whose signature every candidate needs; when there is none, the actors whose
    signature some candidate needs; when there is none either (or no candidate), every actor
    who signs any outcome, and at last every actor.

    >>> signs = np.array([[True, True, True], [False, True, False], [False, False, False]])
    >>> parties_of(signs, np.array([True, True, False])).tolist()
    [0]
    >>> parties_of(signs[1:], np.array([True, True, False])).tolist()
    [0]
    """
    signs = np.asarray(signatory_mask, dtype=bool)
    cand = np.asarray(candidates, dtype=bool)
    if cand.any():
        for needed in (signs[:, cand].all(axis=1), signs[:, cand].any(axis=1)):
            if needed.any():
                return np.flatnonzero(needed)
    anywhere = signs.any(axis=1)
    return np.flatnonzero(anywhere) if anywhere.any() else np.arange(signs.shape[0])


def gains(utilities: np.ndarray, batna: np.ndarray) -> np.ndarray:
    """Gains over the BATNA, clipped at zero: ``g[k, a] = max(u[k, a] - batna[a], 0)``.

    >>> gains(np.array([[0.5, 0.2]]), np.array([0.25, 0.5])).tolist()
    [[0.25, 0.0]]
    """
    u = np.asarray(utilities, dtype=float)
    return np.maximum(u - np.asarray(batna, dtype=float)[None, :], 0.0)


# --- Pareto frontier ------------------------------------------------------------------------


def pareto_front(points: np.ndarray, block: int = 512) -> np.ndarray:
    """Bool per row: no other row Pareto-dominates it (every column is maximised).

    Row a dominates row b when ``a >= b`` in every column and ``a > b`` in at least one, so
    rows with equal vectors never dominate each other: ties stay together on the frontier.

    Method (exact; memory O(n d) plus fixed-size temporaries, never an n x n matrix):

    1. prefilter: take the surviving row with the largest sum as a pivot and drop every row it
       dominates; repeat while that removes much (any row may serve as a pivot, because a
       dominated row is off the frontier whoever dominates it);
    2. sort the distinct survivors in decreasing lexicographic order, so that a row can only
       be dominated by rows before it (and, the rows being distinct, a row before it that is
       at least as large in every column does dominate it);
    3. up to a few thousand rows, sweep them in blocks: a row is on the frontier when no
       frontier row found so far and no row before it in its block is at least as large
       everywhere, comparing in chunks of at most 2**22 elements (in two columns, a running
       maximum);
    4. beyond that, divide and conquer (Kung, Luccio & Preparata 1975; Bentley 1980): the
       frontier of the first half, plus the rows of the second half's frontier that no row of
       the first half's frontier covers in the remaining columns; that filter splits on one
       column's median and drops the column when one side is above the other, so a large
       frontier costs about n log^(d-1) n instead of n x frontier.

    Random points are fast (10^6 x 4 in about 0.05 s on one core, see benchmarks/).

    >>> pts = np.array([[1, 0], [0, 1], [0.5, 0.5], [0.4, 0.4], [1, 0], [0, 0.9]])
    >>> pareto_front(pts).tolist()
    [True, True, True, False, True, False]
    """
    pts = np.asarray(points, dtype=float)
    if pts.ndim != 2:
        raise ValueError(f"points must be a 2-d array, got shape {pts.shape}")
    n, d = pts.shape
    front = np.zeros(n, dtype=bool)
    if n == 0:
        return front
    if d == 0:
        front[:] = True
        return front
    if np.isnan(pts).any():
        raise ValueError("points contain NaN")
    survivors = _prefilter(pts)
    distinct, inverse = np.unique(pts[survivors], axis=0, return_inverse=True)
    distinct = distinct[::-1]  # decreasing lexicographic order
    on_front = _front(np.ascontiguousarray(distinct), block)[::-1]
    front[survivors] = on_front[inverse.reshape(-1)]
    return front


def _prefilter(
    pts: np.ndarray, target: int = 2048, max_pivots: int = 256, window: int = 16
) -> np.ndarray:
    """Indices of rows not dominated by a few strong pivots (a superset of the frontier).

    Stops when at most `target` rows are left, after `max_pivots` pivots, or when the last
    `window` pivots together removed less than 1% of what is left.
    """
    n, d = pts.shape
    if n <= target:
        return np.arange(n)
    score = pts @ np.ones(d)
    best = int(np.argmax(score))
    index = np.flatnonzero(~_dominated_by(pts.T, pts[best]))  # strided columns: no copy yet
    columns = np.ascontiguousarray(pts[index].T)
    score = score[index]
    score[np.searchsorted(index, best)] = -np.inf  # a pivot is used once
    removed: list[int] = []
    for _ in range(max_pivots):
        if index.size <= target:
            break
        best = int(np.argmax(score))
        keep = ~_dominated_by(columns, columns[:, best].copy())
        score[best] = -np.inf
        removed.append(index.size - int(keep.sum()))
        if removed[-1]:
            columns, score, index = columns[:, keep], score[keep], index[keep]
        if len(removed) >= window and sum(removed[-window:]) < index.size // 100:
            break
    return index


def _dominated_by(columns: np.ndarray, pivot: np.ndarray) -> np.ndarray:
    """Bool per column of `columns` (d x n): `pivot` dominates it."""
    weakly = columns[0] <= pivot[0]
    strictly = columns[0] < pivot[0]
    for j in range(1, len(pivot)):
        weakly &= columns[j] <= pivot[j]
        strictly |= columns[j] < pivot[j]
    return weakly & strictly


_LEAF = 4096
"""Rows up to which :func:`_front` sweeps instead of dividing."""
_PAIRS = 1 << 21
"""Row pairs up to which :func:`_uncovered` compares directly instead of dividing."""


def _front(rows: np.ndarray, block: int) -> np.ndarray:
    """Frontier of distinct rows in decreasing lexicographic order (bool per row)."""
    m, d = rows.shape
    if m <= _LEAF or d <= 2:
        return _sweep(rows, block)
    half = m // 2
    first, second = rows[:half], rows[half:]
    top, bottom = _front(first, block), _front(second, block)
    # every row of the first half is >= every row of the second in column 0
    candidates = np.flatnonzero(bottom)
    bottom[candidates] = _uncovered(first[top], second[candidates], tuple(range(1, d)))
    return np.concatenate([top, bottom])


def _uncovered(a: np.ndarray, b: np.ndarray, columns: tuple[int, ...]) -> np.ndarray:
    """Bool per row of `b`: no row of `a` is >= it in every one of `columns`."""
    if len(a) == 0 or len(b) == 0:
        return np.ones(len(b), dtype=bool)
    if not columns:
        return np.zeros(len(b), dtype=bool)
    if len(columns) == 1:
        return b[:, columns[0]] > a[:, columns[0]].max()
    if len(a) * len(b) <= _PAIRS:
        cols = list(columns)
        return ~_weakly_beaten(b[:, cols], a[:, cols])
    j, rest = columns[0], columns[1:]
    values = np.concatenate([a[:, j], b[:, j]])
    split, top = float(np.median(values)), float(values.max())
    if split >= top:
        below = values[values < top]
        if below.size == 0:  # all equal in column j: it decides nothing
            return _uncovered(a, b, rest)
        split = float(below.max())
    a_high, b_high = a[:, j] > split, b[:, j] > split
    out = np.empty(len(b), dtype=bool)
    out[b_high] = _uncovered(a[a_high], b[b_high], columns)
    low = b[~b_high]
    keep = _uncovered(a[a_high], low, rest)  # column j holds for these pairs
    open_rows = np.flatnonzero(keep)
    keep[open_rows] = _uncovered(a[~a_high], low[open_rows], columns)
    out[~b_high] = keep
    return out


def _sweep(rows: np.ndarray, block: int) -> np.ndarray:
    """Frontier of distinct rows sorted in decreasing lexicographic order (bool per row)."""
    m, d = rows.shape
    if d == 1:
        return np.arange(m) == 0
    if d == 2:
        y = rows[:, 1]
        best_before = np.maximum.accumulate(np.concatenate(([-np.inf], y[:-1])))
        return y > best_before
    on_front = np.zeros(m, dtype=bool)
    found = np.empty((min(m, 1024), d))
    count = 0
    for start in range(0, m, block):
        chunk = rows[start : start + block]
        beaten = _weakly_beaten(chunk, found[:count])
        within = _weakly_exceeds(chunk, chunk)
        np.fill_diagonal(within, False)
        beaten |= within.any(axis=0)
        winners = chunk[~beaten]
        if count + len(winners) > len(found):
            grown = np.empty((max(2 * len(found), count + len(winners)), d))
            grown[:count] = found[:count]
            found = grown
        found[count : count + len(winners)] = winners
        count += len(winners)
        on_front[start : start + block] = ~beaten
    return on_front


def _weakly_exceeds(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``out[i, j] = all(a[i] >= b[j])``, one column at a time."""
    out = a[:, None, 0] >= b[None, :, 0]
    for j in range(1, a.shape[1]):
        out &= a[:, None, j] >= b[None, :, j]
    return out


def _weakly_beaten(rows: np.ndarray, by: np.ndarray) -> np.ndarray:
    """Bool per row: some row of `by` is >= it in every column (chunked over `by`)."""
    beaten = np.zeros(len(rows), dtype=bool)
    step = max(1, _BUDGET // max(1, len(rows)))
    for start in range(0, len(by), step):
        beaten |= _weakly_exceeds(by[start : start + step], rows).any(axis=0)
    return beaten


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


# --- the whole analysis of a scenario ------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """An outcome with its terms and every actor's utility."""

    outcome: int
    terms: dict[str, OptionRef]
    """issue id -> option id (or number)."""
    words: dict[str, str]
    """issue id -> option label."""
    utilities: dict[str, float]
    """actor id -> utility."""

    def to_dict(self) -> dict[str, Any]:
        """`{terms, labels, utilities}` for JSON."""
        return {
            "terms": dict(self.terms),
            "labels": dict(self.words),
            "utilities": {a: round(u, 6) for a, u in self.utilities.items()},
        }


@dataclass(frozen=True)
class RedLineSummary:
    """One red line's part in the bargaining space."""

    ref: RedLineRef
    firmness: float
    binding: bool
    crosses: int
    """Outcomes that cross it."""
    blocks: int
    """Acceptable outcomes (every required signatory at or above its BATNA) it blocks, or
    would block if it does not bind."""
    swing: int
    """Binding: outcomes that join the ZOPA if it alone is dropped. Not binding: ZOPA
    outcomes it would remove if it bound."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        rule = self.ref.rule
        return {
            "actor": self.ref.actor,
            "red_line": self.ref.id,
            "consequence": self.ref.consequence,
            "precondition": rule.precondition is not None,
            "kind": rule.provenance.kind,
            "speaker": rule.provenance.speaker,
            "quote": rule.provenance.quote,
            "firmness": round(self.firmness, 6),
            "binding": self.binding,
            "crosses": self.crosses,
            "blocks": self.blocks,
            "swing": self.swing,
        }


@dataclass(frozen=True)
class Relaxation:
    """A minimal set of red lines whose removal opens a ZOPA."""

    red_lines: tuple[RedLineRef, ...]
    bluff_probability: float
    """Probability that all of them are bluffs: the product of (1 - firmness)."""
    zopa_size: int
    """How many outcomes the ZOPA has once they are dropped."""
    nash: Point | None
    """The Nash point of that ZOPA."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "red_lines": [{"actor": r.actor, "red_line": r.id} for r in self.red_lines],
            "bluff_probability": round(self.bluff_probability, 6),
            "zopa_size": self.zopa_size,
            "nash": self.nash.to_dict() if self.nash else None,
        }


@dataclass(frozen=True)
class Analysis:
    """The bargaining space of a scenario under one set of parameters.

    Masks are bool arrays over the outcomes of `compiled.space`; `blocking` is red lines x
    outcomes (binding red lines only). See the module docstring for the vocabulary.
    """

    compiled: Compiled = field(repr=False)
    parameters: Parameters = field(repr=False)
    threshold: float
    binding: np.ndarray = field(repr=False)
    parties: tuple[str, ...]
    """Actors whose gains the solution points and the Pareto frontier weigh."""
    actor_feasible: np.ndarray = field(repr=False)
    blocking: np.ndarray = field(repr=False)
    feasible: np.ndarray = field(repr=False)
    acceptable: np.ndarray = field(repr=False)
    zopa: np.ndarray = field(repr=False)
    pareto: np.ndarray = field(repr=False)
    """Indices of the ZOPA outcomes on its Pareto frontier (over the parties' utilities)."""
    solutions: dict[str, Point | None]
    """nash, kalai_smorodinsky, egalitarian, utilitarian -> point (None without a ZOPA)."""
    red_lines: tuple[RedLineSummary, ...]
    relaxations: tuple[Relaxation, ...]
    max_relaxation_size: int
    closing: tuple[RedLineRef, ...]
    """With a ZOPA: red lines that do not bind but would close the ZOPA if they did."""
    space_pareto: np.ndarray | None = field(default=None, repr=False)
    """Indices of the whole space's Pareto frontier, when asked for."""

    @property
    def n_outcomes(self) -> int:
        """Size of the outcome space (after the scenario's rules)."""
        return self.compiled.space.size

    @property
    def has_deal(self) -> bool:
        """Whether the ZOPA is non-empty."""
        return bool(self.zopa.any())

    @property
    def opening(self) -> tuple[RedLineRef, ...]:
        """Without a ZOPA: the single red lines whose removal alone opens one."""
        if self.has_deal:
            return ()
        return tuple(r.red_lines[0] for r in self.relaxations if len(r.red_lines) == 1)

    def point(self, outcome: int) -> Point:
        """An outcome with its terms and utilities."""
        return _point(self.compiled, self.parameters, outcome)

    def blockers(self, outcome: int) -> list[RedLineRef]:
        """The binding red lines that block an outcome."""
        return [self.compiled.red_lines[r] for r in np.flatnonzero(self.blocking[:, outcome])]

    def below_batna(self, outcome: int) -> list[str]:
        """The required signatories an outcome leaves below their BATNA."""
        c, p = self.compiled, self.parameters
        short = (p.utilities[outcome] < p.batna - TOLERANCE) & c.signatory_mask[:, outcome]
        return [c.actor_ids[a] for a in np.flatnonzero(short)]

    def compare(self, agreement: int | Mapping[str, OptionRef] | np.ndarray) -> Comparison:
        """How far an agreement (an outcome index, its terms, or a utility vector over every
        actor) is from the Nash point and from the ZOPA's Pareto frontier, in the parties'
        utilities."""
        c, p = self.compiled, self.parameters
        if isinstance(agreement, Mapping):
            found = c.space.find(agreement)
            if found is None:
                raise ValueError(f"no outcome has the terms {dict(agreement)}")
            agreement = found
        if isinstance(agreement, int | np.integer):
            vector = p.utilities[int(agreement)]
        else:
            vector = np.asarray(agreement, dtype=float)
        columns = [c.actor_index(a) for a in self.parties]
        nash = self.solutions.get("nash")
        return compare(
            vector[columns],
            None if nash is None else p.utilities[nash.outcome, columns],
            p.utilities[np.ix_(self.pareto, columns)],
        )

    def to_dict(self) -> dict[str, Any]:
        """The `redlines explain --json` object."""
        c, p = self.compiled, self.parameters
        zopa = np.flatnonzero(self.zopa)
        result: dict[str, Any] = {
            "scenario": c.scenario.id,
            "threshold": self.threshold,
            "binding_red_lines": [r.key for r in c.red_lines if self.binding[r.row]],
            "not_binding_red_lines": [r.key for r in c.red_lines if not self.binding[r.row]],
            "parties": list(self.parties),
            "batna": {a: round(float(p.batna[i]), 6) for i, a in enumerate(c.actor_ids)},
            "outcomes": self.n_outcomes,
            "feasible": int(self.feasible.sum()),
            "feasible_by_actor": {
                a: int(self.actor_feasible[i].sum()) for i, a in enumerate(c.actor_ids)
            },
            "acceptable": int(self.acceptable.sum()),
            "zopa_size": int(zopa.size),
            "zopa": [self.point(int(k)).to_dict() for k in zopa],
            "pareto": [self.point(int(k)).to_dict() for k in self.pareto],
        }
        for name, point in self.solutions.items():
            result[name] = point.to_dict() if point else None
        result["blocking"] = [s.to_dict() for s in self.red_lines]
        result["minimal_relaxations"] = [
            [{"actor": r.actor, "red_line": r.id} for r in x.red_lines] for x in self.relaxations
        ]
        result["max_relaxation_size"] = self.max_relaxation_size
        result["relaxations"] = [x.to_dict() for x in self.relaxations]
        result["pivotal"] = [
            {"actor": r.actor, "red_line": r.id, "effect": "opens"} for r in self.opening
        ] + [{"actor": r.actor, "red_line": r.id, "effect": "closes"} for r in self.closing]
        if self.space_pareto is not None:
            result["space_pareto"] = [self.point(int(k)).to_dict() for k in self.space_pareto]
        return result


def analyse(
    scenario: LoadedScenario | Scenario | Compiled,
    *,
    parameters: Parameters | None = None,
    threshold: float = 0.0,
    binding: np.ndarray | None = None,
    max_relaxation_size: int = MAX_RELAXATION_SIZE,
    space_pareto: bool = False,
) -> Analysis:
    """The whole bargaining-space analysis of a scenario.

    `parameters` default to the nominal ones. Red lines bind when their firmness is at least
    `threshold` (default 0: all bind), unless `binding` (bool per red line, e.g. one run's
    draw) says which bind. `space_pareto` also computes the Pareto frontier of the whole
    space (over the parties of the whole space).
    """
    from sim.loader import LoadedScenario
    from sim.space import Compiled, compile_scenario, nominal_parameters

    if isinstance(scenario, Compiled):
        compiled = scenario
    elif isinstance(scenario, LoadedScenario):
        compiled = compile_scenario(scenario.scenario)
    else:
        compiled = compile_scenario(scenario)
    p = parameters if parameters is not None else nominal_parameters(compiled)
    if max_relaxation_size < 0:
        raise ValueError("max_relaxation_size must be at least 0")
    binds = (
        binding_mask(p.firmness, threshold)
        if binding is None
        else np.asarray(binding, dtype=bool).copy()
    )
    owners = np.array([r.actor_index for r in compiled.red_lines], dtype=int)
    consent = consent_mask(
        compiled.signatory_mask, owners, _veto_rows(compiled), compiled.mandate_mask
    )
    would_block = blocking_matrix(compiled.red_line_mask, consent)
    blocking = would_block & binds[:, None]
    feasible = joint_feasible(blocking)
    ok = acceptable(p.utilities, p.batna, compiled.signatory_mask)
    zopa = feasible & ok

    parties = parties_of(compiled.signatory_mask, zopa)
    zopa_rows = np.flatnonzero(zopa)
    zopa_utilities = p.utilities[np.ix_(zopa_rows, parties)]
    pareto = zopa_rows[pareto_front(zopa_utilities)]
    party_gains = gains(zopa_utilities, p.batna[parties])
    solutions: dict[str, Point | None] = {}
    for name, solve in SOLUTIONS.items():
        best = solve(party_gains)
        solutions[name] = None if best is None else _point(compiled, p, int(zopa_rows[best]))

    blocks, swing = blocking_counts(would_block, ok, binds)
    summaries = tuple(
        RedLineSummary(
            ref=ref,
            firmness=float(p.firmness[ref.row]),
            binding=bool(binds[ref.row]),
            crosses=int(compiled.red_line_mask[ref.row].sum()),
            blocks=int(blocks[ref.row]),
            swing=int(swing[ref.row]),
        )
        for ref in compiled.red_lines
    )
    relaxations = tuple(
        _relaxation(compiled, p, blocking, ok, rows)
        for rows in minimal_relaxations(blocking, ok, p.firmness, max_relaxation_size)
    )
    closing = tuple(compiled.red_lines[r] for r in closing_red_lines(would_block, zopa))
    whole: np.ndarray | None = None
    if space_pareto:
        everyone = parties_of(compiled.signatory_mask, np.ones(compiled.space.size, bool))
        whole = np.flatnonzero(pareto_front(p.utilities[:, everyone]))
    return Analysis(
        compiled=compiled,
        parameters=p,
        threshold=float(threshold),
        binding=binds,
        parties=tuple(compiled.actor_ids[a] for a in parties),
        actor_feasible=actor_feasible(compiled.red_line_mask, owners, compiled.n_actors, binds),
        blocking=blocking,
        feasible=feasible,
        acceptable=ok,
        zopa=zopa,
        pareto=pareto,
        solutions=solutions,
        red_lines=summaries,
        relaxations=relaxations,
        max_relaxation_size=max_relaxation_size,
        closing=closing,
        space_pareto=whole,
    )


def _veto_rows(compiled: Compiled) -> np.ndarray:
    """Bool per red line: a veto of an actor who casts a permanent Security Council seat."""
    council = compiled.scenario.institutions.security_council
    vetoers = {m.actor for m in council.members if m.permanent} if council is not None else set()
    return np.array(
        [r.consequence == "veto" and r.actor in vetoers for r in compiled.red_lines], dtype=bool
    )


def _point(compiled: Compiled, p: Parameters, outcome: int) -> Point:
    space = compiled.space
    return Point(
        outcome=outcome,
        terms=space.terms(outcome),
        words=space.words(outcome),
        utilities={a: float(p.utilities[outcome, i]) for i, a in enumerate(compiled.actor_ids)},
    )


def _relaxation(
    compiled: Compiled,
    p: Parameters,
    blocking: np.ndarray,
    ok: np.ndarray,
    rows: tuple[int, ...],
) -> Relaxation:
    keep = np.ones(blocking.shape[0], dtype=bool)
    keep[list(rows)] = False
    zopa = ok & ~blocking[keep].any(axis=0)
    zopa_rows = np.flatnonzero(zopa)
    parties = parties_of(compiled.signatory_mask, zopa)
    best = nash_point(gains(p.utilities[np.ix_(zopa_rows, parties)], p.batna[parties]))
    return Relaxation(
        red_lines=tuple(compiled.red_lines[r] for r in rows),
        bluff_probability=bluff_probability(p.firmness, rows),
        zopa_size=int(zopa_rows.size),
        nash=None if best is None else _point(compiled, p, int(zopa_rows[best])),
    )

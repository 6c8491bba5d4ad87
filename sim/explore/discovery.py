"""Scenario discovery: which ranges of the uncertain numbers lead to an outcome.

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
high-dimensional data"), as used for scenario discovery by Bryant & Lempert (2010). The
inputs are the sweep table's sampled parameters (numbers), its `binds.` columns (whether a
red line bound in the run) and `conceded.` columns (whether a precondition was conceded before
talks); the output is one or more boxes — conjunctions of ranges — with:

- density: the share of runs in the box that end in the target outcome;
- coverage: the share of all target runs that fall in the box;
- mass: the share of all runs in the box.

Peeling: starting from every run, try removing the lowest or highest `alpha` share of the
runs along each number, or every run with one value of a yes/no column; keep the peel that
raises the density most per run removed; stop when the box would hold less than `min_mass`
of the runs or no peel raises the density. The box reported is the one of the peeling
trajectory with the best weighted relative accuracy, mass x (density - base rate); then each
restriction that does not earn its place (quasi-p-value above 0.05, or less than 0.01 of
density) is dropped, so noise columns do not pad the box. Further boxes are found the same
way on the runs outside the earlier boxes (covering). No pasting step.

We wrote this small implementation because the PyPI packages that provide PRIM are either
GPL-licensed with plotting dependencies (`PRIM`) or a large workbench (`ema_workbench`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.explore.columns import BINDS, CONCEDED, FIXED, TERMS, UTILITY, family

METHOD = "PRIM (Friedman & Fisher 1999): peeling, covering, no pasting"
"""How the boxes are found, in words."""
TIE = 0.01
"""Density differences below this are ties (the simpler box wins)."""


@dataclass(frozen=True)
class Restriction:
    """One condition of a box: a number within bounds, or a yes/no column at one value."""

    column: str
    low: float | None = None
    """Lower bound (inclusive), None when unbounded below."""
    high: float | None = None
    """Upper bound (inclusive), None when unbounded above."""
    value: bool | None = None
    """For a yes/no column: the value kept."""

    def mask(self, table: pd.DataFrame) -> np.ndarray:
        """Bool per row: True where the row meets the condition."""
        column = table[self.column].to_numpy()
        if self.value is not None:
            return np.asarray(column == self.value)
        keep = np.ones(len(column), dtype=bool)
        if self.low is not None:
            keep &= column >= self.low
        if self.high is not None:
            keep &= column <= self.high
        return keep

    def words(self) -> str:
        """The condition in plain words, e.g. `x < 0.3` or `ACTOR.RED_LINE binds`."""
        if self.value is not None:
            prefix, name = family(self.column) or ("", self.column)
            if prefix == BINDS:
                return f"{name} {'binds' if self.value else 'does not bind'}"
            if prefix == CONCEDED:
                return f"{name} is {'conceded' if self.value else 'not conceded'} before talks"
            return f"{name} is {'true' if self.value else 'false'}"
        if self.low is not None and self.high is not None:
            return f"{_number(self.low)} <= {self.column} <= {_number(self.high)}"
        if self.low is not None:
            return f"{self.column} >= {_number(self.low)}"
        return f"{self.column} <= {_number(self.high)}"


def _number(value: float | None) -> str:
    return f"{value:.3g}"


@dataclass(frozen=True)
class Box:
    """A box found by PRIM, with its statistics over all runs."""

    restrictions: tuple[Restriction, ...]
    density: float
    coverage: float
    mass: float
    runs: int
    """Runs in the box."""
    hits: int
    """Target runs in the box."""
    after: int = 0
    """How many boxes came before: the figures count only the runs outside them."""

    def mask(self, table: pd.DataFrame) -> np.ndarray:
        """Bool per row: True where the row meets the box's restrictions."""
        keep = np.ones(len(table), dtype=bool)
        for restriction in self.restrictions:
            keep &= restriction.mask(table)
        return keep

    def words(self, target: str) -> str:
        """The box as a sentence."""
        conditions = " and ".join(r.words() for r in self.restrictions) or "always"
        earlier = (
            ""
            if self.after == 0
            else ("outside box 1, " if self.after == 1 else f"outside boxes 1-{self.after}, ")
        )
        return (
            f"{earlier}{target} in {self.density:.0%} of runs when {conditions} "
            f"({self.mass:.0%} of all runs, holding {self.coverage:.0%} of all {target} runs)"
        )


@dataclass
class Discovery:
    """The boxes found for a target outcome, and the peeling trajectory of the first."""

    target: str
    runs: int
    base_density: float
    """The share of all runs that end in the target outcome."""
    boxes: list[Box]
    trajectory: pd.DataFrame = field(repr=False)
    """The first box's peeling steps: `step`, `density`, `coverage`, `mass`, `restricted`."""

    def table(self) -> pd.DataFrame:
        """One row per box: `box`, `density`, `coverage`, `mass`, `runs`, `hits`,
        `conditions` and `description` (the sentence)."""
        rows = [
            {"box": k, "density": b.density, "coverage": b.coverage, "mass": b.mass,
             "runs": b.runs, "hits": b.hits,
             "conditions": " and ".join(r.words() for r in b.restrictions),
             "description": b.words(self.target)}
            for k, b in enumerate(self.boxes, start=1)
        ]  # fmt: skip
        columns = ["box", "density", "coverage", "mass", "runs", "hits", "conditions",
                   "description"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def restrictions(self) -> pd.DataFrame:
        """One row per (box, restriction): `box`, `column`, `low`, `high`, `value`."""
        rows = [
            {"box": k, "column": r.column, "low": r.low, "high": r.high, "value": r.value}
            for k, b in enumerate(self.boxes, start=1)
            for r in b.restrictions
        ]
        return pd.DataFrame(rows, columns=["box", "column", "low", "high", "value"])

    def to_dict(self) -> dict[str, Any]:
        """The `redlines discover --json` object."""
        return {
            "target": self.target,
            "runs": self.runs,
            "base_density": self.base_density,
            "method": METHOD,
            "boxes": self.table().to_dict(orient="records"),
            "restrictions": self.restrictions().to_dict(orient="records"),
        }


def inputs(table: pd.DataFrame) -> list[str]:
    """The columns of a sweep table PRIM can restrict: sampled numbers, `binds.`, `conceded.`."""
    chosen = []
    for name in table.columns:
        if name in FIXED or name.startswith((TERMS, UTILITY)):
            continue
        column = table[name]
        usable = column.dtype == bool or pd.api.types.is_float_dtype(column)
        if usable and column.nunique(dropna=True) > 1:
            chosen.append(name)
    return chosen


def peel(
    table: pd.DataFrame,
    target: np.ndarray,
    columns: Sequence[str],
    *,
    alpha: float = 0.05,
    min_mass: float = 0.05,
) -> list[dict[str, Any]]:
    """The peeling trajectory: one entry per box, from all rows to the smallest box.

    Each entry has `inside` (bool per row), `density`, `coverage`, `mass` and `bounds`
    (column -> (low, high) for numbers, or the kept value for yes/no columns).
    """
    n = len(table)
    total_hits = int(target.sum())
    values = {c: table[c].to_numpy() for c in columns}
    flags = {c for c in columns if table[c].dtype == bool}
    inside = np.ones(n, dtype=bool)
    bounds: dict[str, Any] = {}

    def entry() -> dict[str, Any]:
        count = int(inside.sum())
        hits = int(target[inside].sum())
        return {
            "inside": inside.copy(),
            "density": hits / count if count else 0.0,
            "coverage": hits / total_hits if total_hits else 0.0,
            "mass": count / n,
            "bounds": dict(bounds),
        }

    trajectory = [entry()]
    while True:
        count = int(inside.sum())
        density = trajectory[-1]["density"]
        best: tuple[float, str, Any, np.ndarray] | None = None
        for column in columns:
            x = values[column]
            for kept, candidate in _peels(x, inside, column in flags, alpha):
                remaining = int(candidate.sum())
                removed = count - remaining
                if removed == 0 or remaining < min_mass * n:
                    continue
                gain = (target[candidate].sum() / remaining - density) / removed
                if gain > 0 and (best is None or gain > best[0]):
                    best = (gain, column, kept, candidate)
        if best is None:
            return trajectory
        _, column, kept, candidate = best
        inside = candidate
        if column in flags:
            bounds[column] = kept
        else:
            low, high = bounds.get(column, (None, None))
            new_low, new_high = kept
            bounds[column] = (new_low if new_low is not None else low,
                              new_high if new_high is not None else high)  # fmt: skip
        trajectory.append(entry())


def _peels(
    x: np.ndarray, inside: np.ndarray, flag: bool, alpha: float
) -> list[tuple[Any, np.ndarray]]:
    """Candidate peels of one column: (what is kept, the rows left in the box)."""
    current = x[inside]
    if flag:
        present = np.unique(current)
        if present.size < 2:
            return []
        return [(bool(v), inside & (x == v)) for v in present]
    low_cut, high_cut = np.quantile(current, [alpha, 1 - alpha])
    found: list[tuple[Any, np.ndarray]] = []
    above = inside & (x >= low_cut)
    if above.sum() == inside.sum():  # ties at the bottom: peel the lowest value instead
        lowest = current.min()
        above = inside & (x > lowest)
        low_cut = float(current[current > lowest].min()) if above.any() else low_cut
    found.append(((float(low_cut), None), above))
    below = inside & (x <= high_cut)
    if below.sum() == inside.sum():
        highest = current.max()
        below = inside & (x < highest)
        high_cut = float(current[current < highest].max()) if below.any() else high_cut
    found.append(((None, float(high_cut)), below))
    return found


def _box(table: pd.DataFrame, target: np.ndarray, step: dict[str, Any], flags: set[str]) -> Box:
    restrictions = []
    for column, kept in step["bounds"].items():
        if column in flags:
            restrictions.append(Restriction(column, value=bool(kept)))
        else:
            low, high = kept
            restrictions.append(Restriction(column, low=low, high=high))
    return _measured(table, target, tuple(restrictions))


def _measured(
    table: pd.DataFrame, target: np.ndarray, restrictions: tuple[Restriction, ...]
) -> Box:
    mask = np.ones(len(table), dtype=bool)
    for restriction in restrictions:
        mask &= restriction.mask(table)
    runs = int(mask.sum())
    hits = int(target[mask].sum())
    total = int(target.sum())
    return Box(
        restrictions=restrictions,
        density=hits / runs if runs else 0.0,
        coverage=hits / total if total else 0.0,
        mass=runs / len(table),
        runs=runs,
        hits=hits,
    )


def _prune(table: pd.DataFrame, target: np.ndarray, box: Box, significance: float) -> Box:
    """Drop the restrictions that do not earn their place, the weakest first.

    A restriction is weak when the box without it is almost as dense (within `TIE`) or when
    its quasi-p-value (Bryant & Lempert 2010) exceeds `significance`: the probability of at
    least the box's target runs among its runs if the density were that of the box without
    the restriction (one-sided binomial test).
    """
    from scipy.stats import binom

    while box.restrictions:
        weakest: tuple[float, Box] | None = None
        for dropped in box.restrictions:
            kept = tuple(r for r in box.restrictions if r is not dropped)
            relaxed = _measured(table, target, kept)
            p = float(binom.sf(box.hits - 1, box.runs, relaxed.density))
            weak = p > significance or relaxed.density >= box.density - TIE
            if weak and (weakest is None or p > weakest[0]):
                weakest = (p, relaxed)
        if weakest is None:
            return box
        box = weakest[1]
    return box


def discover(
    table: pd.DataFrame,
    target: str = "agreement",
    *,
    columns: Sequence[str] | None = None,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.0,
    max_boxes: int = 3,
    significance: float = 0.05,
) -> Discovery:
    """PRIM boxes of the sweep table's inputs where `target` runs concentrate.

    `target` is an outcome name (`agreement`, `escalation`, ...). Along the peeling trajectory
    the box chosen maximises the weighted relative accuracy, mass x (density - base rate)
    (Lavrač, Flach & Zupan 1999), among boxes holding at least `min_coverage` of the target
    runs; its weak restrictions are then pruned (see :func:`_prune`). A box is kept when its
    density beats the base rate of the runs it was found in by at least 0.05, significantly
    (one-sided binomial test at `significance`). Box 2 is sought among the runs outside box 1,
    and so on; each box's figures count only the runs outside the earlier boxes, so their
    coverages add up.
    """
    from sim.engine.results import OUTCOMES

    if target not in OUTCOMES:
        raise ValueError(f"unknown target {target!r}: choose one of {', '.join(OUTCOMES)}")
    if not 0 < alpha < 0.5:
        raise ValueError(f"alpha must be in (0, 0.5), got {alpha}")
    chosen = list(columns) if columns is not None else inputs(table)
    flags = {c for c in chosen if table[c].dtype == bool}
    hits = (table["outcome"].astype(str) == target).to_numpy()
    n = len(table)
    base = float(hits.mean()) if n else 0.0
    from scipy.stats import binom

    boxes: list[Box] = []
    first_trajectory: list[dict[str, Any]] = []
    remaining = np.ones(n, dtype=bool)
    total = int(hits.sum())
    while len(boxes) < max_boxes and hits[remaining].sum() > 0 and chosen:
        rest = table[remaining].reset_index(drop=True)
        rest_hits = hits[remaining]
        rate = float(rest_hits.mean())
        trajectory = peel(rest, rest_hits, chosen, alpha=alpha, min_mass=min_mass)
        if not first_trajectory:
            first_trajectory = trajectory
        eligible = [s for s in trajectory if s["coverage"] >= min_coverage] or trajectory[:1]
        step = max(eligible, key=lambda s: s["mass"] * (s["density"] - rate))
        box = _prune(rest, rest_hits, _box(rest, rest_hits, step, flags), significance)
        chance = float(binom.sf(box.hits - 1, box.runs, rate)) if box.runs else 1.0
        if not box.restrictions or box.density < rate + 0.05 or chance > significance:
            break
        boxes.append(
            Box(
                restrictions=box.restrictions,
                density=box.density,
                coverage=box.hits / total,
                mass=box.runs / n,
                runs=box.runs,
                hits=box.hits,
                after=len(boxes),
            )
        )
        remaining &= ~boxes[-1].mask(table)
    steps = pd.DataFrame(
        [
            {"step": k, "density": s["density"], "coverage": s["coverage"], "mass": s["mass"],
             "restricted": len(s["bounds"])}
            for k, s in enumerate(first_trajectory)
        ],
        columns=["step", "density", "coverage", "mass", "restricted"],
    )  # fmt: skip
    return Discovery(target, n, base, boxes, steps)

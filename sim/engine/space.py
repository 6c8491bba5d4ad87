"""The outcome space and the arrays every computation runs on.

A scenario compiles once into a :class:`Compiled` structure: the pruned outcome space (one
row of option indices per outcome), the red-line mask (red lines x outcomes, True where the
outcome crosses the line) and the signatory mask (actors x outcomes, True where the outcome
needs that actor's signature). The numbers, which may be uncertain, become
:class:`Parameters` — nominal ones, or one draw per run — with the utility matrix
(outcomes x actors). Rounds, analysis and sweeps are then array operations.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from sim.scenario.distributions import is_uncertain
from sim.scenario.parameters import numbers
from sim.scenario.schema import Actor, OptionRef, RedLine, Scenario

Terms = dict[str, OptionRef]


@dataclass(frozen=True)
class OutcomeSpace:
    """Every outcome (one option per issue) that the scenario's rules leave standing."""

    issues: tuple[str, ...]
    options: tuple[tuple[OptionRef, ...], ...]
    """Per issue, its options: ids for categorical issues, numbers for numeric ones."""
    labels: tuple[tuple[str, ...], ...]
    """Per issue, its options in words."""
    index: np.ndarray = field(repr=False)
    """int32 array, outcomes x issues: the option index of each issue in each outcome."""

    @property
    def size(self) -> int:
        """How many outcomes there are."""
        return int(self.index.shape[0])

    def option_index(self, issue: str, option: OptionRef) -> int:
        """The index of `option` in `issue` (numbers compare with a tolerance)."""
        options = self.options[self.issues.index(issue)]
        if isinstance(option, str):
            return options.index(option)
        for k, value in enumerate(options):
            if not isinstance(value, str) and math.isclose(value, option):
                return k
        raise ValueError(f"{option!r} is not an option of {issue!r}")

    def matches(self, condition: Mapping[str, Sequence[OptionRef] | OptionRef]) -> np.ndarray:
        """Bool per outcome: for every issue named, its option is one of those listed."""
        hit = np.ones(self.size, dtype=bool)
        for issue, wanted in condition.items():
            listed: Sequence[OptionRef] = (
                wanted if isinstance(wanted, list | tuple) else [wanted]  # type: ignore[list-item]
            )
            column = self.index[:, self.issues.index(issue)]
            hit &= np.isin(column, [self.option_index(issue, o) for o in listed])
        return hit

    def terms(self, outcome: int) -> Terms:
        """An outcome as issue id -> option (id or number)."""
        row = self.index[outcome]
        return {issue: self.options[i][row[i]] for i, issue in enumerate(self.issues)}

    def words(self, outcome: int) -> dict[str, str]:
        """An outcome as issue id -> option label."""
        row = self.index[outcome]
        return {issue: self.labels[i][row[i]] for i, issue in enumerate(self.issues)}

    def find(self, terms: Mapping[str, OptionRef]) -> int | None:
        """The outcome with exactly these terms, or None when the rules removed it."""
        hits = np.flatnonzero(self.matches({k: [v] for k, v in terms.items()}))
        return int(hits[0]) if hits.size == 1 else None


@dataclass(frozen=True)
class RedLineRef:
    """A red line as the engine sees it: its owner, its rule and its row in the mask."""

    row: int
    actor: str
    actor_index: int
    rule: RedLine = field(repr=False)

    @property
    def id(self) -> str:
        """The red line's id (unique within its actor)."""
        return self.rule.id

    @property
    def key(self) -> str:
        """`actor.red_line`, unique in the scenario."""
        return f"{self.actor}.{self.rule.id}"

    @property
    def consequence(self) -> str:
        """reject, walk_out, escalate or veto."""
        return self.rule.consequence


@dataclass(frozen=True)
class Compiled:
    """The structure of a scenario as arrays, built once and shared by every run."""

    scenario: Scenario = field(repr=False)
    space: OutcomeSpace
    actor_ids: tuple[str, ...]
    roles: tuple[str, ...]
    red_lines: tuple[RedLineRef, ...]
    red_line_mask: np.ndarray = field(repr=False)
    """bool, red lines x outcomes: True where the outcome crosses the red line."""
    signatory_mask: np.ndarray = field(repr=False)
    """bool, actors x outcomes: True where the outcome needs that actor's signature."""
    mandate_mask: np.ndarray = field(repr=False)
    """bool per outcome: True where the outcome needs a Security Council mandate."""
    uncertain: tuple[tuple[str, Any], ...] = field(repr=False)
    """Every number given as a distribution, as (dotted path, distribution), in file order."""

    @property
    def n_actors(self) -> int:
        """How many actors there are."""
        return len(self.actor_ids)

    def actor_index(self, actor_id: str) -> int:
        """The column of an actor in the utility matrix."""
        return self.actor_ids.index(actor_id)

    def red_line(self, key: str) -> RedLineRef:
        """A red line by `actor.red_line` key."""
        return next(r for r in self.red_lines if r.key == key)


def build_space(scenario: Scenario) -> OutcomeSpace:
    """Enumerate every outcome, then apply the scenario's exclude and collapse rules."""
    keys = tuple(tuple(issue.option_keys()) for issue in scenario.issues)
    labels = tuple(
        tuple(o.label or o.id for o in issue.options)
        if issue.options is not None
        else tuple(f"{v:g}" for v in keys[i])
        for i, issue in enumerate(scenario.issues)
    )
    counts = [len(k) for k in keys]
    grid = np.indices(counts, dtype=np.int32).reshape(len(counts), -1).T
    space = OutcomeSpace(tuple(i.id for i in scenario.issues), keys, labels, grid)
    keep = np.ones(space.size, dtype=bool)
    for rule in scenario.rules:
        when = space.matches(rule.when)
        if rule.kind == "exclude":
            keep &= ~when
            continue
        for issue, option in (rule.then or {}).items():
            other = space.index[:, space.issues.index(issue)] != space.option_index(issue, option)
            keep &= ~(when & other)
    return OutcomeSpace(space.issues, keys, labels, np.ascontiguousarray(grid[keep]))


def compile_scenario(scenario: Scenario) -> Compiled:
    """The scenario's structure as arrays (done once; every run shares it)."""
    space = build_space(scenario)
    refs: list[RedLineRef] = []
    rows: list[np.ndarray] = []
    for a, actor in enumerate(scenario.actors):
        for line in actor.red_lines:
            refs.append(RedLineRef(len(refs), actor.id, a, line))
            rows.append(forbidden(space, line))
    mask = np.array(rows, dtype=bool).reshape(len(rows), space.size)
    signs = np.array([_signs(space, actor) for actor in scenario.actors], dtype=bool)
    council = scenario.institutions.security_council
    mandate = space.matches(council.mandate) if council is not None else np.zeros(space.size, bool)
    return Compiled(
        scenario=scenario,
        space=space,
        actor_ids=tuple(a.id for a in scenario.actors),
        roles=tuple(a.role for a in scenario.actors),
        red_lines=tuple(refs),
        red_line_mask=mask,
        signatory_mask=signs,
        mandate_mask=mandate,
        uncertain=tuple((path, n) for path, n in numbers(scenario) if is_uncertain(n)),
    )


def forbidden(space: OutcomeSpace, line: RedLine) -> np.ndarray:
    """Bool per outcome: True where the outcome crosses the red line.

    A red line forbids what `forbids` names; a precondition red line without `forbids`
    forbids every outcome that does not meet its requirement.
    """
    if line.forbids is not None:
        return space.matches(line.forbids)
    assert line.precondition is not None  # the schema requires one of the two
    return ~space.matches(line.precondition.requires)


def _signs(space: OutcomeSpace, actor: Actor) -> np.ndarray:
    if actor.role == "belligerent" or (actor.role == "guarantor" and actor.signs_when is None):
        return np.ones(space.size, dtype=bool)
    if actor.role != "guarantor":
        return np.zeros(space.size, dtype=bool)
    needed = np.zeros(space.size, dtype=bool)
    for condition in actor.signs_when or []:
        needed |= space.matches(condition)
    return needed


_DERIVED: dict[tuple[int, Callable[[Compiled], Any]], tuple[weakref.ref[Compiled], Any]] = {}


def derived[T](compiled: Compiled, build: Callable[[Compiled], T]) -> T:
    """What `build` makes of a compiled scenario, built on first use and kept while the
    compiled scenario lives (the cache holds it only weakly), so sweeps and the dashboard do
    not keep every compiled scenario alive."""
    key = (id(compiled), build)
    entry = _DERIVED.get(key)
    if entry is not None and entry[0]() is compiled:
        return cast(T, entry[1])
    value = build(compiled)
    _DERIVED[key] = (weakref.ref(compiled), value)
    weakref.finalize(compiled, _DERIVED.pop, key, None)
    return value

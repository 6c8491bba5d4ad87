"""The table of parameters: every tunable number of a scenario, declared once.

A parameter is a number an analyst may give as a distribution: a weight, a score, a value of
no deal and its drift, a concession exponent, a red line's firmness, a precondition's chance of
being conceded, a council seat's chance of voting yes, a deployment's chance. Each row of
:func:`parameters` says where the number is (its `--set` path and its place in the document),
which kind it is, and so its allowed range, its schema default and the value or distribution
the file gives. Everything that touches these numbers reads this table:

- the cross-field checks (:mod:`sim.scenario.checks`) refuse a number or a distribution's
  bounds outside its range, so a `--set`, a `--vary` value, a sweep setting or a dashboard
  widget that passes through the one build path is refused with the same message;
- the engine's draws (:mod:`sim.engine.params`) put each number in its array slot by kind;
- sensitivity, discovery and the dashboard's sliders take the paths, ranges and
  distributions from it.

>>> from sim.scenario.parameters import RANGES
>>> RANGES["batna"].problem(1.5)
'a BATNA must lie in [0.0, 1.0], got 1.5'
>>> RANGES["drift"].problem(0.02) is None
True
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from sim.scenario.distributions import Number, bounds, is_uncertain
from sim.scenario.schema import (
    Batna,
    CouncilMember,
    OptionRef,
    Precondition,
    RedLine,
    Scenario,
    UnilateralDeployment,
)

Kind = Literal[
    "weight", "score", "batna", "drift", "exponent", "firmness", "concession", "p_yes", "deploy"
]
Loc = tuple[str | int | float, ...]


@dataclass(frozen=True)
class Range:
    """The values a kind of parameter may take (inclusive; `low_open` excludes `low`)."""

    low: float
    high: float
    what: str
    """The kind in words, for messages ("a BATNA")."""
    low_open: bool = False

    def problem(self, value: Number) -> str | None:
        """Why `value` (a number or every value of a distribution) lies outside, or None."""
        lo, hi = bounds(value)
        if self.low_open and lo <= self.low:  # only the exponent: (0, inf)
            return f"{self.what} must be positive"
        if math.isinf(self.high) and lo < self.low:
            return f"{self.what} must not be negative, got {lo}"
        if lo < self.low or hi > self.high:
            shown = f"{lo}" if lo == hi else f"values from {lo} to {hi}"
            return f"{self.what} must lie in [{self.low}, {self.high}], got {shown}"
        return None


RANGES: dict[Kind, Range] = {
    "weight": Range(0.0, math.inf, "a weight"),
    "score": Range(0.0, 1.0, "a score"),
    "batna": Range(0.0, 1.0, "a BATNA"),
    "drift": Range(-1.0, 1.0, "a drift"),
    "exponent": Range(0.0, math.inf, "the exponent", low_open=True),
    "firmness": Range(0.0, 1.0, "firmness"),
    "concession": Range(0.0, 1.0, "a probability"),
    "p_yes": Range(0.0, 1.0, "p_yes"),
    "deploy": Range(0.0, 1.0, "a probability"),
}
"""The allowed range of each kind of parameter."""

DEFAULTS: dict[Kind, float | None] = {
    "weight": None,
    "score": None,
    "batna": None,
    "drift": float(Batna.model_fields["drift"].default),
    "exponent": None,
    "firmness": float(RedLine.model_fields["firmness"].default),
    "concession": float(Precondition.model_fields["probability"].default),
    "p_yes": float(CouncilMember.model_fields["p_yes"].default),
    "deploy": float(UnilateralDeployment.model_fields["probability"].default),
}
"""The schema's default of each kind (None where the file must give the number)."""


@dataclass(frozen=True)
class Parameter:
    """One tunable number of a scenario: where it is, what kind, and what the file gives."""

    path: str
    """The `--set` path, lists named by id: `actors.ACTOR.batna.value`."""
    loc: Loc
    """Its place in the document (keys and list indices), for located messages."""
    kind: Kind
    value: Number
    """The number or distribution the scenario gives."""
    actor: int | None = None
    """Index of the actor it belongs to (file order)."""
    issue: str | None = None
    """For weights and scores: the issue id."""
    option: OptionRef | None = None
    """For scores: the option id or value (a mapping of scores), or its index (a list)."""
    red_line: int | None = None
    """For firmness and concession: the red line's row (actors and their red lines in file
    order)."""
    member: int | None = None
    """For p_yes: the council member's index."""

    @property
    def range(self) -> Range:
        """The values this parameter may take."""
        return RANGES[self.kind]

    @property
    def default(self) -> float | None:
        """The schema's default for this kind of number (None: the file must give it)."""
        return DEFAULTS[self.kind]

    @property
    def uncertain(self) -> bool:
        """Whether the scenario gives a distribution rather than a number."""
        return is_uncertain(self.value)

    def problem(self) -> str | None:
        """Why the value lies outside the allowed range, or None."""
        return self.range.problem(self.value)


def parameters(scenario: Scenario) -> Iterator[Parameter]:
    """Every tunable number of the scenario, in file order (the order of the engine's draws).

    >>> from sim.scenario.schema import Scenario
    >>> s = Scenario.model_validate({
    ...     "schema_version": 1, "id": "tiny", "title": "Tiny",
    ...     "issues": [{"id": "x", "name": "X", "values": [0.0, 1.0]}],
    ...     "actors": [
    ...         {"id": a, "name": a, "role": "belligerent", "weights": {"x": 1.0},
    ...          "scores": {"x": [0.0, 1.0]}, "batna": {"value": 0.5}} for a in ("a", "b")],
    ...     "protocol": {"kind": "alternating"}})
    >>> [p.path for p in parameters(s)][:5]
    ['actors.a.weights.x', 'actors.a.scores.x.0', 'actors.a.scores.x.1', 'actors.a.batna.value', 'actors.a.batna.drift']
    """  # noqa: E501
    row = 0
    for a, actor in enumerate(scenario.actors):
        base, loc = f"actors.{actor.id}", ("actors", a)
        for issue, weight in actor.weights.items():
            yield Parameter(
                f"{base}.weights.{issue}", (*loc, "weights", issue), "weight", weight, a, issue
            )
        for issue, scores in actor.scores.items():
            pairs = scores.items() if isinstance(scores, dict) else enumerate(scores)
            for option, score in pairs:
                yield Parameter(
                    f"{base}.scores.{issue}.{option}",
                    (*loc, "scores", issue, option),
                    "score",
                    score,
                    a,
                    issue,
                    option,
                )
        yield Parameter(
            f"{base}.batna.value", (*loc, "batna", "value"), "batna", actor.batna.value, a
        )
        yield Parameter(
            f"{base}.batna.drift", (*loc, "batna", "drift"), "drift", actor.batna.drift, a
        )
        if actor.strategy.exponent is not None:
            yield Parameter(
                f"{base}.strategy.exponent",
                (*loc, "strategy", "exponent"),
                "exponent",
                actor.strategy.exponent,
                a,
            )
        for r, line in enumerate(actor.red_lines):
            path, rloc = f"{base}.red_lines.{line.id}", (*loc, "red_lines", r)
            yield Parameter(
                f"{path}.firmness", (*rloc, "firmness"), "firmness", line.firmness, a, red_line=row
            )
            if line.precondition is not None:
                yield Parameter(
                    f"{path}.precondition.probability",
                    (*rloc, "precondition", "probability"),
                    "concession",
                    line.precondition.probability,
                    a,
                    red_line=row,
                )
            row += 1
    council = scenario.institutions.security_council
    for m, member in enumerate(council.members if council is not None else []):
        yield Parameter(
            f"institutions.security_council.members.{member.id}.p_yes",
            ("institutions", "security_council", "members", m, "p_yes"),
            "p_yes",
            member.p_yes,
            member=m,
        )
    deployment = scenario.institutions.unilateral_deployment
    if deployment is not None:
        yield Parameter(
            "institutions.unilateral_deployment.probability",
            ("institutions", "unilateral_deployment", "probability"),
            "deploy",
            deployment.probability,
        )


def numbers(scenario: Scenario) -> Iterator[tuple[str, Number]]:
    """Every tunable number of the scenario with its `--set` path (see :func:`parameters`)."""
    for parameter in parameters(scenario):
        yield parameter.path, parameter.value

"""The scenario language: what an analyst writes in a scenario file.

A scenario names its sources, the issues on the table (each a list of options), the actors
(their weights, scores, value of no deal, strategy and red lines), the negotiation protocol and
the institutions (the UN Security Council). Every model here is frozen and rejects unknown
fields; the shape is checked by pydantic, and everything that needs more than one field at a
time (ids that must exist, quotes that must be found in their source, the size of the outcome
space) is checked by :mod:`sim.scenario.checks`, so each problem can be located in the YAML file.

Numbers an analyst is unsure of may be written as distributions (see :data:`Number`); the
engine draws them per run, and anything that needs one value takes the distribution's
:func:`sim.scenario.distributions.nominal`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    model_validator,
)

from sim.scenario.distributions import Number
from sim.scenario.fields import Finite, Id, Strict, Text

# --- sources ---------------------------------------------------------------------------------


class Source(Strict):
    """A document that quotes come from, stored beside the scenario file."""

    id: Id
    """How provenances name this source (`provenance.source`)."""
    path: Annotated[str, Field(min_length=1, max_length=500)]
    """Path of a UTF-8 document (`.txt` or `.md`, never a scenario file), relative to the
    scenario file's folder (and inside it)."""
    title: Text
    """The document's title."""
    outlet: Text | None = None
    """Where it was published."""
    date: Text | None = None
    """Publication date, as written (ISO 8601 preferred)."""
    author: Text | None = None
    """Who wrote it."""


# --- issues and outcomes ---------------------------------------------------------------------


class Option(Strict):
    """One option of a categorical issue."""

    id: Id
    """How conditions, terms and `--set` name the option."""
    label: Text | None = None
    """The option in words, for reports and the dashboard."""


class NumericRange(Strict):
    """Numeric options from `start` to `stop` inclusive, `step` apart."""

    start: Finite
    """The first option."""
    stop: Finite
    """The last option (included when a whole number of steps from `start`)."""
    step: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """The distance between two options (positive)."""

    def count(self) -> int:
        """How many options the range has, without listing them (exact even when huge).

        >>> NumericRange(start=0, stop=1, step=0.1).count()
        11
        >>> NumericRange(start=0, stop=1e300, step=1e-300).count() > 10**599
        True
        """
        if self.stop < self.start:
            return 0
        steps = (self.stop - self.start) / self.step
        if not math.isfinite(steps):  # the float division overflows: count exactly
            exact = (Fraction(self.stop) - Fraction(self.start)) / Fraction(self.step)
            return math.floor(exact) + 1
        return math.floor(steps + 1e-9) + 1

    def values(self) -> list[float]:
        """The options, rounded to the step's precision so 0.1 steps do not drift."""
        digits = max(0, -math.floor(math.log10(self.step)) + 6)
        return [round(self.start + k * self.step, digits) for k in range(self.count())]


class Issue(Strict):
    """An issue on the table: either categorical `options` or numeric `values`/`range`."""

    id: Id
    """How conditions, weights, scores and terms name the issue."""
    name: Text
    """The issue in words."""
    description: Text | None = None
    """What the issue is about, and what its options mean."""
    options: Annotated[list[Option], Field(min_length=1)] | None = None
    """Categorical options, in order (give one of `options`, `values`, `range`)."""
    values: Annotated[list[Finite], Field(min_length=1)] | None = None
    """Numeric options, listed."""
    range: NumericRange | None = None
    """Numeric options, from `start` to `stop` every `step`."""

    @model_validator(mode="after")
    def _one_kind(self) -> Issue:
        given = [k for k in ("options", "values", "range") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of options (categorical), values or range (numeric); "
                f"got {', '.join(given) or 'none'}"
            )
        return self

    @property
    def numeric(self) -> bool:
        """Whether the options are numbers."""
        return self.options is None

    def option_keys(self) -> list[str | float]:
        """The options in order: ids for a categorical issue, numbers for a numeric one."""
        if self.options is not None:
            return [o.id for o in self.options]
        if self.values is not None:
            return list(self.values)
        assert self.range is not None  # guaranteed by _one_kind
        return list(self.range.values())

    def option_count(self) -> int:
        """How many options the issue has, without listing a numeric range."""
        if self.range is not None:
            return self.range.count()
        return len(self.option_keys())


OptionRef = str | float
"""An option named by id (categorical issue) or by value (numeric issue)."""

Condition = Annotated[
    dict[Id, Annotated[list[OptionRef], Field(min_length=1)]],
    Field(min_length=1),
]
"""A condition on outcomes: issue id -> options. An outcome meets it when, for every issue
named, its option is in that issue's list (AND across issues, OR within a list)."""


class OutcomeRule(Strict):
    """A declared rule that removes meaningless combinations from the outcome space.

    `exclude`: outcomes meeting `when` do not exist. `collapse`: when `when` holds, the issues
    in `then` can only take the given option (a mandate with no force is no mandate), so
    the other combinations are removed and the remaining one stands for them all.
    """

    id: Id
    """Names the rule in messages."""
    kind: Literal["exclude", "collapse"]
    """`exclude` removes the outcomes meeting `when`; `collapse` keeps only `then` among them."""
    when: Condition
    """The outcomes the rule applies to: issue id -> options."""
    then: dict[Id, OptionRef] | None = None
    """For `collapse`: issue id -> the one option left when `when` holds."""
    rationale: Text | None = None
    """Why the combination means nothing (the modeller's rule, not the source's)."""

    @model_validator(mode="after")
    def _then_fits_kind(self) -> OutcomeRule:
        if self.kind == "collapse" and not self.then:
            raise ValueError("a collapse rule needs `then` (issue -> the one option left)")
        if self.kind == "exclude" and self.then is not None:
            raise ValueError("an exclude rule takes no `then`")
        return self


# --- actors ---------------------------------------------------------------------------------


class Provenance(Strict):
    """Where a red line comes from, and how much the source itself says."""

    kind: Literal["stated", "reported", "author_assessment", "assumption"]
    """`stated`: the speaker's own words; `reported`: the source reports the position;
    `author_assessment`: the source's author claims it; `assumption`: the modeller's."""
    speaker: Text | None = None
    """Who said it (for `stated` and `reported`) or who asserts it."""
    source: Id | None = None
    """Id of the source document the quote is taken from."""
    quote: Text | None = None
    """Verbatim text of the source (typographic quotes, dashes and spaces are folded): at least
    12 characters, starting and ending at word boundaries of the source."""
    rationale: Text | None = None
    """Why the modeller assumes it (required for `assumption`)."""

    @model_validator(mode="after")
    def _evidence(self) -> Provenance:
        if self.kind == "assumption":
            if not self.rationale:
                raise ValueError("an assumption needs a `rationale` saying why it is assumed")
            if self.quote is not None:
                raise ValueError(
                    "an assumption carries no quote: the source does not say it "
                    "(use kind stated, reported or author_assessment for a quote)"
                )
        else:
            missing = [k for k in ("speaker", "source", "quote") if not getattr(self, k)]
            if missing:
                raise ValueError(f"a {self.kind} red line needs {', '.join(missing)}")
        return self


class Precondition(Strict):
    """A red line that keeps the actor away from talks until `requires` holds.

    Until it is met there are no talks; once `met_by` concedes it (with probability
    `probability`, drawn once per run), the issues it names are fixed to the required options.
    """

    requires: Condition
    """What must be settled before talks: issue id -> the options allowed."""
    met_by: Id | None = None
    """The actor able to meet it (e.g. by taking an option off the table)."""
    probability: Number = 0.0
    """Probability that `met_by` concedes the precondition before talks, per run."""


class RedLine(Strict):
    """A hard constraint an actor will not cross, with its source."""

    id: Id
    """Unique within its actor; `--set` paths and reports name the red line by it."""
    description: Text | None = None
    """The red line in words."""
    forbids: Condition | None = None
    """The outcomes that cross it. A precondition red line forbids, by default, every
    outcome that does not meet its requirement."""
    precondition: Precondition | None = None
    """Makes the red line a precondition to talks (see Precondition)."""
    consequence: Literal["reject", "walk_out", "escalate", "veto"] = "reject"
    """What crossing it does: `reject` the offer, `walk_out` of talks, `escalate` when it is
    crossed on the ground (a deployment), `veto` a Security Council mandate that crosses it."""
    firmness: Number = 1.0
    """Probability that the red line binds in a run (1: always; 0: a pure bluff)."""
    provenance: Provenance
    """Who says so, where, in which words: a quote found verbatim in a source, or a
    rationale for an assumption."""

    @model_validator(mode="after")
    def _something_to_forbid(self) -> RedLine:
        if self.forbids is None and self.precondition is None:
            raise ValueError("a red line needs `forbids`, `precondition`, or both")
        return self


class Batna(Strict):
    """The value of no deal, and how it moves each round (costs of war, momentum)."""

    value: Number
    """The utility of no deal at the start, in [0, 1] like the utility of an outcome."""
    drift: Number = 0.0
    """Added per round, in [-1, 1]; negative when waiting costs, positive when time is on
    one's side."""


class Strategy(Strict):
    """How an actor concedes and accepts.

    Time-based (Faratin, Sierra & Jennings 1998): `boulware` (exponent < 1, concedes late),
    `linear` (exponent 1), `conceder` (exponent > 1, concedes early); `hardliner` never
    concedes; `zeuthen` concedes when its risk is the smaller (Zeuthen 1930); `informed` knows
    the others' utilities and red lines and offers the best outcome they all accept.
    """

    kind: Literal["boulware", "linear", "conceder", "hardliner", "zeuthen", "informed"]
    """The strategy (see above)."""
    exponent: Number | None = None
    """Concession exponent beta for time-based kinds (default 0.2 boulware, 1 linear,
    5 conceder)."""

    @model_validator(mode="after")
    def _exponent_fits(self) -> Strategy:
        if self.exponent is not None and self.kind not in ("boulware", "linear", "conceder"):
            raise ValueError(f"strategy {self.kind} takes no exponent")
        return self


Scores = dict[OptionRef, Number] | Annotated[list[Number], Field(max_length=100_000)]
"""Scores of an issue's options in [0, 1]: a mapping option -> score, or a list aligned
with the options."""


class Actor(Strict):
    """A party to the negotiation (one mesa agent per actor)."""

    id: Id
    """How the rest of the file (and `--set actors.ID...`) names the actor."""
    name: Text
    """The actor's name in reports."""
    role: Literal["belligerent", "guarantor", "mediator", "observer"]
    """`belligerent`: must sign any agreement; `guarantor`: must sign when the outcome meets
    any condition of `signs_when` (what it contributes to; always when absent); `mediator`
    and `observer` never sign."""
    signs_when: Annotated[list[Condition], Field(min_length=1)] | None = None
    """For a guarantor: the outcomes it must sign (any of these conditions)."""
    weights: dict[Id, Number]
    """Salience of each issue (non-negative; normalised to sum to 1)."""
    scores: dict[Id, Scores]
    """Per issue, the score of each option in [0, 1]."""
    batna: Batna
    """The value of no deal (best alternative to a negotiated agreement)."""
    strategy: Strategy = Strategy(kind="linear")
    """How it concedes over the rounds and what it accepts."""
    red_lines: list[RedLine] = []
    """What it will not accept, each with its source."""
    notes: Text | None = None
    """Anything else worth knowing (claims about the actor that are not red lines)."""


# --- protocol and institutions -------------------------------------------------------------


class Protocol(Strict):
    """How offers are made, and for how many rounds."""

    kind: Literal["alternating", "mediated", "setter", "monotonic_concession"]
    """`alternating`: the proposers take turns, one offer a round; `mediated`: the mediator
    writes a single text each round; `setter`: one proposer offers every round, take it or
    leave it; `monotonic_concession`: exactly two signatories offer at the same time each round
    (see `sim/engine/protocols.py`)."""
    max_rounds: Annotated[int, Field(ge=1, le=10_000)] = 30
    """Rounds before talks end in deadlock."""
    proposers: list[Id] | None = None
    """`alternating`: the rotation (default: every signatory, in file order);
    `setter`: exactly one proposer."""
    mediator: Id | None = None
    """`mediated`: the actor who writes the single text."""


class CouncilMember(Strict):
    """A seat (or a group of seats) on the Security Council."""

    id: Id
    """Names the seat in vote records."""
    name: Text | None = None
    """The member's name (default: the id)."""
    permanent: bool = False
    """A permanent member's no is a veto."""
    actor: Id | None = None
    """The actor who casts this seat's vote (it votes by its red lines and utilities)."""
    seats: Annotated[int, Field(ge=1, le=15)] = 1
    """For a group of elected members who vote alike in probability."""
    p_yes: Number = 0.5
    """Probability of a yes vote, for a seat no actor casts."""


class SecurityCouncil(Strict):
    """The UN Security Council: a mandate needs `votes_needed` yes votes and no veto."""

    votes_needed: Annotated[int, Field(ge=1)] = 9
    """Yes votes a mandate needs (9 of 15 in the Charter)."""
    members: Annotated[list[CouncilMember], Field(min_length=1)]
    """The seats, permanent and elected."""
    mandate: Condition
    """The outcomes that include a mandate and so need a vote, e.g. {mandate: [unsc]}."""


class UnilateralDeployment(Strict):
    """A coalition deploying on its own after a deadlock of `after_rounds` rounds."""

    actor: Id
    """Who deploys."""
    after_rounds: Annotated[int, Field(ge=1)]
    """Rounds without agreement before it deploys (at the end of that round)."""
    probability: Number = 0.0
    """Probability, per run, that the deployment happens once the deadlock lasts long enough."""
    terms: dict[Id, OptionRef]
    """What is deployed, as issue -> option (e.g. force: european, mandate: none)."""


class Institutions(Strict):
    """What stands around the table."""

    security_council: SecurityCouncil | None = None
    """Votes on every agreement that includes a mandate."""
    unilateral_deployment: UnilateralDeployment | None = None
    """A deployment without agreement after a deadlock."""


# --- the scenario ---------------------------------------------------------------------------


class Scenario(Strict):
    """A whole scenario file."""

    schema_version: Literal[1]
    """The version of this format: 1."""
    id: Id
    """Names the scenario in results and sweep directories."""
    title: Text
    """A one-line title."""
    description: Text | None = None
    """What the scenario encodes, and from which documents."""
    question: Text | None = None
    """The question this scenario asks."""
    sources: list[Source] = []
    """The documents quotes come from."""
    issues: Annotated[list[Issue], Field(min_length=1)]
    """What is negotiated; an outcome is one option of each issue."""
    rules: list[OutcomeRule] = []
    """Combinations of options that mean nothing, removed from the outcome space."""
    actors: Annotated[list[Actor], Field(min_length=2)]
    """The parties (at least two)."""
    protocol: Protocol
    """Who proposes, and for how many rounds."""
    institutions: Institutions = Institutions()
    """The Security Council and unilateral moves (both optional)."""

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        return next(a for a in self.actors if a.id == actor_id)

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id."""
        return next(i for i in self.issues if i.id == issue_id)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, for editors and `redlines schema`."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Red Lines scenario"
    return schema

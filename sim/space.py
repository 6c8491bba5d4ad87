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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from sim.scenario import Actor, Number, OptionRef, RedLine, Scenario
from sim.uncertainty import is_uncertain, nominal, sample

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


@dataclass(frozen=True)
class Parameters:
    """The numbers of one run (or the nominal ones), as arrays aligned with :class:`Compiled`."""

    weights: np.ndarray
    """actors x issues, each row summing to 1."""
    utilities: np.ndarray
    """outcomes x actors, in [0, 1]."""
    batna: np.ndarray
    """per actor: the value of no deal at round 0."""
    drift: np.ndarray
    """per actor: the BATNA's change per round."""
    exponents: np.ndarray
    """per actor: the concession exponent (NaN for strategies without one)."""
    firmness: np.ndarray
    """per red line: the probability that it binds."""
    precondition_probability: np.ndarray
    """per red line: the probability that its precondition is conceded (0 where none)."""
    council_p_yes: np.ndarray
    """per council member: the probability of a yes vote (for seats no actor casts)."""
    deployment_probability: float
    sampled: dict[str, float]
    """The values drawn for this run, by dotted path (empty for nominal parameters)."""

    def batna_at(self, round_number: int) -> np.ndarray:
        """Each actor's BATNA at a round: value + drift x round, kept in [0, 1]."""
        return np.clip(self.batna + self.drift * round_number, 0.0, 1.0)


DEFAULT_EXPONENTS = {"boulware": 0.2, "linear": 1.0, "conceder": 5.0}


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


def numbers(scenario: Scenario) -> Iterator[tuple[str, Number]]:
    """Every number of the scenario that may be uncertain, with its `--set` style path."""
    for actor in scenario.actors:
        base = f"actors.{actor.id}"
        for issue, weight in actor.weights.items():
            yield f"{base}.weights.{issue}", weight
        for issue, scores in actor.scores.items():
            pairs = scores.items() if isinstance(scores, dict) else enumerate(scores)
            for option, score in pairs:
                yield f"{base}.scores.{issue}.{option}", score
        yield f"{base}.batna.value", actor.batna.value
        yield f"{base}.batna.drift", actor.batna.drift
        if actor.strategy.exponent is not None:
            yield f"{base}.strategy.exponent", actor.strategy.exponent
        for line in actor.red_lines:
            yield f"{base}.red_lines.{line.id}.firmness", line.firmness
            if line.precondition is not None:
                path = f"{base}.red_lines.{line.id}.precondition.probability"
                yield path, line.precondition.probability
    council = scenario.institutions.security_council
    for member in council.members if council is not None else []:
        yield f"institutions.security_council.members.{member.id}.p_yes", member.p_yes
    deployment = scenario.institutions.unilateral_deployment
    if deployment is not None:
        yield "institutions.unilateral_deployment.probability", deployment.probability


def nominal_parameters(compiled: Compiled) -> Parameters:
    """The parameters with every distribution at its nominal value."""
    return _parameters(compiled, {})


def draw_parameters(compiled: Compiled, rng: np.random.Generator) -> Parameters:
    """One draw of every uncertain number, in file order, from `rng`.

    Same values as `_parameters(compiled, drawn)` (the reference), computed from index maps
    built once per compiled scenario (:class:`ParameterMap`), so a draw costs tens of
    microseconds rather than hundreds.
    """
    return parameter_map(compiled).draw(rng)


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


def parameter_map(compiled: Compiled) -> ParameterMap:
    """The index map of a compiled scenario (built once per compiled scenario)."""
    return derived(compiled, ParameterMap)


class ParameterMap:
    """Where every number of a scenario goes in the parameter arrays, with nominal values.

    A draw copies the nominal arrays, writes each drawn value into its slot (draws in file
    order, as `numbers` lists them), then normalises weights and sums utilities issue by issue
    in the order of each actor's `scores`, exactly as `_parameters` does, so both agree to the
    last bit.
    """

    def __init__(self, compiled: Compiled) -> None:
        scenario, space = compiled.scenario, compiled.space
        n_actors, n_issues = compiled.n_actors, len(space.issues)
        sizes = [len(o) for o in space.options]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        self.flat_index = (space.index + offsets[None, :]).astype(np.intp)
        arrays = {
            "weights": np.zeros((n_actors, n_issues)),
            "scores": np.zeros((n_actors, int(sum(sizes)))),
            "batna": np.zeros(n_actors),
            "drift": np.zeros(n_actors),
            "exponents": np.full(n_actors, np.nan),
            "firmness": np.zeros(len(compiled.red_lines)),
            "conceded": np.zeros(len(compiled.red_lines)),
        }
        council = scenario.institutions.security_council
        arrays["p_yes"] = np.zeros(len(council.members) if council is not None else 0)
        arrays["deploy"] = np.zeros(1)
        slots: dict[str, tuple[str, tuple[int, ...]]] = {}
        order = np.full((n_actors, n_issues), -1, dtype=np.intp)
        for a, actor in enumerate(scenario.actors):
            base = f"actors.{actor.id}"
            for issue in actor.weights:
                slots[f"{base}.weights.{issue}"] = ("weights", (a, space.issues.index(issue)))
            for k, (issue, scores) in enumerate(actor.scores.items()):
                i = space.issues.index(issue)
                order[a, k] = i
                pairs = enumerate(scores) if isinstance(scores, list) else scores.items()
                for option, _ in pairs:
                    j = option if isinstance(scores, list) else space.option_index(issue, option)
                    slots[f"{base}.scores.{issue}.{option}"] = ("scores", (a, int(offsets[i] + j)))
            slots[f"{base}.batna.value"] = ("batna", (a,))
            slots[f"{base}.batna.drift"] = ("drift", (a,))
            if actor.strategy.exponent is not None:
                slots[f"{base}.strategy.exponent"] = ("exponents", (a,))
            elif actor.strategy.kind in DEFAULT_EXPONENTS:
                arrays["exponents"][a] = DEFAULT_EXPONENTS[actor.strategy.kind]
        for ref in compiled.red_lines:
            path = f"actors.{ref.actor}.red_lines.{ref.id}"
            slots[f"{path}.firmness"] = ("firmness", (ref.row,))
            slots[f"{path}.precondition.probability"] = ("conceded", (ref.row,))
        for m, member in enumerate(council.members if council is not None else []):
            slots[f"institutions.security_council.members.{member.id}.p_yes"] = ("p_yes", (m,))
        slots["institutions.unilateral_deployment.probability"] = ("deploy", (0,))
        for path, number in numbers(scenario):
            if path in slots:
                name, where = slots[path]
                arrays[name][where] = nominal(number)
        self.nominal = arrays
        self.draws = tuple(
            (path, dist, slots[path]) for path, dist in compiled.uncertain if path in slots
        )
        # Gathers for the utility sum: term k of actor a is weight[a, order[a, k]] times the
        # score of that issue's option in each outcome (a zero weight where a has no k-th term).
        active = order >= 0
        term_issue = np.where(active, order, 0)
        rows = np.arange(n_actors)[:, None]
        self.weight_index = (rows * n_issues + term_issue).T.copy()
        self.weight_active = active.T.astype(float)
        flat = self.flat_index.T[term_issue]
        self.score_index = np.ascontiguousarray(
            (rows[:, :, None] * arrays["scores"].shape[1] + flat).transpose(1, 0, 2)
        )
        self.has_deployment = scenario.institutions.unilateral_deployment is not None

    def draw(self, rng: np.random.Generator) -> Parameters:
        """One draw of every uncertain number (nominal values when there are none)."""
        arrays = {name: array.copy() for name, array in self.nominal.items()}
        sampled: dict[str, float] = {}
        for path, dist, (name, where) in self.draws:
            value = sample(dist, rng)
            sampled[path] = value
            arrays[name][where] = value
        weights = arrays["weights"]
        total = weights.sum(axis=1, keepdims=True)
        if (total > 0).all():
            weights = weights / total
        else:
            weights = np.where(total > 0, weights / np.where(total > 0, total, 1.0), 1.0)
            weights[total[:, 0] <= 0] = 1.0 / weights.shape[1]
        terms = weights.ravel()[self.weight_index] * self.weight_active
        products = terms[:, :, None] * arrays["scores"].ravel()[self.score_index]
        utilities = np.add.reduce(products, axis=0) if len(products) else products.sum(axis=0)
        return Parameters(
            weights=weights,
            utilities=np.minimum(np.maximum(utilities.T, 0.0), 1.0),  # np.clip, cheaper
            batna=arrays["batna"],
            drift=arrays["drift"],
            exponents=arrays["exponents"],
            firmness=arrays["firmness"],
            precondition_probability=arrays["conceded"],
            council_p_yes=arrays["p_yes"],
            deployment_probability=float(arrays["deploy"][0]) if self.has_deployment else 0.0,
            sampled=sampled,
        )


def _parameters(compiled: Compiled, drawn: dict[str, float]) -> Parameters:
    scenario = compiled.scenario
    space = compiled.space

    def value(path: str, number: Number) -> float:
        return drawn[path] if path in drawn else nominal(number)

    n_actors, n_issues = compiled.n_actors, len(space.issues)
    weights = np.zeros((n_actors, n_issues))
    utilities = np.zeros((space.size, n_actors))
    batna, drift = np.zeros(n_actors), np.zeros(n_actors)
    exponents = np.full(n_actors, np.nan)
    for a, actor in enumerate(scenario.actors):
        base = f"actors.{actor.id}"
        for issue, weight in actor.weights.items():
            weights[a, space.issues.index(issue)] = value(f"{base}.weights.{issue}", weight)
        total = weights[a].sum()
        weights[a] = weights[a] / total if total > 0 else 1.0 / n_issues
        for issue, scores in actor.scores.items():
            i = space.issues.index(issue)
            table = _score_table(space, issue, scores, f"{base}.scores.{issue}", value)
            utilities[:, a] += weights[a, i] * table[space.index[:, i]]
        batna[a] = value(f"{base}.batna.value", actor.batna.value)
        drift[a] = value(f"{base}.batna.drift", actor.batna.drift)
        strategy = actor.strategy
        if strategy.exponent is not None:
            exponents[a] = value(f"{base}.strategy.exponent", strategy.exponent)
        elif strategy.kind in DEFAULT_EXPONENTS:
            exponents[a] = DEFAULT_EXPONENTS[strategy.kind]
    firmness = np.zeros(len(compiled.red_lines))
    conceded = np.zeros(len(compiled.red_lines))
    for ref in compiled.red_lines:
        path = f"actors.{ref.actor}.red_lines.{ref.id}"
        firmness[ref.row] = value(f"{path}.firmness", ref.rule.firmness)
        if ref.rule.precondition is not None:
            probability = ref.rule.precondition.probability
            conceded[ref.row] = value(f"{path}.precondition.probability", probability)
    council = scenario.institutions.security_council
    members = council.members if council is not None else []
    p_yes = np.array(
        [value(f"institutions.security_council.members.{m.id}.p_yes", m.p_yes) for m in members]
    )
    deployment = scenario.institutions.unilateral_deployment
    p_deploy = (
        value("institutions.unilateral_deployment.probability", deployment.probability)
        if deployment is not None
        else 0.0
    )
    return Parameters(
        weights=weights,
        utilities=np.clip(utilities, 0.0, 1.0),
        batna=batna,
        drift=drift,
        exponents=exponents,
        firmness=firmness,
        precondition_probability=conceded,
        council_p_yes=p_yes,
        deployment_probability=p_deploy,
        sampled=dict(drawn),
    )


def _score_table(
    space: OutcomeSpace,
    issue: str,
    scores: Any,
    path: str,
    value: Callable[[str, Number], float],
) -> np.ndarray:
    n_options = len(space.options[space.issues.index(issue)])
    table = np.zeros(n_options)
    if isinstance(scores, list):
        for k, score in enumerate(scores):
            table[k] = value(f"{path}.{k}", score)
        return table
    for option, score in scores.items():
        table[space.option_index(issue, option)] = value(f"{path}.{option}", score)
    return table

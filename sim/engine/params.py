"""The numbers of one run as arrays: nominal values, or one draw of every uncertain number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.engine.space import Compiled, OutcomeSpace, derived
from sim.scenario.distributions import Number, nominal, sample
from sim.scenario.parameters import numbers


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

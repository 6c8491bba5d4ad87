"""The numbers of one run as arrays: nominal values, or one draw of every uncertain number."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.space import Compiled, derived
from sim.scenario.distributions import nominal, sample
from sim.scenario.parameters import Parameter, parameters


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
        order = np.full((n_actors, n_issues), -1, dtype=np.intp)
        for a, actor in enumerate(scenario.actors):
            for k, issue in enumerate(actor.scores):
                order[a, k] = space.issues.index(issue)
            if actor.strategy.exponent is None and actor.strategy.kind in DEFAULT_EXPONENTS:
                arrays["exponents"][a] = DEFAULT_EXPONENTS[actor.strategy.kind]
        slots = {p.path: _slot(p, compiled, offsets) for p in parameters(scenario)}
        for parameter in parameters(scenario):
            name, where = slots[parameter.path]
            arrays[name][where] = nominal(parameter.value)
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
        # score_index[k, a, o]: where, in the scores flattened, is the score of actor a's k-th
        # issue's option in outcome o. Filled row by row into int32 where it fits (the largest
        # array a scenario keeps: built at once, it took three times its size in temporaries)
        n_scores = arrays["scores"].shape[1]
        small = n_actors * n_scores < np.iinfo(np.int32).max
        self.score_index = np.empty(
            (n_issues, n_actors, len(space.index)), dtype=np.int32 if small else np.intp
        )
        for k in range(n_issues):
            for a in range(n_actors):
                i = int(term_issue[a, k])
                np.add(
                    space.index[:, i],
                    a * n_scores + int(offsets[i]),
                    out=self.score_index[k, a],
                    casting="unsafe",
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
        # term by term, in order: the same sums, to the last bit, as reducing the stacked
        # products along their first axis, without holding every term's products at once
        scores = arrays["scores"].ravel()
        utilities = np.zeros(self.score_index.shape[1:])
        for k in range(len(terms)):
            product = terms[k][:, None] * scores[self.score_index[k]]
            if k == 0:
                utilities = product
            else:
                utilities += product
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


def _slot(parameter: Parameter, compiled: Compiled, offsets: np.ndarray) -> tuple[str, Slot]:
    """Where a parameter of the table goes: the array's name and the index in it."""
    space, a = compiled.space, parameter.actor
    kind = parameter.kind
    if kind in ("weight", "score"):
        assert a is not None and parameter.issue is not None
        i = space.issues.index(parameter.issue)
        if kind == "weight":
            return "weights", (a, i)
        scores = compiled.scenario.actors[a].scores[parameter.issue]
        option = parameter.option
        assert option is not None
        j = int(option) if isinstance(scores, list) else space.option_index(parameter.issue, option)
        return "scores", (a, int(offsets[i] + j))
    if kind in ("batna", "drift", "exponent"):
        assert a is not None
        return _ARRAYS[kind], (a,)
    if kind in ("firmness", "concession"):
        assert parameter.red_line is not None
        return _ARRAYS[kind], (parameter.red_line,)
    if kind == "p_yes":
        assert parameter.member is not None
        return "p_yes", (parameter.member,)
    return "deploy", (0,)


def _parameters(compiled: Compiled, drawn: dict[str, float]) -> Parameters:
    """The reference computation of a run's numbers (nominal values, or `drawn` by path):
    each number put in place from the table of parameters, then weights normalised and
    utilities summed actor by actor, issue by issue. :class:`ParameterMap` computes the same
    with gathers (tested to the last bit)."""
    scenario, space = compiled.scenario, compiled.space
    n_actors, n_issues = compiled.n_actors, len(space.issues)
    sizes = [len(o) for o in space.options]
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    council = scenario.institutions.security_council
    deployment = scenario.institutions.unilateral_deployment
    arrays = {
        "weights": np.zeros((n_actors, n_issues)),
        "scores": np.zeros((n_actors, int(sum(sizes)))),
        "batna": np.zeros(n_actors),
        "drift": np.zeros(n_actors),
        "exponents": np.full(n_actors, np.nan),
        "firmness": np.zeros(len(compiled.red_lines)),
        "conceded": np.zeros(len(compiled.red_lines)),
        "p_yes": np.zeros(len(council.members) if council is not None else 0),
        "deploy": np.zeros(1),
    }
    for parameter in parameters(scenario):
        name, where = _slot(parameter, compiled, offsets)
        path = parameter.path
        arrays[name][where] = drawn[path] if path in drawn else nominal(parameter.value)
    weights, scores = arrays["weights"], arrays["scores"]
    utilities = np.zeros((space.size, n_actors))
    for a, actor in enumerate(scenario.actors):
        total = weights[a].sum()
        weights[a] = weights[a] / total if total > 0 else 1.0 / n_issues
        for issue in actor.scores:
            i = space.issues.index(issue)
            table = scores[a, offsets[i] : offsets[i] + sizes[i]]
            utilities[:, a] += weights[a, i] * table[space.index[:, i]]
        if actor.strategy.exponent is None and actor.strategy.kind in DEFAULT_EXPONENTS:
            arrays["exponents"][a] = DEFAULT_EXPONENTS[actor.strategy.kind]
    return Parameters(
        weights=weights,
        utilities=np.clip(utilities, 0.0, 1.0),
        batna=arrays["batna"],
        drift=arrays["drift"],
        exponents=arrays["exponents"],
        firmness=arrays["firmness"],
        precondition_probability=arrays["conceded"],
        council_p_yes=arrays["p_yes"],
        deployment_probability=float(arrays["deploy"][0]) if deployment is not None else 0.0,
        sampled=dict(drawn),
    )


Slot = tuple[int, ...]
_ARRAYS: dict[str, str] = {
    "batna": "batna",
    "drift": "drift",
    "exponent": "exponents",
    "firmness": "firmness",
    "concession": "conceded",
}

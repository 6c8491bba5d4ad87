"""Checks that need more than one field at a time: ids, options, bounds, quotes, sizes.

Each check yields `(loc, message)`, where `loc` is the path of the offending value in the
scenario document (keys and list indices, as pydantic reports them), so the loader can point
at its line and column.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from sim.scenario import sources as source_files
from sim.scenario.distributions import bounds, nominal
from sim.scenario.parameters import parameters
from sim.scenario.schema import Actor, Issue, OptionRef, Scenario

Loc = tuple[str | int | float, ...]
Found = tuple[Loc, str]

MAX_OUTCOMES = 1_000_000
"""The largest outcome space a scenario may declare (before pruning rules)."""
MAX_CELLS = 30_000_000
"""The largest outcomes x (actors + red lines) table a scenario may need."""
MAX_ACTORS = 1_000
MAX_RESPONSES = 200_000
"""The most responses one recorded run may hold: actors x max_rounds."""


def check(scenario: Scenario, folder: Path | None) -> list[Found]:
    """Every cross-field problem of a scenario; `folder` is where its sources live.

    With `folder` None, source files are not read (quotes are not verified).
    """
    found: list[Found] = [*_unique_ids(scenario), *_issues(scenario), *_size(scenario)]
    if any(loc == ("issues",) for loc, _ in found):
        # the space is too large: the other checks list options, which might not fit in memory
        return found
    names = _Names(scenario)
    for part in (
        _ranges(scenario, names),
        _rules(scenario, names),
        _actors(scenario, names),
        _protocol(scenario, names),
        _institutions(scenario, names),
        _quote_lengths(scenario),
    ):
        found.extend(part)
    if folder is not None:
        found.extend(_sources(scenario, folder))
    return found


def outcome_space_size(scenario: Scenario) -> int:
    """How many outcomes the issues span before pruning rules (product of option counts)."""
    return math.prod(issue.option_count() for issue in scenario.issues)


# --- helpers ---------------------------------------------------------------------------------


def _duplicates(items: Sequence[Any], loc: Loc, what: str) -> Iterator[Found]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item.id in seen:
            yield (*loc, index, "id"), f"duplicate {what} id {item.id!r}"
        seen.add(item.id)


class _Options:
    """One issue's options, indexed once so that finding an option costs no scan."""

    def __init__(self, issue: Issue) -> None:
        self.issue = issue

    @cached_property
    def keys(self) -> list[str | float]:
        """The options in order (ids, or numbers)."""
        return self.issue.option_keys()

    @cached_property
    def _ids(self) -> dict[str, int]:
        ids: dict[str, int] = {}
        for k, key in enumerate(self.keys):
            ids.setdefault(str(key), k)
        return ids

    @cached_property
    def _sorted(self) -> list[tuple[float, int]]:
        return sorted((float(v), k) for k, v in enumerate(self.keys))

    def index(self, option: OptionRef) -> int | None:
        """The index of `option` (numbers match within a relative 1e-9), else None."""
        if not self.issue.numeric:
            return self._ids.get(option) if isinstance(option, str) else None
        if isinstance(option, str) or math.isnan(option):
            return None
        values = self._sorted
        at = bisect.bisect_left(values, (option, -1))
        hits: list[int] = []
        for step in (-1, 1):  # close values lie on either side of the insertion point
            k = at if step == 1 else at - 1
            while 0 <= k < len(values) and math.isclose(values[k][0], option):
                hits.append(values[k][1])
                k += step
        return min(hits, default=None)

    def describe(self) -> str:
        """The first options, for a message ("none" for an empty range)."""
        return _listed(str(k) for k in self.keys) or "none"


class _Names:
    """What the checks look ids up in, built once: lookups stay cheap in huge files."""

    def __init__(self, scenario: Scenario) -> None:
        self.issues: dict[str, _Options] = {}
        for issue in scenario.issues:
            self.issues.setdefault(issue.id, _Options(issue))
        self.actors = {a.id for a in scenario.actors}

    def describe_issues(self) -> str:
        return _listed(self.issues)

    def describe_actors(self) -> str:
        return _listed(sorted(self.actors))


def _listed(items: Iterable[str], limit: int = 12) -> str:
    """Up to `limit` items joined by commas, with how many there are in all when more."""
    shown: list[str] = []
    count = 0
    for item in items:
        count += 1
        if count <= limit:
            shown.append(item)
    return ", ".join(shown) + (f", … ({count} in all)" if count > limit else "")


def _option_index(names: _Names, issue_id: str, option: OptionRef) -> int | None:
    return names.issues[issue_id].index(option)


def _describe_options(names: _Names, issue_id: str) -> str:
    return names.issues[issue_id].describe()


def _condition(names: _Names, condition: dict[str, Any], loc: Loc) -> Iterator[Found]:
    for issue_id, options in condition.items():
        if issue_id not in names.issues:
            yield (*loc, issue_id), f"no issue {issue_id!r} (issues: {names.describe_issues()})"
            continue
        listed = options if isinstance(options, list) else [options]
        for k, option in enumerate(listed):
            if _option_index(names, issue_id, option) is None:
                where = (*loc, issue_id, k) if isinstance(options, list) else (*loc, issue_id)
                yield (
                    where,
                    (
                        f"{option!r} is not an option of issue {issue_id!r} "
                        f"(options: {_describe_options(names, issue_id)})"
                    ),
                )


def _dangling_actor(names: _Names, actor_id: str | None, loc: Loc) -> Iterator[Found]:
    if actor_id is not None and actor_id not in names.actors:
        yield loc, f"no actor {actor_id!r} (actors: {names.describe_actors()})"


# --- the checks ------------------------------------------------------------------------------


def _unique_ids(scenario: Scenario) -> Iterator[Found]:
    yield from _duplicates(scenario.sources, ("sources",), "source")
    yield from _duplicates(scenario.issues, ("issues",), "issue")
    yield from _duplicates(scenario.rules, ("rules",), "rule")
    yield from _duplicates(scenario.actors, ("actors",), "actor")
    for a, actor in enumerate(scenario.actors):
        yield from _duplicates(actor.red_lines, ("actors", a, "red_lines"), "red line")
    council = scenario.institutions.security_council
    if council is not None:
        loc: Loc = ("institutions", "security_council", "members")
        yield from _duplicates(council.members, loc, "council member")


def _issues(scenario: Scenario) -> Iterator[Found]:
    for i, issue in enumerate(scenario.issues):
        if issue.options is not None:
            yield from _duplicates(issue.options, ("issues", i, "options"), "option")
        elif issue.values is not None and len(set(issue.values)) != len(issue.values):
            yield ("issues", i, "values"), "numeric values must be distinct"
        elif issue.range is not None and issue.option_count() < 1:
            yield ("issues", i, "range"), "the range is empty (stop is below start)"


def _ranges(scenario: Scenario, names: _Names) -> Iterator[Found]:
    """Every tunable number (or a distribution's bounds) inside its kind's range (the one
    table of parameters); weights and scores only of issues and options that exist."""
    for parameter in parameters(scenario):
        if parameter.issue is not None and parameter.issue not in names.issues:
            continue
        if (
            parameter.kind == "score"
            and parameter.issue is not None
            and parameter.option is not None
            and isinstance(parameter.loc[-1], str | float)
            and names.issues[parameter.issue].index(parameter.option) is None
        ):
            continue
        problem = parameter.problem()
        if problem is not None:
            yield parameter.loc, problem


def _rules(scenario: Scenario, names: _Names) -> Iterator[Found]:
    for r, rule in enumerate(scenario.rules):
        yield from _condition(names, rule.when, ("rules", r, "when"))
        if rule.then:
            yield from _condition(names, rule.then, ("rules", r, "then"))


def _actors(scenario: Scenario, names: _Names) -> Iterator[Found]:
    if len(scenario.actors) > MAX_ACTORS:
        yield ("actors",), f"{len(scenario.actors)} actors is more than the limit of {MAX_ACTORS}"
        return
    source_ids = {s.id for s in scenario.sources}
    for a, actor in enumerate(scenario.actors):
        loc: Loc = ("actors", a)
        yield from _weights_and_scores(names, actor, loc)
        for c, condition in enumerate(actor.signs_when or []):
            yield from _condition(names, condition, (*loc, "signs_when", c))
        for r, line in enumerate(actor.red_lines):
            rloc: Loc = (*loc, "red_lines", r)
            if line.forbids is not None:
                yield from _condition(names, line.forbids, (*rloc, "forbids"))
            if line.precondition is not None:
                ploc: Loc = (*rloc, "precondition")
                yield from _condition(names, line.precondition.requires, (*ploc, "requires"))
                yield from _dangling_actor(names, line.precondition.met_by, (*ploc, "met_by"))
            source = line.provenance.source
            if source is not None and source not in source_ids:
                yield (
                    (*rloc, "provenance", "source"),
                    (f"no source {source!r} (sources: {_listed(sorted(source_ids)) or 'none'})"),
                )


def _weights_and_scores(names: _Names, actor: Actor, loc: Loc) -> Iterator[Found]:
    issue_ids = names.issues
    for issue_id in actor.weights:
        if issue_id not in issue_ids:
            yield (*loc, "weights", issue_id), f"no issue {issue_id!r}"
    if sum(max(nominal(w), 0.0) for w in actor.weights.values()) <= 0:
        yield (*loc, "weights"), "weights must not all be zero (they are normalised to sum to 1)"
    elif not math.isfinite(sum(bounds(w)[1] for w in actor.weights.values())):
        yield (
            (*loc, "weights"),
            "weights add up to more than a float holds (they are normalised to sum to 1): "
            "use smaller weights",
        )
    for issue_id, scores in actor.scores.items():
        if issue_id not in issue_ids:
            yield (*loc, "scores", issue_id), f"no issue {issue_id!r}"
            continue
        sloc: Loc = (*loc, "scores", issue_id)
        count = names.issues[issue_id].issue.option_count()
        if isinstance(scores, list):
            if len(scores) != count:
                yield sloc, f"{len(scores)} scores given for {count} options of issue {issue_id!r}"
            continue
        indices: set[int] = set()
        for option in scores:
            index = _option_index(names, issue_id, option)
            if index is None:
                yield (
                    (*sloc, option),
                    (
                        f"{option!r} is not an option of issue {issue_id!r} "
                        f"(options: {_describe_options(names, issue_id)})"
                    ),
                )
                continue
            indices.add(index)
        missing = [k for i, k in enumerate(names.issues[issue_id].keys) if i not in indices]
        if missing and len(indices) == len(scores):
            shown = ", ".join(str(m) for m in missing[:8])
            yield sloc, f"no score for option(s) {shown} of issue {issue_id!r}"
    for issue_id, weight in actor.weights.items():
        if issue_id in issue_ids and issue_id not in actor.scores and bounds(weight)[1] > 0:
            yield (
                (*loc, "weights", issue_id),
                (f"issue {issue_id!r} has a weight but no scores (add scores.{issue_id})"),
            )


def _protocol(scenario: Scenario, names: _Names) -> Iterator[Found]:
    protocol = scenario.protocol
    for k, proposer in enumerate(protocol.proposers or []):
        yield from _dangling_actor(names, proposer, ("protocol", "proposers", k))
    yield from _dangling_actor(names, protocol.mediator, ("protocol", "mediator"))
    if protocol.kind == "mediated" and protocol.mediator is None:
        yield ("protocol", "kind"), "a mediated protocol needs `mediator` (an actor id)"
    responses = len(scenario.actors) * protocol.max_rounds
    if responses > MAX_RESPONSES:
        yield (
            ("protocol", "max_rounds"),
            (
                f"{len(scenario.actors)} actors x {protocol.max_rounds} rounds would record up to "
                f"{responses:,} responses in one run, more than the limit of {MAX_RESPONSES:,}; "
                "use fewer rounds or fewer actors"
            ),
        )
    if protocol.kind == "setter" and len(protocol.proposers or []) != 1:
        yield ("protocol", "kind"), "a setter protocol needs exactly one proposer in `proposers`"
    signs = any(a.role in ("belligerent", "guarantor") for a in scenario.actors)
    if protocol.kind == "alternating" and not protocol.proposers and not signs:
        yield (
            ("protocol", "kind"),
            (
                "an alternating protocol without `proposers` rotates among the actors who sign, "
                "and none does: make an actor a belligerent or guarantor, or list `proposers`"
            ),
        )
    if protocol.kind == "monotonic_concession":
        parties = [a.id for a in scenario.actors if a.role in ("belligerent", "guarantor")]
        if len(parties) != 2:
            yield (
                ("protocol", "kind"),
                (
                    "monotonic_concession is bilateral: it needs exactly two actors who sign "
                    f"(belligerents or guarantors), got {len(parties)}"
                ),
            )


def _institutions(scenario: Scenario, names: _Names) -> Iterator[Found]:
    council = scenario.institutions.security_council
    if council is not None:
        loc: Loc = ("institutions", "security_council")
        seats = 0
        for m, member in enumerate(council.members):
            yield from _dangling_actor(names, member.actor, (*loc, "members", m, "actor"))
            seats += member.seats
        if council.votes_needed > seats:
            yield (
                (*loc, "votes_needed"),
                (f"{council.votes_needed} votes needed but the council has only {seats} seats"),
            )
        yield from _condition(names, council.mandate, (*loc, "mandate"))
    deployment = scenario.institutions.unilateral_deployment
    if deployment is not None:
        loc = ("institutions", "unilateral_deployment")
        yield from _dangling_actor(names, deployment.actor, (*loc, "actor"))
        yield from _condition(names, deployment.terms, (*loc, "terms"))


def _size(scenario: Scenario) -> Iterator[Found]:
    size = outcome_space_size(scenario)
    counts = " x ".join(_count(i.option_count()) for i in scenario.issues)
    if size > MAX_OUTCOMES:
        yield (
            ("issues",),
            (
                f"the outcome space would have {_count(size)} outcomes ({counts}), "
                f"more than the limit of "
                f"{MAX_OUTCOMES:,}; use fewer issues or coarser options"
            ),
        )
        return
    lines = sum(len(a.red_lines) for a in scenario.actors)
    cells = size * (len(scenario.actors) + lines)
    if cells > MAX_CELLS:
        yield (
            ("issues",),
            (
                f"{size:,} outcomes x {len(scenario.actors) + lines} actors and red lines need "
                f"{cells:,} table cells, more than the limit of {MAX_CELLS:,}"
            ),
        )


def _count(n: int) -> str:
    """A count for a message: in full up to a trillion, else its order of magnitude.

    >>> _count(2_000_001), _count(10**700)
    ('2,000,001', 'about 10^700')
    """
    if n < 10**12:
        return f"{n:,}"
    return f"about 10^{round(math.log10(n))}"


def _sources(scenario: Scenario, folder: Path) -> Iterator[Found]:
    texts: dict[str, str] = {}  # source id -> folded text; each file read and folded once
    read: dict[Path, str] = {}
    for s, source in enumerate(scenario.sources):
        try:
            path = source_files.resolve_source(folder, source.path)
            if path not in read:
                read[path] = source_files.fold(source_files.read_source(path))
            texts[source.id] = read[path]
        except (ValueError, OSError) as error:
            yield ("sources", s, "path"), str(error)
    for a, actor in enumerate(scenario.actors):
        for r, line in enumerate(actor.red_lines):
            provenance = line.provenance
            if provenance.quote is None or provenance.source not in texts:
                continue
            if source_files.quote_too_short(provenance.quote):
                continue  # reported by _quote_lengths
            if not source_files.quote_in_folded(provenance.quote, texts[provenance.source]):
                yield (
                    ("actors", a, "red_lines", r, "provenance", "quote"),
                    (
                        f"quote not found verbatim in source {provenance.source!r}: "
                        f"{provenance.quote[:80]!r}"
                    ),
                )


def _quote_lengths(scenario: Scenario) -> Iterator[Found]:
    """Quotes too short to verify anything (checked with or without the source files)."""
    for a, actor in enumerate(scenario.actors):
        for r, line in enumerate(actor.red_lines):
            quote = line.provenance.quote
            why = source_files.quote_too_short(quote) if quote is not None else None
            if why:
                yield ("actors", a, "red_lines", r, "provenance", "quote"), why

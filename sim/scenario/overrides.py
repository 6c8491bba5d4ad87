"""`--set PATH=VALUE`: change any scenario value by dotted path, then validate again.

Paths walk mappings by key and lists of things with ids by id (a plain index also works), e.g.
`actors.ACTOR.red_lines.RED_LINE.firmness=0`. The value is read as YAML, so
`0.5`, `true`, `[a, b]` and `{dist: uniform, low: 0.2, high: 0.8}` all work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent

from sim.errors import Problem
from sim.scenario.checks import Found, Loc
from sim.scenario.locating import pydantic_message
from sim.scenario.reading import CONSTRUCTION_ERRORS, MAX_DEPTH, plain
from sim.scenario.schema import Scenario

WHERE = "--set"


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split `PATH=VALUE` into path segments and the YAML value. Raises ValueError."""
    path, sep, raw = text.partition("=")
    segments = path.strip().split(".")
    if not sep or not path.strip() or any(not s for s in segments):
        raise ValueError("expected PATH=VALUE, e.g. actors.ACTOR.batna.value=0.4")
    return segments, plain(parse_value(raw))


def parse_value(raw: str) -> Any:
    """A `--set` value read as YAML; anchors, aliases and deep nesting are refused.

    Raises ValueError.
    """
    if not raw.strip():
        return None
    depth = 0
    try:
        for event in YAML(typ="safe", pure=True).parse(raw):  # stop at the first refusal:
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
                raise ValueError("YAML anchors and aliases are not allowed in a --set value")
            depth += isinstance(event, CollectionStartEvent) - isinstance(event, CollectionEndEvent)
            if depth > MAX_DEPTH:  # parsing deep flows costs the square of the depth
                raise ValueError(f"the value is nested more than {MAX_DEPTH} levels deep")
    except YAMLError as error:
        raise _not_yaml(error) from None
    try:
        return YAML(typ="safe", pure=True).load(raw)
    except CONSTRUCTION_ERRORS as error:  # e.g. `!!bool maybe` is a KeyError
        raise _not_yaml(error) from None


def _not_yaml(error: Exception) -> ValueError:
    """A one-line message for a value the safe YAML loader cannot read."""
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        where = f" at column {mark.column + 1}" if mark is not None else ""
        what = " ".join(str(p) for p in (error.context, error.problem) if p)
    else:
        where, what = "", str(error) if isinstance(error, ValueError) else repr(error)
    return ValueError(f"the value is not valid YAML{where}: {' '.join(what.split())}")


def set_path(data: Any, segments: Sequence[str], value: Any) -> None:
    """Set `value` at `segments` inside plain scenario data. Raises ValueError."""
    node = data
    for depth, segment in enumerate(segments):
        last = depth == len(segments) - 1
        walked = ".".join(segments[:depth]) or "the scenario"
        if isinstance(node, dict):
            key = _dict_key(node, segment)
            if last:
                node[key] = value
                return
            if key not in node:
                raise ValueError(f"{walked} has no key {segment!r}")
            node = node[key]
        elif isinstance(node, list):
            index = _list_index(node, segment, walked)
            if last:
                node[index] = value
                return
            node = node[index]
        else:
            raise ValueError(f"{walked} is a single value; it has no {segment!r}")


def _dict_key(node: dict[Any, Any], segment: str) -> Any:
    if segment in node:
        return segment
    for key in node:  # numeric keys (scores of numeric options) are written as text in paths
        if not isinstance(key, str) and str(key) == segment:
            return key
    return segment


def _list_index(node: list[Any], segment: str, walked: str) -> int:
    ids = [item.get("id") for item in node if isinstance(item, dict)]
    if segment in ids:
        return ids.index(segment)
    if segment.isdigit() and int(segment) < len(node):
        return int(segment)
    listed = ", ".join(str(i) for i in ids if i is not None) or f"indices 0..{len(node) - 1}"
    raise ValueError(f"{walked} has no entry {segment!r} (entries: {listed})")


def write_overrides(
    scenario: Scenario, overrides: Sequence[str], where: str = WHERE
) -> tuple[Any, AtOverrides, list[Problem]]:
    """The scenario's data with every `PATH=VALUE` override written in, in order; the
    locator that puts later problems at the override that caused them; and the overrides
    that could not be written (a bad path or value), as problems."""
    data = scenario.model_dump(mode="python", exclude_none=True)
    problems: list[Problem] = []
    paths: list[list[str]] = []
    for number, text in enumerate(overrides, start=1):
        try:
            segments, value = parse_override(text)
            set_path(data, segments, value)
            paths.append(segments)
        except ValueError as error:
            problems.append(Problem(where, number, 1, text.partition("=")[0], str(error)))
            paths.append([])
    return data, AtOverrides(data, paths, where), problems


def write_settings(
    scenario: Scenario, settings: Sequence[tuple[str, Any]], where: str
) -> tuple[Any, AtOverrides, list[Problem]]:
    """As :func:`write_overrides`, for (path, value) pairs whose values are already data (a
    `--vary` value, a Sobol point, a dashboard widget)."""
    data = scenario.model_dump(mode="python", exclude_none=True)
    problems: list[Problem] = []
    paths: list[list[str]] = []
    for number, (path, value) in enumerate(settings, start=1):
        segments = path.split(".")
        try:
            set_path(data, segments, value)
            paths.append(segments)
        except ValueError as error:
            problems.append(Problem(where, number, 1, path, str(error)))
            paths.append([])
    return data, AtOverrides(data, paths, where), problems


@dataclass(frozen=True)
class AtOverrides:
    """Locates a scenario's problems at the override (`--set:N`) that set the value."""

    data: Any
    paths: list[list[str]]
    where: str = WHERE

    def schema_problems(self, error: ValidationError) -> list[Problem]:
        """The schema's errors, each at its override."""
        found: list[Found] = [
            (tuple(e["loc"]), pydantic_message(e)) for e in error.errors(include_url=False)
        ]
        return _located(self.data, found, self.paths, self.where)

    def check_problems(self, found: list[Found]) -> list[Problem]:
        """The cross-field problems, each at its override."""
        return _located(self.data, found, self.paths, self.where)


def _located(
    data: Any, found: list[tuple[Loc, str]], paths: list[list[str]], where: str
) -> list[Problem]:
    """Each problem at the override that set its value (the last one that covers its path).

    A problem no override's path covers (e.g. a reference left dangling by a renamed id) is
    put at the last override: it appeared once they were all applied.
    """
    written = [_id_path(data, p) for p in paths]
    problems = []
    for loc, message in found:
        dotted = dotted_path(data, loc).split(".")
        number = next(
            (
                n
                for n, p in reversed(list(enumerate(written, start=1)))
                if p and (dotted[: len(p)] == p or p[: len(dotted)] == dotted)
            ),
            len(paths),
        )
        problems.append(Problem(where, number, 1, ".".join(dotted), message))
    return problems


def _id_path(data: Any, segments: Sequence[str]) -> list[str]:
    """An override's path with list entries named by id, as :func:`dotted_path` names them."""
    parts: list[str] = []
    node = data
    for segment in segments:
        if isinstance(node, list):
            try:
                index = _list_index(node, segment, "")
            except ValueError:
                return [*parts, segment]
            item = node[index]
            label = item.get("id") if isinstance(item, dict) else None
            parts.append(str(label) if isinstance(label, str) else str(index))
            node = item
        else:
            parts.append(segment)
            node = node.get(_dict_key(node, segment)) if isinstance(node, dict) else None
    return parts


def dotted_path(data: Any, loc: Loc) -> str:
    """The `--set` style path of `loc`: list entries with an id named by their id."""
    parts: list[str] = []
    node = data
    for depth, segment in enumerate(loc, start=1):
        if isinstance(node, list) and isinstance(segment, int) and segment < len(node):
            item = node[segment]
            label = item.get("id") if isinstance(item, dict) else None
            parts.append(str(label) if isinstance(label, str) else str(segment))
            node = item
        elif isinstance(node, dict) and segment in node:
            parts.append(str(segment))
            node = node[segment]
        elif depth == len(loc):  # a missing key; other unmatched segments are union tags
            parts.append(str(segment))
    return ".".join(parts)

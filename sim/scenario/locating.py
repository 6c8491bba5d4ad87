"""Locating problems in a parsed document: pydantic errors and cross-field problems, each at the
YAML node it concerns, as `FILE:LINE:COL: dotted.path: message`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from sim.errors import Problem, ScenarioError
from sim.scenario.checks import Found, Loc
from sim.scenario.reading import Document

MAX_PROBLEMS = 50
"""The most problems reported for one file; the rest are counted (locating each one costs a
walk of the document, and a screenful of problems is enough to start fixing)."""


@dataclass(frozen=True)
class InDocument:
    """Locates the problems of a scenario read from a document at its YAML nodes."""

    document: Document

    def schema_problems(self, error: ValidationError) -> list[Problem]:
        """The schema's errors, one located problem per place."""
        return pydantic_problems(error, self.document)

    def check_problems(self, found: list[Found]) -> list[Problem]:
        """The cross-field problems, at most MAX_PROBLEMS of them (and a count of the rest)."""
        document = self.document
        problems = [locate(document, loc, message) for loc, message in found[:MAX_PROBLEMS]]
        if len(found) > MAX_PROBLEMS:
            loc, _ = found[MAX_PROBLEMS]
            problems.append(_more(document, loc, len(found) - MAX_PROBLEMS))
        return problems


def _more(document: Document, loc: Loc, count: int) -> Problem:
    """The problem that stands for `count` more, at the first of them."""
    return locate(document, loc, f"... and {count:,} more problems not shown")


def pydantic_problems(error: ValidationError, document: Document) -> list[Problem]:
    """One located problem per pydantic error (several at one place are joined)."""
    problems: dict[tuple[int, int, str], list[str]] = {}
    more: list[Problem] = []
    items = _without_other_branch(error.errors(include_url=False))
    for shown, item in enumerate(items):
        loc = tuple(item["loc"])
        if len(problems) == MAX_PROBLEMS:
            more.append(_more(document, loc, len(items) - shown))
            break
        message = pydantic_message(item)
        problem = locate(
            document,
            loc,
            message,
            at_key=item["type"] == "extra_forbidden",
            name_missing=item["type"] == "missing",
        )
        key = (problem.line, problem.col, problem.path)
        if message not in problems.setdefault(key, []):
            problems[key].append(message)
    return [
        Problem(document.name, line, col, path, "; ".join(messages))
        for (line, col, path), messages in problems.items()
    ] + more


def _without_other_branch(items: list[Any]) -> list[Any]:
    """The errors, less "should be a list" where a mapping was given and its own errors are
    reported (and the reverse): pydantic tries every member of a union such as the scores
    (a mapping or a list), and the member the input is not only adds noise. When no member
    reports an error inside the value (e.g. it is null), every error stays.
    """
    inside: dict[tuple[Any, ...], set[str]] = {}  # union members with errors inside the value
    for item in items:
        loc = tuple(item["loc"])
        for k, segment in enumerate(loc[:-1]):
            if _is_union_tag(segment):
                inside.setdefault(loc[:k], set()).add(segment)
    kept = []
    for item in items:
        loc = tuple(item["loc"])
        if (
            item["type"] in ("list_type", "dict_type")
            and loc
            and _is_union_tag(loc[-1])
            and inside.get(loc[:-1], set()) - {loc[-1]}
        ):
            continue
        kept.append(item)
    return kept


def _is_union_tag(segment: Any) -> bool:
    """Whether a pydantic location segment names a union member (e.g. `list[float]`)."""
    return isinstance(segment, str) and "[" in segment


def pydantic_message(item: Any) -> str:
    """One pydantic error in the words of a scenario author."""
    kind = item["type"]
    if kind == "extra_forbidden":
        return f"unknown key {item['loc'][-1]!r}"
    if kind == "missing":
        return f"missing required key {item['loc'][-1]!r}"
    message = str(item["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    if kind.endswith("_type") or kind in ("literal_error", "union_tag_invalid"):
        message += f" (got {_shown(item.get('input'))})"
    return message


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def locate(
    document: Document,
    loc: Loc,
    message: str,
    *,
    at_key: bool = False,
    name_missing: bool = True,
) -> Problem:
    """The problem at `loc`: the deepest YAML node the path reaches, and a dotted path.

    Path segments that name no node (pydantic's union tags) are skipped, except a missing
    key at the end of the path, which is named when `name_missing`. In the dotted path, a
    list entry that has an `id` is named by its id, as in `--set` paths; a key that is not
    plain printable text is shown quoted, so a problem stays on one line.
    """
    node: Node = document.root
    data: Any = document.data
    mark = node.start_mark
    parts: list[str] = []
    for depth, segment in enumerate(loc, start=1):
        if isinstance(node, MappingNode) and isinstance(data, dict):
            pair = _find_key(node, segment)
            if pair is None:
                # a missing key is named at the end of the path; union tags are skipped
                if name_missing and depth == len(loc) and _is_field_name(segment):
                    parts.append(str(segment))
                continue
            key_node, value_node = pair
            parts.append(_path_part(segment))
            node, data = value_node, data.get(_data_key(data, segment))
            mark = key_node.start_mark if at_key else value_node.start_mark
        elif isinstance(node, SequenceNode) and isinstance(data, list) and isinstance(segment, int):
            if not 0 <= segment < len(node.value):
                continue
            item = data[segment]
            label = item.get("id") if isinstance(item, dict) else None
            parts.append(_path_part(label) if isinstance(label, str) else str(segment))
            node, data = node.value[segment], item
            mark = node.start_mark
    return Problem(document.name, mark.line + 1, mark.column + 1, ".".join(parts), message)


def _path_part(segment: Any) -> str:
    """A path segment as printed: as written, or quoted when it holds spaces or controls.

    >>> _path_part("price"), _path_part("a b"), _path_part("x\\ny")
    ('price', "'a b'", "'x\\\\ny'")
    """
    text = str(segment)
    if text and text.isprintable() and not any(c.isspace() for c in text):
        return text
    return repr(text)


def _is_field_name(segment: Any) -> bool:
    return isinstance(segment, str) and segment.isidentifier() and segment.islower()


def _find_key(node: MappingNode, segment: Any) -> tuple[Node, Node] | None:
    for key_node, value_node in node.value:
        if _same_key(key_node.value, segment):
            return key_node, value_node
    return None


def _same_key(raw: Any, segment: Any) -> bool:
    if str(raw) == str(segment):
        return True
    if isinstance(segment, int | float) and not isinstance(segment, bool):
        try:
            return math.isclose(float(raw), float(segment))
        except (TypeError, ValueError):
            return False
    return False


def _data_key(data: dict[Any, Any], segment: Any) -> Any:
    for key in data:
        if _same_key(key, segment):
            return key
    return segment


def problems_of(errors: Iterable[ScenarioError]) -> list[Problem]:
    """All problems of several errors, in file order."""
    return sorted(p for e in errors for p in e.problems)

"""Reading scenario YAML safely: bytes to text, text to plain data and a node tree that knows
every value's line and column.

1. bytes: exists, is a file, not too large, not binary, valid UTF-8, not empty;
2. YAML events, parsed once: no anchors or aliases (no expansion bombs), nesting not too
   deep, at most MAX_NODES values (the pure-Python parser is slow on huge files);
3. YAML document: syntax, duplicate keys (ruamel's safe loader), a mapping at the top.

Each gate stops with a :class:`ScenarioError` located at `FILE:LINE:COL`.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    Event,
    NodeEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode
from ruamel.yaml.reader import ReaderError

from sim.errors import ScenarioError

MAX_FILE_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 40
MAX_NODES = 50_000
"""The most YAML values (scalars, lists and mappings) a scenario file may hold. The pure-Python
YAML parser reads about 20,000 a second; the baseline has about 1,000."""


@dataclass(frozen=True)
class Document:
    """A parsed YAML document: plain data plus the node tree that knows the positions."""

    name: str
    text: str
    data: Any
    root: Node


def read_text(path: Path) -> str:
    """A scenario file's text, refusing what is not a small UTF-8 text file."""
    name = str(path)
    if not path.exists():
        raise ScenarioError.at(name, "no such file")
    if path.is_dir():
        raise ScenarioError.at(name, "is a directory, not a scenario file")
    if not path.is_file():
        raise ScenarioError.at(name, "is not a regular file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError.at(
                name, f"file is {size:,} bytes, more than the limit of {MAX_FILE_BYTES:,}"
            )
        raw = path.read_bytes()
    except OSError as error:
        raise ScenarioError.at(name, f"cannot read the file: {error.strerror}") from None
    return decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """Bytes as UTF-8 text, with the position of the first bad byte when they are not."""
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError.at(name, f"file is {len(raw):,} bytes, more than {MAX_FILE_BYTES:,}")
    if b"\x00" in raw:
        line, col = _position(raw, raw.index(b"\x00"))
        raise ScenarioError.at(name, "binary file (NUL byte): a scenario is YAML text", line, col)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line, col = _position(raw, error.start)
        raise ScenarioError.at(
            name, f"not UTF-8 text: byte 0x{raw[error.start]:02x} cannot be decoded", line, col
        ) from None
    if not text.strip():
        raise ScenarioError.at(name, "file is empty: a scenario is a YAML mapping")
    return text


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def parse_yaml(text: str, name: str) -> Document:
    """Parse YAML text safely into plain data and a positioned node tree.

    The text is parsed once: the events are checked (no anchors, bounded depth and size) and
    kept, then the node tree is composed from them and the data constructed from the tree.
    """
    events = _checked_events(text, name)
    yaml = YAML(typ="safe", pure=True)
    yaml._parser = _Replay(events)  # type: ignore[attr-defined]  # compose the checked events
    root: Node | None = None
    try:
        root = yaml.composer.get_single_node()
        data = yaml.constructor.construct_document(root) if root is not None else None
    except MarkedYAMLError as error:
        line, col = _mark_position(error)
        what = _yaml_message(error)
        if "duplicate key" in str(error).lower():
            what = _duplicate_message(str(error))
        raise ScenarioError.at(name, f"YAML: {what}", line, col) from None
    except CONSTRUCTION_ERRORS as error:
        node = _failing_node(root)
        mark = node.start_mark if node is not None else None
        tag = str(node.tag).replace("tag:yaml.org,2002:", "!!") if node is not None else "value"
        raise ScenarioError.at(
            name,
            f"YAML: cannot build a {tag} from this value ({_one_line(repr(error))})",
            mark.line + 1 if mark else 1,
            mark.column + 1 if mark else 1,
        ) from None
    if root is None or data is None:
        raise ScenarioError.at(name, "file has no YAML document: a scenario is a YAML mapping")
    if not isinstance(data, dict):
        mark = root.start_mark
        raise ScenarioError.at(
            name,
            f"a scenario is a YAML mapping (key: value lines), got a {type(data).__name__}",
            mark.line + 1,
            mark.column + 1,
        )
    return Document(name=name, text=text, data=plain(data), root=root)


class _Replay:
    """Stands in for ruamel's parser, handing the composer events already parsed."""

    def __init__(self, events: list[Event]) -> None:
        self._events = deque(events)

    def check_event(self, *choices: type[Event]) -> bool:
        if not self._events:
            return False
        return not choices or isinstance(self._events[0], choices)

    def peek_event(self) -> Event:
        return self._events[0]

    def get_event(self) -> Event:
        return self._events.popleft()

    def dispose(self) -> None:
        self._events.clear()


def _duplicate_message(text: str) -> str:
    for line in text.splitlines():
        if "found duplicate key" in line:
            return line.strip().rstrip(".") + " (each key may appear once in a mapping)"
    return "duplicate key (each key may appear once in a mapping)"


def _checked_events(text: str, name: str) -> list[Event]:
    """The YAML events of `text`, refusing anchors, aliases, deep nesting and huge files.

    Everything is refused before a node is built, so an alias bomb or ten thousand nested
    brackets cost no more than reading them.
    """
    events: list[Event] = []
    depth = 0
    nodes = 0
    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            mark = event.start_mark
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None):
                raise ScenarioError.at(
                    name,
                    "YAML anchors and aliases are not allowed in scenario files "
                    "(write each value out)",
                    mark.line + 1,
                    mark.column + 1,
                )
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ScenarioError.at(
                        name,
                        f"YAML nested more than {MAX_DEPTH} levels deep",
                        mark.line + 1,
                        mark.column + 1,
                    )
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
            if isinstance(event, NodeEvent):
                nodes += 1
                if nodes > MAX_NODES:
                    raise ScenarioError.at(
                        name,
                        f"more than {MAX_NODES:,} YAML values: too large for a scenario file",
                        mark.line + 1,
                        mark.column + 1,
                    )
            events.append(event)
    except MarkedYAMLError as error:
        line, col = _mark_position(error)
        raise ScenarioError.at(name, f"YAML: {_yaml_message(error)}", line, col) from None
    except ReaderError as error:
        line, col = _text_position(text, error.position)
        raise ScenarioError.at(
            name,
            f"YAML: character {_character(error.character)} is not allowed ({error.reason})",
            line,
            col,
        ) from None
    except YAMLError as error:
        raise ScenarioError.at(name, f"YAML: {_one_line(str(error))}") from None
    return events


def _mark_position(error: MarkedYAMLError) -> tuple[int, int]:
    mark = error.problem_mark or error.context_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def _yaml_message(error: MarkedYAMLError) -> str:
    return _one_line(" ".join(str(p) for p in (error.context, error.problem) if p))


def _one_line(message: str) -> str:
    """A message on one line, so every line a command prints starts with its location."""
    return " ".join(message.split())


def _character(character: int | str | bytes) -> str:
    if isinstance(character, int):
        return f"U+{character:04X}"
    return repr(character)


def _text_position(text: str, offset: int) -> tuple[int, int]:
    before = text[: max(offset, 0)]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


CONSTRUCTION_ERRORS = (
    YAMLError,
    ValueError,
    TypeError,
    ArithmeticError,
    LookupError,
    AssertionError,
)
"""What ruamel's safe constructor raises on values it cannot build: `!!bool maybe` is a KeyError,
a duplicate key in `!!omap` an AssertionError, a bad `!!timestamp` a ValueError."""


def _failing_node(root: Node | None) -> Node | None:
    """The innermost value the safe constructor cannot build (None when none fails alone).

    Used when the constructor raises without a position.
    """
    constructor = YAML(typ="safe", pure=True).constructor
    for node in _post_order(root):
        try:
            constructor.construct_object(node, deep=True)  # children are built (and cached) first
        except CONSTRUCTION_ERRORS:
            return node
    return None


def _post_order(root: Node | None) -> Iterator[Node]:
    """Every node of a tree, children before their parent."""
    stack: list[tuple[Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, expanded = stack.pop()
        if expanded or not isinstance(node, MappingNode | SequenceNode):
            yield node
            continue
        stack.append((node, True))
        children = (
            [n for pair in node.value for n in pair]
            if isinstance(node, MappingNode)
            else node.value
        )
        stack.extend((child, False) for child in reversed(children))


def plain(value: Any) -> Any:
    """YAML values as plain Python: dates become ISO strings, keys stay as written."""
    if isinstance(value, dict):
        return {plain_key(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    return value


def plain_key(key: Any) -> Any:
    """A mapping key as plain Python (numbers stay numbers: they name numeric options)."""
    if isinstance(key, bool):
        return str(key).lower()
    if isinstance(key, dt.date | dt.datetime):
        return key.isoformat()
    if isinstance(key, tuple | list | dict):
        return str(key)
    return plain(key)

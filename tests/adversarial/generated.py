"""Hypothesis-generated malformed scenarios: a valid scenario with one part broken.

Every mutation here is invalid by construction — it cannot leave a scenario the loader
should accept — so a test may demand exit 2 of every draw (the shared builders'
`malformed_documents()` are only probably invalid). The base is the corpus' minimal
scenario (with a source and a verified quote) or a small scenario from
:func:`tests.builders.scenario_dicts`.

>>> sorted(MUTATIONS)[:3]
['alias', 'control_byte', 'dangling_reference']
"""

from __future__ import annotations

import copy
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

from tests.adversarial.corpus import minimal_data
from tests.builders import paths, scenario_dicts, to_yaml

JSON = Any
Path = tuple[Any, ...]


@dataclass(frozen=True)
class Broken:
    """A generated malformed file and how it was broken (shown when a test fails)."""

    how: str
    content: bytes


# --- where things are in a scenario ----------------------------------------------------------


def _pattern(path: Path) -> tuple[str, ...]:
    """A path with list indices as `*`, e.g. ('actors', '*', 'batna', 'value')."""
    return tuple("*" if isinstance(p, int) else str(p) for p in path)


_REQUIRED = {
    ("schema_version",),
    ("id",),
    ("title",),
    ("issues",),
    ("actors",),
    ("protocol",),
    ("issues", "*", "id"),
    ("issues", "*", "name"),
    ("issues", "*", "options"),
    ("issues", "*", "values"),
    ("issues", "*", "range"),
    ("issues", "*", "range", "start"),
    ("issues", "*", "range", "stop"),
    ("issues", "*", "range", "step"),
    ("issues", "*", "options", "*", "id"),
    ("sources", "*", "id"),
    ("sources", "*", "path"),
    ("sources", "*", "title"),
    ("rules", "*", "id"),
    ("rules", "*", "kind"),
    ("rules", "*", "when"),
    *(("actors", "*", key) for key in ("id", "name", "role", "weights", "scores", "batna")),
    ("actors", "*", "batna", "value"),
    ("actors", "*", "strategy", "kind"),
    ("actors", "*", "red_lines", "*", "id"),
    ("actors", "*", "red_lines", "*", "provenance"),
    ("actors", "*", "red_lines", "*", "provenance", "kind"),
    ("actors", "*", "red_lines", "*", "precondition", "requires"),
    ("protocol", "kind"),
    ("institutions", "security_council", "members"),
    ("institutions", "security_council", "mandate"),
    ("institutions", "security_council", "members", "*", "id"),
    ("institutions", "unilateral_deployment", "actor"),
    ("institutions", "unilateral_deployment", "after_rounds"),
    ("institutions", "unilateral_deployment", "terms"),
}
"""Keys a scenario cannot do without (by the path patterns of the schema's models)."""

_DISTRIBUTION_REQUIRED = {
    "uniform": {"dist", "low", "high"},
    "normal": {"dist", "mean", "sd", "low", "high"},
    "beta": {"dist", "a", "b"},
    "choice": {"dist", "values"},
}

_REFERENCES = {
    ("protocol", "mediator"),
    ("protocol", "proposers", "*"),
    ("actors", "*", "red_lines", "*", "precondition", "met_by"),
    ("actors", "*", "red_lines", "*", "provenance", "source"),
    ("institutions", "security_council", "members", "*", "actor"),
    ("institutions", "unilateral_deployment", "actor"),
}
"""Values that name an actor or a source."""

_CONDITIONS = {"forbids", "requires", "when", "mandate", "signs_when"}

_ID_LISTS = {
    ("issues",),
    ("issues", "*", "options"),
    ("sources",),
    ("rules",),
    ("actors",),
    ("actors", "*", "red_lines"),
    ("institutions", "security_council", "members"),
}


def _get(data: JSON, path: Path) -> Any:
    for segment in path:
        data = data[segment]
    return data


def _set(data: JSON, path: Path, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _required(data: JSON, path: Path) -> bool:
    if _pattern(path) in _REQUIRED:
        return True
    parent = _get(data, path[:-1])
    if isinstance(parent, dict) and isinstance(parent.get("dist"), str):
        return path[-1] in _DISTRIBUTION_REQUIRED.get(parent["dist"], {"dist"})
    return False


def _condition_item(path: Path) -> bool:
    """An option named in a condition: forbids.<issue>.<k>, signs_when.<c>.<issue>.<k>..."""
    return (
        len(path) >= 3
        and isinstance(path[-1], int)
        and any(str(p) in _CONDITIONS for p in path[:-2])
    )


def _unit(path: Path) -> bool:
    """A number that must lie in [0, 1] (a score, BATNA, firmness, probability, p_yes)."""
    pattern = _pattern(path)
    if len(pattern) == 5 and pattern[0] == "actors" and pattern[2] == "scores":
        return True
    return pattern[-1] in ("firmness", "probability", "p_yes") or pattern[-2:] == (
        "batna",
        "value",
    )


# --- the mutations ---------------------------------------------------------------------------

Mutation = Callable[[st.DrawFn, JSON], Broken]


def _dumped(how: str, data: JSON) -> Broken:
    return Broken(how, to_yaml(data).encode())


def _poison(draw: st.DrawFn, data: JSON) -> Broken:
    path = draw(st.sampled_from(paths(data)))
    value = draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    _set(data, path, value)
    return _dumped(f"{_pattern(path)} = {value}", data)


def _delete_required(draw: st.DrawFn, data: JSON) -> Broken:
    candidates = [p for p in paths(data) if isinstance(p[-1], str) and _required(data, p)]
    path = draw(st.sampled_from(candidates))
    del _get(data, path[:-1])[path[-1]]
    return _dumped(f"deleted {path}", data)


def _unknown_key(draw: st.DrawFn, data: JSON) -> Broken:
    mappings = [()] + [p for p in paths(data) if isinstance(_get(data, p), dict)]
    path = draw(st.sampled_from(mappings))
    _get(data, path)["zz_unknown"] = 0.5
    return _dumped(f"unknown key in {path}", data)


def _dangling_reference(draw: st.DrawFn, data: JSON) -> Broken:
    candidates = [p for p in paths(data) if _pattern(p) in _REFERENCES or _condition_item(p)]
    if candidates:
        path = draw(st.sampled_from(candidates))
        _set(data, path, "zz_missing")
        return _dumped(f"{path} = zz_missing", data)
    actor = draw(st.sampled_from(data["actors"]))  # every actor weighs some issue
    weights = actor["weights"]
    issue = draw(st.sampled_from(sorted(weights)))
    weights["zz_missing"] = weights.pop(issue)
    return _dumped(f"weights of {actor['id']}: {issue} renamed zz_missing", data)


def _duplicate_entry(draw: st.DrawFn, data: JSON) -> Broken:
    lists = [p for p in paths(data) if _pattern(p) in _ID_LISTS and _get(data, p)]
    path = draw(st.sampled_from(lists))
    entries = _get(data, path)
    entries.append(copy.deepcopy(draw(st.sampled_from(entries))))
    return _dumped(f"an entry of {path} duplicated", data)


def _out_of_range(draw: st.DrawFn, data: JSON) -> Broken:
    candidates = [p for p in paths(data) if _unit(p) or _pattern(p)[-2:-1] == ("weights",)]
    path = draw(st.sampled_from(candidates))
    low = st.floats(-1e6, -1e-3)
    value = draw(
        low if _pattern(path)[-2:-1] == ("weights",) else st.one_of(low, st.floats(1.001, 1e6))
    )
    _set(data, path, value)
    return _dumped(f"{path} = {value}", data)


def _wrong_type(draw: st.DrawFn, data: JSON) -> Broken:
    leaves = [p for p in paths(data) if not isinstance(_get(data, p), dict | list)]
    path = draw(st.sampled_from(leaves))
    choices: list[Any] = [[1, 2], {"zz": 1}]
    if path[-1] != "permanent":
        choices.append(True)
    value = draw(st.sampled_from(choices))
    _set(data, path, value)
    return _dumped(f"{path} = {value!r}", data)


def _alias(draw: st.DrawFn, data: JSON) -> Broken:
    actors = data["actors"]
    first, second = draw(st.sampled_from([(0, 1), (1, 0)]))
    actors[second]["batna"] = actors[first]["batna"]  # the same object: the dumper aliases it
    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return Broken(f"actor {second}'s batna is an alias of actor {first}'s", out.getvalue().encode())


def _deep(draw: st.DrawFn, data: JSON) -> Broken:
    path = draw(st.sampled_from(paths(data)))
    depth = draw(st.integers(41, 120))
    value: Any = 0.5
    for _ in range(depth):
        value = [value]
    _set(data, path, value)
    return _dumped(f"{path} nested {depth} deep", data)


_FORBIDDEN_BYTES = [b"\x00", b"\xff", b"\x07", b"\x1b[2J", b"\xc0\xaf", "\ufffe".encode()]


def _control_byte(draw: st.DrawFn, data: JSON) -> Broken:
    text = to_yaml(data).encode()
    at = draw(st.integers(0, len(text)))
    byte = draw(st.sampled_from(_FORBIDDEN_BYTES))
    return Broken(f"{byte!r} inserted at offset {at}", text[:at] + byte + text[at:])


def _truncated(draw: st.DrawFn, data: JSON) -> Broken:
    protocol = data.pop("protocol")
    data["protocol"] = protocol  # last, so any cut before it loses it
    text = to_yaml(data)
    cut = draw(st.integers(0, text.index("\nprotocol:")))
    return Broken(f"cut at offset {cut} of {len(text)}", text[:cut].encode())


_KEY_LINE = re.compile(r"^( *(?:- )?[a-z_]+): (\S.*)$", re.MULTILINE)


def _python_tag(draw: st.DrawFn, data: JSON) -> Broken:
    text = to_yaml(data)
    lines = list(_KEY_LINE.finditer(text))
    match = draw(st.sampled_from(lines))
    tag = draw(st.sampled_from(["!!python/object:os.system", "!!python/name:os.system", "!custom"]))
    start = match.start(2)
    return Broken(
        f"{tag} on line {text.count(chr(10), 0, start) + 1}",
        (text[:start] + f"{tag} " + text[start:]).encode(),
    )


_INDENTED = re.compile(r"^ +(?=[a-z_]+:|- )", re.MULTILINE)


def _tab_indent(draw: st.DrawFn, data: JSON) -> Broken:
    text = to_yaml(data)
    match = draw(st.sampled_from(list(_INDENTED.finditer(text))))
    indent = match.group(0)
    broken = text[: match.start()] + "\t" + indent[1:] + text[match.end() :]
    return Broken(
        f"tab indentation on line {text.count(chr(10), 0, match.start()) + 1}", broken.encode()
    )


MUTATIONS: dict[str, Mutation] = {
    "poison": _poison,
    "delete_required": _delete_required,
    "unknown_key": _unknown_key,
    "dangling_reference": _dangling_reference,
    "duplicate_entry": _duplicate_entry,
    "out_of_range": _out_of_range,
    "wrong_type": _wrong_type,
    "alias": _alias,
    "deep": _deep,
    "control_byte": _control_byte,
    "truncated": _truncated,
    "python_tag": _python_tag,
    "tab_indent": _tab_indent,
}


@st.composite
def broken_scenarios(draw: st.DrawFn) -> Broken:
    """A valid scenario (the minimal one or a generated one) broken by one mutation."""
    data = draw(st.one_of(st.builds(minimal_data), scenario_dicts(max_actors=3, max_issues=3)))
    name = draw(st.sampled_from(sorted(MUTATIONS)))
    broken = MUTATIONS[name](draw, data)
    return Broken(f"{name}: {broken.how}", broken.content)

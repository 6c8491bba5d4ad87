"""Writing a scenario back to YAML that `redlines run` reads unchanged.

The dashboard adjusts a scenario through `--set` overrides and offers the result as a file; the
CLI must read that file to the same scenario: ``load_text(export_yaml(s), ...).scenario == s``.
Values are written as plain YAML (no anchors, no tags); a short mapping or list of scalars (a
distribution, a condition, a strategy) stays on one line, long single-line texts are folded at
spaces (``>-``), and every `None` is left out (it is each field's default). A text holding a
character YAML reads as a line break (NEL, U+2028, U+2029), a byte-order mark or anything not
printable (C0 controls but tab and line feed, DEL, C1 controls) is written double-quoted, where
each such character is an escape (``\\N``, ``\\x1b``): written raw, a NEL would be read back as
a space and a control character refused.
"""

from __future__ import annotations

import io
import re
import textwrap
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString

from sim.scenario.schema import Scenario

WIDTH = 96
"""Longest line the writer aims for."""
FLOW_WIDTH = 72
"""Longest one-line (flow) mapping or list."""
_FOLDABLE = re.compile(r"^\S+( \S+)*$")  # single spaces only: folding joins lines with one
NEEDS_ESCAPES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
"""Characters that survive YAML only as double-quoted escapes."""
_INDICATED = re.compile(r"^[?:-][^ ]")
"""A text that opens with an indicator character glued to more (`?0`): ruamel writes it plain
in a flow mapping, and then cannot read it back; such a text is written quoted."""


def scenario_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data, in the schema's field order, without `None` fields."""
    return scenario.model_dump(mode="python", exclude_none=True)


def export_yaml(scenario: Scenario, header: str | None = None) -> str:
    """The scenario as YAML text, optionally after a comment block (`header`).

    >>> from sim.scenario.schema import Scenario
    >>> s = Scenario.model_validate({
    ...     "schema_version": 1, "id": "tiny", "title": "Tiny: two actors",
    ...     "issues": [{"id": "x", "name": "X", "values": [0.0, 1.0]}],
    ...     "actors": [
    ...         {"id": a, "name": a.upper(), "role": "belligerent", "weights": {"x": 1.0},
    ...          "scores": {"x": [0.0, 1.0]}, "batna": {"value": 0.5}} for a in ("a", "b")],
    ...     "protocol": {"kind": "alternating"}})
    >>> print("\\n".join(export_yaml(s, header="tiny").splitlines()[:4]))
    # tiny
    schema_version: 1
    id: tiny
    title: 'Tiny: two actors'
    """
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096  # lines are broken by the folded strings, never inside a flow item
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.ignore_aliases = lambda *_: True  # the loader refuses anchors and aliases
    buffer = io.StringIO()
    if header:
        for line in header.splitlines():
            buffer.write(f"# {line}".rstrip() + "\n")
    yaml.dump(_styled(scenario_data(scenario), indent=0), buffer)
    return buffer.getvalue()


def _styled(value: Any, indent: int) -> Any:
    """Plain data as ruamel nodes with a style each: flow for short, block for the rest."""
    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _styled(item, indent + 2)
        if _short(value):
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(_styled(item, indent + 4) for item in value)
        if _short(value):
            sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, str) and (NEEDS_ESCAPES.search(value) or _INDICATED.match(value)):
        return DoubleQuotedScalarString(value)
    if isinstance(value, str) and indent + len(value) > WIDTH and _FOLDABLE.match(value):
        return _folded(value, max(WIDTH - indent - 2, 40))
    return value


def _short(value: dict[Any, Any] | list[Any]) -> bool:
    items = list(value.values()) if isinstance(value, dict) else value
    for item in items:  # scalars, or (in a mapping) lists of scalars: a condition
        if isinstance(item, dict) or (isinstance(item, list) and isinstance(value, list)):
            return False
        if isinstance(item, list) and any(isinstance(x, dict | list) for x in item):
            return False
    return len(repr(value)) <= FLOW_WIDTH


def _folded(text: str, width: int) -> FoldedScalarString:
    """`text` as a folded scalar (``>-``) broken at spaces into lines of about `width`."""
    folded = FoldedScalarString(text)
    positions, offset = [], 0
    for line in textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)[:-1]:
        offset += len(line)
        positions.append(offset)  # the space after this line becomes the line break
        offset += 1
    folded.fold_pos = positions
    return folded

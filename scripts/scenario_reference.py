"""Write scenarios/REFERENCE.md, the field-by-field reference of scenario files, from the schema.

    .venv/bin/python scripts/scenario_reference.py           # rewrite scenarios/REFERENCE.md
    .venv/bin/python scripts/scenario_reference.py --check   # exit 1 if it is out of date

(`make docs` does this and regenerates scenarios/schema.json.) The text comes from the JSON
Schema that `redlines schema` prints, which pydantic builds from `sim/scenario/schema.py`: the field
descriptions are the attribute docstrings there, so a field is documented by documenting it in
the code. `tests/test_reference.py` fails when the file and the schema disagree.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "scenarios" / "REFERENCE.md"
ID_PATTERN = "^[a-z][a-z0-9_]*$"

ORDER = (
    "Source",
    "Issue",
    "Option",
    "NumericRange",
    "OutcomeRule",
    "Actor",
    "Batna",
    "Strategy",
    "RedLine",
    "Precondition",
    "Provenance",
    "Protocol",
    "Institutions",
    "SecurityCouncil",
    "CouncilMember",
    "UnilateralDeployment",
    "Uniform",
    "Beta",
    "Normal",
    "Choice",
)
"""The order of the sections: the top level's parts first, then the distributions."""

HEADER = """# Scenario file reference

Every field of a scenario file, generated from its JSON Schema (`redlines schema`, also
`scenarios/schema.json`) by `scripts/scenario_reference.py` — do not edit by hand: the field
descriptions are the docstrings in `sim/scenario/schema.py`, and `tests/test_reference.py`
checks this file is in sync (regenerate with `make docs`). For a guided tour with examples, read
[README.md](README.md).

Conventions: an **id** is lower-case letters, digits and underscores, starting with a letter,
at most 64 characters (`^[a-z][a-z0-9_]*$`); **text** is at most 20,000 characters; a
**number or distribution** is a finite number or one of the [distributions](#uniform)
(`uniform`, `beta`, `normal`, `choice`), drawn once per run; a **condition** is a mapping of
issue id to a non-empty list of its options (an outcome meets it when, for every issue named,
its option is listed); an **option** is an option's id (categorical issue) or its value (numeric
issue). Unknown keys are refused everywhere. Beyond the shape described here,
`redlines validate` checks what spans fields: ids that must exist, quotes found verbatim in
their source, scores and probabilities within [0, 1], the size of the outcome space.
"""


def _link(ref: str) -> str:
    name = ref.rsplit("/", 1)[1]
    return f"[{name}](#{name.lower()})"


def _is_number(node: dict[str, Any]) -> bool:
    """The `Number` of sim.scenario: a number or a distribution."""
    parts = node.get("anyOf", [])
    return len(parts) == 2 and parts[0] == {"type": "number"} and "discriminator" in parts[1]


OPTION = {"anyOf": [{"type": "string"}, {"type": "number"}]}
"""An `OptionRef`: an option's id, or its value in a numeric issue."""


def _is_scores(node: dict[str, Any]) -> bool:
    """The `Scores` of sim.scenario: a mapping option -> number, or a list of numbers."""
    parts = node.get("anyOf", [])
    return (
        len(parts) == 2
        and parts[0].get("type") == "object"
        and _is_number(parts[0].get("additionalProperties", {}))
        and parts[1].get("type") == "array"
        and _is_number(parts[1].get("items", {}))
    )


def _is_condition(node: dict[str, Any]) -> bool:
    values = node.get("patternProperties", {}).get(ID_PATTERN, {})
    return (
        node.get("type") == "object"
        and values.get("type") == "array"
        and values.get("minItems") == 1
        and values.get("items") == OPTION
    )


def describe(node: dict[str, Any]) -> str:
    """The type of a schema node in words (Markdown)."""
    if "$ref" in node:
        return _link(node["$ref"])
    if "const" in node:
        return f"`{json.dumps(node['const'])}`"
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if _is_number(node):
        return "number or distribution"
    if node == OPTION:
        return "option"
    if _is_scores(node):
        return "scores: a mapping of option to number or distribution, or a list of them"
    if "discriminator" in node:
        return "distribution"
    if "anyOf" in node or "oneOf" in node:
        parts = [p for p in node.get("anyOf", node.get("oneOf", [])) if p != {"type": "null"}]
        return " or ".join(describe(p) for p in parts)
    if _is_condition(node):
        return "condition"
    kind = node.get("type")
    limits = _limits(node)
    if kind == "array":
        return f"list of {describe(node.get('items', {}))}{limits}"
    if kind == "object":
        if "patternProperties" in node:
            (pattern, value), *_ = node["patternProperties"].items()
            key = "id" if pattern == ID_PATTERN else "key"
            return f"mapping of {key} to {describe(value)}{limits}"
        if isinstance(node.get("additionalProperties"), dict):
            return f"mapping of key to {describe(node['additionalProperties'])}{limits}"
        return f"mapping{limits}"
    if kind == "string":
        if node.get("pattern") == ID_PATTERN:
            return "id"
        return "text" if node.get("maxLength") == 20_000 else f"string{limits}"
    names = {"number": "number", "integer": "integer", "boolean": "true or false"}
    return f"{names.get(str(kind), str(kind))}{limits}"


def _limits(node: dict[str, Any]) -> str:
    words = []
    if "minimum" in node:
        words.append(f"≥ {node['minimum']:g}")
    if "exclusiveMinimum" in node:
        words.append(f"> {node['exclusiveMinimum']:g}")
    if "maximum" in node:
        words.append(f"≤ {node['maximum']:g}")
    if "minItems" in node:
        words.append(f"at least {node['minItems']}")
    if "maxItems" in node:
        words.append(f"at most {node['maxItems']:,}")
    if "minProperties" in node:
        words.append(f"at least {node['minProperties']} key")
    if "minLength" in node and node.get("type") == "string":
        words.append(f"at least {node['minLength']} character")
    if "maxLength" in node and node.get("type") == "string":
        words.append(f"at most {node['maxLength']:,} characters")
    return f" ({', '.join(words)})" if words else ""


def _default(node: dict[str, Any]) -> str:
    if "default" not in node:
        return ""
    value = node["default"]
    if value is None:
        return "none"
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if v is not None}
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def section(name: str, node: dict[str, Any], title: str | None = None) -> str:
    """One model of the schema as a Markdown section: its description and a table of fields."""
    required = set(node.get("required", []))
    lines = [f"## {title or name}", "", _cell(node.get("description", "")), ""]
    lines += ["| field | type | required | default | description |", "|---|---|---|---|---|"]
    for field, spec in node.get("properties", {}).items():
        lines.append(
            f"| `{field}` | {describe(spec)} | {'yes' if field in required else 'no'} "
            f"| {_default(spec)} | {_cell(spec.get('description', ''))} |"
        )
    return "\n".join(lines)


def reference() -> str:
    """The whole reference, as Markdown."""
    from sim.scenario.schema import json_schema

    schema = json_schema()
    definitions: dict[str, Any] = schema["$defs"]
    names = [n for n in ORDER if n in definitions] + sorted(set(definitions) - set(ORDER))
    parts = [HEADER, section("Scenario", schema, title="Scenario (the top level of a file)")]
    parts += [section(name, definitions[name]) for name in names]
    return "\n\n".join(part.rstrip("\n") for part in parts) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is out of date")
    args = parser.parse_args()
    text = reference()
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is out of date: run make docs", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

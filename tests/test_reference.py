"""scenarios/REFERENCE.md is the schema's reference, regenerated: it documents every field.

Regenerate with `make docs` (it also rewrites scenarios/schema.json).
"""

from __future__ import annotations

import importlib
import re

from sim.scenario.schema import json_schema
from tests.builders import SCENARIOS

generator = importlib.import_module("scripts.scenario_reference")


def test_the_reference_is_in_sync_with_the_schema() -> None:
    shipped = (SCENARIOS / "REFERENCE.md").read_text(encoding="utf-8")
    assert shipped == generator.reference(), "run make docs"


def test_every_field_of_every_model_has_a_row_and_a_description() -> None:
    schema = json_schema()
    text = generator.reference()
    models = {"Scenario": schema, **schema["$defs"]}
    for name, model in models.items():
        title = "Scenario (the top level of a file)" if name == "Scenario" else name
        assert f"\n## {title}\n" in text, name
        section = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
        for field, spec in model["properties"].items():
            row = re.search(
                rf"^\| `{field}` \| (.+?) \| (yes|no) \| (.*?) \| (.+) \|$", section, re.M
            )
            assert row, f"{name}.{field} has no row"
            assert spec.get("description"), f"{name}.{field}: document it in sim/scenario.py"
            assert row.group(2) == ("yes" if field in model.get("required", []) else "no")


def test_types_read_as_words() -> None:
    describe = generator.describe
    defs = json_schema()["$defs"]
    assert describe(defs["RedLine"]["properties"]["firmness"]) == "number or distribution"
    assert describe(defs["RedLine"]["properties"]["forbids"]) == "condition"
    assert describe(defs["RedLine"]["properties"]["precondition"]) == (
        "[Precondition](#precondition)"
    )
    assert describe(defs["Protocol"]["properties"]["max_rounds"]) == "integer (≥ 1, ≤ 10000)"
    assert describe(defs["Actor"]["properties"]["red_lines"]) == "list of [RedLine](#redline)"
    assert describe(defs["UnilateralDeployment"]["properties"]["terms"]) == (
        "mapping of id to option"
    )
    assert describe({"type": "boolean"}) == "true or false"

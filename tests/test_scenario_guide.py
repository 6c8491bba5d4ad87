"""scenarios/README.md, the guide to writing a scenario, stays true: its example validates and
behaves as the guide says, its snippets are the baseline's, and it names every field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from sim.cli.app import app
from sim.engine.space import compile_scenario
from sim.explore.montecarlo import sweep
from sim.scenario.build import load_scenario
from sim.scenario.schema import json_schema
from tests.builders import BASELINE, SCENARIOS, scenario_folder

README = (SCENARIOS / "README.md").read_text(encoding="utf-8")
GUIDE = README.split("## Writing a scenario", 1)[1].split("\n## The baseline\n", 1)[0]


def fenced(after: str, language: str = "yaml") -> str:
    """The first fenced block of `language` after the text `after` in the guide."""
    tail = GUIDE.split(after, 1)[1]
    match = re.search(rf"```{language}\n(.*?)```", tail, re.S)
    assert match, f"no {language} block after {after!r}"
    return match.group(1)


def plain_yaml(text: str) -> Any:
    return YAML(typ="safe", pure=True).load(text)


EXAMPLE = fenced("<!-- guide-example -->")


def invoke(*args: str) -> tuple[int, str, str]:
    done = CliRunner().invoke(app, list(args))
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.stdout, done.stderr


@pytest.fixture
def example(tmp_path: Path) -> Path:
    folder = scenario_folder(tmp_path / "scenarios")
    path = folder / "guide_example.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


def test_the_example_validates_as_the_guide_says(example: Path) -> None:
    code, out, err = invoke("validate", str(example))
    assert code == 0, err
    said = re.search(r"prints `(guide_example\.yaml: ok \(guide_example: 3\s+actors\))`", GUIDE)
    assert said, "the guide quotes what validate prints"
    assert out.strip() == f"{example}: ok (guide_example: 3 actors)"
    assert " ".join(said.group(1).split()) == "guide_example.yaml: ok (guide_example: 3 actors)"


def test_the_example_has_the_outcome_space_the_guide_counts(example: Path) -> None:
    compiled = compile_scenario(load_scenario(example).scenario)
    assert "3 x 2 x 4 = 24 combinations" in GUIDE and "so 24 becomes 20" in GUIDE
    assert compiled.space.size == 20
    assert [len(options) for options in compiled.space.options] == [3, 2, 4]


def test_the_example_mostly_agrees_on_a_mandated_non_nato_force(example: Path) -> None:
    assert (
        "agreement in about\n98% of runs, nearly all on a non-NATO force under a mandate" in GUIDE
    )
    result = sweep(load_scenario(example), 2000, seed=0, workers=1, progress=False)
    assert 0.965 <= result.summary["outcomes"]["agreement"]["p"] <= 0.99
    agreed = result.table[result.table["outcome"] == "agreement"]
    mandated = (agreed["terms.force"] == "non_nato") & (agreed["terms.mandate"] == "unsc")
    assert mandated.mean() >= 0.99


def test_the_bad_example_prints_the_messages_the_guide_shows(example: Path) -> None:
    bad = example.with_name("bad.yaml")
    text = EXAMPLE.replace(
        "quote: Russia can provide a lone veto halting any proposal to send foreign troops",
        "quote: Russia will veto any foreign troops",
    ).replace("mediator: united_states", "mediator: usa")
    assert text.count("usa") == 1 and "will veto" in text
    bad.write_text(text, encoding="utf-8")
    code, _, err = invoke("validate", str(bad))
    assert code == 2
    shown = fenced("a paraphrased quote and a misspelt mediator:", language="").strip()
    assert err.strip().replace(str(bad), "bad.yaml") == shown


def test_the_set_commands_of_the_guide_run(example: Path) -> None:
    commands = fenced("addressed by id, and the value is YAML:", language="sh").splitlines()
    assert len(commands) == 2
    for command in commands:
        words = re.findall(r"'[^']*'|\S+", command)
        args = [w.strip("'") for w in words[1:]]
        args[1] = str(example)
        code, _, err = invoke(*args)
        assert code == 0, (command, err)


def test_the_snippets_are_the_baselines() -> None:
    baseline = plain_yaml(BASELINE.read_text(encoding="utf-8"))
    (precondition,) = plain_yaml(fenced("The baseline's:"))
    russia = next(a for a in baseline["actors"] if a["id"] == "russia")
    line = next(r for r in russia["red_lines"] if r["id"] == precondition["id"])
    assert {k: line[k] for k in precondition} == precondition
    deployment = plain_yaml(fenced("raises it):"))["unilateral_deployment"]
    assert baseline["institutions"]["unilateral_deployment"] == deployment


def schema_fields() -> set[str]:
    schema = json_schema()
    fields = set(schema["properties"])
    for model in schema["$defs"].values():
        fields |= set(model.get("properties", {}))
    return fields


def test_the_guide_names_every_field_of_the_format() -> None:
    fields = schema_fields()
    assert len(fields) > 60
    dotted = re.findall(r"`([a-z_.]+)`", GUIDE)
    named = {part for name in dotted for part in name.split(".")}
    named |= set(re.findall(r"(\w+):", EXAMPLE))
    assert not fields - named, sorted(fields - named)

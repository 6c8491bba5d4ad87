"""Loading scenario files: bytes, safe YAML, located schema errors, and the shipped baseline.

The contract: a file gives a valid scenario or a `ScenarioError` whose problems all carry the
file, a line and column >= 1 and a message; never another exception.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings

from sim import api
from sim.errors import Problem, ScenarioError
from sim.scenario.build import load_scenario, load_text
from sim.scenario.reading import MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES
from sim.scenario.schema import Scenario
from tests.builders import (
    BASELINE,
    baseline_text,
    malformed_documents,
    position,
    scenario_dicts,
    to_yaml,
    write_scenario,
)

BASE = baseline_text()


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return caught.value.problems


def _only(path: Path) -> Problem:
    problems = _problems(path)
    assert len(problems) == 1, problems
    return problems[0]


def _edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# --- the shipped baseline --------------------------------------------------------------------


def test_the_baseline_loads_with_the_ids_other_tools_address(baseline: api.LoadedScenario) -> None:
    loaded = baseline
    scenario = loaded.scenario
    assert loaded.folder == BASELINE.parent
    assert loaded.text == BASE
    assert [a.id for a in scenario.actors] == ["russia", "united_states", "france", "ukraine"]
    assert {i.id: i.option_keys() for i in scenario.issues} == {
        "nato": ["accession_timeline", "delayed_accession", "off_table"],
        "force": ["none", "non_nato", "european"],
        "mandate": ["none", "unsc"],
        "support": ["continued", "reduced", "halted"],
    }
    russia = {line.id for line in scenario.actor("russia").red_lines}
    assert {
        "no_nato_timeline",
        "talks_require_nato_off_table",
        "no_troops_without_mandate",
        "veto_western_troops",
    } <= russia
    assert "support_continues" in {line.id for line in scenario.actor("france").red_lines}


def test_every_ukrainian_position_in_the_baseline_is_an_assumption(
    baseline: api.LoadedScenario,
) -> None:
    ukraine = baseline.scenario.actor("ukraine")
    assert ukraine.red_lines
    for line in ukraine.red_lines:
        assert line.provenance.kind == "assumption"
        assert line.provenance.rationale
        assert line.provenance.quote is None


def test_the_baseline_red_line_consequences(baseline: api.LoadedScenario) -> None:
    russia = baseline.scenario.actor("russia")
    lines = {line.id: line for line in russia.red_lines}
    assert lines["no_troops_without_mandate"].consequence == "escalate"
    assert lines["veto_western_troops"].consequence == "veto"
    assert lines["talks_require_nato_off_table"].precondition is not None


# --- bytes -----------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.yaml"
    assert _only(path) == Problem(str(path), 1, 1, "", "no such file")


def test_directory(tmp_path: Path) -> None:
    assert _only(tmp_path) == Problem(
        str(tmp_path), 1, 1, "", "is a directory, not a scenario file"
    )


def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    problem = _only(path)
    assert (problem.line, problem.col) == (1, 1)
    assert f"{MAX_FILE_BYTES + 1:,} bytes, more than the limit" in problem.message


def test_binary_file_is_located_at_its_nul_byte(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, b"id: x\ntitle: a\x00b\n")
    problem = _only(path)
    assert (problem.line, problem.col) == (2, 9)
    assert "binary file (NUL byte)" in problem.message


def test_non_utf8_is_located_at_the_first_bad_byte(tmp_path: Path) -> None:
    path = write_scenario(tmp_path, b"id: x\n\ntitle: caf\xe9\n")
    problem = _only(path)
    assert (problem.line, problem.col) == (3, 11)
    assert problem.message == "not UTF-8 text: byte 0xe9 cannot be decoded"


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = write_scenario(tmp_path, content)
    assert _only(path) == Problem(
        str(path), 1, 1, "", "file is empty: a scenario is a YAML mapping"
    )


@pytest.mark.parametrize("content", ["# only a comment\n", "---\n", "null\n", "~\n"])
def test_no_document(tmp_path: Path, content: str) -> None:
    path = write_scenario(tmp_path, content)
    assert "no YAML document" in _only(path).message


def test_a_utf8_bom_is_accepted(scenario_dir: Path) -> None:
    path = write_scenario(scenario_dir, b"\xef\xbb\xbf" + BASE.encode())
    assert load_scenario(path).scenario.id == "baseline"


# --- YAML ------------------------------------------------------------------------------------


def test_duplicate_key_is_located_at_the_second_key(scenario_dir: Path) -> None:
    text = _edit("  max_rounds: 24\n", "  max_rounds: 24\n  max_rounds: 12\n", BASE)
    line, col = position(text, "max_rounds: 12")
    problem = _only(write_scenario(scenario_dir, text))
    assert (problem.line, problem.col) == (line, col)
    assert 'duplicate key "max_rounds"' in problem.message


def test_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for k in range(1, 12):
        prev, this = chr(ord("a") + k - 1), chr(ord("a") + k)
        levels.append(f"{this}: &{this} [" + ", ".join([f"*{prev}"] * 10) + "]")
    path = write_scenario(tmp_path, "\n".join(levels) + "\n")
    started = time.perf_counter()
    problem = _only(path)
    assert time.perf_counter() - started < 5
    assert (problem.line, problem.col) == (1, 4)
    assert "anchors and aliases are not allowed" in problem.message


def test_an_alias_alone_is_refused_at_the_alias(tmp_path: Path) -> None:
    text = "title: x\nid: *nothing\n"
    problem = _only(write_scenario(tmp_path, text))
    assert (problem.line, problem.col) == (2, 5)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    text = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    problem = _only(write_scenario(tmp_path, text))
    assert problem.line == 1
    assert f"nested more than {MAX_DEPTH} levels" in problem.message


def test_too_many_values_are_refused(tmp_path: Path) -> None:
    text = "a: [" + ", ".join(["1"] * (MAX_NODES + 10)) + "]\n"
    problem = _only(write_scenario(tmp_path, text))
    assert problem.line == 1
    assert f"more than {MAX_NODES:,} YAML values" in problem.message


@pytest.mark.parametrize(
    "tag", ["!!python/object:os.system", "!!python/object/apply:os.system", "!custom"]
)
def test_unsafe_tags_are_refused(tmp_path: Path, tag: str) -> None:
    problem = _only(write_scenario(tmp_path, f"id: x\ntitle: {tag} ['echo hi']\n"))
    assert (problem.line, problem.col) == (2, 8)
    assert "could not determine a constructor" in problem.message


def test_syntax_error_is_located(tmp_path: Path) -> None:
    problem = _only(write_scenario(tmp_path, "id: x\ntitle: [unclosed\nactors: 1\n"))
    assert problem.line >= 2
    assert problem.message.startswith("YAML: ")
    assert "\n" not in problem.message


@pytest.mark.parametrize(("content", "kind"), [("- a\n- b\n", "list"), ("just text\n", "str")])
def test_a_scenario_is_a_mapping(tmp_path: Path, content: str, kind: str) -> None:
    problem = _only(write_scenario(tmp_path, content))
    assert (problem.line, problem.col) == (1, 1)
    assert problem.message.endswith(f"got a {kind}")


def test_a_second_document_is_refused(scenario_dir: Path) -> None:
    text = BASE + "---\nid: other\n"
    problem = _only(write_scenario(scenario_dir, text))
    assert problem.line == position(text, "---\nid: other")[0]
    assert "single document" in problem.message


# --- located schema errors -------------------------------------------------------------------


def test_unknown_key_is_located_at_the_key(scenario_dir: Path) -> None:
    text = _edit(
        "    strategy: {kind: boulware, exponent: 0.3}\n",
        "    strategy: {kind: boulware, pace: 2}\n",
        BASE,
    )
    line, col = position(text, "pace")
    problem = _only(write_scenario(scenario_dir, text))
    assert problem == Problem(
        problem.file, line, col, "actors.russia.strategy.pace", "unknown key 'pace'"
    )


def test_missing_key_is_named_in_the_path(scenario_dir: Path) -> None:
    text = _edit("  kind: mediated\n", "", BASE)
    line, col = position(text, "mediator: united_states", after="protocol:")
    problem = _only(write_scenario(scenario_dir, text))
    assert problem == Problem(
        problem.file, line, col, "protocol.kind", "missing required key 'kind'"
    )


def test_wrong_literal_lists_the_choices(scenario_dir: Path) -> None:
    text = _edit("role: mediator", "role: referee", BASE)
    line, col = position(text, "referee")
    problem = _only(write_scenario(scenario_dir, text))
    assert (problem.line, problem.col, problem.path) == (line, col, "actors.united_states.role")
    assert "'belligerent', 'guarantor', 'mediator' or 'observer'" in problem.message
    assert "(got 'referee')" in problem.message


def test_a_bad_distribution_is_located_inside_it(scenario_dir: Path) -> None:
    text = _edit(
        "value: {dist: uniform, low: 0.2, high: 0.4}",
        "value: {dist: uniform, low: 0.4, high: 0.2}",
        BASE,
    )
    problem = _only(write_scenario(scenario_dir, text))
    assert problem.line == position(text, "low: 0.4, high: 0.2")[0]
    assert problem.path == "actors.united_states.batna.value"
    assert "low (0.4) is greater than high (0.2)" in problem.message


@pytest.mark.parametrize(("value", "fragment"), [(".nan", "got nan"), (".inf", "got inf")])
def test_non_finite_numbers_are_refused(scenario_dir: Path, value: str, fragment: str) -> None:
    text = _edit("    probability: 0.0\n", f"    probability: {value}\n", BASE)
    line, col = position(text, value, after="unilateral_deployment")
    problem = _only(write_scenario(scenario_dir, text))
    assert (problem.line, problem.col) == (line, col)
    assert problem.path == "institutions.unilateral_deployment.probability"
    assert fragment in problem.message


def test_an_assumption_needs_a_rationale(scenario_dir: Path) -> None:
    text = _edit(
        "          rationale: >-\n            Not in the article. Without Western support Ukraine",
        "          speaker: us\n          # Not in the article. Without Western support Ukraine",
        BASE,
    )
    text = _edit(
        "            offensive, so we assume it would not trade",
        "          # offensive, so we assume it would not trade",
        text,
    )
    line, col = position(text, "kind: assumption", after="no_halt_of_support")
    problem = _only(write_scenario(scenario_dir, text))
    assert problem == Problem(
        problem.file,
        line,
        col,
        "actors.ukraine.red_lines.no_halt_of_support.provenance",
        "an assumption needs a `rationale` saying why it is assumed",
    )


def test_problems_are_sorted_and_carry_the_file_name(scenario_dir: Path) -> None:
    text = _edit("max_rounds: 24", "max_rounds: -1", BASE)
    text = _edit("schema_version: 1", "schema_version: 2", text)
    path = write_scenario(scenario_dir, text)
    problems = _problems(path)
    assert problems == sorted(problems)
    assert {p.file for p in problems} == {str(path)}
    assert [p.path for p in problems] == ["schema_version", "protocol.max_rounds"]


def test_load_text_resolves_sources_against_the_given_folder(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_text(BASE, "pasted.yaml", tmp_path)  # no sources/ here
    (problem,) = caught.value.problems
    assert problem.path == "sources.zh_2025_02_11.path"
    assert "does not exist" in problem.message
    # without quote verification the folder is not read
    assert load_text(BASE, "pasted.yaml", tmp_path, verify_quotes=False).scenario.id == "baseline"


# --- properties ------------------------------------------------------------------------------


@pytest.mark.slow
@given(data=scenario_dicts(max_actors=3, max_issues=2))
def test_generated_scenarios_load(data: dict, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Written as YAML and read back, a generated scenario is the one its data describes.

    (Small ones: the pure-Python YAML parser dominates; tests/test_scenario.py validates
    full-size generated scenarios without YAML.)"""
    folder = tmp_path_factory.mktemp("valid")
    loaded = load_scenario(write_scenario(folder, data))
    assert loaded.scenario == Scenario.model_validate(data)


@pytest.mark.slow
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=malformed_documents())
@example(raw=b"a: 1" + b"0" * 400 + b"\n")
@example(raw=b"a: !!binary zz\n")
@example(raw=b"a: 2025-13-45\n")
@example(raw=b"\x85\x00")
@example(raw=b"a:\x07 b\n")
@example(raw=b"? [a, b]\n: 1\n")
@example(raw=b"<<: {a: 1}\n")
@example(raw=b"- &a [*a]\n")
def test_malformed_documents_give_located_errors(
    raw: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The loader's contract: a valid scenario or located problems, never another exception."""
    folder = tmp_path_factory.mktemp("malformed")
    path = write_scenario(folder, raw)
    try:
        loaded = load_scenario(path)
    except ScenarioError as error:
        assert error.problems
        lines = raw.count(b"\n") + 1
        for problem in error.problems:
            assert problem.file == str(path)
            assert 1 <= problem.line <= lines + 1, problem
            assert problem.col >= 1, problem
            assert problem.message.strip(), problem
            assert "\n" not in str(problem), problem
    else:
        assert isinstance(loaded.scenario, Scenario)


def test_hypothesis_profile_is_ci_friendly() -> None:
    """The default profiles (tests/conftest.py) keep property tests to 200 examples."""
    if os.environ.get("HYPOTHESIS_PROFILE") in (None, "", "dev", "ci"):
        current = settings()
        assert current.max_examples == 200
        assert current.deadline is None


def test_generated_yaml_round_trips(tmp_path: Path) -> None:
    data = {"a": [1, 0.5, "yes", None, True], "b": {"c": "x: y"}}
    path = write_scenario(tmp_path, to_yaml(data))
    from ruamel.yaml import YAML

    assert YAML(typ="safe", pure=True).load(path.read_text()) == data

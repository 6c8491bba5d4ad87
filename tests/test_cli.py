"""The `redlines` command line: `validate` and `schema`, exit codes and located messages.

Every bad input of issue 2's "Done when" list is made from the shipped baseline in a
temporary folder (with a copy of `sources/`, so the other quotes resolve) and must give
exit code 2 and one line `FILE:LINE:COL: path: message` pointing at the offending node. The
expected line and column are found in the file's text by the test, not taken from the loader.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from sim.scenario.checks import MAX_OUTCOMES
from sim.scenario.schema import json_schema
from tests.builders import BASELINE, REPO, baseline_text, position

BASE = baseline_text()


@dataclass(frozen=True)
class BadInput:
    """A malformed scenario and the one problem `validate` must report for it."""

    name: str
    content: str | bytes | None
    """The file's text or bytes; None makes a directory instead of a file."""
    line: int
    col: int
    path: str
    """The dotted path printed after the location ("" when the file itself is wrong)."""
    fragment: str
    """Words the message must contain."""


def _edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once in the baseline"
    return text.replace(old, new)


def _bad_inputs() -> list[BadInput]:
    cases: list[BadInput] = []

    text = _edit('quote: "We do not discard any option."', 'quote: "We discard every option."')
    line, col = position(text, '"We discard every option."')
    cases.append(
        BadInput(
            "quote_not_in_source",
            text,
            line,
            col,
            "actors.france.red_lines.no_option_discarded.provenance.quote",
            "quote not found verbatim in source 'zh_2025_02_11': 'We discard every option.'",
        )
    )

    text = _edit(
        "        consequence: escalate\n", "        consequence: escalate\n        severity: high\n"
    )
    line, col = position(text, "severity")
    cases.append(
        BadInput(
            "unknown_key",
            text,
            line,
            col,
            "actors.russia.red_lines.no_troops_without_mandate.severity",
            "unknown key 'severity'",
        )
    )

    text = _edit("max_rounds: 24", "max_rounds: many")
    line, col = position(text, "many", after="max_rounds")
    cases.append(
        BadInput("wrong_type", text, line, col, "protocol.max_rounds", "valid integer (got 'many')")
    )

    text = _edit("firmness: {dist: uniform, low: 0.1, high: 0.4}", "firmness: [very, firm]", BASE)
    line, col = position(text, "[very, firm]")
    cases.append(
        BadInput(
            "wrong_type_number",
            text,
            line,
            col,
            "actors.france.red_lines.no_option_discarded.firmness",
            "expected a number or a distribution",
        )
    )

    text = _edit("  mediator: united_states\n", "  mediator: germany\n")
    line, col = position(text, "germany")
    cases.append(
        BadInput(
            "dangling_id",
            text,
            line,
            col,
            "protocol.mediator",
            "no actor 'germany' (actors: france, russia, ukraine, united_states)",
        )
    )

    text = _edit(
        "nato: {accession_timeline: 0.0, delayed_accession: 0.1, off_table: 1.0}",
        "nato: {accession_timeline: 0.0, delayed_accession: 0.1, off_table: 1.5}",
    )
    line, col = position(text, "1.5}")
    cases.append(
        BadInput(
            "score_out_of_range",
            text,
            line,
            col,
            "actors.russia.scores.nato.off_table",
            "a score must lie in [0.0, 1.0], got 1.5",
        )
    )

    text = _edit("id: baseline\n", "id: baseline\nid: again\n")
    line, col = position(text, "id: again")
    cases.append(BadInput("duplicate_key", text, line, col, "", 'duplicate key "id"'))

    bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    line, col = position(bomb, "&a")
    cases.append(BadInput("alias_bomb", bomb, line, col, "", "anchors and aliases are not allowed"))

    raw = _edit('title: "Ukraine, February', 'title: "Caf\udce9 Ukraine, February').encode(
        "utf-8", "surrogateescape"
    )
    line, col = position(raw.decode("latin-1"), "\xe9")
    cases.append(BadInput("not_utf8", raw, line, col, "", "not UTF-8 text: byte 0xe9"))

    cases.append(BadInput("empty_file", b"", 1, 1, "", "file is empty"))
    cases.append(BadInput("directory", None, 1, 1, "", "is a directory"))

    text = _edit(
        "\nrules:\n",
        "  - id: troops\n    name: Troops\n"
        "    range: {start: 0, stop: 1000000, step: 1}\n\nrules:\n",
    )
    line, col = position(text, "- id: nato")
    cases.append(
        BadInput(
            "outcome_space_over_limit",
            text,
            line,
            col,
            "issues",
            f"54,000,054 outcomes (3 x 3 x 2 x 3 x 1,000,001), more than the limit of "
            f"{MAX_OUTCOMES:,}",
        )
    )

    text = _edit("path: sources/", "path: ../sources/")
    line, col = position(text, "../sources/")
    cases.append(
        BadInput(
            "source_escapes_folder",
            text,
            line,
            col,
            "sources.zh_2025_02_11.path",
            "escapes the scenario's folder",
        )
    )
    return cases


BAD_INPUTS = _bad_inputs()


def _write(folder: Path, case: BadInput) -> Path:
    path = folder / f"{case.name}.yaml"
    if case.content is None:
        path.mkdir()
    elif isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8")
    return path


def _expected(path: Path, case: BadInput) -> str:
    where = f"{path}:{case.line}:{case.col}: "
    return where + (f"{case.path}: " if case.path else "")


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# --- validate ------------------------------------------------------------------------------


def test_validate_accepts_the_baseline() -> None:
    code, out, err = _invoke("validate", str(BASELINE))
    assert code == 0, err
    assert out == f"{BASELINE}: ok (baseline: 4 actors)\n"
    assert err == ""


@pytest.mark.parametrize("case", BAD_INPUTS, ids=[c.name for c in BAD_INPUTS])
def test_validate_locates_each_bad_input(scenario_dir: Path, case: BadInput) -> None:
    path = _write(scenario_dir, case)
    code, out, err = _invoke("validate", str(path))
    assert code == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(_expected(path, case)), f"{lines[0]!r} at {case.line}:{case.col}"
    assert case.fragment in lines[0]
    assert "Traceback" not in err


def test_the_quote_check_folds_typography(scenario_dir: Path) -> None:
    # the baseline writes the envoy's quote with ’typographic’ quotes; straight ones match too
    text = _edit("’Peacekeepers’ cannot operate", "'Peacekeepers' cannot\u00a0operate")
    path = scenario_dir / "folded.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = _invoke("validate", str(path))
    assert code == 0, err


def test_validate_reports_every_problem_of_a_file_in_file_order(scenario_dir: Path) -> None:
    text = _edit("max_rounds: 24", "max_rounds: 0")
    text = _edit("\ntitle: ", "\ntitel: x\ntitle: ", text)
    path = scenario_dir / "two.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = _invoke("validate", str(path))
    assert code == 2
    line, col = position(text, "titel")
    rounds_line, rounds_col = position(text, "0", after="max_rounds: ")
    assert err.splitlines() == [
        f"{path}:{line}:{col}: titel: unknown key 'titel'",
        f"{path}:{rounds_line}:{rounds_col}: protocol.max_rounds: "
        "Input should be greater than or equal to 1",
    ]


def test_validate_checks_every_file_and_fails_if_any_is_bad(scenario_dir: Path) -> None:
    bad = _write(scenario_dir, BAD_INPUTS[0])
    missing = scenario_dir / "missing.yaml"
    code, out, err = _invoke("validate", str(BASELINE), str(bad), str(missing))
    assert code == 2
    assert out == f"{BASELINE}: ok (baseline: 4 actors)\n"
    assert err.splitlines()[0].startswith(f"{bad}:")
    assert err.splitlines()[1] == f"{missing}:1:1: no such file"


def test_validate_without_files_is_a_usage_error() -> None:
    code, _, err = _invoke("validate")
    assert code == 2
    assert "Missing argument" in err


# --- schema --------------------------------------------------------------------------------


def test_schema_prints_the_json_schema() -> None:
    code, out, _ = _invoke("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema == json.loads(json.dumps(json_schema()))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert {"schema_version", "issues", "actors", "protocol"} <= set(schema["required"])


def test_the_shipped_schema_is_in_sync() -> None:
    """scenarios/schema.json must be regenerated after a schema change:
    `.venv/bin/redlines schema > scenarios/schema.json`."""
    code, out, _ = _invoke("schema")
    assert code == 0
    shipped = (REPO / "scenarios" / "schema.json").read_text(encoding="utf-8")
    assert out == shipped


# --- the console script, end to end ---------------------------------------------------------


def _redlines() -> list[str]:
    script = Path(sys.executable).with_name("redlines")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim.cli"]


@pytest.mark.slow
def test_console_script_reports_every_bad_input_with_exit_2(scenario_dir: Path) -> None:
    paths = [_write(scenario_dir, case) for case in BAD_INPUTS]
    done = subprocess.run(
        [*_redlines(), "validate", str(BASELINE), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stdout == f"{BASELINE}: ok (baseline: 4 actors)\n"
    lines = done.stderr.splitlines()
    assert len(lines) == len(BAD_INPUTS), done.stderr
    for path, case, line in zip(paths, BAD_INPUTS, lines, strict=True):
        assert line.startswith(_expected(path, case)), line
        assert case.fragment in line
    assert "Traceback" not in done.stderr


def test_console_script_help_lists_validate_and_schema() -> None:
    done = subprocess.run(
        [*_redlines(), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0
    assert "validate" in done.stdout
    assert "schema" in done.stdout

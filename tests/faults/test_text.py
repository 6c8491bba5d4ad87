"""Untrusted text stays text (issue 12, part 6): what a scenario says is shown, never obeyed.

A scenario file is written by someone else. Its words reach a terminal (every CLI output), a
browser (the dashboard), a YAML file (`export`) and the checks of its sources; at none of them
may they act as code: no terminal control sequence, no rich markup, no Markdown image or link.
"""

from __future__ import annotations

import html
import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from sim import api
from sim.cli.app import app
from sim.cli.terminal import json_text, printable
from sim.errors import ScenarioError
from sim.scenario.schema import Scenario
from tests.builders import (
    ARTICLE_PATH,
    REPO,
    SCENARIOS,
    baseline_data,
    position,
    scenario_folder,
    to_yaml,
    write_scenario,
)

# --- 1. terminal control characters are escaped in every CLI output --------------------------

ATTACK = "\x1b[2J\x1b]0;pwned\x07\u009b"
"""Clears the screen, sets the window title (ended by BEL), then a C1 CSI."""
MARKUP = "[bold red]loud[/bold red]"
BIDI = "\u202eevil\u2066"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Any character that must never reach a terminal raw."""
ESCAPED = r"\x1b[2J\x1b]0;pwned\x07\x9b"
"""How ATTACK must be shown."""


def hostile(text: str) -> str:
    """`text` followed by a terminal attack, rich markup and a bidi override."""
    return f"{text} {ATTACK} {MARKUP} {BIDI}"


def hostile_data() -> dict[str, Any]:
    """The baseline with the attack in its title, question, an actor's name, an issue's name,
    every option's label, a red line's description and an assumption's rationale."""
    data = baseline_data()
    data["title"] = hostile(data["title"])
    data["question"] = hostile("Is there a deal?")
    russia = data["actors"][0]
    russia["name"] = hostile(russia["name"])
    data["issues"][0]["name"] = hostile(data["issues"][0]["name"])
    for issue in data["issues"]:
        for option in issue["options"]:
            option["label"] = hostile(option["label"])
    line = russia["red_lines"][0]
    line["description"] = hostile(line["description"])
    line["provenance"] = {"kind": "assumption", "rationale": hostile("The modeller assumes it.")}
    return data


@pytest.fixture(scope="module")
def hostile_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = scenario_folder(tmp_path_factory.mktemp("hostile"))
    return write_scenario(folder, hostile_data())


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_safe(*outputs: str) -> None:
    for output in outputs:
        raw = sorted({f"U+{ord(c):04X}" for c in RAW.findall(output)})
        assert not raw, f"raw control characters reached the terminal: {raw}"


def test_printable_escapes_controls_but_keeps_lines_and_tabs() -> None:
    assert printable(ATTACK) == ESCAPED
    assert printable("a\tb\nc") == "a\tb\nc"
    assert printable("\r\x7f\x85\u202a\u202e\u2066\u2069") == (
        r"\x0d\x7f\x85\u202a\u202e\u2066\u2069"
    )
    assert printable("Kalai–Smorodinsky « é » 平和") == "Kalai–Smorodinsky « é » 平和"


def test_json_text_escapes_what_json_dumps_leaves_raw() -> None:
    data = {"title": hostile("t"), "nel": "\x85", "del": "\x7f", "fine": "é–\u2028"}
    text = json_text(data)
    assert_safe(text)
    assert json.loads(text) == data
    assert "é–" in text  # readable text stays readable


def test_run_prints_scenario_text_escaped_and_markup_literally(hostile_file: Path) -> None:
    code, out, err = invoke("run", hostile_file, "--seed", "3")
    assert code == 0, err
    assert_safe(out, err)
    assert ESCAPED in out
    assert MARKUP in out  # printed as written, not read as rich markup
    assert r"\u202eevil\u2066" in out


def test_explain_prints_scenario_text_escaped(hostile_file: Path) -> None:
    code, out, err = invoke("explain", hostile_file)
    assert code == 0, err
    assert_safe(out, err)
    assert ESCAPED in out
    assert MARKUP in out


def test_validate_escapes_the_file_name_and_located_messages(tmp_path: Path) -> None:
    folder = scenario_folder(tmp_path)
    good = write_scenario(folder, hostile_data(), name=f"ok{ATTACK}.yaml")
    bad_data = hostile_data()
    bad_data["actors"][0]["role"] = hostile("belligerent")
    bad_data["protocol"]["mediator"] = ATTACK
    bad = write_scenario(folder, bad_data, name=f"bad{ATTACK}.yaml")
    code, out, err = invoke("validate", good, bad)
    assert code == 2
    assert_safe(out, err)
    assert f"ok{ESCAPED}.yaml: ok (baseline: 4 actors)" in out
    assert f"bad{ESCAPED}.yaml:" in err
    assert "actors.russia.role" in err and "protocol.mediator" in err


def test_a_refused_run_prints_its_located_problems_escaped(tmp_path: Path) -> None:
    bad_data = hostile_data()
    bad_data["actors"][0]["role"] = hostile("belligerent")
    bad = write_scenario(scenario_folder(tmp_path), bad_data, name=f"bad{ATTACK}.yaml")
    code, out, err = invoke("run", bad, "--seed", "1")
    assert code == 2
    assert_safe(out, err)
    assert f"bad{ESCAPED}.yaml:" in err


@pytest.mark.parametrize("command", ["run", "explain", "sweep"])
def test_json_outputs_escape_every_unsafe_character(hostile_file: Path, command: str) -> None:
    extra = {"run": ["--seed", "3"], "explain": [], "sweep": ["--runs", "5", "--workers", "1"]}
    code, out, err = invoke(command, hostile_file, "--json", *extra[command])
    assert code == 0, err
    assert_safe(out, err)
    json.loads(out)


def test_explain_json_keeps_the_strings_exactly(hostile_file: Path) -> None:
    code, out, _ = invoke("explain", hostile_file, "--json")
    assert code == 0
    labels = {o["label"] for issue in hostile_data()["issues"] for o in issue["options"]}
    assert labels & strings(json.loads(out))  # the labels of the terms, exactly


def strings(data: Any) -> set[str]:
    """Every string inside decoded JSON."""
    if isinstance(data, dict):
        return set().union(*(strings(v) for v in data.values()), map(str, data))
    if isinstance(data, list):
        return set().union(*(strings(v) for v in data))
    return {data} if isinstance(data, str) else set()


def test_sweep_text_is_safe(hostile_file: Path) -> None:
    code, out, err = invoke("sweep", hostile_file, "--runs", "5", "--workers", "1")
    assert code == 0, err
    assert_safe(out, err)
    assert "5 runs" in out


# --- 6. export round-trips every string the schema accepts ----------------------------------

TRICKY = [
    "?0",  # an indicator glued to more: ruamel wrote it plain in a flow mapping, unreadable
    ":x",
    "-1a",
    "\x85",  # NEL: a line break to YAML
    "a\u2028b\u2029c",  # line and paragraph separators
    "\ufeffbom",
    " leading and trailing ",
    "tab\there",
    "two\n\nlines\n",
    "\x1b[2J\x07",
    "\x9b\x7f",
    "a " * 60 + "\x85 folded",
    "x" * 120 + " \x07 " + "y" * 10,
    "\U0001f600 astral",
    "\ufffe\uffff",
    "'\"# : - ? [ ] { } & * ! | > % @ `",
    "",
    " ",
]


def tiny(title: str, name: str, line: str, rationale: str) -> dict[str, Any]:
    """A small valid scenario with these texts in its title, an actor's name, a red line's
    description and its assumption's rationale."""
    actor = {"role": "belligerent", "weights": {"x": 1.0}, "batna": {"value": 0.2}}
    return {
        "schema_version": 1,
        "id": "tiny",
        "title": title,
        "issues": [{"id": "x", "name": "X", "options": [{"id": "a"}, {"id": "b"}]}],
        "actors": [
            actor | {"id": "p", "name": name, "scores": {"x": [1.0, 0.0]}, "red_lines": [
                {"id": "no_b", "description": line, "forbids": {"x": ["b"]},
                 "provenance": {"kind": "assumption", "rationale": rationale}}]},
            actor | {"id": "q", "name": "Q", "scores": {"x": [0.0, 1.0]}},
        ],
        "protocol": {"kind": "alternating", "max_rounds": 3},
    }  # fmt: skip


def exported_strings_survive(title: str, name: str, line: str, rationale: str) -> bool:
    """Export a scenario with these texts, load it back: the same strings, exactly (True); a
    text the schema refuses is a located ScenarioError of the loader, never a crash (False)."""
    data = tiny(title, name, line, rationale)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError:
        with pytest.raises(ScenarioError) as refused:
            api.load_text(to_yaml(data), "refused.yaml", SCENARIOS)
        assert all(p.file == "refused.yaml" and p.line >= 1 for p in refused.value.problems)
        return False  # not a string export must keep
    again = api.load_text(api.export_yaml(scenario), "exported.yaml", SCENARIOS).scenario
    assert again.title == title
    assert again.actors[0].name == name
    assert again.actors[0].red_lines[0].description == line
    assert again.actors[0].red_lines[0].provenance.rationale == rationale
    assert again == scenario
    return True


@pytest.mark.parametrize("text", TRICKY)
def test_export_round_trips_awkward_strings(text: str) -> None:
    assert exported_strings_survive(text, text, text, text or "a rationale")


def test_a_text_the_schema_refuses_is_a_located_error() -> None:
    assert not exported_strings_survive("x" * 20_001, "P", "l", "r")
    assert not exported_strings_survive("t", "P", "l", "")  # an assumption needs a rationale


def test_nel_is_written_as_an_escape() -> None:
    text = api.export_yaml(Scenario.model_validate(tiny("a\x85b", "P", "l", "r")))
    assert 'title: "a\\Nb"' in text


YAML_SPECIALS = st.sampled_from(
    list("\x85\u2028\u2029\ufeff\x1b\x07\x9b\r\n\t '\":#-|>") + list("?,[]{}&*!%@`")
)
"""Characters YAML treats specially: drawn often, as arbitrary Unicode rarely hits them."""
texts = st.text(st.one_of(st.characters(), YAML_SPECIALS))
long_texts = st.one_of(texts, st.text(max_size=300), st.just("x" * 20_001))


@pytest.mark.slow
@given(title=long_texts, name=st.text(), line=texts, rationale=texts)
def test_export_round_trips_every_string_the_schema_accepts(
    title: str, name: str, line: str, rationale: str
) -> None:
    assume(exported_strings_survive(title, name, line, rationale))


# --- 3. a source is a document, a quote a passage between word boundaries --------------------

QUOTE = "We do not discard any option."
"""France's quote in the baseline (line 14 of the article)."""


def _with_quote(quote: str) -> dict[str, Any]:
    data = baseline_data()
    for actor in data["actors"]:
        for line in actor.get("red_lines", []):
            if line["provenance"].get("quote") == QUOTE:
                line["provenance"]["quote"] = quote
    return data


def _problems(path: Path) -> list[api.Problem]:
    return api.validate(path)


def test_the_baseline_quote_between_word_boundaries_is_found(tmp_path: Path) -> None:
    assert _problems(write_scenario(scenario_folder(tmp_path), _with_quote(QUOTE))) == []


@pytest.mark.parametrize(
    ("quote", "fragment"),
    [
        ("a", "at least 12 characters (a passage, not a word); this one has 1"),
        ("any option", "at least 12 characters"),
        ("  any   option.  ", "at least 12 characters"),  # counted after folding
        (QUOTE[1:], "quote not found verbatim"),  # starts inside the word "We"
        (QUOTE[:-4], "quote not found verbatim"),  # ends inside the word "option"
        ("e do not discard any optio", "quote not found verbatim"),
    ],
)
def test_a_short_quote_or_one_cut_inside_a_word_is_refused_located(
    tmp_path: Path, quote: str, fragment: str
) -> None:
    path = write_scenario(scenario_folder(tmp_path), _with_quote(quote))
    text = path.read_text(encoding="utf-8")
    (problem,) = _problems(path)
    assert problem.path == "actors.france.red_lines.no_option_discarded.provenance.quote"
    assert fragment in problem.message
    assert problem.file == str(path)
    assert problem.line == position(text, "quote:", after="no_option_discarded")[0]


def test_quote_found_needs_word_boundaries() -> None:
    assert api.quote_found("peace", "a lasting peace.")
    assert not api.quote_found("eace", "a lasting peace.")
    assert not api.quote_found("a lasting pea", "a lasting peace.")
    assert api.quote_found("'Peacekeepers' cannot", "\u201c\u2019Peacekeepers\u2019 cannot")
    assert api.quote_line("on", "one\non") == 2  # the first match between boundaries


def _source_at(data: dict[str, Any], path: str) -> dict[str, Any]:
    data["sources"][0]["path"] = path
    return data


def _source_problem(folder: Path, source_path: str) -> api.Problem:
    path = write_scenario(folder, _source_at(baseline_data(), source_path))
    problems = [p for p in _problems(path) if p.path == "sources.zh_2025_02_11.path"]
    assert len(problems) == 1, _problems(path)
    text = path.read_text(encoding="utf-8")
    assert problems[0].line == position(text, f"path: {source_path}")[0]
    return problems[0]


def test_the_scenario_file_itself_is_not_a_source(tmp_path: Path) -> None:
    problem = _source_problem(scenario_folder(tmp_path), "scenario.yaml")
    assert "is a YAML file: a source is a document (.txt or .md)" in problem.message


@pytest.mark.parametrize("name", ["other.yml", "OTHER.YAML"])
def test_no_yaml_file_is_a_source(tmp_path: Path, name: str) -> None:
    folder = scenario_folder(tmp_path)
    (folder / name).write_text("Moscow is unlikely to enter negotiations\n", encoding="utf-8")
    assert "is a YAML file" in _source_problem(folder, name).message


@pytest.mark.parametrize("name", ["page.html", "table.csv", "noext"])
def test_only_txt_and_md_are_documents(tmp_path: Path, name: str) -> None:
    folder = scenario_folder(tmp_path)
    (folder / name).write_text("We do not discard any option.\n", encoding="utf-8")
    assert "is not a document: a source is a .txt or .md file" in (
        _source_problem(folder, name).message
    )


def test_a_link_named_txt_to_the_scenario_is_refused(tmp_path: Path) -> None:
    folder = scenario_folder(tmp_path)
    (folder / "article.txt").symlink_to(folder / "scenario.yaml")
    assert "is a YAML file" in _source_problem(folder, "article.txt").message


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_a_scenario_saved_as_a_document_is_not_a_source(tmp_path: Path, suffix: str) -> None:
    folder = scenario_folder(tmp_path)
    (folder / f"copy{suffix}").write_text(to_yaml(baseline_data()), encoding="utf-8")
    problem = _source_problem(folder, f"copy{suffix}")
    assert "is a scenario (a mapping with actors and issues), not a document" in problem.message


def test_a_document_that_mentions_actors_and_issues_is_still_a_document(tmp_path: Path) -> None:
    folder = scenario_folder(tmp_path)
    article = (folder / "sources" / "2025-02-11-russia-peacekeepers-condition.txt").read_text()
    notes = f"# Notes\n\nKey issues: NATO.\nThe actors: four.\n\n{article}"
    (folder / "notes.md").write_text(notes, encoding="utf-8")
    path = write_scenario(folder, _source_at(baseline_data(), "notes.md"))
    assert _problems(path) == []


# --- 2. the dashboard shows scenario text as text, never as Markdown -------------------------

IMAGE = "![x](http://example.invalid/x.png)"
DIRECTIVES = ":red[loud] :material/warning: $x^2$ <b>bold</b> www.example.invalid"


def _nodes(node: Any) -> Any:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def _shown(at: Any) -> list[str]:
    """The text of every element's protobuf (bodies, labels, help, tab names...) but the Arrow
    tables and the HTML: `st.dataframe` shows plain text, `st.table`'s cells and `st.html`
    (the source with its quotes, HTML-escaped) are checked apart."""
    return [
        str(node.proto)
        for node in _nodes(at._tree)
        if getattr(node, "proto", None) is not None
        and getattr(node, "type", "") not in ("dataframe", "table", "html")
    ]


def _with_images() -> dict[str, Any]:
    data = baseline_data()
    data["title"] = f"Title {IMAGE}"
    data["description"] = f"Description {IMAGE} {DIRECTIVES}"
    data["question"] = f"Question {IMAGE}"
    russia = data["actors"][0]
    russia["name"] = f"Russia {IMAGE}"
    line = russia["red_lines"][0]
    line["description"] = f"Red line {IMAGE}"
    line["provenance"] = {"kind": "assumption", "rationale": f"Assumed {IMAGE} {DIRECTIVES}"}
    return data


def test_the_scenario_page_shows_markdown_in_the_file_as_text() -> None:
    from streamlit.testing.v1 import AppTest

    from dashboard.labels import literal

    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
    at.run()
    upload = to_yaml(_with_images()).encode()
    at.file_uploader(key="scenario_uploader").set_value(("images.yaml", upload, "text/yaml"))
    at.run()
    assert not at.exception
    assert at.header[0].value == literal(f"Title {IMAGE}")  # the page shows the upload
    shown = _shown(at)
    for proto in shown:
        assert "![" not in proto and "](" not in proto, proto
        assert ":red[" not in proto and ":material/warning:" not in proto, proto
        assert "$x^2$" not in proto and "<b>" not in proto, proto
    everything = "\n".join(shown)
    for text in (f"Description {IMAGE}", f"Question {IMAGE}", f"Russia {IMAGE}"):
        assert literal(text).replace("\\", "\\\\") in everything, text  # text format doubles \
    table = at.table[0].value
    cells = [str(c) for c in table.to_numpy().ravel()]
    assert literal(f"Russia {IMAGE}") in cells
    assert not any("![" in c or "](" in c for c in cells)
    assert any(literal(f"Assumed {IMAGE}") in c for c in cells)
    source = at.get("html")[0].proto.body
    assert "<img" not in source and html.escape(f"Russia {IMAGE}") in source


# --- 4. the dashboard's upload folder is new, private, and follows no link -------------------


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$TMPDIR in `tmp_path`, and no upload folder made yet by this process."""
    import tempfile

    from dashboard import catalogue

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(catalogue, "_UPLOADS", {})
    return tmp_path


NOTE = {"note.txt": b"A note that is long enough to quote from.\n"}


def test_the_upload_folder_is_new_and_private_not_a_planted_link(private_tmp: Path) -> None:
    from dashboard.catalogue import source_folder

    elsewhere = private_tmp / "attacker"
    elsewhere.mkdir()
    (private_tmp / "redlines-dashboard").symlink_to(elsewhere)  # where uploads used to go
    folder = source_folder(NOTE)
    assert folder.parent == private_tmp and not folder.is_symlink()
    assert folder.name.startswith("redlines-upload-")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert list(elsewhere.iterdir()) == []  # nothing written through the planted link
    note = folder / "sources" / "note.txt"
    assert note.read_bytes() == NOTE["note.txt"]
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    assert (folder / "sources" / ARTICLE_PATH.name).read_bytes() == ARTICLE_PATH.read_bytes()
    assert source_folder(NOTE) == folder  # the same upload, the same folder (and caches)
    assert source_folder({"other.txt": b"x"}) != folder


def test_a_link_where_an_upload_goes_is_refused_not_followed(private_tmp: Path) -> None:
    from dashboard.catalogue import source_folder

    folder = source_folder(NOTE)
    secret = private_tmp / "secret.txt"
    secret.write_text("keep me", encoding="utf-8")
    note = folder / "sources" / "note.txt"
    note.unlink()
    note.symlink_to(secret)
    with pytest.raises(ScenarioError) as refused:
        source_folder(NOTE)
    (problem,) = refused.value.problems
    assert problem.file == "note.txt" and "symbolic link" in problem.message
    assert "refused, not followed" in problem.message
    assert secret.read_text(encoding="utf-8") == "keep me"


def test_an_upload_with_its_source_loads_from_the_private_folder(private_tmp: Path) -> None:
    from dashboard.catalogue import uploaded_file

    data = baseline_data()
    data["sources"][0]["path"] = "sources/copy.txt"
    upload = uploaded_file(
        "mine.yaml", to_yaml(data).encode(), {"copy.txt": ARTICLE_PATH.read_bytes()}
    )
    assert Path(upload.folder).parent == private_tmp
    loaded = api.load_text(upload.text, upload.name, upload.folder)
    assert loaded.scenario.sources[0].path == "sources/copy.txt"


# --- 5. served beyond this machine only on purpose ------------------------------------------


def test_the_repository_ships_a_streamlit_config_bound_to_loopback() -> None:
    import tomllib

    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"] == {"address": "127.0.0.1", "headless": True}
    assert config["browser"] == {"gatherUsageStats": False}


@pytest.mark.parametrize(
    ("address", "explicit", "warned"),
    [("0.0.0.0", False, True), ("", False, True), ("127.0.0.1", False, False),
     ("0.0.0.0", True, False)],
)  # fmt: skip
def test_every_page_warns_when_served_beyond_this_machine_unasked(
    monkeypatch: pytest.MonkeyPatch, address: str, explicit: bool, warned: bool
) -> None:
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    if explicit:
        monkeypatch.setenv("REDLINES_EXPLICIT_HOST", "1")
    else:
        monkeypatch.delenv("REDLINES_EXPLICIT_HOST", raising=False)
    before = config.get_option("server.address")
    config.set_option("server.address", address)
    try:
        at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=120)
        at.run()
        scenario_page = [w.value for w in at.warning if "served" in w.value]
        at.switch_page("views/bargaining.py").run()
        other_page = [w.value for w in at.warning if "served" in w.value]
    finally:
        config.set_option("server.address", before)
    assert not at.exception
    if warned:
        where = f"on {address}" if address else "on every network interface"
        assert len(scenario_page) == len(other_page) == 1
        assert f"This dashboard is served {where}, not only on this machine" in other_page[0]
        assert "redlines dashboard --host ADDRESS" in other_page[0]
    else:
        assert scenario_page == other_page == []


def test_redlines_dashboard_tells_the_app_its_address_was_chosen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import subprocess

    started: dict[str, Any] = {}

    class Server:
        def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
            started.update(command=command, env=env)

        def wait(self) -> int:
            return 0

        def terminate(self) -> None:  # pragma: no cover - only on a signal
            pass

    monkeypatch.setattr(subprocess, "Popen", Server)
    code, _, err = invoke("dashboard", "--host", "0.0.0.0", "--port", "8999")
    assert code == 0, err
    command = started["command"]
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert started["env"]["REDLINES_EXPLICIT_HOST"] == "1"

"""Source documents and the verbatim check of quotes (after folding typography)."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import sim.scenario.sources
from sim import api
from sim.scenario.sources import fold, quote_found, quote_line, read_source, resolve_source
from tests.builders import ARTICLE_PATH, BASELINE, SOURCES

ARTICLE = ARTICLE_PATH.read_text(encoding="utf-8")


def test_doctests() -> None:
    assert doctest.testmod(sim.scenario.sources).failed == 0


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("\u2018single\u2019 \u201cdouble\u201d", "'single' \"double\""),
        ("Moscow\u2019s", "Moscow's"),
        ("\u201elow\u201c and \u00abguillemets\u00bb", '"low" and "guillemets"'),
        ("a \u2013 b \u2014 c \u2212 d \u2011e", "a - b - c - d -e"),
        ("no\u00a0break\u202fthin\u2009space", "no break thin space"),
        ("  many \n\t spaces  ", "many spaces"),
        ("wait\u2026", "wait..."),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


# --- the baseline's quotes -------------------------------------------------------------------

# (red line id, the line of the article where its quote starts): see scenarios/README.md
BASELINE_QUOTES = {
    "no_nato_timeline": 27,
    "talks_require_nato_off_table": 27,
    "no_troops_without_mandate": 23,
    "veto_western_troops": 25,
    "no_western_peacekeepers": 21,
    "plan_includes_peacekeepers": 29,
    "support_continues": 12,
    "no_option_discarded": 14,
}


def test_every_baseline_quote_is_on_its_line(baseline: api.LoadedScenario) -> None:
    scenario = baseline.scenario
    lines = {
        line.id: quote_line(line.provenance.quote, ARTICLE)
        for actor in scenario.actors
        for line in actor.red_lines
        if line.provenance.quote is not None
    }
    assert lines == BASELINE_QUOTES


def test_the_envoys_typographic_quote_is_found_with_straight_quotes() -> None:
    # the article writes "’Peacekeepers’ (a straight quote, then a typographic apostrophe)
    assert quote_found("'Peacekeepers' cannot operate without a mandate", ARTICLE)
    assert quote_found("Moscow's ambassador to the UN", ARTICLE)


@pytest.mark.parametrize(
    "quote",
    [
        "We do not discard any option!",  # punctuation differs
        "we do not discard any option.",  # case differs
        "We do not discard any options.",  # a letter added
        "rejecting any timeline of NATO membership",  # quotes dropped
        "",
        "   ",
    ],
)
def test_near_misses_are_not_found(quote: str) -> None:
    assert not quote_found(quote, ARTICLE)
    assert quote_line(quote, ARTICLE) is None


def test_a_quote_across_lines_of_the_source_is_found_on_its_first_line() -> None:
    text = "Title\n\nHe said: \u201cwe will\nnot\u00a0go\u201d and left.\nThe end."
    assert quote_found('"we will not go"', text)
    assert quote_line('"we will not go"', text) == 3
    assert quote_line("go\u201d and left. The end", text) == 4


def test_quote_line_finds_the_whole_quote_not_just_its_beginning() -> None:
    text = "We do not discard any idea.\nWe do not discard any option."
    assert quote_line("We do not discard any option.", text) == 2


@given(data=st.data())
def test_quote_line_is_where_the_passage_starts(data: st.DataObject) -> None:
    lines = ARTICLE.split("\n")
    number = data.draw(st.sampled_from([n for n, line in enumerate(lines, 1) if line.strip()]))
    words = fold(lines[number - 1]).split(" ")
    start = data.draw(st.integers(0, len(words) - 1))
    quote = " ".join(words[start : start + data.draw(st.integers(1, 60))])
    assume(fold(ARTICLE).count(fold(quote)) == 1)
    assert quote_line(quote, ARTICLE) == number


_TYPOGRAPHY = {
    "'": ["\u2019", "\u2018"],
    '"': ["\u201c", "\u201d"],
    "-": ["\u2013", "\u2014"],
    " ": ["\u00a0", "  "],
}


@given(data=st.data())
def test_any_passage_of_the_article_is_found_whatever_its_typography(data: st.DataObject) -> None:
    words = fold(ARTICLE).split(" ")
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, min(len(words), start + 40)))
    quote = " ".join(words[start:end])
    styled = "".join(
        data.draw(st.sampled_from([c, *_TYPOGRAPHY[c]])) if c in _TYPOGRAPHY else c for c in quote
    )
    assert quote_found(styled, ARTICLE)


@given(word=st.text("abcdefghijklmnopqrstuvwxyz", min_size=12, max_size=20))
def test_an_invented_word_is_not_found(word: str) -> None:
    assume(word not in ARTICLE.lower())
    assert not quote_found(f"Russia will {word}", ARTICLE)


# --- paths ---------------------------------------------------------------------------------


def test_resolve_source_inside_the_folder() -> None:
    path = resolve_source(BASELINE.parent, "sources/2025-02-11-russia-peacekeepers-condition.txt")
    assert path == ARTICLE_PATH.resolve()


@pytest.mark.parametrize(
    ("relative", "fragment"),
    [
        ("../baseline.yaml", "escapes the scenario's folder"),
        ("sources/../../x.txt", "escapes the scenario's folder"),
        ("/etc/hostname", "must be relative"),
        ("sources/nothing.txt", "does not exist"),
        ("sources", "is not a file"),
    ],
)
def test_resolve_source_refuses(relative: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        resolve_source(SOURCES, relative if relative != "sources" else ".")


def test_resolve_source_refuses_a_symlink_escaping(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    folder.mkdir()
    (tmp_path / "secret.txt").write_text("x", encoding="utf-8")
    (folder / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(ValueError, match="escapes the scenario's folder"):
        resolve_source(folder, "link.txt")


def test_read_source_refuses_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"caf\xe9")
    with pytest.raises(ValueError, match="is not UTF-8 text"):
        read_source(path)


def test_read_source_refuses_a_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:
        handle.truncate(sim.scenario.sources.MAX_SOURCE_BYTES + 1)
    with pytest.raises(ValueError, match="larger than"):
        read_source(path)


# --- scenarios/README.md -------------------------------------------------------------------


def _readme_rows() -> dict[str, list[str]]:
    """The rows of the red-line table in scenarios/README.md, by red line id."""
    text = (BASELINE.parent / "README.md").read_text(encoding="utf-8")
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[1].startswith("`"):
            rows[cells[1].strip("`")] = cells
    return rows


def test_the_scenarios_readme_maps_every_baseline_red_line_to_its_quote(
    baseline: api.LoadedScenario,
) -> None:
    scenario = baseline.scenario
    rows = _readme_rows()
    lines = {line.id: (actor, line) for actor in scenario.actors for line in actor.red_lines}
    assert set(rows) == set(lines)
    for red_line_id, (actor, line) in lines.items():
        name, _, _, kind, _, quote, number = rows[red_line_id]
        provenance = line.provenance
        assert (name, kind) == (actor.name, provenance.kind), red_line_id
        if provenance.quote is None:
            assert number == "—"
            continue
        assert quote.startswith('"') and quote.endswith('"'), red_line_id
        assert fold(quote[1:-1]) == fold(provenance.quote), red_line_id
        assert int(number) == quote_line(provenance.quote, ARTICLE), red_line_id

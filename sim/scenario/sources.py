"""Source documents and the verbatim check of quotes against them.

A source is a document: a `.txt` or `.md` file inside the scenario's folder that is not itself
a scenario (no YAML file, nothing that reads as a mapping with `actors` and `issues`), so a
scenario cannot vouch for its own quotes. A quote is a passage, not a word: at least
:data:`MIN_QUOTE_CHARS` characters once folded, found verbatim and starting and ending at word
boundaries of the source (`eace` is not found in `peace`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from sim.errors import ScenarioError
from sim.scenario.reading import parse_yaml

MAX_SOURCE_BYTES = 5 * 1024 * 1024
DOCUMENT_SUFFIXES = (".txt", ".md")
"""The kinds of file a source may be (the suffix, in any case)."""
MIN_QUOTE_CHARS = 12
"""The shortest quote, in characters after folding: a phrase, not a word or a letter."""

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u2026": "...",
    }
)  # fmt: skip
_SPACES = re.compile(r"\s+")  # \s covers no-break, thin and other Unicode spaces


def fold(text: str) -> str:
    """Text with typographic quotes, apostrophes, dashes and spaces made plain.

    >>> fold("\u2019Peacekeepers\u2019 cannot\u00a0operate \u2014 here")
    "'Peacekeepers' cannot operate - here"
    """
    return _SPACES.sub(" ", text.translate(_FOLD)).strip()


def quote_found(quote: str, text: str) -> bool:
    """Whether `quote` stands verbatim in `text`, once both are folded, between word boundaries.

    >>> quote_found("peace", "a lasting peace."), quote_found("eace", "a lasting peace.")
    (True, False)
    """
    return quote_in_folded(quote, fold(text))


def quote_in_folded(quote: str, folded_text: str) -> bool:
    """Whether `quote` stands verbatim in a text already folded (fold a source once)."""
    return find_quote(fold(quote), folded_text) >= 0


def find_quote(folded_quote: str, folded_text: str) -> int:
    """Where a folded quote first stands in a folded text starting and ending at word
    boundaries, or -1 (also for an empty quote).

    >>> find_quote("on", "one on"), find_quote("on", "one"), find_quote("", "one")
    (4, -1, -1)
    """
    if not folded_quote:
        return -1
    at = folded_text.find(folded_quote)
    while at >= 0:
        end = at + len(folded_quote)
        if _boundary(folded_text, at) and _boundary(folded_text, end):
            return at
        at = folded_text.find(folded_quote, at + 1)
    return -1


def _boundary(text: str, at: int) -> bool:
    """Whether `at` (between `text[at - 1]` and `text[at]`) is not inside a word."""
    return at == 0 or at == len(text) or not (_word(text[at - 1]) and _word(text[at]))


def _word(char: str) -> bool:
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def quote_too_short(quote: str) -> str | None:
    """Why a quote is too short to verify anything, or None when it is long enough.

    >>> quote_too_short("a"), quote_too_short("We do not discard any option.")
    ('a quote must be at least 12 characters (a passage, not a word); this one has 1', None)
    """
    length = len(fold(quote))
    if length >= MIN_QUOTE_CHARS:
        return None
    return (
        f"a quote must be at least {MIN_QUOTE_CHARS} characters (a passage, not a word); "
        f"this one has {length}"
    )


def quote_line(quote: str, text: str) -> int | None:
    """The 1-based line of `text` where `quote` starts, or None when it is not there.

    The quote is found as :func:`quote_found` finds it (folded, across line breaks); its line
    is the first whose folded prefix of the text reaches the match.

    >>> quote_line("b c", "a b\\nc d"), quote_line("c d", "a b\\nc d"), quote_line("e", "a")
    (1, 2, None)
    """
    at = find_quote(fold(quote), fold(text))
    if at < 0:
        return None
    lines = text.split("\n")
    low, high = 1, len(lines)
    while low < high:  # folded prefixes only grow with more lines: bisect on their length
        middle = (low + high) // 2
        if len(fold("\n".join(lines[:middle]))) > at:
            high = middle
        else:
            low = middle + 1
    return low


def resolve_source(folder: Path, relative: str) -> Path:
    """The source file's path, refusing one that escapes the scenario's folder or that is not a
    document (`.txt` or `.md`, also where a symbolic link points).

    Raises ValueError with a message for the user.
    """
    if Path(relative).is_absolute():
        raise ValueError(f"source path {relative!r} must be relative to the scenario's folder")
    root = folder.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"source path {relative!r} escapes the scenario's folder")
    if not path.exists():
        raise ValueError(f"source file {relative!r} does not exist (looked in {root})")
    if not path.is_file():
        raise ValueError(f"source path {relative!r} is not a file")
    for suffix in {Path(relative).suffix.lower(), path.suffix.lower()}:
        if suffix in (".yaml", ".yml"):
            raise ValueError(
                f"source path {relative!r} is a YAML file: a source is a document (.txt or "
                ".md), never a scenario file"
            )
        if suffix not in DOCUMENT_SUFFIXES:
            raise ValueError(
                f"source path {relative!r} is not a document: a source is a .txt or .md file"
            )
    return path


def read_source(path: Path) -> str:
    """A source document's text (UTF-8), refusing one that reads as a scenario.

    Raises ValueError with a message for the user.
    """
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise ValueError(f"source file {path.name} is larger than {MAX_SOURCE_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"source file {path.name} is not UTF-8 text ({error.reason})") from None
    if is_scenario(text):
        raise ValueError(
            f"source file {path.name} is a scenario (a mapping with actors and issues), not a "
            "document: a scenario cannot be the source of quotes"
        )
    return text


_SCENARIO_KEYS = [re.compile(rf"\b{key}[\"']?\s*:") for key in ("actors", "issues")]


def is_scenario(text: str) -> bool:
    """Whether `text` reads as YAML whose top level is a mapping with `actors` and `issues`.

    >>> is_scenario("actors: []\\nissues: []"), is_scenario("The issues: who the actors are.")
    (True, False)
    """
    if not all(key.search(text) for key in _SCENARIO_KEYS):  # most documents stop here
        return False
    try:
        data = parse_yaml(text, "source").data
    except ScenarioError:
        return False
    return isinstance(data, dict) and "actors" in data and "issues" in data

"""Source documents and the verbatim check of quotes against them."""

from __future__ import annotations

import re
from pathlib import Path

MAX_SOURCE_BYTES = 5 * 1024 * 1024

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
    """Whether `quote` stands verbatim in `text`, once both are folded."""
    return quote_in_folded(quote, fold(text))


def quote_in_folded(quote: str, folded_text: str) -> bool:
    """Whether `quote` stands verbatim in a text already folded (fold a source once)."""
    folded = fold(quote)
    return bool(folded) and folded in folded_text


def quote_line(quote: str, text: str) -> int | None:
    """The 1-based line of `text` where `quote` starts, or None when it is not there.

    The quote is found as :func:`quote_found` finds it (folded, across line breaks); its line
    is the first whose folded prefix of the text reaches the match.

    >>> quote_line("b c", "a b\\nc d"), quote_line("c d", "a b\\nc d"), quote_line("e", "a")
    (1, 2, None)
    """
    folded = fold(quote)
    at = fold(text).find(folded) if folded else -1
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
    """The source file's path, refusing one that escapes the scenario's folder.

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
    return path


def read_source(path: Path) -> str:
    """A source document's text (UTF-8). Raises ValueError with a message for the user."""
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise ValueError(f"source file {path.name} is larger than {MAX_SOURCE_BYTES} bytes")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(f"source file {path.name} is not UTF-8 text ({error.reason})") from None

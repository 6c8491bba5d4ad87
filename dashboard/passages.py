"""A source document as HTML with the quoted passages highlighted.

Quotes are found the way :func:`sim.scenario.sources.quote_found` finds them (after
:func:`sim.scenario.sources.fold`: typographic quotes, dashes and runs of spaces made plain), then
mapped back to the original text, so the highlight covers exactly what the scenario quotes.
All document text is HTML-escaped; only our own `<mark>` and line-number markup is added.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from sim.api import fold


@dataclass(frozen=True)
class Passage:
    """A quote to highlight, and what to say about it on hover."""

    quote: str
    note: str
    assumption: bool = False


def folded_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold(text)` without the final strip, with the original index of each folded char.

    >>> folded_with_positions("a\u00a0 \u2019b")
    ("a 'b", [0, 1, 3, 4])
    """
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        piece = fold(f"x{char}x")[1:-1]  # fold() strips the ends: pad so a space survives
        for folded_char in piece:
            if folded_char == " " and out and out[-1] == " ":
                continue
            out.append(folded_char)
            where.append(index)
    return "".join(out), where


def span(quote: str, text: str) -> tuple[int, int] | None:
    """The [start, end) of `quote` in `text` once both are folded, or None.

    >>> text = "He said: \u201cWe do not\u00a0discard any option.\u201d"
    >>> start, end = span('We do not discard any option.', text)
    >>> text[start:end]
    'We do not\\xa0discard any option.'
    """
    needle = fold(quote)
    if not needle:
        return None
    haystack, where = folded_with_positions(text)
    at = haystack.find(needle)
    if at < 0:
        return None
    last = at + len(needle) - 1
    return where[at], where[last] + 1


def highlighted_html(text: str, passages: Sequence[Passage]) -> str:
    """The document as numbered lines of HTML, each quoted passage in a `<mark>`.

    >>> "<mark" in highlighted_html("a <b> c", [Passage("<b>", "x")])
    True
    >>> "&lt;b&gt;" in highlighted_html("a <b> c", [Passage("<b>", "x")])
    True
    """
    owner: list[int | None] = [None] * len(text)  # which passage marks each character
    for number, passage in enumerate(passages):
        found = span(passage.quote, text)
        if found is None:
            continue
        start, end = found
        if any(o is not None for o in owner[start:end]):
            continue  # overlapping quotes: the first one already covers the text
        owner[start:end] = [number] * (end - start)
    rows: list[str] = []
    offset = 0
    for line_number, line in enumerate(text.split("\n"), start=1):
        parts: list[str] = []
        current: int | None = None
        for k, char in enumerate(line):
            mark = owner[offset + k]
            if mark != current:
                if current is not None:
                    parts.append("</mark>")
                if mark is not None:
                    passage = passages[mark]
                    css = ' class="rl-assumption"' if passage.assumption else ""
                    parts.append(f'<mark{css} title="{html.escape(passage.note, quote=True)}">')
                current = mark
            parts.append(html.escape(char))
        if current is not None:
            parts.append("</mark>")
        offset += len(line) + 1
        shown = "".join(parts) or "&nbsp;"
        rows.append(
            f'<div class="rl-line"><span class="rl-no">{line_number}</span>'
            f"<span>{shown}</span></div>"
        )
    return f'{STYLE}<div class="rl-source">{"".join(rows)}</div>'


STYLE = (
    "<style>.rl-source{font-family:Georgia,serif;line-height:1.55;max-height:36rem;"
    "overflow-y:auto;padding:.5rem 1rem;border:1px solid #ddd;border-radius:.5rem}"
    ".rl-line{display:flex;gap:.8rem}.rl-no{color:#999;min-width:2rem;text-align:right;"
    "user-select:none;font-size:.8rem;padding-top:.2rem}"
    ".rl-source mark{background:#ffe08a;padding:0 .1rem;border-radius:.2rem}</style>"
)

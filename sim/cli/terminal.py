"""Untrusted text made safe for a terminal: control characters shown, never obeyed.

A scenario's words (its title, actors' names, options' labels, quotes) come from whoever wrote
the file. Printed raw, an ESC sequence clears the screen or sets the window title, a carriage
return overwrites a line and a bidi override reorders what follows. Every human-readable output
of the CLI passes scenario text through :func:`printable`; every JSON output goes through
:func:`json_text`.
"""

from __future__ import annotations

import json
import re
from typing import Any

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""C0 controls but tab and line feed, DEL, C1 controls, bidi embeddings, overrides and
isolates (U+202A-U+202E, U+2066-U+2069)."""
_NOT_ESCAPED_BY_JSON = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    r"""`text` with every unsafe character written as a visible escape (`\x1b`, `\u202e`).

    >>> printable("a\x1b[2Jb\tc\n\u202ed\x85")
    'a\\x1b[2Jb\tc\n\\u202ed\\x85'
    """
    return UNSAFE.sub(_escape, text)


def json_text(data: Any, **options: Any) -> str:
    r"""`data` as JSON that keeps non-ASCII text readable but escapes every unsafe character.

    `json.dumps(..., ensure_ascii=False)` escapes C0 controls but writes DEL, C1 controls and
    bidi overrides raw; these are escaped here as `\u` sequences (they occur only inside JSON
    strings, so the document decodes to the same data).

    >>> json_text({"name": "é\x1b\x85\u202e"})
    '{"name": "é\\u001b\\u0085\\u202e"}'
    """
    text = json.dumps(data, ensure_ascii=False, **options)
    return _NOT_ESCAPED_BY_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

"""Words for ids, and one colour per actor: what every page and chart labels things with.

Nothing here computes a result; it only names what `sim` computed. The words come from the
scenario file, written by anyone: a page passes every one of them through :func:`literal`
before an element that reads Markdown (`st.markdown`, `st.caption`, `st.info`, headers, tab,
expander, metric and widget labels, `help=`, `st.table` cells) shows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sim.api import BINDS, CONCEDED, OptionRef, Scenario, family, is_uncertain

PALETTE = (
    "#4c78a8",  # blue
    "#e45756",  # red
    "#54a24b",  # green
    "#f58518",  # orange
    "#b279a2",  # purple
    "#72b7b2",  # teal
    "#eeca3b",  # yellow
    "#9d755d",  # brown
    "#ff9da6",  # pink
    "#bab0ac",  # grey
)
"""Vega's Tableau-10 colours, so charts look like the rest of the Altair world."""

OUTCOME_WORDS = {
    "agreement": "agreement",
    "no_talks": "no talks",
    "deadlock": "deadlock",
    "walkout": "walk-out",
    "escalation": "escalation",
}
OUTCOME_COLOURS = {
    "agreement": "#54a24b",
    "no talks": "#bab0ac",
    "deadlock": "#eeca3b",
    "walk-out": "#f58518",
    "escalation": "#e45756",
}
KIND_WORDS = {
    "stated": "stated (own words)",
    "reported": "reported by the article",
    "author_assessment": "the author's assessment",
    "assumption": "⚠ ASSUMPTION (not in the source)",
}
CONSEQUENCE_WORDS = {
    "reject": "rejects the deal",
    "walk_out": "walks out of talks",
    "escalate": "escalates (act of war)",
    "veto": "vetoes a UN mandate",
}
STRATEGY_WORDS = {
    "boulware": "Boulware (concedes late)",
    "linear": "linear concession",
    "conceder": "conceder (concedes early)",
    "hardliner": "hard-liner (never concedes)",
    "zeuthen": "Zeuthen (smaller risk concedes)",
    "informed": "informed (offers what all accept)",
}
PROTOCOL_WORDS = {
    "alternating": "alternating offers",
    "mediated": "a mediator's single text",
    "setter": "one agenda setter",
    "monotonic_concession": "monotonic concession (two parties)",
}
ROLE_WORDS = {
    "belligerent": "belligerent (must sign)",
    "guarantor": "guarantor (signs what it contributes to)",
    "mediator": "mediator",
    "observer": "observer",
}


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&@=^])")
"""ASCII punctuation that Markdown, GitHub's extensions (tables, strikethrough, autolinks of
`www.`, `http:` and e-mail addresses) or Streamlit (`:color[...]`, `:material/...:`, emoji
shortcodes, `$` LaTeX) act on; the rest (`'`, `"`, `,`, `;`, `?`, `/`, `%`) acts on nothing."""


def literal(text: object) -> str:
    r"""Text for an element that reads Markdown, shown exactly as written: every character that
    Markdown or Streamlit would act on is backslash-escaped (CommonMark's escapes), so a
    scenario's `![x](http://host/x.png)` is shown, not fetched, and `:red[x]` stays words.

    >>> literal("![x](http://e.invalid/x.png) :red[$1$] **b**")
    '\\!\\[x\\]\\(http\\://e\\.invalid/x\\.png\\) \\:red\\[\\$1\\$\\] \\*\\*b\\*\\*'
    """
    return _MARKDOWN.sub(r"\\\1", str(text))


def literal_table(table: pd.DataFrame) -> pd.DataFrame:
    """A table for `st.table` (whose cells and headers read Markdown): every text literal."""
    shown = table.map(lambda v: literal(v) if isinstance(v, str) else v)
    return shown.rename(columns=literal)


def actor_names(scenario: Scenario) -> dict[str, str]:
    """Actor id -> name, in file order."""
    return {a.id: a.name for a in scenario.actors}


def actor_colours(scenario: Scenario) -> dict[str, str]:
    """Actor name -> colour, by position in the file (the same on every page)."""
    return {a.name: PALETTE[k % len(PALETTE)] for k, a in enumerate(scenario.actors)}


def humanise(identifier: str, context: str = "") -> str:
    """An id in words: underscores become spaces; acronyms that `context` spells in capitals
    stay in capitals.

    >>> humanise("no_nato_timeline", "Reject any NATO timeline")
    'no NATO timeline'
    """
    capitals = set(re.findall(r"\b[A-Z]{2,}\b", context))
    words = [w.upper() if w.upper() in capitals else w for w in identifier.split("_")]
    return " ".join(words)


def red_line_name(scenario: Scenario, actor_id: str, red_line_id: str) -> str:
    """`Russia: no NATO timeline`."""
    actor = scenario.actor(actor_id)
    line = next((r for r in actor.red_lines if r.id == red_line_id), None)
    context = " ".join(filter(None, [line.description if line else None, scenario.title]))
    return f"{actor.name}: {humanise(red_line_id, context)}"


def red_line_key_name(scenario: Scenario, key: str) -> str:
    """`russia.no_nato_timeline` in words."""
    actor_id, _, line_id = key.partition(".")
    try:
        return red_line_name(scenario, actor_id, line_id)
    except StopIteration:
        return key


def issue_names(scenario: Scenario) -> dict[str, str]:
    """Issue id -> name."""
    return {i.id: i.name for i in scenario.issues}


def option_words(scenario: Scenario, issue_id: str, option: OptionRef) -> str:
    """An option's label (a number is shown as it is)."""
    issue = scenario.issue(issue_id)
    if issue.options is None:
        return f"{option:g}" if isinstance(option, float) else str(option)
    for o in issue.options:
        if o.id == option:
            return o.label or humanise(o.id)
    return str(option)


def terms_words(scenario: Scenario, terms: Mapping[str, OptionRef] | None) -> str:
    """Terms as one line of words: `membership off the table; no foreign force; ...`."""
    if not terms:
        return "—"
    return "; ".join(option_words(scenario, issue, option) for issue, option in terms.items())


def condition_words(scenario: Scenario, condition: Mapping[str, Any] | None) -> str:
    """A condition (issue -> options) in words: `NATO: a timeline or delayed; and ...`."""
    if not condition:
        return "—"
    parts = []
    for issue_id, options in condition.items():
        listed = options if isinstance(options, list) else [options]
        name = scenario.issue(issue_id).name
        parts.append(f"{name}: " + " or ".join(option_words(scenario, issue_id, o) for o in listed))
    return "; and ".join(parts)


def number_words(value: Any) -> str:
    """A scenario number in words: `0.9`, or `uniform 0.85–1 (nominal 0.925)`."""
    from sim.api import nominal

    if not is_uncertain(value):
        return f"{float(value):g}"
    kind = value.dist
    if kind == "choice":
        shown = ", ".join(f"{v:g}" for v in value.values)
        return f"one of {shown} (nominal {nominal(value):.3g})"
    if kind == "beta":
        kind = f"beta({value.a:g}, {value.b:g}) on"
    elif kind == "normal":
        kind = f"normal(mean {value.mean:g}, sd {value.sd:g}) in"
    return f"{kind} {value.low:g}–{value.high:g} (nominal {nominal(value):.3g})"


def path_words(scenario: Scenario, path: str) -> str:
    """A `--set` path in words: `Russia · red line “no NATO timeline” · firmness`."""
    parts = path.split(".")
    names = actor_names(scenario)
    words: list[str] = []
    k = 0
    while k < len(parts):
        part = parts[k]
        if part == "actors" and k + 1 < len(parts):
            words.append(names.get(parts[k + 1], parts[k + 1]))
            k += 2
            continue
        if part == "red_lines" and k + 1 < len(parts) and k >= 2:
            line = red_line_name(scenario, parts[k - 1], parts[k + 1]).split(": ", 1)[-1]
            words.append(f"red line “{line}”")
            k += 2
            continue
        if part == "members" and k + 1 < len(parts):
            council = scenario.institutions.security_council
            member = (
                next((m for m in council.members if m.id == parts[k + 1]), None)
                if council
                else None
            )
            words.append((member.name or member.id) if member else parts[k + 1])
            k += 2
            continue
        if part in ("weights", "scores") and k + 1 < len(parts):
            issue = issue_names(scenario).get(parts[k + 1], parts[k + 1])
            words.append(f"{'weight' if part == 'weights' else 'score'} of {issue}")
            k += 2
            continue
        words.append(
            {
                "batna": "value of no deal",
                "value": "level",
                "drift": "drift per round",
                "p_yes": "probability of a yes vote",
                "probability": "probability",
                "security_council": "Security Council",
                "institutions": "",
                "unilateral_deployment": "unilateral deployment",
                "max_rounds": "rounds at most",
                "precondition": "precondition met",
            }.get(part, humanise(part))
        )
        k += 1
    text = " · ".join(w for w in words if w)
    return text.replace("precondition met · probability", "chance its precondition is conceded")


def restriction_words(scenario: Scenario, restriction: Any) -> str:
    """A PRIM box condition (:class:`sim.explore.discovery.Restriction`) in words."""
    column = restriction.column
    if restriction.value is not None:
        prefix, key = family(column) or ("", column)
        if prefix == BINDS:
            name = red_line_key_name(scenario, key)
            return f"{name} {'binds' if restriction.value else 'does not bind'}"
        if prefix == CONCEDED:
            name = red_line_key_name(scenario, key)
            verb = "is conceded" if restriction.value else "is not conceded"
            return f"the precondition of {name} {verb} before talks"
        return f"{path_words(scenario, column)} is {'yes' if restriction.value else 'no'}"
    name = path_words(scenario, column)
    low, high = restriction.low, restriction.high
    if low is not None and high is not None:
        return f"{name} is between {low:.3g} and {high:.3g}"
    if low is not None:
        return f"{name} is at least {low:.3g}"
    return f"{name} is at most {high:.3g}"

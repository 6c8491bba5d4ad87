"""The bargaining space in words: the briefing `redlines explain` prints.

A reader who never saw the code should learn from it how big the space is, what is feasible,
whether there is a zone of possible agreement and why (not), where the solution points lie, which
red lines block most (with who said it and the quote, assumptions marked as such), and what would
have to give. The numbers come from :class:`sim.analysis.bargaining.Analysis`; this module
only words them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.text import Text

from sim.analysis.bargaining import Analysis, Point, RedLineSummary
from sim.cli.terminal import printable
from sim.engine.space import RedLineRef
from sim.scenario.schema import OptionRef, RedLine, Scenario

SOLUTION_NAMES = {
    "nash": "Nash bargaining (largest product of gains over no deal)",
    "kalai_smorodinsky": "Kalai–Smorodinsky (gains in proportion to each side's best)",
    "egalitarian": "egalitarian (largest smallest gain)",
    "utilitarian": "utilitarian (largest total gain)",
}
KIND_WORDS = {
    "stated": "stated",
    "reported": "reported",
    "author_assessment": "the author's assessment",
}
CONSEQUENCE_WORDS = {
    "reject": "rejects the deal",
    "walk_out": "walks out of talks",
    "escalate": "escalates",
    "veto": "vetoes the mandate",
}
SHOWN_BLOCKERS = 5
SHOWN_RELAXATIONS = 5


def print_briefing(analysis: Analysis, console: Console | None = None) -> None:
    """Print the briefing on `console` (default: standard output), wrapped to its width with
    hanging indents; control characters in scenario text are shown escaped (`\\x1b`)."""
    console = console or Console(highlight=False)
    width = max(console.width, 40)
    for line in briefing_lines(analysis):
        body = printable(line.lstrip(" "))  # markup tags are plain ASCII: only user text changes
        if not body:
            console.print()
            continue
        indent = len(line) - len(body)
        number = re.match(r"\d+\. ", body)
        hang = indent + (len(number.group(0)) if number else 0)
        for k, piece in enumerate(Text.from_markup(body).wrap(console, width - hang)):
            piece.rstrip()
            prefix = Text(" " * (indent if k == 0 else hang))
            console.print(prefix + piece, highlight=False, soft_wrap=True)


def briefing_text(analysis: Analysis, width: int = 100) -> str:
    """The briefing as plain text (for the dashboard, files and tests)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, highlight=False)
    print_briefing(analysis, console)
    return buffer.getvalue()


def briefing_lines(analysis: Analysis) -> list[str]:
    """The briefing as rich-markup lines (user text escaped)."""
    words = _Words(analysis)
    return [
        *_heading(analysis),
        *_space(analysis, words),
        *_preconditions(analysis, words),
        *_verdict(analysis, words),
        *_solutions(analysis, words),
        *_blockers(analysis, words),
        *_what_it_takes(analysis, words),
    ]


# --- sections --------------------------------------------------------------------------------


def _heading(analysis: Analysis) -> list[str]:
    scenario = analysis.compiled.scenario
    lines = [f"[bold]Bargaining space: {escape(scenario.title)}[/bold]"]
    if scenario.question:
        lines.append(f"Question: {escape(scenario.question)}")
    return [*lines, ""]


def _space(analysis: Analysis, words: _Words) -> list[str]:
    c, p = analysis.compiled, analysis.parameters
    n = analysis.n_outcomes
    scenario = c.scenario
    issues = "; ".join(
        f"{escape(issue.name)} ({len(c.space.options[i])})"
        for i, issue in enumerate(scenario.issues)
    )
    rules = f", after {len(scenario.rules)} rule(s) removing meaningless combinations" * bool(
        scenario.rules
    )
    lines = ["[bold]The space[/bold]", f"  {n:,} possible settlements{rules}: {issues}."]
    lines.append("  Who must sign: " + _signers(analysis, words) + ".")
    binding = int(analysis.binding.sum())
    total = len(c.red_lines)
    if binding == total:
        why = f"firmness at least {analysis.threshold:g}" if analysis.threshold > 0 else "any"
        lines.append(f"  Red lines: all {total} count as binding (firmness: {why}).")
    else:
        left_out = ", ".join(
            f"{words.red_line(s.ref)} ({s.firmness:.2f})"
            for s in analysis.red_lines
            if not s.binding
        )
        lines.append(
            f"  Red lines: {binding} of {total} count as binding (firmness at least "
            f"{analysis.threshold:g}); not counted: {left_out}."
        )
    batnas = ", ".join(f"{words.actor(a)} {p.batna[i]:.2f}" for i, a in enumerate(c.actor_ids))
    lines.append(f"  Value of no deal (BATNA, utility from 0 to 1): {batnas}.")
    lines.append("")
    feasible, ok, zopa = (
        int(m.sum()) for m in (analysis.feasible, analysis.acceptable, analysis.zopa)
    )
    alone = ", ".join(
        f"{words.actor(a)} {int(analysis.actor_feasible[i].sum())}"
        for i, a in enumerate(c.actor_ids)
    )
    lines += [
        "[bold]What is possible[/bold]",
        f"  Feasible (crossing no binding red line of anyone who must sign): {feasible} of {n:,}.",
        f"  Acceptable (every signatory gets at least its value of no deal): {ok} of {n:,}.",
        f"  Zone of possible agreement (ZOPA: both at once): {zopa} of {n:,}.",
        f"  Settlements each actor's own red lines allow: {alone}.",
        "",
    ]
    return lines


def _preconditions(analysis: Analysis, words: _Words) -> list[str]:
    """Red lines that keep an actor from the table until something is conceded."""
    c, p = analysis.compiled, analysis.parameters
    lines: list[str] = []
    for ref in c.red_lines:
        rule = ref.rule
        if rule.precondition is None:
            continue
        counted = "counts" if analysis.binding[ref.row] else "does not count"
        lines.append(
            f"  {words.actor(ref.actor)} will not negotiate until "
            f"{words.condition(rule.precondition.requires)} ({words.red_line(ref)}, firmness "
            f"{p.firmness[ref.row]:.2f}; it {counted} as binding here)."
        )
        lines += [f"     {line}" for line in words.provenance(rule)]
        met_by = rule.precondition.met_by
        chance = p.precondition_probability[ref.row]
        if met_by is not None:
            lines.append(
                f"     {words.actor(met_by)} concedes it before talks with probability "
                f"{chance:.2f} per run; when it binds and is not conceded, there are no talks."
            )
        else:
            lines.append("     Nobody is named to concede it: when it binds, there are no talks.")
        lines.append(
            "     The zone below assumes talks happen, so it keeps to "
            f"{words.condition(rule.precondition.requires)}."
            if analysis.binding[ref.row]
            else "     The zone below does not require it."
        )
    return ["[bold]Before any talks[/bold]", *lines, ""] if lines else []


def _signers(analysis: Analysis, words: _Words) -> str:
    c = analysis.compiled
    n = analysis.n_outcomes
    always, sometimes, never = [], [], []
    for i, actor_id in enumerate(c.actor_ids):
        count = int(c.signatory_mask[i].sum())
        name = words.actor(actor_id)
        if count == n:
            always.append(name)
        elif count == 0:
            never.append(f"{name} ({c.roles[i]})")
        else:
            conditions = c.scenario.actor(actor_id).signs_when or []
            when = " or ".join(words.condition(cond) for cond in conditions)
            sometimes.append(
                f"{name} signs {count} of {n:,}" + (f" (those where {when})" if when else "")
            )
    parts = []
    if always:
        parts.append(
            _join(always) + (" sign" if len(always) > 1 else " signs") + " every settlement"
        )
    parts += sometimes
    if never:
        parts.append(_join(never) + " sign" + ("s" if len(never) == 1 else "") + " nothing")
    return "; ".join(parts)


def _verdict(analysis: Analysis, words: _Words) -> list[str]:
    c, p = analysis.compiled, analysis.parameters
    zopa = int(analysis.zopa.sum())
    if zopa:
        return [
            "[bold]Verdict: a deal is possible.[/bold]",
            f"  {zopa} settlement(s) cross no binding red line of anyone who must sign and give "
            "every signatory at least its value of no deal.",
            "  This is the static space: whether negotiators reach it depends on their "
            "strategies, the protocol, the rounds and the Security Council; `redlines sweep` "
            "gives how often they do.",
            "",
        ]
    lines = ["[bold]Verdict: no deal.[/bold]"]
    feasible, ok = analysis.feasible, analysis.acceptable
    if not feasible.any():
        lines.append(
            "  Every settlement crosses a binding red line of someone whose signature it needs."
        )
    else:
        short = np.zeros(c.n_actors, dtype=int)
        for k in np.flatnonzero(feasible):
            below = (p.utilities[k] < p.batna - 1e-9) & c.signatory_mask[:, k]
            short += below
        who = ", ".join(
            f"{words.actor(a)} on {short[i]}" for i, a in enumerate(c.actor_ids) if short[i]
        )
        lines.append(
            f"  The {int(feasible.sum())} feasible settlement(s) all leave a signatory below its "
            f"value of no deal: {who}."
        )
    if ok.any() and not (ok & feasible).any():
        top = sorted(analysis.red_lines, key=lambda s: -s.blocks)[:3]
        named = ", ".join(f"{words.red_line(s.ref)} ({s.blocks})" for s in top if s.blocks)
        lines.append(
            f"  The {int(ok.sum())} settlement(s) every signatory prefers to no deal are all "
            f"blocked by red lines, most often {named}."
        )
    elif not ok.any():
        lines.append("  No settlement gives every signatory its value of no deal.")
    return [*lines, ""]


def _solutions(analysis: Analysis, words: _Words) -> list[str]:
    if not analysis.has_deal:
        return []
    parties = _join([words.actor(a) for a in analysis.parties])
    lines = [
        "[bold]Where a deal would land[/bold]",
        f"  Bargaining between {parties}, whose signature every settlement in the zone needs"
        " (gains are utility above the value of no deal):",
    ]
    groups: dict[int, list[str]] = {}
    for name, point in analysis.solutions.items():
        if point is not None:
            groups.setdefault(point.outcome, []).append(name)
    for names in groups.values():
        point = analysis.solutions[names[0]]
        assert point is not None  # grouped from points that exist
        label = _join([SOLUTION_NAMES[n] for n in names])
        verb = "all pick" if len(names) > 2 else ("both pick" if len(names) == 2 else "picks")
        lines.append(f"  {label[0].upper()}{label[1:]} {verb}:")
        lines += [f"    {t}" for t in words.terms(point)]
        lines.append(f"    utilities: {words.utilities(point)}")
    frontier = len(analysis.pareto)
    lines.append(
        f"  Pareto frontier of the zone: {frontier} settlement(s) no other settlement in the "
        f"zone improves for {parties} at once."
    )
    if analysis.zopa.sum() > 1:
        spread = _spread(analysis, words)
        if spread:
            lines.append(f"  Across the zone: {spread}.")
    return [*lines, ""]


def _spread(analysis: Analysis, words: _Words) -> str:
    c = analysis.compiled
    zopa = np.flatnonzero(analysis.zopa)
    fixed, open_ = [], []
    for i, issue in enumerate(c.space.issues):
        values = np.unique(c.space.index[zopa, i])
        name = words.issue(issue)
        if values.size == 1:
            fixed.append(f"{name} is always {escape(c.space.labels[i][int(values[0])])}")
        else:
            shown = " or ".join(escape(c.space.labels[i][int(v)]) for v in values[:4])
            open_.append(f"{name} may be {shown}" + (" ..." if values.size > 4 else ""))
    return "; ".join(fixed + open_)


def _blockers(analysis: Analysis, words: _Words) -> list[str]:
    ok = int(analysis.acceptable.sum())
    ranked = sorted(
        (s for s in analysis.red_lines if s.binding and s.blocks),
        key=lambda s: (-s.blocks, -s.swing, s.ref.row),
    )
    if not ranked:
        return []
    lines = [
        f"[bold]Red lines that block most[/bold] (of the {ok} settlement(s) every signatory "
        "prefers to no deal)"
    ]
    for rank, summary in enumerate(ranked[:SHOWN_BLOCKERS], start=1):
        alone = f", {summary.swing} of them by it alone" if summary.swing else ""
        consequence = CONSEQUENCE_WORDS[summary.ref.consequence]
        lines.append(
            f"  {rank}. {words.red_line(summary.ref)} blocks {summary.blocks}{alone} "
            f"(firmness {summary.firmness:.2f}; crossing it, {words.actor(summary.ref.actor)} "
            f"{consequence})."
        )
        what = _what(summary.ref.rule, words)
        if what:
            lines.append(f"     {escape(what)}")
        lines += [f"     {line}" for line in words.provenance(summary.ref.rule)]
    if len(ranked) > SHOWN_BLOCKERS:
        lines.append(f"  ... and {len(ranked) - SHOWN_BLOCKERS} more (see --json).")
    silent = [s for s in analysis.red_lines if s.binding and not s.blocks]
    if silent:
        lines.append(
            "  Blocking nothing acceptable: "
            + ", ".join(words.red_line(s.ref) + _why_silent(analysis, s) for s in silent)
            + "."
        )
    return [*lines, ""]


def _why_silent(analysis: Analysis, summary: RedLineSummary) -> str:
    c = analysis.compiled
    if not c.signatory_mask[summary.ref.actor_index].any():
        return " (its owner does not sign)"
    return ""


def _what(rule: RedLine, words: _Words) -> str:
    if rule.description:
        text = " ".join(rule.description.split())
    elif rule.forbids is not None:
        text = f"Forbids {words.condition(rule.forbids, escaped=False)}."
    else:
        text = ""
    if rule.precondition is not None:
        needs = words.condition(rule.precondition.requires, escaped=False)
        text = f"Precondition to talks: {needs}. {text}"
    return text.strip()


def _what_it_takes(analysis: Analysis, words: _Words) -> list[str]:
    p = analysis.parameters
    lines = ["[bold]What would have to give[/bold]"]
    if analysis.has_deal:
        lines.append("  Nothing: a deal exists with these red lines.")
        opening = sorted(
            (s for s in analysis.red_lines if s.binding and s.swing),
            key=lambda s: (-s.swing, s.ref.row),
        )
        if opening:
            named = ", ".join(f"{words.red_line(s.ref)} (+{s.swing})" for s in opening[:3])
            lines.append(f"  Dropping one red line would widen the zone most for: {named}.")
        if analysis.closing:
            named = ", ".join(words.red_line(r) for r in analysis.closing)
            lines.append(
                f"  The deal hangs on red lines not counted now: if {named} bound, the zone "
                "would close."
            )
        return [*lines, ""]
    if not analysis.relaxations:
        if not analysis.acceptable.any():
            lines.append(
                "  Dropping red lines cannot help: no settlement gives every signatory its "
                "value of no deal. Values of no deal (costs of war, outside options) would "
                "have to move."
            )
        else:
            lines.append(
                f"  No set of at most {analysis.max_relaxation_size} red line(s) opens a zone "
                "of agreement; more would have to give."
            )
        return [*lines, ""]
    lines.append(
        "  The smallest sets of red lines whose dropping opens a zone of agreement, the likeliest"
        " bluffs first (chance = product of 1 - firmness):"
    )
    for rank, relaxation in enumerate(analysis.relaxations[:SHOWN_RELAXATIONS], start=1):
        names = " + ".join(words.red_line(r) for r in relaxation.red_lines)
        lines.append(
            f"  {rank}. Drop {names}: chance all bluff {relaxation.bluff_probability:.1%}; "
            f"opens {relaxation.zopa_size} settlement(s)."
        )
        for ref in relaxation.red_lines:
            lines.append(f"     {words.red_line(ref)} (firmness {p.firmness[ref.row]:.2f}):")
            lines += [f"       {line}" for line in words.provenance(ref.rule)]
        if relaxation.nash is not None:
            terms = "; ".join(words.terms(relaxation.nash))
            lines.append(f"     Nash point then: {terms}.")
    if len(analysis.relaxations) > SHOWN_RELAXATIONS:
        lines.append(
            f"  ... and {len(analysis.relaxations) - SHOWN_RELAXATIONS} more (see --json)."
        )
    return [*lines, *_closest_feasible(analysis, words), ""]


def _closest_feasible(analysis: Analysis, words: _Words) -> list[str]:
    """Without a ZOPA but with feasible settlements: how far values of no deal would have to
    fall for the feasible settlement that misses by least."""
    c, p = analysis.compiled, analysis.parameters
    feasible = np.flatnonzero(analysis.feasible)
    if analysis.has_deal or feasible.size == 0:
        return []
    short = np.where(
        c.signatory_mask[:, feasible].T, p.batna[None, :] - p.utilities[feasible], 0.0
    ).clip(min=0.0)
    best = int(np.argmin(short.max(axis=1)))
    k = int(feasible[best])
    gaps = ", ".join(
        f"{words.actor(a)} from {p.batna[i]:.2f} to {p.utilities[k, i]:.2f}"
        for i, a in enumerate(c.actor_ids)
        if short[best, i] > 0
    )
    terms = "; ".join(words.terms(analysis.point(k)))
    return [
        "  Or, keeping every red line: the feasible settlement that misses by least would do "
        f"if values of no deal fell ({gaps}): {terms}."
    ]


# --- words -----------------------------------------------------------------------------------


class _Words:
    """Names, labels and provenance of one analysis, as escaped rich markup."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis
        self.scenario: Scenario = analysis.compiled.scenario

    def actor(self, actor_id: str) -> str:
        return escape(self.scenario.actor(actor_id).name)

    def issue(self, issue_id: str) -> str:
        return escape(self.scenario.issue(issue_id).name)

    def red_line(self, ref: RedLineRef) -> str:
        owner = self.actor(ref.actor)
        return f"{owner}{"'" if owner.endswith('s') else "'s"} {escape(ref.id)}"

    def option(self, issue_id: str, option: OptionRef) -> str:
        space = self.analysis.compiled.space
        i = space.issues.index(issue_id)
        return space.labels[i][space.option_index(issue_id, option)]

    def condition(
        self, condition: Mapping[str, Sequence[OptionRef] | OptionRef], escaped: bool = True
    ) -> str:
        parts = []
        for issue_id, wanted in condition.items():
            listed: Iterable[OptionRef] = (
                wanted if isinstance(wanted, list | tuple) else [wanted]  # type: ignore[list-item]
            )
            options = " or ".join(self.option(issue_id, o) for o in listed)
            parts.append(f"{self.scenario.issue(issue_id).name}: {options}")
        text = " and ".join(parts)
        return escape(text) if escaped else text

    def terms(self, point: Point) -> list[str]:
        return [f"{self.issue(issue)}: {escape(label)}" for issue, label in point.words.items()]

    def utilities(self, point: Point) -> str:
        p, c = self.analysis.parameters, self.analysis.compiled
        return ", ".join(
            f"{self.actor(a)} {point.utilities[a]:.2f} (no deal {p.batna[i]:.2f})"
            for i, a in enumerate(c.actor_ids)
        )

    def provenance(self, rule: RedLine) -> list[str]:
        source = rule.provenance
        if source.kind == "assumption":
            return [
                f"[bold]ASSUMPTION[/bold] (not in the source): {escape(source.rationale or '')}"
            ]
        speaker = escape(source.speaker or "unknown")
        kind = KIND_WORDS[source.kind]
        quote = " ".join((source.quote or "").split())
        return [f"\u201c{escape(quote)}\u201d \u2014 {speaker} ({kind}, source {source.source})"]


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]

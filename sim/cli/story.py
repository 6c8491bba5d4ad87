"""A run told as a story: who proposed what, who said no and why, and how it ended.

`render(output, console)` prints, with rich: the red lines that bind in the run, the
preconditions to talks, each round (the offer in words, every answer with its reason — the red
line's id and quote, or "below its aspiration"), Security Council votes, deployments, the
ending, then a table of aspirations by round (from mesa's DataCollector) and a final table of
terms and utilities. Nothing here decides anything: it reads the recorded events.

Scenario text reaches the console only as :class:`rich.text.Text` made :func:`printable`: a
`[bold]` in a name is printed as written, an ESC is shown as `\\x1b`, never obeyed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.cli.terminal import printable

if TYPE_CHECKING:
    from sim.engine.run import RunOutput
    from sim.engine.space import Compiled

MAX_TABLE_ROWS = 30

ENDINGS = {
    "agreement": "Agreement",
    "no_talks": "No talks",
    "deadlock": "Deadlock",
    "walkout": "Walk-out",
    "escalation": "Escalation",
}


class Story:
    """Words for the ids of one compiled scenario."""

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        scenario = compiled.scenario
        self.names = {a.id: a.name for a in scenario.actors}
        self.issue_names = {i.id: i.name for i in scenario.issues}
        self.members = {}
        council = scenario.institutions.security_council
        for member in council.members if council else []:
            self.members[member.id] = member.name or member.id

    def actor(self, actor_id: str | None) -> str:
        """An actor's name."""
        return self.names.get(actor_id or "", actor_id or "?")

    def option(self, issue: str, option: Any) -> str:
        """An option in words."""
        space = self.compiled.space
        if option is None:
            return "—"
        try:
            k = space.option_index(issue, option)
        except ValueError:
            return str(option)
        return space.labels[space.issues.index(issue)][k]

    def terms(self, terms: dict[str, Any]) -> str:
        """Terms in words, issue by issue."""
        return "; ".join(
            self.option(issue, option) for issue, option in terms.items() if option is not None
        )

    def quote(self, actor_id: str, line_id: str) -> str:
        """A red line's quote (or the modeller's rationale) for the story."""
        rule = next(
            r.rule for r in self.compiled.red_lines if r.actor == actor_id and r.id == line_id
        )
        provenance = rule.provenance
        if provenance.quote:
            text = " ".join(provenance.quote.split())
            return f"“{text}” ({provenance.speaker}, {provenance.kind.replace('_', ' ')})"
        return f"assumption: {' '.join((provenance.rationale or '').split())}"

    def red_line(self, actor_id: str, line_id: str) -> str:
        """An actor's red line, with its quote."""
        return f"{self.actor(actor_id)}'s red line {line_id}: {self.quote(actor_id, line_id)}"


def render(output: RunOutput, console: Console) -> None:
    """Print the story of a recorded run."""
    result, compiled = output.result, output.compiled
    story = Story(compiled)
    scenario = compiled.scenario
    console.rule(_text(scenario.title, "bold"))
    console.print(Text.assemble("Scenario ", _text(scenario.id, "bold"), f", seed {result.seed}."))
    if scenario.question:
        console.print(_text(" ".join(scenario.question.split()), "italic"))
    binding = [
        f"{story.actor(actor)}: {', '.join(lines)}"
        for actor, lines in result.binding_red_lines.items()
        if lines
    ]
    _say(console, "Red lines binding in this run: " + ("; ".join(binding) if binding else "none"))
    current = -1
    for event in result.events:
        if event["round"] != current and event["round"] > 0:
            current = event["round"]
            console.print(Text(f"\nRound {current}", style="bold"))
        _event(console, story, event)
    console.print()
    _aspirations(console, output)
    _final(console, story, output)


def _text(text: str, style: str = "") -> Text:
    """Scenario text as rich text: escaped for the terminal, never read as markup."""
    return Text(printable(text), style=style)


def _say(console: Console, text: str, style: str = "") -> None:
    console.print(_text(text, style))


def _event(console: Console, story: Story, event: dict[str, Any]) -> None:
    kind = event["kind"]
    if kind == "precondition":
        requires = "; ".join(
            story.option(issue, options[0]) for issue, options in event["requires"].items()
        )
        _say(
            console,
            f"{story.actor(event['actor'])} will not negotiate until: {requires} "
            f"({story.red_line(event['actor'], event['red_line'])}).",
        )
        who = story.actor(event["met_by"]) if event["met_by"] else "No one"
        verdict = (
            "concedes it: talks open on that basis."
            if event["conceded"]
            else ("does not concede it.")
        )
        _say(console, f"  {who} {verdict}")
    elif kind == "proposal":
        _say(
            console,
            f"{story.actor(event['proposer'])} proposes: {story.terms(event['offer'])}.",
        )
        for actor, answer in event["responses"].items():
            _say(console, "  " + _answer(story, actor, answer))
    elif kind == "pass":
        _say(console, f"{story.actor(event['proposer'])} has no offer it believes acceptable.")
    elif kind == "council":
        verdict = "the mandate passes" if event["passed"] else "the mandate fails"
        _say(
            console,
            f"Security Council vote: {event['yes']} yes, {event['no']} no "
            f"({event['votes_needed']} needed): {verdict}.",
        )
        for ballot in event["ballots"]:
            if ballot["permanent"] and ballot["no"]:
                line = ballot["red_line"]
                why = f" — {story.quote(ballot['member'], line)}" if line else ""
                name = story.members.get(ballot["member"], ballot["member"])
                _say(console, f"  Veto by {name}{f' (red line {line})' if line else ''}{why}.")
    elif kind == "deployment":
        terms = story.terms(event["terms"])
        _say(console, f"{story.actor(event['actor'])} deploys unilaterally: {terms}.")
        if event["escalates"]:
            _say(
                console,
                f"  This crosses {story.red_line(event['red_line_actor'], event['red_line'])}.",
            )
        else:
            _say(console, "  No binding red line treats it as an act of war; talks go on.")
    else:
        _ending(console, story, event)


def _answer(story: Story, actor: str, answer: dict[str, Any]) -> str:
    name = story.actor(actor)
    utility: float = answer["utility"]
    if answer["accept"]:
        return f"✓ {name} accepts (utility {utility:.2f})."
    reason = answer["reason"]
    if reason in ("red_line", "walk_out"):
        verb = "walks out" if reason == "walk_out" else "rejects"
        line = answer["red_line"]
        return f"✗ {name} {verb}: red line {line} — {story.quote(actor, line)}"
    if reason == "below_aspiration":
        worth, wanted = _apart(utility, answer["aspiration"])
        return f"✗ {name} rejects: below its aspiration ({worth} < {wanted})."
    if reason == "below_own_offer":
        return f"✗ {name} rejects: worth less to it than its own offer ({utility:.2f})."
    return f"✗ {name} rejects: worth less than no deal to it ({utility:.2f})."


def _apart(low: float, high: float) -> tuple[str, str]:
    """Two numbers with enough decimals (2 to 6) that the smaller does not print as equal."""
    for digits in range(2, 7):
        shown = f"{low:.{digits}f}", f"{high:.{digits}f}"
        if shown[0] != shown[1]:
            return shown
    return shown


def _ending(console: Console, story: Story, event: dict[str, Any]) -> None:
    kind = event["kind"]
    title = ENDINGS.get(kind, kind)
    when = f"round {event['round']}" if event["round"] else "before round 1"
    if kind == "agreement":
        text = f"{title} in {when}: {story.terms(event['terms'])}."
    elif kind == "deadlock":
        text = f"{title}: no agreement within {event['round']} rounds."
    elif kind == "no_talks":
        text = (
            f"{title} ({when}): the precondition is not met — "
            f"{story.red_line(event['actor'], event['red_line'])}."
        )
    elif kind == "walkout":
        text = f"{title} in {when}: {story.red_line(event['actor'], event['red_line'])}."
    elif kind == "escalation":
        text = (
            f"{title} in {when}: {story.actor(event.get('deployed_by'))}'s deployment crosses "
            f"{story.red_line(event['actor'], event['red_line'])}."
        )
    else:
        text = f"{title} in {when}."
    _say(console, "\n" + text, "bold")


def _aspirations(console: Console, output: RunOutput) -> None:
    frame = output.actors
    if frame is None or frame.empty or output.result.rounds == 0:
        return
    table_data = frame.reset_index().pivot_table(
        index="Step", columns="actor", values="aspiration", sort=False
    )
    table_data = table_data[table_data.index > 0]
    if table_data.empty:
        return
    if len(table_data) > MAX_TABLE_ROWS:
        step = -(-len(table_data) // MAX_TABLE_ROWS)
        keep = list(range(0, len(table_data), step))
        if keep[-1] != len(table_data) - 1:
            keep.append(len(table_data) - 1)
        table_data = table_data.iloc[keep]
    story = Story(output.compiled)
    table = Table(title="Aspirations by round (utility an actor holds out for)")
    table.add_column("round", justify="right")
    actors = [a for a in output.compiled.actor_ids if a in table_data.columns]
    for actor in actors:
        table.add_column(_text(story.actor(actor)), justify="right")
    for step, row in table_data.iterrows():
        table.add_row(str(int(step)), *(f"{row[a]:.2f}" for a in actors))
    console.print(table)


def _final(console: Console, story: Story, output: RunOutput) -> None:
    result, compiled = output.result, output.compiled
    terms = Table(title=f"Outcome: {ENDINGS.get(result.outcome, result.outcome)}")
    terms.add_column("issue")
    terms.add_column("terms")
    for issue in compiled.space.issues:
        option = (result.terms or {}).get(issue)
        terms.add_row(_text(story.issue_names[issue]), _text(story.option(issue, option)))
    console.print(terms)
    last = output.final_batnas()
    utilities = Table(title="Utilities (0 worst, 1 best)")
    utilities.add_column("actor")
    utilities.add_column("role")
    utilities.add_column("utility", justify="right")
    utilities.add_column("value of no deal", justify="right")
    for actor, role in zip(compiled.actor_ids, compiled.roles, strict=True):
        value = (result.utilities or {}).get(actor)
        batna = last.get(actor)
        utilities.add_row(
            _text(story.actor(actor)),
            role,
            "—" if value is None else f"{value:.2f}",
            "—" if batna is None else f"{batna:.2f}",
        )
    console.print(utilities)

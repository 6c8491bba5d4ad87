"""A recorded run (`sim.api.run`) as tables for the Run page: offers, answers, curves, ending.

Everything here reads the run's recorded events and mesa's per-round data; words come from
:class:`sim.cli.story.Story`, the same phrasing `redlines run` prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard import labels
from sim.api import ENDINGS, Story

if TYPE_CHECKING:
    from sim.api import RunOutput

REASONS = {
    "red_line": "red line",
    "walk_out": "walks out (red line)",
    "below_aspiration": "below its aspiration",
    "below_batna": "worth less than no deal",
    "below_own_offer": "worse than its own offer",
}
SERIES = {
    "offer_utility": "utility of the offer",
    "aspiration": "aspiration",
    "batna": "value of no deal",
}


def answers(output: RunOutput) -> pd.DataFrame:
    """One row per answer to an offer: round, actor, accepted, why, red line and its quote."""
    story = Story(output.compiled)
    scenario = output.compiled.scenario
    rows: list[dict[str, Any]] = []
    for event in output.result.events:
        if event["kind"] != "proposal":
            continue
        for actor, answer in event["responses"].items():
            line = answer.get("red_line")
            rows.append(
                {
                    "round": event["round"],
                    "actor": story.actor(actor),
                    "accepted": bool(answer["accept"]),
                    "answer": "accepts" if answer["accept"] else "rejects",
                    "why": "" if answer["accept"] else REASONS.get(answer["reason"], "rejects"),
                    "red line": labels.red_line_name(scenario, actor, line).split(": ", 1)[1]
                    if line
                    else "",
                    "quote": story.quote(actor, line) if line else "",
                    "utility": answer.get("utility"),
                    "aspiration": answer.get("aspiration"),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "round",
            "actor",
            "accepted",
            "answer",
            "why",
            "red line",
            "quote",
            "utility",
            "aspiration",
        ],
    )


def offer_points(output: RunOutput) -> pd.DataFrame:
    """The utility of every offer to every actor, with its answer: `accepts`, `rejects`, or
    `not asked` (the proposer, or an actor whose signature the offer does not need)."""
    curve = curves(output)
    offered = curve[curve["series"] == SERIES["offer_utility"]].drop(columns="series")
    given = answers(output)
    points = offered.merge(given.drop(columns=["utility"]), on=["round", "actor"], how="left")
    points["answer"] = points["answer"].fillna("not asked")
    return points.fillna({"why": "", "red line": "", "quote": ""})


def _answer_text(answer: dict[str, Any], scenario: Any, actor: str) -> str:
    utility = answer.get("utility")
    if answer["accept"]:
        return f"✓ accepts ({utility:.2f})"
    reason = answer["reason"]
    if reason in ("red_line", "walk_out"):
        name = labels.red_line_name(scenario, actor, answer["red_line"]).split(": ", 1)[1]
        verb = "walks out" if reason == "walk_out" else "✗ red line"
        return f"{verb}: {name}"
    if reason == "below_aspiration":
        return f"✗ below aspiration ({utility:.2f} < {answer.get('aspiration', 0.0):.2f})"
    return f"✗ {REASONS.get(reason, reason)} ({utility:.2f})"


def offers(output: RunOutput) -> pd.DataFrame:
    """One row per round with an offer: who proposed what, and every answer in a column."""
    story = Story(output.compiled)
    scenario = output.compiled.scenario
    rows: list[dict[str, Any]] = []
    for event in output.result.events:
        kind = event["kind"]
        if kind == "proposal":
            row: dict[str, Any] = {
                "Round": event["round"],
                "Proposer": story.actor(event["proposer"]),
                "Offer": story.terms(event["offer"]),
            }
            for actor in output.compiled.actor_ids:
                answer = event["responses"].get(actor)
                row[story.actor(actor)] = (
                    _answer_text(answer, scenario, actor) if answer is not None else ""
                )
            rows.append(row)
        elif kind == "pass":
            rows.append(
                {
                    "Round": event["round"],
                    "Proposer": story.actor(event["proposer"]),
                    "Offer": "(no offer)",
                }
            )
        elif kind == "council" and rows:
            verdict = "passes" if event["passed"] else "fails"
            vetoes = [
                story.members.get(b["member"], b["member"])
                for b in event["ballots"]
                if b["permanent"] and b["no"]
            ]
            text = f"{verdict} {event['yes']}–{event['no']}"
            if vetoes:
                text += f", veto: {', '.join(vetoes)}"
            rows[-1]["Security Council"] = text
    frame = pd.DataFrame(rows)
    if "Security Council" not in frame and len(frame):
        frame["Security Council"] = ""
    return frame.fillna("")


def curves(output: RunOutput) -> pd.DataFrame:
    """Long table for the timeline chart: round, actor, series (in words), value."""
    frame = output.actors
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["round", "actor", "series", "value"])
    story = Story(output.compiled)
    data = frame.reset_index()
    data = data[data["Step"] > 0]
    long = data.melt(
        id_vars=["Step", "actor"],
        value_vars=list(SERIES),
        var_name="series",
        value_name="value",
    ).dropna(subset=["value"])
    long["round"] = long["Step"].astype(int)
    long["actor"] = long["actor"].map(story.actor)
    long["series"] = long["series"].map(SERIES)
    long["value"] = long["value"].astype(float)
    return long[["round", "actor", "series", "value"]].reset_index(drop=True)


def ending(output: RunOutput) -> tuple[str, str]:
    """The ending's kind and one sentence about it, as `redlines run` ends its story."""
    story = Story(output.compiled)
    result = output.result
    event = next((e for e in reversed(result.events) if e["kind"] == result.outcome), None)
    title = ENDINGS.get(result.outcome, result.outcome)
    if event is None:
        return result.outcome, f"{title} after {result.rounds} rounds."
    when = f"round {event['round']}" if event["round"] else "before round 1"
    if result.outcome == "agreement":
        text = f"{title} in {when}: {story.terms(event['terms'])}."
    elif result.outcome == "deadlock":
        text = f"{title}: no agreement within {event['round']} rounds."
    elif result.outcome == "no_talks":
        text = (
            f"{title}: the precondition to talks is not met — "
            f"{story.red_line(event['actor'], event['red_line'])}."
        )
    elif result.outcome == "walkout":
        text = f"{title} in {when}: {story.red_line(event['actor'], event['red_line'])}."
    elif result.outcome == "escalation":
        text = (
            f"{title} in {when}: {story.actor(event.get('deployed_by'))}'s deployment crosses "
            f"{story.red_line(event['actor'], event['red_line'])}."
        )
    else:
        text = f"{title} in {when}."
    return result.outcome, text


def preconditions(output: RunOutput) -> list[str]:
    """The run's preconditions to talks, in words."""
    story = Story(output.compiled)
    lines = []
    for event in output.result.events:
        if event["kind"] != "precondition":
            continue
        requires = "; ".join(
            story.option(issue, options[0]) for issue, options in event["requires"].items()
        )
        who = story.actor(event["met_by"]) if event["met_by"] else "No one"
        verdict = "concedes it, so talks open" if event["conceded"] else "does not concede it"
        lines.append(
            f"{story.actor(event['actor'])} will not negotiate until {requires}: {who} {verdict}."
        )
    return lines


def final_utilities(output: RunOutput) -> pd.DataFrame:
    """Each actor's utility of the agreement (if any) against its value of no deal at the end."""
    story = Story(output.compiled)
    result = output.result
    last = output.final_batnas()
    rows = []
    for actor, role in zip(output.compiled.actor_ids, output.compiled.roles, strict=True):
        rows.append(
            {
                "Actor": story.actor(actor),
                "Role": labels.ROLE_WORDS.get(role, role),
                "Utility of the outcome": (result.utilities or {}).get(actor),
                "Value of no deal": last.get(actor),
                "Red lines binding this run": ", ".join(
                    labels.red_line_name(output.compiled.scenario, actor, r).split(": ", 1)[1]
                    for r in result.binding_red_lines.get(actor, [])
                ),
            }
        )
    return pd.DataFrame(rows)


def drawn(output: RunOutput) -> pd.DataFrame:
    """The uncertain numbers drawn for this run, named in words."""
    scenario = output.compiled.scenario
    return pd.DataFrame(
        [
            {"Parameter": labels.path_words(scenario, path), "Drawn": value, "Path": path}
            for path, value in output.result.sampled.items()
        ],
        columns=["Parameter", "Drawn", "Path"],
    )

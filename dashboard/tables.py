"""Tables of a scenario for people: actors, issues, red lines with their provenance.

Pure functions from a :class:`sim.scenario.schema.Scenario` to pandas DataFrames with column names
in words; pages show them, tests check them.
"""

from __future__ import annotations

import pandas as pd

from dashboard import labels
from sim.api import Scenario, nominal


def actors_table(scenario: Scenario) -> pd.DataFrame:
    """One row per actor: role, strategy, value of no deal, salience of each issue."""
    rows = []
    issue_names = labels.issue_names(scenario)
    for actor in scenario.actors:
        weights = {i: nominal(w) for i, w in actor.weights.items()}
        total = sum(weights.values()) or 1.0
        salience = ", ".join(
            f"{issue_names[i]} {w / total:.0%}"
            for i, w in sorted(weights.items(), key=lambda kv: -kv[1])
            if w > 0
        )
        strategy = labels.STRATEGY_WORDS[actor.strategy.kind]
        if actor.strategy.exponent is not None:
            strategy += f", exponent {labels.number_words(actor.strategy.exponent)}"
        rows.append(
            {
                "Actor": actor.name,
                "Role": labels.ROLE_WORDS[actor.role],
                "Strategy": strategy,
                "Value of no deal": labels.number_words(actor.batna.value),
                "Drift per round": labels.number_words(actor.batna.drift),
                "Salience": salience,
                "Red lines": len(actor.red_lines),
                "Notes": actor.notes or "",
            }
        )
    return pd.DataFrame(rows)


def issues_table(scenario: Scenario) -> pd.DataFrame:
    """One row per issue: its name and options in order."""
    rows = []
    for issue in scenario.issues:
        keys = issue.option_keys()
        rows.append(
            {
                "Issue": issue.name,
                "Options": " · ".join(labels.option_words(scenario, issue.id, k) for k in keys),
                "Count": issue.option_count(),
            }
        )
    return pd.DataFrame(rows)


def red_lines_table(scenario: Scenario) -> pd.DataFrame:
    """One row per red line: what it forbids, its consequence, firmness and provenance."""
    rows = []
    for actor in scenario.actors:
        for line in actor.red_lines:
            p = line.provenance
            forbids = labels.condition_words(scenario, line.forbids)
            if line.precondition is not None:
                requires = labels.condition_words(scenario, line.precondition.requires)
                forbids = f"no talks until {requires}" + (
                    f"; forbids {forbids}" if line.forbids else ""
                )
            rows.append(
                {
                    "Actor": actor.name,
                    "Red line": labels.red_line_name(scenario, actor.id, line.id).split(": ", 1)[1],
                    "Forbids": forbids,
                    "If crossed": (
                        "no talks until it is met; "
                        + labels.CONSEQUENCE_WORDS[line.consequence]
                        + " outside it"
                        if line.precondition is not None
                        else labels.CONSEQUENCE_WORDS[line.consequence]
                    ),
                    "Firmness": labels.number_words(line.firmness),
                    "Provenance": labels.KIND_WORDS[p.kind],
                    "Speaker": p.speaker or "—",
                    "Quote": p.quote or f"(none — {p.rationale})",
                    "assumption": p.kind == "assumption",
                }
            )
    return pd.DataFrame(rows)


def style_assumptions(table: pd.DataFrame) -> pd.io.formats.style.Styler:
    """The red-lines table with assumption rows shaded, and the marker column hidden."""

    marked = table["assumption"] if len(table) else pd.Series(dtype=bool)

    def shade(row: pd.Series) -> list[str]:
        colour = "background-color: #fff3cd; color: #664d03" if marked.loc[row.name] else ""
        return [colour] * len(row)

    # the marker column is dropped, not hidden: st.table shows hidden Styler columns
    return table.drop(columns=["assumption"], errors="ignore").style.apply(shade, axis=1)

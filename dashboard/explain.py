"""The bargaining-space analysis (`sim.api.explain`, as `redlines explain`) as tables.

Pure functions from an :class:`sim.api.Analysis` to DataFrames labelled in words; the
numbers are the analysis's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard import labels

if TYPE_CHECKING:
    from sim.api import Analysis

SOLUTION_WORDS = {
    "nash": "Nash",
    "kalai_smorodinsky": "Kalai–Smorodinsky",
    "egalitarian": "egalitarian",
    "utilitarian": "utilitarian",
}


def _names(analysis: Analysis) -> list[str]:
    scenario = analysis.compiled.scenario
    return [labels.actor_names(scenario)[a] for a in analysis.compiled.actor_ids]


def _terms(analysis: Analysis, outcome: int) -> str:
    return "; ".join(analysis.compiled.space.words(outcome).values())


POINTS = 4_000
"""Most outcomes a scatter plot draws (a browser chart of 10^6 dots would take gigabytes)."""


def shown(analysis: Analysis, limit: int = POINTS) -> np.ndarray:
    """The outcomes a plot draws: all of them up to `limit`; beyond, every Pareto-frontier
    outcome, then ZOPA outcomes, then the rest, each evenly spaced over the space."""
    n = analysis.n_outcomes
    if n <= limit:
        return np.arange(n)
    pareto = np.asarray(analysis.pareto, dtype=np.int64)[:limit]
    chosen = [pareto]
    left = limit - len(pareto)
    for pool, share in ((np.flatnonzero(analysis.zopa), left // 2), (np.arange(n), None)):
        pool = np.setdiff1d(pool, np.concatenate(chosen))
        take = min(left if share is None else share, pool.size)
        if take > 0:
            chosen.append(pool[np.linspace(0, pool.size - 1, take).round().astype(np.int64)])
            left -= take
    return np.unique(np.concatenate(chosen))


def points(analysis: Analysis, limit: int = POINTS) -> pd.DataFrame:
    """One row per outcome drawn (:func:`shown`): each actor's utility (a column per actor
    name), status, terms."""
    index = shown(analysis, limit)
    utilities = analysis.parameters.utilities[index]
    frame = pd.DataFrame(utilities, columns=_names(analysis))
    pareto = np.zeros(analysis.n_outcomes, dtype=bool)
    pareto[analysis.pareto] = True
    status = np.where(
        ~analysis.feasible[index],
        "blocked by a red line",
        np.where(
            ~analysis.zopa[index],
            "below someone's value of no deal",
            np.where(pareto[index], "ZOPA, Pareto frontier", "in the ZOPA"),
        ),
    )
    frame["status"] = status
    frame["terms"] = [_terms(analysis, int(k)) for k in index]
    return frame


def batna(analysis: Analysis) -> dict[str, float]:
    """Actor name -> value of no deal (at round 0, nominal)."""
    return dict(zip(_names(analysis), analysis.parameters.batna.tolist(), strict=True))


def solutions(analysis: Analysis) -> pd.DataFrame:
    """One row per solution point of the ZOPA: its name, terms and every actor's utility."""
    rows = []
    for key, point in analysis.solutions.items():
        if point is None:
            continue
        row: dict[str, object] = {
            "solution": SOLUTION_WORDS.get(key, key),
            "terms": "; ".join(point.words.values()),
        }
        names = labels.actor_names(analysis.compiled.scenario)
        row.update({names[a]: u for a, u in point.utilities.items()})
        rows.append(row)
    return pd.DataFrame(rows, columns=["solution", "terms", *_names(analysis)])


def blocking(analysis: Analysis) -> pd.DataFrame:
    """One row per red line: what it does to the bargaining space, with its provenance."""
    scenario = analysis.compiled.scenario
    rows = []
    for summary in analysis.red_lines:
        ref = summary.ref
        provenance = ref.rule.provenance
        rows.append(
            {
                "actor": labels.actor_names(scenario)[ref.actor],
                "red line": labels.red_line_name(scenario, ref.actor, ref.id).split(": ", 1)[1],
                "if crossed": labels.CONSEQUENCE_WORDS[ref.consequence],
                "firmness": summary.firmness,
                "binds": summary.binding,
                "outcomes it crosses": summary.crosses,
                "acceptable outcomes it blocks": summary.blocks,
                "swing": summary.swing,
                "provenance": labels.KIND_WORDS[provenance.kind],
                "quote": provenance.quote or f"(assumption) {provenance.rationale}",
            }
        )
    return pd.DataFrame(rows)


def relaxations(analysis: Analysis) -> pd.DataFrame:
    """The smallest sets of red lines whose removal opens a ZOPA, most likely bluffs first."""
    scenario = analysis.compiled.scenario
    rows = []
    for relaxation in analysis.relaxations:
        rows.append(
            {
                "drop": " and ".join(
                    labels.red_line_name(scenario, r.actor, r.id) for r in relaxation.red_lines
                ),
                "red lines": len(relaxation.red_lines),
                "chance they are all bluffs": relaxation.bluff_probability,
                "ZOPA size then": relaxation.zopa_size,
                "Nash point then": "; ".join(relaxation.nash.words.values())
                if relaxation.nash
                else "—",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "drop",
            "red lines",
            "chance they are all bluffs",
            "ZOPA size then",
            "Nash point then",
        ],
    )


def feasible_by_actor(analysis: Analysis) -> pd.DataFrame:
    """How many outcomes each actor's own binding red lines leave standing."""
    return pd.DataFrame(
        {
            "actor": _names(analysis),
            "outcomes its red lines allow": analysis.actor_feasible.sum(axis=1).astype(int),
        }
    )


def headline(analysis: Analysis) -> str:
    """One sentence: how big the ZOPA is, and for whom."""
    scenario = analysis.compiled.scenario
    names = labels.actor_names(scenario)
    zopa = int(analysis.zopa.sum())
    feasible = int(analysis.feasible.sum())
    parties = ", ".join(names[p] for p in analysis.parties) or "nobody"
    if zopa:
        return (
            f"A zone of possible agreement exists: {zopa} of {analysis.n_outcomes} outcomes cross "
            f"no binding red line and give every signatory at least its value of no deal "
            f"({feasible} cross no binding red line). Parties weighed by the solution points: "
            f"{parties}."
        )
    return (
        f"No zone of possible agreement: {feasible} of {analysis.n_outcomes} outcomes cross no "
        "binding red line, and none of them gives every signatory its value of no deal."
    )

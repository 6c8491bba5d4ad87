"""A Monte Carlo sweep's summary (`sim.api.sweep`, as `redlines sweep`) as tables in words.

The probabilities and their Wilson intervals are the summary's own; this module only names
them and shapes them for charts. Also the differences between two scenarios, for Compare.
"""

from __future__ import annotations

import io
from typing import Any

import pandas as pd

from dashboard import labels
from sim import api


def outcomes(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per ending: `outcome` in words, `p`, `low`, `high`, `count`."""
    rows = [
        {"outcome": labels.OUTCOME_WORDS.get(name, name), **row}
        for name, row in summary["outcomes"].items()
    ]
    return pd.DataFrame(rows, columns=["outcome", "p", "low", "high", "count"])


def terms(summary: dict[str, Any], scenario: api.Scenario) -> pd.DataFrame:
    """One row per (issue, option) among the agreements: share with its interval."""
    rows = []
    for issue_id, options in summary["terms"].items():
        issue = scenario.issue(issue_id)
        keys = {str(k): k for k in issue.option_keys()}
        for option, row in options.items():
            rows.append(
                {
                    "issue": issue.name,
                    "option": labels.option_words(scenario, issue_id, keys.get(option, option)),
                    **row,
                }
            )
    return pd.DataFrame(rows, columns=["issue", "option", "p", "low", "high", "count"])


def rounds(summary: dict[str, Any]) -> pd.DataFrame:
    """Rounds to agreement: `rounds`, `agreements` (the histogram)."""
    histogram = summary["rounds_to_agreement"]["histogram"]
    return pd.DataFrame(
        {"rounds": [int(k) for k in histogram], "agreements": list(histogram.values())},
        columns=["rounds", "agreements"],
    )


def binding_in_failures(summary: dict[str, Any], scenario: api.Scenario) -> pd.DataFrame:
    """Per red line: the share of failed runs in which it bound, with its owner's name."""
    names = labels.actor_names(scenario)
    rows = []
    for key, row in summary["red_lines_binding_in_failures"].items():
        actor, _, line = key.partition(".")
        rows.append(
            {
                "actor": names.get(actor, actor),
                "red line": labels.red_line_name(scenario, actor, line).split(": ", 1)[-1],
                **row,
            }
        )
    return pd.DataFrame(rows, columns=["actor", "red line", "p", "low", "high", "count"])


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """The sweep table as Parquet (what `redlines sweep --out` writes, in one file)."""
    buffer = io.BytesIO()
    table.to_parquet(buffer, index=False)
    return buffer.getvalue()


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Scenario data as `--set` paths -> values: lists of things with ids keyed by id, a
    distribution kept whole.

    >>> flatten({"a": [{"id": "x", "v": 1}], "d": {"dist": "uniform", "low": 0, "high": 1}})
    {'a.x.v': 1, 'a.x': 'present', 'd': {'dist': 'uniform', 'low': 0, 'high': 1}}
    """
    if isinstance(data, dict) and "dist" not in data:
        found: dict[str, Any] = {}
        for key, value in data.items():
            found.update(flatten(value, f"{prefix}{key}."))
        return found
    if isinstance(data, list) and data and all(isinstance(v, dict) and "id" in v for v in data):
        found = {}
        for item in data:
            found.update(
                flatten({k: v for k, v in item.items() if k != "id"}, f"{prefix}{item['id']}.")
            )
            found[f"{prefix}{item['id']}"] = "present"
        return found
    return {prefix.rstrip("."): data}


def value_words(value: Any) -> str:
    """A flattened scenario value in words."""
    if value is None:
        return "—"
    if isinstance(value, dict) and "dist" in value:
        low, high = value.get("low"), value.get("high")
        if value["dist"] == "choice":
            return "one of " + ", ".join(f"{v:g}" for v in value["values"])
        return f"{value['dist']} {low:g}–{high:g}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return ", ".join(value_words(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_words(v)}" for k, v in value.items())
    return str(value)


def differences(left: api.Scenario, right: api.Scenario) -> pd.DataFrame:
    """Every value that differs between two scenarios: `path`, `parameter` (in words, from
    the side that has it), `left`, `right`."""
    a, b = flatten(api.scenario_data(left)), flatten(api.scenario_data(right))
    rows = []
    for path in list(dict.fromkeys([*a, *b])):
        if a.get(path) == b.get(path):
            continue
        named = right if path in b else left
        try:
            words = labels.path_words(named, path)
        except (StopIteration, KeyError, ValueError):
            words = path
        rows.append(
            {
                "parameter": words,
                "left": value_words(a.get(path)),
                "right": value_words(b.get(path)),
                "path": path,
            }
        )
    return pd.DataFrame(rows, columns=["parameter", "left", "right", "path"])


def side_by_side(summaries: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """The outcome rows of several sweeps (side label -> summary), with a `side` column."""
    frames = [outcomes(summary).assign(side=label) for label, summary in summaries.items()]
    return pd.concat(frames, ignore_index=True)


def odds_change(both: pd.DataFrame, sides: list[str]) -> pd.DataFrame:
    """One row per outcome: each side's probability and the `change` from first to last."""
    order = list(labels.OUTCOME_COLOURS)
    table = both.pivot(index="outcome", columns="side", values="p").reindex(order)[sides]
    table["change"] = table[sides[-1]] - table[sides[0]] if len(sides) == 2 else 0.0
    return table.reset_index()

"""A Monte Carlo sweep's summary (`sim.sweep.sweep`, as `redlines sweep`) as tables in words.

The probabilities and their Wilson intervals are the summary's own (:mod:`sim.summary`); this
module only names them and shapes them for charts. Also the progress bar long computations
report to, which the Stop button (or any other click) interrupts.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pandas as pd

from dashboard import labels
from sim.scenario import Scenario


def outcomes(summary: dict[str, Any]) -> pd.DataFrame:
    """One row per ending: `outcome` in words, `p`, `low`, `high`, `count`."""
    rows = [
        {"outcome": labels.OUTCOME_WORDS.get(name, name), **row}
        for name, row in summary["outcomes"].items()
    ]
    return pd.DataFrame(rows, columns=["outcome", "p", "low", "high", "count"])


def terms(summary: dict[str, Any], scenario: Scenario) -> pd.DataFrame:
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


def binding_in_failures(summary: dict[str, Any], scenario: Scenario) -> pd.DataFrame:
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


def progress_reporter(bar: Any, what: str) -> Callable[[int, int], None]:
    """A `progress` callback for `sim` sweeps that moves a Streamlit progress bar.

    Each call is a Streamlit command, so a click on Stop (or any widget) interrupts the
    computation there, between two chunks of runs.
    """

    def report(done: int, total: int) -> None:
        bar.progress(min(done / total, 1.0), text=f"{what}: {done:,} of {total:,} runs")

    return report

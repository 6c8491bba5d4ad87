"""What a Monte Carlo sweep says: outcome probabilities with intervals, terms, rounds, red lines.

A summary is built from a :class:`Tally`, a set of counts that chunks of runs add to one by
one, so a sweep of millions of runs never needs its whole table in memory; merging tallies
is addition, so the summary does not depend on the order chunks finish in.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.results import OUTCOMES
from sim.explore.columns import BINDS, TERMS, column

Z_95 = 1.959963984540054
"""The standard normal quantile of 0.975: a two-sided 95% interval."""

INTERVAL_METHOD = "Wilson score interval, 95%"


def wilson(count: int, total: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion `count / total` (Wilson 1927).

    With p = k/n: centre = (p + z²/2n) / (1 + z²/n) and half-width
    = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n). Unlike the normal (Wald) interval it stays
    inside [0, 1] and does not collapse to a point at 0 or n. With no runs: (0, 1).

    >>> [round(x, 4) for x in wilson(81, 263)]
    [0.2553, 0.3662]
    >>> [round(x, 4) for x in wilson(0, 20)]
    [0.0, 0.1611]
    """
    if total < 0 or not 0 <= count <= total:
        raise ValueError(f"need 0 <= count <= total, got {count} of {total}")
    if total == 0:
        return 0.0, 1.0
    p = count / total
    z2 = z * z
    denominator = 1.0 + z2 / total
    centre = (p + z2 / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total)) / denominator
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    if count == 0:
        low = 0.0
    if count == total:
        high = 1.0
    return low, high


def proportion(count: int, total: int) -> dict[str, float | int]:
    """`{p, low, high, count}`: a proportion with its Wilson 95% interval."""
    low, high = wilson(count, total)
    return {"p": count / total if total else 0.0, "low": low, "high": high, "count": count}


@dataclass
class Tally:
    """Counts over runs that add up chunk by chunk: everything a summary needs."""

    issues: tuple[str, ...]
    red_lines: tuple[str, ...]
    """Red-line keys (`actor.red_line`), as in the table's `binds.` columns."""
    runs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    terms: dict[str, Counter[str]] = field(default_factory=dict)
    """Per issue, how often each option was agreed."""
    rounds: Counter[int] = field(default_factory=Counter)
    """Rounds to agreement: how many agreements took each number of rounds."""
    failed: int = 0
    """Runs that ended without agreement."""
    bound_in_failures: Counter[str] = field(default_factory=Counter)
    """Per red line: in how many failed runs it was binding."""

    def add(self, table: pd.DataFrame) -> None:
        """Count the runs of one chunk of a sweep table."""
        self.runs += len(table)
        outcome = table["outcome"].astype(str)
        self.outcomes.update(outcome.value_counts().to_dict())
        agreed = (outcome == "agreement").to_numpy()
        for issue in self.issues:
            agreed_terms = table[column(TERMS, issue)][agreed].dropna()
            counts = self.terms.setdefault(issue, Counter())
            counts.update({_option_text(k): int(v) for k, v in agreed_terms.value_counts().items()})
        rounds = table["rounds"].to_numpy()[agreed]
        values, frequencies = np.unique(rounds, return_counts=True)
        self.rounds.update({int(v): int(c) for v, c in zip(values, frequencies, strict=True)})
        failed = ~agreed
        self.failed += int(failed.sum())
        for key in self.red_lines:
            hits = int(table[column(BINDS, key)].to_numpy()[failed].sum())
            if hits:
                self.bound_in_failures[key] += hits

    def summary(self) -> dict[str, Any]:
        """The summary as plain data (see :func:`summarise`)."""
        return summarise(self)


def _option_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    return str(value)


def summarise(tally: Tally) -> dict[str, Any]:
    """Outcome probabilities, agreed terms, rounds to agreement and red lines in failures.

    Every probability carries its Wilson 95% interval. Terms are shares of the agreements;
    red lines are shares of the failed runs in which the red line was binding (binding is
    not blame: a red line can bind in a run that failed for another reason).
    """
    runs = tally.runs
    agreements = tally.outcomes.get("agreement", 0)
    return {
        "runs": runs,
        "interval": INTERVAL_METHOD,
        "outcomes": {o: proportion(tally.outcomes.get(o, 0), runs) for o in OUTCOMES},
        "terms": {
            issue: {
                option: proportion(count, agreements)
                for option, count in sorted(tally.terms.get(issue, Counter()).items())
            }
            for issue in tally.issues
        },
        "rounds_to_agreement": rounds_summary(tally.rounds),
        "failed_runs": tally.failed,
        "red_lines_binding_in_failures": {
            key: proportion(tally.bound_in_failures.get(key, 0), tally.failed)
            for key in sorted(
                tally.red_lines, key=lambda k: (-tally.bound_in_failures.get(k, 0), k)
            )
        },
    }


def rounds_summary(histogram: Mapping[int, int]) -> dict[str, Any]:
    """Mean, quantiles and the histogram of rounds to agreement (None values when none)."""
    total = sum(histogram.values())
    if total == 0:
        return {"count": 0, "mean": None, "p10": None, "median": None, "p90": None,
                "min": None, "max": None, "histogram": {}}  # fmt: skip
    values = np.array(sorted(histogram), dtype=float)
    counts = np.array([histogram[int(v)] for v in values], dtype=float)
    cumulative = np.cumsum(counts) / total

    def quantile(q: float) -> int:
        return int(values[np.searchsorted(cumulative, q - 1e-12)])

    return {
        "count": total,
        "mean": float(np.dot(values, counts) / total),
        "p10": quantile(0.1),
        "median": quantile(0.5),
        "p90": quantile(0.9),
        "min": int(values[0]),
        "max": int(values[-1]),
        "histogram": {str(int(v)): int(c) for v, c in zip(values, counts, strict=True)},
    }

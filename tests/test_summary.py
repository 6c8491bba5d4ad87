"""Wilson intervals against published values; tallies that add up chunk by chunk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli.tables import format_summary
from sim.explore.summary import Tally, proportion, rounds_summary, wilson


@pytest.mark.parametrize(
    ("count", "total", "low", "high"),
    [
        # Newcombe (1998), "Two-sided confidence intervals for the single proportion",
        # Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score, no correction)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
        (29, 29, 0.8830, 1.0),
    ],
)
def test_wilson_matches_newcombe(count: int, total: int, low: float, high: float) -> None:
    got = wilson(count, total)
    assert got == pytest.approx((low, high), abs=5e-5)


def test_wilson_is_symmetric_and_inside_unit_interval() -> None:
    low, high = wilson(5, 10)
    assert low == pytest.approx(1 - high)
    assert 0 < low < 0.5 < high < 1
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_proportion_has_the_json_keys() -> None:
    assert proportion(3, 4) == {"p": 0.75, "low": wilson(3, 4)[0], "high": wilson(3, 4)[1],
                                "count": 3}  # fmt: skip


def _chunk(outcomes: list[str], rounds: list[int], binds: list[bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": outcomes,
            "rounds": rounds,
            "terms.x": ["a" if o == "agreement" else None for o in outcomes],
            "binds.p.line": binds,
        }
    )


def test_tally_adds_chunks_in_any_order() -> None:
    first = _chunk(["agreement", "deadlock", "agreement"], [3, 10, 5], [False, True, True])
    second = _chunk(["escalation", "agreement"], [7, 5], [True, False])
    forward, backward = Tally(("x",), ("p.line",)), Tally(("x",), ("p.line",))
    forward.add(first)
    forward.add(second)
    backward.add(second)
    backward.add(first)
    assert forward.summary() == backward.summary()
    summary = forward.summary()
    assert summary["runs"] == 5
    assert summary["outcomes"]["agreement"]["count"] == 3
    assert summary["outcomes"]["walkout"] == {"p": 0.0, "low": 0.0, "high": wilson(0, 5)[1],
                                              "count": 0}  # fmt: skip
    assert summary["terms"]["x"]["a"]["count"] == 3
    assert summary["rounds_to_agreement"]["histogram"] == {"3": 1, "5": 2}
    assert summary["failed_runs"] == 2
    assert summary["red_lines_binding_in_failures"]["p.line"]["count"] == 2
    text = format_summary(summary)
    assert "agreement" in text and "p.line" in text


def test_rounds_summary_quantiles() -> None:
    histogram = {k: 1 for k in range(1, 11)}
    got = rounds_summary(histogram)
    assert (got["p10"], got["median"], got["p90"]) == (1, 5, 9)
    assert got["mean"] == pytest.approx(np.mean(range(1, 11)))
    assert rounds_summary({})["median"] is None

"""Small scenarios for the sweep, sensitivity and discovery tests.

`decisive()` is built so that one number decides the outcome: actor `a` accepts only outcomes
worth at least its BATNA, the best outcome is worth 0.5 to it, and its BATNA is drawn from
uniform(0, 1); so a run ends in agreement exactly when `actors.a.batna.value` < 0.5 (about half
the runs). Every other number is uncertain too, over a range that changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.builders import write_scenario

DECISIVE = "actors.a.batna.value"


def _actor(actor_id: str, batna: Any, scores: dict[str, float]) -> dict[str, Any]:
    return {
        "id": actor_id,
        "name": actor_id.upper(),
        "role": "belligerent",
        "weights": {"deal": 1.0},
        "scores": {"deal": scores},
        "batna": {"value": batna, "drift": 0.0},
        "strategy": {"kind": "linear"},
        "red_lines": [
            {
                "id": "never_low",
                "forbids": {"deal": ["low"]},
                "firmness": {"dist": "uniform", "low": 0.0, "high": 1.0},
                "provenance": {"kind": "assumption", "rationale": "A test red line."},
            }
        ],
    }


def decisive_data() -> dict[str, Any]:
    """Plain data of the scenario in which `actors.a.batna.value` decides agreement."""
    return {
        "schema_version": 1,
        "id": "decisive",
        "title": "One number decides",
        "issues": [
            {
                "id": "deal",
                "name": "The deal",
                "options": [{"id": "low"}, {"id": "mid"}, {"id": "high"}],
            }
        ],
        "actors": [
            _actor(
                "a",
                {"dist": "uniform", "low": 0.0, "high": 1.0},
                {"low": 0.0, "mid": 0.5, "high": 0.5},
            ),
            _actor(
                "b",
                {"dist": "uniform", "low": 0.0, "high": 0.1},
                {"low": 1.0, "mid": 1.0, "high": 1.0},
            ),
        ],
        "protocol": {"kind": "alternating", "max_rounds": 6},
    }


def write_decisive(folder: Path) -> Path:
    """Write the decisive scenario into `folder`; return its path."""
    return write_scenario(folder, decisive_data(), "decisive.yaml")

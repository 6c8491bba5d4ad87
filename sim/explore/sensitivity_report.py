"""The results of `redlines sensitivity` together: one at a time, the grid and Sobol indices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.explore.sensitivity import ONE_AT_A_TIME_METHOD, ranking
from sim.explore.sobol import SOBOL_TARGETS, SobolResult


@dataclass
class Report:
    """The results of `redlines sensitivity`, as text or as one JSON object."""

    one_at_a_time: pd.DataFrame
    grid: pd.DataFrame | None
    sobol: SobolResult | None
    runs: int
    seed: int

    def to_dict(self) -> dict[str, Any]:
        """Plain data for `--json`."""
        document: dict[str, Any] = {
            "seed": self.seed,
            "runs_per_setting": self.runs,
            "one_at_a_time": {
                "method": ONE_AT_A_TIME_METHOD,
                "rows": self.one_at_a_time.to_dict(orient="records"),
                "ranking": {
                    target: ranking(self.one_at_a_time, target).to_dict(orient="records")
                    for target in SOBOL_TARGETS
                },
            },
            "grid": None,
            "sobol": None,
        }
        if self.grid is not None:
            document["grid"] = {
                "method": "two numbers set together to every pair of values (common seeds)",
                "x": self.grid.attrs["x_path"],
                "y": self.grid.attrs["y_path"],
                "rows": self.grid.to_dict(orient="records"),
            }
        if self.sobol is not None:
            document["sobol"] = {
                "method": self.sobol.method,
                "points": self.sobol.points,
                "runs_per_point": self.sobol.runs,
                "factors": self.sobol.factors.to_dict(orient="records"),
                "constant": self.sobol.constant,
                "indices": [
                    {
                        k: (None if isinstance(v, float) and np.isnan(v) else v)
                        for k, v in row.items()
                    }
                    for row in self.sobol.indices.to_dict(orient="records")
                ],
            }
        return document

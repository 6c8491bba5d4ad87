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

    def text(self) -> str:
        """Plain text for a terminal."""
        lines = [f"Method: {ONE_AT_A_TIME_METHOD}.", f"{self.runs:,} runs per setting, seed "
                 f"{self.seed}.", ""]  # fmt: skip
        table = self.one_at_a_time
        names = list(table["parameter"])
        if self.sobol is not None:
            names += list(self.sobol.indices["parameter"])
        width = max([len(name) for name in names] + [10])
        lines.append(f"{'value':>10}  {'P(agreement) [95%]':<26}{'P(escalation) [95%]':<26}")
        for parameter in dict.fromkeys(table["parameter"]):
            lines.append(parameter)
            rows = table[table["parameter"] == parameter]
            for value in dict.fromkeys(rows["value"]):
                at = rows[rows["value"] == value].set_index("outcome")
                cells = [
                    f"{at.at[t, 'p']:.3f} [{at.at[t, 'low']:.3f}, {at.at[t, 'high']:.3f}]"
                    for t in SOBOL_TARGETS
                ]
                lines.append(f"{value:>10.4g}  {cells[0]:<26}{cells[1]:<26}")
        lines.append("")
        lines.append("Ranking by swing of P(agreement) (largest minus smallest over the values):")
        for k, row in ranking(self.one_at_a_time).iterrows():
            lines.append(f"{k + 1:>3}. {row['parameter']:<{width}} {row['swing']:.3f}")
        if self.grid is not None:
            lines.append("")
            x, y = self.grid.attrs["x_path"], self.grid.attrs["y_path"]
            lines.append(f"Grid: P(agreement); rows {x}, columns {y}")
            heat = self.grid[self.grid["outcome"] == "agreement"].pivot(
                index="x", columns="y", values="p"
            )
            lines.append(" " * 10 + "".join(f"{c:>9.4g}" for c in heat.columns))
            for value, row in heat.iterrows():
                lines.append(f"{value:>10.4g}" + "".join(f"{p:>9.3f}" for p in row))
        if self.sobol is not None:
            lines.append("")
            lines.append(f"Method: {self.sobol.method}")
            for target in SOBOL_TARGETS:
                if target in self.sobol.constant:
                    value = self.sobol.constant[target]
                    lines.append(
                        f"P({target}) is {value:.3f} at every point: no variance, no indices."
                    )
                    continue
                lines.append(f"Sobol indices of P({target}), by total order:")
                rows = self.sobol.indices[self.sobol.indices["target"] == target]
                for _, row in rows.iterrows():
                    lines.append(
                        f"  {row['parameter']:<{width}} S1 {row['S1']:6.3f} ±{row['S1_conf']:.3f}"
                        f"  ST {row['ST']:6.3f} ±{row['ST_conf']:.3f}"
                    )
        return "\n".join(lines)

"""Sweeps, sensitivity and discovery results as plain text for a terminal.

Each text is made :func:`~sim.cli.terminal.printable` as a whole: the words a scenario brings
(ids, option names, labels) cannot carry a control character to the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.cli.terminal import printable
from sim.explore.discovery import Discovery
from sim.explore.montecarlo import SweepResult
from sim.explore.sensitivity import ONE_AT_A_TIME_METHOD, ranking
from sim.explore.sensitivity_report import Report
from sim.explore.sobol import SOBOL_TARGETS


def sweep_text(result: SweepResult) -> str:
    """A sweep's summary as plain text, titled with the scenario, seed and hash."""
    return format_summary(
        result.summary,
        title=f"{result.scenario} (seed {result.seed}, sha256 {result.scenario_sha256[:12]})",
    )


def format_summary(summary: Mapping[str, Any], *, title: str = "") -> str:
    """The summary as plain text for a terminal."""
    runs = summary["runs"]
    lines = [title] if title else []
    lines.append(f"{runs:,} runs; {summary['interval']}")
    lines.append("")
    lines.append(f"{'outcome':<12} {'p':>7}  {'95% interval':<17} {'runs':>9}")
    for outcome, row in summary["outcomes"].items():
        interval = f"[{row['low']:.3f}, {row['high']:.3f}]"
        lines.append(f"{outcome:<12} {row['p']:>7.3f}  {interval:<17} {row['count']:>9,}")
    agreements = summary["outcomes"]["agreement"]["count"]
    if agreements:
        lines.append("")
        lines.append(f"agreed terms ({agreements:,} agreements):")
        for issue, options in summary["terms"].items():
            shown = ", ".join(
                f"{option} {row['p']:.0%}"
                for option, row in sorted(options.items(), key=lambda kv: -kv[1]["count"])
            )
            lines.append(f"  {issue}: {shown}")
        rounds = summary["rounds_to_agreement"]
        lines.append(
            f"rounds to agreement: mean {rounds['mean']:.1f}, median {rounds['median']}, "
            f"10-90% {rounds['p10']}-{rounds['p90']}, range {rounds['min']}-{rounds['max']}"
        )
    failed = summary["failed_runs"]
    if failed:
        lines.append("")
        lines.append(f"red lines binding in failed runs ({failed:,} runs without agreement):")
        for key, row in summary["red_lines_binding_in_failures"].items():
            lines.append(f"  {key:<48} {row['p']:>6.1%}")
    return printable("\n".join(lines))


def discovery_text(found: Discovery) -> str:
    """Plain-text report."""
    lines = [
        f"{found.target} in {found.base_density:.0%} of {found.runs:,} runs overall "
        "(PRIM boxes: density = share of the box's runs, coverage = share of all "
        f"{found.target} runs)"
    ]
    if not found.boxes:
        lines.append(f"no range of the inputs concentrates {found.target} runs")
    for k, box in enumerate(found.boxes, start=1):
        lines.append(f"{k}. {box.words(found.target)}")
    return printable("\n".join(lines))


def sensitivity_text(report: Report) -> str:
    """Plain text for a terminal."""
    lines = [f"Method: {ONE_AT_A_TIME_METHOD}.", f"{report.runs:,} runs per setting, seed "
             f"{report.seed}.", ""]  # fmt: skip
    table = report.one_at_a_time
    names = list(table["parameter"])
    if report.sobol is not None:
        names += list(report.sobol.indices["parameter"])
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
    for k, row in ranking(report.one_at_a_time).iterrows():
        lines.append(f"{k + 1:>3}. {row['parameter']:<{width}} {row['swing']:.3f}")
    if report.grid is not None:
        lines.append("")
        x, y = report.grid.attrs["x_path"], report.grid.attrs["y_path"]
        lines.append(f"Grid: P(agreement); rows {x}, columns {y}")
        heat = report.grid[report.grid["outcome"] == "agreement"].pivot(
            index="x", columns="y", values="p"
        )
        lines.append(" " * 10 + "".join(f"{c:>9.4g}" for c in heat.columns))
        for value, row in heat.iterrows():
            lines.append(f"{value:>10.4g}" + "".join(f"{p:>9.3f}" for p in row))
    if report.sobol is not None:
        lines.append("")
        lines.append(f"Method: {report.sobol.method}")
        for target in SOBOL_TARGETS:
            if target in report.sobol.constant:
                value = report.sobol.constant[target]
                lines.append(f"P({target}) is {value:.3f} at every point: no variance, no indices.")
                continue
            lines.append(f"Sobol indices of P({target}), by total order:")
            rows = report.sobol.indices[report.sobol.indices["target"] == target]
            for _, row in rows.iterrows():
                lines.append(
                    f"  {row['parameter']:<{width}} S1 {row['S1']:6.3f} ±{row['S1_conf']:.3f}"
                    f"  ST {row['ST']:6.3f} ±{row['ST_conf']:.3f}"
                )
    return printable("\n".join(lines))

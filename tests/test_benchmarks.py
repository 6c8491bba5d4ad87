"""`python -m benchmarks`: the table against the targets, the README summary, the runner.

No timing is asserted (benchmarks are not timed tests): these tests feed the table canned
figures and check the verdicts, and run the cheapest benchmark through the runner once.
"""

from __future__ import annotations

import copy
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.builders import ROOT

runner = importlib.import_module("benchmarks.__main__")

FIGURES: dict[str, dict[str, Any]] = {
    "engine": {
        "runs": 1000,
        "baseline_one_run_ms": 0.8,
        "baseline_recorded_run_ms": 4.0,
        "baseline_runs_per_s_cpu": 1200.0,
        "baseline_runs_per_s_wall": 1100.0,
        "synthetic_outcomes": 324,
        "synthetic_per_s_cpu": 1300.0,
        "synthetic_per_s_wall": 1250.0,
    },
    "analysis": {
        "cases": [
            {"case": "uniform", "outcomes": 10**6, "actors": 2, "first": 0.02},
            {
                "case": "uniform",
                "outcomes": 10**6,
                "actors": 4,
                "frontier": 425,
                "first": 0.09,
                "best": 0.05,
                "peak_mib": 12.0,
            },
        ]
    },
    "sweep": {
        "sizes": [
            {
                "runs": 10_000,
                "workers": 2,
                "seconds": 5.9,
                "runs_per_second": 1700.0,
                "cpu_ms_per_run": 1.07,
                "parent_peak_mib": 136.0,
                "worker_peak_mib": 157.0,
            },
            {
                "runs": 100_000,
                "workers": 2,
                "seconds": 50.2,
                "runs_per_second": 1990.0,
                "cpu_ms_per_run": 0.98,
                "parent_peak_mib": 137.0,
                "worker_peak_mib": 157.0,
            },
        ],
        "speedup_runs": 50_000,
        "one_worker": {"seconds": 41.2},
        "two_workers": {"seconds": 19.1},
        "speedup": 2.16,
    },
    "dashboard": {"moves": 30, "run_new": {"median_s": 0.156, "p90_s": 0.189, "worst_s": 0.325}},
    "startup": {
        "repeat": 20,
        "bare_best_s": 0.025,
        "bare_median_s": 0.028,
        "help_best_s": 0.085,
        "help_median_s": 0.095,
        "heavy_imported": [],
    },
}


def test_every_target_met_reads_met() -> None:
    table = runner.rows(FIGURES, quick=False)
    assert len(table) == 9
    assert [r.verdict for r in table].count(runner.MET) == 8
    assert [r.verdict for r in table].count(runner.NONE) == 1  # baseline runs/s: no target
    text = runner.markdown(table)
    assert "1,300/s CPU" in text and "2.16x" in text and "137 MiB" in text


@pytest.mark.parametrize(
    ("bench", "path", "value", "row"),
    [
        ("engine", ("synthetic_per_s_cpu",), 650.0, "Engine: synthetic"),
        ("analysis", ("cases", 1, "first"), 0.8, "Pareto frontier"),
        ("sweep", ("sizes", 1, "seconds"), 75.0, "Sweep: 100,000"),
        ("sweep", ("sizes", 1, "parent_peak_mib"), 180.0, "Sweep: peak memory"),
        ("sweep", ("sizes", 1, "worker_peak_mib"), 200.0, "Sweep: peak memory"),
        ("sweep", ("speedup",), 1.5, "Sweep: speed-up"),
        ("dashboard", ("run_new", "p90_s"), 0.9, "Dashboard"),
        ("startup", ("help_best_s",), 0.2, "CLI start-up: `redlines --help` vs"),
        ("startup", ("heavy_imported",), ["numpy", "pandas"], "CLI start-up: heavy"),
    ],
)
def test_a_figure_beyond_its_target_reads_missed(
    bench: str, path: tuple[Any, ...], value: Any, row: str
) -> None:
    figures = copy.deepcopy(FIGURES)
    node: Any = figures[bench]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    table = runner.rows(figures, quick=False)
    missed = [r.what for r in table if r.verdict == runner.MISSED]
    assert len(missed) == 1 and missed[0].startswith(row), missed


def test_quick_sizes_are_not_judged_against_full_size_targets() -> None:
    figures = copy.deepcopy(FIGURES)
    figures["analysis"]["cases"][1]["outcomes"] = 10**5
    figures["sweep"]["sizes"][1]["runs"] = 10_000
    figures["sweep"]["speedup"] = 0.9
    table = {r.what.split(" (")[0]: r.verdict for r in runner.rows(figures, quick=True)}
    assert table["Pareto frontier: 100,000 outcomes x 4 actors, 1 core"].startswith("n/a")
    assert table["Sweep: 10,000 baseline runs, 2 workers, to disk"].startswith("n/a")
    assert table["Sweep: speed-up of 2 workers over 1"].startswith("n/a")
    assert table["Engine: synthetic negotiations/s, 1 core"] == runner.MET


def test_missing_benchmarks_are_left_out_of_the_table() -> None:
    table = runner.rows({"startup": FIGURES["startup"]}, quick=False)
    assert [r.what.split(":")[0] for r in table] == ["CLI start-up", "CLI start-up"]


def test_the_readme_summary_is_replaced_between_its_markers() -> None:
    readme = (ROOT / "benchmarks" / "README.md").read_text(encoding="utf-8")
    assert readme.count(runner.START) == 1 and readme.count(runner.END) == 1
    updated = runner.update_readme(readme, "NEW TABLE")
    assert f"{runner.START}\nNEW TABLE\n{runner.END}" in updated
    before, after = readme.split(runner.START)[0], readme.split(runner.END)[1]
    assert updated.startswith(before) and updated.endswith(after)
    with pytest.raises(ValueError, match="markers"):
        runner.update_readme("# no markers\n", "x")


def test_the_runner_runs_a_benchmark_and_prints_the_table(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "startup", "--json", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "| benchmark | measured | target | verdict |" in done.stdout
    assert "CLI start-up: heavy libraries" in done.stdout
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert {"machine", "startup"} <= set(figures)
    assert figures["machine"]["nproc"] >= 1 and figures["machine"]["python"]
    assert figures["startup"]["repeat"] == 5


def test_an_unknown_benchmark_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "engine,nonsense"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2
    assert "nonsense" in done.stderr

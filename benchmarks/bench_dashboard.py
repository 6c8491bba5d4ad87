"""Benchmark: how fast the dashboard's Run page re-renders when a slider moves (not a timed test).

    .venv/bin/python benchmarks/bench_dashboard.py [--moves N] [--json PATH]

With Streamlit's AppTest (the whole script run in-process: the entry file, the navigation,
the page, every element serialised), on the baseline scenario:

1. the seed slider moved to seeds not seen before (a new recorded run each time: the cache
   misses, so this is the full cost: `sim.model.run`, the tables, the Altair timeline);
2. the seed slider moved back to seeds already seen (the cached run is reused);
3. the round slider moved (the same run, another round shown);
4. the Adjust page: a firmness slider moved (the `--set` overrides re-validated).

Prints the median, 90th percentile and worst time of each, with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
FIRMNESS = "adjust_w_actors__russia__red_lines__no_western_peacekeepers__firmness"


def timed(moves: list[Callable[[], object]]) -> list[float]:
    """Seconds each move (a widget change and the script run) takes."""
    seconds = []
    for move in moves:
        began = time.perf_counter()
        move()
        seconds.append(time.perf_counter() - began)
    return seconds


def summary(seconds: list[float]) -> dict[str, float]:
    """Median, 90th percentile and worst of `seconds`."""
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median_s": statistics.median(seconds), "p90_s": p90, "worst_s": max(seconds)}


def row(name: str, seconds: list[float]) -> str:
    figures = summary(seconds)
    return (
        f"| {name} | {len(seconds)} | {figures['median_s'] * 1000:.0f} ms | "
        f"{figures['p90_s'] * 1000:.0f} ms | {figures['worst_s'] * 1000:.0f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=30, help="slider moves per case")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("views/run.py").run()
    assert not at.exception
    at.slider(key="run_seed").set_value(3).run()  # warm: imports, compile, first run

    def seed_move(seed: int) -> Callable[[], object]:
        return lambda: at.slider(key="run_seed").set_value(seed).run()

    fresh = timed([seed_move(100 + k) for k in range(args.moves)])
    cached = timed([seed_move(100 + k) for k in range(args.moves)])
    assert not at.exception
    at.slider(key="run_seed").set_value(3).run()
    rounds = [int(r) for r in at.select_slider(key="run_round").options]
    round_moves = timed(
        [
            (lambda r=r: at.select_slider(key="run_round").set_value(r).run())
            for r in (rounds * 3)[: args.moves]
        ]
    )
    at.switch_page("views/adjust.py").run()
    values = [(0.4 + 0.01 * k, 0.8) for k in range(args.moves)]
    adjust = timed([(lambda v=v: at.slider(key=FIRMNESS).set_value(v).run()) for v in values])
    assert not at.exception

    print(
        f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; Python {sys.version.split()[0]}"
    )
    print("| slider move (AppTest, whole script run) | moves | median | p90 | worst |")
    print("|---|---|---|---|---|")
    print(row("Run page: seed, new run each time", fresh))
    print(row("Run page: seed, run cached", cached))
    print(row("Run page: round shown", round_moves))
    print(row("Adjust page: a firmness range", adjust))
    if args.json:
        cases = {"run_new": fresh, "run_cached": cached, "run_round": round_moves, "adjust": adjust}
        figures = {name: summary(seconds) for name, seconds in cases.items()}
        args.json.write_text(json.dumps({"moves": args.moves, **figures}, indent=2), "utf-8")


if __name__ == "__main__":
    main()

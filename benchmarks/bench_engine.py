"""Benchmark of the negotiation engine: runs per second on one core.

    .venv/bin/python benchmarks/bench_engine.py [--runs N] [--profile] [--json PATH]

Measures (fast path, `sim.engine.run.simulate`, no recording):
1. one baseline run (`scenarios/baseline.yaml`), and one recorded run (`sim.engine.run.run`);
2. 1,000 baseline runs (seeds 0..999);
3. a synthetic negotiation in the standard automated-negotiation setting: 4 actors who all
   sign, 5 issues of 3, 3, 3, 3 and 4 options (324 outcomes), linear additive utilities,
   time-based strategies (boulware, linear, conceder, boulware), an alternating protocol with
   a 100-round cap, BATNAs drawn per run, one red line per actor with firmness 0.5.

Not a timed test: the figures depend on the machine. `--profile` prints the cProfile top of
the synthetic case; `--json PATH` also writes the figures to PATH (for `python -m benchmarks`).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

# One core: pin the process and keep BLAS to one thread before numpy loads.
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.engine.model import NegotiationModel  # noqa: E402
from sim.engine.run import run, simulate  # noqa: E402
from sim.engine.space import Compiled, compile_scenario  # noqa: E402
from sim.scenario.build import load_scenario  # noqa: E402
from sim.scenario.schema import Scenario  # noqa: E402

KINDS = ("boulware", "linear", "conceder", "boulware")
ONE_SEED = 3
"""The baseline seed timed alone: talks open and end in agreement after 20 rounds."""


def synthetic_scenario(seed: int = 7) -> dict[str, Any]:
    """4 actors, 5 issues (324 outcomes), alternating, time-based, 100 rounds."""
    rng = np.random.default_rng(seed)
    counts = (3, 3, 3, 3, 4)
    issues = [
        {
            "id": f"issue_{i}",
            "name": f"issue {i}",
            "options": [{"id": f"o{k}"} for k in range(n)],
        }
        for i, n in enumerate(counts)
    ]
    actors = []
    for a, kind in enumerate(KINDS):
        weights = rng.dirichlet(np.ones(len(counts)))
        scores = {
            f"issue_{i}": [round(float(x), 3) for x in rng.permutation(np.linspace(0, 1, n))]
            for i, n in enumerate(counts)
        }
        low = round(float(rng.uniform(0.2, 0.4)), 3)
        actors.append(
            {
                "id": f"actor_{a}",
                "name": f"Actor {a}",
                "role": "belligerent",
                "weights": {f"issue_{i}": round(float(w), 4) for i, w in enumerate(weights)},
                "scores": scores,
                "batna": {"value": {"dist": "uniform", "low": low, "high": low + 0.1}},
                "strategy": {"kind": kind},
                "red_lines": [
                    {
                        "id": "worst_option",
                        "forbids": {f"issue_{a}": [f"o{int(np.argmin(scores[f'issue_{a}']))}"]},
                        "firmness": 0.5,
                        "provenance": {"kind": "assumption", "rationale": "synthetic"},
                    }
                ],
            }
        )
    return {
        "schema_version": 1,
        "id": "synthetic",
        "title": "Synthetic 4-actor, 5-issue negotiation",
        "issues": issues,
        "actors": actors,
        "protocol": {"kind": "alternating", "max_rounds": 100},
    }


def synthetic() -> Compiled:
    """The synthetic scenario, compiled."""
    return compile_scenario(Scenario.model_validate(synthetic_scenario()))


def rate(
    compiled: Compiled, runs: int, repeats: int = 3
) -> tuple[float, float, Counter[str], float]:
    """(runs/s in CPU time, runs/s in wall-clock time, outcomes, mean rounds), seeds 0..runs-1.

    Each rate is the best of `repeats` passes. CPU time (`process_time`) is the figure to
    compare: on a shared machine, wall-clock time also counts other processes' turns.
    """
    cpu = wall = float("inf")
    for _ in range(repeats):
        outcomes: Counter[str] = Counter()
        rounds = 0
        start, start_wall = time.process_time(), time.perf_counter()
        for seed in range(runs):
            result = simulate(compiled, seed)
            outcomes[result.outcome] += 1
            rounds += result.rounds
        cpu = min(cpu, time.process_time() - start)
        wall = min(wall, time.perf_counter() - start_wall)
    return runs / cpu, runs / wall, outcomes, rounds / runs


def stepped_round_cost(compiled: Compiled, runs: int) -> float:
    """CPU µs per round when every round is played one by one (no blocks of quiet rounds)."""
    best = float("inf")
    for _ in range(3):
        rounds = 0
        start = time.process_time()
        for seed in range(runs):
            model = NegotiationModel(compiled, seed=seed, record=False)
            while model.running:
                model.play_round()
            rounds += model.rounds_played
        setup = time.process_time()
        for seed in range(runs):
            NegotiationModel(compiled, seed=seed, record=False)
        done = time.process_time()
        best = min(best, ((setup - start) - (done - setup)) / rounds)
    return best * 1e6


def _seconds(function: Any, *args: Any) -> float:
    start = time.process_time()
    function(*args)
    return time.process_time() - start


def machine() -> str:
    """nproc and CPU model."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    figures: dict[str, Any] = {"runs": args.runs}

    print(f"machine: {machine()}")
    baseline = compile_scenario(load_scenario(ROOT / "scenarios" / "baseline.yaml").scenario)
    simulate(baseline, 0)
    one = min(_seconds(simulate, baseline, ONE_SEED) for _ in range(20))
    recorded = min(_seconds(run, baseline, ONE_SEED) for _ in range(5))
    print(
        f"baseline, one run (seed {ONE_SEED}, 20 rounds): {one * 1e3:.2f} ms CPU "
        f"(recorded, with events and DataCollector: {recorded * 1e3:.1f} ms)"
    )
    cpu, wall, outcomes, rounds = rate(baseline, args.runs)
    figures |= {
        "baseline_one_run_ms": one * 1e3,
        "baseline_recorded_run_ms": recorded * 1e3,
        "baseline_runs_per_s_cpu": cpu,
        "baseline_runs_per_s_wall": wall,
        "baseline_mean_rounds": rounds,
    }
    print(
        f"baseline, {args.runs:,} runs: {args.runs / cpu:.2f} s CPU, {cpu:,.0f} runs/s "
        f"({wall:,.0f}/s wall-clock), mean {rounds:.1f} rounds, {dict(outcomes)}"
    )

    compiled = synthetic()
    simulate(compiled, 0)
    cpu, wall, outcomes, rounds = rate(compiled, args.runs)
    figures |= {
        "synthetic_outcomes": compiled.space.size,
        "synthetic_per_s_cpu": cpu,
        "synthetic_per_s_wall": wall,
        "synthetic_mean_rounds": rounds,
        "synthetic_agreement_share": outcomes["agreement"] / args.runs,
    }
    print(
        f"synthetic ({compiled.space.size} outcomes, 4 actors, alternating, 100-round cap), "
        f"{args.runs:,} runs: {cpu:,.0f} negotiations/s CPU ({wall:,.0f}/s wall-clock), "
        f"{1e6 / cpu:.0f} µs per negotiation, mean {rounds:.1f} rounds, {dict(outcomes)}"
    )
    per_round = stepped_round_cost(compiled, min(args.runs, 300))
    print(f"synthetic, stepped round by round (no blocks): {per_round:.1f} µs CPU per round")
    figures["synthetic_stepped_round_us"] = per_round
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        rate(compiled, min(args.runs, 300))
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()

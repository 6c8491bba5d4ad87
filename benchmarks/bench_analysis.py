"""Benchmark: the Pareto frontier of many outcomes (sim.analysis.pareto_front), on one core.

    .venv/bin/python benchmarks/bench_analysis.py            # the table in benchmarks/README.md
    .venv/bin/python benchmarks/bench_analysis.py --quick    # smaller sizes, a few seconds
    .venv/bin/python benchmarks/bench_analysis.py --json PATH  # also write the figures to PATH

Each case draws utilities with a fixed seed, times `pareto_front` (best and median of
`--repeat` calls, and the first call on fresh data), and measures the peak memory the call
allocates beyond its input (tracemalloc, in a separate call, so tracing does not slow the
timed ones). The process is pinned to one CPU and BLAS to one thread before numpy loads.
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from sim.analysis.pareto import pareto_front  # noqa: E402

Maker = Callable[[np.random.Generator, int, int], np.ndarray]


def uniform(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Independent uniform utilities: the issue's benchmark."""
    return rng.random((n, d))


def grid(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Utilities on a 0.1 grid: many equal vectors (ties kept together)."""
    return rng.integers(0, 11, size=(n, d)) / 10


def additive(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """An outcome space like a scenario's: 6 issues of 10 options, weighted additive scores."""
    issues, options = 6, 10
    weights = rng.dirichlet(np.ones(issues), size=d)  # d x issues
    scores = rng.random((d, issues, options))
    picks = rng.integers(0, options, size=(n, issues))
    return np.stack(
        [(weights[a] * scores[a, np.arange(issues), picks]).sum(axis=1) for a in range(d)], axis=1
    )


def anticorrelated(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Near the simplex: opposed interests, the hardest case (a large frontier)."""
    raw = rng.random((n, d))
    return raw / raw.sum(axis=1, keepdims=True) + rng.normal(0, 0.01, (n, d))


def measure(make: Maker, n: int, d: int, repeat: int) -> dict[str, float]:
    rng = np.random.default_rng(20250211)
    points = make(rng, n, d)
    start = time.perf_counter()
    front = pareto_front(points)
    first = time.perf_counter() - start
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pareto_front(points)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    tracemalloc.reset_peak()
    pareto_front(points)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "frontier": int(front.sum()),
        "first": first,
        "best": min(times),
        "median": statistics.median(times),
        "input_mib": points.nbytes / 2**20,
        "peak_mib": peak / 2**20,
    }


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return (
        f"{model}; nproc {os.cpu_count()}; pinned to 1 CPU; Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls per case")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    big = 10**5 if args.quick else 10**6
    cases: list[tuple[str, Maker, int, int]] = [
        ("uniform", uniform, big, 4),
        ("uniform", uniform, big, 2),
        ("uniform", uniform, big, 3),
        ("uniform", uniform, big, 6),
        ("grid 0.1 (ties)", grid, big, 4),
        ("additive scenario", additive, big, 4),
        ("anticorrelated", anticorrelated, big // 30, 4),
    ]
    print(machine())
    header = (
        f"{'case':<18} {'outcomes':>10} {'actors':>6} {'frontier':>9} {'first s':>8} "
        f"{'best s':>8} {'median s':>8} {'input MiB':>9} {'peak MiB':>8}"
    )
    print(header)
    print("-" * len(header))
    rows: list[dict[str, Any]] = []
    for name, make, n, d in cases:
        r = measure(make, n, d, args.repeat)
        rows.append({"case": name, "outcomes": n, "actors": d, **r})
        print(
            f"{name:<18} {n:>10,} {d:>6} {r['frontier']:>9,} {r['first']:>8.3f} "
            f"{r['best']:>8.3f} {r['median']:>8.3f} {r['input_mib']:>9.1f} {r['peak_mib']:>8.1f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MiB (inputs included)")
    if args.json:
        figures = {"repeat": args.repeat, "cases": rows, "max_rss_mib": rss}
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Benchmark of Monte Carlo sweeps of the baseline scenario (not a timed test).

    .venv/bin/python benchmarks/bench_sweep.py            # the full set (a few minutes)
    .venv/bin/python benchmarks/bench_sweep.py --quick    # smaller sizes, for a smoke run
    .venv/bin/python benchmarks/bench_sweep.py --json PATH  # also write the figures to PATH

Measures, each in a fresh process so peak memory is that sweep's own:
1. the engine alone: milliseconds per run in one process (`simulate`, no sweep machinery);
2. sweeps streaming to a result directory at growing sizes (default 10k, 50k, 100k runs, all
   cores): seconds, runs/s, and the peak resident memory of the parent process and of the
   largest worker (flat as runs grow when chunks stream to disk);
3. the speed-up of 2 workers over 1 on the same sweep (default 50k runs, kept in memory),
   alternating and keeping the best of `--repeat` pairs.
Other sessions share this machine; before each measurement the script waits (up to `--wait`
seconds) for the cores to be nearly idle, and reports how busy they were. Prints one JSON
object per measurement, then Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


class Sampler:
    """Samples the resident memory and CPU time of each descendant of this process (the
    pool's workers are children of the forkserver, so `getrusage` does not see them)."""

    def __init__(self, every: float = 0.5) -> None:
        import threading

        import psutil

        self.me = psutil.Process()
        self.every = every
        self.workers: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(self.every):
            for child in self.me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                    times = child.cpu_times()
                except psutil.Error:
                    continue
                self.workers[child.pid] = max(self.workers.get(child.pid, 0), rss)
                self.cpu[child.pid] = times.user + times.system

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def worker_cpu(self) -> float:
        """CPU seconds used by the descendants (as last sampled)."""
        return sum(self.cpu.values())

    @property
    def worker_mib(self) -> float:
        """The largest peak of any descendant process, in MiB."""
        return max(self.workers.values(), default=0) / 2**20


def one(runs: int, workers: int, out: str | None, sample: bool = True) -> dict[str, float]:
    """Run one sweep here and report its time and this process tree's peak memory.

    Without `sample`, no thread polls the workers (it would take the GIL from an in-process
    sweep): use it for timings that compare executors."""
    from sim.explore.montecarlo import sweep
    from sim.scenario.build import load_scenario

    loaded = load_scenario(BASELINE)
    load = os.getloadavg()[0]
    with Sampler(every=0.5 if sample else 3600) as memory:
        began, cpu = time.perf_counter(), time.process_time()
        result = sweep(loaded, runs, seed=1, workers=workers, out=out, progress=False)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {
        "runs": runs,
        "workers": workers,
        "seconds": elapsed,
        "runs_per_second": runs / elapsed,
        "agreement": result.summary["outcomes"]["agreement"]["p"],
        "parent_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "worker_peak_mib": memory.worker_mib,
        "parent_cpu_s": cpu,
        "worker_cpu_s": memory.worker_cpu,
        "cpu_ms_per_run": (cpu + memory.worker_cpu) / runs * 1000,
        "load_before": load,
        "load_after": os.getloadavg()[0],
    }


def engine(runs: int) -> dict[str, float]:
    """Milliseconds per run of the engine alone, in one process."""
    from sim.engine.run import simulate
    from sim.engine.space import compile_scenario
    from sim.scenario.build import load_scenario

    compiled = compile_scenario(load_scenario(BASELINE).scenario)
    simulate(compiled, 0)
    began = time.perf_counter()
    for seed in range(runs):
        simulate(compiled, seed)
    return {"runs": runs, "ms_per_run": (time.perf_counter() - began) / runs * 1000}


def busy_share(seconds: float = 2.0) -> float:
    """The share of all cores in use over the next `seconds` (0 idle, 1 saturated)."""
    import psutil

    return psutil.cpu_percent(interval=seconds) / 100


def wait_for_quiet(limit: float, threshold: float = 0.15) -> float:
    """Wait (up to `limit` seconds) until other jobs leave the cores nearly idle; return the
    busy share last seen. Other sessions share this machine: figures taken while they run
    count their turns too."""
    deadline = time.monotonic() + limit
    share = busy_share()
    while share > threshold and time.monotonic() < deadline:
        share = busy_share(5.0)
    return share


def fresh(*args: str) -> dict[str, float]:
    """Run this script in a new process for one measurement; return its JSON line."""
    done = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument(
        "--wait", type=float, default=300, help="seconds to wait for idle cores before each "
        "measurement (default 300; 0: do not wait)"
    )  # fmt: skip
    parser.add_argument(
        "--repeat", type=int, default=2, help="pairs of 1- and 2-worker runs (best is kept)"
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--no-sample", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--speedup-only", action="store_true", help="measure only the 2-worker speed-up"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--engine", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(engine(args.engine)))
        return
    if args.one:
        workers = args.workers or os.cpu_count() or 1
        print(json.dumps(one(args.one, workers, args.out, sample=not args.no_sample)))
        return

    sizes = [1_000, 5_000, 10_000] if args.quick else [10_000, 50_000, 100_000]
    speedup_runs = 2_000 if args.quick else 50_000
    cores = len(os.sched_getaffinity(0))
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, "
          f"load average before: {os.getloadavg()[0]:.2f}")  # fmt: skip
    results = []
    cost = fresh("--engine", "2000")
    print(json.dumps({"engine": cost}))
    with tempfile.TemporaryDirectory() as folder:
        for runs in [] if args.speedup_only else sizes:
            out = str(Path(folder) / f"sweep-{runs}")
            quiet = wait_for_quiet(args.wait)
            measured = fresh("--one", str(runs), "--workers", str(cores), "--out", out)
            measured["busy_before"] = quiet
            results.append(measured)
            print(json.dumps(measured))
    singles, doubles = [], []
    for _ in range(args.repeat):  # alternate, keep the best of each: others' jobs only add
        for workers, kept in ((1, singles), (2, doubles)):
            quiet = wait_for_quiet(args.wait)
            measured = fresh("--one", str(speedup_runs), "--workers", str(workers), "--no-sample")
            measured["busy_before"] = quiet
            kept.append(measured)
            print(json.dumps(measured))
    single = min(singles, key=lambda r: r["seconds"])
    double = min(doubles, key=lambda r: r["seconds"])
    print()
    print(f"engine alone: {cost['ms_per_run']:.2f} ms per baseline run (one process)")
    print()
    print("| runs | workers | seconds | runs/s | CPU ms/run | parent peak MiB | worker peak MiB "
          "| cores busy before |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['runs']:,} | {r['workers']} | {r['seconds']:.1f} | {r['runs_per_second']:,.0f}"
              f" | {r['cpu_ms_per_run']:.2f} | {r['parent_peak_mib']:.0f}"
              f" | {r['worker_peak_mib']:.0f} | {r['busy_before']:.0%} |")  # fmt: skip
    print()
    speedup = single["seconds"] / double["seconds"]
    print(f"{speedup_runs:,} runs in memory, best of {args.repeat}: 1 worker "
          f"{single['seconds']:.1f} s (cores {single['busy_before']:.0%} busy before), 2 workers "
          f"{double['seconds']:.1f} s ({double['busy_before']:.0%} busy): "
          f"speed-up {speedup:.2f}x")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    if args.json:
        figures = {
            "engine_ms_per_run": cost["ms_per_run"],
            "sizes": results,
            "speedup_runs": speedup_runs,
            "repeat": args.repeat,
            "one_worker": single,
            "two_workers": double,
            "speedup": speedup,
        }
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Run every benchmark and print one table of the figures against their targets.

    .venv/bin/python -m benchmarks                   # the full set (about ten minutes)
    .venv/bin/python -m benchmarks --quick           # small sizes: a smoke run (about a minute)
    .venv/bin/python -m benchmarks --only engine,startup
    .venv/bin/python -m benchmarks --update-readme   # also rewrite benchmarks/README.md's summary

(`make bench` is the first line; `make bench BENCH_ARGS=--quick` the second.) Each benchmark
script runs in its own process (they pin themselves to one core, or start worker pools) and
writes its figures as JSON; its own output is shown as it runs. The targets are those the
issues set; `--quick` measures smaller sizes, so targets stated for a size it does not reach
read "n/a". Figures depend on the machine and on what else runs on it: the table starts with
the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
README = HERE / "README.md"
START, END = "<!-- summary:start -->", "<!-- summary:end -->"
"""The markers around the summary that `--update-readme` rewrites in benchmarks/README.md."""


@dataclass(frozen=True)
class Bench:
    """A benchmark script and its arguments for a full and a quick run."""

    name: str
    script: str
    full: tuple[str, ...]
    quick: tuple[str, ...]


def benches(wait: float) -> list[Bench]:
    """Every benchmark, cheapest first (`wait`: seconds the full sweep benchmark waits for idle
    cores before each measurement; the quick one does not wait)."""
    return [
        Bench("startup", "bench_startup.py", ("--repeat", "20"), ("--repeat", "5")),
        Bench("engine", "bench_engine.py", ("--runs", "1000"), ("--runs", "200")),
        Bench("analysis", "bench_analysis.py", ("--repeat", "5"), ("--quick", "--repeat", "2")),
        Bench("dashboard", "bench_dashboard.py", ("--moves", "30"), ("--moves", "5")),
        Bench(
            "sweep",
            "bench_sweep.py",
            ("--wait", f"{wait:g}"),
            ("--quick", "--repeat", "1", "--wait", "0"),
        ),
    ]


# --- the machine ------------------------------------------------------------------------------


def _first(path: str, prefix: str) -> str | None:
    """The value of the first `prefix: value` line of a /proc file, if any."""
    try:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def machine() -> dict[str, Any]:
    """What the figures were measured on: cores, CPU, memory, Python, key libraries, load."""
    memory = _first("/proc/meminfo", "MemTotal")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": cores,
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "memory_gib": int(memory.split()[0]) / 2**20 if memory else None,
        "os": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "libraries": {name: _version(name) for name in ("numpy", "mesa", "pandas", "streamlit")},
        "load_before": os.getloadavg()[0],
    }


def machine_line(info: dict[str, Any]) -> str:
    """The machine in one line of Markdown."""
    memory = f"{info['memory_gib']:.0f} GiB" if info.get("memory_gib") else "memory unknown"
    libraries = ", ".join(f"{k} {v}" for k, v in info["libraries"].items())
    load = f"load average {info['load_before']:.2f} before"
    if "load_after" in info:
        load += f", {info['load_after']:.2f} after"
    return (
        f"{info['date']}; {info['os']}, `nproc` {info['nproc']}, {info['cpu']}, {memory}; "
        f"Python {info['python']}, {libraries}; {load}."
    )


# --- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One line of the table: what was measured, the figure, the target and the verdict."""

    what: str
    measured: str
    target: str
    verdict: str


MET, MISSED, NONE = "met", "**missed**", "—"


def _verdict(ok: bool) -> str:
    return MET if ok else MISSED


def rows(figures: dict[str, dict[str, Any]], quick: bool) -> list[Row]:
    """The table's rows from each benchmark's figures (missing benchmarks are left out).

    Targets (from the issues): at least 700 synthetic negotiations/s on one core; the Pareto
    frontier of 10^6 outcomes x 4 actors well under a second (here: at most 0.5 s, first call);
    100,000 baseline runs in about a minute or less on 2 cores (at most 60 s); sweep memory
    flat as runs grow (the largest sweep's peaks at most 10% above the smallest's); a 2-worker
    speed-up of at least 1.8x; a Run-page slider move well under a second (90th percentile at
    most 0.5 s); `redlines --help` close to a bare interpreter's start-up (at most 100 ms more,
    best of the starts: other jobs on a shared machine only add) and importing neither
    streamlit nor pandas.
    """
    table: list[Row] = []
    engine = figures.get("engine")
    if engine:
        rate = engine["synthetic_per_s_cpu"]
        table.append(
            Row(
                f"Engine: synthetic negotiations/s, 1 core ({engine['runs']:,} runs, "
                f"{engine['synthetic_outcomes']} outcomes, 4 actors)",
                f"{rate:,.0f}/s CPU ({engine['synthetic_per_s_wall']:,.0f}/s wall-clock)",
                "≥ 700/s",
                _verdict(rate >= 700),
            )
        )
        table.append(
            Row(
                f"Engine: baseline runs/s, 1 core ({engine['runs']:,} runs)",
                f"{engine['baseline_runs_per_s_cpu']:,.0f}/s CPU "
                f"({engine['baseline_runs_per_s_wall']:,.0f}/s wall-clock); one run "
                f"{engine['baseline_one_run_ms']:.2f} ms, recorded "
                f"{engine['baseline_recorded_run_ms']:.1f} ms",
                "none set (reported)",
                NONE,
            )
        )
    analysis = figures.get("analysis")
    if analysis:
        case = next(c for c in analysis["cases"] if c["case"] == "uniform" and c["actors"] == 4)
        full_size = case["outcomes"] >= 10**6
        table.append(
            Row(
                f"Pareto frontier: {case['outcomes']:,} outcomes x 4 actors, 1 core",
                f"first call {case['first']:.3f} s, best {case['best']:.3f} s "
                f"(frontier {case['frontier']:,}; +{case['peak_mib']:.0f} MiB)",
                "10^6 x 4 well under 1 s (≤ 0.5 s)",
                _verdict(case["first"] <= 0.5) if full_size else "n/a (--quick: 10^5)",
            )
        )
    sweep = figures.get("sweep")
    if sweep:
        table.extend(_sweep_rows(sweep, quick))
    dashboard = figures.get("dashboard")
    if dashboard:
        new = dashboard["run_new"]
        table.append(
            Row(
                f"Dashboard: Run-page seed slider, a new run each move "
                f"({dashboard['moves']} moves)",
                f"median {new['median_s'] * 1000:.0f} ms, p90 {new['p90_s'] * 1000:.0f} ms, "
                f"worst {new['worst_s'] * 1000:.0f} ms",
                "well under 1 s (p90 ≤ 0.5 s)",
                _verdict(new["p90_s"] <= 0.5),
            )
        )
    startup = figures.get("startup")
    if startup:
        extra = startup["help_best_s"] - startup["bare_best_s"]
        table.append(
            Row(
                f"CLI start-up: `redlines --help` vs `python -c pass` "
                f"(best of {startup['repeat']}; median)",
                f"{startup['help_best_s'] * 1000:.0f} ms vs {startup['bare_best_s'] * 1000:.0f} ms "
                f"(+{extra * 1000:.0f} ms; median {startup['help_median_s'] * 1000:.0f} vs "
                f"{startup['bare_median_s'] * 1000:.0f} ms)",
                "close to bare start-up (≤ +100 ms)",
                _verdict(extra <= 0.1),
            )
        )
        heavy = startup["heavy_imported"]
        table.append(
            Row(
                "CLI start-up: heavy libraries `redlines --help` imports",
                ", ".join(heavy) if heavy else "none",
                "no streamlit, no pandas",
                _verdict(not {"streamlit", "pandas"} & set(heavy)),
            )
        )
    return table


def _sweep_rows(sweep: dict[str, Any], quick: bool) -> list[Row]:
    table: list[Row] = []
    sizes = sweep["sizes"]
    if sizes:
        largest, smallest = sizes[-1], sizes[0]
        reaches = largest["runs"] >= 100_000
        table.append(
            Row(
                f"Sweep: {largest['runs']:,} baseline runs, {largest['workers']} workers, to disk",
                f"{largest['seconds']:.1f} s ({largest['runs_per_second']:,.0f} runs/s, "
                f"{largest['cpu_ms_per_run']:.2f} ms CPU/run)",
                "100k runs in about a minute or less (≤ 60 s)",
                _verdict(largest["seconds"] <= 60)
                if reaches
                else f"n/a (--quick: {largest['runs']:,} runs)",
            )
        )
        flat = all(
            largest[key] <= 1.1 * smallest[key] for key in ("parent_peak_mib", "worker_peak_mib")
        )
        table.append(
            Row(
                f"Sweep: peak memory, {smallest['runs']:,} → {largest['runs']:,} runs",
                f"parent {smallest['parent_peak_mib']:.0f} → {largest['parent_peak_mib']:.0f} MiB, "
                f"largest worker {smallest['worker_peak_mib']:.0f} → "
                f"{largest['worker_peak_mib']:.0f} MiB",
                "flat as runs grow (≤ +10%)",
                _verdict(flat),
            )
        )
    one, two = sweep["one_worker"], sweep["two_workers"]
    table.append(
        Row(
            f"Sweep: speed-up of 2 workers over 1 ({sweep['speedup_runs']:,} runs, in memory)",
            f"{sweep['speedup']:.2f}x ({one['seconds']:.1f} s → {two['seconds']:.1f} s)",
            "≥ 1.8x",
            f"n/a (--quick: {sweep['speedup_runs']:,} runs)"
            if quick
            else _verdict(sweep["speedup"] >= 1.8),
        )
    )
    return table


def markdown(table: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| benchmark | measured | target | verdict |", "|---|---|---|---|"]
    lines += [f"| {r.what} | {r.measured} | {r.target} | {r.verdict} |" for r in table]
    return "\n".join(lines)


def summary(info: dict[str, Any], table: list[Row], quick: bool, command: str) -> str:
    """The summary block: the command, the machine and the table."""
    met = sum(r.verdict == MET for r in table)
    judged = sum(r.verdict in (MET, MISSED) for r in table)
    mode = " (quick: smaller sizes)" if quick else ""
    return (
        f"Latest run of `{command}`{mode} — {machine_line(info)}\n\n"
        f"{markdown(table)}\n\n{met} of {judged} targets met."
    )


def update_readme(text: str, block: str) -> str:
    """`text` (benchmarks/README.md) with the block between the summary markers replaced."""
    if START not in text or END not in text:
        raise ValueError(f"benchmarks/README.md has no {START} ... {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{block}\n{END}{tail}"


# --- running ----------------------------------------------------------------------------------


def run_bench(bench: Bench, quick: bool, folder: Path) -> dict[str, Any] | None:
    """Run one benchmark script (its output shown as it runs); return its figures, or None."""
    out = folder / f"{bench.name}.json"
    arguments = [*(bench.quick if quick else bench.full), "--json", str(out)]
    print(f"\n==> {bench.name}: benchmarks/{bench.script} {' '.join(arguments[:-2])}", flush=True)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, str(HERE / bench.script), *arguments], cwd=ROOT)
    elapsed = time.perf_counter() - began
    if done.returncode != 0 or not out.is_file():
        print(f"==> {bench.name} failed (exit {done.returncode}) after {elapsed:.0f} s", flush=True)
        return None
    print(f"==> {bench.name} done in {elapsed:.0f} s", flush=True)
    figures: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return figures


def main(argv: list[str] | None = None) -> int:
    every = [b.name for b in benches(0)]
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--only", default=",".join(every), help=f"comma-separated subset of {','.join(every)}"
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=300,
        help="seconds the sweep benchmark waits for idle cores before each measurement",
    )
    parser.add_argument(
        "--update-readme", action="store_true", help="rewrite the summary in benchmarks/README.md"
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(every))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(every)}")

    info = machine()
    figures: dict[str, dict[str, Any]] = {}
    failed = []
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="redlines-bench-") as folder:
        for bench in benches(args.wait):
            if bench.name not in chosen:
                continue
            result = run_bench(bench, args.quick, Path(folder))
            if result is None:
                failed.append(bench.name)
            else:
                figures[bench.name] = result
    info["load_after"] = os.getloadavg()[0]
    table = rows(figures, args.quick)
    command = "python -m benchmarks" + (" --quick" if args.quick else "")
    if set(chosen) != set(every):
        command += f" --only {','.join(chosen)}"
    block = summary(info, table, args.quick, command)
    print(f"\n{block}\n\nAll benchmarks took {time.perf_counter() - began:.0f} s.")
    if args.json:
        args.json.write_text(json.dumps({"machine": info, **figures}, indent=2), "utf-8")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    if args.update_readme:
        README.write_text(update_readme(README.read_text(encoding="utf-8"), block), "utf-8")
        print(f"updated {README.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

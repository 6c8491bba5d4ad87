"""Benchmark: start-up time of `redlines --help` against a bare interpreter (not a timed test).

    .venv/bin/python benchmarks/bench_startup.py [--repeat 20] [--json PATH]

Starts, `--repeat` times each and alternating, `python -c pass` (the bare interpreter with its
site packages: the floor for any console script) and `redlines --help` (the console script
next to this interpreter, or `python -m sim.cli --help` when there is none), and prints the
best and median wall-clock times. Then lists which heavy libraries `redlines --help` imports
(`python -X importtime`): it must import neither streamlit nor pandas
(`tests/test_startup.py` checks that) and, ideally, none of numpy, mesa, pydantic or rich.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("streamlit", "pandas", "numpy", "mesa", "pydantic", "rich", "dask", "pyarrow", "altair")
"""Libraries whose import would show in the start-up time (and must not be needed for help)."""


def redlines_command() -> list[str]:
    """The installed console script (run by this interpreter), else `python -m sim.cli`."""
    script = Path(sys.executable).parent / "redlines"
    if script.is_file():
        return [sys.executable, str(script)]
    return [sys.executable, "-m", "sim.cli"]


def seconds(command: list[str]) -> float:
    """Wall-clock seconds one start of `command` takes (output discarded)."""
    began = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - began


def imported(command: list[str]) -> list[str]:
    """The top-level packages `command` imports (from `-X importtime`), sorted."""
    interpreter, *rest = command
    done = subprocess.run(
        [interpreter, "-X", "importtime", *rest],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name and name != "package":
                names.add(name.split(".")[0])
    return sorted(names)


def measure(repeat: int) -> dict[str, Any]:
    """Times of the bare interpreter and of `redlines --help`, and what the latter imports."""
    bare_command = [sys.executable, "-c", "pass"]
    help_command = [*redlines_command(), "--help"]
    seconds(bare_command), seconds(help_command)  # warm the file cache
    bare, help_ = [], []
    for _ in range(repeat):
        bare.append(seconds(bare_command))
        help_.append(seconds(help_command))
    modules = imported(help_command)
    return {
        "command": " ".join(Path(part).name for part in help_command[1:]),
        "repeat": repeat,
        "bare_best_s": min(bare),
        "bare_median_s": statistics.median(bare),
        "help_best_s": min(help_),
        "help_median_s": statistics.median(help_),
        "heavy_imported": [name for name in HEAVY if name in modules],
        "imported_count": len(modules),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="starts of each command")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    figures = measure(args.repeat)
    print(
        f"python -c pass: best {figures['bare_best_s']:.3f} s, "
        f"median {figures['bare_median_s']:.3f} s"
    )
    print(
        f"redlines --help: best {figures['help_best_s']:.3f} s, "
        f"median {figures['help_median_s']:.3f} s ({figures['repeat']} starts each)"
    )
    heavy = ", ".join(figures["heavy_imported"]) or "none"
    print(f"heavy libraries imported by redlines --help: {heavy}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

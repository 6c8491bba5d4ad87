"""`redlines --help` starts fast: it imports no heavy library (streamlit, pandas, numpy...).

The start-up time itself is a benchmark (`benchmarks/bench_startup.py`), not a test; what a
test can pin is the cause of a slow start: a heavy import on the way to the help text.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.builders import ROOT

HEAVY = ("streamlit", "pandas", "numpy", "mesa", "dask", "pyarrow", "altair", "SALib")
"""Never needed to print help; streamlit and pandas are the issue's, the rest as costly."""

LOADED_AFTER_HELP = """
import json, sys
from sim.cli.app import main
sys.argv = ["redlines", *sys.argv[1:]]
try:
    main()
except SystemExit as stop:
    code = stop.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def modules_after(*argv: str) -> tuple[int, set[str], str]:
    """(exit code, top-level modules loaded, output) of `redlines ARGV` in a fresh interpreter."""
    import json

    done = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER_HELP, *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    *printed, last = done.stdout.splitlines()
    report = json.loads(last)
    output = "\n".join(printed) + done.stderr
    return report["code"], {m.split(".")[0] for m in report["modules"]}, output


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (("--help",), "sensitivity"),
        ((), "sensitivity"),  # no arguments: the help, as a usage error
        (("run", "--help"), "--seed"),
        (("sweep", "--help"), "--runs"),
    ],
)
def test_help_imports_no_heavy_library(argv: tuple[str, ...], shown: str) -> None:
    code, modules, output = modules_after(*argv)
    assert code in (0, 2)
    assert shown in output
    assert "sim" in modules and "typer" in modules  # the check sees what was imported
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def importtime_modules(command: list[str]) -> set[str]:
    """Top-level modules `command` imports, from the interpreter's `-X importtime` report."""
    interpreter, *rest = command
    done = subprocess.run(
        [interpreter, "-X", "importtime", *rest], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "validate" in done.stdout and "dashboard" in done.stdout  # the help was printed
    lines = [line for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.rsplit("|", 1)[1].strip().split(".")[0] for line in lines[1:]}


def test_the_console_script_help_imports_neither_streamlit_nor_pandas() -> None:
    script = Path(sys.executable).parent / "redlines"
    assert script.is_file(), "the console script is installed next to the interpreter"
    modules = importtime_modules([sys.executable, str(script), "--help"])
    assert {"sim", "typer"} <= modules
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_importing_sim_loads_nothing_heavy() -> None:
    """`sim` defers its exports (`sim.run`, `sim.sweep`...) to first use."""
    done = subprocess.run(
        [sys.executable, "-c", "import sim, sys; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    modules = {m.split(".")[0] for m in done.stdout.split()}
    assert "sim" in modules
    assert not modules & {*HEAVY, "pydantic", "typer"}

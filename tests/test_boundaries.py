"""`sim/` never imports streamlit or the dashboard: the engine is usable without a browser.

Two checks: statically, every import statement in `sim/**/*.py` (at any depth, including
imports inside functions and `importlib.import_module("...")` / `__import__("...")` calls with
a literal name); dynamically, every module of `sim` imported in a fresh interpreter, after
which neither `streamlit` nor `dashboard` is in `sys.modules`.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIM = ROOT / "sim"
FORBIDDEN = {"streamlit", "dashboard"}


def imported_names(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in a Python file, relative imports resolved in `sim`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            elif node.module:
                yield node.lineno, node.module
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (
                    isinstance(node.func, ast.Name)
                    and node.func.id in ("import_module", "__import__")
                )
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def sim_files() -> list[Path]:
    return sorted(SIM.rglob("*.py"))


def test_no_module_of_sim_imports_streamlit_or_the_dashboard() -> None:
    found = {
        f"{path.relative_to(ROOT)}:{line}: {name}"
        for path in sim_files()
        for line, name in imported_names(path)
        if name.split(".")[0] in FORBIDDEN
    }
    assert not found, sorted(found)


def test_the_static_scan_sees_imports() -> None:
    """The scan is not vacuous: it finds the imports `sim` does have, nested ones included."""
    names = {name for path in sim_files() for _, name in imported_names(path)}
    assert len(sim_files()) >= 20
    assert {"numpy", "mesa", "pydantic", "typer", "sim.scenario"} <= names
    assert "rich.console" in names  # imported inside a function of sim/cli.py


IMPORT_ALL = """
import importlib, json, pkgutil, sys
import sim
names = sorted(m.name for m in pkgutil.walk_packages(sim.__path__, "sim."))
for name in names:
    importlib.import_module(name)
print(json.dumps({"imported": names, "modules": sorted(sys.modules)}))
"""


def test_importing_every_module_of_sim_loads_neither_streamlit_nor_the_dashboard() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, check=True, cwd=ROOT
    )
    report = json.loads(done.stdout.splitlines()[-1])
    expected = {f"sim.{p.stem}" for p in SIM.glob("*.py") if p.stem != "__init__"}
    assert expected <= set(report["imported"])
    loaded = {m.split(".")[0] for m in report["modules"]}
    assert {"numpy", "pandas", "mesa"} <= loaded  # the engine and sweeps did load
    assert not loaded & FORBIDDEN, sorted(loaded & FORBIDDEN)

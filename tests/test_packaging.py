"""What `pip install redlines` ships: every package of `sim` and `dashboard`, the console script.

Setuptools finds the packages (`[tool.setuptools.packages.find]`, namespace packages such
as `dashboard/views` included); these tests check that the patterns cover every folder of
Python files under `sim/` and `dashboard/` and nothing else of the repository.
"""

from __future__ import annotations

import tomllib
from fnmatch import fnmatchcase
from typing import Any

from tests.builders import ROOT


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def python_packages(top: str) -> set[str]:
    """Dotted names of `top` and of every folder below it holding Python files."""
    found = set()
    for file in (ROOT / top).rglob("*.py"):
        if "__pycache__" not in file.parts:
            found.add(".".join(file.parent.relative_to(ROOT).parts))
    return found


def shipped(name: str, find: dict[str, Any]) -> bool:
    """Whether setuptools' `packages.find` patterns take the package `name`."""
    included = any(fnmatchcase(name, p) for p in find.get("include", ["*"]))
    return included and not any(fnmatchcase(name, p) for p in find.get("exclude", []))


def test_every_package_of_sim_and_the_dashboard_is_shipped() -> None:
    setuptools = pyproject()["tool"]["setuptools"]
    assert isinstance(setuptools["packages"], dict), "a fixed list misses subpackages"
    find = setuptools["packages"]["find"]
    assert find.get("namespaces", True), "dashboard/views has no __init__.py"
    packages = python_packages("sim") | python_packages("dashboard")
    assert {"sim", "dashboard", "dashboard.views"} <= packages
    assert all(shipped(name, find) for name in packages), sorted(
        n for n in packages if not shipped(n, find)
    )
    for other in ("tests", "tests.adversarial", "benchmarks", "scripts", "scenarios"):
        assert not shipped(other, find), other


def test_the_console_script_is_the_cli() -> None:
    project = pyproject()["project"]
    assert project["scripts"] == {"redlines": "sim.cli.app:main"}
    assert project["requires-python"] == ">=3.12"


def test_nothing_in_sim_names_an_actor_of_a_shipped_scenario() -> None:
    """The engine stays general: every country (each shipped scenario's actors, by id and by
    name) lives in scenario files, not in sim/'s code, docstrings, help or messages."""
    import re

    from sim import api

    words: set[str] = set()
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        for actor in api.load(path).scenario.actors:
            words |= {actor.id, actor.name.removeprefix("the ")}
    assert "russia" in words  # the baseline was read
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(words)) + r")\b", re.IGNORECASE
    )
    found = [
        f"{path.relative_to(ROOT)}:{number}: {match.group(0)}"
        for path in sorted((ROOT / "sim").rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        for match in pattern.finditer(line)
    ]
    assert not found, found

"""The one path from data to a checked scenario.

Every scenario Red Lines uses comes out of :func:`build`: the pydantic schema checks its shape,
then the cross-field checks of :mod:`sim.scenario.checks` (ids, options, every tunable number
against the table of parameters, sizes and, given the folder, the quotes in their sources). A
file, a text, a `--set` override, a `--vary` value, a sweep or Sobol setting and a dashboard
widget all reach a scenario through it, so each is refused with the same located message:

- a file or text: :func:`load_scenario`, :func:`load_text` (safe YAML first, see
  :mod:`sim.scenario.reading`); problems read `FILE:LINE:COL: dotted.path: message`;
- overrides on a scenario: :func:`apply_overrides` (`PATH=VALUE` strings, read as YAML) and
  :func:`apply_settings` ((path, value) pairs); problems read `--set:N:1: path: message`
  (or `--vary:N:1`, ...), N the override's place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from sim.errors import Problem, ScenarioError
from sim.scenario.checks import Found, check
from sim.scenario.locating import InDocument
from sim.scenario.overrides import WHERE, write_overrides, write_settings
from sim.scenario.reading import parse_yaml, read_text
from sim.scenario.schema import Scenario

Settings = tuple[tuple[str, Any], ...]
"""Fixed values for some numbers of a scenario: (dotted path, value) pairs."""


class Locator(Protocol):
    """Says where in its input each problem of a scenario lies."""

    def schema_problems(self, error: ValidationError) -> list[Problem]:
        """The schema's errors, located."""
        ...

    def check_problems(self, found: list[Found]) -> list[Problem]:
        """The cross-field problems, located."""
        ...


def build(
    data: Any, locator: Locator, folder: Path | None, problems: Sequence[Problem] = ()
) -> Scenario:
    """A checked scenario from plain data, or a :class:`ScenarioError` with every problem.

    `folder` is where the sources live (None: quotes are not verified, e.g. in a worker that
    rebuilds a scenario its caller checked). `problems` found before (overrides that could not
    be written) are reported with the rest, so every problem shows at once.
    """
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        raise ScenarioError([*problems, *locator.schema_problems(error)]) from None
    found = check(scenario, folder)
    if found or problems:
        raise ScenarioError([*problems, *locator.check_problems(found)])
    return scenario


@dataclass(frozen=True)
class LoadedScenario:
    """A valid scenario with the file it came from (sources resolve against `folder`)."""

    scenario: Scenario
    name: str
    folder: Path
    text: str = field(repr=False)
    """The YAML text as read (before any override)."""
    overrides: tuple[str, ...] = ()
    """The `--set` overrides applied to it, as given."""


def load_scenario(
    path: str | Path, overrides: Sequence[str] = (), *, verify_quotes: bool = True
) -> LoadedScenario:
    """Read, parse and check a scenario file, then apply `--set` overrides."""
    path = Path(path)
    text = read_text(path)
    return load_text(text, str(path), path.parent, overrides, verify_quotes=verify_quotes)


def load_text(
    text: str,
    name: str,
    folder: Path,
    overrides: Sequence[str] = (),
    *,
    verify_quotes: bool = True,
) -> LoadedScenario:
    """Parse and check scenario text that claims to live in `folder`."""
    document = parse_yaml(text, name)
    sources = folder if verify_quotes else None
    scenario = build(document.data, InDocument(document), sources)
    if overrides:
        scenario = apply_overrides(scenario, overrides, sources)
    return LoadedScenario(
        scenario=scenario, name=name, folder=folder, text=text, overrides=tuple(overrides)
    )


def apply_overrides(
    scenario: Scenario, overrides: Sequence[str], folder: Path | None = None, where: str = WHERE
) -> Scenario:
    """A new, checked scenario with every `PATH=VALUE` override applied in order."""
    data, locator, problems = write_overrides(scenario, overrides, where)
    return build(data, locator, folder, problems)


def apply_settings(
    scenario: Scenario, settings: Sequence[tuple[str, Any]], folder: Path | None, where: str
) -> Scenario:
    """A new, checked scenario with (path, value) settings applied; problems at `where:N`."""
    data, locator, problems = write_settings(scenario, settings, where)
    return build(data, locator, folder, problems)

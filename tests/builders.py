"""Hypothesis builders for scenarios, shared by every test that needs one.

Paths and the baseline, defined here once: `ROOT` (the checkout), `SCENARIOS`, `BASELINE`,
`SOURCES`, `ARTICLE_PATH`; `baseline_text()` and `baseline_data()` (a fresh copy each call).
`tests/conftest.py` offers the same as fixtures (`baseline_path`, `baseline`, `baseline_data`)
with the small `decisive` scenario of `tests/sweep_fixtures.py`.

Valid scenarios (for property tests of the loader, the engine and the analysis):

    from hypothesis import given
    from tests.builders import scenario_dicts, write_scenario

    @given(data=scenario_dicts())
    def test_something(data):
        scenario = Scenario.model_validate(data)  # or: load_scenario(write_scenario(dir, data))

`scenario_dicts()` draws small scenarios as plain data (what `yaml.load` of a scenario file
gives): 2-4 actors, 1-4 categorical issues of 2-4 options, red lines with `forbids`
conditions (sometimes a precondition), numbers that are sometimes distributions, and
provenance of kind `assumption` with a rationale, so no source document is needed. Every
drawn scenario passes `sim.loader` (schema and cross-field checks).

Malformed documents (for the loader's "located error, never a traceback" property):
`malformed_documents()` draws bytes: random YAML values, valid scenarios with one part
broken (a key deleted, a value replaced by a wrong type, NaN, a huge number, a random
string...), valid scenario text with bytes inserted, deleted or cut, and random bytes.
"""

from __future__ import annotations

import copy
import functools
import io
import math
import shutil
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from ruamel.yaml import YAML

JSON = Any
"""Plain YAML data: dicts, lists, strings, numbers, booleans and None."""

ROLES = ("belligerent", "guarantor", "mediator", "observer")
CONSEQUENCES = ("reject", "walk_out", "escalate", "veto")
STRATEGIES = ("boulware", "linear", "conceder", "hardliner", "zeuthen", "informed")
_ROLES = st.sampled_from(ROLES)
_CONSEQUENCES = st.sampled_from(CONSEQUENCES)
_STRATEGIES = st.sampled_from(STRATEGIES)

REPO = Path(__file__).resolve().parent.parent
"""The checkout: every test finds the project's files from here (tests import these names
rather than spelling the paths again)."""
ROOT = REPO
SCENARIOS = REPO / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
"""The shipped baseline scenario; malformed variants are made from its text."""
SOURCES = SCENARIOS / "sources"
ARTICLE_PATH = SOURCES / "2025-02-11-russia-peacekeepers-condition.txt"
"""The article the shipped scenarios quote."""


def baseline_text() -> str:
    """The shipped baseline scenario's text, as read from disk."""
    return BASELINE.read_text(encoding="utf-8")


def baseline_data() -> JSON:
    """The shipped baseline scenario as plain data (a fresh copy each call: edit it freely)."""
    return YAML(typ="safe", pure=True).load(baseline_text())


def sized_baseline(outcomes: int) -> JSON:
    """The baseline with a numeric issue added (`extra`, steps of 1), for just under
    `outcomes` outcomes: a few kilobytes of YAML with a large outcome space."""
    from sim.scenario.checks import outcome_space_size
    from sim.scenario.schema import Scenario

    data = baseline_data()
    steps = outcomes // outcome_space_size(Scenario.model_validate(data))
    data["issues"].append(
        {
            "id": "extra",
            "name": "An extra issue",
            "range": {"start": 0, "stop": steps - 1, "step": 1},
        }
    )
    return data


# --- writing ---------------------------------------------------------------------------------


def scenario_folder(folder: Path) -> Path:
    """`folder`, created, with a copy of the shipped `sources/` so the baseline's quotes resolve."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SOURCES, folder / "sources", dirs_exist_ok=True)
    return folder


def position(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """The 1-based line and column where `needle` first occurs in `text` (after `after`).

    Tests compute where an error must point with this, independently of the loader.
    """
    start = text.index(after) if after else 0
    offset = text.index(needle, start)
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def to_yaml(data: JSON) -> str:
    """Plain data as block-style YAML text (what an analyst would write)."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096
    yaml.representer.ignore_aliases = lambda _data: True  # write shared values out in full
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def write_scenario(folder: Path, data: JSON | str | bytes, name: str = "scenario.yaml") -> Path:
    """Write a scenario (plain data, YAML text or raw bytes) into `folder`; return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(to_yaml(data), encoding="utf-8")
    return path


# --- valid scenarios -------------------------------------------------------------------------

_WORDS = ("alpha", "bravo", "delta", "echo", "kilo", "lima", "oscar", "sierra", "tango", "zulu")


@functools.cache
def ids(prefix: str) -> st.SearchStrategy[str]:
    """Scenario ids (`^[a-z][a-z0-9_]*$`) that read like names, e.g. `issue_tango_3`."""
    return st.builds(
        lambda word, n: f"{prefix}_{word}_{n}",
        st.sampled_from(_WORDS),
        st.integers(0, 99),
    )


@functools.cache
def unit_floats(low: float = 0.0, high: float = 1.0) -> st.SearchStrategy[float]:
    """Floats in [low, high], rounded to 4 decimals (0 and 1 come up often)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False).map(
        lambda x: min(max(round(x, 4), low), high)
    )


@functools.cache
def numbers(low: float = 0.0, high: float = 1.0) -> st.SearchStrategy[float | dict[str, Any]]:
    """A scenario number within [low, high]: a plain number or a distribution.

    Half the draws are plain numbers; the rest are uniform, beta, normal or choice
    distributions whose bounds lie within [low, high].
    """
    unit = unit_floats(low, high)
    pair = st.tuples(unit, unit).map(sorted)
    shape = st.floats(0.5, 20, allow_nan=False).map(lambda x: round(x, 2))
    uniform = pair.map(lambda ab: {"dist": "uniform", "low": ab[0], "high": ab[1]})
    beta = st.tuples(pair, shape, shape).map(
        lambda t: {"dist": "beta", "a": t[1], "b": t[2], "low": t[0][0], "high": t[0][1]}
    )
    normal = st.tuples(pair, unit_floats(0.0, max(high - low, 0.0))).map(
        lambda t: {
            "dist": "normal",
            "mean": round((t[0][0] + t[0][1]) / 2, 4),
            "sd": t[1],
            "low": t[0][0],
            "high": t[0][1],
        }
    )
    choice = st.tuples(st.lists(unit, min_size=1, max_size=4), st.booleans()).map(
        lambda t: (
            {"dist": "choice", "values": t[0]}
            | ({"weights": [float(k + 1) for k in range(len(t[0]))]} if t[1] else {})
        )
    )
    distribution = st.one_of(uniform, beta, normal, choice)
    return st.one_of(unit, distribution)


@functools.cache
def score_numbers() -> st.SearchStrategy[float | dict[str, Any]]:
    """A score in [0, 1]: three times in four a plain number, else a distribution."""
    unit = unit_floats()
    return st.one_of(unit, unit, unit, numbers())


@st.composite
def conditions(draw: st.DrawFn, issues: list[dict[str, Any]]) -> dict[str, list[str]]:
    """A condition: 1-2 issues, each with a non-empty subset of its options."""
    chosen = draw(st.lists(st.sampled_from(issues), min_size=1, max_size=2, unique_by=_id))
    condition = {}
    for issue in chosen:
        options = [o["id"] for o in issue["options"]]
        condition[issue["id"]] = draw(
            st.lists(st.sampled_from(options), min_size=1, max_size=len(options), unique=True)
        )
    return condition


def _id(item: dict[str, Any]) -> str:
    return str(item["id"])


@st.composite
def issue_lists(draw: st.DrawFn, min_issues: int = 1, max_issues: int = 4) -> list[dict[str, Any]]:
    """1-4 categorical issues of 2-4 options each, ids unique."""
    issue_ids = draw(st.lists(ids("issue"), min_size=min_issues, max_size=max_issues, unique=True))
    issues = []
    for issue_id in issue_ids:
        count = draw(st.integers(2, 4))
        options = [{"id": f"opt_{k}", "label": f"option {k} of {issue_id}"} for k in range(count)]
        issues.append({"id": issue_id, "name": issue_id.replace("_", " "), "options": options})
    return issues


@st.composite
def red_lines(
    draw: st.DrawFn, issues: list[dict[str, Any]], actor_ids: list[str], owner: str
) -> dict[str, Any]:
    """A red line with a `forbids` condition (sometimes a precondition), an assumption."""
    line: dict[str, Any] = {
        "id": "placeholder",
        "forbids": draw(conditions(issues)),
        "consequence": draw(_CONSEQUENCES),
        "firmness": draw(numbers()),
        "provenance": {
            "kind": "assumption",
            "speaker": owner,
            "rationale": "Generated for a property test: the modeller assumes it.",
        },
    }
    if draw(st.integers(0, 4)) == 0:
        line["precondition"] = {
            "requires": draw(conditions(issues)),
            "met_by": draw(st.sampled_from(actor_ids)),
            "probability": draw(numbers()),
        }
        if draw(st.booleans()):
            del line["forbids"]
    return line


@st.composite
def actors(
    draw: st.DrawFn, actor_id: str, role: str, issues: list[dict[str, Any]], actor_ids: list[str]
) -> dict[str, Any]:
    """An actor with weights and scores for every issue, a BATNA, a strategy, red lines."""
    weights = {i["id"]: draw(numbers()) for i in issues}
    if not any(_lower(w) > 0 for w in weights.values()):
        weights[issues[0]["id"]] = 1.0  # weights must not all be zero
    scores: dict[str, Any] = {}
    for issue in issues:
        values = [draw(score_numbers()) for _ in issue["options"]]
        if draw(st.booleans()):
            scores[issue["id"]] = values
        else:
            scores[issue["id"]] = {
                o["id"]: v for o, v in zip(issue["options"], values, strict=True)
            }
    kind = draw(_STRATEGIES)
    strategy: dict[str, Any] = {"kind": kind}
    if kind in ("boulware", "linear", "conceder") and draw(st.booleans()):
        strategy["exponent"] = draw(numbers(0.1, 5.0))
    lines = draw(st.lists(red_lines(issues, actor_ids, actor_id), max_size=3))
    for k, line in enumerate(lines):
        line["id"] = f"{actor_id}_line_{k}"
    actor: dict[str, Any] = {
        "id": actor_id,
        "name": actor_id.replace("_", " ").title(),
        "role": role,
        "weights": weights,
        "scores": scores,
        "batna": {"value": draw(numbers()), "drift": draw(numbers(-0.05, 0.05))},
        "strategy": strategy,
        "red_lines": lines,
    }
    if role == "guarantor" and draw(st.booleans()):
        actor["signs_when"] = draw(st.lists(conditions(issues), min_size=1, max_size=2))
    return actor


def _lower(number: float | dict[str, Any]) -> float:
    if isinstance(number, dict):
        return float(min(number["values"]) if "values" in number else number["low"])
    return float(number)


@st.composite
def protocols(draw: st.DrawFn, actor_ids: list[str], roles: list[str]) -> dict[str, Any]:
    """A protocol the actors can run: alternating, mediated or setter."""
    kind = draw(st.sampled_from(("alternating", "mediated", "setter")))
    protocol: dict[str, Any] = {"kind": kind, "max_rounds": draw(st.integers(1, 40))}
    if kind == "mediated":
        protocol["mediator"] = draw(st.sampled_from(actor_ids))
    elif kind == "setter":
        protocol["proposers"] = [draw(st.sampled_from(actor_ids))]
    elif draw(st.booleans()):
        protocol["proposers"] = draw(
            st.lists(st.sampled_from(actor_ids), min_size=1, max_size=len(actor_ids), unique=True)
        )
    return protocol


@st.composite
def councils(draw: st.DrawFn, actor_ids: list[str], issues: list[dict[str, Any]]) -> dict[str, Any]:
    """A Security Council: some actors hold permanent seats, the rest vote by probability."""
    voting = draw(st.lists(st.sampled_from(actor_ids), max_size=len(actor_ids), unique=True))
    members: list[dict[str, Any]] = [
        {"id": f"seat_{a}", "permanent": True, "actor": a} for a in voting
    ]
    members.append({"id": "elected", "seats": 10, "p_yes": draw(numbers())})
    seats = len(voting) + 10
    return {
        "votes_needed": draw(st.integers(1, seats)),
        "members": members,
        "mandate": draw(conditions(issues)),
    }


@st.composite
def scenario_dicts(
    draw: st.DrawFn,
    min_actors: int = 2,
    max_actors: int = 4,
    min_issues: int = 1,
    max_issues: int = 4,
) -> dict[str, Any]:
    """A small valid scenario as plain data (see the module docstring).

    The first two actors are belligerents (there is always someone who must sign); the
    others take any role. A Security Council is present in about half the draws.
    """
    issues = draw(issue_lists(min_issues, max_issues))
    actor_ids = draw(st.lists(ids("actor"), min_size=min_actors, max_size=max_actors, unique=True))
    roles = ["belligerent", "belligerent"][: len(actor_ids)]
    roles += [draw(_ROLES) for _ in actor_ids[len(roles) :]]
    scenario: dict[str, Any] = {
        "schema_version": 1,
        "id": draw(ids("scenario")),
        "title": "A generated scenario",
        "issues": issues,
        "actors": [
            draw(actors(a, role, issues, actor_ids))
            for a, role in zip(actor_ids, roles, strict=True)
        ],
        "protocol": draw(protocols(actor_ids, roles)),
    }
    if draw(st.booleans()):
        scenario["institutions"] = {"security_council": draw(councils(actor_ids, issues))}
    return scenario


# --- malformed documents ---------------------------------------------------------------------

_AWKWARD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "~",
        "null",
        "yes",
        "no",
        "1e400",
        "-.inf",
        ".nan",
        "0x1F",
        "&a",
        "*a",
        "!!python/object:os.system",
        "- ",
        "{",
        "]",
        ": :",
        "\t",
        "é",
        "\u00a0",
        "\u2019",
        "\ufeff",
        "a" * 300,
    ]
)

scalars: st.SearchStrategy[JSON] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**400), 10**400),
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e-308, 5e-324, 10**20]),
    st.text(max_size=30),
    _AWKWARD_TEXT,
)
"""Any YAML scalar, including the awkward ones (NaN, infinities, huge integers)."""

yaml_values: st.SearchStrategy[JSON] = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.text(max_size=12), st.integers()), children, max_size=5),
    ),
    max_leaves=20,
)
"""Random YAML data: scalars, lists and mappings nested a few levels."""


def paths(data: JSON, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (keys and indices) inside plain data, outermost first."""
    found: list[tuple[Any, ...]] = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(paths(value, (*prefix, index)))
    return found


def _parent(data: JSON, path: tuple[Any, ...]) -> Any:
    node = data
    for segment in path[:-1]:
        node = node[segment]
    return node


def _delete(data: JSON, path: tuple[Any, ...], _: JSON) -> None:
    parent = _parent(data, path)
    del parent[path[-1]]


def _replace(data: JSON, path: tuple[Any, ...], value: JSON) -> None:
    _parent(data, path)[path[-1]] = value


def _add_key(data: JSON, path: tuple[Any, ...], value: JSON) -> None:
    target = _parent(data, path)[path[-1]]
    if isinstance(target, dict):
        target["unexpected_key"] = value
    elif isinstance(target, list):
        target.append(value)
    else:
        _replace(data, path, value)


def _duplicate_entry(data: JSON, path: tuple[Any, ...], _: JSON) -> None:
    parent = _parent(data, path)
    if isinstance(parent, list):
        parent.append(copy.deepcopy(parent[path[-1]]))


_MUTATIONS: dict[str, Callable[[JSON, tuple[Any, ...], JSON], None]] = {
    "delete": _delete,
    "replace": _replace,
    "add": _add_key,
    "duplicate": _duplicate_entry,
}


@st.composite
def mutated_scenarios(draw: st.DrawFn) -> JSON:
    """A valid scenario with 1-3 parts broken: deleted, replaced, added or duplicated."""
    data = draw(scenario_dicts(max_actors=3, max_issues=3))
    for _ in range(draw(st.integers(1, 3))):
        where = paths(data)
        if not where:
            break
        path = draw(st.sampled_from(where))
        mutation = draw(st.sampled_from(sorted(_MUTATIONS)))
        value = draw(st.one_of(scalars, yaml_values))
        _MUTATIONS[mutation](data, path, value)
    return data


@st.composite
def damaged_text(draw: st.DrawFn) -> bytes:
    """Valid scenario text with bytes inserted, deleted or cut off."""
    raw = bytearray(to_yaml(draw(scenario_dicts(max_actors=3, max_issues=2))).encode())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(("insert", "delete", "cut")))
        if action == "insert":
            raw[at:at] = draw(
                st.one_of(
                    st.binary(min_size=1, max_size=4),
                    st.sampled_from([b"\n", b":", b"- ", b"  ", b"&x ", b"*x", b"\t", b"'", b"{"]),
                    st.text(string.printable, min_size=1, max_size=4).map(str.encode),
                )
            )
        elif action == "delete":
            del raw[at : at + draw(st.integers(1, 8))]
        else:
            del raw[at:]
    return bytes(raw)


def malformed_documents() -> st.SearchStrategy[bytes]:
    """Bytes of a scenario file that is probably, but not certainly, invalid."""
    return st.one_of(
        yaml_values.map(lambda v: to_yaml(v).encode()),
        mutated_scenarios().map(lambda v: to_yaml(v).encode()),
        damaged_text(),
        st.binary(max_size=200),
        st.text(max_size=200).map(str.encode),
    )

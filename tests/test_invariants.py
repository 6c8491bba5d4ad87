"""Invariants at scale: what holds for every run of every scenario, checked on generated ones.

Over scenarios drawn by `tests.builders.scenario_dicts()` (2-4 actors, 1-4 issues, red lines
with every consequence, preconditions, numbers that are distributions, every protocol, a
Security Council half the time) and arbitrary seeds:

1. **No agreement crosses a binding red line of a signatory it needs, nor gives such a
   signatory less than its BATNA at the round of agreement** (to 1e-9): on the fast path
   (`simulate`, what sweeps run), on the recorded, stepped path (`NegotiationModel.run_model`,
   what `redlines run` tells) and under the bilateral monotonic concession protocol.
2. **Same seed, same result**: the fast path, the stepped path and a second call agree;
   `redlines run FILE --seed S --json` prints the same bytes twice, and exactly
   `json.dumps(simulate(..., record=True).to_dict())`; and the same bytes again in fresh
   interpreters with different hash seeds (`PYTHONHASHSEED`), so no output depends on the
   iteration order of a set.
3. **Sweep results do not depend on the workers**: the table of a sweep in this process
   (1 worker) equals, cell for cell, the table from a pool of 2 worker processes with another
   chunking, and every row is the run `simulate` gives for that row's seed (so the
   scenario survives its trip to the workers as YAML text and the invariants above carry over
   to sweeps).

Example counts follow the hypothesis profile chosen in `tests/conftest.py` (`dev` by default,
`ci` when CI is set: 200 examples for the first property; fewer for the costlier ones, a fixed
share of the profile's count: a third under monotonic concession, a tenth for the CLI, a
twentieth for sweeps, one batch of six scenarios per 200 for fresh interpreters). To search
long (5,000 examples for the first property, 1,666 under monotonic concession, 500 CLI runs,
250 sweeps, 25 batches in fresh interpreters):

    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/test_invariants.py

A failure prints the scenario and seed that broke the property (and, under `ci`, a blob to
reproduce it with `@reproduce_failure`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim.cli.app import app
from sim.engine.model import NegotiationModel
from sim.engine.results import OUTCOMES, RunResult
from sim.engine.run import simulate
from sim.engine.space import Compiled, compile_scenario
from sim.explore.montecarlo import Layout, sweep
from sim.scenario.build import load_scenario
from sim.scenario.checks import check
from sim.scenario.schema import Scenario
from tests.builders import ROOT, scenario_dicts, write_scenario

SEEDS = st.integers(0, 2**32 - 1)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]


def examples(share: int = 1, least: int = 5) -> int:
    """The profile's example count divided by `share` (at least `least`)."""
    return max(least, settings().max_examples // share)


def firm(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with every red line at firmness 1 and every precondition conceded (so talks
    open and the red lines bind: without this, few generated agreements meet a binding one)."""
    for actor in data["actors"]:
        for line in actor["red_lines"]:
            line["firmness"] = 1.0
            if "precondition" in line:
                line["precondition"]["probability"] = 1.0
    return data


def compiled_of(data: dict[str, Any]) -> Compiled:
    """A generated scenario, validated as the loader does and compiled."""
    parsed = Scenario.model_validate(data)
    assume(not check(parsed, None))  # the builders draw valid scenarios; this only guards
    return compile_scenario(parsed)


def assert_invariants(model: NegotiationModel) -> None:
    """No agreement crosses a binding red line of a signatory it needs, nor gives such a
    signatory less than its BATNA at the round of agreement."""
    assert model.outcome in OUTCOMES
    event(f"outcome: {model.outcome}")
    if model.outcome != "agreement":
        return
    compiled, agreed = model.compiled, model.agreed
    assert agreed is not None
    needed = compiled.signatory_mask[:, agreed]
    assert needed.any(), "an agreement needs someone's signature"
    binding = [ref for ref in compiled.red_lines if model.binding[ref.row]]
    event(f"agreement with {'some' if binding else 'no'} binding red line")
    for ref in binding:
        if compiled.red_line_mask[ref.row, agreed]:
            assert not needed[ref.actor_index], f"agreement crosses {ref.key}"
    result = model.result()
    assert result.utilities is not None and result.terms is not None
    assert compiled.space.find(result.terms) == agreed, "the terms are the agreed outcome"
    batna = model.params.batna_at(result.rounds)
    for a, actor in enumerate(compiled.actor_ids):
        if needed[a]:
            assert result.utilities[actor] >= batna[a] - 1e-9, actor


def same(a: RunResult, b: RunResult) -> bool:
    keep = ("outcome", "rounds", "terms", "utilities", "binding_red_lines", "sampled", "conceded")
    return all(getattr(a, k) == getattr(b, k) for k in keep)


# --- 1. no agreement crosses a binding red line or falls below a BATNA --------------------------


@pytest.mark.slow
@settings(suppress_health_check=SLOW)
@given(data=scenario_dicts(), firmed=st.booleans(), seed=SEEDS)
def test_no_agreement_crosses_a_binding_red_line_or_falls_below_a_batna(
    data: dict[str, Any], firmed: bool, seed: int
) -> None:
    compiled = compiled_of(firm(data) if firmed else data)
    fast = NegotiationModel(compiled, seed=seed, record=False)
    fast.play_fast()
    assert_invariants(fast)
    recorded = NegotiationModel(compiled, seed=seed, record=True)
    recorded.run_model()
    assert_invariants(recorded)
    assert same(fast.result(), recorded.result()), "fast path and stepped path agree"
    assert same(simulate(compiled, seed), fast.result()), "same seed, same result"


@settings(max_examples=examples(share=3), suppress_health_check=SLOW)
@given(data=scenario_dicts(max_actors=2), firmed=st.booleans(), seed=SEEDS)
def test_invariants_hold_under_monotonic_concession(
    data: dict[str, Any], firmed: bool, seed: int
) -> None:
    data["protocol"] = {"kind": "monotonic_concession", "max_rounds": 30}
    compiled = compiled_of(firm(data) if firmed else data)
    model = NegotiationModel(compiled, seed=seed, record=True)
    model.run_model()
    assert_invariants(model)
    assert same(simulate(compiled, seed), model.result())


# --- 2. same seed, same result: `redlines run --json` ------------------------------------------


def run_json(path: Path, seed: int) -> str:
    """What `redlines run PATH --seed SEED --json` prints (in this process)."""
    done = CliRunner().invoke(app, ["run", str(path), "--seed", str(seed), "--json"])
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    assert done.exit_code == 0, done.stderr
    return done.stdout


def expected_json(compiled: Compiled, seed: int) -> str:
    """The `--json` line built from `simulate`: what the CLI must print."""
    return json.dumps(simulate(compiled, seed, record=True).to_dict(), ensure_ascii=False) + "\n"


@pytest.mark.slow
@settings(max_examples=examples(share=10), suppress_health_check=SLOW)
@given(data=scenario_dicts(), seed=SEEDS)
def test_run_json_is_byte_identical_for_a_seed_and_is_the_simulated_run(
    data: dict[str, Any], seed: int
) -> None:
    compiled_of(data)
    with tempfile.TemporaryDirectory() as folder:
        path = write_scenario(Path(folder), data)
        compiled = compile_scenario(load_scenario(path).scenario)
        first = run_json(path, seed)
        assert run_json(path, seed) == first
        assert first == expected_json(compiled, seed)
        printed = json.loads(first)
        fast = simulate(compiled, seed)
        for key in ("outcome", "rounds", "terms", "utilities", "binding_red_lines", "sampled"):
            assert printed[key] == fast.to_dict()[key], key


DRIVER = """
import sys
from sim.cli.app import app
for spec in sys.argv[1:]:
    path, seed = spec.rsplit("@", 1)
    try:
        app(["run", path, "--seed", seed, "--json"], standalone_mode=False)
    finally:
        sys.stdout.flush()
"""
"""Runs `redlines run FILE --seed S --json` for each `FILE@S` argument, in one interpreter."""


def fresh_interpreter(specs: list[str], hash_seed: str) -> list[str]:
    environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *specs],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=environment,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines(keepends=True)


@pytest.mark.slow
@settings(max_examples=examples(share=200, least=1), suppress_health_check=SLOW)
@given(batch=st.lists(st.tuples(scenario_dicts(), SEEDS), min_size=6, max_size=6))
def test_run_json_is_the_same_in_fresh_interpreters_with_other_hash_seeds(
    batch: list[tuple[dict[str, Any], int]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        specs, expected = [], []
        for k, (data, seed) in enumerate(batch):
            compiled_of(data)
            path = write_scenario(Path(folder), data, name=f"scenario_{k}.yaml")
            specs.append(f"{path}@{seed}")
            expected.append(expected_json(compile_scenario(load_scenario(path).scenario), seed))
        assert fresh_interpreter(specs, "0") == expected
        assert fresh_interpreter(specs, "4242") == expected


# --- 3. sweep results do not depend on the workers ---------------------------------------------


@pytest.mark.slow
@settings(max_examples=examples(share=20), suppress_health_check=SLOW)
@given(data=scenario_dicts(max_actors=3, max_issues=3), seed=SEEDS, runs=st.integers(1, 30))
def test_a_sweep_gives_the_same_table_with_one_or_two_workers(
    data: dict[str, Any], seed: int, runs: int
) -> None:
    compiled = compiled_of(data)
    here = sweep(compiled.scenario, runs, seed=seed, workers=1, chunk_size=4, progress=False)
    pool = sweep(compiled.scenario, runs, seed=seed, workers=2, chunk_size=7, progress=False)
    table = here.table
    pd.testing.assert_frame_equal(pool.table, table)
    assert pool.summary == here.summary
    assert list(table.columns) == Layout.of(compiled).columns
    assert table["run"].tolist() == list(range(runs))
    for row in table.itertuples(index=False):
        cells = dict(zip(table.columns, row, strict=True))
        result = simulate(compiled, int(cells["seed"]))
        assert cells["outcome"] == result.outcome
        assert cells["rounds"] == result.rounds
        bound = {
            f"{actor}.{line}" for actor, ids in result.binding_red_lines.items() for line in ids
        }
        for ref in compiled.red_lines:
            assert cells[f"binds.{ref.key}"] == (ref.key in bound), ref.key
        for path, drawn in result.sampled.items():
            assert cells[path] == drawn, path
        if result.outcome == "agreement":
            assert result.terms is not None and result.utilities is not None
            for issue, option in result.terms.items():
                assert cells[f"terms.{issue}"] == str(option), issue
            for actor, utility in result.utilities.items():
                assert cells[f"utility.{actor}"] == utility, actor


# --- 5. large outcome spaces keep arrays, not lists: the same runs ------------------------------


@settings(max_examples=examples(share=3), suppress_health_check=SLOW)
@given(data=scenario_dicts(), seed=SEEDS)
def test_a_run_is_the_same_with_sorted_utilities_as_an_array(
    data: dict[str, Any], seed: int
) -> None:
    """Past `LIST_LIMIT` outcomes a strategy bisects its array rather than a list copy."""
    import sim.engine.strategies as strategies

    compiled = compiled_of(data)
    as_list = simulate(compiled, seed)
    kept = strategies.LIST_LIMIT
    strategies.LIST_LIMIT = -1  # every space is "large"
    try:
        as_array = simulate(compiled, seed)
    finally:
        strategies.LIST_LIMIT = kept
    assert same(as_list, as_array)

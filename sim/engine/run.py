"""Running a scenario: one seeded run, fast (for sweeps) or recorded (for stories)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.engine.results import RunResult
from sim.engine.space import Compiled, compile_scenario

# --- the public API --------------------------------------------------------------------------


def simulate(compiled: Compiled, seed: int, *, record: bool = False) -> RunResult:
    """One seeded run of a compiled scenario.

    `record=False` (the default) is the fast path for Monte Carlo sweeps: no events, no
    DataCollector, but `outcome`, `rounds`, `terms`, `utilities`, `binding_red_lines` and
    `sampled` are filled. The same seed gives the same result, recorded or not.
    """
    from sim.engine.model import NegotiationModel  # mesa loads with the first run

    model = NegotiationModel(compiled, seed=seed, record=record)
    if record:
        model.run_model()
    else:
        model.play_fast()
    return model.result()


@dataclass(frozen=True)
class RunOutput:
    """A recorded run: the result with its events, and mesa's per-round data."""

    result: RunResult
    rounds: Any
    """pandas DataFrame, one row per round (round 0 is the set-up): talks, proposer, offer."""
    actors: Any
    """pandas DataFrame, one row per round and actor: aspiration, BATNA, offer utility."""
    compiled: Compiled

    def to_dict(self) -> dict[str, Any]:
        """The `redlines run --json` object (the result; the tables are derived from it)."""
        return self.result.to_dict()

    def final_batnas(self) -> dict[str, float]:
        """Each actor's value of no deal in the last round recorded (empty without data)."""
        frame = self.actors
        if frame is None or frame.empty:
            return {}
        final = frame.reset_index()
        final = final[final["Step"] == final["Step"].max()]
        return dict(zip(final["actor"], final["batna"], strict=True))


def run(
    scenario: Any,
    seed: int | None = None,
    overrides: Sequence[str] = (),
) -> RunOutput:
    """Run a scenario once, recording every decision and the per-round data.

    `scenario`: a path to a scenario file, a :class:`sim.scenario.build.LoadedScenario`, a
    :class:`sim.scenario.schema.Scenario` or a :class:`sim.engine.space.Compiled`. `overrides`
    are `--set` style `PATH=VALUE` strings (for a path or a loaded scenario). Without a seed,
    a fresh one is drawn from the operating system's entropy and reported in the result.
    """
    compiled = _compiled(scenario, overrides)
    if seed is None:
        seed = new_seed()
    from sim.engine.model import NegotiationModel

    model = NegotiationModel(compiled, seed=seed, record=True)
    model.run_model()
    assert model.datacollector is not None
    rounds = model.datacollector.get_model_vars_dataframe().set_index("round")
    actors = model.datacollector.get_agent_vars_dataframe()
    return RunOutput(result=model.result(), rounds=rounds, actors=actors, compiled=compiled)


def new_seed() -> int:
    """A fresh seed from the operating system's entropy (short enough to type back)."""
    return secrets.randbits(32)


def _compiled(scenario: Any, overrides: Sequence[str]) -> Compiled:
    from sim.scenario.build import LoadedScenario, load_scenario
    from sim.scenario.schema import Scenario

    if isinstance(scenario, Compiled):
        if overrides:
            raise ValueError("overrides apply to a scenario file or a loaded scenario")
        return scenario
    if isinstance(scenario, str | Path):
        return compile_scenario(load_scenario(scenario, overrides).scenario)
    if isinstance(scenario, LoadedScenario):
        if overrides:
            from sim.scenario.build import apply_overrides

            return compile_scenario(apply_overrides(scenario.scenario, overrides, scenario.folder))
        return compile_scenario(scenario.scenario)
    if isinstance(scenario, Scenario):
        if overrides:
            from sim.scenario.build import apply_overrides

            return compile_scenario(apply_overrides(scenario, overrides, None))
        return compile_scenario(scenario)
    raise TypeError(f"cannot run a {type(scenario).__name__}")

"""Every entry point refuses a number outside its range with the same located message.

A value reaches a scenario through `run --set`, `sweep --set`, `discover --set` (a distribution
whose bounds PRIM then explores), `sensitivity --vary` and `--grid`, and the api's `load`
overrides and `sensitivity`. All go through the one build path, so each is refused before any
run, exits 2 (the CLI) or raises :class:`api.ScenarioError`, and names the value and the range.
The dashboard's inputs are tested in tests/dashboard. Last, the one error policy: a bug exits 1,
Ctrl-C 130.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sim import api
from sim.cli.app import app
from tests.builders import BASELINE

BATNA = "actors.russia.batna.value"
FIRMNESS = "actors.russia.red_lines.no_nato_timeline.firmness"

CASES = {
    "run --set": (
        ["run", str(BASELINE), "--seed", "1", "--set", f"{BATNA}=1.5"],
        f"--set:1:1: {BATNA}: a BATNA must lie in [0.0, 1.0], got 1.5",
    ),
    "sweep --set": (
        ["sweep", str(BASELINE), "--runs", "10", "--workers", "1", "--set", f"{BATNA}=1.5"],
        f"--set:1:1: {BATNA}: a BATNA must lie in [0.0, 1.0], got 1.5",
    ),
    "sweep --set, a distribution": (
        [
            "sweep", str(BASELINE), "--runs", "10", "--workers", "1",
            "--set", f"{FIRMNESS}={{dist: uniform, low: 0.5, high: 1.2}}",
        ],
        f"--set:1:1: {FIRMNESS}: firmness must lie in [0.0, 1.0], got values from 0.5 to 1.2",
    ),
    "discover, the bounds of a sampled number": (
        [
            "discover", str(BASELINE), "--runs", "50", "--workers", "1",
            "--set", f"{BATNA}={{dist: uniform, low: 0.5, high: 1.5}}",
        ],
        f"--set:1:1: {BATNA}: a BATNA must lie in [0.0, 1.0], got values from 0.5 to 1.5",
    ),
    "sensitivity --vary": (
        ["sensitivity", str(BASELINE), "--runs", "10", "--workers", "1",
         "--vary", f"{BATNA}=0.5:1.5:3"],
        f"--vary:1:1: {BATNA}: a BATNA must lie in [0.0, 1.0], got 1.5",
    ),
    "sensitivity --grid": (
        ["sensitivity", str(BASELINE), "--runs", "10", "--workers", "1", "--grid",
         "--vary", f"{FIRMNESS}=0:1:2", "--vary", f"{BATNA}=-0.5:0.5:3"],
        f"--vary:2:1: {BATNA}: a BATNA must lie in [0.0, 1.0], got -0.5",  # the second --vary
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_the_cli_refuses_an_out_of_range_value_before_any_run(case: str) -> None:
    args, message = CASES[case]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.strip().splitlines() == [message]  # the message alone: nothing ran


def test_the_api_refuses_the_same_values_with_the_same_message() -> None:
    with pytest.raises(api.ScenarioError) as refused:
        api.load(BASELINE, [f"{BATNA}=1.5"])
    assert f"{BATNA}: a BATNA must lie in [0.0, 1.0], got 1.5" in str(refused.value)
    with pytest.raises(api.ScenarioError) as refused:
        api.sensitivity(BASELINE, [f"{BATNA}=0.5:1.5:3"], runs=10, workers=1)
    assert f"--vary:1:1: {BATNA}: a BATNA must lie in [0.0, 1.0], got 1.5" in str(refused.value)


def test_values_inside_the_range_are_accepted() -> None:
    result = CliRunner().invoke(
        app, ["sweep", str(BASELINE), "--runs", "10", "--workers", "1", "--set", f"{BATNA}=1.0"]
    )
    assert result.exit_code == 0, result.output


# --- the one error policy: a bug exits 1, Ctrl-C exits 130 -------------------------------------


def test_a_bug_exits_1_with_a_short_message_that_points_to_debug(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sim.cli import policy

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("an internal invariant failed")

    monkeypatch.setattr(api, "run", broken)
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--seed", "1"])
    assert result.exit_code == 1, result.output
    assert "internal error (ValueError: an internal invariant failed)" in result.output
    assert "--debug" in result.output and "Traceback" not in result.output
    monkeypatch.setattr(policy, "DEBUG", [True])
    result = CliRunner().invoke(app, ["run", str(BASELINE), "--seed", "1"])
    assert result.exit_code == 1 and "Traceback" in result.output


def test_ctrl_c_exits_130_and_says_what_was_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "sweep", interrupted)
    result = CliRunner().invoke(app, ["sweep", str(BASELINE), "--runs", "10", "--workers", "1"])
    assert result.exit_code == 130, result.output
    assert result.output.startswith("interrupted: ")

"""The dashboard's memory budget: a scenario too large for a session is explained, not run; a
session's heavy results stay within the budget; with the 10^6-outcome scenario uploaded and
every page visited, the server stays under 1.5 GB."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.memory import Held
from tests.builders import REPO, sized_baseline, to_yaml

APP = REPO / "dashboard" / "app.py"


def sized(outcomes: int) -> str:
    """The baseline with a numeric issue added, for about `outcomes` outcomes, as YAML text."""
    data = sized_baseline(outcomes)
    data["id"] = "sized"
    return to_yaml(data)


def upload(text: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=300)
    at.run()
    at.file_uploader(key="scenario_uploader").set_value(("sized.yaml", text.encode(), "text/yaml"))
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_scenario_over_the_sessions_budget_is_explained_not_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDLINES_DASHBOARD_BUDGET", "40MB")
    at = upload(sized(100_000))
    for name in ("run", "bargaining", "monte_carlo"):
        at.switch_page(f"views/{name}.py").run()
        assert not at.exception, at.exception
        [warning] = [w.value for w in at.warning if "not run here" in w.value]
        assert "outcomes" in warning and "40 MB" in warning
        assert not at.metric  # nothing was computed
    held = at.session_state["memory_held"].groups  # the baseline's, from the first page
    assert all(file.name != "sized.yaml" for file, _ in held)  # the upload was never compiled


def test_the_same_scenario_runs_within_the_default_budget() -> None:
    at = upload(sized(100_000))
    at.switch_page("views/run.py").run()
    assert not at.exception
    assert not [w for w in at.warning if "not run here" in w.value]
    assert at.metric  # the run's figures are shown


def test_held_results_forget_the_least_recently_used_scenario() -> None:
    held = Held(limit=100)
    built: list[str] = []

    def make(name: str) -> str:
        built.append(name)
        return name

    assert held.get("a", 30, "x", lambda: make("a")) == "a"
    assert held.get("b", 30, "x", lambda: make("b")) == "b"  # 30 + 30 + a run of 30 fits
    assert held.get("a", 30, "x", lambda: make("again")) == "a"  # kept, a is now the newest
    held.get("c", 30, "x", lambda: make("c"))  # b goes: 30 + 30 + 30 + 30 > 100
    assert list(held.groups) == ["a", "c"] and held.used == 60
    assert built == ["a", "b", "c"]


SERVER = textwrap.dedent(
    """
    import json, resource, sys
    from streamlit.testing.v1 import AppTest

    text = open(sys.argv[1], encoding="utf-8").read()
    at = AppTest.from_file(sys.argv[2], default_timeout=600)
    at.run()
    at.file_uploader(key="scenario_uploader").set_value(("big.yaml", text.encode(), "text/yaml"))
    at.run()
    seen = []
    for name in ("scenario", "run", "bargaining", "adjust", "run", "bargaining"):
        at.switch_page(f"views/{name}.py").run()
        assert not at.exception, at.exception
        seen.append(name)
        if name == "adjust":  # an adjustment: a second version of the scenario to hold
            slider = [s for s in at.slider if "firmness" in s.key][0]
            slider.set_value(slider.min).run()
            assert not at.exception, at.exception
    warned = [w.value for w in at.warning if "not run here" in w.value]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"peak": peak, "seen": seen, "warned": warned, "metrics": len(at.metric)}))
    """
)


@pytest.mark.slow
def test_the_server_stays_under_1_5_gb_with_the_million_outcome_scenario(tmp_path: Path) -> None:
    scenario = tmp_path / "big.yaml"
    scenario.write_text(sized(10**6), encoding="utf-8")
    assert len(scenario.read_bytes()) < 16_000  # the baseline and one issue more
    script = tmp_path / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(scenario), str(APP)],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert not report["warned"] and report["metrics"]  # it ran (the budget allows it)
    assert report["peak"] < 1.5 * (1 << 30), f"{report['peak'] / (1 << 20):.0f} MB"

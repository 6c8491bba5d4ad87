"""Every dashboard page under Streamlit's AppTest: set widgets by key, click, check what is shown.

Numbers on the pages are checked against the `sim` functions the CLI uses, called here
directly with the same scenario, seed and overrides.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from sim import api
from sim.analysis.bargaining import analyse
from sim.engine.run import run
from sim.explore.montecarlo import sweep
from sim.scenario.build import load_scenario, load_text
from tests.builders import BASELINE, ROOT

APP = ROOT / "dashboard" / "app.py"
TIMEOUT = 180
FIRMNESS = "adjust_w_actors__russia__red_lines__talks_require_nato_off_table__firmness"


def fresh() -> AppTest:
    """The app after its first run (the Scenario page, baseline chosen)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    return at


def page(name: str) -> AppTest:
    """The app switched to one page."""
    at = fresh()
    at.switch_page(f"views/{name}.py").run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.value for e in elements]


def problems_of(text: str, name: str, folder: Path = ROOT / "scenarios") -> list[str]:
    from sim.errors import ScenarioError

    with pytest.raises(ScenarioError) as caught:
        load_text(text, name, folder)
    return [str(p) for p in caught.value.problems]


# --- Scenario ------------------------------------------------------------------------------------


def test_scenario_page_shows_actors_red_lines_provenance_and_sources() -> None:
    at = fresh()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Actors": "4",
        "Issues": "4",
        "Outcomes": "45",
        "Red lines": "10",
        "Assumptions": "2",
    }
    table = at.table[0].value
    assert len(table) == 10
    assumptions = table[table["Provenance"].str.contains("ASSUMPTION")]
    assert sorted(assumptions["Actor"]) == ["Ukraine", "Ukraine"]
    assert "assumption" not in table.columns  # the shading marker is not shown as a column
    precondition = table[table["Red line"] == "talks require NATO off table"]
    assert precondition["If crossed"].iloc[0].startswith("no talks until it is met")
    assert "rejecting any 'timeline' of NATO membership" in " ".join(table["Quote"])
    assert set(table["Speaker"]) >= {"Vladimir Putin", "Tyler Durden"}
    source = at.get("html")[0].proto.body
    assert source.count("<mark") == 8  # every quoted red line of the baseline is highlighted
    assert "<mark" in source and "legitimate military target" in source
    assert any("ASSUMPTION" not in w and "Ukraine" in w for w in texts(at.warning))


@pytest.mark.slow
def test_a_malformed_upload_shows_the_errors_of_redlines_validate(tmp_path: Path) -> None:
    bad = "schema_version: 1\nid: Bad Id\ntitle: A broken scenario\nactors: []\n"
    at = fresh()
    at.file_uploader(key="scenario_uploader").set_value(
        ("bad.yaml", bad.encode(), "application/x-yaml")
    )
    at.run()
    assert not at.exception
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", "bad.yaml"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert cli.returncode == 2
    assert at.code[0].value == cli.stderr.strip()
    assert "bad.yaml:2:5: id: String should match pattern" in at.code[0].value
    assert any("not a valid scenario" in e for e in texts(at.error))
    # the app keeps running: another page explains, and the shipped scenario still works
    at.switch_page("views/run.py").run()
    assert not at.exception
    assert any("cannot be used" in e for e in texts(at.error))
    at.switch_page("views/scenario.py").run()
    at.selectbox(key="scenario_choice").set_value("baseline.yaml").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Red lines"] == "10"


def test_an_upload_is_only_parsed_never_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = f"!!python/object/apply:os.system ['touch {marker}']\n"
    at = fresh()
    at.file_uploader(key="scenario_uploader").set_value(("evil.yaml", evil.encode(), "text/yaml"))
    at.run()
    assert not at.exception
    assert not marker.exists()
    assert at.code[0].value.startswith("evil.yaml:1:1:")


def test_an_oversized_upload_is_refused() -> None:
    big = b"# padding\n" * 110_000
    at = fresh()
    at.file_uploader(key="scenario_uploader").set_value(("big.yaml", big, "text/yaml"))
    at.run()
    assert not at.exception
    assert "more than the dashboard's 1,048,576" in at.code[0].value


def test_an_uploaded_scenario_finds_the_shipped_sources_and_can_be_run() -> None:
    text = BASELINE.read_text(encoding="utf-8").replace("id: baseline\n", "id: mine\n", 1)
    at = fresh()
    at.file_uploader(key="scenario_uploader").set_value(("mine.yaml", text.encode(), "text/yaml"))
    at.run()
    assert not at.exception
    assert at.session_state["kept"]["scenario_choice"] == "uploaded: mine.yaml"
    assert {m.label: m.value for m in at.metric}["Red lines"] == "10"
    assert at.get("html")[0].proto.body.count("<mark") == 8
    at.switch_page("views/run.py").run()
    assert not at.exception
    expected = run(load_text(text, "mine.yaml", ROOT / "scenarios"), seed=3).result
    assert {m.label: m.value for m in at.metric}["Rounds"] == str(expected.rounds)


def test_an_upload_with_its_own_source_uses_it() -> None:
    text = BASELINE.read_text(encoding="utf-8").replace(
        "sources/2025-02-11-russia-peacekeepers-condition.txt", "sources/my-article.txt"
    )
    article = (ROOT / "scenarios/sources/2025-02-11-russia-peacekeepers-condition.txt").read_bytes()
    at = fresh()
    at.file_uploader(key="scenario_uploader").set_value(
        [("mine.yaml", text.encode(), "text/yaml"), ("my-article.txt", article, "text/plain")]
    )
    at.run()
    assert not at.exception
    assert not at.code  # no problems: the quotes were found in the uploaded source
    assert at.get("html")[0].proto.body.count("<mark") == 8


# --- Adjust --------------------------------------------------------------------------------------


def test_adjust_turns_sliders_into_set_overrides_that_the_cli_accepts() -> None:
    at = page("adjust")
    assert at.session_state["adjust_overrides"] == []
    at.slider(key=FIRMNESS).set_value((0.0, 0.0)).run()
    at.slider(key="adjust_w_protocol__max_rounds").set_value(10).run()
    at.selectbox(key="adjust_w_actors__france__strategy__kind").set_value("hardliner").run()
    assert not at.exception
    overrides = at.session_state["adjust_overrides"]
    assert overrides == [
        "actors.russia.red_lines.talks_require_nato_off_table.firmness=0.0",
        "actors.france.strategy={kind: hardliner}",
        "protocol.max_rounds=10",
    ]
    command = at.code[0].value
    assert command.startswith("redlines run scenarios/baseline.yaml")
    assert "--set 'actors.france.strategy={kind: hardliner}'" in command
    adjusted = load_scenario(BASELINE, overrides).scenario
    assert adjusted.protocol.max_rounds == 10
    assert at.get("download_button")[0].proto.label == "Download scenario (YAML)"
    # the adjustments stay when another page is visited and reach every other page
    at.switch_page("views/scenario.py").run()
    at.switch_page("views/adjust.py").run()
    assert at.slider(key=FIRMNESS).value == (0.0, 0.0)
    assert at.session_state["adjust_overrides"] == overrides
    at.button(key="adjust_reset").click().run()
    assert at.session_state["adjust_overrides"] == []
    assert at.slider(key=FIRMNESS).value == (0.6, 0.95)


def test_adjust_widening_a_fixed_number_makes_it_a_distribution() -> None:
    at = page("adjust")
    at.slider(key="adjust_w_institutions__unilateral_deployment__probability").set_value(
        (0.2, 0.6)
    ).run()
    assert at.session_state["adjust_overrides"] == [
        "institutions.unilateral_deployment.probability={dist: uniform, low: 0.2, high: 0.6}"
    ]


def test_adjust_shows_located_errors_for_an_invalid_combination() -> None:
    at = page("adjust")
    at.selectbox(key="adjust_w_protocol__kind").set_value("monotonic_concession").run()
    assert not at.exception
    assert any("invalid" in e for e in texts(at.error))
    assert at.code[0].value.startswith(
        "--set:1:1: protocol.kind: monotonic_concession is bilateral"
    )
    assert not at.get("download_button")
    at.switch_page("views/run.py").run()  # every other page refuses the invalid scenario
    assert not at.exception
    assert any("adjusted scenario is not valid" in e for e in texts(at.error))


def test_adjust_sliders_are_bounded_by_the_table_of_parameters() -> None:
    from sim.api import RANGES

    at = page("adjust")
    batna = at.slider(key="adjust_w_actors__russia__batna__value")
    assert (batna.min, batna.max) == (RANGES["batna"].low, RANGES["batna"].high)
    firmness = at.slider(key=FIRMNESS)
    assert (firmness.min, firmness.max) == (RANGES["firmness"].low, RANGES["firmness"].high)


def test_a_dashboard_input_out_of_range_is_refused_as_the_cli_refuses_it() -> None:
    """An adjustment outside its range (here a value of no deal of 1.5, as a stale or edited
    session could hold it) is refused on every page with the CLI's located message."""
    at = page("run")
    at.session_state["adjust_overrides"] = ["actors.russia.batna.value=1.5"]
    at.run()
    assert not at.exception
    assert any("adjusted scenario is not valid" in e for e in texts(at.error))
    message = "--set:1:1: actors.russia.batna.value: a BATNA must lie in [0.0, 1.0], got 1.5"
    assert at.code[0].value == message
    assert not at.metric  # nothing was run
    at.switch_page("views/monte_carlo.py").run()
    assert at.code[0].value == message and not at.button


# --- Run -----------------------------------------------------------------------------------------


def test_run_page_tells_the_seeded_run_as_the_cli_does() -> None:
    at = page("run")
    for seed in (3, 1, 4):
        at.slider(key="run_seed").set_value(seed).run()
        assert not at.exception
        expected = run(BASELINE, seed=seed).result
        metrics = {m.label: m.value for m in at.metric}
        assert metrics["Rounds"] == str(expected.rounds)
        assert metrics["Ending"] == {"agreement": "agreement", "no_talks": "no talks",
                                     "deadlock": "deadlock"}[expected.outcome]  # fmt: skip
        shown = " ".join(texts(at.success) + texts(at.warning) + texts(at.error))
        ending = {"agreement": "Agreement in round", "no_talks": "No talks",
                  "deadlock": "Deadlock"}[expected.outcome]  # fmt: skip
        assert ending in shown
    at.slider(key="run_seed").set_value(3).run()
    assert len(at.get("vega_lite_chart")) == 1
    offers = at.dataframe[0].value
    expected = run(BASELINE, seed=3).result
    proposals = [e for e in expected.events if e["kind"] == "proposal"]
    assert list(offers["Round"]) == [e["round"] for e in proposals]
    assert set(offers["Proposer"]) == {"United States"}


def test_run_page_shows_who_rejected_on_a_red_line_with_the_quote() -> None:
    at = page("adjust")
    at.selectbox(key="adjust_w_protocol__kind").set_value("alternating").run()
    at.switch_page("views/run.py").run()
    overrides = at.session_state["adjust_overrides"]
    assert overrides == ["protocol.kind=alternating"]
    seed = next(
        s
        for s in range(60)
        if any(
            a["reason"] == "red_line"
            for e in run(BASELINE, seed=s, overrides=overrides).result.events
            if e["kind"] == "proposal"
            for a in e["responses"].values()
        )
    )
    at.slider(key="run_seed").set_value(seed).run()
    assert not at.exception
    assert int({m.label: m.value for m in at.metric}["Rejections on a red line"]) > 0
    events = run(BASELINE, seed=seed, overrides=overrides).result.events
    first = next(
        e["round"]
        for e in events
        if e["kind"] == "proposal"
        and any(a["reason"] == "red_line" for a in e["responses"].values())
    )
    at.select_slider(key="run_round").set_value(first).run()
    assert not at.exception
    shown = " ".join(texts(at.markdown))
    assert "rejects on its red line" in shown
    assert "> “" in shown  # the quote (or the assumption) follows


def test_run_page_follows_the_adjustments() -> None:
    at = page("adjust")
    at.slider(key=FIRMNESS).set_value((0.0, 0.0)).run()
    at.switch_page("views/run.py").run()
    at.slider(key="run_seed").set_value(1).run()
    expected = run(BASELINE, seed=1, overrides=at.session_state["adjust_overrides"]).result
    assert expected.outcome != "no_talks"  # with the precondition gone, seed 1 has talks
    assert {m.label: m.value for m in at.metric}["Rounds"] == str(expected.rounds)


# --- Bargaining space -----------------------------------------------------------------------------


def test_bargaining_page_shows_the_explain_analysis(baseline: api.LoadedScenario) -> None:
    at = page("bargaining")
    expected = analyse(baseline)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["ZOPA"] == str(int(expected.zopa.sum()))
    assert metrics["Cross no binding red line"] == str(int(expected.feasible.sum()))
    assert len(at.get("vega_lite_chart")) == 2
    solutions = at.dataframe[0].value
    assert list(solutions["solution"]) == [
        "Nash",
        "Kalai–Smorodinsky",
        "egalitarian",
        "utilitarian",
    ]
    blocking = at.dataframe[1].value
    assert len(blocking) == 10
    at.slider(key="space_threshold").set_value(0.8).run()
    assert not at.exception
    looser = analyse(baseline, threshold=0.8)
    assert {m.label: m.value for m in at.metric}["ZOPA"] == str(int(looser.zopa.sum()))
    assert int(looser.zopa.sum()) != int(expected.zopa.sum())


def test_bargaining_page_lists_minimal_relaxations_when_there_is_no_zopa() -> None:
    at = page("adjust")
    at.slider(key="adjust_w_actors__ukraine__batna__value").set_value((0.6, 0.6)).run()
    overrides = at.session_state["adjust_overrides"]
    at.switch_page("views/bargaining.py").run()
    assert not at.exception
    expected = analyse(load_scenario(BASELINE, overrides))
    assert not expected.has_deal
    assert {m.label: m.value for m in at.metric}["ZOPA"] == "0"
    assert any("No zone of possible agreement" in e for e in texts(at.error))
    if expected.relaxations:
        table = at.dataframe[-1].value
        assert len(table) == len(expected.relaxations)
    else:
        assert any("No set of up to" in c for c in texts(at.caption))


# --- Monte Carlo ---------------------------------------------------------------------------------


def test_monte_carlo_page_runs_the_sweep_of_the_cli(baseline: api.LoadedScenario) -> None:
    at = page("monte_carlo")
    assert any("Run the draws" in i for i in texts(at.info))
    at.select_slider(key="mc_runs").set_value(200)
    at.number_input(key="mc_seed").set_value(5)
    at.button(key="mc_go").click().run()
    assert not at.exception
    expected = sweep(baseline, 200, seed=5, workers=1).summary
    p = expected["outcomes"]["agreement"]
    assert f"agreement in {p['p']:.0%} [{p['low']:.0%}–{p['high']:.0%}]" in at.success[0].value
    table = at.dataframe[0].value
    assert list(table["count"]) == [row["count"] for row in expected["outcomes"].values()]
    assert len(at.get("vega_lite_chart")) >= 3
    assert {b.proto.label for b in at.get("download_button")} == {
        "Sweep table (CSV)",
        "Sweep table (Parquet)",
        "Summary (text, as `redlines sweep`)",
        "Chart as SVG",
        "Chart as PNG",
    }
    # other settings: the old result is kept and flagged as stale
    at.number_input(key="mc_seed").set_value(6).run()
    assert any("other settings" in w for w in texts(at.warning))


# --- Sensitivity & discovery ----------------------------------------------------------------------


@pytest.mark.slow
def test_sensitivity_page_one_at_a_time_grid_sobol_and_boxes(baseline: api.LoadedScenario) -> None:
    from sim.explore import sensitivity as sa

    at = page("sensitivity")
    paths = [
        "actors.russia.red_lines.talks_require_nato_off_table.firmness",
        "actors.russia.red_lines.talks_require_nato_off_table.precondition.probability",
    ]
    at.select_slider(key="sens_runs").set_value(20)
    at.multiselect(key="sens_params").set_value(paths)
    at.slider(key="sens_steps").set_value(2)
    at.button(key="sens_go_oat").click().run()
    assert not at.exception
    loaded = baseline
    varies = {v.path: v for v in sa.default_varies(loaded)}
    expected = sa.ranking(
        sa.one_at_a_time(
            loaded, [sa.Vary(p, varies[p].low, varies[p].high, 2) for p in paths], 20, seed=7,
            workers=1,
        )
    )  # fmt: skip
    ranking = at.dataframe[0].value
    assert list(ranking["swing"].round(6)) == list(expected["swing"].round(6))
    assert ranking["parameter"].iloc[0].startswith("Russia · red line")
    at.selectbox(key="sens_x").set_value(paths[0])
    at.selectbox(key="sens_y").set_value(paths[1])
    at.slider(key="sens_grid_steps").set_value(2)
    at.button(key="sens_go_grid").click().run()
    assert not at.exception
    at.select_slider(key="sens_sobol_n").set_value(4)
    at.select_slider(key="sens_sobol_runs").set_value(8)
    at.button(key="sens_go_sobol").click().run()
    assert not at.exception
    at.select_slider(key="sens_boxes_runs").set_value(500)
    at.button(key="sens_go_boxes").click().run()
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 3  # tornado, heat map, Sobol
    assert any("of 500 runs overall" in m for m in texts(at.markdown))


# --- Compare -------------------------------------------------------------------------------------


def test_compare_page_shows_differences_and_both_sweeps(baseline: api.LoadedScenario) -> None:
    at = page("adjust")
    at.slider(key=FIRMNESS).set_value((0.0, 0.0)).run()
    at.switch_page("views/compare.py").run()
    assert not at.exception
    diff = at.dataframe[0].value
    assert len(diff) == 1
    assert diff.iloc[0, 0] == ("Russia · red line “talks require NATO off table” · firmness")
    assert list(diff.iloc[0, 1:]) == ["uniform 0.6–0.95", "0"]
    at.select_slider(key="compare_runs").set_value(100)
    at.button(key="compare_go").click().run()
    assert not at.exception
    table = at.dataframe[1].value
    base = sweep(baseline, 100, seed=11, workers=1).summary
    assert table.iloc[0, 1] == pytest.approx(base["outcomes"]["agreement"]["p"])
    assert table["change"].iloc[1] < 0  # fewer "no talks" without the precondition
    assert len(at.get("vega_lite_chart")) == 1


def test_every_page_runs_without_an_exception() -> None:
    at = fresh()
    for name in (
        "scenario",
        "adjust",
        "run",
        "bargaining",
        "monte_carlo",
        "sensitivity",
        "compare",
    ):
        at.switch_page(f"views/{name}.py").run()
        assert not at.exception, name
        assert at.title[0].value

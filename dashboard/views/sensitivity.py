"""Sensitivity & discovery: which numbers move P(agreement), and where agreement lives.

One at a time (tornado), a two-number heat map, Sobol indices and PRIM boxes — the functions
behind `redlines sensitivity` and `redlines discover`, each run on demand through
:mod:`dashboard.jobs` (progress, Stop, results kept with their settings).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import charts, jobs, labels
from dashboard.current import scenario_in_use
from dashboard.figures import show_chart
from dashboard.state import KEPT, kept
from sim import api

ONE_AT_A_TIME, GRID, SOBOL, BOXES = (jobs.Job("sens", n) for n in ("oat", "grid", "sobol", "boxes"))

use = scenario_in_use()
scenario = use.scenario


def words(path: str) -> str:
    """A parameter's path in words."""
    return labels.path_words(scenario, path)


def options_kept(key: str, options: list[str], default: list[str] | str) -> None:
    """Forget a remembered choice that is not an option any more (another scenario)."""
    for store in (st.session_state, st.session_state[KEPT]):
        value = store.get(key)
        if value is None:
            continue
        chosen = value if isinstance(value, list) else [value]
        if not set(chosen) <= set(options):
            del store[key]


st.title("Sensitivity & discovery")
st.caption(
    "Every run here uses the same seeds for every setting (common random numbers), so the "
    "differences come from the settings, not from different dice."
)
varies = {v.path: v for v in api.default_varies(scenario)}
paths = list(varies)
if not paths:
    st.info("This scenario has no uncertain numbers: write some as distributions to explore them.")
    st.stop()
c1, c2 = st.columns(2)
with c1:
    runs = st.select_slider("Runs per setting", [20, 50, 100, 200, 500, 1000], **kept("sens_runs"))
with c2:
    seed = st.number_input(
        "Root seed", min_value=0, max_value=2**31 - 1, step=1, **kept("sens_seed")
    )
settings: tuple[Any, ...] = (use.file.key, use.overrides, int(runs), int(seed))

tab_oat, tab_grid, tab_sobol, tab_boxes = st.tabs(
    ["One at a time", "Two at a time", "Sobol indices", "Discovery (PRIM boxes)"]
)

with tab_oat:
    firm = [p for p in paths if p.endswith((".firmness", ".probability"))] or paths
    options_kept("sens_params", paths, firm)
    chosen = st.multiselect(
        "Numbers to vary, each over its range while the others are drawn",
        paths,
        format_func=words,
        **kept("sens_params", default=firm),
    )
    steps = st.slider("Values per number", 2, 7, **kept("sens_steps", default=3))
    go = jobs.start_button(ONE_AT_A_TIME, "Run one at a time", disabled=not chosen)
    chosen_varies = [api.Vary(p, varies[p].low, varies[p].high, int(steps)) for p in chosen]
    done = jobs.run(
        ONE_AT_A_TIME,
        go,
        (*settings, tuple(chosen), int(steps)),
        jobs.one_at_a_time(scenario, chosen_varies, int(runs), int(seed)),
    )
    if done is not None:
        table = done.value
        target = st.selectbox(
            "Outcome",
            list(api.OUTCOMES),
            format_func=lambda o: labels.OUTCOME_WORDS.get(o, str(o)),
            **kept("sens_target", default="agreement"),
        )
        target = str(target)
        ranking = api.ranking(table, target)
        ranking["label"] = ranking["parameter"].map(words)
        st.subheader(f"Tornado: P({labels.OUTCOME_WORDS[target]}) as each number moves alone")
        show_chart(
            charts.tornado(ranking, None, labels.OUTCOME_WORDS[target]), key="sens_tornado_chart"
        )
        st.dataframe(
            ranking[["label", "swing", "p_min", "at_min", "p_max", "at_max"]].rename(
                columns={"label": "parameter"}
            ),
            hide_index=True,
            key="sens_ranking",
            column_config={
                c: st.column_config.NumberColumn(format="percent")
                for c in ("swing", "p_min", "p_max")
            },
        )
        st.download_button(
            "One-at-a-time table (CSV)",
            table.to_csv(index=False),
            file_name=f"{scenario.id}-one-at-a-time.csv",
            mime="text/csv",
            on_click="ignore",
            key="sens_download_oat",
        )

with tab_grid:
    options_kept("sens_x", paths, paths[0])
    options_kept("sens_y", paths, paths[min(1, len(paths) - 1)])
    gx, gy, gs = st.columns([2, 2, 1])
    with gx:
        x_path = st.selectbox(
            "Across", paths, format_func=words, **kept("sens_x", default=paths[0])
        )
    with gy:
        y_path = st.selectbox(
            "Down",
            paths,
            format_func=words,
            **kept("sens_y", default=paths[min(1, len(paths) - 1)]),
        )
    with gs:
        grid_steps = st.slider("Values each", 2, 9, **kept("sens_grid_steps", default=5))
    same = x_path == y_path
    if same:
        st.caption("Choose two different numbers.")
    go = jobs.start_button(GRID, "Run the heat map", disabled=same)
    x, y = varies[x_path], varies[y_path]
    done = jobs.run(
        GRID,
        go,
        (*settings, x_path, y_path, int(grid_steps)),
        jobs.grid(
            scenario,
            api.Vary(x_path, x.low, x.high, int(grid_steps)),
            api.Vary(y_path, y.low, y.high, int(grid_steps)),
            int(runs),
            int(seed),
        ),
    )
    if done is not None:
        grid = done.value
        st.subheader("P(agreement) over two numbers")
        show_chart(
            charts.heat_map(grid, words(grid.attrs["x_path"]), words(grid.attrs["y_path"])),
            key="sens_heat_chart",
        )
        st.download_button(
            "Heat-map table (CSV)",
            grid.to_csv(index=False),
            file_name=f"{scenario.id}-grid.csv",
            mime="text/csv",
            on_click="ignore",
            key="sens_download_grid",
        )

with tab_sobol:
    s1, s2 = st.columns(2)
    with s1:
        samples = st.select_slider(
            "Base sample size N", [4, 8, 16, 32, 64, 128], **kept("sens_sobol_n", default=8)
        )
    with s2:
        point_runs = st.select_slider(
            "Runs per point", [8, 16, 32, 64, 128], **kept("sens_sobol_runs", default=16)
        )
    points = int(samples) * (len(paths) + 2)
    st.caption(
        f"{len(paths)} uncertain numbers, each with the scenario's distribution: {points:,} points "
        f"× {point_runs} runs = {points * int(point_runs):,} runs."
    )
    go = jobs.start_button(SOBOL, "Compute Sobol indices")
    done = jobs.run(
        SOBOL,
        go,
        (*settings, int(samples), int(point_runs)),
        jobs.sobol(scenario, int(samples), int(point_runs), int(seed)),
    )
    if done is not None:
        found = done.value
        indices = found.indices.assign(
            label=found.indices["parameter"].map(words),
            target=found.indices["target"].map(lambda t: f"P({labels.OUTCOME_WORDS[t]})"),
        )
        show_chart(charts.sobol_bars(indices), key="sens_sobol_chart")
        st.caption(found.method)
        st.download_button(
            "Sobol indices (CSV)",
            found.indices.to_csv(index=False),
            file_name=f"{scenario.id}-sobol.csv",
            mime="text/csv",
            on_click="ignore",
            key="sens_download_sobol",
        )

with tab_boxes:
    b1, b2 = st.columns(2)
    with b1:
        sweep_runs = st.select_slider(
            "Runs of the sweep",
            [200, 500, 1000, 2000, 5000],
            **kept("sens_boxes_runs", default=1000),
        )
    with b2:
        box_target = st.selectbox(
            "Where does this outcome concentrate?",
            list(api.OUTCOMES),
            format_func=lambda o: labels.OUTCOME_WORDS.get(o, str(o)),
            **kept("sens_boxes_target", default="agreement"),
        )
    box_target = str(box_target)
    go = jobs.start_button(BOXES, "Find the boxes")
    done = jobs.run(
        BOXES,
        go,
        (*settings, int(sweep_runs), box_target),
        jobs.discovery(scenario, box_target, int(sweep_runs), int(seed)),
    )
    if done is not None:
        found = done.value
        target_words = labels.OUTCOME_WORDS[found.target]
        st.markdown(
            f"**{target_words.capitalize()}** in {found.base_density:.0%} of {found.runs:,} "
            "runs overall."
        )
        if not found.boxes:
            st.info(f"No range of the inputs concentrates the {target_words} runs.")
        for k, box in enumerate(found.boxes, start=1):
            conditions = [  # they name actors and red lines: the file's words, literal
                labels.literal(labels.restriction_words(scenario, r)) for r in box.restrictions
            ]
            st.success(
                f"**Box {k}: {target_words} in {box.density:.0%} of runs** when "
                + " **and** ".join(conditions)
                + f" — {box.mass:.0%} of all runs fall here, holding {box.coverage:.0%} of all "
                f"{target_words} runs."
            )
        st.dataframe(found.table(), hide_index=True, key="sens_boxes_table")

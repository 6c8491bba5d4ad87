"""Bargaining space: the `redlines explain` analysis — ZOPA, Pareto, solutions, blocking."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, compute, explain, labels
from dashboard.current import scenario_in_use
from dashboard.figures import show_chart
from dashboard.state import kept

use = scenario_in_use()
scenario = use.scenario
st.title("Bargaining space")
st.caption(
    "What `redlines explain` computes, at the nominal numbers: which outcomes cross no binding "
    "red line, which of those give every signatory at least its value of no deal (the ZOPA), "
    "its Pareto frontier and the solution points, who blocks what, and the smallest "
    "relaxations that would open a deal."
)
threshold = st.slider(
    "Red lines bind when their firmness is at least",
    0.0,
    1.0,
    step=0.05,
    help="0: every red line binds (the default of `redlines explain`). Raise it to treat the "
    "less firm red lines as bluffs.",
    **kept("space_threshold"),
)
analysis = compute.analysis(use.file, use.overrides, float(threshold))
colours = labels.actor_colours(scenario)
names = list(colours)

headline = labels.literal(explain.headline(analysis))  # it names actors: the file's words
if analysis.has_deal:
    st.success(headline)
else:
    st.error(headline)
cols = st.columns(4)
cols[0].metric("Outcomes", analysis.n_outcomes)
cols[1].metric("Cross no binding red line", int(analysis.feasible.sum()))
cols[2].metric("ZOPA", int(analysis.zopa.sum()))
cols[3].metric("Pareto frontier of the ZOPA", len(analysis.pareto))

st.subheader("Every pair of actors")
drawn = explain.points(analysis)
sampled = (
    f" Of {analysis.n_outcomes:,} outcomes, {len(drawn):,} are drawn: every one on the Pareto "
    "frontier, then ZOPA outcomes and the rest, evenly spaced."
    if len(drawn) < analysis.n_outcomes
    else ""
)
st.caption(
    "Each dot is an outcome, placed by what it is worth to the two actors; dashed lines are "
    "their values of no deal. Hover a dot for its terms." + sampled
)
solutions = explain.solutions(analysis)
show_chart(
    charts.pairs_grid(drawn, names, explain.batna(analysis), solutions),
    key="space_pairs_chart",
)
if len(solutions):
    st.subheader("Solution points")
    st.dataframe(
        solutions,
        hide_index=True,
        key="space_solutions",
        column_config={n: st.column_config.NumberColumn(format="%.2f") for n in names},
    )

st.subheader("Who blocks what")
blocking = explain.blocking(analysis)
left, right = st.columns([3, 2])
with left:
    st.dataframe(
        blocking,
        hide_index=True,
        key="space_blocking",
        column_config={
            "firmness": st.column_config.NumberColumn(format="%.2f"),
            "swing": st.column_config.NumberColumn(
                help="Binding: outcomes that join the ZOPA if it alone is dropped. Not binding: "
                "ZOPA outcomes it would remove if it bound."
            ),
        },
    )
with right:
    show_chart(
        charts.red_line_bars(
            blocking, "acceptable outcomes it blocks", "Acceptable outcomes blocked", colours
        ),
        key="space_blocking_chart",
    )

st.subheader("Smallest relaxations that open a deal")
relaxations = explain.relaxations(analysis)
if analysis.has_deal:
    st.caption("A ZOPA exists already; nothing needs relaxing.")
    if analysis.closing:
        st.warning(
            "But it hangs on red lines that do not bind now: "
            + labels.literal(
                "; ".join(labels.red_line_name(scenario, r.actor, r.id) for r in analysis.closing)
            )
            + ". If any of them bound, the ZOPA would close."
        )
elif len(relaxations):
    st.dataframe(
        relaxations,
        hide_index=True,
        key="space_relaxations",
        column_config={"chance they are all bluffs": st.column_config.NumberColumn(format="%.3f")},
    )
else:
    st.caption(
        f"No set of up to {analysis.max_relaxation_size} red lines opens a ZOPA: the values of "
        "no deal stand in the way."
    )
st.download_button(
    "Analysis (JSON, as `redlines explain --json`)",
    compute.analysis_json(use.file, use.overrides, float(threshold)),
    file_name=f"{scenario.id}-explain.json",
    mime="application/json",
    on_click="ignore",
    key="space_download",
    icon=":material/data_object:",
)

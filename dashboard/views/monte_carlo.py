"""Monte Carlo: N seeded draws of the (adjusted) scenario, as `redlines sweep` runs them."""

from __future__ import annotations

import altair as alt
import streamlit as st

from dashboard import charts, labels, sweeps
from dashboard.current import scenario_in_use
from dashboard.figures import show_chart
from dashboard.state import kept
from sim.explore.montecarlo import sweep

RUN_CHOICES = [100, 200, 400, 1000, 2000, 5000, 10000, 20000]

use = scenario_in_use()
scenario = use.scenario
st.title("Monte Carlo")
st.caption(
    "Many runs, each with its own draw of the uncertain numbers and of which red lines bind, "
    "seeded from one root seed: the same settings give the same table as `redlines sweep`. "
    "Probabilities carry 95% Wilson intervals."
)
left, middle, right = st.columns([2, 1, 1])
with left:
    runs = st.select_slider("Runs", RUN_CHOICES, **kept("mc_runs"))
with middle:
    seed = st.number_input("Root seed", min_value=0, max_value=2**31 - 1, step=1, **kept("mc_seed"))
with right:
    st.write("")
    go = st.button("Run the draws", type="primary", key="mc_go", icon=":material/play_arrow:")
key = (use.file.key, use.overrides, int(runs), int(seed))

if go:
    stop_slot = st.empty()
    stop_slot.button("Stop", key="mc_stop", icon=":material/stop:")
    bar = st.progress(0.0, text="Starting…")
    result = sweep(
        scenario,
        int(runs),
        seed=int(seed),
        workers=1,
        chunk_size=max(50, int(runs) // 40),
        progress=sweeps.progress_reporter(bar, "Monte Carlo"),
    )
    st.session_state["mc_result"] = {"key": key, "sweep": result}
    bar.empty()
    stop_slot.empty()
elif st.session_state.get("mc_stop"):
    st.warning("Stopped: the draws were interrupted, nothing was kept. Run them again.")

stored = st.session_state["mc_result"]
if stored is None:
    st.info("Choose how many runs, then **Run the draws**.")
    st.stop()
result = stored["sweep"]
if stored["key"] != key:
    st.warning(
        "These results are for other settings (scenario, adjustments, runs or seed): "
        "run the draws again to update them."
    )
summary = result.summary
st.success(
    f"{summary['runs']:,} runs (root seed {result.seed}) in {result.elapsed:.1f} s: "
    f"agreement in {summary['outcomes']['agreement']['p']:.0%} "
    f"[{summary['outcomes']['agreement']['low']:.0%}–{summary['outcomes']['agreement']['high']:.0%}]."
)

outcomes = sweeps.outcomes(summary)
a, b = st.columns([3, 2])
with a:
    st.subheader("How it ends")
    show_chart(charts.outcome_bars(outcomes), key="mc_outcomes_chart")
with b:
    st.subheader("Probabilities")
    st.dataframe(
        outcomes,
        hide_index=True,
        key="mc_outcomes",
        column_config={
            "p": st.column_config.NumberColumn("probability", format="percent"),
            "low": st.column_config.NumberColumn("95% low", format="percent"),
            "high": st.column_config.NumberColumn("95% high", format="percent"),
            "count": st.column_config.NumberColumn("runs"),
        },
    )

agreements = summary["outcomes"]["agreement"]["count"]
if agreements:
    st.subheader(f"What is agreed ({agreements:,} agreements)")
    terms = sweeps.terms(summary, scenario)
    show_chart(
        alt.Chart(terms)
        .mark_bar()
        .encode(
            y=alt.Y("option:N", title=None, axis=alt.Axis(labelLimit=260)),
            x=alt.X(
                "p:Q",
                title="Share of agreements",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color("issue:N", legend=None),
            row=alt.Row(
                "issue:N",
                title=None,
                header=alt.Header(labelAngle=0, labelAlign="left", labelLimit=300),
            ),
            tooltip=[
                alt.Tooltip("issue:N", title="Issue"),
                alt.Tooltip("option:N", title="Option"),
                alt.Tooltip("p:Q", title="Share", format=".1%"),
                alt.Tooltip("low:Q", title="95% low", format=".1%"),
                alt.Tooltip("high:Q", title="95% high", format=".1%"),
            ],
        )
        .resolve_scale(y="independent")
        .properties(width=420),
        key="mc_terms_chart",
    )
    r = summary["rounds_to_agreement"]
    st.subheader("Rounds to agreement")
    st.caption(
        f"Mean {r['mean']:.1f}, median {r['median']}, 10–90% {r['p10']}–{r['p90']}, "
        f"range {r['min']}–{r['max']}."
    )
    show_chart(
        alt.Chart(sweeps.rounds(summary))
        .mark_bar(color=labels.OUTCOME_COLOURS["agreement"])
        .encode(
            x=alt.X("rounds:O", title="Rounds"),
            y=alt.Y("agreements:Q", title="Agreements"),
            tooltip=["rounds", "agreements"],
        )
        .properties(height=200),
        key="mc_rounds_chart",
    )
if summary["failed_runs"]:
    st.subheader(f"Red lines that bound in the {summary['failed_runs']:,} runs without agreement")
    st.caption("Binding is not blame: a red line can bind in a run that failed for another reason.")
    show_chart(
        charts.red_line_bars(
            sweeps.binding_in_failures(summary, scenario),
            "p",
            "Share of failed runs in which it bound",
            labels.actor_colours(scenario),
            percent=True,
        ),
        key="mc_binding_chart",
    )

st.subheader("Downloads")
table = result.table
stem = f"{scenario.id}-sweep-{result.runs}-seed{result.seed}"
d1, d2, d3 = st.columns(3)
d1.download_button(
    "Sweep table (CSV)",
    table.to_csv(index=False),
    file_name=f"{stem}.csv",
    mime="text/csv",
    on_click="ignore",
    key="mc_download_csv",
    icon=":material/table:",
)
d2.download_button(
    "Sweep table (Parquet)",
    sweeps.parquet_bytes(table),
    file_name=f"{stem}.parquet",
    mime="application/vnd.apache.parquet",
    on_click="ignore",
    key="mc_download_parquet",
    icon=":material/table:",
)
d3.download_button(
    "Summary (text, as `redlines sweep`)",
    result.text(),
    file_name=f"{stem}.txt",
    mime="text/plain",
    on_click="ignore",
    key="mc_download_summary",
    icon=":material/description:",
)

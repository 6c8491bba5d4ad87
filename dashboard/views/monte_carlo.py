"""Monte Carlo: N seeded draws of the (adjusted) scenario, as `redlines sweep` runs them."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, jobs, labels, sweeps
from dashboard.current import scenario_in_use
from dashboard.figures import show_chart
from dashboard.state import kept
from sim import api

RUN_CHOICES = [100, 200, 400, 1000, 2000, 5000, 10000, 20000]
DRAWS = jobs.Job("mc")

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
    go = jobs.start_button(DRAWS, "Run the draws")
settings = (use.file.key, use.overrides, int(runs), int(seed))
done = jobs.run(DRAWS, go, settings, jobs.monte_carlo(scenario, int(runs), int(seed)))
if done is None:
    st.info("Choose how many runs, then **Run the draws**.")
    st.stop()
result = done.value
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
    show_chart(charts.agreed_terms(terms), key="mc_terms_chart")
    r = summary["rounds_to_agreement"]
    st.subheader("Rounds to agreement")
    st.caption(
        f"Mean {r['mean']:.1f}, median {r['median']}, 10–90% {r['p10']}–{r['p90']}, "
        f"range {r['min']}–{r['max']}."
    )
    show_chart(charts.rounds_histogram(sweeps.rounds(summary)), key="mc_rounds_chart")
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
    api.sweep_text(result),
    file_name=f"{stem}.txt",
    mime="text/plain",
    on_click="ignore",
    key="mc_download_summary",
    icon=":material/description:",
)

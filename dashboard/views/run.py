"""Run: one seeded run of the (adjusted) scenario as a timeline, and how it ended."""

from __future__ import annotations

import json

import streamlit as st

from dashboard import charts, compute, labels, timeline
from dashboard.current import scenario_in_use
from dashboard.figures import show_chart
from dashboard.state import kept

ENDING_BOX = {
    "agreement": st.success,
    "deadlock": st.warning,
    "no_talks": st.warning,
    "walkout": st.error,
    "escalation": st.error,
}

use = scenario_in_use()
scenario = use.scenario
st.title("Run")
st.caption(
    "One run of the scenario"
    + (f" with your {len(use.overrides)} adjustment(s)" if use.overrides else "")
    + ". Each run draws the uncertain numbers and which red lines bind from its seed: "
    "the same seed always tells the same story (`redlines run --seed`)."
)
seed = st.slider("Seed", 0, 999, help="Move it to see another run.", **kept("run_seed"))
output = compute.run_output(use.file, use.overrides, int(seed))
result = output.result

kind, sentence = timeline.ending(output)
ENDING_BOX.get(kind, st.info)(f"**{labels.literal(sentence)}**")  # the file's words: literal
for line in timeline.preconditions(output):
    st.caption(labels.literal(line))

answers = timeline.answers(output)
offers = timeline.offers(output)
colours = labels.actor_colours(scenario)
cols = st.columns(4)
cols[0].metric("Ending", labels.OUTCOME_WORDS.get(result.outcome, result.outcome))
cols[1].metric("Rounds", result.rounds)
cols[2].metric("Offers", len(offers))
cols[3].metric(
    "Rejections on a red line", int((answers["why"] == "red line").sum()) if len(answers) else 0
)

if len(answers):
    st.subheader("Offers against aspirations and the value of no deal")
    show_chart(
        charts.run_timeline(timeline.curves(output), timeline.offer_points(output), colours),
        key="run_timeline_chart",
    )
    st.subheader("Round by round")
    st.dataframe(offers, hide_index=True, key="run_offers", height=min(38 * (len(offers) + 1), 520))
    rounds = sorted(set(answers["round"]))
    if len(rounds) > 1:
        chosen = st.select_slider("Look at round", rounds, **kept("run_round", default=rounds[0]))
    else:
        chosen = rounds[0]
    row = offers[offers["Round"] == chosen].iloc[0]
    proposer, offer = labels.literal(row["Proposer"]), labels.literal(row["Offer"])
    st.markdown(f"**Round {chosen}: {proposer} proposes** {offer}.")
    for _, answer in answers[answers["round"] == chosen].iterrows():
        who = labels.literal(answer["actor"])
        if answer["accepted"]:
            st.markdown(f"- ✓ **{who}** accepts (utility {answer['utility']:.2f}).")
        elif answer["red line"]:
            st.markdown(
                f"- ✗ **{who}** rejects on its red line *{labels.literal(answer['red line'])}*:"
            )
            st.markdown(f"  > {labels.literal(answer['quote'])}")
        else:
            st.markdown(
                f"- ✗ **{who}** rejects: {labels.literal(answer['why'])} "
                f"(utility {answer['utility']:.2f}, aspiration {answer['aspiration']:.2f})."
            )
    if row.get("Security Council"):
        st.markdown(f"- Security Council: {labels.literal(row['Security Council'])}.")
else:
    st.info("No offer was made in this run.")

left, right = st.columns(2)
with left:
    st.subheader("The ending for each actor")
    st.dataframe(
        timeline.final_utilities(output),
        hide_index=True,
        key="run_final",
        column_config={
            "Utility of the outcome": st.column_config.NumberColumn(format="%.2f"),
            "Value of no deal": st.column_config.NumberColumn(format="%.2f"),
        },
    )
with right:
    st.subheader("Numbers drawn for this run")
    st.dataframe(
        timeline.drawn(output)[["Parameter", "Drawn"]],
        hide_index=True,
        key="run_drawn",
        height=260,
        column_config={"Drawn": st.column_config.NumberColumn(format="%.3f")},
    )

st.subheader("Downloads")
d1, d2, d3 = st.columns(3)
stem = f"{scenario.id}-seed{seed}"
d1.download_button(
    "Run log (text, as `redlines run`)",
    compute.run_story(use.file, use.overrides, int(seed)),
    file_name=f"{stem}.txt",
    mime="text/plain",
    on_click="ignore",
    key="run_download_log",
    icon=":material/description:",
)
d2.download_button(
    "Run log (JSON, as `redlines run --json`)",
    json.dumps(result.to_dict(), ensure_ascii=False, indent=1),
    file_name=f"{stem}.json",
    mime="application/json",
    on_click="ignore",
    key="run_download_json",
    icon=":material/data_object:",
)
d3.download_button(
    "Offers round by round (CSV)",
    offers.to_csv(index=False),
    file_name=f"{stem}-offers.csv",
    mime="text/csv",
    on_click="ignore",
    key="run_download_csv",
    icon=":material/table:",
)
st.caption("Charts: hover a chart and use its toolbar to download it as PNG.")

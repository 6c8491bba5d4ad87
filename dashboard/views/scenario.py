"""Scenario: choose a shipped scenario or upload one; actors, issues, red lines and sources."""

from __future__ import annotations

import streamlit as st

from dashboard import compute, current, labels, memory, tables
from dashboard.catalogue import (
    MAX_UPLOAD_BYTES,
    UPLOAD_PREFIX,
    shipped,
    source_text,
    uploaded_file,
)
from dashboard.passages import Passage, highlighted_html
from dashboard.state import KEPT, kept
from sim.api import ScenarioError, quote_line


def _uploaded() -> None:
    """The uploader's callback: read the files, keep the scenario and any problems."""
    files = st.session_state.get("scenario_uploader") or []
    scenarios = [f for f in files if f.name.lower().endswith((".yaml", ".yml"))]
    sources = {f.name: f.getvalue() for f in files if f not in scenarios}
    if not scenarios:
        return
    chosen = scenarios[-1]
    st.session_state["scenario_upload"] = None
    st.session_state["scenario_upload_problems"] = []
    try:
        upload = uploaded_file(chosen.name, chosen.getvalue(), sources)
    except ScenarioError as error:
        st.session_state["scenario_upload_problems"] = [str(p) for p in error.problems]
    else:
        st.session_state["scenario_upload"] = upload
        checked = compute.check(upload)
        st.session_state["scenario_upload_problems"] = list(checked.problems)
    label = UPLOAD_PREFIX + chosen.name
    st.session_state["scenario_choice"] = label
    st.session_state[KEPT]["scenario_choice"] = label


st.title("Scenario")
upload = st.session_state["scenario_upload"]
options = shipped()
if st.session_state[KEPT]["scenario_choice"].startswith(UPLOAD_PREFIX):
    options.append(st.session_state[KEPT]["scenario_choice"])
left, right = st.columns([2, 3])
with left:
    st.selectbox(
        "Scenario file",
        options,
        help="The shipped scenarios in `scenarios/`, or the file you uploaded.",
        **kept("scenario_choice"),
    )
with right:
    st.file_uploader(
        "…or upload a scenario (YAML), with its source documents (.txt) if they are not shipped",
        type=["yaml", "yml", "txt"],
        accept_multiple_files=True,
        max_upload_size=MAX_UPLOAD_BYTES // (1024 * 1024),
        key="scenario_uploader",
        on_change=_uploaded,
        help="Read with the safe YAML loader and checked against the schema, nothing else. "
        "Sources resolve against the shipped scenarios/sources/ unless uploaded here.",
    )

file, problems = current.current_file()
if file is None or problems:
    current.show_problems(
        problems or ("no scenario",), "This file is not a valid scenario, so nothing else runs."
    )
    st.stop()
checked = compute.check(file)
if checked.scenario is None:
    current.show_problems(
        checked.problems,
        f"{labels.literal(file.label)} is not a valid scenario, so nothing else runs.",
    )
    st.stop()
current.sync_adjustments(file)
scenario = checked.scenario

# every text from the file goes through labels.literal: it is shown, never read as Markdown
st.header(labels.literal(scenario.title))
if scenario.question:
    st.info(labels.literal(scenario.question), icon=":material/help:")
if scenario.description:
    st.markdown(labels.literal(scenario.description))

red_lines = tables.red_lines_table(scenario)
assumed = int(red_lines["assumption"].sum()) if len(red_lines) else 0
too_large = memory.too_large(scenario)
if too_large is not None:  # explained here and on every page, never compiled
    st.warning(too_large, icon=":material/memory:")
cols = st.columns(5)
cols[0].metric("Actors", len(scenario.actors))
cols[1].metric("Issues", len(scenario.issues))
cols[2].metric(
    "Outcomes", compute.outcomes(file), help="Combinations of options left after the rules."
)
cols[3].metric("Red lines", len(red_lines))
cols[4].metric("Assumptions", assumed, help="Red lines the source does not state.")

tab_lines, tab_actors, tab_issues, tab_sources = st.tabs(
    ["Red lines", "Actors", "Issues", "Sources"]
)
with tab_lines:
    st.caption(
        "Every red line with its provenance. :orange-background[Shaded rows] are the modeller's "
        "**assumptions**: the source says nothing about them."
    )
    st.table(tables.style_assumptions(labels.literal_table(red_lines)).hide(axis="index"))
with tab_actors:
    st.dataframe(tables.actors_table(scenario), hide_index=True, key="scenario_actors")
with tab_issues:
    st.dataframe(tables.issues_table(scenario), hide_index=True, key="scenario_issues")
    if scenario.rules:
        st.markdown("**Rules of the outcome space**")
        for rule in scenario.rules:
            st.markdown(
                f"- *{labels.literal(labels.humanise(rule.id))}* ({rule.kind}): "
                f"{labels.literal(labels.condition_words(scenario, rule.when))} — "
                f"{labels.literal(rule.rationale or '')}"
            )
with tab_sources:
    if not scenario.sources:
        st.caption("This scenario cites no source documents.")
    for source in scenario.sources:
        byline = ", ".join(filter(None, [source.outlet, source.author, source.date]))
        st.subheader(labels.literal(source.title))
        st.caption(labels.literal(f"{byline} — {source.path}"))
        text = source_text(file.folder, source.path)
        if text is None:
            st.warning("The source file cannot be read.")
            continue
        passages = []
        quoted = []
        for actor in scenario.actors:
            for line in actor.red_lines:
                p = line.provenance
                if p.source != source.id or not p.quote:
                    continue
                name = labels.red_line_name(scenario, actor.id, line.id)
                note = f"{name} — {labels.KIND_WORDS[p.kind]}" + (
                    f" ({p.speaker})" if p.speaker else ""
                )
                passages.append(Passage(p.quote, note))
                quoted.append((quote_line(p.quote, text), name, labels.KIND_WORDS[p.kind]))
        st.caption("Highlighted: the passages the red lines quote (hover for which).")
        st.html(highlighted_html(text, passages))
        st.dataframe(
            [{"Line": n, "Red line": who, "Provenance": kind} for n, who, kind in quoted],
            hide_index=True,
            key=f"scenario_quotes_{source.id}",
        )
    assumptions = red_lines[red_lines["assumption"]] if len(red_lines) else red_lines
    if len(assumptions):
        st.subheader("Assumptions (not in any source)")
        for _, row in assumptions.iterrows():
            why = row["Quote"].removeprefix("(none — ").removesuffix(")")
            who = labels.literal(f"{row['Actor']}: {row['Red line']}")
            st.warning(f"**{who}** — {labels.literal(why)}", icon="⚠️")

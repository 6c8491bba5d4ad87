"""Adjust: move what analysts argue about; every change is a `--set` override of the file."""

from __future__ import annotations

from typing import Any

import streamlit as st

from dashboard import adjust, compute, labels
from dashboard.current import ADJUST_WIDGETS, scenario_in_use
from dashboard.state import forget, kept
from sim import api
from sim.api import export_yaml

use = scenario_in_use(adjusted=False)
base = use.scenario
names = labels.actor_names(base)
changes: list[str] = []
TABLE = {p.path: p for p in api.parameters(base)}
"""The scenario's tunable numbers (sim's table of parameters): each slider's allowed range."""


def range_slider(
    path: str,
    label: str,
    number: Any,
    step: float,
    help: str | None = None,
    practical: tuple[float, float] | None = None,
) -> None:
    """A range slider for a scenario number, bounded by the range its kind of number may
    take (narrowed to `practical`); adds its override when it leaves the base. The label and
    help hold the file's words: they are shown literal, never read as Markdown."""
    start = adjust.as_range(number)
    if start is None:
        words = f"{label}: {labels.number_words(number)} (a choice of values: edit the file)"
        st.caption(labels.literal(words))
        return
    span = adjust.slider_span(*adjust.allowed_span(TABLE[path].range, practical), start)
    chosen = st.slider(
        labels.literal(label),
        min_value=span[0],
        max_value=span[1],
        step=step,
        help=labels.literal(help) if help else None,
        **kept(adjust.widget_key(path), default=start),
    )
    found = adjust.range_override(path, number, chosen)
    if found:
        changes.append(found)


def choice(path: str, label: str, current: Any, options: list[Any], words: dict[Any, str]) -> Any:
    """A select box for a scenario value; adds its override when it leaves the base."""
    chosen = st.selectbox(
        label,
        options,
        format_func=lambda o: words.get(o, str(o)),
        **kept(adjust.widget_key(path), default=current),
    )
    if chosen != current:
        changes.append(adjust.override(path, chosen))
    return chosen


def reset() -> None:
    """Put every slider back on the file's values."""
    forget(ADJUST_WIDGETS)
    st.session_state["adjust_overrides"] = []


st.title("Adjust")
st.caption(
    "Each slider shows a number as a range: a single point is a fixed value, a wider range is "
    "drawn per run (uniform, or the file's distribution with new bounds). Every change is an "
    "override of the file, exactly as `redlines run --set PATH=VALUE` takes it."
)
tab_lines, tab_actors, tab_protocol, tab_council = st.tabs(
    ["Red lines", "Actors", "Protocol", "Security Council & deployment"]
)

with tab_lines:
    for actor in base.actors:
        if not actor.red_lines:
            continue
        st.subheader(labels.literal(actor.name))
        columns = st.columns(2)
        for k, line in enumerate(actor.red_lines):
            path = f"actors.{actor.id}.red_lines.{line.id}"
            name = labels.red_line_name(base, actor.id, line.id).split(": ", 1)[1]
            p = line.provenance
            said = f"“{p.quote}” — {p.speaker}" if p.quote else f"Assumption: {p.rationale}"
            with columns[k % 2]:
                marker = " ⚠ assumption" if p.kind == "assumption" else ""
                range_slider(
                    f"{path}.firmness",
                    f"Firmness of “{name}”{marker}",
                    line.firmness,
                    0.01,
                    help=f"Probability that it binds in a run. {said}",
                )
                if line.precondition is not None:
                    met_by = names.get(line.precondition.met_by or "", "someone")
                    range_slider(
                        f"{path}.precondition.probability",
                        f"Probability that {met_by} meets “{name}” before talks",
                        line.precondition.probability,
                        0.01,
                    )

with tab_actors:
    issue_names = labels.issue_names(base)
    for actor in base.actors:
        path = f"actors.{actor.id}"
        role = labels.ROLE_WORDS[actor.role]
        with st.expander(labels.literal(f"{actor.name} — {role}"), expanded=False):
            left, right = st.columns(2)
            with left:
                st.markdown("**Salience of each issue** (normalised to sum to 1)")
                for issue_id, weight in actor.weights.items():
                    range_slider(
                        f"{path}.weights.{issue_id}",
                        issue_names.get(issue_id, issue_id),
                        weight,
                        0.01,
                        practical=(0.0, 1.0),
                    )
            with right:
                st.markdown("**Value of no deal (BATNA)**")
                range_slider(f"{path}.batna.value", "Level at round 0", actor.batna.value, 0.01)
                range_slider(
                    f"{path}.batna.drift",
                    "Drift per round (costs of war < 0 < momentum)",
                    actor.batna.drift,
                    0.001,
                    practical=(-0.05, 0.05),
                )
                st.markdown("**Strategy**")
                kind = st.selectbox(
                    "Concession strategy",
                    list(labels.STRATEGY_WORDS),
                    format_func=lambda o: labels.STRATEGY_WORDS.get(o, str(o)),
                    **kept(
                        adjust.widget_key(f"{path}.strategy", "kind"), default=actor.strategy.kind
                    ),
                )
                kind = str(kind)
                start = adjust.exponent_range(
                    kind, actor.strategy.exponent if kind == actor.strategy.kind else None
                )
                exponent = None
                if start is not None:
                    span = adjust.slider_span(0.05, 10.0, start)
                    exponent = st.slider(
                        "Concession exponent β (< 1 concedes late, > 1 early)",
                        min_value=span[0],
                        max_value=span[1],
                        step=0.05,
                        **kept(adjust.widget_key(f"{path}.strategy", "exponent"), default=start),
                    )
                found = adjust.strategy_override(
                    f"{path}.strategy", actor.strategy.kind, actor.strategy.exponent, kind, exponent
                )
                if found:
                    changes.append(found)

with tab_protocol:
    protocol = base.protocol
    actor_ids = [a.id for a in base.actors]
    kind = choice(
        "protocol.kind",
        "Protocol",
        protocol.kind,
        list(labels.PROTOCOL_WORDS),
        labels.PROTOCOL_WORDS,
    )
    if kind == "mediated":
        choice("protocol.mediator", "Mediator", protocol.mediator or actor_ids[0], actor_ids, names)
    elif kind in ("alternating", "setter"):
        signers = [a.id for a in base.actors if a.role in ("belligerent", "guarantor")]
        current = protocol.proposers or (signers if kind == "alternating" else signers[:1])
        chosen = st.multiselect(
            "Proposers, in turn" if kind == "alternating" else "The agenda setter (exactly one)",
            actor_ids,
            format_func=lambda o: names.get(o, str(o)),
            max_selections=1 if kind == "setter" else None,
            **kept(adjust.widget_key("protocol.proposers", kind), default=list(current)),
        )
        implied = protocol.proposers is None and kind == "alternating" and chosen == signers
        if list(chosen) != list(protocol.proposers or []) and not implied:
            changes.append(adjust.override("protocol.proposers", list(chosen)))
    top = max(100, protocol.max_rounds)
    rounds = st.slider(
        "Rounds at most",
        1,
        top,
        **kept(adjust.widget_key("protocol.max_rounds"), default=protocol.max_rounds),
    )
    if rounds != protocol.max_rounds:
        changes.append(adjust.override("protocol.max_rounds", int(rounds)))

with tab_council:
    council = base.institutions.security_council
    if council is None:
        st.caption("This scenario has no Security Council.")
    else:
        total = sum(m.seats for m in council.members)
        needed = st.slider(
            "Yes votes needed for a mandate",
            1,
            total,
            **kept(
                adjust.widget_key("institutions.security_council.votes_needed"),
                default=council.votes_needed,
            ),
        )
        if needed != council.votes_needed:
            changes.append(
                adjust.override("institutions.security_council.votes_needed", int(needed))
            )
        for member in council.members:
            who = member.name or member.id
            if member.actor is not None:
                st.caption(
                    labels.literal(f"{who}: cast by {names[member.actor]}")
                    + " (votes by its red lines and utilities)"
                )
                continue
            seats = f" ({member.seats} seats)" if member.seats > 1 else ""
            veto = " — permanent, a no is a veto" if member.permanent else ""
            range_slider(
                f"institutions.security_council.members.{member.id}.p_yes",
                f"{who}{seats}{veto}: probability of a yes",
                member.p_yes,
                0.01,
            )
    deployment = base.institutions.unilateral_deployment
    if deployment is not None:
        st.subheader("Unilateral deployment")
        st.caption(
            labels.literal(
                f"{names[deployment.actor]} deploys on its own "
                f"({labels.terms_words(base, deployment.terms)})"
            )
            + " after a deadlock of so many rounds, with this probability per run."
        )
        range_slider(
            "institutions.unilateral_deployment.probability",
            "Probability of a unilateral deployment",
            deployment.probability,
            0.01,
        )
        after = st.slider(
            "After a deadlock of (rounds)",
            1,
            max(50, deployment.after_rounds),
            **kept(
                adjust.widget_key("institutions.unilateral_deployment.after_rounds"),
                default=deployment.after_rounds,
            ),
        )
        if after != deployment.after_rounds:
            changes.append(
                adjust.override("institutions.unilateral_deployment.after_rounds", int(after))
            )

st.session_state["adjust_overrides"] = changes

st.divider()
count = f"{len(changes)} change{'s' if len(changes) != 1 else ''}"
st.subheader(f"{count} to {labels.literal(use.file.label)}")
checked = compute.check(use.file, tuple(changes))
if not changes:
    st.caption("The scenario is as the file says. Move a slider to adjust it.")
if checked.scenario is None:
    st.error("These adjustments make the scenario invalid; `redlines run --set` would say:")
    st.code("\n".join(checked.problems), language=None, wrap_lines=True)
else:
    if changes:
        st.markdown(
            "\n".join(
                f"- {labels.literal(labels.path_words(base, c.split('=', 1)[0]))} → "
                f"`{c.split('=', 1)[1]}`"
                for c in changes
            )
        )
        st.caption("The same run from the command line:")
        st.code(adjust.command_line(use.file.name, changes), language="bash")
    header = (
        f"{checked.scenario.title}\n"
        f"Exported by the Red Lines dashboard from {use.file.label}"
        + (
            " with these changes:\n" + "\n".join(f"  --set {c}" for c in changes)
            if changes
            else "."
        )
        + "\nSource paths are relative to the scenarios/ folder: save this file there."
    )
    st.download_button(
        "Download scenario (YAML)",
        export_yaml(checked.scenario, header=header),
        file_name=f"{checked.scenario.id}-adjusted.yaml"
        if changes
        else f"{checked.scenario.id}.yaml",
        mime="application/x-yaml",
        icon=":material/download:",
        on_click="ignore",
        key="adjust_download",
    )
st.button(
    "Reset every slider to the file",
    on_click=reset,
    key="adjust_reset",
    icon=":material/restart_alt:",
)

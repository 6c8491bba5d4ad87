"""Compare: two scenarios side by side — what differs, and how the odds of each ending move."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, compute, jobs, sweeps
from dashboard.catalogue import ScenarioFile, shipped, shipped_file
from dashboard.current import scenario_in_use
from dashboard.figures import show_chart
from dashboard.state import KEPT, kept

BOTH = jobs.Job("compare")

use = scenario_in_use()
st.title("Compare")
st.caption(
    "Two versions side by side: the file as it is, the file with your adjustments, or another "
    "shipped scenario. Both are swept with the same runs and root seed."
)

CHOICES = {
    "shipped": f"{use.file.label} as it is",
    "adjusted": f"{use.file.label} with your adjustments",
}
for name in shipped():
    if f"scenarios/{name}" != use.file.name:
        CHOICES[f"file:{name}"] = f"scenarios/{name}"


def side(choice: str) -> tuple[ScenarioFile, tuple[str, ...]]:
    """The scenario file and overrides of one side."""
    if choice == "adjusted":
        return use.file, use.overrides
    if choice.startswith("file:"):
        return shipped_file(choice.removeprefix("file:")), ()
    return use.file, ()


for key in ("compare_left", "compare_right"):  # a choice left from another scenario
    for store in (st.session_state, st.session_state[KEPT]):
        if store.get(key, "shipped") not in CHOICES:
            del store[key]
c1, c2 = st.columns(2)
with c1:
    left_choice = st.selectbox(
        "Left", list(CHOICES), format_func=lambda o: CHOICES.get(o, str(o)), **kept("compare_left")
    )
with c2:
    right_choice = st.selectbox(
        "Right",
        list(CHOICES),
        format_func=lambda o: CHOICES.get(o, str(o)),
        **kept("compare_right"),
    )
left_choice, right_choice = str(left_choice), str(right_choice)
left_file, left_overrides = side(left_choice)
right_file, right_overrides = side(right_choice)
left_checked = compute.check(left_file, left_overrides)
right_checked = compute.check(right_file, right_overrides)
for checked, name in ((left_checked, "left"), (right_checked, "right")):
    if checked.scenario is None:
        st.error(f"The {name} scenario is not valid:")
        st.code("\n".join(checked.problems), language=None)
        st.stop()
left, right = left_checked.scenario, right_checked.scenario
assert left is not None and right is not None

st.subheader("What differs")
diff = sweeps.differences(left, right)
if left_choice == right_choice or diff.empty:
    st.info("The two sides are the same scenario." if diff.empty else "Choose two different sides.")
else:
    st.dataframe(
        diff.rename(columns={"left": CHOICES[left_choice], "right": CHOICES[right_choice]})[
            ["parameter", CHOICES[left_choice], CHOICES[right_choice]]
        ],
        hide_index=True,
        key="compare_diff",
    )

st.subheader("How the odds move")
r1, r2, r3 = st.columns([2, 1, 1])
with r1:
    runs = st.select_slider(
        "Runs per side", [100, 200, 300, 500, 1000, 2000, 5000], **kept("compare_runs")
    )
with r2:
    seed = st.number_input(
        "Root seed", min_value=0, max_value=2**31 - 1, step=1, **kept("compare_seed")
    )
with r3:
    st.write("")
    go = jobs.start_button(BOTH, "Sweep both", disabled=left_choice == right_choice)
settings = (left_file.key, left_overrides, right_file.key, right_overrides, int(runs), int(seed))
sides = [(CHOICES[left_choice], left), (CHOICES[right_choice], right)]
done = jobs.run(BOTH, go, settings, jobs.compare(sides, int(runs), int(seed)))
if done is None:
    st.info("**Sweep both** to compare the odds of each ending.")
    st.stop()
names = list(done.value)
both = sweeps.side_by_side(done.value)
show_chart(charts.side_by_side(both, names), key="compare_chart")
table = sweeps.odds_change(both, names)
st.dataframe(
    table,
    hide_index=True,
    key="compare_table",
    column_config={c: st.column_config.NumberColumn(format="percent") for c in [*names, "change"]},
)
st.caption("Intervals: Wilson 95%. Both sides use the same run seeds.")

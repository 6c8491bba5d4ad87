"""Altair charts of the dashboard: one library, actor colours from :mod:`dashboard.labels`.

Each function takes tidy tables (made by the dashboard's table modules from `sim` results)
and returns a chart; pages show them with `dashboard.figures.show_chart` (SVG and PNG
downloads). Every chart of the dashboard is built here; pages build none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from dashboard.labels import OUTCOME_COLOURS

AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart | alt.ConcatChart
"""What the chart functions return: anything `st.altair_chart` shows."""

STATUS_COLOURS = {
    "blocked by a red line": "#d9d9d9",
    "below someone's value of no deal": "#9ecae1",
    "in the ZOPA": "#54a24b",
    "ZOPA, Pareto frontier": "#1b5e20",
}


def actor_colour(colours: Mapping[str, str], title: str | None = "Actor") -> alt.Color:
    """The colour encoding of the `actor` field: the same colour for an actor everywhere."""
    return alt.Color(
        "actor:N",
        title=title,
        scale=alt.Scale(domain=list(colours), range=list(colours.values())),
    )


def run_timeline(
    curves: pd.DataFrame, offers: pd.DataFrame, colours: Mapping[str, str]
) -> AnyChart:
    """Per actor: the utility of each offer (• accepted, ✗ rejected, ▲ not asked) against
    its aspiration and its value of no deal, round by round."""
    lines = curves[curves["series"] != "utility of the offer"].assign(layer="curve")
    points = offers.assign(layer="answer")
    data = pd.concat([lines, points], ignore_index=True).fillna({"why": "", "red line": ""})
    order = [a for a in colours if a in set(data["actor"])]
    base = alt.Chart().encode(
        x=alt.X("round:Q", title="Round", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("value:Q", title="Utility", scale=alt.Scale(domain=[0, 1])),
        color=actor_colour(colours),
    )
    curve = (
        base.transform_filter(alt.datum.layer == "curve")
        .mark_line()
        .encode(
            strokeDash=alt.StrokeDash(
                "series:N",
                title="Line",
                scale=alt.Scale(domain=["aspiration", "value of no deal"], range=[[1, 0], [5, 4]]),
            ),
            tooltip=[
                alt.Tooltip("round:Q", title="Round"),
                alt.Tooltip("series:N", title="Line"),
                alt.Tooltip("value:Q", title="Utility", format=".2f"),
            ],
        )
    )
    dots = (
        base.transform_filter(alt.datum.layer == "answer")
        .mark_point(size=70, filled=True, opacity=0.9)
        .encode(
            shape=alt.Shape(
                "answer:N",
                title="Answer to the offer",
                scale=alt.Scale(
                    domain=["accepts", "rejects", "not asked"],
                    range=["circle", "cross", "triangle-up"],
                ),
            ),
            tooltip=[
                alt.Tooltip("round:Q", title="Round"),
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("answer:N", title="Answer"),
                alt.Tooltip("why:N", title="Why"),
                alt.Tooltip("red line:N", title="Red line"),
                alt.Tooltip("value:Q", title="Utility of the offer", format=".2f"),
            ],
        )
    )
    return (
        alt.layer(curve, dots, data=data)
        .properties(width=330, height=190)
        .facet(facet=alt.Facet("actor:N", title=None, sort=order), columns=2)
        .resolve_scale(x="shared")
    )


def pair_chart(
    points: pd.DataFrame,
    a: str,
    b: str,
    batna: Mapping[str, float],
    solutions: pd.DataFrame,
    size: int = 250,
) -> AnyChart:
    """Outcomes in the utility plane of actors `a` and `b` (names), by status, with both
    values of no deal as dashed lines and the solution points marked."""
    data = pd.DataFrame(
        {
            "x": points[a],
            "y": points[b],
            "status": points["status"],
            "terms": points["terms"],
        }
    )
    status = alt.Color(
        "status:N",
        title="Outcome (◇ solution points)",
        legend=alt.Legend(labelLimit=260, orient="bottom", columns=2),
        scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
    )
    scatter = (
        alt.Chart(data)
        .mark_circle(size=55, opacity=0.85)
        .encode(
            x=alt.X("x:Q", title=f"Utility to {a}", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("y:Q", title=f"Utility to {b}", scale=alt.Scale(domain=[0, 1])),
            color=status,
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("terms:N", title="Terms"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("x:Q", title=a, format=".2f"),
                alt.Tooltip("y:Q", title=b, format=".2f"),
            ],
        )
        .transform_calculate(rank="indexof(['blocked by a red line'], datum.status) >= 0 ? 0 : 1")
    )
    rule_x = (
        alt.Chart(pd.DataFrame({"x": [batna[a]], "who": [f"{a}'s value of no deal"]}))
        .mark_rule(strokeDash=[5, 4], color="#555")
        .encode(x="x:Q", tooltip=alt.Tooltip("who:N", title="Line"))
    )
    rule_y = (
        alt.Chart(pd.DataFrame({"y": [batna[b]], "who": [f"{b}'s value of no deal"]}))
        .mark_rule(strokeDash=[5, 4], color="#555")
        .encode(y="y:Q", tooltip=alt.Tooltip("who:N", title="Line"))
    )
    layers: list[alt.Chart] = [scatter, rule_x, rule_y]
    if len(solutions):
        # solution points that coincide are one mark, named by all of them
        grouped = solutions.groupby("terms", sort=False).agg(
            x=(a, "first"), y=(b, "first"), solution=("solution", " = ".join)
        )
        marks = grouped.reset_index()
        layers.append(
            alt.Chart(marks)
            .mark_point(size=260, filled=False, strokeWidth=2.2, color="#111", shape="diamond")
            .encode(
                x="x:Q",
                y="y:Q",
                tooltip=[
                    alt.Tooltip("solution:N", title="Solution"),
                    alt.Tooltip("terms:N", title="Terms"),
                ],
            )
        )
    return alt.layer(*layers).properties(width=size, height=size, title=f"{a} and {b}")


def pairs_grid(
    points: pd.DataFrame,
    actors: Sequence[str],
    batna: Mapping[str, float],
    solutions: pd.DataFrame,
    columns: int = 3,
) -> AnyChart:
    """:func:`pair_chart` for every pair of actors."""
    charts = [
        pair_chart(points, a, b, batna, solutions)
        for i, a in enumerate(actors)
        for b in actors[i + 1 :]
    ]
    return alt.concat(*charts, columns=columns)


def red_line_bars(
    table: pd.DataFrame, value: str, title: str, colours: Mapping[str, str], percent: bool = False
) -> AnyChart:
    """Horizontal bars, one per red line (`red line` column), coloured by its owner (`actor`)."""
    return (
        alt.Chart(table)
        .mark_bar()
        .encode(
            y=alt.Y("red line:N", title=None, sort="-x", axis=alt.Axis(labelLimit=240)),
            x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(format="%" if percent else "d")),
            color=actor_colour(colours),
            tooltip=[
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("red line:N", title="Red line"),
                alt.Tooltip(f"{value}:Q", title=title),
            ],
        )
        .properties(height=alt.Step(22))
    )


def outcome_bars(table: pd.DataFrame) -> AnyChart:
    """Outcome probabilities (`outcome`, `p`, `low`, `high`) with their 95% intervals."""
    order = list(OUTCOME_COLOURS)
    bars = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X("outcome:N", title=None, sort=order, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "p:Q",
                title="Probability",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "outcome:N",
                legend=None,
                scale=alt.Scale(domain=order, range=list(OUTCOME_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("p:Q", title="Probability", format=".1%"),
                alt.Tooltip("low:Q", title="95% low", format=".1%"),
                alt.Tooltip("high:Q", title="95% high", format=".1%"),
                alt.Tooltip("count:Q", title="Runs"),
            ],
        )
    )
    errors = (
        alt.Chart(table)
        .mark_errorbar(ticks=True, color="#222")
        .encode(
            x=alt.X("outcome:N", sort=order), y=alt.Y("low:Q", title="Probability"), y2="high:Q"
        )
    )
    return alt.layer(bars, errors).properties(height=260)


def tornado(ranking: pd.DataFrame, base: float | None, outcome: str = "agreement") -> AnyChart:
    """One bar per parameter (`label`) from the lowest to the highest P(outcome) it reaches
    when set alone across its range; the rule is P(outcome) with every number drawn."""
    bars = (
        alt.Chart(ranking)
        .mark_bar(color="#4c78a8", height=14)
        .encode(
            y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X(
                "p_min:Q",
                title=f"P({outcome})",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            x2="p_max:Q",
            tooltip=[
                alt.Tooltip("label:N", title="Parameter"),
                alt.Tooltip("p_min:Q", title="Lowest", format=".1%"),
                alt.Tooltip("at_min:Q", title="…at the value", format=".3g"),
                alt.Tooltip("p_max:Q", title="Highest", format=".1%"),
                alt.Tooltip("at_max:Q", title="…at the value", format=".3g"),
                alt.Tooltip("swing:Q", title="Swing", format=".1%"),
            ],
        )
        .properties(height=alt.Step(22))
    )
    ends = (
        alt.Chart(ranking)
        .transform_fold(["p_min", "p_max"], as_=["end", "p"])
        .mark_tick(color="#1f3b63", thickness=2, size=16)
        .encode(y=alt.Y("label:N", sort=None), x="p:Q")
    )  # a parameter that moves nothing still shows, as a single tick
    layers: list[alt.Chart] = [bars, ends]
    if base is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"p": [base], "what": ["every number drawn"]}))
            .mark_rule(color="#e45756", strokeDash=[4, 3], size=2)
            .encode(
                x="p:Q", tooltip=[alt.Tooltip("what:N", title=""), alt.Tooltip("p:Q", format=".1%")]
            )
        )
    return alt.layer(*layers)


def heat_map(
    grid: pd.DataFrame, x_title: str, y_title: str, outcome: str = "agreement"
) -> AnyChart:
    """P(outcome) over every pair of values of two numbers (`x`, `y`, `p`, `low`, `high`)."""
    data = grid[grid["outcome"] == outcome].assign(
        xs=lambda t: t["x"].map(lambda v: f"{v:.3g}"), ys=lambda t: t["y"].map(lambda v: f"{v:.3g}")
    )
    xs = list(dict.fromkeys(data.sort_values("x")["xs"]))
    ys = list(dict.fromkeys(data.sort_values("y", ascending=False)["ys"]))
    base = alt.Chart(data).encode(
        x=alt.X("xs:O", title=x_title, sort=xs, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("ys:O", title=y_title, sort=ys),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "p:Q",
            title=f"P({outcome})",
            scale=alt.Scale(domain=[0, 1], scheme="viridis"),
            legend=alt.Legend(format="%"),
        ),
        tooltip=[
            alt.Tooltip("x:Q", title=x_title, format=".3g"),
            alt.Tooltip("y:Q", title=y_title, format=".3g"),
            alt.Tooltip("p:Q", title=f"P({outcome})", format=".1%"),
            alt.Tooltip("low:Q", title="95% low", format=".1%"),
            alt.Tooltip("high:Q", title="95% high", format=".1%"),
        ],
    )
    text = base.mark_text(fontSize=12).encode(
        text=alt.Text("p:Q", format=".0%"),
        color=alt.condition(alt.datum.p > 0.55, alt.value("#111"), alt.value("#fff")),
    )
    return alt.layer(cells, text).properties(width=alt.Step(70), height=alt.Step(40))


def sobol_bars(indices: pd.DataFrame) -> AnyChart:
    """First-order (S1) and total-order (ST) indices per parameter (`label`), with their 95%
    bootstrap intervals, one panel per target outcome."""
    long = pd.concat(
        [
            indices.assign(index="first order (S1)", value=indices["S1"], conf=indices["S1_conf"]),
            indices.assign(index="total order (ST)", value=indices["ST"], conf=indices["ST_conf"]),
        ],
        ignore_index=True,
    )
    long["low"] = long["value"] - long["conf"]
    long["high"] = long["value"] + long["conf"]
    order = list(indices.sort_values("ST", ascending=False)["label"].drop_duplicates())
    base = alt.Chart().encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=340)),
        yOffset=alt.YOffset("index:N"),
    )
    bars = base.mark_bar().encode(
        x=alt.X("value:Q", title="Sobol index"),
        color=alt.Color("index:N", title="Index", scale=alt.Scale(range=["#9ecae1", "#3182bd"])),
        tooltip=[
            alt.Tooltip("label:N", title="Parameter"),
            alt.Tooltip("index:N", title="Index"),
            alt.Tooltip("value:Q", title="Value", format=".3f"),
            alt.Tooltip("conf:Q", title="± 95%", format=".3f"),
        ],
    )
    errors = base.mark_rule(color="#222").encode(x="low:Q", x2="high:Q")
    return (
        alt.layer(bars, errors, data=long)
        .properties(width=330, height=alt.Step(11))
        .facet(column=alt.Column("target:N", title=None))
    )


def agreed_terms(terms: pd.DataFrame) -> AnyChart:
    """Per issue, the share of agreements that settle on each option (`issue`, `option`,
    `p`, `low`, `high`), one row of bars per issue."""
    return (
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
        .properties(width=420)
    )


def rounds_histogram(rounds: pd.DataFrame) -> AnyChart:
    """How many agreements came after each number of rounds (`rounds`, `agreements`)."""
    return (
        alt.Chart(rounds)
        .mark_bar(color=OUTCOME_COLOURS["agreement"])
        .encode(
            x=alt.X("rounds:O", title="Rounds"),
            y=alt.Y("agreements:Q", title="Agreements"),
            tooltip=["rounds", "agreements"],
        )
        .properties(height=200)
    )


def side_by_side(both: pd.DataFrame, sides: Sequence[str]) -> AnyChart:
    """Outcome probabilities of two scenarios (`side`, `outcome`, `p`, `low`, `high`), the
    sides' bars next to each other with their 95% intervals."""
    order = list(OUTCOME_COLOURS)
    bars = (
        alt.Chart(both)
        .mark_bar()
        .encode(
            x=alt.X("outcome:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
            xOffset=alt.XOffset("side:N", sort=list(sides)),
            y=alt.Y(
                "p:Q",
                title="Probability",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "side:N",
                title=None,
                sort=list(sides),
                scale=alt.Scale(range=["#9d755d", "#4c78a8"]),
                legend=alt.Legend(orient="top", labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("side:N", title="Scenario"),
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("p:Q", title="Probability", format=".1%"),
                alt.Tooltip("low:Q", title="95% low", format=".1%"),
                alt.Tooltip("high:Q", title="95% high", format=".1%"),
            ],
        )
    )
    errors = (
        alt.Chart(both)
        .mark_errorbar(ticks=True, color="#222")
        .encode(
            x=alt.X("outcome:N", sort=order),
            xOffset=alt.XOffset("side:N", sort=list(sides)),
            y=alt.Y("low:Q", title="Probability"),
            y2="high:Q",
        )
    )
    return alt.layer(bars, errors).properties(height=280)

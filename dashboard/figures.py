"""Charts on a page with their own downloads: the chart, then SVG and PNG buttons.

The files are drawn by vl-convert (through Altair's `save`) only when a button is clicked
(Streamlit calls the `data` callable then), so a re-render costs nothing extra.
"""

from __future__ import annotations

import io
from functools import partial

import altair as alt
import streamlit as st

Figure = (
    alt.Chart
    | alt.ConcatChart
    | alt.FacetChart
    | alt.HConcatChart
    | alt.LayerChart
    | alt.RepeatChart
    | alt.VConcatChart
)
"""Any top-level Altair chart `st.altair_chart` accepts."""


def chart_svg(chart: Figure) -> bytes:
    """The chart as an SVG document."""
    buffer = io.StringIO()
    chart.save(buffer, format="svg")
    return buffer.getvalue().encode("utf-8")


def chart_png(chart: Figure, scale: float = 2.0) -> bytes:
    """The chart as a PNG image (`scale` times its size on screen)."""
    buffer = io.BytesIO()
    chart.save(buffer, format="png", scale_factor=scale)
    return buffer.getvalue()


def show_chart(chart: Figure, *, key: str) -> None:
    """Show `chart` (with `key`) and two download buttons under it, SVG and PNG."""
    st.altair_chart(chart, key=key)
    stem = key.removesuffix("_chart")
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "Chart as SVG",
        data=partial(chart_svg, chart),
        file_name=f"{stem}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
        on_click="ignore",
    )
    right.download_button(
        "Chart as PNG",
        data=partial(chart_png, chart),
        file_name=f"{stem}.png",
        mime="image/png",
        key=f"{key}_png",
        on_click="ignore",
    )

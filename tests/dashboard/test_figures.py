"""Chart downloads: SVG and PNG files drawn from the same chart the page shows."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.figures import chart_png, chart_svg

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def small_chart() -> alt.Chart:
    data = pd.DataFrame({"round": [1, 2, 3], "utility": [0.2, 0.5, 0.4]})
    return alt.Chart(data, title="Offers by round").mark_line().encode(x="round", y="utility")


def test_svg_is_a_vector_drawing_of_the_chart() -> None:
    svg = chart_svg(small_chart()).decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    assert "Offers by round" in svg  # the title is drawn as text
    assert svg.rstrip().endswith("</svg>")


def test_png_is_an_image_at_twice_the_screen_size() -> None:
    once = chart_png(small_chart(), scale=1)
    twice = chart_png(small_chart(), scale=2)
    assert once.startswith(b"\x89PNG\r\n\x1a\n") and twice.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(once[16:20], "big")
    assert int.from_bytes(twice[16:20], "big") == 2 * width


def test_run_page_offers_its_chart_as_svg_and_png() -> None:
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.run()
    at.switch_page("views/run.py").run()
    at.slider(key="run_seed").set_value(3).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Chart as SVG" in labels and "Chart as PNG" in labels

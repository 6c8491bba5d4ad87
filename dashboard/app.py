"""Red Lines dashboard: the entry file.

Start it with `redlines dashboard`: headless, no usage statistics, served on 127.0.0.1 only
(`--host ADDRESS` to serve a network on purpose). `streamlit run dashboard/app.py` is as safe
only from the repository root, where Streamlit reads `.streamlit/config.toml` (the same
settings); started elsewhere it serves every network interface, and every page warns so.

It sets the session defaults once, lists the pages with `st.navigation`, shows which scenario
is in use, and runs the chosen page. Pages live in `dashboard/views/`: Streamlit 1.67 treats a
folder named `pages/` beside the entry file as a legacy multipage app and then never runs
`st.navigation`. What pages show comes from `sim` through :mod:`dashboard.compute`.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run the `sim` and `dashboard` of this checkout
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import current, exposure  # noqa: E402
from dashboard.state import init_state  # noqa: E402

PAGES = Path(__file__).resolve().parent / "views"

st.set_page_config(page_title="Red Lines", page_icon="🟥", layout="wide")
init_state()
exposed = exposure.warning(st.get_option("server.address"))
if exposed:  # on every page: served beyond this machine without anyone asking for it
    st.warning(exposed, icon=":material/public:")

navigation = st.navigation(
    {
        "Scenario": [
            st.Page(
                PAGES / "scenario.py", title="Scenario", icon=":material/description:", default=True
            ),
            st.Page(PAGES / "adjust.py", title="Adjust", icon=":material/tune:"),
        ],
        "Explore": [
            st.Page(PAGES / "run.py", title="Run", icon=":material/timeline:"),
            st.Page(
                PAGES / "bargaining.py", title="Bargaining space", icon=":material/scatter_plot:"
            ),
            st.Page(PAGES / "monte_carlo.py", title="Monte Carlo", icon=":material/casino:"),
            st.Page(
                PAGES / "sensitivity.py",
                title="Sensitivity & discovery",
                icon=":material/ssid_chart:",
            ),
            st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare_arrows:"),
        ],
    }
)
try:
    navigation.run()
finally:  # after the page, so it counts the adjustments the page just made
    current.sidebar()

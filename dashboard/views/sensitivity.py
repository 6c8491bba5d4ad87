"""sensitivity (to come)."""

import streamlit as st

st.title("sensitivity")

"""compare (to come)."""

import streamlit as st

st.title("compare")

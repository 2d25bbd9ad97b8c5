"""The Streamlit pages. Each page calls the package's functions and shows their results; no logic lives here."""

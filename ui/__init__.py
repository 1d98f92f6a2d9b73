"""The Streamlit UI: the only package that imports streamlit. Pages call gis/, render results."""

"""Streamlit entry point: the agent's, the seller's and the maintainer's pages over one index.

Run with ``streamlit run app.py`` (``make run`` builds the index first). The pages live in
``assistant/ui``; they only call the package's functions. Every text that comes from a
message or a document is shown as text (``st.text``, or Markdown with every mark escaped).
Query parameters ``page`` (agent, check, seller, maintainer), ``clause`` and ``lang`` make links.
"""

from __future__ import annotations

import streamlit as st

from assistant.config import Settings
from assistant.index.store import current_name
from assistant.logs import configure_logging
from assistant.ui import agent, check, maintainer, seller
from assistant.ui.common import guard, searcher_for
from assistant.ui.strings import LANGS, t

PAGES = ("agent", "check", "seller", "maintainer")

st.set_page_config(page_title="Ассистент поддержки", layout="wide")
configure_logging()   # ASSISTANT_LOG_LEVEL (WARNING), personal data masked in every line


def _choice(name: str, options, default):
    value = st.query_params.get(name, default)
    return value if value in options else default


def _document_language(lang: str) -> None:
    """Screen readers choose their voice by ``<html lang>``, which Streamlit leaves at «en» whatever the
    interface's language. ``lang`` is one of ``LANGS``' keys: nothing a person typed reaches this script."""
    if lang in LANGS:
        st.html(f"<script>document.documentElement.lang = '{lang}';</script>", unsafe_allow_javascript=True)


with st.sidebar:
    lang = st.selectbox("Язык · Language", list(LANGS), format_func=LANGS.get, key="lang",
                        index=list(LANGS).index(_choice("lang", LANGS, "ru")))
    page = st.radio(t(lang, "page"), PAGES, key="page", index=PAGES.index(_choice("page", PAGES, "agent")),
                    format_func=lambda p: t(lang, f"page_{p}"))
    _document_language(lang)
if st.query_params.get("page", "agent") != page:
    st.query_params["page"] = page
    st.query_params.pop("clause", None)

settings = Settings.resolve()
st.title(t(lang, f"page_{page}"), anchor=False)
snapshot = current_name(settings.index_dir)
if snapshot is None:
    st.error(t(lang, "no_index", path=settings.index_dir))
    st.stop()
with guard(lang):
    with st.spinner(t(lang, "loading")):
        searcher = searcher_for(str(settings.index_dir), snapshot)
    if page == "agent":
        agent.render(searcher, settings, lang)
    elif page == "check":
        check.render(searcher, settings, lang)
    elif page == "seller":
        seller.render(searcher, lang)
    else:
        maintainer.render(searcher, settings, lang)

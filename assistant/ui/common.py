"""What every page shares: the cached searcher, error display, and the clause card."""

from __future__ import annotations

import contextlib
import logging
import traceback
from urllib.parse import quote

import streamlit as st

from ..config import Settings
from ..errors import AssistantError
from ..retrieval import CaseHit, ClauseHit, Searcher
from ..privacy import mask
from .safe import escape, highlight
from .strings import t

log = logging.getLogger("assistant.ui")


@st.cache_resource(show_spinner=False, max_entries=2)
def searcher_for(index_dir: str, snapshot: str) -> Searcher:
    """One searcher per published snapshot: loaded once per process, replaced when a publish moves CURRENT."""
    return Searcher.open(Settings.resolve(index=index_dir))


@contextlib.contextmanager
def guard(lang: str):
    """Errors become a message on the page. The log gets the type and the stack, never the text (it may hold
    a customer's personal data)."""
    try:
        yield
    except AssistantError as exc:
        st.error(t(lang, "failed", error=str(exc)))
    except Exception as exc:  # noqa: BLE001 - the page must never show a traceback
        log.error("%s in the app:\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
        st.error(t(lang, "internal", kind=type(exc).__name__))


def permalink(clause_id: str) -> str:
    """A link that opens the clause on the seller page; absolute when the page knows its own address."""
    base = (getattr(st.context, "url", "") or "").split("?")[0]
    if base.count("/") == 2:   # «http://host:port» → «http://host:port/»
        base += "/"
    return f"{base}?page=seller&clause={quote(clause_id, safe='')}"


def clause_card(hit: ClauseHit, lang: str, *, short: str = "", with_link: bool = False, with_terms: bool = False) -> None:
    """Citation, the best sentence highlighted, the full text on demand, related clauses — all as text."""
    best = hit.best_sentence
    head = f"**{escape(hit.citation)}**"
    if short or hit.version:
        head += " · " + escape(t(lang, "doc_version", doc=short or hit.doc, version=hit.version))
    st.markdown(head)
    if best:
        st.markdown(highlight(best, [best]))
    if with_terms and hit.matched_terms:
        st.text(t(lang, "why_terms", terms=", ".join(hit.matched_terms)))
    with st.expander(t(lang, "full_text")):
        st.markdown(highlight(hit.text, [best] if best else []))
    if hit.related:
        st.text(t(lang, "related", items="; ".join(r.citation for r in hit.related)))
    if with_link:
        st.caption(t(lang, "permalink"))
        st.code(permalink(hit.id), language=None)


def case_card(hit: CaseHit, lang: str) -> None:
    """A similar past case: what was asked, what was answered, how it ended (personal data masked)."""
    with st.expander(t(lang, "similar", id=hit.id, date=hit.date)):
        st.caption(t(lang, "case_message"))
        st.text(mask(hit.text))
        st.caption(t(lang, "case_reply"))
        st.text(mask(hit.reply))
        if hit.outcome:
            st.text(t(lang, "case_outcome", text=mask(hit.outcome)))

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
from ..retrieval.similar import SimilarCase
from ..privacy import mask
from .safe import escape, escape_inline, highlight, link
from .strings import t

log = logging.getLogger("assistant.ui")
WORDS_SHOWN = 6   # shared words named in a past case's reason


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


def card_head(citation: str, short: str, version: str, lang: str) -> str:
    """A clause card's first line as Markdown: the citation in bold, then the document's name only when the
    citation does not already start with it, then the version.

    >>> card_head("Правила площадки, п. 2.8", "Правила площадки", "2026-10-15", "ru")
    '**Правила площадки\\\\, п\\\\. 2\\\\.8** · версия 2026\\\\-10\\\\-15'
    """
    head = f"**{escape(citation)}**"
    if short and not citation.startswith(short):
        head += " · " + escape(short)
    if version:
        head += " · " + escape(t(lang, "version", version=version))
    return head


def link_block(clause_id: str, lang: str) -> None:
    """The permanent link to a clause: a link to open it, and the address in a box with a copy button."""
    url = permalink(clause_id)
    st.markdown(link(t(lang, "permalink"), url))
    st.code(url, language=None, wrap_lines=True)


def clause_card(hit: ClauseHit, lang: str, *, short: str = "", with_link: bool = False, with_terms: bool = False,
                lead: str = "") -> None:
    """Citation, the list's opening words for a sub-point (``lead``), the best sentence highlighted, the full text
    on demand, related clauses as links — all text escaped."""
    best = hit.best_sentence
    st.markdown(card_head(hit.citation, short, hit.version, lang))
    if lead:
        st.text(t(lang, "lead_in", text=lead))
    if hit.applies is not None and hit.reason != "reference":
        st.caption(t(lang, "applies", pct=round(100 * hit.applies)))
    if best:
        st.markdown(highlight(best, [best]))
    if with_terms and hit.matched_terms:
        st.text(t(lang, "why_terms", terms=", ".join(hit.matched_terms)))
    with st.expander(t(lang, "full_text")):
        st.markdown(highlight(hit.text, [best] if best else []))
    if hit.related:
        items = "; ".join(link(r.citation, permalink(r.id)) for r in hit.related)
        st.markdown(escape(t(lang, "related", items="")) + items)
    if with_link:
        link_block(hit.id, lang)


def case_reason(why: SimilarCase, lang: str) -> str:
    """Why a past case is shown, in a sentence: the clause it shares with the message, else the shared words.

    >>> from assistant.retrieval import CaseHit
    >>> hit = CaseHit(doc="cases", version="", id="C-1", citation="", text="…", score=1.0, similarity=0.9)
    >>> case_reason(SimilarCase(hit, words=("куртку", "пятна")), "ru")
    'Почему показано: общие слова — куртку, пятна (сходство 0.90)'
    """
    if why.clauses:
        said = t(lang, "case_why_clause", clauses="; ".join(why.clauses))
    else:
        said = t(lang, "case_why_words", words=", ".join(why.words[:WORDS_SHOWN]))
    return t(lang, "case_why", reason=said, similarity=why.hit.similarity or 0.0)


def case_card(hit: CaseHit, lang: str, why: SimilarCase | None = None) -> None:
    """A similar past case: why it is shown, what was asked, what was answered, how it ended (personal data
    masked)."""
    if why is not None:
        st.text(case_reason(why, lang))
    with st.expander(t(lang, "similar", id=escape_inline(hit.id), date=escape_inline(hit.date))):
        st.caption(t(lang, "case_message"))
        st.text(mask(hit.text))
        st.caption(t(lang, "case_reply"))
        st.text(mask(hit.reply))
        if hit.outcome:
            st.text(t(lang, "case_outcome", text=mask(hit.outcome)))

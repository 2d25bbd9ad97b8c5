"""«Какой пункт применяется»: a situation in, the clauses that apply out, with reasons and permanent links."""

from __future__ import annotations

import streamlit as st

from ..retrieval import Searcher
from .common import case_card, clause_card, guard, permalink
from .safe import escape
from .strings import t

TREE_LIMIT = 300   # rows drawn at once; a search narrows the tree of a long law


def render(searcher: Searcher, lang: str) -> None:
    docs = sorted(searcher.corpus.documents, key=lambda d: d.audience != "seller")
    shorts = {d.doc: d.short for d in docs}   # the sellers' own rules first
    opened = st.query_params.get("clause")
    if opened:
        _opened(searcher, opened, shorts, lang)
    situation = st.text_area(t(lang, "situation"), height=140, key="situation")
    k = st.slider(t(lang, "results"), 1, 20, 5, key="k")
    if st.button(t(lang, "find"), type="primary", key="find") and situation.strip():
        with guard(lang):
            st.session_state["seller_result"] = searcher.search(situation, k=k, case_audience="seller")
    result = st.session_state.get("seller_result")
    if result is not None:
        if result.declined:
            st.warning(t(lang, "declined", confidence=result.confidence))
        else:
            st.caption(t(lang, "confidence", confidence=result.confidence))
        clauses_col, cases_col = st.columns([3, 2])
        with clauses_col:
            for hit in result.clauses:
                with st.container(border=True):
                    clause_card(hit, lang, short=shorts.get(hit.doc, hit.doc), with_link=True, with_terms=True)
        with cases_col:
            st.subheader(t(lang, "cases_for"))
            for hit in result.cases:
                case_card(hit, lang)
    _tree(searcher, shorts, lang)


def _opened(searcher: Searcher, clause_id: str, shorts: dict, lang: str) -> None:
    clause = searcher.corpus.clause(clause_id)
    if clause is None:
        st.warning(t(lang, "unknown_clause", id=clause_id))
        return
    with st.container(border=True):
        st.caption(t(lang, "opened"))
        st.markdown(f"**{escape(clause.citation)}** · "
                    + escape(t(lang, "doc_version", doc=shorts.get(clause.doc, clause.doc), version=clause.version)))
        st.text(clause.full_text())
        st.code(permalink(clause.id), language=None)


def _tree(searcher: Searcher, shorts: dict, lang: str) -> None:
    st.subheader(t(lang, "tree"))
    docs = list(shorts)
    if not docs:
        return
    doc = st.selectbox(t(lang, "tree_doc"), docs, format_func=lambda d: shorts[d], key="tree_doc")
    needle = st.text_input(t(lang, "tree_filter"), key="tree_filter").strip().lower()
    clauses = searcher.index.clauses(doc)
    if needle:
        clauses = [c for c in clauses if needle in f"{c.citation} {c.full_text()}".lower()]
    if not clauses:
        st.caption(t(lang, "tree_none"))
        return
    if len(clauses) > TREE_LIMIT:
        st.caption(t(lang, "tree_more", shown=TREE_LIMIT, total=len(clauses)))
    sections: dict[str, list] = {}
    for c in clauses[:TREE_LIMIT]:
        sections.setdefault(c.path[0] if c.path else "", []).append(c)
    for head, members in sections.items():
        top = next((c for c in members if len(c.path) == 1), None)
        title = f"{head} {top.title}".strip() if top else head
        with st.expander(title or "—", expanded=bool(needle)):
            for c in members:
                indent = "    " * (len(c.path) - 1)
                st.text(f"{indent}{c.label} {c.text if c.text != c.title else ''}".rstrip())

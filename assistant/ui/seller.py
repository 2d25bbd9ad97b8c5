"""«Какой пункт применяется»: a situation in, the clauses that apply out, with reasons and permanent links."""

from __future__ import annotations

import streamlit as st

from ..retrieval import Searcher
from ..retrieval.browse import TreeRow, ancestors, display_text, lead_in, tree
from ..retrieval.similar import similar_cases
from ..schema import Clause
from .common import card_head, case_card, clause_card, guard, link_block, permalink
from .safe import bold_spans, escape, link
from .strings import t

TREE_LIMIT = 300   # rows drawn at once; a search narrows the tree of a long law
INDENT = "&emsp;"   # a character reference, not HTML: Streamlit strips a leading literal space from Markdown


def render(searcher: Searcher, lang: str) -> None:
    docs = sorted(searcher.corpus.documents, key=lambda d: d.audience != "seller")
    shorts = {d.doc: d.short for d in docs}   # the sellers' own rules first
    clauses = list(searcher.corpus.clauses.values())
    opened = st.query_params.get("clause")
    if opened:
        _opened(searcher, clauses, opened, shorts, lang)
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
                clause = searcher.corpus.clause(hit.id)
                with st.container(border=True):
                    clause_card(hit, lang, short=shorts.get(hit.doc, hit.doc), with_link=True, with_terms=True,
                                lead=lead_in(clauses, clause) if clause else "")
        with cases_col:
            st.header(t(lang, "cases_for"), anchor=False)
            shown = similar_cases(result.cases, result.clauses, result.query)
            for why in shown:
                case_card(why.hit, lang, why)
            if not shown:
                st.text(t(lang, "cases_none"))
    _tree(searcher, shorts, lang)


def path_markdown(clauses: list[Clause], clause: Clause, short: str) -> str:
    """Where a clause sits, as Markdown: the document, then each clause above it as a link, then its own label.

    >>> top = Clause("r:2", "r", "1", ("2",), "Правила, п. 2", "", title="Доступ")
    >>> path_markdown([top], Clause("r:2/а)", "r", "1", ("2", "а)"), "Правила, п. 2, подп. «а»", "…"), "Правила")
    'Правила › [2\\\\. Доступ](?page=seller&clause=r%3A2) › а\\\\)'
    """
    steps = [escape(short)] + [link(a.label, permalink(a.id)) for a in ancestors(clauses, clause)]
    return " › ".join(steps + [escape(clause.label)])


def _opened(searcher: Searcher, clauses: list[Clause], clause_id: str, shorts: dict, lang: str) -> None:
    """A clause opened from its permanent link: where it sits, the words that open its list, its text."""
    clause = searcher.corpus.clause(clause_id)
    if clause is None:
        st.warning(t(lang, "unknown_clause", id=clause_id))
        return
    short = shorts.get(clause.doc, clause.doc)
    with st.container(border=True):
        st.caption(t(lang, "opened"))
        st.markdown(card_head(clause.citation, short, clause.version, lang))
        st.markdown(escape(t(lang, "clause_path")) + path_markdown(clauses, clause, short))
        lead = lead_in(clauses, clause)
        if lead:
            st.text(t(lang, "lead_in", text=lead))
        st.text(display_text(clause))
        link_block(clause.id, lang)


def row_markdown(row: TreeRow, url: str) -> str:
    """A row of the rules tree: indented by depth, its number a link to the clause, the search's matches bold.

    >>> row = TreeRow(Clause("r:4.2", "r", "1", ("4", "4.2"), "Правила, п. 4.2", "Плата за литр."), 1,
    ...               "4.2. Плата за литр.", ((14, 18),))
    >>> row_markdown(row, "?clause=r%3A4.2")
    '&emsp;[4\\\\.2\\\\.](?clause=r%3A4.2) Плата за **литр**\\\\.'
    """
    label = row.clause.label
    own = len(label) if row.text.startswith(label) else 0
    rest = row.text[own:]
    marks = [(a - own, b - own) for a, b in row.marks if a >= own]
    head = link(label, url) if own else ""
    return INDENT * row.depth + head + bold_spans(rest, marks)


def _tree(searcher: Searcher, shorts: dict, lang: str) -> None:
    st.header(t(lang, "tree"), anchor=False)
    docs = list(shorts)
    if not docs:
        return
    doc = st.selectbox(t(lang, "tree_doc"), docs, format_func=lambda d: shorts[d], key="tree_doc")
    query = st.text_input(t(lang, "tree_filter"), key="tree_filter")
    sections = tree(searcher.index.clauses(doc), query)
    if not sections:
        st.caption(t(lang, "tree_none"))
        return
    total = sum(len(s.rows) for s in sections)
    if total > TREE_LIMIT:
        st.caption(t(lang, "tree_more", shown=TREE_LIMIT, total=total))
    left = TREE_LIMIT
    for section in sections:
        if left <= 0:
            break
        with st.expander(escape(section.title), expanded=bool(query.strip())):
            for row in section.rows[:left]:
                st.markdown(row_markdown(row, permalink(row.clause.id)))
        left -= len(section.rows)

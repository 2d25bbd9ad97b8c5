"""The agent's page: paste a message, get points, clauses, similar cases, a checked draft; edit, copy, accept."""

from __future__ import annotations

import time

import streamlit as st

from ..accepted import accept
from ..config import Settings
from ..draft import Backend, draft, recheck
from ..draft.llm import LLM
from ..retrieval import Searcher
from .common import case_card, clause_card, guard
from .safe import highlight
from .strings import t


def render(searcher: Searcher, settings: Settings, lang: str) -> None:
    llm = LLM.from_env()
    left, right = st.columns([3, 1])
    with left:
        message = st.text_area(t(lang, "message"), height=220, key="message")
        st.caption(t(lang, "message_limit", limit=settings.max_message_chars))
    with right:
        channel = st.selectbox(t(lang, "channel"), t(lang, "channels").split("|"), key="channel")
        order = st.text_input(t(lang, "order"), key="order", max_chars=40)
        llm_label = t(lang, "backend_llm") + (f" ({llm.model})" if llm else f" ({t(lang, 'llm_off')})")
        backend = st.radio(t(lang, "backend"), [Backend.COMPOSER.value, Backend.LLM.value], key="backend",
                           format_func=lambda b: t(lang, "backend_composer") if b == Backend.COMPOSER.value else llm_label)
    if st.button(t(lang, "make_draft"), type="primary", key="make_draft"):
        if not message.strip():
            st.warning(t(lang, "empty_message"))
        else:
            with guard(lang), st.spinner(t(lang, "working")):
                started = time.perf_counter()
                result = draft(searcher, message, backend=backend, llm=llm, order=order,
                               limit=settings.max_message_chars)
                st.session_state["draft"] = result
                st.session_state["draft_seconds"] = time.perf_counter() - started
                st.session_state["edited"] = result.text
                st.session_state.pop("accepted_id", None)
    result = st.session_state.get("draft")
    if result is None:
        return
    st.caption(t(lang, "drafted", seconds=st.session_state.get("draft_seconds", 0.0), backend=result.backend))
    if result.fallback:
        st.warning(t(lang, "fallback", why=result.fallback))
    text_col, points_col = st.columns([3, 2])
    with text_col:
        _draft_panel(searcher, settings, result, lang, channel, order)
    with points_col:
        _points_panel(result, {d.doc: d.short for d in searcher.corpus.documents}, lang)


def _draft_panel(searcher, settings, result, lang, channel, order) -> None:
    st.subheader(t(lang, "draft"))
    edited = st.text_area(t(lang, "edit"), key="edited", height=300)
    checks = result.checks if edited == result.text else recheck(searcher, result, edited)
    with st.expander(t(lang, "copy")):
        st.code(edited, language=None, wrap_lines=True)
    if st.button(t(lang, "accept"), key="accept"):
        with guard(lang):
            record, created = accept(settings, result, edited, checks, channel=channel, order=order)
            st.session_state["accepted_id"] = record.id
            st.session_state["accepted_again"] = not created
            st.session_state["accepted_review"] = record.status != "ready"
    if st.session_state.get("accepted_id"):
        said = t(lang, "accepted_again" if st.session_state.get("accepted_again") else "accepted",
                 id=st.session_state["accepted_id"])
        rule = t(lang, "accepted_review" if st.session_state.get("accepted_review") else "accepted_rule")
        st.success(f"{said} {rule}")
    _checks_panel(checks, edited, lang)


def _checks_panel(checks, text: str, lang: str) -> None:
    st.subheader(t(lang, "checks"))
    if checks.ok:
        st.success(t(lang, "checks_ok"))
    for c in checks.citations:
        line = (t(lang, "cit_ok", citation=c.citation) if c.ok
                else t(lang, "cit_bad", citation=c.citation, reason=t(lang, f"problem_{c.problem.value}")))
        if c.stale:
            line += f" ({t(lang, 'stale', version=c.stale.version, cases=', '.join(c.stale.cases))})"
        st.text(line)
    answered = sum(c.answered for c in checks.coverage)
    st.text(t(lang, "coverage", done=answered, total=len(checks.coverage)))
    for c in checks.coverage:
        if not c.answered:
            st.text(t(lang, "unanswered", point=c.point))
    template = checks.template
    if template is not None:
        st.text(t(lang, "template", score=template.score))
        for phrase in template.phrases:
            st.text(t(lang, "canned", phrase=phrase))
        for copy in template.near_copies:
            st.text(t(lang, "near_copy", case=copy["case"], sentence=copy["sentence"]))
        if template.phrases:
            st.caption(t(lang, "canned_where"))
            st.markdown(highlight(text, template.phrases, style="red-background"))
    for v in checks.guardrails:
        st.text(t(lang, "guardrail", says=v.says, sentence=v.sentence))
    for s in checks.injections:
        st.text(t(lang, "injection", text=s))


def _points_panel(result, shorts: dict[str, str], lang: str) -> None:
    st.subheader(t(lang, "points"))
    for i, point in enumerate(result.analysis.points, start=1):
        with st.container(border=True):
            st.text(f"{i}. " + " ".join(point.sentences))
            if point.declined or not point.clauses:
                st.caption(t(lang, "no_clause"))
            for hit in point.clauses[:2]:
                clause_card(hit, lang, short=shorts.get(hit.doc, hit.doc))
            for deadline in point.deadlines[:2]:
                st.text(t(lang, "deadline", text=deadline.sentence_ru() if lang == "ru" else deadline.sentence_en()))
            for case in [c for c in point.cases if not c.templated][:2]:
                case_card(case, lang)

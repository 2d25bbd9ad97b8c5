"""The agent's page: paste a message or a whole thread, get the points, their answers and clauses, similar cases,
a checked draft; edit, copy, accept. A pasted thread's turns are shown and can be corrected."""

from __future__ import annotations

import time

import streamlit as st

from ..accepted import accept
from ..analyze.turns import AGENT, CUSTOMER, Turn, split_turns
from ..config import Settings
from ..draft import Backend, draft, recheck
from ..draft.llm import LLM
from ..retrieval import Searcher
from ..retrieval.browse import lead_in
from ..retrieval.corpus import Corpus
from ..retrieval.similar import similar_cases
from .checks_panel import checks_panel
from .common import case_card, clause_card, guard
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
    turns = _turns_editor(message, lang)
    if st.button(t(lang, "make_draft"), type="primary", key="make_draft"):
        if not message.strip():
            st.warning(t(lang, "empty_message"))
        else:
            with guard(lang), st.spinner(t(lang, "working")):
                started = time.perf_counter()
                result = draft(searcher, message, backend=backend, llm=llm, order=order,
                               limit=settings.max_message_chars, turns=turns)
                st.session_state["draft"] = result
                st.session_state["draft_seconds"] = time.perf_counter() - started
                st.session_state["edited"] = result.text
                for key in ("accepted_id", "accept_pending"):
                    st.session_state.pop(key, None)
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
        _points_panel(result, searcher.corpus, lang)


def _turns_editor(message: str, lang: str) -> list[Turn] | None:
    """A pasted thread: who wrote each block, as guessed; the agent may correct it. None for a single message."""
    guessed = split_turns(message) if message.strip() else []
    if len(guessed) < 2:
        return None
    with st.expander(t(lang, "turns_head", n=len(guessed)), expanded=False):
        st.caption(t(lang, "turns_help"))
        corrected = []
        for i, turn in enumerate(guessed):
            role = st.radio(t(lang, "turn_label", n=i + 1), [CUSTOMER, AGENT], horizontal=True,
                            index=[CUSTOMER, AGENT].index(turn.role), key=f"turn_{i}_{hash(turn.text) % 10**8}",
                            format_func=lambda r: t(lang, f"role_{r}"))
            st.text(turn.text[:400] + ("…" if len(turn.text) > 400 else ""))
            corrected.append(Turn(role, turn.text))
    return corrected


def _draft_panel(searcher, settings, result, lang, channel, order) -> None:
    st.header(t(lang, "draft"), anchor=False)
    edited = st.text_area(t(lang, "edit"), key="edited", height=300)
    checks = result.checks if edited == result.text else recheck(searcher, result, edited)
    with st.expander(t(lang, "copy")):
        st.code(edited, language=None, wrap_lines=True)
    if st.button(t(lang, "accept"), key="accept"):
        st.session_state["accept_pending"] = True
        st.session_state.pop("accepted_id", None)
    if st.session_state.get("accept_pending"):
        failed = checks.failures() if edited.strip() else []   # an empty reply is refused below, with its reason
        if failed and not st.session_state.get("accept_confirmed"):
            st.warning(t(lang, "accept_confirm", failed=", ".join(t(lang, f"failed_{f}") for f in failed)))
            if st.button(t(lang, "accept_anyway"), key="accept_anyway"):
                st.session_state["accept_confirmed"] = True
                st.rerun()
        else:
            with guard(lang):
                record, created = accept(settings, result, edited, checks, channel=channel, order=order)
                st.session_state["accepted_id"] = record.id
                st.session_state["accepted_again"] = not created
                st.session_state["accepted_review"] = record.status != "ready"
            for key in ("accept_pending", "accept_confirmed"):
                st.session_state.pop(key, None)
    if st.session_state.get("accepted_id"):
        said = t(lang, "accepted_again" if st.session_state.get("accepted_again") else "accepted",
                 id=st.session_state["accepted_id"])
        rule = t(lang, "accepted_review" if st.session_state.get("accepted_review") else "accepted_rule")
        st.success(f"{said} {rule}")
    checks_panel(checks, edited, lang)
    if result.audit is not None:
        with st.expander(t(lang, "audit_head"), expanded=False):
            checks_panel(result.audit.checks, result.audit.reply, lang, heading=False)


def _points_panel(result, corpus: Corpus, lang: str) -> None:
    st.header(t(lang, "points"), anchor=False)
    shorts = corpus.shorts
    clauses = list(corpus.clauses.values())

    def card(hit) -> None:
        clause = corpus.clause(hit.id)
        clause_card(hit, lang, short=shorts.get(hit.doc, hit.doc), lead=lead_in(clauses, clause) if clause else "")

    planned = result.plan.points
    for i, (point, plan) in enumerate(zip(result.analysis.points, planned), start=1):
        with st.container(border=True):
            st.text(f"{i}. " + " ".join(point.sentences))
            if plan.answered_before:
                st.caption(t(lang, "answered_before"))
            if plan.answer is not None:
                st.caption(t(lang, "answer_kind", kind=t(lang, f"answer_{plan.answer.kind.value}")))
                cited = {plan.evidence.clause_id} | {e.clause_id for _, e, _ in plan.support}
                for hit in [h for h in point.clauses if h.id in cited]:
                    card(hit)
            elif point.declined or not point.clauses:
                st.caption(t(lang, "no_clause"))
            else:
                st.caption(t(lang, "candidates"))
                for hit in point.clauses[:3]:
                    card(hit)
            for deadline in point.deadlines[:2]:
                st.text(t(lang, "deadline", text=deadline.sentence_ru() if lang == "ru" else deadline.sentence_en()))
            for why in similar_cases(point.cases, point.clauses, point.query or " ".join(point.sentences)):
                case_card(why.hit, lang, why)

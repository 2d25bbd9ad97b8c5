"""«Проверить ответ»: a support lead pastes a message and a reply someone wrote, and sees what it leaves
unanswered, how canned it is, and whether its citations and promises hold — before or after it is sent."""

from __future__ import annotations

import streamlit as st

from ..config import Settings
from ..draft import audit
from ..retrieval import Searcher
from .checks_panel import checks_panel
from .common import guard
from .strings import t


def render(searcher: Searcher, settings: Settings, lang: str) -> None:
    left, right = st.columns(2)
    with left:
        message = st.text_area(t(lang, "check_message"), height=220, key="check_message")
    with right:
        reply = st.text_area(t(lang, "check_reply"), height=220, key="check_reply")
    if st.button(t(lang, "check_run"), type="primary", key="check_run"):
        if not message.strip() or not reply.strip():
            st.warning(t(lang, "check_empty"))
        else:
            with guard(lang), st.spinner(t(lang, "working")):
                st.session_state["check_result"] = audit(searcher, message, reply, limit=settings.max_message_chars)
    result = st.session_state.get("check_result")
    if result is not None:
        checks_panel(result.checks, result.reply, lang)

"""The checks of a reply as the agent reads them: citations, points answered, boilerplate, promises, steering."""

from __future__ import annotations

import streamlit as st

from ..checks import Checks
from .safe import highlight
from .strings import t


def checks_panel(checks: Checks, text: str, lang: str, heading: bool = True) -> None:
    if heading:
        st.header(t(lang, "checks"), anchor=False)
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
            st.text(t(lang, f"coverage_{c.status.value}", point=c.point))
    template = checks.template
    if template is not None:
        st.text(t(lang, "template", score=template.score))
        for phrase in template.phrases:
            st.text(t(lang, "canned", phrase=phrase))
        for copy in template.near_copies:
            st.text(t(lang, "near_copy", case=copy["case"], sentence=copy["sentence"]))
        if template.spans:
            st.caption(t(lang, "canned_where"))
            st.markdown(highlight(text, template.spans, style="red-background"))
    for v in checks.guardrails:
        st.text(t(lang, "guardrail", says=v.says, sentence=v.sentence))
    for s in checks.injections:
        st.text(t(lang, "injection", text=s))

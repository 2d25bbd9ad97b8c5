"""The maintainer's page, behind a token: upload a new version, see its diff, publish, roll back, watch quality."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

import streamlit as st

from ..accepted import load_accepted
from ..config import Settings
from ..index.build import rollback
from ..ingest import RULE_SUFFIXES
from ..access import Throttle, client_label, token_ok
from ..maintain import add_accepted, last_evaluation, publish, run_evaluation, stage_upload, stats
from ..retrieval import Searcher
from .common import guard
from .safe import escape, render_word_diff
from .strings import t

NEW_DOC = "+"


def expected_token(settings: Settings) -> str:
    """The environment wins; Streamlit secrets (``maintainer_token``) are the other place a deployment may set it."""
    if settings.maintainer_token:
        return settings.maintainer_token
    try:
        return str(st.secrets.get("maintainer_token", ""))
    except Exception:  # noqa: BLE001 - no secrets file at all is the common case
        return ""


@st.cache_resource(show_spinner=False)
def throttle() -> Throttle:
    """One per serving process, shared by every session (``throttle.clear()`` forgets every count)."""
    return Throttle()


def _client_keys() -> list[str]:
    """This browser session, and the client address (hashed) it comes from."""
    if "session_key" not in st.session_state:
        st.session_state["session_key"] = uuid.uuid4().hex
    address = getattr(st.context, "ip_address", None)
    address = address if isinstance(address, str) else None   # None under streamlit.testing
    return [f"session:{st.session_state['session_key'][:12]}", f"client:{client_label(address)}"]


def render(searcher: Searcher, settings: Settings, lang: str) -> None:
    expected = expected_token(settings)
    if not expected:
        st.info(t(lang, "closed"))
        return
    attempts = throttle()
    keys = _client_keys()
    wait = attempts.locked(keys)
    if wait:
        st.error(t(lang, "token_locked", minutes=max(1, round(wait / 60))))
        return
    given = st.text_input(t(lang, "token"), type="password", key="token")
    if not token_ok(given, expected):
        if given and st.session_state.get("token_tried") != hash(given):
            st.session_state["token_tried"] = hash(given)   # a rerun with the same wrong token is one attempt
            if attempts.failure(keys):
                st.error(t(lang, "token_locked", minutes=max(1, round(attempts.locked(keys) / 60))))
                return
        if given:
            st.error(t(lang, "token_bad"))
        return
    attempts.success(keys[:1])
    upload_col, side_col = st.columns([3, 2])
    with upload_col:
        _upload(searcher, settings, lang)
    with side_col:
        _rollback(searcher, settings, lang)
        _accepted(settings, lang)
    _stats(searcher, settings, lang)


def _run(label: str, lang: str, job):
    """Run a long job (``job(progress)``) under a progress bar; errors become a message on the page."""
    with guard(lang):
        bar = st.progress(0.0, text=label)

        def update(stage: str, done: int, total: int) -> None:
            bar.progress(min(1.0, done / total) if total else 1.0, text=f"{label} {done}/{total}")

        result = job(update)
        bar.empty()
        return result


def _upload(searcher: Searcher, settings: Settings, lang: str) -> None:
    st.subheader(t(lang, "upload_head"))
    docs = {d.doc: d.short for d in searcher.corpus.documents}
    doc = st.selectbox(t(lang, "upload_doc"), [*docs, NEW_DOC], key="upload_doc",
                       format_func=lambda d: docs.get(d, t(lang, "upload_new_doc")))
    if doc == NEW_DOC:
        doc = st.text_input(t(lang, "upload_new_doc"), key="upload_new_doc").strip()
    version = st.text_input(t(lang, "upload_version"), key="upload_version", placeholder=dt.date.today().isoformat())
    types = sorted(s.lstrip(".") for s in RULE_SUFFIXES)
    st.caption(t(lang, "upload_limits", types=", ".join(types), mb=settings.max_file_bytes // 2**20,
                 pages=settings.max_pdf_pages))
    upload = st.file_uploader(t(lang, "upload_file"), type=types, key="upload")
    if st.button(t(lang, "stage"), key="stage", disabled=upload is None or not doc):
        st.session_state.pop("staged", None)
        staged = _run(t(lang, "reading"), lang, lambda progress: stage_upload(
            settings, upload.name, upload.getvalue(), doc=doc, version=version, progress=progress))
        if staged is not None:
            st.session_state["staged"] = staged
    staged = st.session_state.get("staged")
    if staged is None:
        return
    _diff(staged, searcher, lang)
    if st.button(t(lang, "publish"), type="primary", key="publish"):
        report = _run(t(lang, "embedding"), lang, lambda progress: publish(settings, staged, progress=progress))
        if report is not None:
            st.session_state.pop("staged", None)
            _report(report, lang)


def _diff(staged, searcher: Searcher, lang: str) -> None:
    d = staged.diff
    st.markdown("#### " + escape(t(lang, "diff_head", doc=staged.short, old=d.old_version, new=d.new_version)))
    st.text(t(lang, "diff_counts", added=len(d.added), removed=len(d.removed), changed=len(d.changed),
              unchanged=d.unchanged))
    for key, changes in (("diff_changed", d.changed), ("diff_added", d.added), ("diff_removed", d.removed)):
        for change in changes:
            with st.expander(t(lang, key, citation=change.citation), expanded=key == "diff_changed"):
                st.markdown(render_word_diff(change.words))
    if d.affected_cases:
        st.markdown("#### " + escape(t(lang, "affected")))
        for case_id, clause_ids in d.affected_cases.items():
            case = searcher.index.case(case_id)
            with st.expander(t(lang, "affected_row", case=case_id, clauses=", ".join(clause_ids))):
                if case is not None:
                    st.text(case.message)
                    st.text(t(lang, "case_reply") + " " + case.reply)


def _report(report, lang: str) -> None:
    if not report.published and not report.case_sources:
        st.info(t(lang, "nothing_new"))
        return
    items = ", ".join([f"{doc} {version}" for doc, version in report.published]
                      + [f"{source} ({n})" for source, n in report.case_sources])
    st.success(t(lang, "published", items=items, embedded=report.embedded, reused=report.reused,
                 seconds=report.seconds))


def _rollback(searcher: Searcher, settings: Settings, lang: str) -> None:
    st.subheader(t(lang, "rollback_head"))
    versions = defaultdict(list)
    for d in searcher.index.documents():
        versions[d.doc].append(d)
    doc = st.selectbox(t(lang, "rollback_doc"), list(versions), key="rollback_doc",
                       format_func=lambda d: versions[d][-1].short or d)
    if not doc:
        return
    older = [d for d in versions[doc] if not d.published]
    if not older:
        return
    version = st.selectbox(t(lang, "rollback_version"), [d.version for d in older], key="rollback_version")
    if st.button(t(lang, "rollback"), key="rollback"):
        report = _run(t(lang, "embedding"), lang, lambda progress: rollback(settings, doc, version, progress=progress))
        if report is not None:
            _report(report, lang)


def _accepted(settings: Settings, lang: str) -> None:
    st.subheader(t(lang, "accepted_head"))
    records = load_accepted(settings)
    review = sum(r.status == "review" for r in records)
    st.text(t(lang, "accepted_count", n=len(records), review=review))
    if records and st.button(t(lang, "add_accepted"), key="add_accepted"):
        report = _run(t(lang, "embedding"), lang, lambda progress: add_accepted(settings, progress=progress))
        if report is not None:
            _report(report.build, lang)
            if report.awaiting_review:
                st.warning(t(lang, "accepted_held", n=len(report.awaiting_review),
                             ids=", ".join(report.awaiting_review[:10])))
    by_day = defaultdict(list)
    for r in records:
        by_day[r.accepted_at[:10]].append(float(r.checks.get("template", 0.0)))
    if by_day:
        st.caption(t(lang, "template_trend"))
        st.bar_chart({day: sum(v) / len(v) for day, v in sorted(by_day.items())})


def _stats(searcher: Searcher, settings: Settings, lang: str) -> None:
    st.subheader(t(lang, "stats_head"))
    s = stats(settings)
    cols = st.columns(4)
    cols[0].metric(t(lang, "stats_clauses"), s["clauses"])
    cols[1].metric(t(lang, "stats_cases"), s["cases"])
    cols[2].metric(t(lang, "stats_vectors"), s["vectors"])
    cols[3].metric(t(lang, "stats_size"), f"{s['bytes'] / 2**20:.1f}")
    st.caption(t(lang, "stats_snapshot", name=s["snapshot"], model=s["model"], created=s["created"]))
    st.dataframe(s["documents"], hide_index=True, width="stretch")
    st.subheader(t(lang, "eval_head"))
    if st.button(t(lang, "eval_run"), key="eval_run"):
        with guard(lang), st.spinner(t(lang, "eval_run")):
            run_evaluation(settings, searcher)
    last = last_evaluation(settings)
    if last is None:
        st.caption(t(lang, "eval_none"))
        return
    st.caption(t(lang, "eval_last", at=last["at"], n=last["questions"]))
    st.bar_chart(last["recall_at_5"])

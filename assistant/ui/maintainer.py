"""The maintainer's page, behind a token: upload a new version, see its diff, publish, roll back, watch quality."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections import defaultdict
from typing import Callable

import streamlit as st

from ..accepted import load_accepted
from ..config import Settings
from ..errors import AssistantError
from ..index.build import rollback
from ..ingest import RULE_SUFFIXES
from ..access import Throttle, client_label, token_ok
from ..maintain import (LARGE_CHANGE_SHARE, ChangeSize, DocGuess, DocMatch, Staged, add_accepted, affected_replies, change_size,
                        delete_version, guess_upload, last_evaluation, local_time, publish, run_evaluation,
                        stage_upload, stats, zone_name)
from ..privacy import mask
from ..retrieval import Searcher
from .common import guard, permalink
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
        _versions(searcher, settings, lang)
        _accepted(settings, lang)
    _stats(searcher, settings, lang)


def _run(label: str, lang: str, job, done: Callable[[object], str] | None = None):
    """Run a long job (``job(progress)``) under a progress bar; errors become a message on the page. With
    ``done``, the bar stays, full, saying ``done(result)``; otherwise it goes."""
    with guard(lang):
        bar = st.progress(0.0, text=label)

        def update(stage: str, n: int, total: int) -> None:
            bar.progress(min(1.0, n / total) if total else 1.0, text=f"{label} {n}/{total}")

        result = job(update)
        if done is None:
            bar.empty()
        else:
            bar.progress(1.0, text=done(result))
        return result


def _upload(searcher: Searcher, settings: Settings, lang: str) -> None:
    st.subheader(t(lang, "upload_head"))
    types = sorted(s.lstrip(".") for s in RULE_SUFFIXES)
    st.caption(t(lang, "upload_limits", types=", ".join(types), mb=settings.max_file_bytes // 2**20,
                 pages=settings.max_pdf_pages))
    upload = st.file_uploader(t(lang, "upload_file"), type=types, key="upload")
    data = upload.getvalue() if upload is not None else b""
    digest = hashlib.sha256(data).hexdigest()
    guess = _guess(settings, upload.name, data, digest, lang) if upload is not None else None
    docs = {d.doc: d.short or d.doc for d in searcher.corpus.documents}
    if st.session_state.get("upload_doc") not in (*docs, NEW_DOC):
        st.session_state["upload_doc"] = None   # a guess from another snapshot's documents
    doc = st.selectbox(t(lang, "upload_doc"), [*docs, NEW_DOC], key="upload_doc", index=None,
                       placeholder=t(lang, "upload_doc_choose"),
                       format_func=lambda d: docs.get(d, t(lang, "upload_new_doc")))
    _explain(guess, doc, docs, lang)
    if doc == NEW_DOC:
        doc = st.text_input(t(lang, "upload_new_doc"), key="upload_new_doc").strip()
    version = st.text_input(t(lang, "upload_version"), key="upload_version", placeholder=dt.date.today().isoformat())
    wanted = (digest, doc, version)
    if st.button(t(lang, "stage"), key="stage", disabled=upload is None or not doc) and upload is not None and doc:
        st.session_state.pop("staged", None)
        staged = _run(t(lang, "reading"), lang, lambda progress: stage_upload(
            settings, upload.name, data, doc=doc, version=version, progress=progress))
        if staged is not None:
            st.session_state["staged"] = (wanted, staged)
    held = st.session_state.get("staged")
    if held is None or held[0] != wanted:   # another file, document or version: that diff no longer applies
        st.session_state.pop("staged", None)
        return
    staged = held[1]
    size = _diff(staged, searcher, lang)
    confirmed = True
    if size.large:
        st.warning(t(lang, "large_change", limit=round(100 * LARGE_CHANGE_SHARE), total=size.total,
                     short=staged.short))
        confirmed = st.checkbox(t(lang, "confirm_large", added=size.added, removed=size.removed, changed=size.changed,
                                  total=size.total), key=f"confirm_large:{staged.path.name}:{staged.doc}:{staged.version}")
    if st.button(t(lang, "publish"), type="primary", key="publish", disabled=not confirmed) and confirmed:
        report = _run(t(lang, "embedding"), lang,
                      lambda progress: publish(settings, staged, progress=progress, embedder=searcher.embedder))
        if report is not None:
            st.session_state.pop("staged", None)
            _report(report, lang)


def _guess(settings: Settings, name: str, data: bytes, digest: str, lang: str) -> DocGuess | None:
    """Which document the file is a version of, worked out once per file (a large PDF takes seconds to read);
    a new file preselects its guess, or nothing when the guess is unsure. A file that cannot be read says why."""
    held = st.session_state.get("upload_guess")
    if held is None or held[0] != digest:
        held = None
        with guard(lang):
            try:
                held = (digest, guess_upload(settings, name, data), "")
            except AssistantError as exc:
                held = (digest, None, t(lang, "failed", error=str(exc)))
        if held is None:
            return None
        st.session_state["upload_guess"] = held
        st.session_state["upload_doc"] = held[1].doc if held[1] else None
    if held[2]:
        st.error(held[2])
    return held[1]


def _why(match: DocMatch, lang: str) -> str:
    parts = [t(lang, "guess_why_title")] if match.title else []
    parts.append(t(lang, "guess_why_numbers", pct=round(100 * match.numbers)))
    parts.append(t(lang, "guess_why_words", pct=round(100 * match.words)))
    return ", ".join(parts)


def _explain(guess: DocGuess | None, doc: str | None, docs: dict[str, str], lang: str) -> None:
    """Say why the document was preselected, ask for a choice when unsure, object to a choice the file contradicts."""
    if guess is None or guess.best is None:
        return
    best = guess.best
    if guess.doc is None:
        if doc is None:
            nearest = ", ".join(t(lang, "guess_nearest", short=m.short or m.doc, pct=round(100 * m.score))
                                for m in guess.matches[:2])
            st.warning(t(lang, "guess_unsure", nearest=nearest))
    elif doc in (None, guess.doc):
        st.caption(t(lang, "guess_sure", short=best.short or best.doc, why=_why(best, lang)))
    else:
        st.warning(t(lang, "guess_differs", chosen=docs.get(doc, t(lang, "upload_new_doc")),
                     guess=best.short or best.doc, why=_why(best, lang)))


def _diff(staged: Staged, searcher: Searcher, lang: str) -> ChangeSize:
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
        cases = {cid: case for cid in d.affected_cases if (case := searcher.index.case(cid)) is not None}
        for row in affected_replies(d, cases):
            with st.container(border=True):
                head = f"**{escape(row.case)}**" + (f" · {escape(row.date)}" if row.date else "")
                st.markdown(head + (f" · «{escape(mask(row.first_line))}»" if row.first_line else ""))
                for clause in row.clauses:
                    change = escape(t(lang, "affected_removed")) if clause.removed else render_word_diff(clause.words)
                    st.markdown(f"[{escape(clause.citation)}]({permalink(clause.id)}): {change}")
    return change_size(d)


def _report(report, lang: str) -> None:
    if not report.published and not report.case_sources:
        st.info(t(lang, "nothing_new"))
        return
    items = ", ".join([f"{doc} {version}" for doc, version in report.published]
                      + [f"{source} ({n})" for source, n in report.case_sources])
    st.success(t(lang, "published", items=items, embedded=report.embedded, reused=report.reused,
                 seconds=report.seconds))


def _versions(searcher: Searcher, settings: Settings, lang: str) -> None:
    """Publish an unpublished version again, or delete it; either only after a question that names it."""
    st.subheader(t(lang, "rollback_head"))
    versions = defaultdict(list)
    for d in searcher.index.documents():
        versions[d.doc].append(d)
    doc = st.selectbox(t(lang, "rollback_doc"), list(versions), key="rollback_doc",
                       format_func=lambda d: versions[d][-1].short or d)
    if not doc:
        return
    short = versions[doc][-1].short or doc
    current = next((d.version for d in versions[doc] if d.published), "—")
    st.caption(t(lang, "rollback_published", version=current))
    older = {d.version: d for d in versions[doc] if not d.published}
    if not older:
        return
    version = st.selectbox(t(lang, "rollback_version"), list(older), key="rollback_version")
    if st.button(t(lang, "rollback"), key="rollback"):
        st.session_state["version_action"] = ("rollback", doc, version)
    if st.button(t(lang, "delete_version"), key="delete_version"):
        st.session_state["version_action"] = ("delete", doc, version)
    action = st.session_state.get("version_action")
    if action is None or action[1:] != (doc, version):
        return
    kind = action[0]
    if kind == "rollback":
        st.warning(t(lang, "rollback_ask", version=version, short=short, current=current))
    else:
        st.warning(t(lang, "delete_ask", version=version, short=short, n=older[version].n_clauses, current=current))
    yes, no = st.columns(2)
    confirmed = yes.button(t(lang, "rollback_yes" if kind == "rollback" else "delete_yes"), key=f"{kind}_confirm",
                           type="primary")
    if no.button(t(lang, "cancel"), key="version_cancel"):
        st.session_state.pop("version_action", None)
        st.rerun()
    if not confirmed:
        return
    st.session_state.pop("version_action", None)
    if kind == "rollback":
        report = _run(t(lang, "embedding"), lang, lambda progress: rollback(
            settings, doc, version, embedder=searcher.embedder, progress=progress))
        if report is not None:
            _report(report, lang)
    elif _run(t(lang, "embedding"), lang, lambda progress: delete_version(
            settings, doc, version, embedder=searcher.embedder, progress=progress)) is not None:
        st.success(t(lang, "deleted", version=version, short=short))


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
        by_day[local_time(r.accepted_at)[:10]].append(float(r.checks.get("template", 0.0)))
    if by_day:
        st.caption(t(lang, "template_trend"))
        _bars({day: sum(v) / len(v) for day, v in sorted(by_day.items())}, t(lang, "chart_day"),
              t(lang, "chart_template"))


def _bars(values: dict[str, float], name_title: str, value_title: str) -> None:
    """A bar chart with each bar's value written on it (Vega draws text as text, never as HTML)."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame({"name": list(values), "value": [float(v) for v in values.values()]})
    base = alt.Chart(data).encode(x=alt.X("name:N", title=name_title, sort=None, axis=alt.Axis(labelAngle=0)),
                                  y=alt.Y("value:Q", title=value_title))
    labels = base.mark_text(dy=-8).encode(text=alt.Text("value:Q", format=".2f"))
    st.altair_chart(base.mark_bar() + labels, width="stretch")


def document_rows(documents: list[dict], lang: str) -> list[dict]:
    """The statistics table: headers in the page's language, times in the server's zone.

    >>> document_rows([{"doc": "rules", "short": "Правила", "version": "2", "clauses": 12, "published": True,
    ...                 "created": "—", "format": "markdown"}], "en")[0]["Document"]
    'Правила · rules'
    """
    return [{t(lang, "col_doc"): f"{d['short']} · {d['doc']}" if d["short"] and d["short"] != d["doc"] else d["doc"],
             t(lang, "col_version"): d["version"], t(lang, "col_clauses"): d["clauses"],
             t(lang, "col_published"): "✓" if d["published"] else "", t(lang, "col_created"): local_time(d["created"]),
             t(lang, "col_format"): d["format"]} for d in documents]


def _stats(searcher: Searcher, settings: Settings, lang: str) -> None:
    st.subheader(t(lang, "stats_head"))
    s = stats(settings)
    cols = st.columns(4)
    cols[0].metric(t(lang, "stats_clauses"), s["clauses"])
    cols[1].metric(t(lang, "stats_cases"), s["cases"])
    cols[2].metric(t(lang, "stats_vectors"), s["vectors"])
    cols[3].metric(t(lang, "stats_size"), f"{s['bytes'] / 2**20:.1f}")
    st.caption(t(lang, "stats_snapshot", name=s["snapshot"], model=s["model"], created=local_time(s["created"])))
    st.caption(t(lang, "stats_zone", zone=zone_name()))
    st.dataframe(document_rows(s["documents"], lang), hide_index=True, width="stretch")
    for tr in s["translations"]:
        changed = ", ".join(c.split(":", 1)[1] for c in tr["changed"][:8]) or "—"
        st.caption(t(lang, "stats_translation", short=tr["short"], language=tr["lang"], current=tr["current"],
                     recorded=tr["recorded"], changed=changed))
    st.subheader(t(lang, "eval_head"))
    if st.button(t(lang, "eval_run"), key="eval_run"):
        started = time.perf_counter()
        _run(t(lang, "eval_running"), lang, lambda progress: run_evaluation(settings, searcher, progress=progress),
             done=lambda r: t(lang, "eval_done", n=r["questions"], seconds=time.perf_counter() - started))
    last = last_evaluation(settings)
    if last is None:
        st.caption(t(lang, "eval_none"))
        return
    st.caption(t(lang, "eval_last", at=local_time(last["at"]), n=last["questions"]))
    names = {d.doc: d.short or d.doc for d in searcher.corpus.documents}
    _bars({names.get(doc, doc): v for doc, v in last["recall_at_5"].items()}, t(lang, "chart_doc"),
          t(lang, "chart_recall"))

"""Streamlit entry point: draft a checked reply, or search the rules and past cases.

Run with ``streamlit run app.py`` (``make run`` builds the index first). Every text that
comes from a message or a document is shown with ``st.text``/``st.text_area`` — never
as HTML or Markdown. The page only calls the package's functions; it holds no logic.
"""

from __future__ import annotations

import streamlit as st

from assistant.config import Settings
from assistant.draft import draft, recheck
from assistant.errors import AssistantError
from assistant.index.store import current_name
from assistant.search import Searcher

st.set_page_config(page_title="Ассистент поддержки", layout="wide")


@st.cache_resource(show_spinner="Загружаю индекс и модель…")
def searcher_for(index_dir: str, snapshot: str) -> Searcher:
    """One searcher per published snapshot: a reindex makes the next request pick up the new one."""
    return Searcher.open(Settings.resolve(index=index_dir))


def show_checks(checks) -> None:
    data = checks.to_dict()
    st.subheader("Проверки")
    if data["ok"]:
        st.success("Все цитаты подтверждены, все вопросы отвечены, шаблонных фраз нет.")
    for c in data["citations"]:
        mark = "✓" if c["ok"] else "✗"
        st.text(f"{mark} {c['citation']}" + (f" — {c['reason']}" if c["reason"] else "")
                + (f" (устарело: {c['stale']})" if c["stale"] else ""))
    for point in data["unanswered"]:
        st.text(f"✗ Нет ответа на: {point}")
    template = data["template"] or {}
    st.text(f"Шаблонность: {template.get('score', 0):.2f}")
    for phrase in template.get("phrases", []):
        st.text(f"✗ Шаблонная фраза: {phrase}")
    for copy in template.get("near_copies", []):
        st.text(f"✗ Почти копия ответа {copy['case']}: {copy['sentence']}")
    for v in data["guardrails"]:
        st.text(f"✗ {v['says']}: {v['sentence']}")
    for s in data["injections"]:
        st.text(f"! Проигнорирована инструкция в сообщении: {s}")


def draft_page(searcher: Searcher) -> None:
    message = st.text_area("Сообщение клиента или продавца", height=200, key="message")
    if st.button("Подготовить ответ", type="primary", key="make_draft") and message.strip():
        with st.spinner("Разбираю сообщение и ищу пункты правил…"):
            st.session_state["draft"] = draft(searcher, message)
            st.session_state["edited"] = st.session_state["draft"].text
    result = st.session_state.get("draft")
    if result is None:
        return
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Черновик ответа")
        edited = st.text_area("Текст ответа (можно править)", key="edited", height=260)
        checks = result.checks if edited == result.text else recheck(searcher, result, edited)
        show_checks(checks)
    with right:
        st.subheader("Вопросы в сообщении")
        for i, point in enumerate(result.analysis.points, start=1):
            with st.container(border=True):
                st.text(f"{i}. " + " ".join(point.sentences))
                if point.declined:
                    st.text("Подходящего пункта правил нет.")
                for hit in point.clauses[:2]:
                    st.text(f"{hit.citation}: {hit.extra.get('best_sentence') or hit.text}")
                for deadline in point.deadlines[:2]:
                    st.text("Срок: " + deadline.sentence_ru())
                for case in [c for c in point.cases if not c.extra.get("templated")][:1]:
                    st.text(f"Похожее обращение {case.id}: {case.extra.get('outcome', '')}")


def search_page(searcher: Searcher) -> None:
    query = st.text_area("Ситуация или вопрос", height=160, key="query")
    k = st.slider("Сколько результатов показать", 1, 20, 5)
    if not (st.button("Найти", key="search") and query.strip()):
        return
    result = searcher.search(query, k=k)
    if result.declined:
        st.warning(f"Ни один пункт не подходит уверенно (уверенность {result.confidence:.2f}). "
                   "Ближайшие пункты — только для справки.")
    else:
        st.caption(f"Уверенность: {result.confidence:.2f}")
    left, right = st.columns(2)
    with left:
        st.subheader("Пункты правил")
        for hit in result.clauses:
            with st.container(border=True):
                st.text(f"{hit.citation}  ·  версия {hit.version}  ·  {hit.score:.3f}")
                if hit.extra.get("best_sentence"):
                    st.text("Ближе всего: " + hit.extra["best_sentence"])
                if hit.extra.get("matched_terms"):
                    st.text("Совпали слова: " + ", ".join(hit.extra["matched_terms"]))
                with st.expander("Полный текст"):
                    st.text(hit.text)
                if hit.extra.get("related"):
                    st.text("См. также: " + "; ".join(r["citation"] for r in hit.extra["related"]))
    with right:
        st.subheader("Похожие обращения")
        for hit in result.cases:
            with st.container(border=True):
                st.text(f"{hit.id}  ·  {hit.score:.3f}")
                st.text(hit.text)
                st.text("Ответ: " + hit.extra.get("reply", ""))


settings = Settings.resolve()
st.title("Ассистент поддержки")
snapshot = current_name(settings.index_dir)
if snapshot is None:
    st.error(f"Индекс не найден в {settings.index_dir}. Соберите его: `assistant index corpus/`.")
    st.stop()
try:
    searcher = searcher_for(str(settings.index_dir), snapshot)
except AssistantError as exc:
    st.error(str(exc))
    st.stop()
answer_tab, search_tab = st.tabs(["Ответ клиенту", "Поиск по правилам"])
with answer_tab:
    draft_page(searcher)
with search_tab:
    search_page(searcher)

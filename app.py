"""Streamlit entry point: search the rules and past cases (the full agent page comes with drafting).

Run with ``streamlit run app.py`` (``make run`` builds the index first). All text from
documents and messages is shown with ``st.text``/``st.code`` — never as HTML or Markdown.
"""

from __future__ import annotations

import streamlit as st

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.index.store import current_name
from assistant.search import Searcher

st.set_page_config(page_title="Ассистент поддержки", layout="wide")


@st.cache_resource(show_spinner="Загружаю индекс и модель…")
def searcher_for(index_dir: str, snapshot: str) -> Searcher:
    """One searcher per published snapshot: a reindex makes the next query pick up the new one."""
    return Searcher.open(Settings.resolve(index=index_dir))


settings = Settings.resolve()
st.title("Поиск по правилам площадки")
snapshot = current_name(settings.index_dir)
if snapshot is None:
    st.error(f"Индекс не найден в {settings.index_dir}. Соберите его: `assistant index corpus/`.")
    st.stop()

query = st.text_area("Сообщение клиента или продавца", height=160, key="query")
k = st.slider("Сколько результатов показать", 1, 20, 5)
if st.button("Найти", type="primary") and query.strip():
    try:
        result = searcher_for(str(settings.index_dir), snapshot).search(query, k=k)
    except AssistantError as exc:
        st.error(str(exc))
        st.stop()
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

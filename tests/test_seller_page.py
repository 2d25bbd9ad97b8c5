"""The seller's page as a seller reads it: which clause, where it sits, the words that open its list, links
that open clauses, and a rules tree searched by word forms. Streamlit's AppTest over the demo corpus indexed
with ``FakeEmbedder`` (``fake_demo_settings``): what is asserted is the page, not the ranking."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.index import index_paths
from docs import RULES_V1, write_rules
from fakes import FakeEmbedder, fake_settings

pytestmark = pytest.mark.slow   # Streamlit reruns the whole page per action: about 1.5 s a test, over the fast tier's budget

APP = str(Path(__file__).resolve().parent.parent / "app.py")
LEAD_28 = "Маркетлайн вправе полностью или частично заблокировать Личный кабинет в следующих случаях: …"
SUB_POINT = "marketplace-rules:2.8/д)"


@pytest.fixture()
def seller(fake_demo_settings, fake_model_everywhere, monkeypatch):
    """The seller page over the fake demo index; ``seller(**query)`` opens it with those query parameters."""
    def open_page(index_dir=fake_demo_settings.index_dir, **query) -> AppTest:
        monkeypatch.setenv("ASSISTANT_INDEX", str(index_dir))
        monkeypatch.delenv("ASSISTANT_LLM_URL", raising=False)
        at = AppTest.from_file(APP, default_timeout=60)
        at.query_params.update({"page": "seller", **query})
        at.run()
        assert not at.exception, at.exception
        return at

    return open_page


def _markdown(at) -> list[str]:
    return [m.value for m in at.markdown]


def _texts(at) -> list[str]:
    return [t.value for t in at.text]


def _search(at, situation: str, k: int = 5) -> AppTest:
    at.text_area(key="situation").input(situation).run()
    at.slider(key="k").set_value(k).run()
    at.button(key="find").click().run()
    assert not at.exception, at.exception
    return at


def test_a_sub_point_opened_from_its_link_shows_where_it_sits_and_the_sentence_that_opens_its_list(seller):
    at = seller(clause=SUB_POINT)
    shown = _markdown(at)
    path = next(m for m in shown if m.startswith("Где в документе"))
    assert "[2\\. Регистрация и доступ к Личному кабинету](?page=seller&clause=marketplace-rules%3A2)" in path
    assert "[2\\.8\\.](?page=seller&clause=marketplace-rules%3A2.8)" in path and path.endswith("› д\\)"), path
    texts = _texts(at)
    assert texts.index(LEAD_28) < texts.index("д) признаки несанкционированного доступа к Личному кабинету."), \
        "the lead-in comes before the sub-point, so the sub-point reads as a sentence"
    assert "[Постоянная ссылка на пункт](?page=seller&clause=marketplace-rules%3A2.8%2F%D0%B4%29)" in shown
    assert any(c.value.endswith("clause=marketplace-rules%3A2.8%2F%D0%B4%29") for c in at.code), "a box to copy"


def test_a_card_names_its_document_once_and_a_sub_point_card_its_lead_in(seller):
    at = _search(seller(), "признаки несанкционированного доступа к личному кабинету, заблокировали", k=10)
    heads = [m for m in _markdown(at) if m.startswith("**")]
    assert heads and all(h.count("Правила площадки") + h.count("Условия для покупателей") == 1 for h in heads), heads
    assert all(re.search(r" · версия \d{4}\\-\d{2}\\-\d{2}$", h) for h in heads), heads
    hits = at.session_state["seller_result"].clauses
    assert any(h.id.startswith("marketplace-rules:2.8/") for h in hits), [h.id for h in hits]
    assert LEAD_28 in _texts(at), "the sub-point's card says what its list is about"


def test_permanent_links_and_see_also_are_links_that_open_the_clause(seller):
    at = _search(seller(), "блокировка по основанию подпункта д снимается после подтверждения личности владельца")
    shown = _markdown(at)
    assert any(m.startswith("[Постоянная ссылка на пункт](?page=seller&clause=marketplace-rules%3A") for m in shown)
    see_also = [m for m in shown if m.startswith("См\\. также\\: ")]
    assert any("[Правила площадки\\, п\\. 2\\.8](?page=seller&clause=marketplace-rules%3A2.8)" in m
               for m in see_also), see_also
    assert at.code and all("?page=seller&clause=" in c.value for c in at.code), "each link can still be copied"


def test_the_rules_tree_finds_word_forms_marks_them_and_links_each_row(seller):
    at = seller()
    at.text_input(key="tree_filter").input("блокировк карточки").run()
    assert not any(c.value == "Ничего не найдено." for c in at.caption), "a word typed in part and another form"
    (section,) = [e for e in at.expander if e.label.startswith("2\\.")]
    assert section.label == "2\\. Регистрация и доступ к Личному кабинету"
    rows = [m.value for m in section.markdown]
    assert any(r.startswith("&emsp;[2\\.11\\.](?page=seller&clause=marketplace-rules%3A2.11) На период **блокировки** "
                            "**карточки** товаров") for r in rows), rows


def test_every_section_of_the_tree_keeps_its_title_while_searching(seller):
    at = seller()
    at.text_input(key="tree_filter").input("хранение").run()
    labels = [e.label for e in at.expander if e.label != "Полный текст пункта"]
    assert labels and all(re.match(r"\d+\\\. \w", label) for label in labels), labels


def test_markup_in_a_clause_stays_text_in_the_tree_and_in_links(tmp_path, seller):
    settings = fake_settings(tmp_path / "index")
    xss = "4.3. Текст <script>alert(1)</script> и [ссылка](javascript:alert(2)) **жирно**."
    index_paths([write_rules(tmp_path, RULES_V1.replace("4.2. После 60 дней", xss + "\n\n4.2. После 60 дней"))],
                settings, embedder=FakeEmbedder(), overrides={"doc": "rules", "short": "Правила"})
    at = seller(index_dir=settings.index_dir)
    at.text_input(key="tree_filter").input("script").run()
    rows = [m for m in _markdown(at) if "alert" in m]
    assert rows and all("<script>" not in r and "](javascript" not in r and " **жирно**" not in r for r in rows), rows
    assert any("**script**" in r and "\\<" in r for r in rows), "the match is bold, the markup escaped"

"""The Streamlit page, driven by streamlit.testing against a real index."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.config import Settings
from assistant.index import index_paths
from docs import RULES_V1, write_cases, write_rules
from test_search import SEED_COMPLAINT

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    rules = write_rules(root, RULES_V1.replace(
        "4.2. После 60 дней", "4.3. Текст <script>alert(1)</script> и <img src=x onerror=alert(2)>.\n\n4.2. После 60 дней"))
    settings = Settings.resolve(index=root / "index")
    index_paths([rules, write_cases(root)], settings, overrides={"doc": "rules", "short": "Правила"})
    return settings.index_dir


def _app(monkeypatch, index_dir) -> AppTest:
    monkeypatch.setenv("ASSISTANT_INDEX", str(index_dir))
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not at.exception
    return at


def test_search_shows_clauses_and_cases_as_plain_text(index_dir, monkeypatch):
    at = _app(monkeypatch, index_dir)
    at.text_area(key="query").input("потеряли посылку, кто вернёт деньги").run()
    at.button(key="search").click().run()
    assert not at.exception
    texts = [t.value for t in at.text]
    assert any(t.startswith("Правила, п. 2.") for t in texts)
    assert any("T-1" in t for t in texts)


def test_script_in_a_document_is_shown_literally(index_dir, monkeypatch):
    at = _app(monkeypatch, index_dir)
    at.text_area(key="query").input("текст script alert").run()
    at.slider[0].set_value(20).run()
    at.button(key="search").click().run()
    assert any("<script>alert(1)</script>" in t.value for t in at.text)
    assert not any("<script>" in (m.value or "") for m in at.markdown)


def test_draft_appears_with_verified_citations_and_edits_are_checked_again(demo_settings, monkeypatch):
    at = _app(monkeypatch, demo_settings.index_dir)
    at.text_area(key="message").input(SEED_COMPLAINT).run()
    at.button(key="make_draft").click().run()
    assert not at.exception
    draft_text = at.text_area(key="edited").value
    assert "48213-0917" in draft_text and "Правила площадки, п. 5." in draft_text
    assert any(t.value.startswith("✓ Правила площадки, п.") for t in at.text)
    assert any(t.value.startswith("Похожее обращение C-") for t in at.text), "how similar cases were resolved"
    at.text_area(key="edited").input(draft_text + " Ценим вашу обратную связь, ожидайте.").run()
    assert any("Шаблонная фраза: ценим вашу обратную связь" in t.value for t in at.text)


def test_missing_index_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX", str(tmp_path / "none"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "Индекс не найден" in at.error[0].value

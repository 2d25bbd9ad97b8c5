"""The Streamlit pages, driven by streamlit.testing against real indexes on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.accepted import load_accepted
from assistant.config import Settings
from assistant.index import index_paths
from assistant.index.store import current_name
from assistant.retrieval import Searcher
from chat import Scripted, reply
from docs import RULES_V1, SEED_COMPLAINT, write_cases, write_rules

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TOKEN = "maintainer-secret"
XSS = "4.3. Текст <script>alert(1)</script> и <img src=x onerror=alert(2)> с **звёздами** и [ссылкой](http://x)."
RULES = RULES_V1.replace("4.2. После 60 дней", XSS + "\n\n4.2. После 60 дней")
CHANGED = RULES.replace("в течение 30 календарных дней", "в течение 20 календарных дней")


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    """The rules above and the test cases, indexed once with the real model. Never served itself: the tests
    get copies of it (a built index is just files)."""
    root = tmp_path_factory.mktemp("app")
    settings = Settings.resolve(index=root / "index")
    index_paths([write_rules(root, RULES), write_cases(root)], settings, overrides={"doc": "rules", "short": "Правила"})
    return settings.index_dir


@pytest.fixture(scope="module")
def shared_index(built_index, tmp_path_factory) -> Path:
    """One copy shared by the tests that only read."""
    target = tmp_path_factory.mktemp("shared") / "index"
    shutil.copytree(built_index, target)
    return target


@pytest.fixture()
def own_index(built_index, tmp_path) -> Settings:
    """A test's own copy, for a test that writes (accepts, publishes, rolls back)."""
    shutil.copytree(built_index, tmp_path / "index")
    return Settings.resolve(index=tmp_path / "index")


def _app(monkeypatch, index_dir, *, token: str | None = None, **query) -> AppTest:
    monkeypatch.setenv("ASSISTANT_INDEX", str(index_dir))
    monkeypatch.delenv("ASSISTANT_LLM_URL", raising=False)
    if token is None:
        monkeypatch.delenv("ASSISTANT_MAINTAINER_TOKEN", raising=False)
    else:
        monkeypatch.setenv("ASSISTANT_MAINTAINER_TOKEN", token)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    return at


def _texts(at) -> list[str]:
    return [t.value for t in at.text]


# --- agent page ---------------------------------------------------------------------------------------------


def test_draft_appears_with_verified_citations_and_edits_are_checked_again(demo_settings, monkeypatch):
    at = _app(monkeypatch, demo_settings.index_dir)
    at.text_area(key="message").input(SEED_COMPLAINT).run()
    at.button(key="make_draft").click().run()
    assert not at.exception
    draft_text = at.text_area(key="edited").value
    assert "48213-0917" in draft_text and "Правил площадки)" in draft_text
    assert any(t.startswith("✓ п. ") and t.endswith("Правил площадки") for t in _texts(at))
    assert not any(t.startswith("✗") for t in _texts(at))
    assert any(e.label.startswith("Похожее обращение C-") for e in at.expander), "how similar cases were resolved"
    assert any(t.startswith("Почему показано: ") for t in _texts(at)), "and why each is shown"
    assert at.code[0].value == draft_text, "the copy box holds the draft"
    at.text_area(key="edited").input(draft_text + " Ценим вашу обратную связь, ожидайте.").run()
    assert any("Шаблонная фраза: ценим вашу обратную связь" in t for t in _texts(at))
    assert any(":red-background[Ценим вашу обратную связь]" in m.value for m in at.markdown), "highlighted in the text"


def test_accept_stores_the_reply_and_it_becomes_a_searchable_case(own_index, monkeypatch):
    at = _app(monkeypatch, own_index.index_dir, token=TOKEN)
    at.text_area(key="message").input("Посылку потеряли, прошло 15 дней после плановой даты. Кто заплатит?").run()
    at.selectbox(key="channel").set_value("почта")
    at.text_input(key="order").input("99117-0042").run()
    at.button(key="make_draft").click().run()
    draft_text = at.text_area(key="edited").value
    assert "99117-0042" in draft_text, "the order number typed beside the message is used"
    final = draft_text + " Расчёт пришлю сегодня до 18:00."
    at.text_area(key="edited").input(final).run()
    at.button(key="accept").click().run()
    assert not at.exception
    assert at.success and "Сохранено как A-" in at.success[0].value
    at.button(key="accept").click().run()
    assert "уже сохранён" in at.success[0].value, "a double click stores it once"
    assert len(load_accepted(own_index)) == 1
    record = load_accepted(own_index)[-1]
    assert record.reply == final and record.draft == draft_text and record.edited
    assert record.channel == "почта" and record.order == "99117-0042" and record.status == "ready"
    assert record.cited and record.points, "the citations and points are kept with the reply"
    assert {"op": "+", "text": "Расчёт пришлю сегодня до 18:00."} in record.edits

    at.radio(key="page").set_value("maintainer").run()
    at.text_input(key="token").input(TOKEN).run()
    at.button(key="add_accepted").click().run()
    assert not at.exception and "accepted (1)" in at.success[0].value
    case = Searcher.open(own_index).search("посылку потеряли кто заплатит", k=5).cases
    assert record.id in [h.id for h in case], "the accepted reply is now a past case"


def test_a_reply_whose_checks_fail_is_accepted_only_when_confirmed_and_waits_for_review(own_index, monkeypatch):
    at = _app(monkeypatch, own_index.index_dir, token=TOKEN)
    at.text_area(key="message").input("Посылку потеряли, прошло 15 дней после плановой даты. Кто заплатит?").run()
    at.button(key="make_draft").click().run()
    promise = at.text_area(key="edited").value + " Мы вернём вам деньги. Ценим вашу обратную связь."
    at.text_area(key="edited").input(promise).run()
    at.button(key="accept").click().run()
    warning = at.warning[0].value
    assert "недопустимые обещания" in warning and "шаблонные фразы" in warning, "the failed checks are named"
    assert not load_accepted(own_index), "nothing is stored before the confirmation"
    at.button(key="accept_anyway").click().run()
    (record,) = load_accepted(own_index)
    assert record.status == "review" and "проверки сопровождающим" in at.success[0].value
    at.radio(key="page").set_value("maintainer").run()
    at.text_input(key="token").input(TOKEN).run()
    at.button(key="add_accepted").click().run()
    assert any(record.id in w.value for w in at.warning), "held for review, and said so"
    assert record.id not in {c.id for c in Searcher.open(own_index).corpus.cases.values()}


def test_language_model_failure_is_said_and_the_composer_draft_shown(shared_index, monkeypatch):
    at = _app(monkeypatch, shared_index)
    at.text_area(key="message").input("Посылку потеряли, кто заплатит компенсацию?").run()
    at.radio(key="backend").set_value("llm").run()
    at.button(key="make_draft").click().run()
    assert "Языковая модель не дала годного черновика" in at.warning[0].value
    assert "(п. 2." in at.text_area(key="edited").value


def test_english_interface(shared_index, monkeypatch):
    at = _app(monkeypatch, shared_index, lang="en")
    assert at.title[0].value == "Reply to a customer"
    assert at.button(key="make_draft").label == "Draft a reply"


# --- seller page --------------------------------------------------------------------------------------------


def test_seller_sees_the_clause_with_reasons_and_a_permanent_link(shared_index, monkeypatch):
    at = _app(monkeypatch, shared_index, page="seller")
    at.text_area(key="situation").input("потеряли посылку, кто вернёт деньги").run()
    at.button(key="find").click().run()
    assert not at.exception
    heads = [m.value for m in at.markdown if m.value.startswith("**")]
    assert any(h.startswith("**Правила\\, п\\. 2\\.") and "версия 1" in h for h in heads), heads
    assert any(t.startswith("Совпали слова: ") for t in _texts(at))
    assert any(":orange-background[" in m.value for m in at.markdown), "the best sentence is highlighted"
    chances = [int(c.value.split(": ")[1].rstrip(" %")) for c in at.caption
               if c.value.startswith("Вероятность, что пункт подходит: ")]
    assert len(chances) == 5 and chances == sorted(chances, reverse=True), "each card says how likely it applies"
    links = [c.value for c in at.code]
    assert any(link.endswith("?page=seller&clause=rules%3A2.2") or "clause=rules%3A2." in link for link in links)


def test_a_permanent_link_opens_the_clause(shared_index, monkeypatch):
    at = _app(monkeypatch, shared_index, page="seller", clause="rules:2.3")
    assert "Открыт по ссылке" in [c.value for c in at.caption]
    assert any("Претензия о компенсации подаётся в течение 30 календарных дней" in t for t in _texts(at))
    at = _app(monkeypatch, shared_index, page="seller", clause="rules:9.9")
    assert "Пункта rules:9.9 нет" in at.warning[0].value


def test_rules_tree_with_search(shared_index, monkeypatch):
    at = _app(monkeypatch, shared_index, page="seller")
    assert any(e.label.startswith("2") for e in at.expander)
    at.text_input(key="tree_filter").input("литр").run()
    rows = [m.value for m in at.markdown]
    assert any("5 рублей за **литр**" in t for t in rows), "found, and the match marked"
    assert not any("Отправление считается утраченным" in t for t in rows)


def test_markup_in_a_document_is_shown_literally(shared_index, monkeypatch):
    at = _app(monkeypatch, shared_index, page="seller", clause="rules:4.3")
    assert any("<script>alert(1)</script>" in t and "<img src=x onerror=alert(2)>" in t for t in _texts(at))
    at.text_area(key="situation").input("текст script img звёзды").run()
    at.slider(key="k").set_value(20).run()
    at.button(key="find").click().run()
    shown = [m.value for m in at.markdown]
    assert any("\\<script\\>alert\\(1\\)\\<\\/script\\>" in m for m in shown), "escaped, so shown as characters"
    assert not any("<script>" in m or "**звёздами**" in m for m in shown)


# --- maintainer page ----------------------------------------------------------------------------------------


def test_maintainer_page_refuses_without_the_secret(shared_index, monkeypatch):
    at = _app(monkeypatch, shared_index, page="maintainer")
    assert "Раздел закрыт" in at.info[0].value
    assert not at.file_uploader and not at.button, "nothing to act on"
    at = _app(monkeypatch, shared_index, token=TOKEN, page="maintainer")
    at.text_input(key="token").input("wrong").run()
    assert "Неверный токен" in at.error[0].value
    assert not at.file_uploader and not at.button and not at.metric


def test_upload_shows_the_diff_and_publish_switches_atomically(own_index, monkeypatch):
    at = _app(monkeypatch, own_index.index_dir, token=TOKEN, page="maintainer")
    at.text_input(key="token").input(TOKEN).run()
    before = current_name(own_index.index_dir)
    at.file_uploader(key="upload").set_value(("rules-v2.md", CHANGED.encode(), "text/markdown")).run()
    at.text_input(key="upload_version").input("2").run()
    at.button(key="stage").click().run()
    assert not at.exception and not at.error
    assert "Добавлено 0, удалено 0, изменено 1" in " ".join(_texts(at))
    changed = [e for e in at.expander if e.label == "Изменён: Правила, п. 2.3"]
    assert changed and ":red[~~30~~] :green[**20**]" in changed[0].markdown[0].value
    shown = [m.value for m in at.markdown]
    row = shown.index("**T\\-1** · «Мою посылку потеряли\\, кто заплатит\\?»")
    assert ":red[~~30~~] :green[**20**]" in shown[row + 1], "past replies citing it, with what changed in the clause"
    assert current_name(own_index.index_dir) == before, "nothing is published before the button"
    at.button(key="publish").click().run()
    assert not at.exception and "Опубликовано: rules 2" in at.success[0].value
    assert current_name(own_index.index_dir) != before
    assert "в течение 20 календарных дней" in Searcher.open(own_index).corpus.clause("rules:2.3").text


def test_upload_limits_are_enforced(own_index, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "1")
    at = _app(monkeypatch, own_index.index_dir, token=TOKEN, page="maintainer")
    at.text_input(key="token").input(TOKEN).run()
    at.file_uploader(key="upload").set_value(("rules.md", b"1. " + b"x" * (2 * 2**20), "text/markdown")).run()
    assert "over the 1 MB limit" in at.error[0].value, "said as soon as the file is chosen"
    assert at.button(key="stage").disabled
    at.file_uploader(key="upload").set_value(("notes.md", "Просто текст без нумерации.".encode(), "text/markdown")).run()
    assert at.error and "numbering" in at.error[0].value
    assert not list((own_index.uploads_dir).glob("*")), "a refused upload is not kept"


def test_a_pdf_over_the_page_limit_is_refused(own_index, monkeypatch, tmp_path):
    from render import find_font, to_pdf

    if find_font() is None:
        pytest.skip("DejaVu fonts are needed to render a Cyrillic PDF (scripts/test.sh installs them)")
    pdf = tmp_path / "rules.pdf"
    to_pdf(RULES * 6, pdf)
    monkeypatch.setenv("ASSISTANT_MAX_PDF_PAGES", "1")
    at = _app(monkeypatch, own_index.index_dir, token=TOKEN, page="maintainer")
    at.text_input(key="token").input(TOKEN).run()
    at.file_uploader(key="upload").set_value(("rules.pdf", pdf.read_bytes(), "application/pdf")).run()
    assert at.error and "over the 1-page limit" in at.error[0].value
    assert not list(own_index.uploads_dir.glob("*"))


def test_rollback_and_statistics(own_index, monkeypatch):
    index_paths([write_rules(own_index.index_dir.parent / "v2", CHANGED)], own_index,
                overrides={"doc": "rules", "short": "Правила"})
    at = _app(monkeypatch, own_index.index_dir, token=TOKEN, page="maintainer")
    at.text_input(key="token").input(TOKEN).run()
    assert [m.label for m in at.metric][:2] == ["Пунктов", "Прошлых случаев"]
    at.selectbox(key="rollback_version").set_value("1").run()
    at.button(key="rollback").click().run()
    assert any(w.value.startswith("Опубликовать снова версию 1 документа «Правила»") for w in at.warning)
    assert "в течение 20 календарных дней" in Searcher.open(own_index).corpus.clause("rules:2.3").text, "asked first"
    at.button(key="rollback_confirm").click().run()
    assert not at.exception and "Опубликовано: rules 1" in at.success[0].value
    assert "в течение 30 календарных дней" in Searcher.open(own_index).corpus.clause("rules:2.3").text


def test_missing_index_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_INDEX", str(tmp_path / "none"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert "Индекс не найден" in at.error[0].value


def test_the_index_and_model_load_once_per_process(own_index, monkeypatch):
    opened = []
    real_open = Searcher.open.__func__

    def counting_open(cls, settings, *args, **kwargs):
        opened.append(settings.index_dir)
        return real_open(cls, settings, *args, **kwargs)

    monkeypatch.setattr(Searcher, "open", classmethod(counting_open))
    at = _app(monkeypatch, own_index.index_dir)
    for message in ("Посылку потеряли, кто заплатит компенсацию?", "Как вернуть товар надлежащего качества?"):
        at.text_area(key="message").input(message).run()
        at.button(key="make_draft").click().run()
        assert " Правил)" in at.text_area(key="edited").value
    assert opened == [own_index.index_dir], "one load for two queries"


def test_switching_to_a_language_model_uses_it_and_a_bad_citation_falls_back(shared_index, monkeypatch, chat_server):
    monkeypatch.setenv("ASSISTANT_LLM_URL", chat_server.url)
    monkeypatch.setenv("ASSISTANT_LLM_MODEL", chat_server.model)
    monkeypatch.setenv("ASSISTANT_INDEX", str(shared_index))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert "test-model" in " ".join(at.radio(key="backend").options)
    at.text_area(key="message").input("Посылку потеряли, кто заплатит компенсацию?").run()
    at.radio(key="backend").set_value("llm").run()
    Scripted.answers.append(("ok", reply("Посылка утрачена: площадка выплачивает компенсацию в размере цены "
                                         "товара [1].")))
    at.button(key="make_draft").click().run()
    assert any("· llm" in c.value for c in at.caption) and not at.warning, at.warning
    assert "(п. 2." in at.text_area(key="edited").value
    Scripted.answers.append(("ok", reply("Всё решено согласно [9].")))
    at.button(key="make_draft").click().run()
    assert any("· composer" in c.value for c in at.caption) and "evidence [9]" in at.warning[0].value


def test_accepting_an_emptied_draft_is_refused_and_stores_nothing(own_index, monkeypatch):
    at = _app(monkeypatch, own_index.index_dir)
    at.text_area(key="message").input("Посылку потеряли, кто заплатит компенсацию?").run()
    at.button(key="make_draft").click().run()
    at.text_area(key="edited").input("   ").run()
    at.button(key="accept").click().run()
    assert not at.exception and "the reply is empty" in at.error[0].value
    assert not load_accepted(own_index)


def test_wrong_tokens_lock_the_page_and_are_logged_without_the_token(shared_index, monkeypatch, caplog):
    import logging

    from assistant.ui import maintainer

    maintainer.throttle.clear()   # the counts live in the serving process, shared by every test here
    caplog.set_level(logging.INFO, logger="assistant.access")
    at = _app(monkeypatch, shared_index, token=TOKEN, page="maintainer")
    for n in range(5):
        at.text_input(key="token").input(f"guess-{n}").run()
    assert any("Слишком много неверных токенов" in e.value for e in at.error)
    at.run()
    assert not any(w.key == "token" for w in at.text_input), "no more tries while locked out"
    fresh = _app(monkeypatch, shared_index, token=TOKEN, page="maintainer")
    assert not any(w.key == "token" for w in fresh.text_input), "a new session from the same address is locked too"
    maintainer.throttle.clear()
    assert any("locked out" in r.getMessage() for r in caplog.records)
    assert not any("guess-" in r.getMessage() or TOKEN in r.getMessage() for r in caplog.records)

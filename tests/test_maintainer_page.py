"""The maintainer's page as a maintainer uses it (fast tier: indexes built with the fake embedder, driven by
streamlit.testing): which document an upload is a version of, large replacements confirmed, rollback and
deletion asked for by name, affected past replies as readable rows, statistics in the page's language."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant import maintain
from assistant.config import REPO_ROOT
from assistant.errors import AssistantError
from assistant.index import Index, index_paths
from assistant.index.store import current_name
from assistant.maintain import LARGE_CHANGE_SHARE, change_size, delete_version, guess_upload, run_evaluation
from docs import LAW, RULES_V2, run_cli, write_cases
from fakes import FakeEmbedder

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TOKEN = "maintainer-secret"
SELLER_RULES = (REPO_ROOT / "corpus" / "marketplace-rules-v2.md").read_bytes()
RULES_V3 = RULES_V2.replace("в течение 20 календарных дней", "в течение 45 календарных дней")


@pytest.fixture()
def demo_copy(fake_demo_settings, tmp_path):
    """The demo corpus (Правила площадки, Условия для покупателей) with the fake embedder, writable."""
    shutil.copytree(fake_demo_settings.index_dir, tmp_path / "index")
    return fake_demo_settings.with_(index_dir=tmp_path / "index")


def _page(monkeypatch, settings) -> AppTest:
    """The maintainer page over ``settings``' index, the token typed in."""
    monkeypatch.setenv("ASSISTANT_INDEX", str(settings.index_dir))
    monkeypatch.setenv("ASSISTANT_MAINTAINER_TOKEN", TOKEN)
    monkeypatch.delenv("ASSISTANT_MODEL", raising=False)
    monkeypatch.delenv("ASSISTANT_LLM_URL", raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(page="maintainer")
    at.run()
    at.text_input(key="token").input(TOKEN).run()
    assert not at.exception and not at.error
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    return at.file_uploader(key="upload").set_value((name, data, "text/markdown")).run()


def _versions(settings, doc: str) -> list[tuple[str, bool]]:
    with Index.open(settings.index_dir, vectors=False) as index:
        return [(d.version, d.published) for d in index.documents() if d.doc == doc]


# --- which document an upload is a version of ----------------------------------------------------------------


def test_the_guess_picks_the_document_the_file_is_a_version_of(demo_copy):
    assert guess_upload(demo_copy, "rules.md", SELLER_RULES).doc == "marketplace-rules"
    terms = (REPO_ROOT / "corpus" / "buyer-terms.md").read_text(encoding="utf-8")
    retitled = terms.replace("# Условия использования Маркетлайн для покупателей", "# Условия, редакция 2")
    guess = guess_upload(demo_copy, "terms.md", retitled.encode())
    assert guess.doc == "buyer-terms" and not guess.best.title and guess.best.words > 0.9
    unlike = guess_upload(demo_copy, "law.md", LAW.encode())
    assert unlike.doc is None, "no clear winner: the maintainer must choose"
    assert not list(demo_copy.uploads_dir.glob("*")), "guessing keeps no file"


def test_an_upload_preselects_its_document_and_says_why(demo_copy, fake_model_everywhere, monkeypatch):
    at = _page(monkeypatch, demo_copy)
    # the demo rules' English versions are current: nothing is quoted in the original for want of a translation
    assert any(c.value.startswith("Перевод «Marketplace Rules» (en): актуальны") and c.value.endswith(": —")
               for c in at.caption), [c.value for c in at.caption]
    assert at.selectbox(key="upload_doc").value is None, "no document is chosen before a file is"
    _upload(at, "seller-rules.md", SELLER_RULES)
    assert at.selectbox(key="upload_doc").value == "marketplace-rules"
    why = [c.value for c in at.caption if c.value.startswith("Похоже на")]
    assert why and why[0].startswith("Похоже на «Правила площадки»: тот же заголовок, совпадает 100 % номеров")
    at.selectbox(key="upload_doc").set_value("buyer-terms").run()
    assert any(w.value.startswith("Выбран «Условия для покупателей», но файл похож на «Правила площадки»")
               for w in at.warning)


def test_an_unclear_upload_makes_the_maintainer_choose(demo_copy, fake_model_everywhere, monkeypatch):
    at = _page(monkeypatch, demo_copy)
    _upload(at, "law.md", LAW.encode())
    assert at.selectbox(key="upload_doc").value is None
    assert any(w.value.startswith("Не удалось уверенно определить, чья это версия") for w in at.warning)
    assert at.button(key="stage").disabled, "nothing to stage until a document is chosen"
    at.selectbox(key="upload_doc").set_value("+").run()
    at.text_input(key="upload_new_doc").input("test-law").run()
    assert not at.button(key="stage").disabled


# --- a large replacement, rollback and deletion ------------------------------------------------------------


def test_replacing_most_of_a_document_needs_a_confirmation_naming_the_numbers(demo_copy, fake_model_everywhere,
                                                                              monkeypatch):
    """The reported accident: the seller rules published as the buyer terms. Now the page objects, asks for a
    confirmation with the numbers, and the wrong version can be rolled back and deleted."""
    at = _page(monkeypatch, demo_copy)
    _upload(at, "seller-rules.md", SELLER_RULES)
    at.selectbox(key="upload_doc").set_value("buyer-terms").run()
    at.text_input(key="upload_version").input("wrong-1").run()
    at.button(key="stage").click().run()
    assert not at.exception and not at.error
    with Index.open(demo_copy.index_dir, vectors=False) as index:
        total = next(d.n_clauses for d in index.documents(published_only=True) if d.doc == "buyer-terms")
    confirm = [c for c in at.checkbox if c.label.startswith("Да, заменить:")]
    assert len(confirm) == 1 and confirm[0].label.endswith(f"из {total} пунктов")
    assert "изменено" in confirm[0].label and not confirm[0].value
    assert any(w.value.startswith(f"Изменено больше 30 % из {total} пунктов опубликованной версии «Условия для "
                                  "покупателей»") for w in at.warning)
    assert at.button(key="publish").disabled, "Publish waits for the confirmation"
    confirm[0].check().run()
    assert not at.button(key="publish").disabled
    at.button(key="publish").click().run()
    assert not at.exception and "Опубликовано: buyer-terms wrong-1" in at.success[0].value
    assert _versions(demo_copy, "buyer-terms") == [("2026-09-01", False), ("wrong-1", True)]

    at.run()
    at.selectbox(key="rollback_doc").set_value("buyer-terms").run()
    at.selectbox(key="rollback_version").set_value("2026-09-01").run()
    at.button(key="rollback").click().run()
    ask = [w.value for w in at.warning if w.value.startswith("Опубликовать снова")]
    assert ask == ["Опубликовать снова версию 2026-09-01 документа «Условия для покупателей» вместо версии wrong-1? "
                   "Поиск и черновики сразу перейдут на неё."]
    assert _versions(demo_copy, "buyer-terms")[1] == ("wrong-1", True), "nothing changes before the answer"
    at.button(key="rollback_confirm").click().run()
    assert not at.exception and "Опубликовано: buyer-terms 2026-09-01" in at.success[0].value

    at.run()
    at.selectbox(key="rollback_version").set_value("wrong-1").run()
    at.button(key="delete_version").click().run()
    ask = [w.value for w in at.warning if w.value.startswith("Удалить версию")]
    assert len(ask) == 1 and ask[0].startswith("Удалить версию wrong-1 документа «Условия для покупателей» (")
    at.button(key="version_cancel").click().run()
    assert not any(w.value.startswith("Удалить версию") for w in at.warning), "cancelled"
    at.button(key="delete_version").click().run()
    at.button(key="delete_confirm").click().run()
    assert not at.exception and "Версия wrong-1 документа «Условия для покупателей» удалена." in at.success[0].value
    assert _versions(demo_copy, "buyer-terms") == [("2026-09-01", True)], "the wrong version is gone"
    at.run()
    assert not any(s.key == "rollback_version" for s in at.selectbox), "no other version left to choose"


def test_a_small_change_publishes_without_a_confirmation(fake_rules_copy, fake_model_everywhere, monkeypatch):
    at = _page(monkeypatch, fake_rules_copy)
    _upload(at, "rules-v3.md", RULES_V3.encode())
    assert at.selectbox(key="upload_doc").value == "rules"
    at.button(key="stage").click().run()
    assert not [c for c in at.checkbox if c.label.startswith("Да, заменить")]
    assert not at.button(key="publish").disabled


def test_the_published_version_cannot_be_deleted_and_a_deletion_is_atomic(fake_rules_copy):
    settings, embedder = fake_rules_copy, FakeEmbedder()
    before = current_name(settings.index_dir)
    with pytest.raises(AssistantError, match=r"2 is the published version of rules .* Versions that can be deleted: 1"):
        delete_version(settings, "rules", "2", embedder=embedder)
    with pytest.raises(AssistantError, match=r"rules has no version '7'; versions that can be deleted: 1"):
        delete_version(settings, "rules", "7", embedder=embedder)
    with pytest.raises(AssistantError, match=r"no document 'nope' in the index; known documents: law, rules"):
        delete_version(settings, "nope", "1", embedder=embedder)
    assert current_name(settings.index_dir) == before, "a refused deletion leaves the serving index alone"
    deleted = delete_version(settings, "rules", "1", embedder=embedder)
    assert deleted.clauses > 10 and current_name(settings.index_dir) == deleted.snapshot != before
    assert _versions(settings, "rules") == [("2", True)]
    assert sum(n for kind, n in embedder.calls if kind == "passages") == 0, "nothing is embedded again"


def test_cli_deletes_a_version(fake_rules_copy, monkeypatch, capsys):
    monkeypatch.setattr(maintain, "make_embedder", lambda model: FakeEmbedder())
    code, _, err = run_cli(capsys, "delete-version", "rules", "2", "--index", str(fake_rules_copy.index_dir))
    assert code == 2 and "cannot be deleted" in err and "Versions that can be deleted: 1" in err
    code, out, _ = run_cli(capsys, "delete-version", "rules", "1", "--index", str(fake_rules_copy.index_dir))
    assert code == 0 and out.startswith("deleted rules version 1 (")
    assert _versions(fake_rules_copy, "rules") == [("2", True)]


# --- past replies citing what changes ------------------------------------------------------------------------


def test_affected_past_replies_are_rows_with_the_message_the_change_and_a_link(fake_rules_copy, fake_model_everywhere,
                                                                              monkeypatch, tmp_path):
    hostile = {"id": "X-1", "message": "<script>alert(1)</script> Где **компенсация**?\nвторая строка",
               "reply": "Ответ.", "date": "2026-10-01", "cited": ["rules:2.3"]}
    index_paths([write_cases(tmp_path / "x", [hostile], name="hostile.jsonl")], fake_rules_copy,
                embedder=FakeEmbedder())
    at = _page(monkeypatch, fake_rules_copy)
    _upload(at, "rules-v3.md", RULES_V3.encode())
    at.button(key="stage").click().run()
    shown = [m.value for m in at.markdown]
    t1 = shown.index("**T\\-1** · «Мою посылку потеряли\\, кто заплатит\\?»")
    assert shown[t1 + 1].startswith("[Правила\\, п\\. 2\\.3](?page=seller&clause=rules%3A2.3): ")
    assert ":red[~~20~~] :green[**45**]" in shown[t1 + 1], "what changed in the cited clause"
    assert "rules:2.2" not in " ".join(shown), "a cited clause that did not change is not listed"
    x1 = [m for m in shown if m.startswith("**X\\-1**")]
    assert x1 == ["**X\\-1** · 2026\\-10\\-01 · «\\<script\\>alert\\(1\\)\\<\\/script\\> Где \\*\\*компенсация\\*\\*\\?»"]
    assert not any(e.label.startswith(("T-1", "X-1")) for e in at.expander), "no raw-id expanders"


# --- statistics ----------------------------------------------------------------------------------------------


@pytest.fixture()
def utc_plus_5(monkeypatch):
    """The server's clock in UTC+05:00 (a POSIX zone string: no tz database needed)."""
    monkeypatch.setenv("TZ", "<+05>-5")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


def test_statistics_speak_russian_and_local_time_and_charts_show_values_and_names(
        fake_rules_copy, fake_model_everywhere, monkeypatch, tmp_path, utc_plus_5):
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"id": "q1", "text": "Посылку потеряли, кто заплатит?", "gold": [{"doc": "rules", "clause": "2.2"}]},
        {"id": "q2", "text": "Сколько стоит хранение после 60 дней?", "gold": [{"doc": "rules", "clause": "4.2"}]},
        {"id": "q3", "text": "Можно вернуть товар надлежащего качества?", "gold": [{"doc": "rules", "clause": "3.1"}]},
    ]) + "\n", encoding="utf-8")
    monkeypatch.setattr(maintain, "EVAL_FILE", questions)
    at = _page(monkeypatch, fake_rules_copy)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Документ", "Версия", "Пунктов", "Опубликована", "Загружена", "Формат"]
    with Index.open(fake_rules_copy.index_dir, vectors=False) as index:
        created = next(d.created for d in index.documents() if d.doc == "rules" and d.version == "2")
    from datetime import datetime, timedelta

    local = (datetime.fromisoformat(created) + timedelta(hours=5)).strftime("%Y-%m-%d %H:%M")
    row = table[(table["Документ"] == "Правила · rules") & (table["Версия"] == "2")]
    assert list(row["Загружена"]) == [local] and list(row["Опубликована"]) == ["✓"]
    assert any("по часовому поясу сервера (UTC+05:00" in c.value for c in at.caption)

    at.button(key="eval_run").click().run()
    assert not at.exception and not at.error
    bar = at.get("progress")[0]
    assert bar.proto.value == 100 and bar.proto.text.startswith("Оценено 3 вопросов за "), "done, and how many"
    import pyarrow

    chart = at.get("vega_lite_chart")[-1].proto
    spec = json.loads(chart.spec)
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "text"], "each bar carries its value"
    assert spec["layer"][1]["encoding"]["text"]["field"] == "value"
    assert spec["layer"][0]["encoding"]["x"]["title"] == "Документ"
    (data,) = [pyarrow.ipc.open_stream(d.data.data).read_pandas() for d in chart.datasets]
    assert list(data["name"]) == ["Правила"], "documents by their short names, not ids"


def test_evaluation_reports_each_question(fake_rules_copy, fake_rules_searcher, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps({"id": str(i), "text": text, "gold": [{"doc": "rules", "clause": "2.2"}]},
                                              ensure_ascii=False)
                                   for i, text in enumerate(["посылку потеряли", "кто заплатит", "компенсация"])),
                         encoding="utf-8")
    seen = []
    result = run_evaluation(fake_rules_copy, fake_rules_searcher, questions,
                            progress=lambda stage, done, total: seen.append((stage, done, total)))
    assert seen == [("evaluate", n, 3) for n in range(4)] and result["questions"] == 3


def test_the_large_change_threshold_is_a_share_of_the_published_clauses():
    from assistant.diff import VersionDiff

    def size(added, removed, changed, unchanged):
        return change_size(VersionDiff("d", "1", "2", added=[None] * added, removed=[None] * removed,
                                       changed=[None] * changed, unchanged=unchanged))

    assert LARGE_CHANGE_SHARE == 0.3
    assert not size(0, 0, 3, 7).large and size(0, 1, 3, 6).large
    assert size(206, 4, 49, 67).total == 120
    assert not size(50, 0, 0, 0).large, "a new document replaces nothing"

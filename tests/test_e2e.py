"""End to end in a real headless Chromium: the app started by the test on a free loopback port.

Chromium is Debian's (``apt-get install chromium``; ``scripts/test.sh`` installs it when missing),
driven by Playwright for Python with ``executable_path`` — never ``playwright install``.
Screenshots of every step go to ``test-artifacts/e2e/``; load and draft timings to
``test-artifacts/e2e/timings.json`` (figures to read, not asserted: shared machines vary).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra: scripts/setup.sh test")
expect = playwright_api.expect

from assistant.accepted import load_accepted
from assistant.config import REPO_ROOT, Settings
from assistant.index.store import current_name
from assistant.retrieval import Searcher
from docs import SEED_COMPLAINT
from servers import streamlit

pytestmark = pytest.mark.browser
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
TOKEN = "e2e-maintainer-token"
WAIT = 90_000   # ms; the first draft loads the model on a 2-core machine
TIMINGS: dict[str, float] = {}


def _long_complaint(words: int = 300) -> str:
    """About ``words`` words of multi-issue complaints from our draft cases, for the draft-speed figure."""
    rows = [json.loads(line) for line in (REPO_ROOT / "eval" / "drafts.jsonl").read_text(encoding="utf-8").splitlines()]
    text = ""
    for row in rows:
        if row["kind"] == "multi" and len(text.split()) < words:
            text += " " + row["message"]
    return " ".join(text.split()[:words])


def _seed_complaint(shared: Path) -> str:
    """The seller's own words from the seed thread (everything before the support reply), else our paraphrase."""
    seed = shared / "seed" / "support-thread.txt"
    if not seed.exists():
        return SEED_COMPLAINT
    return seed.read_text(encoding="utf-8").split("\nЗдравствуйте!")[0].strip()


@pytest.fixture(scope="module")
def server(demo_settings, tmp_path_factory):
    """``streamlit run app.py`` over a copy of the demo index, so publishing here changes no other test."""
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it with apt-get)")
    index_dir = tmp_path_factory.mktemp("e2e") / "index"
    shutil.copytree(demo_settings.index_dir, index_dir)
    env = {**os.environ, "ASSISTANT_INDEX": str(index_dir), "ASSISTANT_MAINTAINER_TOKEN": TOKEN}
    env.pop("ASSISTANT_LLM_URL", None)
    log_path = tmp_path_factory.mktemp("e2e-log") / "streamlit.log"
    with streamlit(["-m", "streamlit", "run", "app.py"], env, log_path, REPO_ROOT) as url:
        yield url, Settings.resolve(index=index_dir)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=2))


def _shot(page, name: str, focus: str | None = None) -> None:
    """The 1280×800 viewport as a user sees it, scrolled to ``focus`` (a text on the page) when given."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if focus:
        page.get_by_text(focus).first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _idle(page) -> None:
    """Wait until Streamlit has finished the rerun an action started (its status widget goes away)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=WAIT)


def _open(page, url: str, key: str) -> None:
    started = time.perf_counter()
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=WAIT)
    TIMINGS.setdefault(key, round(time.perf_counter() - started, 2))


def _draft(page, url: str, message: str) -> None:
    _open(page, url, "first_paint_s")
    page.get_by_label("Сообщение клиента или продавца").fill(message)
    started = time.perf_counter()
    page.get_by_role("button", name="Подготовить ответ").click()
    page.get_by_text("Черновик ответа", exact=True).wait_for(timeout=WAIT)
    TIMINGS.setdefault("first_draft_s", round(time.perf_counter() - started, 2))


def test_the_seed_thread_pasted_whole_gets_a_draft_that_answers_the_seller(server, page, shared_dir):
    url, _ = server
    thread = (shared_dir / "seed" / "support-thread.txt").read_text(encoding="utf-8")
    _draft(page, url, thread)
    _shot(page, "01-seed-thread-draft")
    draft = page.get_by_label("Текст ответа (можно править, проверки обновятся)").input_value()
    assert "(п. 5.3.1 Правил площадки)" in draft and "(п. 5.3.3 Правил площадки)" in draft, draft
    assert "(п. 11.9 Правил площадки)" in draft and "по каждому пункту" in draft, draft
    assert len(draft.split()) < 160, len(draft.split())
    # the checks panel comes after the draft's text in the same run: wait for it rather than race it
    page.get_by_text("Все цитаты подтверждены, все вопросы отвечены, шаблонных фраз нет.").wait_for(timeout=WAIT)
    support = thread.split("\n")[3]   # «Используем шаблоны только при стандартных …»: support's words
    points = page.get_by_text(re.compile(r"^\d+\. "))
    assert points.count() >= 3 and not any(support[:40] in points.nth(i).inner_text() for i in range(points.count())), \
        "support's sentences are not the seller's points"
    page.get_by_text("Проверка последнего ответа поддержки в переписке").click()
    page.get_by_text("✗ Нет ответа на:").first.wait_for(timeout=WAIT)
    _shot(page, "01b-seed-thread-audit", "Проверка последнего ответа поддержки")


def test_the_audit_page_flags_the_seed_support_reply(server, page, shared_dir):
    url, _ = server
    lines = (shared_dir / "seed" / "support-thread.txt").read_text(encoding="utf-8").splitlines()
    _open(page, url + "/?page=check", "check_paint_s")
    page.get_by_label("Сообщение клиента или продавца").fill("\n".join(lines[:2]))
    page.get_by_label("Ответ, который нужно проверить").fill("\n".join(lines[2:10]))
    page.get_by_role("button", name="Проверить ответ").click()
    page.get_by_text("✗ Шаблонная фраза: ценим аргументированную обратную связь").wait_for(timeout=WAIT)
    assert page.get_by_text("✗ Нет ответа на:").count() >= 2
    _shot(page, "01c-audit-page", "Проверки")


def test_seed_complaint_gets_a_draft_with_verified_citations(server, page, shared_dir):
    url, _ = server
    _draft(page, url, _seed_complaint(shared_dir))
    _shot(page, "01-seed-draft")
    draft = page.get_by_label("Текст ответа (можно править, проверки обновятся)").input_value()
    assert "Правил площадки)" in draft, draft
    page.get_by_text(re.compile(r"^✓ п\. ")).first.wait_for(timeout=WAIT)
    assert page.get_by_text("✗ ").count() == 0, "no failed citation, unanswered point or canned phrase"
    assert page.get_by_text("Вопросы в сообщении").is_visible()
    # a second draft, warm (the model and index are loaded): a 300-word complaint
    page.get_by_label("Сообщение клиента или продавца").fill(_long_complaint())
    started = time.perf_counter()
    page.get_by_role("button", name="Подготовить ответ").click()
    box = page.get_by_label("Текст ответа (можно править, проверки обновятся)")
    expect(box).to_have_value(re.compile("48213-0917"), timeout=WAIT)
    TIMINGS["warm_draft_300_words_s"] = round(time.perf_counter() - started, 2)
    TIMINGS["warm_draft_300_words_server_s"] = float(
        page.get_by_text("Черновик готов за").inner_text().split("за ")[1].split(" ")[0])
    _shot(page, "02-second-draft", "Проверки")


def test_agent_edits_the_draft_and_accepts_it(server, page):
    url, settings = server
    _draft(page, url, SEED_COMPLAINT)
    box = page.get_by_label("Текст ответа (можно править, проверки обновятся)")
    edited = box.input_value() + " Ценим вашу обратную связь."
    box.fill(edited)
    box.press("Control+Enter")
    page.get_by_text("✗ Шаблонная фраза: ценим вашу обратную связь").first.wait_for(timeout=WAIT)
    _shot(page, "03-edited-flagged", "✗ Шаблонная фраза")
    edited = edited.replace(" Ценим вашу обратную связь.", " Расчёт компенсации пришлю сегодня до 18:00.")
    box.fill(edited)
    box.press("Control+Enter")
    page.get_by_text("✗ Шаблонная фраза").first.wait_for(state="detached", timeout=WAIT)
    page.get_by_role("button", name="Принять ответ").click()
    page.get_by_text("Сохранено как A-").wait_for(timeout=WAIT)
    _shot(page, "04-accepted", "Сохранено как A-")
    record = load_accepted(settings)[-1]
    assert record.reply == edited.strip() and record.edited
    assert record.cited, "the accepted reply keeps its verified citations"


def test_maintainer_uploads_a_changed_rules_file_and_publishes_it(server, page, tmp_path):
    url, settings = server
    rules = (REPO_ROOT / "corpus" / "marketplace-rules-v2.md").read_text(encoding="utf-8")
    changed = tmp_path / "marketplace-rules-v3.md"
    marker = "Пример разметки в тексте: <img src=x onerror=alert(1)> и <script>alert(2)</script>."
    old_sentence = next(line for line in rules.splitlines() if line.startswith("5.3.1."))
    changed.write_text(rules.replace(old_sentence, old_sentence + " " + marker), encoding="utf-8")
    before = current_name(settings.index_dir)

    _open(page, url + "/?page=maintainer", "maintainer_paint_s")
    token = page.get_by_label("Токен сопровождения")
    token.fill(TOKEN)
    token.press("Enter")
    _idle(page)
    page.get_by_text("Новая версия документа").wait_for(timeout=WAIT)
    page.get_by_label("Чья это версия").click()
    page.get_by_role("option", name="Правила площадки").click()
    _idle(page)
    version = page.get_by_label("Версия (по умолчанию — сегодняшняя дата)")
    version.fill("2026-12-01")
    version.press("Enter")
    _idle(page)
    page.locator("input[type=file]").set_input_files(str(changed))
    _idle(page)
    stage = page.get_by_role("button", name="Проверить файл и показать изменения")
    expect(stage).to_be_enabled(timeout=WAIT)
    stage.click()
    page.get_by_text("Изменён: Правила площадки, п. 5.3.1").wait_for(timeout=WAIT)
    assert page.get_by_text("изменено 1").count() == 1
    assert page.get_by_text("<img src=x onerror=alert(1)>", exact=False).count() >= 1, "markup shown as text"
    _shot(page, "05-upload-diff", "Изменён: Правила площадки, п. 5.3.1")
    assert current_name(settings.index_dir) == before, "not published yet"
    page.get_by_role("button", name="Опубликовать").click()
    page.get_by_text("Опубликовано: marketplace-rules 2026-12-01").wait_for(timeout=WAIT)
    _shot(page, "06-published", "Опубликовано:")
    assert current_name(settings.index_dir) != before
    assert marker in Searcher.open(settings).corpus.clause("marketplace-rules:5.3.1").text

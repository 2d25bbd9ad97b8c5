"""Personal data in logs: an agent's browser session with every logger at DEBUG leaves none of the person's
phone, e-mail, card, passport or ИНН in anything the app wrote.

Run: ``.venv/bin/python -m pytest -q tests/test_pii_logs.py`` (part of ``make hardening``; slow tier: the
real model, Streamlit and Debian's Chromium through Playwright, as in ``tests/test_e2e.py``).

The app runs with ``ASSISTANT_LOG_LEVEL=DEBUG`` (the root logger, ``assistant/logs.py``) and Streamlit's
``--logger.level=debug``. The agent drafts a reply to a message holding the five values, adds the phone to the
reply and accepts it. Then every byte the session produced is scanned for each value as typed, as bare digits
and in the usual spellings: the server's stdout and stderr, the index directory (``records.sqlite`` with its
WAL, every snapshot), Streamlit's folder in ``$HOME``, and ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra: scripts/setup.sh test")

from assistant.accepted import load_accepted
from assistant.config import REPO_ROOT, Settings
from assistant.privacy import _luhn
from servers import chromium, streamlit
from test_e2e import WAIT

pytestmark = [pytest.mark.browser, pytest.mark.hardening]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "pii"
PHONE, EMAIL, CARD = "+7 912 345-67-89", "olga.smirnova@example.ru", "4276 3801 2345 6787"
PASSPORT, INN = "45 10 739164", "500100732259"
MESSAGE = (f"Здравствуйте! Посылка по заказу № 48213-0917 потерялась, когда вернут деньги? Мой телефон {PHONE}, "
           f"почта {EMAIL}. Деньги верните на карту {CARD}. Паспорт {PASSPORT}, ИНН {INN}.")
#: Every spelling of each value that would give it away: as typed, digits only, and the digits in groups.
FORMS = {
    "phone": [PHONE, "9123456789", "912 345-67-89", "912-345-67-89", "(912) 345"],
    "e-mail": [EMAIL, "olga.smirnova", "smirnova@example"],
    "card": [CARD, CARD.replace(" ", ""), "3801 2345 6787", "380123456787"],
    "passport": [PASSPORT, "4510739164", "739164"],
    "ИНН": [INN, "500100 732259"],
}


def leaks(paths: list[Path]) -> dict[str, list[str]]:
    """``{file: [kind, …]}`` for every file under ``paths`` that holds a spelling of a value (UTF-8 bytes).

    >>> import tempfile; d = Path(tempfile.mkdtemp()); _ = (d / "log").write_text("call 9123456789")
    >>> leaks([d])
    {'log': ['phone']}
    """
    found: dict[str, list[str]] = {}
    for root in paths:
        files = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
        for path in files:
            data = path.read_bytes()
            kinds = [kind for kind, forms in FORMS.items() if any(f.encode() in data for f in forms)]
            if kinds:
                found[str(path.relative_to(root)) if path != root else path.name] = kinds
    return found


@pytest.fixture(scope="module")
def debug_server(demo_settings, tmp_path_factory):
    """``streamlit run app.py`` over a copy of the demo index, every logger at DEBUG, output to one file."""
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (scripts/test.sh installs it with apt-get)")
    index_dir = tmp_path_factory.mktemp("pii") / "index"
    shutil.copytree(demo_settings.index_dir, index_dir)
    log_path = tmp_path_factory.mktemp("pii-log") / "server.log"
    env = {**os.environ, "ASSISTANT_INDEX": str(index_dir), "ASSISTANT_LOG_LEVEL": "DEBUG"}
    for name in ("ASSISTANT_LLM_URL", "ASSISTANT_KEEP_PERSONAL_DATA", "ASSISTANT_DATABASE_URL"):
        env.pop(name, None)
    with streamlit(["-m", "streamlit", "run", "app.py", "--logger.level", "debug"], env, log_path, REPO_ROOT) as url:
        yield url, Settings.resolve(index=index_dir), log_path


def _accept(page, url: str) -> None:
    """The agent's session: paste the message, draft, add the phone to the reply, accept (confirming if asked)."""
    page.goto(url)
    page.get_by_label("Сообщение клиента или продавца").fill(MESSAGE)
    page.get_by_role("button", name="Подготовить ответ").click()
    page.get_by_text("Черновик ответа", exact=True).wait_for(timeout=WAIT)
    box = page.get_by_label("Текст ответа (можно править, проверки обновятся)")
    box.fill(box.input_value() + f" Перезвоним вам по номеру {PHONE}.")
    box.press("Control+Enter")
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Принять ответ").click()
    saved, anyway = page.get_by_text("Сохранено как A-"), page.get_by_role("button", name="Всё равно принять")
    saved.or_(anyway).first.wait_for(timeout=WAIT)
    if anyway.count():
        anyway.click()
    saved.wait_for(timeout=WAIT)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "accepted.png"))


def test_no_personal_data_reaches_logs_records_or_artifacts_with_logging_at_debug(debug_server):
    assert all(v in MESSAGE for v in (PHONE, EMAIL, CARD, PASSPORT, INN)) and _luhn(CARD.replace(" ", ""))
    url, settings, log_path = debug_server
    with chromium() as browser:
        _accept(browser.new_page(viewport={"width": 1280, "height": 800}, locale="ru-RU"), url)
    time.sleep(1.0)   # the server's last lines reach the file

    log = log_path.read_text(encoding="utf-8", errors="replace")
    assert "Beginning script thread" in log and re.search(r" DEBUG [\w.]+: ", log), \
        "Streamlit's loggers (their format has no level) and the root logger wrote at DEBUG, else this proves nothing"
    record = load_accepted(settings)[-1]
    assert "[телефон]" in record.message and "[e-mail]" in record.message and "[карта]" in record.message
    assert "[паспорт]" in record.message and "[ИНН]" in record.message and "[телефон]" in record.reply
    shutil.copy(log_path, ARTIFACTS / "server.log")
    home_streamlit = Path.home() / ".streamlit"
    assert leaks([log_path, settings.index_dir, home_streamlit, REPO_ROOT / "test-artifacts"]) == {}

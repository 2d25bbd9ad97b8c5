"""Personal data never leaves a person's own ticket: stored replies, past cases and every page are masked."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from assistant.accepted import accept, load_accepted
from assistant.config import Settings
from assistant.draft import draft
from assistant.index import index_paths
from assistant.maintain import add_accepted
from assistant.privacy import has_personal_data, mask
from assistant.records import open_store
from assistant.records.model import READY
from assistant.retrieval import Searcher
from docs import CASES, write_cases, write_rules

CARD = "4276 1234 5678 9014"   # passes the Luhn check, like a real card number
PERSONAL = [CARD, "+7 (912) 345-67-89", "ivan.petrov@mail.ru", "4510 123456", "7707083893"]
MESSAGE = (f"Посылку потеряли, прошло 15 дней. Деньги верните на карту {CARD}, звоните +7 (912) 345-67-89, "
           "почта ivan.petrov@mail.ru, паспорт 4510 123456, ИНН 7707083893. Кто заплатит?")
LEAK = re.compile(r"4276|912\D{0,3}345|ivan\.petrov|123456|7707083893")
BUYER_CASE = {"id": "B-1", "audience": "buyer", "message": f"Я покупатель, продавец прислал не тот товар, карта {CARD}",
              "reply": "Оформите возврат, деньги придут на карту 4276 1234 5678 9014.", "cited": []}
SELLER_CASE = {"id": "S-1", "audience": "seller", "message": "Я продавец, покупатель вернул товар не тот",
               "reply": "Откройте спор в течение 5 дней.", "cited": []}


@pytest.mark.parametrize("text", PERSONAL)
def test_each_kind_of_personal_data_is_masked(text):
    context = {"4510 123456": "паспорт 4510 123456", "7707083893": "ИНН 7707083893"}.get(text, text)
    assert has_personal_data(context) and text not in mask(context)


def test_order_numbers_sums_and_dates_are_not_personal_data():
    text = "Заказ № 48213-0917 от 12.10.2026 на 4 590 ₽, отправление 12345678901234"
    assert mask(text) == text


@pytest.fixture()
def small(tmp_path) -> Settings:
    settings = Settings.resolve(index=tmp_path / "index")
    index_paths([write_rules(tmp_path), write_cases(tmp_path, CASES + [BUYER_CASE, SELLER_CASE])], settings,
                overrides={"doc": "rules", "short": "Правила"})
    return settings


def _all_text(db_path: Path) -> str:
    db = sqlite3.connect(db_path)
    try:
        return "\n".join(str(v) for table in ("cases",) for row in db.execute(f"SELECT * FROM {table}") for v in row)
    finally:
        db.close()


def test_accepted_reply_and_the_case_made_from_it_hold_no_personal_data(small):
    searcher = Searcher.open(small)
    result = draft(searcher, MESSAGE)
    final = result.text + f" Компенсацию переведём на карту {CARD}."
    saved, _ = accept(small, result, final, result.checks, order="48213-0917")
    stored = load_accepted(small)[-1]
    assert stored.id == saved.id
    assert not LEAK.search(str(stored.to_dict())), "nothing personal in the stored record"
    assert "[карта]" in stored.message and "[телефон]" in stored.message and "[e-mail]" in stored.message
    raw = b"".join(p.read_bytes() for p in small.index_dir.glob("records.sqlite*"))   # the database and its WAL
    assert b"4276 1234" not in raw and "ivan.petrov".encode() not in raw, "not even in the database file"

    store = open_store(small)   # the request to refund to a card no rule answers: a maintainer approves it
    store.set_status([saved.id], READY)
    store.close()
    add_accepted(small)
    searcher = Searcher.open(small)
    snapshot = searcher.index.path
    assert not LEAK.search(_all_text(snapshot / "meta.sqlite"))
    hits = searcher.search("посылку потеряли, кто заплатит, деньги на карту", k=5).cases
    assert any(h.id == saved.id for h in hits)
    assert not any(LEAK.search(h.text + h.reply) for h in hits)


def test_cases_from_a_file_are_masked_when_indexed_unless_the_setting_keeps_them(small, tmp_path):
    searcher = Searcher.open(small)
    buyer = searcher.index.case("B-1")
    assert "[карта]" in buyer.message and CARD not in buyer.reply
    kept = small.with_(index_dir=tmp_path / "kept", keep_personal_data=True)
    index_paths([write_rules(tmp_path / "k"), write_cases(tmp_path / "k", [BUYER_CASE])], kept,
                overrides={"doc": "rules"})
    assert CARD in Searcher.open(kept).index.case("B-1").message


def test_seller_page_shows_no_buyer_case_and_no_personal_data(small, monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("ASSISTANT_INDEX", str(small.index_dir))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.query_params.update(page="seller")
    at.run()
    at.text_area(key="situation").input("Покупатель вернул не тот товар, продавец просит деньги на карту").run()
    at.button(key="find").click().run()
    assert not at.exception
    labels = [e.label for e in at.expander]
    assert any("S-1" in label for label in labels), "the seller's own past case is shown"
    assert not any("B-1" in label for label in labels), "a buyer's case is never shown to sellers"
    page = " ".join([t.value for t in at.text] + [m.value for m in at.markdown] + labels)
    assert not LEAK.search(page)

"""Deletion on request (152-ФЗ): a person's accepted replies leave the record store, and their past cases the index.

End to end with the fake embedder: two people get replies, both are accepted and added as past cases, one asks to
be forgotten by phone; their record and their case are gone, the other's remain.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assistant.accepted import accept, load_accepted
from assistant.draft import draft
from assistant.errors import AssistantError
from assistant.index.store import Index
from assistant.maintain import add_accepted, forget
from assistant.retrieval import Searcher
from assistant.retrieval.decline import NEVER_DECLINE
from docs import run_cli
from fakes import FakeEmbedder

TODAY = dt.date(2026, 11, 25)
IVAN = ("Моё отправление не доставлено, плановая дата была 1 ноября. Когда отправление считается утраченным? "
        "Мой телефон +7 (912) 345-67-89.")
ANNA = "Когда деньги за возвращённый товар перечисляются Покупателю? Пишите на anna.smirnova@example.com."


@pytest.fixture()
def two_people(fake_rules_copy):
    """Both people's replies accepted and added as past cases; returns (settings, Ivan's id, Anna's id)."""
    base = Searcher.open(fake_rules_copy, embedder=FakeEmbedder())
    searcher = Searcher(base.corpus, base.embedder, calibration=NEVER_DECLINE)   # the fake vectors never convince
    ids = []
    for message, order in ((IVAN, "48213-0917"), (ANNA, "55501-0001")):
        d = draft(searcher, message, today=TODAY)
        saved, created = accept(fake_rules_copy, d, d.text, d.checks, order=order)
        assert created and saved.status == "ready", d.checks.failures()
        ids.append(saved.id)
    add_accepted(fake_rules_copy, embedder=FakeEmbedder())
    cases = {c.id for c in Index.open(fake_rules_copy.index_dir, vectors=False).cases()}
    assert set(ids) <= cases, "both replies are past cases before the request"
    return fake_rules_copy, ids[0], ids[1]


def _cases(settings) -> set[str]:
    return {c.id for c in Index.open(settings.index_dir, vectors=False).cases()}


def test_forgetting_one_person_by_phone_removes_their_record_and_case_and_keeps_the_others(two_people):
    settings, ivan, anna = two_people
    before = Index.open(settings.index_dir, vectors=False).path.name
    report = forget(settings, phone="8 912 345 67 89", embedder=FakeEmbedder())   # written another way
    assert report.records == [ivan] and report.cases == [ivan]
    assert report.snapshot and report.snapshot != before, "a new snapshot is published without the case"
    assert [r.id for r in load_accepted(settings)] == [anna]
    assert ivan not in _cases(settings) and anna in _cases(settings)
    assert {"T-1", "T-2"} <= _cases(settings), "cases from other files stay"
    hits = Searcher.open(settings, embedder=FakeEmbedder()).search(IVAN, k=10).cases
    assert ivan not in {h.id for h in hits}, "search no longer finds the forgotten case"


def test_forgetting_by_email_or_order_finds_the_same_person(two_people):
    settings, ivan, anna = two_people
    assert forget(settings, email="Anna.Smirnova@Example.com", embedder=FakeEmbedder()).records == [anna]
    assert forget(settings, order="№ 48213-0917", embedder=FakeEmbedder()).records == [ivan]
    assert load_accepted(settings) == [] and not ({ivan, anna} & _cases(settings))


def test_nobody_found_changes_nothing(two_people):
    settings, ivan, anna = two_people
    before = Index.open(settings.index_dir, vectors=False).path.name
    report = forget(settings, phone="+7 900 000-00-00", embedder=FakeEmbedder())
    assert report.records == [] and report.cases == [] and report.snapshot is None
    assert Index.open(settings.index_dir, vectors=False).path.name == before
    assert {r.id for r in load_accepted(settings)} == {ivan, anna}


def test_a_reply_not_yet_added_as_a_case_is_deleted_and_nothing_new_is_added(two_people):
    settings, ivan, anna = two_people
    base = Searcher.open(settings, embedder=FakeEmbedder())
    searcher = Searcher(base.corpus, base.embedder, calibration=NEVER_DECLINE)
    d = draft(searcher, "Какая плата взимается после 60 дней хранения? Телефон +7 999 111-22-33.", today=TODAY)
    late, _ = accept(settings, d, d.text, d.checks)
    other = draft(searcher, "Сколько стоит хранение после 60 дней? Почта oleg@example.com.", today=TODAY)
    waiting, _ = accept(settings, other, other.text, other.checks)
    report = forget(settings, phone="+7 999 111-22-33", embedder=FakeEmbedder())
    assert report.records == [late.id] and report.cases == [] and report.snapshot is None
    assert waiting.id not in _cases(settings), "a reply waiting for «add accepted replies» is not added by forget"
    assert waiting.id in {r.id for r in load_accepted(settings)}


def test_the_deleted_text_is_not_left_in_the_database_file_or_its_wal(two_people):
    """SQLite leaves deleted rows in freed pages unless built or told otherwise, and the WAL keeps the pages as they
    were written while any other process (the app) holds the database open."""
    import sqlite3

    settings, ivan, anna = two_people
    app = sqlite3.connect(settings.records_file)   # an idle reader, as the running app is
    try:
        app.execute("SELECT count(*) FROM accepted").fetchone()
        assert "плановая дата была 1 ноября".encode() in _raw(settings), "the text is there before"
        forget(settings, phone="+7 912 345 67 89", embedder=FakeEmbedder())
        assert "плановая дата была 1 ноября".encode() not in _raw(settings)
        assert "перечисляются Покупателю".encode() in _raw(settings), "the other person's reply is kept"
    finally:
        app.close()


def _raw(settings) -> bytes:
    return b"".join(p.read_bytes() for p in settings.index_dir.glob("records.sqlite*"))   # the database, its WAL


@pytest.mark.parametrize("kwargs, says", [({}, "e-mail, a phone number or an order number"),
                                          ({"phone": "12-34"}, "not a phone number"),
                                          ({"email": "anna"}, "not an e-mail address")])
def test_a_request_without_a_usable_identifier_is_refused(fake_rules_copy, kwargs, says):
    with pytest.raises(AssistantError, match=says):
        forget(fake_rules_copy, **kwargs)


def test_the_cli_forgets_by_phone_and_reports_in_json(two_people, capsys, monkeypatch):
    from assistant.index import build

    settings, ivan, anna = two_people
    monkeypatch.setattr(build, "make_embedder", lambda spec: FakeEmbedder())
    code, out, err = run_cli(capsys, "forget", "--phone", "+79123456789", "--index", str(settings.index_dir), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["records"] == [ivan] and report["cases"] == [ivan] and report["snapshot"]
    code, out, err = run_cli(capsys, "forget", "--email", "anna.smirnova@example.com", "--index",
                             str(settings.index_dir))
    assert code == 0 and "1 accepted reply" in out and anna in out
    code, _, err = run_cli(capsys, "forget", "--index", str(settings.index_dir))
    assert code == 2 and "e-mail, a phone number or an order number" in err

"""Accepted replies: masked, idempotent, collision-free, and whole under concurrent writers and kills."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.records import AcceptedReply, open_store
from assistant.records.model import REVIEW, reply_key, subject_key, subjects_of
from assistant.records.sqlite import SqliteStore


def _reply(i: int, size: int = 100, **kw) -> AcceptedReply:
    head = f"ответ {i} "
    text = head + "х" * max(0, size - len(head))
    return AcceptedReply(id=f"A-{os.getpid()}-{i}-{time.monotonic_ns()}", accepted_at="2026-12-01T10:00:00+00:00",
                         message=f"сообщение {i}", reply=text, key=reply_key(f"сообщение {i}", text), **kw)


def test_the_same_reply_accepted_twice_is_stored_once(tmp_path):
    store = SqliteStore(tmp_path / "records.sqlite")
    first, created = store.add(_reply(1))
    again, created_again = store.add(_reply(1))
    assert created and not created_again and again.id == first.id
    assert [r.id for r in store.accepted()] == [first.id]


def test_review_status_and_deletion_by_subject(tmp_path):
    store = SqliteStore(tmp_path / "records.sqlite")
    keys = subjects_of("пишите ivan@mail.ru или +7 912 345-67-89", ["48213-0917"])
    kept, _ = store.add(_reply(1))
    gone, _ = store.add(_reply(2, status=REVIEW, subjects=keys))
    assert [r.id for r in store.accepted(REVIEW)] == [gone.id]
    assert store.forget([subject_key("phone", "8 (912) 345 67 89")]) == [gone.id]
    assert [r.id for r in store.accepted()] == [kept.id]


def _writer(path: str, worker: int, n: int) -> None:
    store = SqliteStore(Path(path))
    for i in range(n):
        size = 100 if i % 3 else 64 * 1024   # short lines and 64 KB ones
        store.add(_reply(worker * 10_000 + i, size=size))


@pytest.mark.slow   # eight processes
def test_eight_processes_accept_200_replies_each_and_none_is_lost_or_torn(tmp_path):
    path = tmp_path / "records.sqlite"
    SqliteStore(path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(str(path), w, 200)) for w in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    stored = SqliteStore(path).accepted()
    assert len(stored) == 1600 and len({r.id for r in stored}) == 1600
    assert all(r.reply.startswith("ответ ") and len(r.reply) in (100, 64 * 1024) for r in stored), "every record whole"


KILLED_WRITER = """
from pathlib import Path
from assistant.records import AcceptedReply
from assistant.records.model import reply_key
from assistant.records.sqlite import SqliteStore
store = SqliteStore(Path({path!r}))
i = 0
while True:
    text = "х" * (64 * 1024)
    store.add(AcceptedReply(id=f"A-{{i}}", accepted_at="2026-12-01", message=str(i), reply=text,
                            key=reply_key(str(i), text)))
    print(i, flush=True)
    i += 1
"""


@pytest.mark.slow   # kills a writer process
def test_a_kill_mid_accept_loses_at_most_the_record_in_flight(tmp_path):
    path = tmp_path / "records.sqlite"
    code = KILLED_WRITER.format(path=str(path))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    confirmed = -1
    deadline = time.time() + 60
    while confirmed < 30 and time.time() < deadline:
        confirmed = int(proc.stdout.readline())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert confirmed >= 30, "the writer was killed mid-way through storing, not before it started"
    stored = SqliteStore(path).accepted()
    assert len(stored) >= confirmed + 1, "every reply the writer saw stored is still there"
    assert all(len(r.reply) == 64 * 1024 for r in stored)
    store = SqliteStore(path)
    store.add(_reply(99_999))
    assert len(store.accepted()) == len(stored) + 1, "the next reply is stored after the kill"


class _FullDisk:
    """A connection whose writes fail the way SQLite reports a full disk."""

    def __init__(self, db):
        self.db = db

    def execute(self, sql, *args):
        if sql.lstrip().upper().startswith("INSERT"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.db, name)


def test_a_full_disk_is_a_clear_error_and_keeps_what_was_stored(tmp_path, monkeypatch):
    from assistant.errors import AssistantError
    from assistant.records import sqlite as module

    store = SqliteStore(tmp_path / "records.sqlite")
    kept, _ = store.add(_reply(1))
    real = module.sqlite3.connect
    monkeypatch.setattr(module.sqlite3, "connect", lambda *a, **k: _FullDisk(real(*a, **k)))
    with pytest.raises(AssistantError, match="free disk space"):
        store.add(_reply(2))
    monkeypatch.setattr(module.sqlite3, "connect", real)
    assert [r.id for r in store.accepted()] == [kept.id]


def test_open_store_picks_sqlite_without_a_database_url(tmp_path):
    store = open_store(Settings.resolve(index=tmp_path / "index"))
    assert isinstance(store, SqliteStore) and store.path == tmp_path / "index" / "records.sqlite"

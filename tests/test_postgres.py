"""Issue #13, section 2: the PostgreSQL record store (``ASSISTANT_DATABASE_URL``), against a real server the test
starts (Debian's postgresql: initdb into a temporary directory, pg_ctl on a free loopback port, run as the
``postgres`` user when the tests run as root). Skipped, saying what to install, without PostgreSQL or psycopg.

Slow: a server and several writer processes are started."""

from __future__ import annotations

import multiprocessing
import os
import time

import pytest

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.records import AcceptedReply, open_store
from assistant.records.model import READY, REVIEW, reply_key, subject_key, subjects_of

pytest.importorskip("psycopg", reason="psycopg is not installed: pip install 'support-assistant[postgres]'")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres():
    from servers import start_postgres

    server, why = start_postgres()
    if server is None:
        pytest.skip(why)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def database(postgres):
    """A fresh database of the test server for one test."""
    import psycopg

    name = f"t{os.getpid()}_{time.monotonic_ns()}"
    with psycopg.connect(postgres.url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return postgres.url.rsplit("/", 1)[0] + f"/{name}"


def _reply(i: int, size: int = 100, **kw) -> AcceptedReply:
    head = f"ответ {i} "
    text = head + "х" * max(0, size - len(head))
    return AcceptedReply(id=f"A-{os.getpid()}-{i}-{time.monotonic_ns()}", accepted_at="2026-12-01T10:00:00+00:00",
                         message=f"сообщение {i}", reply=text, key=reply_key(f"сообщение {i}", text), **kw)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    """The same tests for both back ends, each chosen by the settings as the app chooses it."""
    if request.param == "sqlite":
        return open_store(Settings(index_dir=tmp_path))
    url = request.getfixturevalue("database")
    chosen = open_store(Settings(index_dir=tmp_path, database_url=url))
    assert type(chosen).__name__ == "PostgresStore"
    return chosen


def test_the_interface_behaves_the_same_on_both_back_ends(store):
    keys = subjects_of("пишите ivan@mail.ru или +7 912 345-67-89", ["48213-0917"])
    first, created = store.add(_reply(1, edits=({"op": "+", "text": "вам"},), cited=("rules:2.1",)))
    again, created_again = store.add(_reply(1))
    assert created and not created_again and again == first        # stored once, returned whole
    gone, _ = store.add(_reply(2, status=REVIEW, subjects=keys))
    assert [r.id for r in store.accepted()] == [first.id, gone.id]
    assert [r.id for r in store.accepted(REVIEW)] == [gone.id]
    assert store.set_status([gone.id], READY) == 1 and not store.accepted(REVIEW)
    assert store.forget([subject_key("phone", "8 (912) 345 67 89")]) == [gone.id]
    assert [r.id for r in store.accepted()] == [first.id] and store.forget(keys) == []
    store.close()


def _writer(url: str, worker: int, n: int, shared: int, out) -> None:
    from assistant.records.postgres import PostgresStore

    store = PostgresStore(url)
    created = []
    for i in range(n):
        reply, new = store.add(_reply(worker * 10_000 + i, size=100 if i % 3 else 64 * 1024))
        created.append((reply.key, new))
    for i in range(shared):   # the same replies accepted by every worker at about the same time
        text = f"общий ответ {i}"
        reply = AcceptedReply(id=f"S-{worker}-{i}", accepted_at="2026-12-01T10:00:00+00:00", message=f"общее {i}",
                              reply=text, key=reply_key(f"общее {i}", text))
        created.append((reply.key, store.add(reply)[1]))
    out.put(created)


def test_six_processes_accept_at_once_and_no_reply_is_lost_or_doubled(database):
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(database, w, 60, 15, out)) for w in range(6)]
    for p in procs:
        p.start()
    results = [out.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    from assistant.records.postgres import PostgresStore

    stored = PostgresStore(database).accepted()
    assert len(stored) == 6 * 60 + 15 and len({r.key for r in stored}) == len(stored)
    created = [key for result in results for key, new in result if new]
    assert sorted(created) == sorted(r.key for r in stored)          # each stored reply was created exactly once
    assert all(len(r.reply) in (100, 64 * 1024) or r.reply.startswith("общий") for r in stored)


def test_a_wrong_url_or_a_server_that_is_down_is_one_clear_error(tmp_path):
    from servers import free_port

    with pytest.raises(AssistantError, match="is not a PostgreSQL URL"):
        open_store(Settings(index_dir=tmp_path, database_url="mysql://x@y/z"))
    url = f"postgresql://app:s3cret@127.0.0.1:{free_port()}/assistant"
    with pytest.raises(AssistantError, match="cannot reach the record store") as err:
        open_store(Settings(index_dir=tmp_path, database_url=url))
    assert "s3cret" not in str(err.value) and "***" in str(err.value)
    assert "s3cret" not in repr(Settings(database_url=url))

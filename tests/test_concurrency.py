"""Concurrency: readers searching while versions are published and rolled back; agents accepting replies at once.

Run: ``.venv/bin/python -m pytest -q tests/test_concurrency.py`` (part of ``make hardening``; slow tier: it
starts processes). Indexes are built with the fake embedder (``tests/fakes.py``).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.accepted import load_accepted
from assistant.config import Settings
from assistant.index import index_paths, rollback
from assistant.index.store import Index, current_name
from docs import RULES_OVERRIDES, RULES_V2, write_rules
from fakes import FakeEmbedder

pytestmark = [pytest.mark.hardening, pytest.mark.slow]
TESTS = Path(__file__).resolve().parent
READERS, ROUNDS = 4, 5
QUERIES = ["Сколько стоит хранение товара на складе после 60 дней?", "Маркировка партии проверяется на складе",
           "Посылку потеряли, кто заплатит компенсацию?", "В какой срок подаётся претензия о компенсации?"]


def _rules_v3() -> str:
    """Version 3 of the test rules: clause 4.2 changed, a section 5 added."""
    points = "\n\n".join(f"5.{i}. Маркировка партии номер {i} проверяется на складе {i * 3} раза в месяц."
                         for i in range(1, 11))
    return RULES_V2.replace("5 рублей за литр", "7 рублей за литр") + f"\n## 5. Маркировка\n\n{points}\n"


# --- readers during publish ------------------------------------------------------------------------------------

def _reader(index_dir: str, slot: int, seen, stop, out) -> None:
    """Search ``QUERIES`` in a loop, reopening the searcher when ``CURRENT`` moves (as the app's cached searcher
    does), until ``stop``. Reports searches, errors, results that mix versions, and each clause's text by version.

    ``seen[slot]`` counts the snapshots this reader has searched."""
    from assistant.retrieval import Searcher

    settings = Settings.resolve(index=index_dir)
    report = {"searches": 0, "errors": [], "mixed": [], "stale": [], "texts": {}, "snapshots": []}
    held, searcher, i, fresh = None, None, 0, False
    while not stop.is_set():
        try:
            name = current_name(settings.index_dir)
            if name != held:
                searcher, held = Searcher.open(settings, embedder=FakeEmbedder()), name
                fresh = True
            published = searcher.corpus.index.manifest["documents"]["rules"]
            result = searcher.search(QUERIES[i % len(QUERIES)], k=8)
            i += 1
            versions = {h.version for h in result.clauses if h.doc == "rules"}
            if len(versions) > 1:
                report["mixed"].append(sorted(versions))
            if versions - {published}:
                report["stale"].append((sorted(versions), published))
            for h in result.clauses:
                if h.doc == "rules":
                    report["texts"].setdefault(f"{h.version} {h.id}", set()).add(h.text)
            report["searches"] += 1
            if fresh:
                report["snapshots"].append(searcher.corpus.index.name)
                seen[slot] += 1
                fresh = False
        except Exception as exc:  # noqa: BLE001 - every failure is counted, and the test shows them
            report["errors"].append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.05)
    report["texts"] = {k: sorted(v) for k, v in report["texts"].items()}
    out.put(report)


def _wait_all(seen, at_least: int, procs, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while min(seen[:]) < at_least:
        assert all(p.is_alive() for p in procs), "a reader died"
        assert time.monotonic() < deadline, f"readers saw {list(seen[:])} snapshots, expected {at_least} each"
        time.sleep(0.05)


def test_readers_never_fail_nor_mix_versions_while_a_version_is_published_and_rolled_back(fake_rules_copy,
                                                                                          tmp_path):
    """Four reader processes search without pause while version 3 is published and version 2 restored, five
    times each, with ``keep_snapshots=1``: every build prunes the snapshot the readers were holding."""
    settings = fake_rules_copy.with_(keep_snapshots=1)
    v3 = write_rules(tmp_path / "v3", _rules_v3())
    ctx = multiprocessing.get_context("spawn")
    seen, stop, out = ctx.Array("i", READERS), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_reader, args=(str(settings.index_dir), r, seen, stop, out)) for r in range(READERS)]
    for p in procs:
        p.start()
    published = 1
    try:
        _wait_all(seen, published, procs)
        for n in range(ROUNDS):
            if n == 0:
                index_paths([v3], settings, embedder=FakeEmbedder(), overrides={**RULES_OVERRIDES, "version": "3"})
            else:
                rollback(settings, "rules", "3", embedder=FakeEmbedder())
            published += 1
            _wait_all(seen, published, procs)
            rollback(settings, "rules", "2", embedder=FakeEmbedder())
            published += 1
            _wait_all(seen, published, procs)
    finally:
        stop.set()
        reports = [out.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(30)

    assert [r["errors"] for r in reports] == [[]] * READERS, "no search failed"
    assert [r["mixed"] for r in reports] == [[]] * READERS, "no result mixed clauses of two versions"
    assert [r["stale"] for r in reports] == [[]] * READERS, "every hit is of the version its snapshot published"
    assert all(len(r["snapshots"]) >= 2 * ROUNDS + 1 for r in reports), [len(r["snapshots"]) for r in reports]
    index = Index.open(settings.index_dir)
    truth = {f"{c.version} {c.id}": c.full_text() for v in ("2", "3") for c in index.clauses("rules", v)}
    for r in reports:
        assert {k: v for k, v in r["texts"].items() if v != [truth[k]]} == {}, "each clause's text is its version's"
    versions = {k.split()[0] for r in reports for k in r["texts"]}
    assert versions == {"2", "3"}, "the readers searched both versions"
    assert index.published_version("rules") == "2" and current_name(settings.index_dir) == index.name
    print(f"\nreaders: {[r['searches'] for r in reports]} searches over {2 * ROUNDS} publishes, 0 errors, 0 mixed")


# --- accepted replies under concurrency -------------------------------------------------------------------------

MESSAGE = ("Здравствуйте, мою посылку потеряли, кто заплатит компенсацию? Звоните +7 912 345-67-89, "
           "пишите ivan.petrov@mail.ru.")
WORKERS, PER_WORKER = 8, 200
SIZES = (100, 64 * 1024)


def reply_text(worker: int, i: int, size: int) -> str:
    """A reply of exactly ``size`` UTF-8 bytes that says who wrote it and ends with a checksum of its body, so a
    torn or mixed record cannot pass for a whole one.

    >>> text = reply_text(3, 7, 1000); len(text.encode()), parse_reply(text)
    (1000, (3, 7, 1000))
    """
    head = f"Ответ {worker}-{i} размер {size}: "
    body_bytes = size - len(head.encode()) - len(" конец 00000000.".encode())
    body = ("компенсация выплачивается по пункту два " * (size // 40 + 1)).encode()[:body_bytes].decode("utf-8",
                                                                                                      "ignore")
    body += "." * (body_bytes - len(body.encode()))
    return f"{head}{body} конец {hashlib.sha256(body.encode()).hexdigest()[:8]}."


def parse_reply(text: str) -> tuple[int, int, int] | None:
    """(worker, i, size) of a whole reply written by ``reply_text``; None for a torn or altered one."""
    try:
        head, rest = text.split(": ", 1)
        body, tail = rest.rsplit(" конец ", 1)
        _, ids, _, size = head.split(" ")
        worker, i = (int(x) for x in ids.split("-"))
    except ValueError:
        return None
    whole = tail == hashlib.sha256(body.encode()).hexdigest()[:8] + "." and len(text.encode()) == int(size)
    return (worker, i, int(size)) if whole else None


def _size(worker: int, i: int) -> int:
    """Sizes spread evenly on a log scale from 100 bytes to 64 KB."""
    lo, hi = SIZES
    return int(lo * (hi / lo) ** (((worker * 37 + i * 11) % 200) / 199))


def _drafted(index_dir: str, records_dir: str):
    """A real draft of ``MESSAGE`` over the fake-embedder index, and settings whose record store is ``records_dir``."""
    from assistant.draft import draft
    from assistant.retrieval import Searcher

    searcher = Searcher.open(Settings.resolve(index=index_dir), embedder=FakeEmbedder())
    return draft(searcher, MESSAGE), Settings.resolve(index=records_dir)


def _accepter(index_dir: str, records_dir: str, worker: int, n: int, start) -> None:
    """Accept ``n`` replies through ``accepted.accept``, as the agents' page does after «Принять»."""
    from assistant.accepted import accept

    d, settings = _drafted(index_dir, records_dir)
    start.wait(300)
    for i in range(n):
        accept(settings, d, reply_text(worker, i, _size(worker, i)), d.checks, channel="chat")


def test_eight_processes_accept_200_replies_each_through_accept_and_every_one_is_stored_whole(
        fake_rules_settings, tmp_path):
    """Through ``assistant.accepted.accept`` (the page's path: masking, word diff, subject keys, the SQLite
    store), not the store's ``add`` alone: each process makes one real draft with the fake embedder, then
    accepts 200 different final texts of 100 bytes to 64 KB against it (the draft's own checks are passed
    for every text: what is tested is storage, not the checks). All eight start together on a barrier."""
    records = tmp_path / "records"
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(WORKERS)
    procs = [ctx.Process(target=_accepter, args=(str(fake_rules_settings.index_dir), str(records), w, PER_WORKER,
                                                 start)) for w in range(WORKERS)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(600)
    assert [p.exitcode for p in procs] == [0] * WORKERS

    stored = load_accepted(Settings.resolve(index=records))
    assert len(stored) == WORKERS * PER_WORKER and len({r.id for r in stored}) == len(stored), "none lost or merged"
    parsed = {parse_reply(r.reply) for r in stored}
    expected = {(w, i, _size(w, i)) for w in range(WORKERS) for i in range(PER_WORKER)}
    assert parsed == expected, "every reply is stored whole, byte for byte"
    assert min(s for *_, s in parsed) == 100 and max(s for *_, s in parsed) == 64 * 1024
    assert all("912" not in r.message and "ivan.petrov" not in r.message for r in stored), "stored masked"
    with sqlite3.connect(records / "records.sqlite") as db:
        rows = [json.loads(r[0]) for r in db.execute("SELECT record FROM accepted")]
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(rows) == len(stored), "every record is parseable JSON"


KILLED_ACCEPTER = """
import sys
sys.path.insert(0, {tests!r})
from test_concurrency import _drafted, reply_text
from assistant.accepted import accept
d, settings = _drafted({index!r}, {records!r})
i = 0
while True:
    saved, _ = accept(settings, d, reply_text(0, i, 64 * 1024 if i % 2 else 100), d.checks)
    print(i, saved.id, flush=True)
    i += 1
"""


def test_a_kill_mid_accept_loses_at_most_the_reply_in_flight(fake_rules_settings, tmp_path):
    """A process accepting through ``accept`` is killed with SIGKILL after at least 20 confirmed replies: every
    confirmed one is stored whole, at most one more (the one in flight) is, the file is intact, and the next
    accept works."""
    records = tmp_path / "records"
    code = KILLED_ACCEPTER.format(tests=str(TESTS), index=str(fake_rules_settings.index_dir), records=str(records))
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(TESTS)})
    confirmed: dict[int, str] = {}
    deadline = time.monotonic() + 300
    while len(confirmed) < 20 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        i, saved_id = line.split()
        confirmed[int(i)] = saved_id
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    for line in proc.stdout:   # confirmed after we stopped reading, before the kill landed
        if line.endswith("\n"):
            i, saved_id = line.split()
            confirmed[int(i)] = saved_id
    assert len(confirmed) >= 20, "the accepter was killed mid-way, not before it started"

    settings = Settings.resolve(index=records)
    stored = load_accepted(settings)
    ids = {r.id for r in stored}
    assert set(confirmed.values()) <= ids, "every reply the agent saw accepted is still there"
    assert len(stored) - len(confirmed) in (0, 1), "at most the reply in flight is extra"
    assert all(parse_reply(r.reply) for r in stored), "every stored reply is whole"
    with sqlite3.connect(records / "records.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    from assistant.accepted import accept

    d, _ = _drafted(str(fake_rules_settings.index_dir), str(records))
    saved, created = accept(settings, d, reply_text(1, 0, 500), d.checks)
    assert created and len(load_accepted(settings)) == len(stored) + 1, "the next accept is stored"

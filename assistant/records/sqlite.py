"""The embedded store: one SQLite file in WAL mode beside the index.

Why SQLite and not the JSON-lines file it replaced: appends of long lines from several
processes could interleave, a line torn by a kill swallowed the next record, and a
24-bit id collided. A transaction is all or nothing, concurrent writers queue on the
database lock (``busy_timeout``), readers never block writers in WAL mode, and
``synchronous=FULL`` makes every accepted reply durable when ``add`` returns.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from pathlib import Path

from ..errors import AssistantError
from .model import AcceptedReply

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accepted (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL, key TEXT UNIQUE NOT NULL,
    accepted_at TEXT NOT NULL, status TEXT NOT NULL, record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS subjects (key TEXT NOT NULL, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS subjects_key ON subjects (key);
"""


LOCKED_WAIT = 60.0   # seconds a store being opened waits for the journal mode, as every write waits for its lock


def _use_wal(db: sqlite3.Connection, wait: float = LOCKED_WAIT) -> None:
    """Put the file in WAL mode once (the mode is kept in the file). Switching the mode can answer «database is
    locked» at once, without the busy timeout, while other processes write: only a file not yet in WAL mode
    asks, and it retries until ``wait`` runs out."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class SqliteStore:
    """>>> store = SqliteStore(Path("data/index/records.sqlite"))   # doctest: +SKIP"""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self._db() as db:
            _use_wal(db)
            db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _db(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise AssistantError(f"cannot open the record store {self.path} ({exc}); check the directory's "
                                 "permissions and free space") from None
        try:
            db.execute("PRAGMA synchronous=FULL")
            yield db
        except sqlite3.OperationalError as exc:
            raise AssistantError(f"the record store {self.path} could not be written ({exc}); "
                                 "check free disk space and permissions — nothing was stored") from None
        finally:
            db.close()

    def add(self, reply: AcceptedReply) -> tuple[AcceptedReply, bool]:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT record FROM accepted WHERE key = ?", (reply.key,)).fetchone()
            if row:
                db.execute("COMMIT")
                return AcceptedReply.from_dict(json.loads(row[0])), False
            db.execute("INSERT INTO accepted (id, key, accepted_at, status, record) VALUES (?,?,?,?,?)",
                       (reply.id, reply.key, reply.accepted_at, reply.status,
                        json.dumps({**reply.to_dict(), "subjects": list(reply.subjects)}, ensure_ascii=False)))
            db.executemany("INSERT INTO subjects VALUES (?, ?)", [(k, reply.id) for k in reply.subjects])
            db.execute("COMMIT")
        return reply, True

    def accepted(self, status: str | None = None) -> list[AcceptedReply]:
        if not self.path.exists():
            return []
        with self._db() as db:
            rows = db.execute("SELECT record, status FROM accepted" + (" WHERE status = ?" if status else "")
                              + " ORDER BY seq", (status,) if status else ()).fetchall()
        return [AcceptedReply.from_dict({**json.loads(r), "status": s}) for r, s in rows]

    def set_status(self, ids: list[str], status: str) -> int:
        with self._db() as db:
            cur = db.executemany("UPDATE accepted SET status = ? WHERE id = ?", [(status, i) for i in ids])
            return cur.rowcount

    def forget(self, keys: list[str]) -> list[str]:
        """Delete the person's replies so that their text is gone from the file too: the freed pages are
        overwritten with zeros (``secure_delete``, whatever SQLite was built with) and the WAL, which still holds
        the pages as they were written, is copied back and emptied."""
        with self._db() as db:
            db.execute("PRAGMA secure_delete=ON")
            db.execute("BEGIN IMMEDIATE")
            marks = ",".join("?" * len(keys))
            ids = [r[0] for r in db.execute(f"SELECT DISTINCT id FROM subjects WHERE key IN ({marks})", keys)]
            for i in ids:
                db.execute("DELETE FROM accepted WHERE id = ?", (i,))
                db.execute("DELETE FROM subjects WHERE id = ?", (i,))
            db.execute("COMMIT")
            if ids:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")   # busy readers keep the WAL: the next checkpoint
        return ids

    def close(self) -> None:
        """Nothing is held open between calls."""

"""The shared store: accepted replies in PostgreSQL, for several API workers or app replicas on several machines.

Chosen by ``ASSISTANT_DATABASE_URL`` (``open_store``); the same interface as ``SqliteStore``. psycopg 3 is an
optional dependency (``pip install 'support-assistant[postgres]'``), imported only here.

- **No reply lost, none stored twice.** Each ``add`` is one transaction; ``INSERT … ON CONFLICT (key) DO
  NOTHING`` makes the same reply accepted at once by two workers one row (the second waits for the first's
  commit, then returns its row). PostgreSQL's default ``synchronous_commit=on`` makes a reply durable when
  ``add`` returns.
- **The schema** is created on first use under an advisory lock, so workers starting together do not race.
- **Deletion on request** deletes the rows and runs ``VACUUM`` on both tables so their space is reused; unlike
  SQLite's ``secure_delete`` this does not overwrite the old row versions at once, and the WAL and any backups
  keep them until they are recycled (README, «Deletion on request»).
- A connection per call, as the SQLite store opens its file per call: nothing is held between requests, and a
  restarted database is simply reconnected.

>>> store = PostgresStore("postgresql://assistant@db.internal:5432/assistant")   # doctest: +SKIP
>>> saved, created = store.add(reply)                                            # doctest: +SKIP
"""

from __future__ import annotations

import contextlib

from ..errors import AssistantError
from .model import AcceptedReply

_LOCK = 0x5EC0_4D5  # pg_advisory_xact_lock key of the schema creation (any constant shared by all workers)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS accepted_replies (seq BIGSERIAL PRIMARY KEY, id TEXT UNIQUE NOT NULL, "
    "key TEXT UNIQUE NOT NULL, accepted_at TEXT NOT NULL, status TEXT NOT NULL, record JSONB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS reply_subjects (key TEXT NOT NULL, "
    "id TEXT NOT NULL REFERENCES accepted_replies (id) ON DELETE CASCADE)",
    "CREATE INDEX IF NOT EXISTS reply_subjects_key ON reply_subjects (key)",
)


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise AssistantError("ASSISTANT_DATABASE_URL needs psycopg: pip install 'support-assistant[postgres]' "
                             "(or .venv/bin/pip install 'psycopg[binary]')") from None
    return psycopg


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs.

    >>> redacted("postgresql://app:s3cret@db:5432/assistant")
    'postgresql://app:***@db:5432/assistant'
    """
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    creds, _, host = rest.rpartition("@")
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in creds else ''}@{host}"


class PostgresStore:
    """Accepted replies in the PostgreSQL database at ``url`` (``postgresql://user:password@host:port/db``)."""

    def __init__(self, url: str, connect_timeout: int = 10) -> None:
        if not url.startswith(("postgresql://", "postgres://")):
            raise AssistantError(f"ASSISTANT_DATABASE_URL={redacted(url)!r} is not a PostgreSQL URL; give "
                                 "postgresql://user:password@host:port/database, or unset it for SQLite")
        self.url, self.timeout = url, connect_timeout
        self._psycopg = _psycopg()
        with self._db() as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            for statement in _SCHEMA:
                db.execute(statement)

    @contextlib.contextmanager
    def _db(self, autocommit: bool = False):
        """One connection, one transaction: committed when the block ends, rolled back on an error."""
        psycopg = self._psycopg
        try:
            conn = psycopg.connect(self.url, connect_timeout=self.timeout, autocommit=autocommit)
        except psycopg.OperationalError as exc:
            raise AssistantError(f"cannot reach the record store at {redacted(self.url)} "
                                 f"({str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}); "
                                 "check ASSISTANT_DATABASE_URL and that the server is up — nothing was stored") from None
        try:
            with conn:
                yield conn
        except psycopg.OperationalError as exc:
            raise AssistantError(f"the record store at {redacted(self.url)} failed ({type(exc).__name__}); "
                                 "nothing was stored — try again") from None

    def add(self, reply: AcceptedReply) -> tuple[AcceptedReply, bool]:
        from psycopg.types.json import Jsonb

        record = Jsonb({**reply.to_dict(), "subjects": list(reply.subjects)})
        with self._db() as db:
            row = db.execute("INSERT INTO accepted_replies (id, key, accepted_at, status, record) "
                             "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING seq",
                             (reply.id, reply.key, reply.accepted_at, reply.status, record)).fetchone()
            if row is None:
                stored, status = db.execute("SELECT record, status FROM accepted_replies WHERE key = %s",
                                            (reply.key,)).fetchone()
                return AcceptedReply.from_dict({**stored, "status": status}), False
            with db.cursor() as cur:
                cur.executemany("INSERT INTO reply_subjects (key, id) VALUES (%s, %s)",
                                [(k, reply.id) for k in reply.subjects])
        return reply, True

    def accepted(self, status: str | None = None) -> list[AcceptedReply]:
        with self._db() as db:
            rows = db.execute("SELECT record, status FROM accepted_replies" + (" WHERE status = %s" if status else "")
                              + " ORDER BY seq", (status,) if status else ()).fetchall()
        return [AcceptedReply.from_dict({**r, "status": s}) for r, s in rows]

    def set_status(self, ids: list[str], status: str) -> int:
        with self._db() as db:
            return db.execute("UPDATE accepted_replies SET status = %s WHERE id = ANY(%s)", (status, list(ids))).rowcount

    def forget(self, keys: list[str]) -> list[str]:
        with self._db() as db:
            ids = [r[0] for r in db.execute(
                "DELETE FROM accepted_replies WHERE id IN (SELECT id FROM reply_subjects WHERE key = ANY(%s)) "
                "RETURNING id", (list(keys),))]
        if ids:
            with self._db(autocommit=True) as db:   # VACUUM cannot run inside a transaction
                db.execute("VACUUM accepted_replies")
                db.execute("VACUUM reply_subjects")
        return ids

    def close(self) -> None:
        """Nothing is held open between calls."""

"""The system of record: replies agents accepted (and, later, feedback and publish events).

One interface, two back ends chosen once from the settings: SQLite in WAL mode inside the
index directory (the default, one machine), or PostgreSQL when ``ASSISTANT_DATABASE_URL`` is set
(several replicas sharing one store).

>>> import tempfile
>>> from pathlib import Path
>>> from assistant.records.model import reply_key
>>> store = open_store(Settings(index_dir=Path(tempfile.mkdtemp())))   # no database_url: SQLite
>>> reply = AcceptedReply(id="A-1", accepted_at="2026-12-01T10:00:00+00:00", message="Где посылка?",
...                       reply="Посылка в пути.", key=reply_key("Где посылка?", "Посылка в пути."))
>>> saved, created = store.add(reply)
>>> again, created_again = store.add(reply)     # the same reply accepted twice is stored once
>>> created, created_again, [r.id for r in store.accepted()]
(True, False, ['A-1'])
"""

from __future__ import annotations

from ..config import Settings
from .model import AcceptedReply, RecordStore
from .sqlite import SqliteStore


def open_store(settings: Settings) -> RecordStore:
    """The store the settings name: PostgreSQL for ``database_url``, else SQLite beside the index."""
    if settings.database_url:
        from .postgres import PostgresStore

        return PostgresStore(settings.database_url)
    return SqliteStore(settings.records_file)


__all__ = ["AcceptedReply", "RecordStore", "open_store"]

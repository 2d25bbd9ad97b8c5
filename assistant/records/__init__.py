"""The system of record: replies agents accepted (and, later, feedback and publish events).

One interface, two back ends chosen once from the settings: SQLite in WAL mode inside the
index directory (the default, one machine), or PostgreSQL when ``ASSISTANT_DATABASE_URL`` is set
(several replicas sharing one store).

>>> store = open_store(settings)                       # doctest: +SKIP
>>> saved, created = store.add(reply)                   # doctest: +SKIP
>>> [r.id for r in store.accepted()][-1] == saved.id    # doctest: +SKIP
True
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

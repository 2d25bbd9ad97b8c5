"""The index on disk: immutable snapshots switched atomically, an embedding cache, and version history.

Layout of an index directory::

    CURRENT                 name of the serving snapshot (replaced atomically)
    snapshots/<id>/         manifest.json, meta.sqlite (clauses of every version, cases), vectors.faiss
    snapshots/.tmp-<id>/    a build in progress; removed by the next build if it crashed
    cache.sqlite            passage vectors by content hash, shared by all snapshots
    lock                    held by the one build that may run at a time
"""

from .build import BuildReport, index_paths, rollback
from .store import Index

__all__ = ["BuildReport", "Index", "index_paths", "rollback"]

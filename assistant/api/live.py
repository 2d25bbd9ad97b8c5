"""The searcher of the published snapshot, swapped when a publish moves ``CURRENT``; no restart, no failed request.

Each request asks for the searcher; reading ``CURRENT`` is one small file read. When it names a newer snapshot,
one request opens it (reusing the loaded embedding model) while the others go on with the old searcher, and the
new one then replaces it in a single assignment. A request that already holds the old searcher finishes with
it: its snapshot stays open (``Index`` pins what it opened) even if a later build prunes it from disk. When the
new snapshot cannot be opened, the old one keeps serving and the log says why.

>>> live = LiveSearcher(settings)            # doctest: +SKIP
>>> live.get().index.name                    # doctest: +SKIP
'20261201T172927123456-a1b2c3'
"""

from __future__ import annotations

import logging
import threading

from ..config import Settings
from ..errors import AssistantError
from ..index.store import current_name
from ..retrieval import Searcher

log = logging.getLogger("assistant.api")


class LiveSearcher:
    """``get()`` returns the searcher of the serving snapshot. ``embedder``: a model already loaded (tests pass
    ``FakeEmbedder``); by default the snapshot's own model is loaded once and reused for later snapshots."""

    def __init__(self, settings: Settings, embedder=None) -> None:
        self.settings, self.embedder = settings, embedder
        self._held: tuple[str, Searcher] | None = None   # replaced whole, never mutated: readers need no lock
        self._loading = threading.Lock()
        self._refused: str | None = None   # a snapshot that could not be opened is not retried on every request

    @property
    def name(self) -> str | None:
        """The snapshot being served, or None before the first one is loaded."""
        held = self._held
        return held[0] if held else None

    def get(self) -> Searcher:
        held = self._held
        wanted = current_name(self.settings.index_dir)
        if held is not None and wanted in (None, held[0], self._refused):
            return held[1]
        if held is not None and not self._loading.acquire(blocking=False):
            return held[1]   # another request is opening the new snapshot
        if held is None:
            self._loading.acquire()
        try:
            return self._swap()
        finally:
            self._loading.release()

    def _swap(self) -> Searcher:
        held = self._held
        if held is not None and current_name(self.settings.index_dir) in (None, held[0]):
            return held[1]   # swapped by the request that held the lock before us
        embedder = held[1].embedder if held is not None else self.embedder
        wanted = current_name(self.settings.index_dir)
        try:
            searcher = Searcher.open(self.settings, embedder=embedder)
        except AssistantError as exc:
            if held is None:
                raise
            self._refused = wanted
            # index errors name paths and models, never a message's text
            log.warning("kept serving snapshot %s: snapshot %s could not be opened: %s", held[0], wanted, exc)
            return held[1]
        self._held = (searcher.index.name, searcher)
        if held is not None:
            log.info("now serving snapshot %s (was %s)", searcher.index.name, held[0])
        return searcher

"""How close each sentence of a clause is to a question, by meaning: the embedding model's cosine.

A clause often holds several rules («О блокировке уведомляем не позднее 24 часов … Блокировка по
основанию «д» снимается после …»); the reply must state the one the person asked about. Words
shared with the question pick it badly when the person says «сообщить» and the rule «уведомляет»;
the model's vectors do not need the same words.

Sentence vectors are embedded when the index is built (``index.passages.rule_sentences``, into the index's embedding cache,
keyed by model and text) and read from that cache when a searcher opens; a sentence the cache lacks
(an index built before this) is embedded on first use and kept in memory, never written, since
serving does not write to the index.

>>> vectors = SentenceVectors(searcher.embedder, searcher.index.index_dir / "cache.sqlite")   # doctest: +SKIP
>>> vectors.similarity("Должны ли вы сообщить о блокировке?", ["Уведомляем в течение суток.", "Снимаем после проверки."])
... # doctest: +SKIP
array([0.87, 0.81], dtype=float32)
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..embed import Embedder
from ..index.cache import EmbeddingCache

KEPT = 20_000   # sentence and question vectors held in memory (≈ 30 MB at 384 dimensions)


class SentenceVectors:
    """Vectors of clause sentences and of questions, for one embedding model, with a bounded memory. One
    instance serves every session of the page and every request of the API: reads and fills are locked."""

    def __init__(self, embedder: Embedder, cache_path: Path | None = None, kept: int = KEPT) -> None:
        self.embedder, self.kept = embedder, kept
        self._lock = threading.Lock()
        self._cache = None
        if cache_path is not None and Path(cache_path).exists():
            self._cache = EmbeddingCache(Path(cache_path), embedder.id, embedder.dim, read_only=True)
        self._passages: OrderedDict[str, np.ndarray] = OrderedDict()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    def similarity(self, question: str, texts: list[str]) -> np.ndarray:
        """The cosine of ``question`` with each of ``texts`` (the model's vectors are unit length)."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        with self._lock:
            return self._passage_vectors(texts) @ self._query_vector(question)

    def _query_vector(self, question: str) -> np.ndarray:
        vec = self._queries.get(question)
        if vec is None:
            vec = self.embedder.queries([question])[0]
            self._keep(self._queries, question, vec)
        return vec

    def _passage_vectors(self, texts: list[str]) -> np.ndarray:
        found = {t: self._passages[t] for t in dict.fromkeys(texts) if t in self._passages}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing and self._cache is not None:
            try:
                found.update((missing[i], vec) for i, vec in self._cache.lookup(missing).items())
            except sqlite3.Error:   # a cache being rebuilt or removed: embed instead
                pass
            missing = [t for t in missing if t not in found]
        if missing:
            found.update(zip(missing, np.asarray(self.embedder.passages(missing), dtype=np.float32)))
        for text, vec in found.items():
            self._keep(self._passages, text, vec)
        return np.stack([found[t] for t in texts])

    def _keep(self, store: OrderedDict, key: str, vec: np.ndarray) -> None:
        store[key] = vec
        store.move_to_end(key)
        while len(store) > self.kept:
            store.popitem(last=False)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()



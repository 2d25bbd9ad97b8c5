"""Baselines run in the same evaluation as the system, over the same index."""

from __future__ import annotations

import numpy as np

from ..index.cache import EmbeddingCache
from ..retrieval import SearchResult


class ChunkBaseline:
    """The usual first RAG set-up, as a baseline: dense retrieval over fixed-size character chunks.

    Each published document is flattened to text and cut every ``size`` characters
    with no regard for its structure; a chunk's hits are the clauses it overlaps.
    """

    mode = "chunks500"

    def __init__(self, searcher, size: int = 500, progress=None) -> None:
        self.searcher = searcher
        index = searcher.index
        self.chunks: list[list[str]] = []   # clause ids overlapped by each chunk
        texts: list[str] = []
        for info in index.documents(published_only=True):
            spans, parts, pos = [], [], 0
            for c in index.clauses(info.doc, info.version):
                piece = " ".join(x for x in (c.label, c.text) if x) + "\n"
                spans.append((pos, pos + len(piece), c.id))
                parts.append(piece)
                pos += len(piece)
            flat = "".join(parts)
            for start in range(0, len(flat), size):
                texts.append(flat[start:start + size])
                self.chunks.append([cid for a, b, cid in spans if a < start + size and b > start])
        cache = EmbeddingCache(index.index_dir / "cache.sqlite", searcher.embedder.id, searcher.embedder.dim)
        try:
            self.vectors, _ = cache.embed(texts, searcher.embedder.passages, progress)
        finally:
            cache.close()

    def search(self, text: str, k: int = 10) -> SearchResult:
        query = self.searcher.embedder.queries([text])[0]
        order = np.argsort(-(self.vectors @ query))
        result, seen = SearchResult(text), set()
        for i in order:
            for cid in self.chunks[i]:
                if cid not in seen and cid in self.searcher.corpus.clauses:
                    seen.add(cid)
                    result.clauses.append(self.searcher.clause_hit(cid, 0.0))
            if len(result.clauses) >= k:
                break
        result.clauses = result.clauses[:k]
        return result

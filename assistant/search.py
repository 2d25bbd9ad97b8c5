"""Retrieve clauses and past cases for a message (first version: dense retrieval over the FAISS index).

>>> from assistant.search import Searcher
>>> s = Searcher.open(Settings.resolve())                      # doctest: +SKIP
>>> result = s.search("посылка потерялась, кто компенсирует?", k=5)   # doctest: +SKIP
>>> result.clauses[0].citation                                 # doctest: +SKIP
'Правила площадки, п. 5.2.1'
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .config import Settings
from .embed import Embedder, make_embedder
from .index.store import Index
from .schema import Hit


@dataclass
class SearchResult:
    query: str
    clauses: list[Hit] = field(default_factory=list)
    cases: list[Hit] = field(default_factory=list)

    @property
    def hits(self) -> list[Hit]:
        return sorted(self.clauses + self.cases, key=lambda h: -h.score)

    def to_dict(self) -> dict:
        return {"query": self.query, "hits": [h.to_dict() for h in self.hits],
                "clauses": [h.to_dict() for h in self.clauses], "cases": [h.to_dict() for h in self.cases]}


class Searcher:
    """Holds the open index and the loaded model, so a batch of queries loads each once."""

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index, self.embedder = index, embedder
        self._clauses = {c.id: c for c in index.clauses()}
        self._cases = {c.id: c for c in index.cases()}
        self._versions = {d.doc: d.version for d in index.documents(published_only=True)}

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None) -> "Searcher":
        index = Index.open(settings.index_dir, settings.model or (embedder.id if embedder else None))
        embedder = embedder or make_embedder(index.model)
        if embedder.id != index.model:
            index.close()
            from .errors import IndexError_

            raise IndexError_(f"the index was built with {index.model}, not {embedder.id}")
        return cls(index, embedder)

    def search(self, text: str, k: int = 5, doc: str | None = None) -> SearchResult:
        return self.search_many([text], k=k, doc=doc)[0]

    def search_many(self, texts: list[str], k: int = 5, doc: str | None = None) -> list[SearchResult]:
        if not texts:
            return []
        vectors = self.embedder.queries(texts)
        depth = min(self.index.faiss.ntotal, max(50, k * 10))
        if depth == 0:
            return [SearchResult(t) for t in texts]
        scores, rows = self.index.faiss.search(np.ascontiguousarray(vectors, dtype=np.float32), depth)
        return [self._collect(t, s, r, k, doc) for t, s, r in zip(texts, scores, rows)]

    def _collect(self, text, scores, rows, k, doc) -> SearchResult:
        best: dict[tuple[str, str], float] = {}
        owners = self.index.owners
        for score, row in zip(scores, rows):
            if row < 0:
                continue
            kind, owner_doc, ref = owners[row]
            if doc and kind == "clause" and owner_doc != doc:
                continue
            key = (kind, ref)
            if score > best.get(key, -1.0):
                best[key] = float(score)
        result = SearchResult(text)
        for (kind, ref), score in sorted(best.items(), key=lambda kv: -kv[1]):
            target = result.clauses if kind == "clause" else result.cases
            if len(target) < k:
                target.append(self.clause_hit(ref, score) if kind == "clause" else self.case_hit(ref, score))
        return result

    def clause_hit(self, clause_id: str, score: float) -> Hit:
        c = self._clauses[clause_id]
        return Hit(kind="clause", doc=c.doc, version=c.version, id=c.id, citation=c.citation, path=list(c.path),
                   text=c.full_text(), page=c.page, score=round(score, 4),
                   extra={"title": c.title, "parents": list(c.parents)})

    def case_hit(self, case_id: str, score: float) -> Hit:
        c = self._cases[case_id]
        return Hit(kind="case", doc=c.source, version=c.version, id=c.id, citation=f"Кейс {c.id}", path=[],
                   text=c.message, page=None, score=round(score, 4),
                   extra={"reply": c.reply, "outcome": c.outcome, "cited": list(c.cited), "templated": c.templated,
                          "date": c.date})

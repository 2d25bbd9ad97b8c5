"""Retrieve clauses and past cases for a message: dense (FAISS) and lexical (BM25 over lemmas), fused.

The channel mix is chosen once, at construction (``Mode``), so the hot path never
branches on it. Hybrid uses weighted reciprocal-rank fusion: each channel ranks the
candidates, and a candidate scores ``Σ w / (RRF_K + rank)``; ranks, unlike raw scores,
are comparable between a cosine and a BM25 score.

>>> from assistant.search import Searcher
>>> s = Searcher.open(Settings.resolve())                      # doctest: +SKIP
>>> result = s.search("посылка потерялась, кто компенсирует?", k=5)   # doctest: +SKIP
>>> result.clauses[0].citation                                 # doctest: +SKIP
'Правила площадки, п. 5.2.1'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from .config import Settings
from .embed import Embedder, make_embedder
from .index.passages import clause_passages
from .index.store import Index
from .lexical import Lemmatizer, LexicalIndex
from .schema import Hit

RRF_K = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.6
SCOPE_WEIGHT = 0.5   # share of the enclosing article's whole-text similarity added to each of its points
SCOPE_SELF = 1.0     # an article competes with its points on its whole-text similarity times this


class Mode(str, Enum):
    DENSE = "dense"
    LEXICAL = "lexical"
    HYBRID = "hybrid"


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

    def __init__(self, index: Index, embedder: Embedder, mode: Mode | str = Mode.HYBRID) -> None:
        self.index, self.embedder = index, embedder
        try:
            self.mode = Mode(mode)
        except ValueError:
            raise ValueError(f"unknown search mode {mode!r}; valid: {', '.join(m.value for m in Mode)}") from None
        self._clauses = {c.id: c for c in index.clauses() if not c.repealed}
        self._cases = {c.id: c for c in index.cases()}
        titles = {d.doc: d.title for d in index.documents(published_only=True)}
        self._lexical_refs = [("clause", c.doc, c.id) for c in self._clauses.values()] + [
            ("case", c.source, c.id) for c in self._cases.values()]
        by_path = {(c.doc, c.path): c.id for c in self._clauses.values()}
        has_scope = {ref for kind, _, ref, role in index.owners if role == "scope"}
        self._scope_parent = {}
        for c in self._clauses.values():
            for i in range(len(c.path) - 1, 0, -1):
                ancestor = by_path.get((c.doc, c.path[:i]))
                if ancestor in has_scope:
                    self._scope_parent[c.id] = ancestor
                    break
        self._lexical = None
        if self.mode is not Mode.DENSE:
            texts = [clause_passages(titles.get(c.doc, ""), list(c.parents), list(c.path), c.title, c.text, 10**9)[0]
                     for c in self._clauses.values()] + [c.message for c in self._cases.values()]
            self._lexical = LexicalIndex(Lemmatizer(), texts)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None, mode: Mode | str = Mode.HYBRID) -> "Searcher":
        index = Index.open(settings.index_dir, settings.model or (embedder.id if embedder else None))
        embedder = embedder or make_embedder(index.model)
        if embedder.id != index.model:
            index.close()
            from .errors import IndexError_

            raise IndexError_(f"the index was built with {index.model}, not {embedder.id}")
        return cls(index, embedder, mode)

    def search(self, text: str, k: int = 5, doc: str | None = None) -> SearchResult:
        return self.search_many([text], k=k, doc=doc)[0]

    def search_many(self, texts: list[str], k: int = 5, doc: str | None = None) -> list[SearchResult]:
        if not texts:
            return []
        dense = self._dense(texts, k) if self.mode is not Mode.LEXICAL else [{} for _ in texts]
        results = []
        for text, dense_scores in zip(texts, dense):
            lexical_scores = self._lexical_scores(text) if self._lexical is not None else {}
            results.append(self._fuse(text, dense_scores, lexical_scores, k, doc))
        return results

    def _dense(self, texts: list[str], k: int) -> list[dict[tuple[str, str], float]]:
        """Cosine per (kind, id): a clause's own best passage, plus a share of its article's score.

        Exact: the index is a flat inner-product one and every row is scored.
        """
        total = self.index.faiss.ntotal
        if total == 0:
            return [{} for _ in texts]
        vectors = np.ascontiguousarray(self.embedder.queries(texts), dtype=np.float32)
        scores, rows = self.index.faiss.search(vectors, total)
        owners = self.index.owners
        out = []
        for row_scores, row_ids in zip(scores, rows):
            own: dict[tuple[str, str], float] = {}
            scope: dict[str, float] = {}
            for score, row in zip(row_scores.tolist(), row_ids.tolist()):
                if row < 0:
                    continue
                kind, _, ref, role = owners[row]
                if role == "scope":
                    scope.setdefault(ref, score)   # rows come best first
                else:
                    own.setdefault((kind, ref), score)
            for ref, score in scope.items():
                key = ("clause", ref)
                own[key] = max(own.get(key, -1.0), SCOPE_SELF * score)
            for key in own:
                if key[0] == "clause":
                    ancestor = self._scope_parent.get(key[1])
                    if ancestor in scope:
                        own[key] += SCOPE_WEIGHT * scope[ancestor]
            out.append(own)
        return out

    def _lexical_scores(self, text: str) -> dict[tuple[str, str], float]:
        scores, _ = self._lexical.scores(text)
        nonzero = np.flatnonzero(scores)
        return {(self._lexical_refs[i][0], self._lexical_refs[i][2]): float(scores[i]) for i in nonzero}

    def _fuse(self, text, dense, lexical, k, doc) -> SearchResult:
        """Weighted RRF, ranking clauses and cases separately so that neither crowds out the other."""
        fused: dict[tuple[str, str], float] = {}
        for weight, channel in ((DENSE_WEIGHT, dense), (LEXICAL_WEIGHT, lexical)):
            ranks = {"clause": 0, "case": 0}
            for key in sorted(channel, key=lambda key: -channel[key]):
                kind, ref = key
                if kind == "clause" and (ref not in self._clauses or (doc and self._clauses[ref].doc != doc)):
                    continue
                ranks[kind] += 1
                fused[key] = fused.get(key, 0.0) + weight / (RRF_K + ranks[kind])
        result = SearchResult(text)
        for (kind, ref), score in sorted(fused.items(), key=lambda kv: -kv[1]):
            if kind == "clause" and len(result.clauses) < k:
                result.clauses.append(self.clause_hit(ref, score, dense.get((kind, ref))))
            elif kind == "case" and len(result.cases) < k and ref in self._cases:
                result.cases.append(self.case_hit(ref, score, dense.get((kind, ref))))
        return result

    def clause_hit(self, clause_id: str, score: float, similarity: float | None = None) -> Hit:
        c = self._clauses[clause_id]
        return Hit(kind="clause", doc=c.doc, version=c.version, id=c.id, citation=c.citation, path=list(c.path),
                   text=c.full_text(), page=c.page, score=round(score, 5),
                   extra={"title": c.title, "parents": list(c.parents), "similarity": similarity})

    def case_hit(self, case_id: str, score: float, similarity: float | None = None) -> Hit:
        c = self._cases[case_id]
        return Hit(kind="case", doc=c.source, version=c.version, id=c.id, citation=f"Кейс {c.id}", path=[],
                   text=c.message, page=None, score=round(score, 5),
                   extra={"reply": c.reply, "outcome": c.outcome, "cited": list(c.cited), "templated": c.templated,
                          "date": c.date, "similarity": similarity})

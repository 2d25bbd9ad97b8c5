"""Retrieve the clauses and past cases that apply to a message: composition of the retrieval parts.

For one message:

1. **Plan.** A long message is cut into sentence windows; each is searched beside the whole
   message, so a complaint raising three issues finds three clauses, each attributed to the
   windows that raised it.
2. **Channels** (``dense``, ``lexical``) score every key; **fusion** (weighted RRF) merges them.
3. **Direct references.** «п. 3.2.1», «ст. 26.1» in the message put that clause first.
4. **Decline.** A calibrated confidence says whether any clause really applies.

The mode (hybrid, dense alone, lexical alone) is the list of channels, chosen once here; the
evaluation uses the single-channel modes as baselines.

>>> s = Searcher.open(Settings.resolve())                              # doctest: +SKIP
>>> r = s.search("посылка потерялась, кто компенсирует?", k=5)         # doctest: +SKIP
>>> r.declined, r.clauses[0].citation                                  # doctest: +SKIP
(False, 'Правила площадки, п. 5.3.1')
"""

from __future__ import annotations

from enum import Enum

import numpy as np

from ..config import Settings
from ..embed import Embedder, make_embedder
from ..errors import AssistantError, IndexUnavailable
from ..index.store import Index
from ..privacy import mask
from ..text import clean, lemmatizer, windows
from .channels import Channel, Plan, PlanScores
from .corpus import CASE, CLAUSE, Corpus
from .decline import DEFAULT_CALIBRATION, NEVER_DECLINE, Calibration
from .dense import DenseChannel
from .explain import Explainer
from .fusion import CROSS_LANGUAGE, RRF
from .glossary import Glossary
from .hits import CaseHit, ClauseHit, Related, SearchResult
from .lexical import LexicalChannel, LexicalIndex
from .query import Query
from .references import find_references, resolve

AUDIENCES = ("buyer", "seller")
OTHER_AUDIENCE = 0.6  # rank factor for the other side's rules when the writer is guessed (hand-set, round 4)


class Mode(str, Enum):
    DENSE = "dense"
    LEXICAL = "lexical"
    HYBRID = "hybrid"


class Searcher:
    """The published corpus, the model and the channels, loaded once so a batch of queries pays for them once."""

    def __init__(self, corpus: Corpus, embedder: Embedder, mode: Mode | str = Mode.HYBRID,
                 calibration: Calibration = DEFAULT_CALIBRATION, fusion: RRF | None = None) -> None:
        try:
            self.mode = Mode(mode)
        except ValueError:
            raise AssistantError(f"unknown search mode {mode!r}; valid: {', '.join(m.value for m in Mode)}") from None
        self.corpus, self.embedder = corpus, embedder
        lexical_index = LexicalIndex(lemmatizer(), corpus.texts())   # also explains dense hits, in every mode
        hybrid = self.mode is Mode.HYBRID
        # the glossary is part of the system; the single-channel baselines search without it
        glossary = Glossary.load(lexical_index.lemmatizer) if hybrid else None
        self.lexical = LexicalChannel(lexical_index, glossary)
        channels: dict[Mode, list[Channel]] = {
            Mode.DENSE: [DenseChannel(corpus, embedder)],
            Mode.LEXICAL: [self.lexical],
            Mode.HYBRID: [DenseChannel(corpus, embedder, glossary), self.lexical],
        }
        self.channels = channels[self.mode]
        self.fusion = fusion or RRF()
        # fitted on the hybrid signals; the single-channel baselines never decline
        self.calibration = calibration if hybrid else NEVER_DECLINE
        self.explainer = Explainer(lexical_index)

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None, mode: Mode | str = Mode.HYBRID) -> "Searcher":
        index = Index.open(settings.index_dir, settings.model or (embedder.id if embedder else None))
        embedder = embedder or make_embedder(index.model)
        if embedder.id != index.model:
            index.close()
            raise IndexUnavailable(f"the index was built with {index.model}, not {embedder.id}")
        return cls(Corpus(index), embedder, mode)

    @property
    def index(self) -> Index:
        return self.corpus.index

    # --- public ------------------------------------------------------------------------------------
    def search(self, text: str, k: int = 5, doc: str | None = None, audience: str | None = None,
               case_audience: str | None = None) -> SearchResult:
        return self.search_many([text], k=k, doc=doc, audience=audience, case_audience=case_audience)[0]

    def search_many(self, texts: list[str], k: int = 5, doc: str | None = None, audience: str | None = None,
                    prefer: str | None = None, window: int = 0, case_audience: str | None = None) -> list[SearchResult]:
        """Search several messages; all their windows are embedded in one batch, each distinct text once.

        ``audience`` keeps only documents for buyers or for sellers; ``prefer`` merely ranks the other
        side's documents lower (for a guess about who is writing); ``case_audience`` shows only past cases
        of that side (the seller page never shows buyers' cases). ``window`` sets the size of a long
        message's windows: a caller that also searches those sentences one by one passes its own size,
        and the message then costs no extra embedding.
        """
        if doc and doc not in self.corpus.shorts:
            raise AssistantError(f"no published document {doc!r}; documents: {', '.join(sorted(self.corpus.shorts))}")
        if audience and audience not in AUDIENCES:
            raise AssistantError(f"unknown audience {audience!r}; valid: {', '.join(AUDIENCES)}")
        plans = [self._plan(clean(t), window) for t in texts]
        by_channel = [channel.scores(plans) for channel in self.channels]
        allowed = self._allowed(doc, audience, case_audience)
        preference = self._preference(prefer)
        results = []
        for p, plan in enumerate(plans):
            scored: list[tuple[str, PlanScores]] = [(c.name, s[p]) for c, s in zip(self.channels, by_channel)]
            overrides = CROSS_LANGUAGE if plan[0].lang != self.corpus.lang else None
            runs = [self.fusion.fuse({name: s.per_query[i] for name, s in scored}, self.corpus.is_clause, allowed,
                                     preference, overrides) for i in range(len(plan))]
            signals = {name: value for _, s in scored for name, value in s.signals.items()}
            dense = next((s.per_query[0] for name, s in scored if name == "dense"), None)
            results.append(self._assemble(plan, runs, dense, signals, k, allowed))
        return results

    # --- planning and filtering --------------------------------------------------------------------
    @staticmethod
    def _plan(text: str, window: int) -> Plan:
        parts = windows(text, window)
        return [Query.of(text)] + ([Query.of(s) for s in parts] if len(parts) > 1 else [])

    def _allowed(self, doc: str | None, audience: str | None, case_audience: str | None) -> np.ndarray:
        """Which keys may be returned: clauses of the chosen document and audience, cases of the chosen side."""
        c = self.corpus
        keep = np.ones(len(c.keys), dtype=bool)
        if case_audience:
            keep &= c.is_clause | (c.case_audience == case_audience)
        if doc:
            keep &= ~c.is_clause | (c.clause_doc == doc)
        if audience:
            fits = {d for d, a in c.audience.items() if a in ("", "all", audience)}
            keep &= ~c.is_clause | np.isin(c.clause_doc, list(fits))
        return keep

    def _preference(self, prefer: str | None) -> np.ndarray | None:
        if not prefer:
            return None
        c = self.corpus
        other = {d for d, a in c.audience.items() if a in AUDIENCES and a != prefer}
        return np.where(c.is_clause & np.isin(c.clause_doc, list(other)), OTHER_AUDIENCE, 1.0)

    # --- assembling the answer ---------------------------------------------------------------------
    def _assemble(self, plan: Plan, runs: list[dict[int, float]], dense: np.ndarray | None,
                  signals: dict[str, float], k: int, allowed: np.ndarray) -> SearchResult:
        """Best fused score per key over the plan's queries, references first, then the decline."""
        message = plan[0]
        best: dict[int, float] = {}
        raised_by: dict[int, list[int]] = {}
        for i, fused in enumerate(runs):
            if i:
                for key in sorted(fused, key=fused.__getitem__, reverse=True)[: k * 2]:
                    raised_by.setdefault(key, []).append(i - 1)
            for key, score in fused.items():
                best[key] = max(best.get(key, 0.0), score)
        referenced = self._referenced(message.text, allowed)
        for cid in referenced:
            best[self.corpus.key(CLAUSE, cid)] = 1.0   # above any fused score
        result = SearchResult(message.text, segments=[q.text for q in plan[1:]] or [message.text],
                              references=referenced)
        for key, score in sorted(best.items(), key=lambda kv: -kv[1]):
            kind, ref = self.corpus.keys[key]
            similarity = float(dense[key]) if dense is not None else None
            if kind == CLAUSE and len(result.clauses) < k:
                raised = raised_by.get(key, [] if len(plan) > 1 else [0])
                result.clauses.append(self.clause_hit(ref, score, similarity, message.text, raised,
                                                      "reference" if ref in referenced else "retrieved"))
            elif kind == CASE and len(result.cases) < k:
                result.cases.append(self.case_hit(ref, score, similarity))
        best_lexical = signals.get("lexical", 0.0)
        if message.lang != self.corpus.lang:
            best_lexical = 0.0   # BM25 across languages says nothing: the dense-only decline model applies
            result.bridge = self.lexical.bridge(message.text)
        own, whole = signals.get("own", 0.0), signals.get("whole", 0.0)
        result.signals = (own, whole, best_lexical)
        result.confidence, result.declined = self.calibration.decide(own, whole, best_lexical, bool(referenced))
        return result

    def _referenced(self, text: str, allowed: np.ndarray) -> list[str]:
        """Clauses the message names itself; a document's short name in the message narrows the search."""
        refs = find_references(text)
        if not refs:
            return []
        lowered = text.lower()
        shorts = self.corpus.shorts
        docs = [d for d, short in shorts.items() if short and short.lower() in lowered] or list(shorts)
        found = []
        for ref in refs:
            for doc in docs:
                cid = resolve(ref, doc, self.corpus.clauses.keys())
                if cid and cid not in found and allowed[self.corpus.key(CLAUSE, cid)]:
                    found.append(cid)
        return found

    # --- hits --------------------------------------------------------------------------------------
    def clause_hit(self, clause_id: str, score: float, similarity: float | None = None, query: str = "",
                   segments: list[int] | None = None, reason: str = "retrieved") -> ClauseHit:
        c = self.corpus.clauses[clause_id]
        best, matched = self.explainer.best_sentence(c.full_text(), query) if query else ("", [])
        related = [Related(r, self.corpus.clauses[r].citation) for r in self.corpus.related(clause_id)]
        return ClauseHit(doc=c.doc, version=c.version, id=c.id, citation=c.citation, path=list(c.path),
                         text=c.full_text(), page=c.page, score=round(score, 5), unit=c.unit, title=c.title,
                         parents=list(c.parents), similarity=similarity, best_sentence=best, matched_terms=matched,
                         related=related, segments=segments or [], reason=reason)

    def case_hit(self, case_id: str, score: float, similarity: float | None = None) -> CaseHit:
        c = self.corpus.cases[case_id]
        # masked when indexed; masked again here for indexes built before that rule
        return CaseHit(doc=c.source, version=c.version, id=c.id, citation=f"Кейс {c.id}", text=mask(c.message),
                       score=round(score, 5), reply=mask(c.reply), outcome=mask(c.outcome), cited=list(c.cited),
                       templated=c.templated, date=c.date, audience=c.audience, similarity=similarity)

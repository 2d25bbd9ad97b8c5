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
from .corpus import CLAUSE, Corpus
from .decline import DEFAULT_CALIBRATION, NEVER_DECLINE, Calibration
from .dense import DenseChannel
from .explain import Explainer
from .fusion import CROSS_LANGUAGE, RRF
from .glossary import Glossary, grown
from .hits import CaseHit, ClauseHit, Related, SearchResult
from .lexical import LexicalChannel, LexicalIndex
from .precedent import Precedents
from .query import Query
from .ranker import CANDIDATES, Candidates, LearnedRanker, RRFRanker, decide, decline_features, load_ranker
from .references import find_references, resolve
from .sentences import SentenceVectors
from .features import FeatureBuilder, Stage

AUDIENCES = ("buyer", "seller")
RANKERS = ("auto", "learned", "rrf")
GROWN = ("cases",)   # the glossary lines grown from the index beside the hand-written ones (see glossary.py)
OTHER_AUDIENCE = 0.6  # rank factor for the other side's rules when the writer is guessed (hand-set, round 4)
COHERENCE_DEPTH = 10  # the whole message's clauses whose documents say what it is about
OURS_SHARE = 0.3      # at most this share of them in our own rules: the message is about the law (round 9, fitted on
OURS_FACTOR = 0.3     # eval/drafts-law.jsonl's tune half: share 0.2/0.3/0.4, factor 0/0.3/0.6; 0.4 cost the
                      # marketplace cases on an index with the laws loaded 6 points of coverage, 0.3 one point)


class Mode(str, Enum):
    DENSE = "dense"
    LEXICAL = "lexical"
    HYBRID = "hybrid"


class Searcher:
    """The published corpus, the model and the channels, loaded once so a batch of queries pays for them once."""

    def __init__(self, corpus: Corpus, embedder: Embedder, mode: Mode | str = Mode.HYBRID,
                 calibration: Calibration = DEFAULT_CALIBRATION, fusion: RRF | None = None,
                 ranker: RRFRanker | LearnedRanker | None = None, features: bool = False,
                 glossary_sources: tuple[str, ...] = GROWN, use_precedents: bool = True) -> None:
        """``ranker``: the snapshot's learned ranker (``Searcher.open`` loads it), or the fusion's order.
        ``features``: compute the ranker's features even without a learned ranker (for training one).
        ``glossary_sources``: where the hand-written glossary's extra lines grow from (``glossary.SOURCES``).
        ``use_precedents``: similar past cases vote for the clauses they cited (``precedent.Precedents``)."""
        try:
            self.mode = Mode(mode)
        except ValueError:
            raise AssistantError(f"unknown search mode {mode!r}; valid: {', '.join(m.value for m in Mode)}") from None
        self.corpus, self.embedder = corpus, embedder
        lexical_index = LexicalIndex(lemmatizer(), corpus.texts())   # also explains dense hits, in every mode
        hybrid = self.mode is Mode.HYBRID
        # the glossary and the learned ranker are part of the system; the single-channel baselines go without
        glossary = Glossary.load(lexical_index.lemmatizer, extra=grown(corpus, lexical_index.token_sets, lexical_index.lemmatizer, glossary_sources)) \
            if hybrid else None
        self.glossary = glossary
        self.ranker = ranker if hybrid and ranker is not None else RRFRanker()
        self.with_features = hybrid and (features or self.ranker.needs_features)
        self.lexical = LexicalChannel(lexical_index, glossary, parts=self.with_features)
        channels: dict[Mode, list[Channel]] = {
            Mode.DENSE: [DenseChannel(corpus, embedder)],
            Mode.LEXICAL: [self.lexical],
            Mode.HYBRID: [DenseChannel(corpus, embedder, glossary), self.lexical],
        }
        self.channels = channels[self.mode]
        # similar past cases vote for the clauses they cited: part of the system, not of the baselines
        self.precedents = Precedents(corpus) if hybrid and use_precedents else None
        self.fusion = fusion or RRF()
        # fitted on the hybrid signals; the single-channel baselines never decline
        self.calibration = calibration if hybrid else NEVER_DECLINE
        self.explainer = Explainer(lexical_index)
        # which of a clause's sentences a reply states: by the model's meaning, from vectors the build cached
        self.sentences = SentenceVectors(embedder, corpus.index.index_dir / "cache.sqlite")
        if self.with_features:
            self._features = FeatureBuilder(corpus, lexical_index, glossary)

    @property
    def threshold(self) -> float:
        """The confidence under which a message is declined: the learned ranker's decline model's, else the
        calibration's."""
        decline = getattr(self.ranker, "decline", None)
        return decline["threshold"] if decline else self.calibration.threshold

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None, mode: Mode | str = Mode.HYBRID,
             ranker: str = "auto", features: bool = False) -> "Searcher":
        """``ranker``: "auto" (the snapshot's learned ranker if it carries one), "learned" or "rrf"."""
        index = Index.open(settings.index_dir, settings.model or (embedder.id if embedder else None))
        embedder = embedder or make_embedder(index.model)
        if embedder.id != index.model:
            index.close()
            raise IndexUnavailable(f"the index was built with {index.model}, not {embedder.id}")
        if ranker not in RANKERS:
            raise AssistantError(f"unknown ranker {ranker!r}; valid: {', '.join(RANKERS)}")
        chosen = RRFRanker() if ranker == "rrf" else load_ranker(index.path, index.model)
        if ranker == "learned" and not isinstance(chosen, LearnedRanker):
            raise AssistantError(f"the index at {settings.index_dir} carries no learned ranker for {index.model}; "
                                 "train one with `assistant train-ranker`, or use --ranker rrf")
        return cls(Corpus(index), embedder, mode, ranker=chosen, features=features)

    @property
    def index(self) -> Index:
        return self.corpus.index

    # --- public ------------------------------------------------------------------------------------
    def search(self, text: str, k: int = 5, doc: str | None = None, audience: str | None = None,
               case_audience: str | None = None) -> SearchResult:
        return self.search_many([text], k=k, doc=doc, audience=audience, case_audience=case_audience)[0]

    def search_many(self, texts: list[str], k: int = 5, doc: str | None = None, audience: str | None = None,
                    prefer: str | None = None, window: int = 0, case_audience: str | None = None,
                    cohere: bool = False) -> list[SearchResult]:
        """Search several messages; all their windows are embedded in one batch, each distinct text once.

        ``audience`` keeps only documents for buyers or for sellers; ``prefer`` merely ranks the other
        side's documents lower (for a guess about who is writing); ``case_audience`` shows only past cases
        of that side (the seller page never shows buyers' cases). ``window`` sets the size of a long
        message's windows: a caller that also searches those sentences one by one passes its own size,
        and the message then costs no extra embedding. ``cohere``: the last text is the whole message the
        others are sentences of; when its best clauses are nearly all the law's, the sentences rank our own
        rules lower (``_coherent``).

        >>> *sentences, whole = searcher.search_many(["Сколько они должны за задержку?", message],
        ...                                          cohere=True)                          # doctest: +SKIP
        """
        if doc and doc not in self.corpus.shorts:
            raise AssistantError(f"no published document {doc!r}; documents: {', '.join(sorted(self.corpus.shorts))}")
        if audience and audience not in AUDIENCES:
            raise AssistantError(f"unknown audience {audience!r}; valid: {', '.join(AUDIENCES)}")
        allowed = self._allowed(doc, audience, case_audience)
        return [self._assemble(stage, k, allowed) for stage in self._first_stage(texts, allowed, prefer, window, cohere)]

    def candidates(self, texts: list[str]) -> list[Candidates]:
        """The clauses the ranker orders for each text, with their features (for training and inspection).

        >>> s = Searcher.open(settings, ranker="rrf", features=True)      # doctest: +SKIP
        >>> s.candidates(["посылка потерялась"])[0].features.shape        # doctest: +SKIP
        (40, 14)
        """
        if not self.with_features:
            raise AssistantError("this searcher computes no ranker features; open it with features=True (hybrid mode)")
        allowed = self._allowed(None, None, None)
        return [self._ranked(stage, allowed)[3] for stage in self._first_stage(texts, allowed, None, 0)]

    # --- the first stage: channels and fusion ------------------------------------------------------
    def _first_stage(self, texts: list[str], allowed: np.ndarray, prefer: str | None, window: int,
                     cohere: bool = False) -> list[Stage]:
        plans = [self._plan(clean(t), window) for t in texts]
        by_channel = [channel.scores(plans) for channel in self.channels]
        preference = self._preference(prefer)

        def stage(p: int, preference: np.ndarray | None) -> Stage:
            plan = plans[p]
            scored: list[tuple[str, PlanScores]] = [(c.name, s[p]) for c, s in zip(self.channels, by_channel)]
            if self.precedents is not None:
                dense_scores = dict(scored)["dense"]
                scored.append(("cases", PlanScores([self.precedents.scores(a) for a in dense_scores.per_query])))
            overrides = CROSS_LANGUAGE if plan[0].lang != self.corpus.lang else None
            runs = [self.fusion.fuse({name: s.per_query[i] for name, s in scored}, self.corpus.is_clause, allowed,
                                     preference, overrides) for i in range(len(plan))]
            signals = {name: value for _, s in scored for name, value in s.signals.items()}
            parts = {name: array for _, s in scored for name, array in s.parts.items()}
            dense = next((s.per_query[0] for name, s in scored if name == "dense"), None)
            return Stage(plan, runs, dense, signals, parts)

        if not cohere or len(plans) < 2:
            return [stage(p, preference) for p in range(len(plans))]
        last = stage(len(plans) - 1, preference)
        preference = self._coherent(self._assemble(last, COHERENCE_DEPTH, allowed), preference)
        return [stage(p, preference) for p in range(len(plans) - 1)] + [last]

    def _coherent(self, whole: SearchResult, preference: np.ndarray | None) -> np.ndarray | None:
        """``preference`` with our own rules (documents that name a «we») ranked lower when the whole message is
        about the law: a complaint about a car service or a hotel is not answered by the marketplace's offer,
        however alike a sentence of it reads («штраф 25 %» ~ «штраф 25 000 ₽»)."""
        c = self.corpus
        ours = [d for d in c.audience if c.roles(d).we]
        if not ours or len(ours) == len(c.audience) or not whole.clauses:
            return preference
        share = sum(h.doc in ours for h in whole.clauses) / len(whole.clauses)
        if share > OURS_SHARE:
            return preference
        factor = np.where(c.is_clause & np.isin(c.clause_doc, ours), OURS_FACTOR, 1.0)
        return factor if preference is None else preference * factor

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
    def _best(self, stage: Stage, allowed: np.ndarray) -> tuple[dict[int, float], list[str]]:
        """Best fused score per key over the plan's queries, with the clauses the message names put first."""
        best: dict[int, float] = {}
        for fused in stage.runs:
            for key, score in fused.items():
                best[key] = max(best.get(key, 0.0), score)
        referenced = self._referenced(stage.plan[0].text, allowed)
        for cid in referenced:
            best[self.corpus.key(CLAUSE, cid)] = 1.0   # above any fused score
        return best, referenced

    def _ranked(self, stage: Stage, allowed: np.ndarray):
        """Best score per key, the clauses the message names, the clause keys best first (named ones, then
        the fusion's order) and, when features are computed, the candidates a learned ranker re-orders."""
        best, referenced = self._best(stage, allowed)
        clause_keys = [key for key in sorted(best, key=best.get, reverse=True) if self.corpus.is_clause[key]]
        if not self.with_features:
            return best, referenced, clause_keys, None
        head = [key for key in clause_keys if self.corpus.keys[key][1] not in referenced][:CANDIDATES]
        return best, referenced, clause_keys, self._features.build(stage, head, best)

    def _assemble(self, stage: Stage, k: int, allowed: np.ndarray) -> SearchResult:
        """The ranked clauses and cases of one message, then the decline."""
        plan, message = stage.plan, stage.plan[0]
        best, referenced, clause_keys, candidates = self._ranked(stage, allowed)
        raised_by: dict[int, list[int]] = {}
        for i, fused in enumerate(stage.runs[1:]):
            for key in sorted(fused, key=fused.__getitem__, reverse=True)[: k * 2]:
                raised_by.setdefault(key, []).append(i)
        case_keys = [key for key in sorted(best, key=best.get, reverse=True) if not self.corpus.is_clause[key]]
        scores = dict(best)
        learned = None
        calibrated = False   # the scores are probabilities: the ranker carries an applies model
        if isinstance(self.ranker, LearnedRanker) and candidates is not None and candidates.keys:
            head = candidates.keys
            learned = self.ranker.scores(candidates)
            named = [key for key in clause_keys if self.corpus.keys[key][1] in referenced]
            chosen = set(head) | set(named)
            rest = [key for key in clause_keys if key not in chosen]
            clause_keys = named + [head[i] for i in np.argsort(-learned, kind="stable")] + rest
            # the calibrated probability that the clause applies (the learned score squashed to (0, 1) for a
            # ranker trained before that model); a named clause keeps 1.0, the rest fall below the head
            applies = self.ranker.applies(candidates, learned)
            shown = applies if applies is not None else 1.0 / (1.0 + np.exp(-learned))
            scores.update({key: float(p) for key, p in zip(head, shown)})
            calibrated = applies is not None
            scores.update({key: 0.0 for key in rest})
        result = SearchResult(message.text, segments=[q.text for q in plan[1:]] or [message.text],
                              references=referenced)
        dense = stage.dense
        for key in clause_keys[:k]:
            ref = self.corpus.keys[key][1]
            raised = raised_by.get(key, [] if len(plan) > 1 else [0])
            similarity = float(dense[key]) if dense is not None else None
            result.clauses.append(self.clause_hit(ref, scores[key], similarity, message.text, raised,
                                                  "reference" if ref in referenced else "retrieved",
                                                  scores[key] if calibrated else None))
        for key in case_keys[:k]:
            similarity = float(dense[key]) if dense is not None else None
            result.cases.append(self.case_hit(self.corpus.keys[key][1], best[key], similarity))
        signals = stage.signals
        best_lexical = signals.get("lexical", 0.0)
        if message.lang != self.corpus.lang:
            best_lexical = 0.0   # BM25 across languages says nothing: the dense-only decline model applies
            result.bridge = self.lexical.bridge(message.text)
        own, whole = signals.get("own", 0.0), signals.get("whole", 0.0)
        result.signals = (own, whole, best_lexical)
        if learned is not None and self.ranker.decline and not referenced:
            result.confidence, result.declined = decide(self.ranker.decline, decline_features(candidates, learned))
        else:
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
                   segments: list[int] | None = None, reason: str = "retrieved",
                   applies: float | None = None) -> ClauseHit:
        c = self.corpus.clauses[clause_id]
        best, matched = self.explainer.best_sentence(c.full_text(), query) if query else ("", [])
        related = [Related(r, self.corpus.clauses[r].citation) for r in self.corpus.related(clause_id)]
        return ClauseHit(doc=c.doc, version=c.version, id=c.id, citation=c.citation, path=list(c.path),
                         text=c.full_text(), page=c.page, score=round(score, 5), unit=c.unit, title=c.title,
                         parents=list(c.parents), similarity=similarity, best_sentence=best, matched_terms=matched,
                         related=related, segments=segments or [], reason=reason,
                         applies=None if applies is None else round(applies, 5))

    def case_hit(self, case_id: str, score: float, similarity: float | None = None) -> CaseHit:
        c = self.corpus.cases[case_id]
        # masked when indexed; masked again here for indexes built before that rule
        return CaseHit(doc=c.source, version=c.version, id=c.id, citation=f"Кейс {c.id}", text=mask(c.message),
                       score=round(score, 5), reply=mask(c.reply), outcome=mask(c.outcome), cited=list(c.cited),
                       templated=c.templated, date=c.date, audience=c.audience, similarity=similarity)

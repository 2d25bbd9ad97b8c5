"""The signals the learned ranker and its decline model read, for one message's candidate clauses.

Everything here is already computed by the channels (``Stage``); this module only lines it up per
candidate, plus the few signals that need the corpus: the glossary's legal terms a clause holds, how
much of the message its headings name, its depth and length, and the votes of similar past cases.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .channels import Plan
from .corpus import CASE, CLAUSE, Corpus
from .glossary import Glossary
from .lexical import LexicalIndex
from .ranker import FEATURES, Candidates

VOTING_CASES = 5   # the message's most similar past cases whose citations vote
AGREEMENT_DEPTH = 10   # the channels agree when their best this-many clauses overlap
COVERAGE_DEPTH = 3     # the best clauses whose words the message's content words are looked for in


@dataclass
class Stage:
    """One message after the channels and the fusion: what the ranking is built from."""

    plan: Plan
    runs: list[dict[int, float]]                 # fused score per key, for each query of the plan
    dense: np.ndarray | None                     # the message's dense score per key
    signals: dict[str, float]                    # the decline's inputs
    parts: dict[str, np.ndarray] = field(default_factory=dict)   # the channels' scores per key, apart


class FeatureBuilder:
    def __init__(self, corpus: Corpus, lexical: LexicalIndex, glossary: Glossary | None) -> None:
        self.corpus, self.lexical, self.glossary = corpus, lexical, glossary
        lemmas = lexical.lemmatizer
        self.headings = [frozenset(lemmas.tokens(" ".join((c.title, *c.parents)))) if kind == CLAUSE else frozenset()
                         for kind, c in ((k, corpus.clauses.get(ref) or corpus.cases.get(ref)) for k, ref in corpus.keys)]
        self.depth = np.array([len(corpus.clauses[ref].path) if kind == CLAUSE else 0 for kind, ref in corpus.keys],
                              dtype=np.float32)
        self.length = np.array([math.log1p(len(corpus.clauses[ref].text)) if kind == CLAUSE else 0.0
                                for kind, ref in corpus.keys], dtype=np.float32)

    def build(self, stage: Stage, keys: list[int], best: dict[int, float]) -> Candidates:
        """The features of ``keys`` (the fusion's best clauses, best first) and the message's decline inputs."""
        text = stage.plan[0].text
        lemmas = self.lexical.lemmatizer
        tokens = lemmas.tokens(text)
        own_words = set(tokens)
        legal = set(self.glossary.expand_tokens(tokens, lemmas.negated(text))) - own_words if self.glossary else set()
        votes, unit_votes = self._votes(best)
        parts = stage.parts
        zeros = np.zeros(len(self.corpus.keys), dtype=np.float32)
        x = np.zeros((len(keys), len(FEATURES)), dtype=np.float32)
        fused = np.array([best.get(key, 0.0) for key in keys], dtype=np.float32)
        dense = stage.dense if stage.dense is not None else zeros
        for row, key in enumerate(keys):
            ref = self.corpus.keys[key][1]
            clause = self.corpus.clauses[ref]
            held = self.lexical.token_sets[key]
            x[row] = (fused[row] * 100.0, math.log1p(row), dense[key], parts.get("own", zeros)[key],
                      parts.get("whole", zeros)[key], parts.get("parent", zeros)[key], parts.get("bm25", zeros)[key],
                      parts.get("bm25_plain", zeros)[key], len(legal & held),
                      len(own_words & self.headings[key]) / max(1, len(own_words)), self.depth[key], self.length[key],
                      votes.get(ref, 0.0), unit_votes.get(clause.unit, 0.0))
        bm25 = stage.signals.get("lexical", 0.0) if stage.plan[0].lang == self.corpus.lang else 0.0
        context = (stage.signals.get("own", 0.0), stage.signals.get("whole", 0.0), math.log1p(max(bm25, 0.0)),
                   self.agreement(stage), self.coverage(own_words, keys))
        return Candidates(keys, fused, x, context)

    def _votes(self, best: dict[int, float]) -> tuple[dict[str, float], dict[str, float]]:
        """Clauses (and their units) the message's most similar past cases cited, weighted by the case's rank."""
        cases = sorted((key for key in best if self.corpus.keys[key][0] == CASE), key=best.get, reverse=True)
        votes: dict[str, float] = {}
        units: dict[str, float] = {}
        for rank, key in enumerate(cases[:VOTING_CASES], start=1):
            case = self.corpus.cases[self.corpus.keys[key][1]]
            if case.templated:
                continue
            for cited in case.cited:
                votes[cited] = votes.get(cited, 0.0) + 1.0 / rank
                clause = self.corpus.clauses.get(cited)
                if clause is not None:
                    units[clause.unit] = units.get(clause.unit, 0.0) + 1.0 / rank
        return votes, units

    def agreement(self, stage: Stage) -> float:
        """How much the dense and the lexical channels' best clauses overlap (Jaccard of their top ten)."""
        dense, bm25 = stage.parts.get("own"), stage.parts.get("bm25")
        if dense is None or bm25 is None:
            return 0.0
        clauses = np.flatnonzero(self.corpus.is_clause)
        top = lambda scores: set(clauses[np.argsort(-scores[clauses], kind="stable")[:AGREEMENT_DEPTH]].tolist())  # noqa: E731
        a, b = top(dense), top(bm25)
        return len(a & b) / len(a | b) if a | b else 0.0

    def coverage(self, words: set[str], clause_keys: list[int]) -> float:
        """The share of the message's content words found in its best clauses."""
        if not words:
            return 0.0
        held = set().union(*(self.lexical.token_sets[key] for key in clause_keys[:COVERAGE_DEPTH])) if clause_keys else set()
        return len(words & held) / len(words)

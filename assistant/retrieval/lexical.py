"""The lexical channel: BM25 (bm25s) over lemmas, the message's lay words expanded through the glossary.

Legal wording and lay wording share few surface forms but many lemmas («посылку»/«посылка»),
so BM25 runs on lemmas (``assistant.text.Lemmatizer``).

>>> from assistant.retrieval.query import Query
>>> from assistant.text import lemmatizer
>>> texts = ["Деньги за возвращённый товар перечисляются в течение 10 дней.", "Хранение на складе платное."]
>>> channel = LexicalChannel(LexicalIndex(lemmatizer(), texts), None)
>>> [scores] = channel.scores([[Query.of("когда вернут деньги за товар")]])
>>> refund, storage = scores.per_query[0]     # one score per text
>>> bool(refund > 0), float(storage)
(True, 0.0)
"""

from __future__ import annotations

import numpy as np

from ..text import Lemmatizer
from .channels import Plan, PlanScores
from .glossary import Glossary


class LexicalIndex:
    """BM25 over the lemmas of every key's text; ``scores`` gives one score per key."""

    def __init__(self, lemmatizer: Lemmatizer, texts: list[str]) -> None:
        import bm25s

        self.lemmatizer = lemmatizer
        corpus = [lemmatizer.tokens(t) or ["∅"] for t in texts]
        self.token_sets = [frozenset(tokens) for tokens in corpus]   # each key's lemmas, for the ranker
        self._bm25 = bm25s.BM25()
        self._bm25.index(corpus, show_progress=False)
        self._vocab = self._bm25.vocab_dict
        self.size = len(texts)
        self._df: dict[str, int] = {}
        for tokens in corpus:
            for t in set(tokens):
                self._df[t] = self._df.get(t, 0) + 1

    def idf(self, lemma: str) -> float:
        """Rarer lemmas say more about which clause is meant (0 for lemmas not in the corpus)."""
        df = self._df.get(lemma, 0)
        return float(np.log(1 + (self.size - df + 0.5) / (df + 0.5))) if df else 0.0

    def scores(self, tokens: list[str]) -> tuple[np.ndarray, set[str]]:
        """BM25 scores of ``tokens`` against every text, and the tokens that exist in the corpus."""
        query = [t for t in tokens if t in self._vocab]
        if not query:
            return np.zeros(self.size, dtype=np.float32), set()
        return np.asarray(self._bm25.get_scores(query), dtype=np.float32), set(query)


class LexicalChannel:
    """BM25 per query; with a glossary, the lay words also search for their legal terms."""

    name = "lexical"

    def __init__(self, index: LexicalIndex, glossary: Glossary | None = None, parts: bool = False) -> None:
        """``parts``: also score each message without the glossary, for a learned ranker to weigh."""
        self.index, self.glossary, self.with_parts = index, glossary, parts

    def tokens(self, text: str) -> list[str]:
        lemmas = self.index.lemmatizer
        tokens = lemmas.tokens(text)
        return self.glossary.expand_tokens(tokens, lemmas.negated(text)) if self.glossary else tokens

    def scores(self, plans: list[Plan]) -> list[PlanScores]:
        out = []
        for plan in plans:
            arrays = [self.index.scores(self.tokens(q.text))[0] for q in plan]
            parts = {"bm25": arrays[0]}
            if self.with_parts:
                parts["bm25_plain"] = self.index.scores(self.index.lemmatizer.tokens(plan[0].text))[0]
            out.append(PlanScores(arrays, {"lexical": float(arrays[0].max(initial=0.0))}, parts))
        return out

    def bridge(self, text: str) -> list[str]:
        """The rules' own terms the glossary reaches for a message in another language («refund» → «возврат»)."""
        if self.glossary is None:
            return []
        _, found = self.index.scores(self.tokens(text))
        return sorted(found - set(self.index.lemmatizer.tokens(text)))

"""Why a clause was found: the sentence of it that best matches the message, and the words they share.

>>> explain = Explainer(lexical_index)                               # doctest: +SKIP
>>> explain("Вернуть товар можно за 7 дней. Деньги — за 10 дней.", "когда вернут деньги")  # doctest: +SKIP
('Деньги — за 10 дней.', ['Деньги'])
"""

from __future__ import annotations

import re

from .lexical import LexicalIndex

_SENTENCE = re.compile(r"(?<=[.;:!?])\s+(?=[«\"(A-ZА-ЯЁ0-9])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]


class Explainer:
    """Scores a clause's sentences by the idf of the query lemmas each contains."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self.lexical = lexical

    def __call__(self, clause_text: str, query: str) -> tuple[str, list[str]]:
        wanted = set(self.lexical.lemmatizer.tokens(query))
        best, best_score, best_words = "", -1.0, []
        for sentence in sentences(clause_text) or [clause_text]:
            words = [(w, lemma) for w, lemma in self.lexical.lemmatizer.words(sentence) if lemma in wanted]
            score = sum(self.lexical.idf(lemma) for lemma in {lemma for _, lemma in words})
            if score > best_score:
                best, best_score, best_words = sentence, score, words
        matched = list(dict.fromkeys(w for w, _ in best_words))
        return best, matched

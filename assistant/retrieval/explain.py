"""Why a clause was found: the part of it that best matches the message, and the words they share.

>>> from assistant.retrieval.lexical import LexicalIndex
>>> from assistant.text import lemmatizer
>>> clause = "Вернуть товар можно за 7 дней. Деньги — за 10 дней."
>>> explainer = Explainer(LexicalIndex(lemmatizer(), [clause, "Вернуть товар можно курьеру.", "Товар вернуть нельзя."]))
>>> explainer.best_sentence(clause, "когда вернут деньги")   # «деньги» is the rarer word
('Деньги — за 10 дней.', ['Деньги'])
"""

from __future__ import annotations

from ..text import clause_sentences
from .lexical import LexicalIndex


class Explainer:
    """Scores a clause's sentences by the idf of the message's lemmas each contains."""

    def __init__(self, lexical: LexicalIndex) -> None:
        self.lexical = lexical

    def best_sentence(self, clause_text: str, query: str) -> tuple[str, list[str]]:
        """The clause's sentence sharing the rarest words with ``query``, and those words as the clause writes them."""
        lemmatizer = self.lexical.lemmatizer
        wanted = set(lemmatizer.tokens(query))
        best, best_score, best_words = "", -1.0, []
        for sentence in clause_sentences(clause_text) or [clause_text]:
            words = [(w, lemma) for w, lemma in lemmatizer.words(sentence) if lemma in wanted]
            score = sum(self.lexical.idf(lemma) for lemma in {lemma for _, lemma in words})
            if score > best_score:
                best, best_score, best_words = sentence, score, words
        return best, list(dict.fromkeys(w for w, _ in best_words))

"""The lexical channel: BM25 over Russian lemmas (pymorphy3, ё→е, stop words dropped) and English stems.

Legal wording and lay wording share few surface forms but many lemmas
(«вернуть»/«возврат» do not, «посылку»/«посылка» do), so BM25 runs on lemmas.

>>> Lemmatizer().tokens("Посылку потеряли на складе, вернёте деньги?")
['посылка', 'потерять', 'склад', 'вернуть', 'деньга']
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"[a-zа-яё]+|\d+(?:[.,]\d+)*", re.I)
_SKIP_POS = {"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED"}
_STOP = {
    "быть", "весь", "этот", "тот", "такой", "который", "мочь", "свой", "также", "если", "или", "при", "для",
    "как", "так", "уже", "ещё", "еще", "очень", "вот", "здравствуйте", "добрый", "день", "пожалуйста", "спасибо",
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "are", "be", "it", "my", "i", "you", "with",
    "at", "by", "this", "that", "from", "was", "can", "do", "does", "have", "has", "not", "no", "me", "we", "what",
}


_NEGATIONS = {"не", "ни"}


def _is_cyrillic(word: str) -> bool:
    return "а" <= word[0] <= "я" or word[0] == "ё"


class Lemmatizer:
    """Tokens for BM25; one instance per process (pymorphy3's dictionaries take ~0.2 s to load)."""

    def __init__(self) -> None:
        import pymorphy3
        import Stemmer

        self._morph = pymorphy3.MorphAnalyzer()
        self._stem = Stemmer.Stemmer("english")
        self.lemma = lru_cache(maxsize=200_000)(self._lemma)

    def _lemma(self, word: str) -> str | None:
        if word[0].isdigit():
            return word
        if "а" <= word[0] <= "я" or word[0] == "ё":
            parse = self._morph.parse(word)[0]
            if parse.tag.POS in _SKIP_POS:
                return None
            lemma = parse.normal_form.replace("ё", "е")
        else:
            lemma = self._stem.stemWord(word)
        return None if lemma in _STOP or word in _STOP else lemma

    def words(self, text: str) -> list[tuple[str, str]]:
        """(surface word, lemma) pairs, for highlighting the words of a clause that matched."""
        out = []
        for m in _WORD.finditer(text):
            lemma = self.lemma(m.group(0).lower())
            if lemma:
                out.append((m.group(0), lemma))
        return out

    def negated(self, text: str) -> list[str]:
        """«не»/«ни» joined to the next word's lemma («не привезли» → «не_привезти»), for the glossary's
        lay sides: «не привезли» and «привезли» mean opposite things, and ``tokens`` drops the particle."""
        out, pending = [], False
        for m in _WORD.finditer(text.lower()):
            word = m.group(0)
            if word in _NEGATIONS:
                pending = True
                continue
            if pending:
                lemma = self._morph.parse(word)[0].normal_form.replace("ё", "е") if _is_cyrillic(word) else word
                out.append(f"не_{lemma}")
            pending = False
        return out

    def tokens(self, text: str) -> list[str]:
        out = []
        for m in _WORD.finditer(text.lower()):
            lemma = self.lemma(m.group(0))
            if lemma:
                out.append(lemma)
        return out


class LexicalIndex:
    """BM25 (bm25s) over token lists; ``scores`` returns one score per indexed text."""

    def __init__(self, lemmatizer: Lemmatizer, texts: list[str]) -> None:
        import bm25s

        self.lemmatizer = lemmatizer
        corpus = [lemmatizer.tokens(t) or ["∅"] for t in texts]
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

    def scores(self, text: str, expand=None) -> tuple[np.ndarray, set[str]]:
        """BM25 scores for ``text`` against every indexed text, and the query lemmas that exist in the corpus."""
        tokens = self.lemmatizer.tokens(text)
        if expand is not None:
            tokens = expand(tokens, self.lemmatizer.negated(text))
        query = [t for t in tokens if t in self._vocab]
        if not query:
            return np.zeros(self.size, dtype=np.float32), set()
        return np.asarray(self._bm25.get_scores(query), dtype=np.float32), set(query)


class Synonyms:
    """Lay words → legal terms from a two-column file (``corpus/synonyms.tsv``), matched on lemmas.

    >>> syn = Synonyms(Lemmatizer(), [("вернуть деньги", "возврат уплаченной суммы")])   # doctest: +SKIP
    >>> syn(["хотеть", "вернуть", "деньга"])                                               # doctest: +SKIP
    ['хотеть', 'вернуть', 'деньга', 'возврат', 'уплатить', 'сумма']
    """

    def __init__(self, lemmatizer: Lemmatizer, pairs: list[tuple[str, str]]) -> None:
        self.rules = [(self._lay(lemmatizer, lay), lemmatizer.tokens(legal), " ".join(legal.split()))
                      for lay, legal in pairs]
        self.rules = [(lay, legal, text) for lay, legal, text in self.rules if lay and legal]

    @staticmethod
    def _lay(lemmatizer: Lemmatizer, lay: str) -> set[str]:
        """A lay side's lemmas; a negated word stands as «не_<lemma>» in place of its lemma."""
        negated = set(lemmatizer.negated(lay))
        return {t for t in lemmatizer.tokens(lay) if f"не_{t}" not in negated} | negated

    @classmethod
    def load(cls, lemmatizer: Lemmatizer, path) -> "Synonyms":
        pairs = []
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#") and "\t" in line:
                    lay, legal = line.split("\t", 1)
                    pairs.append((lay, legal))
        return cls(lemmatizer, pairs)

    def __call__(self, tokens: list[str], negated: list[str] = ()) -> list[str]:
        """``tokens`` plus the legal terms of every rule whose lay side is present; ``negated`` are the
        message's «не_<lemma>» marks (``Lemmatizer.negated``), needed by lay sides such as «не привезти»."""
        present = set(tokens) | set(negated)
        extra = [t for lay, legal, _ in self.rules if lay <= present for t in legal]
        return tokens + extra

    def phrases(self, tokens: list[str], negated: list[str] = ()) -> list[str]:
        """The legal phrases (as written in the file) whose lay side is present, each once."""
        present = set(tokens) | set(negated)
        return list(dict.fromkeys(text for lay, _, text in self.rules if lay <= present))

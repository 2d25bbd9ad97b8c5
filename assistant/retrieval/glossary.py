"""Lay words → legal terms, matched on lemmas, from a two-column file (``corpus/synonyms.tsv``).

«вернуть деньги» is how people write; «возврат уплаченной денежной суммы» is how rules do. A line
whose lay side is all present in a message adds its legal side to the lexical query, and to a
second embedding of the message.

>>> g = Glossary(lemmatizer(), [("вернуть деньги", "возврат уплаченной суммы")])
>>> g.expand_tokens(["хотеть", "вернуть", "деньга"])
['хотеть', 'вернуть', 'деньга', 'возврат', 'уплатить', 'сумма']
>>> g.phrases(["вернуть", "деньга"])
['возврат уплаченной суммы']
"""

from __future__ import annotations

from pathlib import Path

from ..config import REPO_ROOT
from ..text import Lemmatizer, lemmatizer

GLOSSARY_FILE = REPO_ROOT / "corpus" / "synonyms.tsv"


class Glossary:
    def __init__(self, lemmas: Lemmatizer, pairs: list[tuple[str, str]]) -> None:
        rules = [(self._lay(lemmas, lay), lemmas.tokens(legal), " ".join(legal.split())) for lay, legal in pairs]
        self.rules = [(lay, legal, text) for lay, legal, text in rules if lay and legal]

    @staticmethod
    def _lay(lemmas: Lemmatizer, lay: str) -> set[str]:
        """A lay side's lemmas; a negated word stands as «не_<lemma>» in place of its lemma."""
        negated = set(lemmas.negated(lay))
        return {t for t in lemmas.tokens(lay) if f"не_{t}" not in negated} | negated

    @classmethod
    def load(cls, lemmas: Lemmatizer, path: Path = GLOSSARY_FILE) -> "Glossary":
        pairs = []
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip() and not line.startswith("#") and "\t" in line:
                    lay, legal = line.split("\t", 1)
                    pairs.append((lay, legal))
        return cls(lemmas, pairs)

    def expand_tokens(self, tokens: list[str], negated: list[str] = ()) -> list[str]:
        """``tokens`` plus the legal lemmas of every line whose lay side is present; ``negated`` are the
        message's «не_<lemma>» marks (``Lemmatizer.negated``), needed by lay sides such as «не привезти»."""
        present = set(tokens) | set(negated)
        return tokens + [t for lay, legal, _ in self.rules if lay <= present for t in legal]

    def phrases(self, tokens: list[str], negated: list[str] = ()) -> list[str]:
        """The legal phrases (as written in the file) whose lay side is present, each once."""
        present = set(tokens) | set(negated)
        return list(dict.fromkeys(text for lay, _, text in self.rules if lay <= present))

    def with_terms(self, text: str, lemmas: Lemmatizer) -> str:
        """The message with the legal phrases the glossary gives for it appended ("" when it gives none):
        «не привезли оплаченный шкаф» also reads «срок передачи предварительно оплаченного товара»."""
        found = self.phrases(lemmas.tokens(text), lemmas.negated(text))
        return f"{text} ({'; '.join(found)})" if found else ""

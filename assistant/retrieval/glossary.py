"""Lay words → legal terms, matched on lemmas: hand-written lines and lines grown from the index.

«вернуть деньги» is how people write; «возврат уплаченной денежной суммы» is how rules do. A line
whose lay side is all present in a message adds its legal side to the lexical query, and to a
second embedding of the message.

Where lines come from (``Line.source``):

- ``hand:…``: ``corpus/synonyms.tsv``, each line with its origin in the third column;
- ``definitions``: the documents' own definitions, «Отправление — упакованный товар …»: the first
  two content words defining a term lead to the term;
- ``cases``: past cases and accepted replies: a word of people's messages that keeps co-occurring
  with the heading words of the clauses those cases cited (at least ``MIN_SUPPORT`` cases, pointwise
  mutual information at least ``MIN_PMI``) leads to those words. This is how the glossary grows
  from use.

>>> g = Glossary(lemmatizer(), [("вернуть деньги", "возврат уплаченной суммы")])
>>> g.expand_tokens(["хотеть", "вернуть", "деньга"])
['хотеть', 'вернуть', 'деньга', 'возврат', 'уплатить', 'сумма']
>>> g.phrases(["вернуть", "деньга"])
['возврат уплаченной суммы']
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..config import REPO_ROOT
from ..text import Lemmatizer, lemmatizer

GLOSSARY_FILE = REPO_ROOT / "corpus" / "synonyms.tsv"
SOURCES = ("hand", "definitions", "cases")
# Fitted on the tune part of eval/dev.jsonl (article R@5 / MRR@10 with the fusion's order): hand lines
# alone 0.70 / 0.58; with lines from definitions and cases at support 2, PMI ≥ ln 4, common 10 %:
# 0.63 / 0.48 (law 0.60 → 0.51: generic words such as «вопрос», «день» pulled the demo rules into law
# questions); with cases alone at the values below: 0.70 / 0.58. Definitions stay off by default.
MIN_SUPPORT = 3        # cases a word ↔ term pair must share before it becomes a line
MIN_PMI = math.log(8)  # …and how much more often than chance
COMMON_WORD = 0.03     # a word in more than this share of messages leads nowhere
DEFINED = re.compile(r"^(?P<term>[A-ZА-ЯЁ][\w-]*(?: [\w-]+){0,3}) — (?P<body>[^.;]+)")
WORD = re.compile(r"^[a-zа-яё][a-zа-яё-]{2,}$")   # a lemma that can lead somewhere: letters, three or more


@dataclass(frozen=True)
class Line:
    lay: str
    legal: str
    source: str = "hand"


class Glossary:
    def __init__(self, lemmas: Lemmatizer, pairs) -> None:
        """``pairs``: ``Line``s or (lay, legal[, source]) tuples."""
        self.lines = [p if isinstance(p, Line) else Line(*p) for p in pairs]
        rules = [(self._lay(lemmas, line.lay), lemmas.tokens(line.legal), " ".join(line.legal.split()))
                 for line in self.lines]
        self.rules = [(lay, legal, text) for lay, legal, text in rules if lay and legal]

    @staticmethod
    def _lay(lemmas: Lemmatizer, lay: str) -> set[str]:
        """A lay side's lemmas; a negated word stands as «не_<lemma>» in place of its lemma."""
        negated = set(lemmas.negated(lay))
        return {t for t in lemmas.tokens(lay) if f"не_{t}" not in negated} | negated

    @classmethod
    def load(cls, lemmas: Lemmatizer, path: Path = GLOSSARY_FILE, extra: list[Line] = ()) -> "Glossary":
        """The hand-written lines of ``path`` (lay, legal, origin; tab-separated), then ``extra``."""
        lines = []
        if path.exists():
            for row in path.read_text(encoding="utf-8").splitlines():
                if row.strip() and not row.startswith("#") and "\t" in row:
                    lay, legal, *origin = row.split("\t")
                    lines.append(Line(lay, legal, f"hand:{origin[0].strip()}" if origin else "hand"))
        return cls(lemmas, lines + list(extra))

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


def from_definitions(texts: list[str], lemmas: Lemmatizer) -> list[Line]:
    """Lines from the documents' definitions: the first two content words defining a term lead to it.

    >>> [(l.lay, l.legal) for l in from_definitions(["Отправление — упакованный товар из Заказа."], lemmatizer())]
    [('упаковать товар', 'Отправление')]
    """
    lines = []
    for text in texts:
        for sentence in text.splitlines():
            m = DEFINED.match(sentence.strip())
            if m:
                genus = [t for t in lemmas.tokens(m.group("body").split(",")[0]) if WORD.match(t)][:2]
                lines.append(Line(" ".join(genus), m.group("term"), "definitions"))
    return list(dict.fromkeys(line for line in lines if line.lay and line.lay.lower() != line.legal.lower()))


def from_cases(messages: list[frozenset[str]], cited: list[list[frozenset[str]]]) -> list[Line]:
    """Lines from past cases: ``messages[i]`` are case i's message lemmas, ``cited[i]`` the heading lemmas
    of each clause it cited. A message word that keeps meeting the same heading words leads to them.

    >>> lost, price = frozenset({"утрата", "отправление"}), frozenset({"цена", "изменение"})
    >>> messages = [frozenset({"потерять", "посылка"})] * 3 + [frozenset({f"слово{i}"}) for i in range(97)]
    >>> [(l.lay, l.legal) for l in from_cases(messages, [[lost]] * 3 + [[price]] * 97)]
    [('посылка', 'отправление утрата'), ('потерять', 'отправление утрата')]
    """
    word_df = Counter(w for words in messages for w in words)
    pair, word_n, term_n = Counter(), Counter(), Counter()
    cases = 0
    for words, headings in zip(messages, cited):
        terms = {t for heading in headings for t in heading if WORD.match(t)} - words
        if not terms:
            continue
        cases += 1
        words = {w for w in words if WORD.match(w)}
        word_n.update(words)
        term_n.update(terms)
        pair.update((w, t) for w in words for t in terms)
    common = COMMON_WORD * len(messages)
    leads: dict[str, list[str]] = {}
    for (word, term), n in pair.items():
        if n >= MIN_SUPPORT and word_df[word] <= common and \
                math.log(n * cases / (word_n[word] * term_n[term])) >= MIN_PMI:
            leads.setdefault(word, []).append(term)
    return [Line(word, " ".join(sorted(terms)), "cases") for word, terms in sorted(leads.items())]


def grown(corpus, token_sets: list[frozenset[str]], lemmas: Lemmatizer,
          sources: tuple[str, ...] = SOURCES) -> list[Line]:
    """The lines ``sources`` grow from a published ``Corpus`` (``token_sets``: each key's lemmas)."""
    unknown = set(sources) - set(SOURCES)
    if unknown:
        raise ValueError(f"unknown glossary source(s) {', '.join(sorted(unknown))}; valid: {', '.join(SOURCES)}")
    lines: list[Line] = []
    if "definitions" in sources:
        lines += from_definitions([c.text for c in corpus.clauses.values()], lemmas)
    if "cases" in sources:
        headings = {cid: frozenset(lemmas.tokens(" ".join((c.title, *c.parents)))) for cid, c in corpus.clauses.items()}
        keys = [k for k in range(len(corpus.keys)) if not corpus.is_clause[k]]
        cases = [corpus.cases[corpus.keys[k][1]] for k in keys]
        lines += from_cases([token_sets[k] for k in keys],
                            [[] if case.templated else [headings[c] for c in case.cited if c in headings]
                             for case in cases])
    return lines

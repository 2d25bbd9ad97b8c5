"""How much of a reply is boilerplate: canned phrases from the phrase bank, and near-copies of past replies.

Phrases are matched by lemmas in order, with up to ``GAP`` extra words between them, so «Благодарим
вас за ваше обращение» is caught by the bank's «благодарим за обращение»; each phrase is reported once,
with the words as the reply wrote them (for highlighting).

>>> check_template("Благодарим вас за ваше обращение. Срок — 10 дней.", _NoCases(), ("благодарим за обращение",)).phrases
['благодарим за обращение']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..config import REPO_ROOT
from ..text import morph, sentences as split_sentences
from ..text import word_ngrams, words

PHRASE_BANK = REPO_ROOT / "corpus" / "phrase-bank.txt"
NGRAM = 4
NEAR_COPY = 0.6   # share of a sentence's 4-grams found in one past reply (hand-set, round 4)
GAP = 2           # extra words allowed inside a canned phrase («благодарим [вас] за [ваше] обращение»)
_WORD = re.compile(r"\w+")


@dataclass
class TemplateCheck:
    score: float                                   # 0 = all substance, 1 = all boilerplate
    phrases: list[str] = field(default_factory=list)        # canned phrases found (as in the bank), each once
    spans: list[str] = field(default_factory=list)          # the same, as written in the reply
    near_copies: list[dict] = field(default_factory=list)   # {"sentence", "case"}


@lru_cache(maxsize=4)
def load_phrase_bank(path: Path = PHRASE_BANK) -> tuple[str, ...]:
    if not path.exists():
        return ()
    return tuple(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.lstrip().startswith("#"))


@lru_cache(maxsize=200_000)
def _lemma(word: str) -> str:
    word = word.lower().replace("ё", "е")
    if "а" <= word[:1] <= "я":
        return morph().parse(word)[0].normal_form.replace("ё", "е")
    return word


@lru_cache(maxsize=4096)
def _phrase_lemmas(phrase: str) -> tuple[str, ...]:
    return tuple(_lemma(w) for w in _WORD.findall(phrase))


def _find(phrase: str, tokens: list[tuple[str, int, int]], sentence: str) -> str | None:
    """The words of ``sentence`` that say ``phrase`` (lemmas in order, few words between), or None."""
    wanted = _phrase_lemmas(phrase)
    if not wanted:
        return None
    if len(wanted) == 1:   # one word («ожидайте») is the word itself: «просьбы ожидать» in a rule is not a template
        word = phrase.strip().replace("ё", "е")
        return next((sentence[a:b] for _, a, b in tokens if sentence[a:b].lower().replace("ё", "е") == word), None)
    lemmas = [t[0] for t in tokens]
    for start, lemma in enumerate(lemmas):
        if lemma != wanted[0]:
            continue
        pos, gaps, ok = start, 0, True
        for w in wanted[1:]:
            nxt = next((j for j in range(pos + 1, min(len(lemmas), pos + 2 + GAP - gaps)) if lemmas[j] == w), None)
            if nxt is None:
                ok = False
                break
            gaps += nxt - pos - 1
            pos = nxt
        if ok:
            return sentence[tokens[start][1]:tokens[pos][2]]
    return None


class _NoCases:
    """A corpus with no past replies (for the doctest)."""

    reply_grams: list = []


def check_template(text: str, corpus, phrases: tuple[str, ...] | None = None) -> TemplateCheck:
    phrases = load_phrase_bank() if phrases is None else phrases
    text = re.sub(r"«[^»]*»", "«…»", text)   # quoted rules are the substance, not boilerplate
    sentences = split_sentences(text)
    if not sentences:
        return TemplateCheck(0.0)
    found: dict[str, str] = {}
    copies, bad = [], 0
    for sentence in sentences:
        tokens = [(_lemma(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(sentence)]
        hits = {p: span for p in phrases if (span := _find(p, tokens, sentence))}
        grams = word_ngrams(words(sentence), NGRAM)
        copy = None
        if len(grams) >= 3:
            for case_id, reply in corpus.reply_grams:
                if len(grams & reply) / len(grams) >= NEAR_COPY:
                    copy = case_id
                    break
        if hits or copy:
            bad += 1
        for phrase, span in hits.items():
            found.setdefault(phrase, span)
        if copy:
            copies.append({"sentence": sentence, "case": copy})
    return TemplateCheck(round(bad / len(sentences), 3), list(found), list(dict.fromkeys(found.values())), copies)

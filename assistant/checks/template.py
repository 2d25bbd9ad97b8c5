"""How much of a draft is boilerplate: canned phrases from the phrase bank, and near-copies of past replies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..config import REPO_ROOT
from ..text import sentences as split_sentences
from ..text import word_ngrams, words

PHRASE_BANK = REPO_ROOT / "corpus" / "phrase-bank.txt"
NGRAM = 4
NEAR_COPY = 0.6   # share of a sentence's 4-grams found in one past reply (hand-set, round 4)


@dataclass
class TemplateCheck:
    score: float                                   # 0 = all substance, 1 = all boilerplate
    phrases: list[str] = field(default_factory=list)        # canned phrases found, as written in the draft
    near_copies: list[dict] = field(default_factory=list)   # {"sentence", "case"}


@lru_cache(maxsize=4)
def load_phrase_bank(path: Path = PHRASE_BANK) -> tuple[str, ...]:
    if not path.exists():
        return ()
    return tuple(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.lstrip().startswith("#"))


def check_template(text: str, corpus, phrases: tuple[str, ...] | None = None) -> TemplateCheck:
    phrases = load_phrase_bank() if phrases is None else phrases
    text = re.sub(r"«[^»]*»", "«…»", text)   # quoted rules are the substance, not boilerplate
    sentences = split_sentences(text)
    if not sentences:
        return TemplateCheck(0.0)
    found, copies, bad = [], [], 0
    replies = corpus.reply_grams
    for sentence in sentences:
        low = sentence.lower().replace("ё", "е")
        hits = [p for p in phrases if p.replace("ё", "е") in low]
        grams = word_ngrams(words(low), NGRAM)
        copy = None
        if len(grams) >= 3:
            for case_id, reply in replies:
                if len(grams & reply) / len(grams) >= NEAR_COPY:
                    copy = case_id
                    break
        if hits or copy:
            bad += 1
        found.extend(hits)
        if copy:
            copies.append({"sentence": sentence, "case": copy})
    return TemplateCheck(round(bad / len(sentences), 3), list(dict.fromkeys(found)), copies)

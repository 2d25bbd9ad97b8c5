"""Rules for what a reply must not do, configurable per marketplace in ``corpus/guardrails.toml``.

A refund or compensation promise is supported only by a clause cited in the reply whose text grants
that remedy to this reader: one of its statements names the remedy and one of the document's reader
roles, and denies nothing. «Мы вернём вам деньги» backed by a clause that merely mentions «возврат»
is still flagged.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config import REPO_ROOT
from ..errors import AssistantError
from ..text import lemmatizer, morph, sentences, words

GUARDRAILS = REPO_ROOT / "corpus" / "guardrails.toml"


@dataclass(frozen=True)
class Rule:
    id: str
    says: str
    patterns: tuple[re.Pattern, ...]
    remedy: tuple[str, ...] = ()     # lemmas of the remedy a supporting clause must grant


@dataclass
class Violation:
    rule: str
    says: str
    sentence: str


@lru_cache(maxsize=4)
def load_rules(path: Path = GUARDRAILS) -> tuple[Rule, ...]:
    if not path.exists():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return tuple(Rule(r["id"], r.get("says", r["id"]), tuple(re.compile(p, re.I) for p in r["patterns"]),
                          tuple(w.lower() for w in r.get("remedy", []))) for r in data.get("rule", []))
    except (tomllib.TOMLDecodeError, KeyError, re.error) as exc:
        raise AssistantError(f"{path}: invalid guardrail rules ({exc}); each [[rule]] needs id and patterns") from None


def grants(clause, remedy: tuple[str, ...], readers: tuple[str, ...]) -> bool:
    """Whether one of the clause's statements gives the remedy to one of the readers and denies nothing.

    >>> from assistant.schema import Clause
    >>> c = Clause("r:5", "r", "1", ("5",), "", "Продавцу выплачивается компенсация. Покупателю возвращается стоимость.")
    >>> grants(c, ("компенсация",), ("Продавец",)), grants(c, ("возвращаться",), ("Продавец",))
    (True, False)
    """
    from ..draft.answers import parts, polarity

    lemmas = lemmatizer()
    roles = {morph().parse(r.lower())[0].normal_form for r in readers}
    for part in parts(clause):
        found = set(lemmas.tokens(part)) | {morph().parse(w)[0].normal_form for w in words(part)}
        if polarity(part) > 0 and found & set(remedy) and (found & roles or not roles):
            return True
    return False


def check_guardrails(text: str, cited_ids: list[str], corpus, rules: tuple[Rule, ...] | None = None) -> list[Violation]:
    rules = load_rules() if rules is None else rules
    clauses = [c for c in (corpus.clause(cid) for cid in cited_ids) if c is not None]
    out = []
    for sentence in sentences(text):
        for rule in rules:
            if any(p.search(sentence) for p in rule.patterns):
                if rule.remedy and any(grants(c, rule.remedy, corpus.roles(c.doc).readers) for c in clauses):
                    continue
                out.append(Violation(rule.id, rule.says, sentence))
    return out

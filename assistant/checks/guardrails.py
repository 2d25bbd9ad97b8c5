"""Rules for what a reply must not do, configurable per marketplace in ``corpus/guardrails.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..config import REPO_ROOT
from ..errors import AssistantError
from ..text import sentences

GUARDRAILS = REPO_ROOT / "corpus" / "guardrails.toml"


@dataclass(frozen=True)
class Rule:
    id: str
    says: str
    patterns: tuple[re.Pattern, ...]
    unless_clause: tuple[str, ...] = ()


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
                          tuple(w.lower() for w in r.get("unless_clause", []))) for r in data.get("rule", []))
    except (tomllib.TOMLDecodeError, KeyError, re.error) as exc:
        raise AssistantError(f"{path}: invalid guardrail rules ({exc}); each [[rule]] needs id and patterns") from None


def check_guardrails(text: str, cited_ids: list[str], corpus, rules: tuple[Rule, ...] | None = None) -> list[Violation]:
    rules = load_rules() if rules is None else rules
    clauses = [corpus.clause(cid) for cid in cited_ids]
    cited_text = " ".join(c.full_text().lower() for c in clauses if c is not None)
    out = []
    for sentence in sentences(text):
        for rule in rules:
            if any(p.search(sentence) for p in rule.patterns):
                if rule.unless_clause and any(w in cited_text for w in rule.unless_clause):
                    continue
                out.append(Violation(rule.id, rule.says, sentence))
    return out

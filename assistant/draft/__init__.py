"""Draft a reply: read the message, compose (or ask a language model), then check what was written.

>>> d = draft(searcher, "Заказ № 48213-0917 потерялся, прошло 12 дней. Когда компенсация?")   # doctest: +SKIP
>>> d.backend, d.checks.ok                                                                    # doctest: +SKIP
('composer', True)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum

from ..analyze import Analysis, analyze
from ..analyze.facts import Fact
from ..checks import Checks, run_checks
from ..checks.injection import find_injections, without_injections
from ..errors import MessageRejected
from ..analyze.intake import DEFAULT_LIMIT, intake
from .composer import Citation, compose


class Backend(str, Enum):
    COMPOSER = "composer"
    LLM = "llm"


@dataclass
class Draft:
    text: str
    analysis: Analysis
    citations: list[Citation]
    checks: Checks
    backend: str
    fallback: str = ""      # why the language model's draft was not used, if it was asked for
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"text": self.text, "lang": self.analysis.lang, "backend": self.backend, "fallback": self.fallback,
                "points": [{"sentences": p.sentences, "kind": p.kind, "declined": p.declined,
                            "facts": [f.to_dict() for f in p.facts], "clause_ids": p.clause_ids,
                            "cases": [h.id for h in p.cases]} for p in self.analysis.points],
                "facts": [f.to_dict() for f in self.analysis.facts],
                "citations": [c.to_dict() for c in self.citations], "checks": self.checks.to_dict()}


def draft(searcher, message: str, backend: Backend | str = Backend.COMPOSER, llm=None,
          today: dt.date | None = None, order: str = "", limit: int = DEFAULT_LIMIT) -> Draft:
    """Analyse ``message`` (sentences that try to steer the drafter are left out), write, check.

    ``order`` is the order number the agent typed beside the message; it counts as the person's
    fact when the message itself names none. A message longer than ``limit`` characters, empty, or
    made only of instructions to the assistant raises ``MessageRejected``.
    """
    backend = Backend(backend)
    message = intake(message, limit)
    kept = without_injections(message)
    if not kept:
        flagged = "; ".join(f"«{s[:80]}»" for s in find_injections(message)[:3])
        raise MessageRejected(f"the message holds only instructions to the assistant ({flagged}) and no question "
                              "or fact to answer; nothing was drafted")
    analysis = analyze(searcher, kept, today=today, limit=limit)
    _add_order(analysis, order.strip())
    text, citations = compose(analysis)
    used, fallback = Backend.COMPOSER.value, ""
    if backend is Backend.LLM:
        if llm is None:
            fallback = "no language model is configured (set ASSISTANT_LLM_URL and ASSISTANT_LLM_MODEL)"
        else:
            from .llm import LLMError

            try:
                text, citations = llm.write(analysis)
                used = Backend.LLM.value
            except LLMError as exc:
                fallback = str(exc)
    checks = run_checks(text, analysis, searcher.corpus, message)
    if used == Backend.LLM.value and not all(c.ok for c in checks.citations):
        bad = next(c for c in checks.citations if not c.ok)
        fallback = f"the language model cited {bad.citation!r}: {bad.reason}"
        text, citations = compose(analysis)
        used = Backend.COMPOSER.value
        checks = run_checks(text, analysis, searcher.corpus, message)
    return Draft(text, analysis, citations, checks, used, fallback)


def _add_order(analysis: Analysis, order: str) -> None:
    if not order or any(f.kind == "order" for f in analysis.facts):
        return
    fact = Fact(kind="order", value=order, text=order, start=-1)
    analysis.facts.append(fact)
    answered = [p for p in analysis.points if not p.declined and p.clauses]
    if answered:
        answered[0].facts.append(fact)


def recheck(searcher, draft_: Draft, text: str) -> Checks:
    """Checks for the agent's edited text, against the same message and analysis."""
    return run_checks(text, draft_.analysis, searcher.corpus, draft_.analysis.text)


__all__ = ["Backend", "Draft", "draft", "recheck"]

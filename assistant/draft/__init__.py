"""Draft a reply: read the message or the whole thread, plan the answers, write them, check what was written.

A pasted conversation is cut into turns (``assistant.analyze.turns``): points come only from the
person's turns, the agent's last reply is audited with the same checks, and the new draft answers
what is still open, says so when the person complains that the last reply was a template, and does
not repeat what was already answered.

>>> d = draft(searcher, "Заказ № 48213-0917 потерялся, прошло 12 дней. Когда компенсация?")   # doctest: +SKIP
>>> d.backend, d.checks.ok                                                                    # doctest: +SKIP
('composer', True)
>>> a = audit(searcher, message, support_reply)                                              # doctest: +SKIP
>>> [c.point for c in a.checks.unanswered]                                                    # doctest: +SKIP
['Когда вы наконец признаете посылку потерянной?', …]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import Enum

from ..analyze import Analysis, analyze
from ..analyze.facts import Fact
from ..analyze.intake import DEFAULT_LIMIT, intake
from ..analyze.turns import AGENT, CUSTOMER, Turn, split_turns
from ..checks import Checks, run_checks
from ..checks.injection import find_injections, without_injections
from ..errors import MessageRejected
from .answers import fit_for
from .composer import Citation, compose
from .plan import ReplyPlan, build_plan

_FOLLOW_UP = re.compile(r"шаблон\w*|по делу\b|по существу|не ответил\w*|не отвечаете|отписк\w*|template|canned|"
                        r"did(?:n't| not) answer", re.I)


class Backend(str, Enum):
    COMPOSER = "composer"
    LLM = "llm"


@dataclass
class Audit:
    """A reply a person wrote (or the agent's last reply in a thread), checked against the message."""

    reply: str
    checks: Checks
    plan: ReplyPlan

    def to_dict(self) -> dict:
        return {**self.checks.to_dict(), "reply": self.reply}


@dataclass
class Draft:
    text: str
    analysis: Analysis
    plan: ReplyPlan
    citations: list[Citation]
    checks: Checks
    backend: str
    fallback: str = ""      # why the language model's draft was not used, if it was asked for
    turns: list[Turn] = field(default_factory=list)
    audit: Audit | None = None   # a thread: the agent's last reply, checked

    def to_dict(self) -> dict:
        return {"text": self.text, "lang": self.analysis.lang, "backend": self.backend, "fallback": self.fallback,
                "points": [{"sentences": p.sentences, "kind": p.kind, "kinds": [k.value for k in p.kinds],
                            "declined": p.declined, "facts": [f.to_dict() for f in p.facts],
                            "clause_ids": p.clause_ids, "cases": [h.id for h in p.cases]}
                           for p in self.analysis.points],
                "plan": self.plan.to_dict(),
                "facts": [f.to_dict() for f in self.analysis.facts],
                "citations": [c.to_dict() for c in self.citations], "checks": self.checks.to_dict(),
                "turns": [{"role": t.role, "text": t.text} for t in self.turns],
                "audit": self.audit.to_dict() if self.audit else None}


def _person(message: str, limit: int) -> str:
    """The person's text with the sentences that try to steer the drafter left out."""
    kept = without_injections(message)
    if not kept:
        flagged = "; ".join(f"«{s[:80]}»" for s in find_injections(message)[:3])
        raise MessageRejected(f"the message holds only instructions to the assistant ({flagged}) and no question "
                              "or fact to answer; nothing was drafted")
    return kept


def audit(searcher, message: str, reply: str, today: dt.date | None = None, limit: int = DEFAULT_LIMIT) -> Audit:
    """Check a reply a person wrote: which points it answers, its boilerplate, its citations and promises."""
    message = intake(message, limit)
    analysis = analyze(searcher, _person(message, limit), today=today, limit=limit)
    plan = build_plan(analysis, searcher.corpus, today, fit=fit_for(searcher, analysis.lang))
    return Audit(reply, run_checks(reply, analysis, plan, searcher.corpus, message), plan)


def draft(searcher, message: str = "", backend: Backend | str = Backend.COMPOSER, llm=None,
          today: dt.date | None = None, order: str = "", limit: int = DEFAULT_LIMIT,
          turns: list[Turn] | None = None) -> Draft:
    """Analyse the person's turns (sentences that try to steer the drafter are left out), plan, write, check.

    ``message`` may be a whole pasted conversation; ``turns`` gives the turns explicitly instead.
    ``order`` is the order number the agent typed beside the message; it counts as the person's fact
    when the message itself names none. A text longer than ``limit`` characters, empty, or made only of
    instructions to the assistant raises ``MessageRejected``.
    """
    backend = Backend(backend)
    if len(message) > limit:
        intake(message, limit)   # refuses, saying why
    turns = turns if turns is not None else split_turns(message)
    person = intake(" ".join(t.text for t in turns if t.role == CUSTOMER) or message, limit)
    analysis = analyze(searcher, _person(person, limit), today=today, limit=limit)
    _add_order(analysis, order.strip())
    corpus, fit = searcher.corpus, fit_for(searcher, analysis.lang)
    last_agent = max((i for i, t in enumerate(turns) if t.role == AGENT), default=None)
    previous, follow_up, answered = None, "", set()
    if last_agent is not None:
        before = build_plan(analysis, corpus, today, fit=fit)
        previous = Audit(turns[last_agent].text, run_checks(turns[last_agent].text, analysis, before, corpus,
                                                             person), before)
        done = {c.point for c in previous.checks.coverage if c.answered}
        answered = {i for i, p in enumerate(analysis.points) if p.sentences[0] in done}
        after = " ".join(t.text for t in turns[last_agent + 1:] if t.role == CUSTOMER)
        follow_up = "template" if _FOLLOW_UP.search(after) else ""
    plan = build_plan(analysis, corpus, today, follow_up=follow_up, answered_before=answered, fit=fit)
    text, citations = compose(plan, corpus)
    used, fallback = Backend.COMPOSER.value, ""
    if backend is Backend.LLM:
        if llm is None:
            fallback = "no language model is configured (set ASSISTANT_LLM_URL and ASSISTANT_LLM_MODEL)"
        else:
            from .llm import LLMError

            try:
                text, citations = llm.write(plan, analysis)
                used = Backend.LLM.value
            except LLMError as exc:
                fallback = str(exc)
    checks = run_checks(text, analysis, plan, corpus, person)
    if used == Backend.LLM.value:
        why = _llm_problem(checks, plan)
        if why:
            fallback = why
            text, citations = compose(plan, corpus)
            used = Backend.COMPOSER.value
            checks = run_checks(text, analysis, plan, corpus, person)
    return Draft(text, analysis, plan, citations, checks, used, fallback, turns, previous)


def _llm_problem(checks: Checks, plan: ReplyPlan) -> str:
    """Why the language model's draft cannot be used: a citation that fails, a planned decision it dropped, or
    a promise or statement the guardrails forbid (the composer's own text keeps to the plan)."""
    bad = next((c for c in checks.citations if not c.ok), None)
    if bad is not None:
        return f"the language model cited {bad.citation!r}: {bad.problem.value}"
    decided = {p.said[0] for p in plan.points if p.answer is not None and not p.answered_before}
    dropped = [c.point for c in checks.coverage if c.point in decided and not c.answered]
    if dropped:
        return f"the language model left out the decision on «{dropped[0][:60]}»"
    if checks.guardrails:
        return f"the language model's draft {checks.guardrails[0].says}"
    return ""


def _add_order(analysis: Analysis, order: str) -> None:
    if not order or any(f.kind == "order" for f in analysis.facts):
        return
    fact = Fact(kind="order", value=order, text=order, start=-1)
    analysis.facts.append(fact)
    answered = [p for p in analysis.points if not p.declined and p.clauses]
    if answered:
        answered[0].facts.append(fact)


def recheck(searcher, draft_: Draft, text: str) -> Checks:
    """Checks for the agent's edited text, against the same message, analysis and plan."""
    return run_checks(text, draft_.analysis, draft_.plan, searcher.corpus, draft_.analysis.text)


__all__ = ["Audit", "Backend", "Draft", "audit", "draft", "recheck"]

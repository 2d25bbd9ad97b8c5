"""The distinct points a message raises: sentence windows searched one by one, grouped by the rule they touch.

A window whose search is declined is still a point (the person said it), with no
clause: the draft must answer it in plain words, and coverage checks will see it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..retrieval import CaseHit, ClauseHit, Searcher
from ..text import detect_lang, lemmatizer, window_size, windows
from .audience import guess_audience
from .deadlines import Deadline, Limit, due, find_limits, same_event, stems
from .intake import DEFAULT_LIMIT, intake
from .facts import Fact, extract_facts

EVENT_CHARS = 40     # how far around a date the person's words say what happened on it
PRECEDENT_DEPTH = 3  # past cases consulted, and clauses they may reorder, per point
ASIDE_CONFIDENCE = 0.6  # a statement off the message's topics and below this is background, not a point
MESSAGE_TOPICS = 3   # the whole message's best clauses whose topics vouch for a terse sentence
POINT_CHARS = 120   # a point starts from about one sentence; windows with the same rule merge again
CONTEXT_LEMMAS = 6  # a question with fewer content words than this leans on the sentence before it
BRIDGE_TERMS = 2    # glossary terms a question in another language must reach to be answered from the rules
_QUESTION = re.compile(r"\?|\b(?:когда|почему|как|можно ли|сколько|что делать|зачем|куда|where|when|why|how|can i)\b",
                       re.I)


@dataclass
class Point:
    sentences: list[str]
    kind: str                      # question, request or statement
    clauses: list[ClauseHit] = field(default_factory=list)
    cases: list[CaseHit] = field(default_factory=list)
    declined: bool = False
    confidence: float = 0.0
    facts: list[Fact] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)

    @property
    def clause_ids(self) -> list[str]:
        return [h.id for h in self.clauses]

    def to_dict(self) -> dict:
        return {"sentences": self.sentences, "kind": self.kind, "declined": self.declined,
                "confidence": round(self.confidence, 3), "clauses": [h.to_dict() for h in self.clauses],
                "clause_ids": self.clause_ids, "cases": [h.id for h in self.cases],
                "facts": [f.to_dict() for f in self.facts], "deadlines": [d.to_dict() for d in self.deadlines]}


@dataclass
class Analysis:
    text: str
    lang: str
    points: list[Point]
    facts: list[Fact]
    audience: str | None = None   # who seems to be writing: "buyer", "seller" or None

    def to_dict(self) -> dict:
        return {"lang": self.lang, "audience": self.audience, "points": [p.to_dict() for p in self.points],
                "facts": [f.to_dict() for f in self.facts]}


def _kind(sentence: str, facts: list[Fact]) -> str:
    if any(f.kind == "request" for f in facts):
        return "request"
    return "question" if _QUESTION.search(sentence) else "statement"


_ELAPSED = re.compile(r"(?:прошл\w*|уже|жд\w*|назад|ago|for|since)\W*$", re.I)


def _near(text: str, fact: Fact) -> frozenset[str]:
    """The stems of the words around a fact, within its sentence: what the person says happened then."""
    left = max(text.rfind(mark, 0, fact.start) for mark in ".!?") + 1
    right = min((i for i in (text.find(mark, fact.start) for mark in ".!?") if i >= 0), default=len(text))
    return stems(text[max(left, fact.start - EVENT_CHARS):min(right, fact.start + len(fact.text) + EVENT_CHARS)])


def _start_for(limit: Limit, facts: list[Fact], everything: list[Fact], today: dt.date, text: str) -> dt.date | None:
    """The date a clause's time limit runs from: a date the person gave (theirs in this point first), else
    «прошло 5 дней» counted back from today (a duration only counts when it is time already gone).

    When the clause names its event («с даты отмены»), only a date the person ties to that event counts
    («покупатель 12 октября отменил заказ»): a deadline from the wrong date is worse than none.
    """
    def fits(f: Fact) -> bool:
        return not limit.event or same_event(limit.event, _near(text, f))

    for pool in (facts, everything):
        dates = [dt.date.fromisoformat(f.value) for f in pool if f.kind == "date" and fits(f)]
        if dates:
            return min(dates)
    for pool in (facts, everything):
        spans = [int(f.value.split()[0]) for f in pool if f.kind == "duration" and f.value.endswith(" days")
                 and (_ELAPSED.search(text[max(0, f.start - 12):f.start]) or "назад" in text[f.start:f.start + 30])
                 and fits(f)]
        if spans:
            return today - dt.timedelta(days=max(spans))
    return None


def _queries(segments: list[str], lemmas) -> list[str]:
    """A short question («Это законно?») names no rule by itself: it is searched with the sentence before it."""
    return [f"{segments[i - 1]} {s}" if i and _QUESTION.search(s) and len(lemmas(s)) < CONTEXT_LEMMAS else s
            for i, s in enumerate(segments)]


def _message_topics(whole, depth: int = MESSAGE_TOPICS) -> set[str]:
    """The topics the whole message is confidently about. A sentence too terse to be sure of on its own
    («ОЗОН потерял клиента, я за это заплатил») is about one of them when its own best clause agrees."""
    return set() if whole.declined else {h.unit for h in whole.clauses[:depth]}


def _by_precedent(clauses: list[ClauseHit], cases: list[CaseHit], depth: int = PRECEDENT_DEPTH) -> list[ClauseHit]:
    """Among a point's best clauses, those that similar past replies (not templated ones) cited come first:
    how such cases were resolved before is evidence of which rule decides this one."""
    cited = {cid for case in cases[:depth] if not case.templated for cid in case.cited}
    head, tail = clauses[:depth], clauses[depth:]
    return sorted(head, key=lambda h: h.id not in cited) + tail


def _declined(result, kind: str) -> bool:
    """The decline model was fitted on whole messages in the rules' language; for a question in another
    language, rule terms found through the glossary are the evidence that a rule applies."""
    return result.declined and not (kind != "statement" and len(result.bridge) >= BRIDGE_TERMS)


def analyze(searcher: Searcher, text: str, today: dt.date | None = None, k: int = 3,
            limit: int = DEFAULT_LIMIT) -> Analysis:
    """Points with their clauses, cases, facts and deadlines.

    A statement no rule applies to («Пункт выдачи у меня в соседнем доме») is context, not a point:
    its facts go to the point that follows it (or the last one).

    >>> a = analyze(searcher, "Посылка 4821 потерялась 3 октября. Когда компенсация?")   # doctest: +SKIP
    >>> [p.kind for p in a.points]                                                        # doctest: +SKIP
    ['request']
    """
    today = today or dt.date.today()
    text = intake(text, limit)
    facts = extract_facts(text, today)
    window = window_size(text, POINT_CHARS)
    # a greeting or a thank-you alone is not a point
    segments = [s for s in windows(text, window) if lemmatizer().tokens(s)] or [text]
    audience = guess_audience(text)
    queries = _queries(segments, lemmatizer().tokens)
    *results, whole = searcher.search_many(queries + [text], k=k, prefer=audience, window=window)
    agreed = _message_topics(whole) if len(segments) > 1 else set()
    points: list[Point] = []
    by_topic: dict[str, Point] = {}
    context: list[Fact] = []
    cursor = 0
    for segment, result in zip(segments, results):
        start = text.find(segment, cursor)
        cursor = max(cursor, start + len(segment))
        own = [f for f in facts if start <= f.start < start + len(segment)]
        kind = _kind(segment, own)
        declined = _declined(result, kind) and not (result.clauses and result.clauses[0].unit in agreed)
        aside = (kind == "statement" and agreed and result.confidence < ASIDE_CONFIDENCE
                 and not (result.clauses and result.clauses[0].unit in agreed))
        if (declined or aside) and kind == "statement" and len(segments) > 1:
            context.extend(own)
            continue
        key = result.clauses[0].unit if result.clauses and not declined else None
        point = by_topic.get(key) if key else None
        if point is None:
            point = Point([], "statement", clauses=[] if declined else list(result.clauses),
                          cases=list(result.cases), declined=declined, confidence=result.confidence)
            points.append(point)
            if key:
                by_topic[key] = point
        point.sentences.append(segment)
        point.facts.extend(context + own)
        context = []
        kinds = {kind, point.kind}
        point.kind = "request" if "request" in kinds else "question" if "question" in kinds else "statement"
    if context:
        if not points:
            points.append(Point(list(segments), "statement", declined=True))
        points[-1].facts.extend(context)
    for point in points:
        point.clauses = _by_precedent(point.clauses, point.cases)
        point.facts.sort(key=lambda f: f.start)
        for hit in point.clauses[:2]:
            for limit in find_limits(hit.text):
                start = _start_for(limit, point.facts, facts, today, text)
                if start is not None:
                    point.deadlines.append(due(limit, start, today))
    return Analysis(text=text, lang=detect_lang(text), points=points, facts=facts, audience=audience)

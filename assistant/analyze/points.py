"""The distinct points a message raises: its sentences searched one by one, each question a point.

A question nothing applies to is still a point (the person asked it), with no clause: the draft
must say it is being checked, and coverage checks will see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from ..clauses.citation import chapter_of
from ..retrieval import CaseHit, ClauseHit, Searcher
from ..text import MAX_WINDOWS, detect_lang, lemmatizer, sentences, window_size, windows
from .audience import guess_audience
from .deadlines import Deadline, due, find_limits, start_date
from .intake import DEFAULT_LIMIT, intake
from .kinds import PointKind, asks, is_context, point_kinds
from .facts import Fact, extract_facts

PRECEDENT_DEPTH = 3  # past cases consulted, and clauses they may reorder, per point
POINT_SURE = 0.5     # a question in an on-topic message is declined below this confidence ("less likely than not";
                     # the whole-message threshold of the learned decline is 0.72); checked on eval/drafts.jsonl
ASIDE_CONFIDENCE = 0.6  # a statement off the message's topics and below this is background, not a point
MESSAGE_TOPICS = 5   # the whole message's best clauses whose topics vouch for a terse sentence
POINT_CHARS = 120   # a point starts from about one sentence; windows with the same rule merge again
CONTEXT_LEMMAS = 6  # a question with fewer content words than this leans on the sentence before it
CONTEXT_CHARS = 200  # statements just before a question, up to this many characters, are searched with it
FOLLOW_UP_LEMMAS = 3  # a question with fewer content words, all judging («Это законно?»), is part of the one before it
BRIDGE_TERMS = 2    # glossary terms a question in another language must reach to be answered from the rules
WIDE = 10           # clauses fetched per window and for the whole message, before the re-ranking below
MESSAGE_PRIOR = 0.5  # weight of the whole message's score for a window's clause (hand-set on eval/drafts.jsonl,
                     # round 5: a training score; eval/drafts-heldout.jsonl measures it)


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
    kinds: list[PointKind] = field(default_factory=list)   # what the person asks: a date, a sum, yes or no …
    query: str = ""                # what was searched for it (a short question with the sentence before it)

    @property
    def clause_ids(self) -> list[str]:
        return [h.id for h in self.clauses]

    def to_dict(self) -> dict:
        return {"sentences": self.sentences, "kind": self.kind, "kinds": [k.value for k in self.kinds],
                "declined": self.declined,
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
    context: list[str] = field(default_factory=list)   # greetings and introductions: not points

    def to_dict(self) -> dict:
        return {"lang": self.lang, "audience": self.audience, "points": [p.to_dict() for p in self.points],
                "facts": [f.to_dict() for f in self.facts], "context": self.context}


def _kind(sentence: str, facts: list[Fact]) -> str:
    if any(f.kind == "request" for f in facts):
        return "request"
    return "question" if asks(sentence) else "statement"


def _units(text: str) -> tuple[list[str], int]:
    """The message's sentences, or for a long message windows packing them (a bounded number), and the
    window size the whole message is searched with, so that its windows are these units."""
    parts = sentences(text)
    if len(parts) > MAX_WINDOWS:
        return windows(text, POINT_CHARS), window_size(text, POINT_CHARS)
    return parts or [text], 1


def _queries(units: list[str], asks: list[bool], context: list[bool]) -> list[str]:
    """A question is searched with the statements just before it (what the person says it is about,
    «Второй вопрос про хранение. … Сколько дней оно бесплатно?»), up to about ``CONTEXT_CHARS``, leaving out
    greetings and introductions («Я продавец, работаю по FBO» says who asks, not what about); a short
    one («Это законно?») always with the sentence before it."""
    lemmas = lemmatizer().tokens
    out = []
    for i, unit in enumerate(units):
        if not asks[i] or not i:
            out.append(unit)
            continue
        before, j = [], i - 1
        while j >= 0 and not asks[j] and len(" ".join(before)) + len(units[j]) <= CONTEXT_CHARS:
            if not context[j]:
                before.insert(0, units[j])
            j -= 1
        if not before and len(lemmas(unit)) < CONTEXT_LEMMAS:
            before = [units[i - 1]]
        out.append(" ".join(before + [unit]))
    return out


# words that judge what was just said rather than ask something new: «Это законно?», «Они правы?», «Так можно?»
_VERDICT_LEMMAS = {"законный", "законно", "правый", "право", "нормально", "нормальный", "допустимый", "допустимо",
                   "легальный", "легально", "честно", "честный", "справедливо", "справедливый", "правильно",
                   "правильный", "законность", "вообще", "серьёзно", "серьезно", "reasonable", "legal", "allowed",
                   "normal", "fair", "ok", "okay", "тогда", "какой", "стать"}


def _follows_up(question: str) -> bool:
    """A short question that judges the one before it («Это законно?») and is part of it; one that names
    something new, however briefly («А за деньги?», «Табличка эта что-то значит?»), is a point of its own
    (searched with the question before it, see ``_queries``)."""
    words = lemmatizer().tokens(question)
    if len(words) >= FOLLOW_UP_LEMMAS:
        return False
    return all(w in _VERDICT_LEMMAS for w in words)


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


def _chapters(whole) -> set[str]:
    """The chapters of the law the whole message's best clauses lie in: what the message is about at the
    coarsest level (a sale of goods, not a bank deposit). Empty when the message is declined."""
    return set() if whole.declined else {chapter_of(h.doc, tuple(h.parents)) for h in whole.clauses}


def _in_context(result, whole, k: int, prior: float = MESSAGE_PRIOR):
    """A sentence's clauses re-ranked with the whole message's: a terse question («И получу ли я деньги?») is
    about what the message is about (a blocked account), which its own words do not say. A clause from a
    chapter none of the whole message's best clauses lie in is dropped: «вернуть деньги» in a complaint about
    a kettle is not about a bank deposit's return, however alike the words."""
    scores = {h.id: h.score for h in whole.clauses}
    chapters = _chapters(whole)
    found = [h for h in result.clauses if not chapters or chapter_of(h.doc, tuple(h.parents)) in chapters]
    ranked = sorted(found, key=lambda h: -(h.score + prior * scores.get(h.id, 0.0)))
    # a clause found for the sentence that the whole message is likely about is as likely to apply to the sentence
    likely = {h.id: h.applies for h in whole.clauses if h.applies is not None}
    result.clauses = [replace(h, applies=max(h.applies, likely[h.id])) if h.applies is not None and h.id in likely
                      else h for h in ranked[:k]]
    result.cases = result.cases[:k]
    return result


def _declined(result, kind: str, on_topic: bool) -> bool:
    """The decline model was fitted on whole messages in the rules' language, to tell off-topic messages from
    answerable ones. A question inside a message that is itself on topic is far likelier to be answerable:
    it is declined only when retrieval is less sure than not (``POINT_SURE``). For a question in another
    language, rule terms found through the glossary are the evidence that a rule applies."""
    if kind != "statement" and on_topic:
        return result.confidence < POINT_SURE and len(result.bridge) < BRIDGE_TERMS
    return result.declined and not (kind != "statement" and len(result.bridge) >= BRIDGE_TERMS)


def analyze(searcher: Searcher, text: str, today: dt.date | None = None, k: int = 3,
            limit: int = DEFAULT_LIMIT) -> Analysis:
    """Points with their clauses, cases, facts and deadlines.

    Each question (or request) is a point of its own; a short follow-up question («Это законно?») joins
    the one before it. When the person asks something, the statements around it are context: their
    facts go to the point that follows. A message that asks nothing (a complaint) has its statements
    grouped by the rule they touch; a statement no rule applies to is context there too.

    >>> a = analyze(searcher, "Посылка 4821 потерялась 3 октября. Когда компенсация?")   # doctest: +SKIP
    >>> [p.kinds[0].value for p in a.points]                                              # doctest: +SKIP
    ['when']
    """
    today = today or dt.date.today()
    text = intake(text, limit)
    facts = extract_facts(text, today)
    units, window = _units(text)
    units = [u for u in units if lemmatizer().tokens(u)] or [text]
    starts, cursor = [], 0
    for u in units:
        start = text.find(u, cursor)
        starts.append(max(start, 0))
        cursor = max(cursor, start + len(u))
    own = [[f for f in facts if s <= f.start < s + len(u)] for s, u in zip(starts, units)]
    forms = [_kind(u, f) for u, f in zip(units, own)]
    context = [len(units) > 1 and is_context(u) for u in units]
    asks = [form != "statement" and not ctx for form, ctx in zip(forms, context)]
    audience, sure = guess_audience(text, with_margin=True)
    # a buyer is answered from the buyers' terms and a seller from the sellers' rules (laws apply to both);
    # when the guess is unsure, the other side's rules are only ranked lower
    side = {"audience": audience} if sure else {"prefer": audience}
    queries = _queries(units, asks, context)
    *results, whole = searcher.search_many(queries + [text], k=WIDE, window=window, cohere=True, **side)
    # a question leans on what the whole message is about; a statement keeps its own topic
    results = [_in_context(r, whole, k) if ask else _in_context(r, whole, k, prior=0.0) for r, ask in zip(results, asks)]
    asking = any(asks)
    agreed = _message_topics(whole) if len(units) > 1 else set()
    # a message retrieval finds more likely than not to be answerable is on topic for its questions, even below
    # the whole-message decline threshold (fitted for the search page, where declining costs nothing)
    on_topic = not whole.declined or whole.confidence >= POINT_SURE
    whole.clauses = whole.clauses[:k]
    asked_about = {r.clauses[0].unit for r, ask in zip(results, asks) if ask and r.clauses}
    points: list[Point] = []
    by_topic: dict[str, Point] = {}
    pending: list[Fact] = []
    said_context: list[str] = []
    previous_question: Point | None = None
    for unit, query, result, unit_facts, form, ctx, ask in zip(units, queries, results, own, forms, context, asks):
        if ctx:   # «Добрый день. Я продавец, работаю по FBO.»
            pending.extend(unit_facts)
            said_context.append(unit)
            continue
        declined = (_declined(result, form, on_topic)
                    and not (result.clauses and result.clauses[0].unit in agreed))
        # a statement beside questions is a point of its own when it raises a topic nobody asked about, and the
        # whole message is about it too, or it is a grievance (no facts of its own to lend a question) that is
        # confidently about it: «ОЗОН потерял клиента, я как селлер за это заплатил» in a thread whose questions
        # are about the support itself, but not «Плановая дата доставки была 9 октября»
        own_topic = (not declined and result.clauses and result.clauses[0].unit not in asked_about
                     and (result.clauses[0].unit in agreed
                          or (result.confidence >= ASIDE_CONFIDENCE and not unit_facts)))
        if asking and not ask and not own_topic:
            pending.extend(unit_facts)   # a statement beside questions: context for the next question
            previous_question = None
            continue
        if ask and previous_question is not None and _follows_up(unit):
            previous_question.sentences.append(unit)   # «Это законно?» after its question
            previous_question.query += f" {unit}"
            previous_question.facts.extend(pending + unit_facts)
            pending = []
            continue
        aside = (not asking and agreed and result.confidence < ASIDE_CONFIDENCE
                 and not (result.clauses and result.clauses[0].unit in agreed))
        if not asking and (declined or aside) and len(units) > 1:
            pending.extend(unit_facts)
            continue
        key = result.clauses[0].unit if result.clauses and not declined and not ask else None
        point = by_topic.get(key) if key else None
        if point is None:
            point = Point([], form, clauses=[] if declined else list(result.clauses), cases=list(result.cases),
                          declined=declined, confidence=result.confidence)
            points.append(point)
            if key:
                by_topic[key] = point
        point.sentences.append(unit)
        point.query = f"{point.query} {query}".strip()
        point.facts.extend(pending + unit_facts)
        pending = []
        previous_question = point if ask else None
    if pending:
        if not points:
            points.append(Point(list(units), "statement", declined=True))
        points[-1].facts.extend(pending)
    for point in points:
        point.clauses = _by_precedent(point.clauses, point.cases)
        point.facts.sort(key=lambda f: f.start)
        point.kinds = point_kinds(point.sentences, sum(f.kind == "request" for f in point.facts))
        for hit in point.clauses[:2]:
            for limit in find_limits(hit.text):
                start = start_date(limit, point.facts, facts, today, text)
                if start is not None:
                    point.deadlines.append(due(limit, start, today))
    return Analysis(text=text, lang=detect_lang(text), points=points, facts=facts, audience=audience,
                    context=said_context)

"""The reply plan: what the reply will say for each point, decided before any text is written.

Both back ends render the same plan: the composer writes it out, the language model rewrites it but
must keep its decisions (the answers) and its evidence ids, and the checks verify both. For each
point the plan holds what the person said, the kind of point, the **answer** derived from a clause
that answers it (or none: the point is being checked), the evidence (clause id, compact citation,
a short whole quote), the next step, and the facts used.

A clause is cited only when it answers the point: the point was not declined, and a clause of the
right kind for the question gave an answer (a date for «когда», a sum for «сколько», yes or no for
«можно ли»). Otherwise the candidates go to the agent's panel, not into the text.

>>> plan = build_plan(analysis, searcher.corpus, today=dt.date(2026, 11, 25))   # doctest: +SKIP
>>> [(p.kinds[0].value, p.answer.kind.value if p.answer else None) for p in plan.points]   # doctest: +SKIP
[('when', 'date'), ('how_much', 'sum')]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace

from ..analyze import Analysis, Point
from ..analyze.calendar import add_working_days
from ..analyze.facts import Fact
from ..analyze.kinds import PointKind, wants_yes_or_no
from ..retrieval import Corpus
from ..retrieval.browse import ancestors, lead_in
from ..schema import Roles
from ..text import detect_lang, lemmatizer, sentences
from .answers import BY_WORDS, Answer, AnswerKind, Fit, core, derive, parts, quotable, shared_words
from .roles import to_reader, to_reader_en

# Kinds whose answer must be of these kinds to count: a «когда» needs a date or a term, not a rule.
_WANTED = {
    PointKind.WHEN: {AnswerKind.DATE, AnswerKind.TERM},
    PointKind.HOW_MUCH: {AnswerKind.SUM, AnswerKind.RULE},
    PointKind.WHETHER: {AnswerKind.YES, AnswerKind.NO},
    PointKind.DOCUMENTS: {AnswerKind.LIST, AnswerKind.RULE},
}
CANDIDATES = 3          # the point's best clauses tried for an answer, in order (analysis keeps this many)
#: What a point must ask for the reply to promise an answer by a date when no clause answers it. A statement
#: («вопросы у меня простые») or a request for an action alone («перезвоните мне в WhatsApp») is not checked
#: and answered later: the agent's panel shows it unanswered, for the agent to answer or do.
_CHECKED = {PointKind.WHEN, PointKind.HOW_MUCH, PointKind.WHETHER, PointKind.DOCUMENTS, PointKind.WHO, PointKind.HOW,
            PointKind.WHY}
CHECK_DAYS = 5          # working days the reply gives itself to come back on a point being checked
                        # (the demo rules' term for a final answer, п. 11.3; a deployment sets its own)


@dataclass(frozen=True)
class Evidence:
    clause_id: str
    citation: str        # «Правила площадки, п. 5.3.1»
    short: str           # «п. 5.3.1 Правил площадки», as the reply cites it
    quote: str           # the decisive words, whole, at most 25 words ("" when none fits)
    text: str            # the whole clause, for the evidence panel and ``citations[].quote``
    doc: str = ""
    path: tuple[str, ...] = ()
    translated: str = ""            # the answer's sentences in the reply's language, from the document's translation
    translated_citation: str = ""   # «cl. 6.1 Terms for Buyers»


@dataclass
class PointPlan:
    said: list[str]
    kinds: list[PointKind]
    facts: list[Fact]
    answer: Answer | None = None
    evidence: Evidence | None = None
    statement: str = ""              # the answer's words in the reader's terms
    escalate: bool = False           # the person asked for a senior specialist
    check_by: dt.date | None = None  # no clause answers: the day the agent promises to come back
    candidates: list[str] = field(default_factory=list)   # clause ids for the agent's panel
    answered_before: bool = False    # a thread: the agent's last reply already answered it
    support: list[tuple[Answer, Evidence, str]] = field(default_factory=list)   # further rules the answer needs
    subject: str = ""                # the person's own name for what the point is about: «заказ № 48213-0917»
    core: str = ""                   # who does what, in the reader's terms: «вы направляете претензию»
    estimate: Answer | None = None   # the sum the answering rule's rate comes to on the person's figures
    due: Answer | None = None        # the date the answering rule's term runs to from the person's own date
    sure: bool = False               # retrieval finds the answering rule's unit more likely than not to apply

    @property
    def answered(self) -> bool:
        return self.answer is not None

    def to_dict(self) -> dict:
        return {"said": self.said, "kinds": [k.value for k in self.kinds],
                "answer": self.answer.to_dict() if self.answer else None,
                "evidence": {"clause_id": self.evidence.clause_id, "citation": self.evidence.citation,
                             "short": self.evidence.short, "quote": self.evidence.quote,
                             "translated": self.evidence.translated} if self.evidence else None,
                "statement": self.statement, "core": self.core, "escalate": self.escalate,
                "check_by": self.check_by.isoformat() if self.check_by else None,
                "candidates": self.candidates, "answered_before": self.answered_before,
                "support": [{"answer": a.to_dict(), "clause_id": e.clause_id, "short": e.short, "statement": st}
                            for a, e, st in self.support], "subject": self.subject,
                "estimate": self.estimate.to_dict() if self.estimate else None,
                "due": self.due.to_dict() if self.due else None, "sure": self.sure,
                "facts": [f.to_dict() for f in self.facts]}


@dataclass
class ReplyPlan:
    lang: str
    name: str | None
    points: list[PointPlan]
    follow_up: str = ""     # "template": the person says the last reply was canned; the reply says it answers each point

    def to_dict(self) -> dict:
        return {"lang": self.lang, "name": self.name, "follow_up": self.follow_up,
                "points": [p.to_dict() for p in self.points]}


def _evidence(corpus: Corpus, answer: Answer, question: str, lang: str = "ru") -> Evidence:
    clause = corpus.clause(answer.clause_id)
    quote = quotable(answer.span, question) if answer.kind not in (AnswerKind.LIST,) else ""
    translation = corpus.translation(clause.id, lang) if lang != corpus.lang else None
    said = aligned(clause.text, answer.span, translation[0]) if translation else ""
    return Evidence(clause.id, clause.citation, corpus.compact_citation(clause.id), quote, clause.full_text(),
                    clause.doc, clause.path, said, translation[1] if said else "")


def aligned(original: str, span: str, translated: str) -> str:
    """The sentences of a clause's translation that say what ``span`` (sentences of the original) says: the same
    places, when both have as many sentences; else the whole translation if the span is the whole clause; "" when
    they cannot be matched.

    >>> aligned("Первое. Второе предложение. Третье.", "Второе предложение.", "First. The second one. Third.")
    'The second one.'
    """
    ours, theirs = sentences(original), sentences(translated)
    if span.strip() == original.strip():
        return translated
    if len(ours) != len(theirs):
        return ""
    at = [i for i, s in enumerate(ours) if s in span or span in s]
    return " ".join(theirs[i] for i in at)


RANK_BONUS = 0.15   # a better-ranked clause wins a near tie in how well its answer matches the question
SURE = 0.5          # a point's calibrated confidence from which its best clause answers it without shared words
                    # (hand-set, round 5: above the decline threshold, at "more likely than not")
SUPPORT_OVERLAP = 2   # a second clause joins the answer when its statement shares this many words with the question
POINT_WORDS = 55      # words a point's answer and its support may take together
CITE = 0.3            # a statement's clause is cited from this calibrated probability that its unit applies (the
                      # retrieval's applies model, fitted on eval/dev.jsonl's tune part). Chosen on eval/drafts.jsonl:
                      # 0.3 and 0.4 tie (answered 0.46 / 0.45, precision 0.63 / 0.64), 0.5 answers less (0.40); of the
                      # two, 0.3 keeps the seed thread's complaint about support answered. A sentence's probabilities
                      # run below a whole message's, which the model was fitted on.
ASK_CITE = 0.15       # the same for a question's clause, which its words must also match (round 9, on
                      # eval/drafts-law.jsonl's tune half: 0.15 / 0.2 / 0.25 gave precision 0.51 / 0.50 / 0.57 and
                      # answered 0.27 / 0.24 / 0.22, against 0.46 and 0.27 ungated; 8 of the 9 answers below 0.15
                      # there and in eval/drafts.jsonl's law complaints cited a wrong article; English questions are
                      # not gated: dev English coverage 0.58 → 0.50 when they were, tune unchanged)


_MINE = re.compile(r"\b(?:я|мне|меня|мной)\b|\b(?:I|me|my)\b")
_MODAL = re.compile(r"\b(?:обязан\w*|вправе|должн\w*|может|могут)\b", re.I)
_YOURS = re.compile(r"\bвы\s+(?:не\s+)?(?:также\s+)?(?:обязаны|вправе|должны|можете)\b|\bвам\b", re.I)


def _someone_elses(statement: str, asked: list[str]) -> bool:
    """Whether the person asks about their own right or duty («Обязана я платить?») and the rule speaks of
    another party's («исполнитель обязан предупредить»), so that its «да» or «нет» would answer another question.

    >>> _someone_elses("исполнитель обязан предупредить вас", ["Обязана я за неё платить?"])
    True
    >>> _someone_elses("вы вправе отказаться от договора", ["Могу я отказаться?"])
    False
    >>> _someone_elses("лицо обязано возвратить имущество", ["Обязан ли он возвращать?"])
    False
    >>> _someone_elses("продавец обязан возвратить вам сумму", ["Can I get my money back?"])
    False
    """
    return (bool(statement) and any(_MINE.search(s) for s in asked) and bool(_MODAL.search(statement))
            and not _YOURS.search(statement))


def _likely(point: Point) -> dict[str, float]:
    """Per unit, the probability that it answers the point: every clause of a unit shares its unit's."""
    likely: dict[str, float] = {}
    for hit in point.clauses:
        if hit.applies is not None:
            likely[hit.unit or hit.id] = max(likely.get(hit.unit or hit.id, 0.0), hit.applies)
    return likely


_TERM_DASH = re.compile(r"^[^—–:;,.]{1,40}\s[—–]\s")                        # «FBO — модель работы, при которой …»
_TERMS_SECTION = re.compile(r"термин|понят|значени|определени", re.I)   # «термины … используются в значениях …»
_ASKS_MEANING = re.compile(r"что (?:такое|значит|означает|это за)|что понимается|what (?:is|does|are)\b|\bmean", re.I)


def is_definition(corpus: Corpus, clause) -> bool:
    """Whether the clause only defines a term («FBO — модель работы, при которой …», under «термины … используются в
    значениях …»): it answers what a word means, never a question about the person's case."""
    if not _TERM_DASH.search(clause.text) or len(clause.path) < 2:
        return False
    parent = ancestors(list(corpus.clauses.values()), clause)[-1:]
    return bool(parent and _TERMS_SECTION.search(parent[0].text))


def _candidates(point: Point, corpus: Corpus, floor: float = CITE) -> list:
    """The point's best clauses that may be cited, in order, each that defers to its own sub-points replaced by
    them (``Corpus.deferred_to``). A clause whose unit retrieval finds less likely than ``floor`` to apply is left
    to the agent's panel, since a wrong citation is worse than none; so is a term's definition, unless the point
    asks what a word means («Добрый день, я продавец, работаю по FBO» drew the definition of FBO)."""
    out, seen = [], set()
    likely = _likely(point)
    meaning = bool(_ASKS_MEANING.search(" ".join(point.sentences)))
    for hit in point.clauses[:CANDIDATES]:
        if hit.applies is not None and likely[hit.unit or hit.id] < floor and hit.reason != "reference":
            continue
        if not meaning and hit.reason != "reference" and (c := corpus.clause(hit.id)) and is_definition(corpus, c):
            continue
        clause = corpus.clause(hit.id)
        for c in (corpus.deferred_to(clause.id) or [clause]) if clause else []:
            if c.id not in seen:
                seen.add(c.id)
                out.append(c)
    return out


def _answer(point: Point, corpus: Corpus, analysis: Analysis, today: dt.date, used: set[str],
            fit: Fit = BY_WORDS) -> Answer | None:
    """The answer of the wanted kind, from the point's best clauses, that matches the question best; kinds in
    the order of the question. A clause already answering an earlier point is not used again.

    Which clause answers is decided by the words its answer shares with the question (and retrieval's rank);
    which of that clause's sentences the reply states, by ``fit``. Letting ``fit`` choose the sentence before
    the clause was chosen changed which clauses were cited, and cost the held-out law complaints coverage."""
    question = point.query or " ".join(point.sentences)
    wanted_words = set(lemmatizer().tokens(question))
    # a question's answer is checked against its words below; a statement has no words to check it against, so
    # only a rule retrieval finds likely to apply answers it
    # the applies model was fitted on questions in the rules' language: across languages it runs low (as the
    # decline does, see analyze.points.BRIDGE_TERMS), so a question in another language is not gated by it
    asked_floor = ASK_CITE if detect_lang(question) == corpus.lang else 0.0
    candidates = _candidates(point, corpus, CITE if point.kind == "statement" else asked_floor)
    if _ASKS_MEANING.search(" ".join(point.sentences)):   # «Что такое FBO?»: the definition is the answer
        defined = next((c for c in candidates if c.id not in used and is_definition(corpus, c)), None)
        if defined is not None:
            return derive(PointKind.CLAIM, defined, question, point.facts)
    # a «when» or «how much» whose best rule has no date or sum to compute («в пределах суммы их оценки … в течение
    # двадцати четырех часов») is answered by that rule itself, if retrieval is sure of the point and of the rule
    fallback = bool(set(point.kinds) & {PointKind.WHEN, PointKind.HOW_MUCH}) and PointKind.HOW not in point.kinds
    likely = _likely(point)
    ranked = len(candidates)
    if PointKind.HOW_MUCH in point.kinds and candidates:
        # «Сколько они мне должны за задержку?»: the rule found names the duty; the penalty for breaking it is often
        # another clause of the same article (ст. 28, п. 5 beside п. 1), which is tried last, and only for a sum
        # counted per day from the person's own price and dates
        candidates = candidates + [c for c in corpus.same_unit(candidates[0].id) if c not in candidates]
    for kind in point.kinds + [PointKind.HOW] * fallback:
        wanted = _WANTED.get(kind)
        last_resort = fallback and kind is PointKind.HOW
        found = []
        for rank, clause in enumerate(candidates):
            if clause.id in used:
                continue
            answer = derive(kind, clause, question, point.facts, message=analysis.text, today=today,
                            known=analysis.facts, items=corpus.children(clause.id))
            if answer is None or (wanted is not None and answer.kind not in wanted):
                continue
            if rank >= ranked and not counted_per_day(answer):
                continue
            overlap = shared_words(answer.span, wanted_words)
            # a complaint (a statement) is answered by its best rule as ranked; a question by a rule that speaks
            # to it in its words, by a computed date or sum, or by the best-ranked rule when retrieval is sure
            sure = rank == 0 and point.confidence >= SURE
            if last_resort:
                if sure and likely.get(clause.unit or clause.id, 1.0) >= CITE:
                    found.append((overlap, rank, answer))
            elif overlap or sure or kind in (PointKind.CLAIM, PointKind.SERVICE) or answer.kind in (AnswerKind.DATE,
                                                                                                  AnswerKind.SUM):
                found.append((overlap + RANK_BONUS * (len(candidates) - rank), rank, answer))
        if found:
            _, rank, answer = max(found, key=lambda f: f[:2])
            clause = candidates[rank]
            said = derive(kind, clause, question, point.facts, message=analysis.text, today=today,
                          known=analysis.facts, items=corpus.children(clause.id), fit=fit)
            # a «whether» whose closest sentence says no yes or no is answered by that sentence, plainly: «Да:» over a
            # neighbouring sentence («Должны ли вы были сообщить о блокировке?» — «Да: блокировка снимается …»)
            # would answer another question
            fits = said is not None and (wanted is None or said.kind in wanted
                                         or (kind is PointKind.WHETHER and said.kind is AnswerKind.RULE))
            return said if fits else answer
    return None


def counted_per_day(answer: Answer) -> bool:
    """Whether a sum is a rate per day counted over the days the person's own term has run («… = 555 ₽ в день; × 10
    дней»), the one estimate worth stating unasked."""
    return answer.kind is AnswerKind.SUM and answer.estimate and "в день; ×" in answer.detail


def build_plan(analysis: Analysis, corpus: Corpus, today: dt.date | None = None,
               follow_up: str = "", answered_before: set[int] = frozenset(), fit: Fit = BY_WORDS) -> ReplyPlan:
    """The plan for ``analysis``; ``answered_before`` holds the indexes of points a thread's last agent reply
    already answered (they are kept in the plan, marked, and not answered again); ``fit`` chooses which
    sentence of a clause answers a point (``answers.fit_for``). A second, supporting rule is chosen by the
    words it shares with the question, which is what admits it."""
    today = today or dt.date.today()
    # «Игорь Петров» is greeted «Игорь», a couple that signed «Андрей и Лена» by both names
    name = next((f.text if " и " in f.text else f.text.split()[0] for f in analysis.facts if f.kind == "name"), None)
    points, used = [], set()
    for i, point in enumerate(analysis.points):
        plan = PointPlan(said=list(point.sentences), kinds=list(point.kinds), facts=list(point.facts),
                         escalate=any(f.kind == "request" and f.value == "escalation" for f in point.facts),
                         candidates=point.clause_ids[:CANDIDATES], answered_before=i in answered_before)
        answer = None if point.declined else _answer(point, corpus, analysis, today, used, fit)
        if answer is not None and answer.kind in (AnswerKind.YES, AnswerKind.NO) and not wants_yes_or_no(point.sentences):
            answer = replace(answer, kind=AnswerKind.RULE)   # «Они правы?» is answered by the rule, not by its «да»
        if answer is not None:
            used.add(answer.clause_id)
            plan.answer = answer
            clause = corpus.clause(answer.clause_id)
            plan.sure = _likely(point).get(clause.unit or clause.id, 0.0) >= SURE
            plan.evidence = _evidence(corpus, answer, point.query or " ".join(point.sentences), analysis.lang)
            plan.statement = _statement(corpus, answer, plan.evidence, analysis.lang)
            said_ru = plan.statement if analysis.lang == "ru" else _statement(corpus, answer, plan.evidence, "ru")
            if answer.kind in (AnswerKind.YES, AnswerKind.NO) and _someone_elses(said_ru, point.sentences):
                # «Обязана я платить?» — «Да: исполнитель обязан предупредить …»: a rule about someone else's duty
                # is no «да» to the person's question about their own; it is stated as the rule
                answer = plan.answer = replace(answer, kind=AnswerKind.RULE)
            plan.core = _core(corpus, answer) if analysis.lang == "ru" else ""
            if answer.kind not in (AnswerKind.SUM, AnswerKind.DATE) and analysis.lang == "ru":
                clause, asked = corpus.clause(answer.clause_id), " ".join(point.sentences)
                # «Положена ли мне неустойка?» — «Да: … один процент цены за каждый день» and what that comes to
                sum_ = derive(PointKind.HOW_MUCH, clause, asked, point.facts, message=analysis.text, today=today,
                              known=analysis.facts)
                # only a per-day rate counted over the days the person's term has run: a flat percentage of «1 рубль»
                # or of the fine itself is no estimate anyone asked for
                plan.estimate = sum_ if sum_ is not None and counted_per_day(sum_) else None
                # «… в течение десяти дней со дня предъявления требования» and the day they made it: until when
                due = derive(PointKind.WHEN, clause, asked, point.facts, message=analysis.text, today=today,
                            known=analysis.facts)
                plan.due = due if due is not None and due.kind is AnswerKind.DATE else None
            plan.support = _support(point, corpus, answer, used, analysis.lang)
            used.update(e.clause_id for _, e, _ in plan.support)
        elif set(point.kinds) & _CHECKED and _names_a_thing(point):
            plan.check_by = add_working_days(today, CHECK_DAYS)
        points.append(plan)
    if analysis.lang == "ru":
        _name_subjects(points, analysis)
    return ReplyPlan(analysis.lang, name, points, follow_up)


def _names_a_thing(point: Point) -> bool:
    """Whether a point names something to check (a noun): «ВЫ ВООБЩЕ ТАМ РАБОТАЕТЕ?!» is an outcry, not a question
    to promise an answer to by a date."""
    from ..text import morph

    words = re.findall(r"[а-яёa-z]+", " ".join(point.sentences).lower())
    return (any(morph().parse(w)[0].tag.POS == "NOUN" for w in words) or not re.search(r"[а-яё]", " ".join(words))
            or bool(re.search(r"\b[A-Z]{2,}\b", " ".join(point.sentences))))   # «Что такое FBO?» names FBO


def _name_subjects(points: list[PointPlan], analysis: Analysis) -> None:
    """Answered points are named by the person's own words for what they are about: the order or shipment
    number (the point's own, else the message's once), so the answer is about their case."""
    numbered = [f for f in analysis.facts if f.kind in ("order", "shipment")]
    named: set[str] = set()   # each number once a reply: «По заказу № …» before every answer reads as a form
    for point in points:
        if point.answer is None or point.answered_before:
            continue
        own = next((f for f in point.facts if f.kind in ("order", "shipment")), None)
        fact = own or (numbered[0] if numbered and not named else None)
        if fact is not None and fact.value not in named:
            point.subject = subject_phrase(analysis.text, fact)
            named.add(fact.value)


def subject_phrase(text: str, fact: Fact) -> str:
    """What the person calls the thing the number belongs to, in the dative after «по»: «по заявке № 5530127»,
    «по отправлению № 48213-0917»; «по заказу № …» when they name nothing.

    >>> from assistant.analyze.facts import extract_facts
    >>> [subject_phrase(t, extract_facts(t)[0]) for t in ("Поставка по заявке № 5530127 не принята",
    ...                                                     "Отправление № 48213-0917 потерялось")]
    ['заявке № 5530127', 'отправлению № 48213-0917']
    """
    from ..text import morph

    before = re.findall(r"[а-яё]+", text[max(0, fact.start - 40):max(fact.start, 0)].lower())
    noun = next((w for w in reversed(before) if w not in ("номер", "номеру", "по")), "")
    parse = next((p for p in morph().parse(noun) if p.tag.POS == "NOUN"), None) if noun else None
    form = parse.inflect({"datv", parse.tag.number or "sing"}) if parse else None
    word = form.word if form else ("заказу" if fact.kind == "order" else "отправлению")
    return f"{word} № {fact.value}"


def _statement(corpus: Corpus, answer: Answer, evidence: Evidence, lang: str) -> str:
    """The answer's words in the reader's terms («вам выплачивается …», «you are paid …» from our rules' English
    version); "" where there are no such words (a law in an English reply keeps its quote)."""
    if lang != "ru":
        clause = corpus.clause(answer.clause_id)
        return to_reader_en(evidence.translated, corpus.translation_roles(clause.doc, lang)) if evidence.translated else ""
    clause = corpus.clause(answer.clause_id)
    roles = corpus.roles(clause.doc) if clause else Roles()
    lead = _item_lead(corpus, clause) if clause and answer.span[:1].islower() else ""
    return tidy(to_reader(f"{lead} {answer.span.rstrip(' ;')}" if lead else answer.span, roles))


_ITEM = re.compile(r"^(?:\d{1,2}|[а-яa-z])\)$")


def _item_lead(corpus: Corpus, clause) -> str:
    """The sentence a list item hangs on («Не подлежат возврату в качестве неосновательного обогащения:» for «4)
    денежные суммы …»; ``browse.lead_in``, cut to its last sentence): said alone, an item of what is excluded reads
    as what is granted. "" for a clause that is no item of a list."""
    if not clause.path or not _ITEM.match(clause.path[-1]):
        return ""
    lead = lead_in(list(corpus.clauses.values()), clause)
    return (sentences(lead) or [lead])[-1].strip() if lead.endswith(":") else ""


_CROSS_REFERENCE = re.compile(
    r"(,)?\s*(?:установленн\w+|предусмотренн\w+|указанн\w+|определённ\w+|определенн\w+)?\s*(?:в соответствии с|согласно|"
    r"по правилам|по|в порядке|в сроки?,?|в)?\s*(?:подпункт\w*\s+«?\w»?\s+)?пункт\w*\s+[\d.–-]+"
    r"(?:\s*(?:и|или)\s*(?:пункт\w*\s+)?[\d.]+)?\s+"
    r"(?:настоящ\w+\s+(?:Правил|Условий)|Правил|Условий)(?:\s+для категории товара)?(?(1),?)", re.I)


def tidy(statement: str) -> str:
    """A statement without its cross-references («, установленной пунктом 8.2 настоящих Правил»): the reply
    cites the clause itself, and the reader needs the rule, not the document's wiring.

    >>> tidy("компенсация за вычетом комиссии, установленной пунктом 8.2 настоящих Правил для категории товара.")
    'компенсация за вычетом комиссии.'
    >>> tidy("Если установлено, что товар повреждён, компенсация выплачивается в порядке, установленном пунктом 5.3.1 настоящих Правил.")
    'Если товар повреждён, компенсация выплачивается в установленном порядке.'
    >>> tidy("За передачу с нарушением срока, установленного пунктом 4.2.3 или пунктом 4.3.5 настоящих Правил, начисляется штраф.")
    'За передачу с нарушением срока начисляется штраф.'
    >>> tidy("За автоматическую отмену в случае, предусмотренном пунктом 4.2.4 настоящих Правил, начисляется штраф.")
    'За автоматическую отмену начисляется штраф.'
    >>> tidy("Должна быть предоставлена информация о товаре, предусмотренная статьёй 10 настоящего Закона, а также "
    ...      "предусмотренная пунктом 4 настоящей статьи информация о порядке возврата.")
    'Должна быть предоставлена информация о товаре, а также информация о порядке возврата.'
    >>> tidy("Последствия установлены положениями, предусмотренными статьями 18 — 24 настоящего Закона.")
    'Последствия установлены положениями, предусмотренными статьями 18 — 24 настоящего Закона.'
    >>> tidy("Лицо обязано возвратить имущество, за исключением случаев, предусмотренных статьей 1109 настоящего Кодекса.")
    'Лицо обязано возвратить имущество.'
    >>> tidy("Изготовитель (продавец, импортёр) обязан предоставить товар (3 дня).")
    'Изготовитель обязан предоставить товар (3 дня).'
    """
    statement = _REFERENCE_IN_PARENS.sub("", statement)
    statement = _LAW_REFERENCE.sub(_unless_it_is_the_content, statement)
    statement = _BARE_EXCEPTION.sub("", statement)   # «…, за исключением случаев» whose cases were the reference
    statement = _ESTABLISHED.sub(lambda m: m.group(1) + " ", statement)
    statement = _IN_ORDER.sub("в установленном порядке", statement)
    statement = _IN_CASE.sub("", statement)
    return re.sub(r"\s+([.,;:])", r"\1", _CROSS_REFERENCE.sub("", statement)).strip()


# «, предусмотренная статьёй 10 настоящего Закона», «предусмотренная пунктом 4 настоящей статьи»: a law's wiring
_LAW_REFERENCE = re.compile(r",?\s+(?:установленн|предусмотренн|указанн)\w*\s+(?:(?:пункт|подпункт|абзац)\w*\s+[\d.]+\s+"
                            r"(?:настоящей\s+статьи|стать\w+\s+[\d.]+\s+настоящего\s+(?:Закона|Кодекса))|"
                            r"стать\w+\s+[\d.]+(?:\s*[—–-]\s*[\d.]+)?\s+настоящего\s+(?:Закона|Кодекса))(?=[\s,.;])", re.I)
_BARE_EXCEPTION = re.compile(r",?\s*за исключением (?:случаев|случая)(?=\s*(?:[.;]|$))", re.I)
# «установлены положениями, предусмотренными статьями 18 — 24»: there the reference is what is said
_CONTENT_NOUN = re.compile(r"(?:положени|норм|правил|требовани|статей|статьями)\w*\s*$", re.I)


def _unless_it_is_the_content(m: re.Match) -> str:
    return m.group(0) if _CONTENT_NOUN.search(m.string[:m.start()]) else ""


# «если установлено, что товар повреждён» says no more to a reader than «если товар повреждён»
_ESTABLISHED = re.compile(r"\b(если|когда)\s+(?:будет\s+)?(?:установлено|выявлено|подтверждено),\s+что\s+", re.I)
# «в порядке, установленном пунктом 5.3.1 настоящих Правил»: without its reference it would end on «в порядке»
_IN_ORDER = re.compile(r"в порядке,?\s+(?:установленном|предусмотренном|определённом|определенном)\s+(?:подпункт\w*\s+"
                       r"«?\w»?\s+)?пункт\w*\s+[\d.–-]+(?:\s*(?:и|или)\s*[\d.]+)?\s+(?:настоящ\w+\s+)?(?:Правил|Условий)",
                       re.I)
# «за отмену в случае, предусмотренном пунктом 4.2.4 настоящих Правил, …»: the case is the clause cited
_IN_CASE = re.compile(r"\s*в случа(?:е|ях),?\s+(?:предусмотренн|установленн|указанн)\w*\s+(?:подпункт\w*\s+«?\w»?\s+)?"
                      r"пункт\w*\s+[\d.–-]+(?:\s*(?:и|или)\s*[\d.]+)?\s+(?:настоящ\w+\s+)?(?:Правил|Условий),?", re.I)
# «(статья 168)», «(пункт 2 статьи 359)»: a law's references to itself, in brackets; and its asides without a
# number («изготовитель (продавец, уполномоченная организация, импортёр) обязан …»), which the quote keeps
_REFERENCE_IN_PARENS = re.compile(r"\s*\((?:[^()\d]*|[^()]*\b(?:стать|пункт|ст\.|п\.|подпункт|глав)\w*[^()]*)\)",
                                  re.I)


def _core(corpus: Corpus, answer: Answer) -> str:
    clause = corpus.clause(answer.clause_id)
    found = core(answer.span)
    return to_reader(found, corpus.roles(clause.doc)) if found and clause else found


_ANAPHORA = re.compile(r"(?:\S+\s+){0,4}?(?:эт(?:ого|ой|их|им|ом)|так(?:ого|ой|их|ому)|указанн\w+|данн(?:ого|ой|ых))\b",
                      re.I)


def _words(span: str) -> int:
    return len(tidy(span).split())


def _support(point: Point, corpus: Corpus, primary: Answer, used: set[str], lang: str) -> list:
    """A second rule the answer needs («компенсация — цена товара за вычетом комиссии» and «начисляется
    автоматически»): another of the point's clauses whose statement shares words with the question."""
    question = point.query or " ".join(point.sentences)
    wanted = set(lemmatizer().tokens(question))
    budget = POINT_WORDS - _words(primary.span)   # the words the reader reads: cross-references are dropped
    for clause in _candidates(point, corpus):
        if clause.id in used or clause.id == primary.clause_id:
            continue
        answer = derive(PointKind.CLAIM, clause, question, point.facts)
        if answer is None or _ANAPHORA.match(answer.span):   # «сверх этого предела» needs a sentence before it
            continue
        if _words(answer.span) > budget:   # the statement alone, without the sentences that follow it
            first = next((p for p in parts(clause) if answer.span.startswith(p)), "")
            answer = replace(answer, span=first) if first else answer
        shared = shared_words(answer.span, wanted)
        same_unit = clause.unit == corpus.clause(primary.clause_id).unit
        # a complaint is answered by the rules of its unit; a question's second rule must speak to it
        needed = 0 if same_unit and PointKind.CLAIM in point.kinds else SUPPORT_OVERLAP - same_unit
        if shared >= needed and _words(answer.span) <= max(budget, 0):
            evidence = _evidence(corpus, answer, question)
            return [(answer, evidence, _statement(corpus, answer, evidence, lang))]
    return []

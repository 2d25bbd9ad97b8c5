"""The default back end: the reply plan written out, deterministically and without a language model.

Each point gets its answer first — a date, a sum, yes or no with its condition, what to send — with
the person's own facts and in the reader's terms («вам положена компенсация»), then the next step,
then a short citation «(п. 5.3.1 Правил площадки)». Sentence plans follow from the plan's content
(the kind of answer and the facts present); there is no bank of connectives. A point no clause
answers is named, in the person's own words said back to them, in one closing sentence that says it is
being checked and by when. A point the agent already answered in
the thread is not repeated. An English message gets an English reply; the rules keep their Russian
wording, in quotes.

>>> text, citations = compose(plan, corpus)          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from ..analyze.kinds import PointKind
from ..retrieval import Corpus
from .answers import QUOTE_WORDS, AnswerKind, quotable, ru_date
from .plan import PointPlan, ReplyPlan
from .roles import to_you

SAID_WORDS = 12   # a point being checked is named by at most this many of the person's own words


@dataclass(frozen=True)
class Citation:
    doc: str
    id: str
    citation: str
    path: list[str]
    quote: str        # the clause's text the reply rests on (the whole clause; the reply may quote less)

    def to_dict(self) -> dict:
        return {"doc": self.doc, "id": self.id, "citation": self.citation, "path": self.path, "quote": self.quote}


def _said(point: PointPlan, lang: str = "ru") -> str:
    """The person's words for a point, short and said back to them: its questions (two at most) if it has any; past
    ``SAID_WORDS`` words, cut at the last comma before them (or at a word) and marked «…».

    >>> _said(PointPlan(["Добрый день.", "Могу я вернуть деньги за мой заказ, если прошло 10 дней?"], [], []))
    'можете вы вернуть деньги за ваш заказ, если прошло 10 дней'
    >>> _said(PointPlan(["Как оспорить этот акт и сколько у меня дней на это, если я был в отпуске две недели, "
    ...                   "а акт пришёл в первый же день?"], [], []))
    'как оспорить этот акт и сколько у вас дней…'
    >>> _said(PointPlan(["Можно мне тёмную тему?", "И будет ли у вас приложение для часов?"], [], []))
    'можно вам тёмную тему; и будет ли у нас приложение для часов'
    >>> _said(PointPlan(["3. Какая вообще комиссия на детские игрушки?"], [], []))
    'какая вообще комиссия на детские игрушки'
    >>> _said(PointPlan(["Могу ли забрать машину и доделать в другом сервисе (там насчитали 21 000), а разницу потом "
    ...                   "стрясти с этих?"], [], []))
    'можете ли забрать машину и доделать в другом сервисе…'
    """
    asked = [s for s in point.said if s.rstrip().endswith("?")][:2]   # a follow-up joined to its question too
    if len(asked) > 1:
        return "; ".join(_said(replace(point, said=[q]), lang) for q in asked)
    sentence = (asked or point.said)[0].strip()
    sentence = re.sub(r"[«»“”\"]", "", sentence).rstrip("?!. ")
    sentence = re.sub(r"\s*\([^()]*\)", "", sentence)   # an aside in brackets: cut through, it left «(там насчитали 21…»
    sentence = _ENUMERATOR.sub("", sentence)   # «3. Какая у нас комиссия?» was the third of a list
    words = sentence.split()
    if len(words) > SAID_WORDS:
        head = " ".join(words[:SAID_WORDS])
        cut = head.rfind(",")   # a whole stretch of the question reads better than one cut mid-phrase
        kept = (head[:cut] if cut > len(head) // 3 else head).split()
        while len(kept) > 1 and _dangles(kept[-1]):   # «сколько у меня…» → «сколько…»
            kept.pop()
        words = " ".join(kept).strip(" ,:;—-") + "…"
    else:
        words = " ".join(words).strip(" ,:;—-")
    said = to_you(words) if lang == "ru" else words
    return _lower(said) if lang == "ru" else said


_ENUMERATOR = re.compile(r"^(?:\d{1,2}[.)]|[а-яa-z]\)|[-–—•*]|(?:во-первых|во-вторых|в-третьих|первое|второе|третье|"
                         r"четвёртое|четвертое|и последнее)[,:—-]?)\s+", re.I)


def _dangles(word: str) -> bool:
    """A word that cannot end a cut phrase: a preposition, a conjunction, a particle or a pronoun."""
    from ..text import morph

    return morph().parse(word.strip(",;:").lower())[0].tag.POS in ("PREP", "CONJ", "PRCL", "NPRO")


def _checked(points: list[PointPlan], lang: str) -> str:
    """One sentence for every point no clause answers: the person's words, and by when they get an answer."""
    open_points = [p for p in points if p.answer is None and p.check_by is not None and not p.answered_before]
    if not open_points:
        return ""
    by = max(p.check_by for p in open_points)
    if lang == "en":
        said = "; ".join(f"“{_said(p, 'en')}”" for p in open_points)
        return f"I will check and answer by {_en_date(by)}: {said}."
    # the person's words turned to «вы» are our paraphrase, not a quote: no quotation marks
    said = "; ".join(_said(p) for p in open_points)
    return f"Проверю и отвечу до {ru_date(by)}: {said}" + ("" if said.endswith("…") else ".")


def _en_date(d: dt.date) -> str:
    return f"{d.day} {d:%B}"


_EN_UNITS = ((r"рабоч\w*\s+дн\w*|рабоч\w*\s+день", "working days"), (r"календарн\w*\s+дн\w*|календарн\w*\s+день", "calendar days"),
             (r"дн\w*|день", "days"), (r"час\w*", "hours"), (r"недел\w*", "weeks"), (r"месяц\w*", "months"),
             (r"лет|год\w*", "years"), (r"минут\w*", "minutes"))


_EN_MONTHS = dict(zip(("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                       "октября", "ноября", "декабря"),
                      ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                       "October", "November", "December")))


def _en_term(value: str) -> str:
    """«10 рабочих дней» → «10 working days», «5 ноября» → «5 November»; "" when words are left that we cannot
    put into English.

    >>> _en_term("10 рабочих дней"), _en_term("1 календарный день"), _en_term("5 ноября"), _en_term("до вручения")
    ('10 working days', '1 calendar day', '5 November', '')
    """
    for pattern, english in _EN_UNITS:
        value = re.sub(rf"\b(?:{pattern})\b", english, value)
    value = re.sub(r"\b1 (\w+ )?(\w+)s\b", r"1 \1\2", value)
    value = re.sub(r"\b(\d{1,2}) (" + "|".join(_EN_MONTHS) + r")\b", lambda m: f"{m[1]} {_EN_MONTHS[m[2]]}", value)
    return "" if re.search(r"[а-яё]", value, re.I) else value


# --- Russian -------------------------------------------------------------------------------------------

def _ru_point(p: PointPlan) -> str:
    line = _ru_answer(p)
    if line and p.due is not None:   # «По вашим датам это до 24 марта (10 дней с 14 марта) — дата уже прошла.»
        line += (f" По вашим датам это до {p.due.value}" + (f" ({p.due.detail})" if p.due.detail else "")
                 + (" — дата уже прошла." if p.due.passed else "."))
    if line and p.estimate is not None:
        line += f" {_estimate(p.estimate)}."
    if line and p.subject:   # «По заказу № 1 — да: …», not «По заказу № 1: да: …»
        line = f"По {p.subject}{' —' if line.startswith(('Да:', 'Нет:')) else ':'} {_lower(line)}"
    for answer, evidence, statement in p.support:
        line += f" {_upper((statement or answer.span).rstrip(' .;,'))} ({evidence.short})."
    return line


def _ru_answer(p: PointPlan) -> str:
    a, ev = p.answer, p.evidence
    if a is None:   # said once for all such points, by ``_checked``
        return ""
    cite = f"({ev.short})"
    statement = p.statement.rstrip(" .;,") or a.span.rstrip(" .;,")
    if a.kind is AnswerKind.DATE:
        tail = ", срок уже истёк" if a.passed else ""
        if p.core:   # «Отправление признаётся утраченным: 10 дней с 12 октября — до 22 октября»
            detail = f"{a.detail} — " if a.detail else ""
            return f"{_upper(p.core)}: {detail}до {a.value}{tail} {cite}."
        head = f"Срок — до {a.value}" + (f" ({a.detail})" if a.detail else "") + tail
        return f"{head}: {_lower(statement)} {cite}."
    if a.kind is AnswerKind.TERM and p.core and a.detail:   # «Хранение бесплатно — 60 дней с даты приёмки»
        return f"{_upper(p.core)} — {a.value}" + (f" {a.detail}" if a.detail else "") + f" {cite}."
    if a.kind is AnswerKind.SUM:
        if a.estimate and a.detail:
            return f"{_estimate(a)} {cite}."
        return f"Сумма — {a.value}: {_lower(statement)} {cite}."
    if a.kind is AnswerKind.YES and _ONLY.search(statement):   # «вправе … только после проверки»: not a plain yes
        return f"{_upper(statement)} {cite}."
    if a.kind is AnswerKind.YES:
        return f"Да: {_lower(statement)} {cite}."
    if a.kind is AnswerKind.NO:
        return f"Нет: {_lower(statement)} {cite}."
    if a.kind is AnswerKind.LIST:
        lead = "Приложите" if PointKind.DOCUMENTS in p.kinds else _upper(statement.rstrip(":"))
        return f"{lead}: {'; '.join(_lower(i) for i in a.items)} {cite}."
    return f"{_upper(statement)} {cite}."


def _estimate(a) -> str:
    """«Неустойка по вашим данным — 7 980 ₽: 1 % × … = 7 980 ₽, это предварительный расчёт»: what the sum is (when the
    rule names it), the sum, then how it was counted."""
    what = next((name for pattern, name in _SUM_NAMES if re.search(pattern, a.span, re.I)), None)
    if what:
        return f"{what} по вашим данным — {a.value}: {a.detail}, это предварительный расчёт"
    return f"По вашим данным это {a.value}: {a.detail} — предварительный расчёт"


_SUM_NAMES = ((r"неустойк|\bпен[иья]\b", "Неустойка"), (r"компенсаци", "Компенсация"), (r"штраф", "Штраф"),
              (r"процент\w* за пользование", "Проценты"))


# a permission with a restriction («вправе размещать карточки только после проверки») answers «можно ли до неё?» with
# its restriction, not with «да»
_ONLY = re.compile(r"\bтолько\b|\bлишь\b", re.I)


def _lower(text: str) -> str:
    """Lower-case the first letter unless the word is a name or an abbreviation («ЗоЗПП», «Маркетлайн»)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first[1:].lower() != first[1:] or first in ("Маркетлайн",)):
        return text
    return text[:1].lower() + text[1:]


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- English ---------------------------------------------------------------------------------------------

# «Can I still return them, and …?»: an auxiliary, the person (or «there»), and what they ask about, up to a comma
_ASKED = re.compile(r"^(?:(?:and|so|also|but|then|ok|okay)[,:]?\s+)*(can|could|may|must|should|do|will|would|am|is|are)\s+"
                    r"(i|we|there)\s+([^,;?]+)", re.I)
_NOT = {"can": "cannot", "could": "cannot", "may": "may not", "must": "do not have to", "should": "should not",
        "do": "do not", "will": "will not", "would": "would not", "am": "are not", "is": "is not", "are": "are not"}
_SO = {"could": "can", "am": "are", "do": ""}
_THEIRS = {"i": "you", "me": "you", "my": "your", "mine": "yours", "myself": "yourself", "we": "you", "us": "you",
           "our": "your", "ours": "yours", "you": "us", "your": "our", "i'm": "you're", "i've": "you've"}
ECHO_WORDS = 14   # a longer question is not said back: its «yes» would vouch for more than the rule says


def _echo(question: str, yes: bool) -> str:
    """A yes-or-no question of the person's own said back as the answer, so that «Yes» says what it is yes to; ""
    for a question that is not one (an alternative with «or», someone else's doing, or too long to vouch for).

    >>> _echo("Can I still return them, and will I have to pay for sending them back?", True)
    'you can still return them'
    >>> _echo("Do I need to file a claim, or is it automatic?", False)
    'you do not need to file a claim'
    >>> _echo("Also, is there a way to withdraw daily instead of twice a month?", True)
    'there is a way to withdraw daily instead of twice a month'
    >>> _echo("Will the replacement come with a fresh warranty or only what's left of the old one?", True)
    ''
    """
    m = _ASKED.match(question.strip())
    if not m or re.search(r"\bor\b", m.group(3), re.I) or len(m.group(3).split()) > ECHO_WORDS:
        return ""
    aux, who = m.group(1).lower(), m.group(2).lower()
    verb = _SO.get(aux, aux) if yes else _NOT[aux]
    rest = " ".join(_THEIRS.get(w.lower(), w) for w in m.group(3).split())
    return " ".join(w for w in (_THEIRS.get(who, who), verb, rest) if w)


_EN_OPENERS = {"You", "Your", "We", "Our", "The", "A", "An", "If", "No"}   # lower-cased after «Yes:»


def _en_lower(sentence: str) -> str:
    """A sentence put after a colon: its opening word lower-cased unless it is a name («Marketline»)."""
    first, _, rest = sentence.partition(" ")
    return f"{first.lower() if first in _EN_OPENERS else first} {rest}".rstrip()


def _en_point(p: PointPlan) -> str:
    a, ev = p.answer, p.evidence
    if a is None:   # said once for all such points, by ``_checked``
        return ""
    # the rule's own words, in quotes: its English version where our rules have one, else the evidence's quote,
    # else the answer's first sentence if it is short
    words = ev.translated or ev.quote or quotable(a.span.split(". ")[0], limit=2 * QUOTE_WORDS)
    quote = f" «{words.replace('«', '“').replace('»', '”')}»" if words else ""
    named = ev.translated_citation or ev.citation
    cite = f"({named})"
    said = p.statement.rstrip(" .;,")   # our rules in English, in the reader's terms; "" for a law
    if a.kind is AnswerKind.DATE:
        tail = "; that date has passed" if a.passed else ""
        day, detail = _en_term(a.value), _en_term(a.detail)
        if day:   # said in English: the rule's Russian wording stays in the citation panel
            head = f"The deadline is {day}" + (f" ({detail})" if detail else "") + tail
            return f"{head}. {_upper(said)} {cite}." if said else f"{head} {cite}."
        return f"The deadline is in the rule{tail}:{quote} {cite}."
    if a.kind is AnswerKind.SUM and a.estimate and a.detail:
        return f"By your figures that comes to {a.value} ({a.detail}), an estimate under {named}."
    if a.kind is AnswerKind.TERM and said:   # the rule's own sentence says what the term is for
        return f"{_upper(said)} {cite}."
    term = _en_term(a.value) if a.kind is AnswerKind.TERM else ""
    if term:
        return f"The term is {term} {cite}."
    yes = "Only as the rule says" if _ONLY.search(a.span) else "Yes"
    lead = {AnswerKind.YES: yes, AnswerKind.NO: "No", AnswerKind.SUM: f"The amount is {a.value}"}.get(a.kind, "The rule says")
    # «Yes, you can still return them: «…»», not a bare «Yes» before a rule in Russian; said in the person's words only
    # when retrieval is sure the rule applies, since a wrong rule's «yes» would then read as our promise
    if lead in ("Yes", "No") and p.sure:
        asked = next((e for e in (_echo(s, lead == "Yes") for s in p.said if s.rstrip().endswith("?")) if e), "")
        lead = f"{lead}, {asked}" if asked else lead
    if a.kind is AnswerKind.LIST:
        return f"Please send: {'; '.join(a.items)} {cite}."
    if said:   # «You may cancel the entire Order …»
        return f"{_upper(said)} {cite}." if lead == "The rule says" else f"{lead}: {_en_lower(said)} {cite}."
    return f"{lead}:{quote} {cite}." if quote else f"{lead}, under {named}."


_SAY = {   # the reply's own sentences, by language: a greeting, the follow-up to a templated reply, an escalation
    "ru": {"hello": "Здравствуйте.", "hello_name": "Здравствуйте, {name}.",
           "template": "Вы пишете, что прошлый ответ был по шаблону, — отвечаю по каждому пункту.",
           "escalate": "Передаю обращение старшему специалисту, как вы просите."},
    "en": {"hello": "Hello,", "hello_name": "Hello {name},",
           "template": "You say the last reply was a template, so here is an answer to each point.",
           "escalate": "I am passing your request to a senior specialist, as you asked."},
}


def _lines(plan: ReplyPlan) -> list[str]:
    """The greeting, each point's answer (an escalation said once, after the point that asks for it), then the
    points being checked."""
    lang = "en" if plan.lang == "en" else "ru"
    say, point_line = _SAY[lang], (_en_point if lang == "en" else _ru_point)
    parts = [say["hello_name"].format(name=plan.name) if plan.name else say["hello"]]
    if plan.follow_up == "template":
        parts.append(say["template"])
    escalated = False
    for p in plan.points:
        if p.answered_before:
            continue
        line = point_line(p)
        if line:
            parts.append(line)
        if p.escalate and not escalated:
            parts.append(say["escalate"])
            escalated = True
    checked = _checked(plan.points, lang)
    return parts + [checked] if checked else parts


def compose(plan: ReplyPlan, corpus: Corpus | None = None) -> tuple[str, list[Citation]]:
    """The reply text and the clauses it rests on, in order (each once)."""
    parts = _lines(plan)
    citations: list[Citation] = []
    for p in plan.points:
        if p.answered_before:
            continue
        for ev in [p.evidence] + [e for _, e, _ in p.support] if plan.lang == "ru" else [p.evidence]:
            if ev and ev.clause_id not in {c.id for c in citations}:
                citations.append(Citation(ev.doc, ev.clause_id, ev.citation, list(ev.path), ev.text))
    if plan.lang == "en" and len(parts) > 1:   # «Hello Sam,» stands on its own line, as English letters have it
        return parts[0] + "\n" + " ".join(parts[1:]), citations
    return " ".join(parts), citations

"""Time limits a clause sets, applied to the dates in a message: «10 дней с 21 октября — до 31 октября, срок истёк».

>>> import datetime as dt
>>> [d.days for d in find_limits("Претензия подаётся в течение 20 календарных дней с даты признания.")]
[20]
>>> d = due(find_limits("Деньги возвращаются не позднее чем через десять дней.")[0], dt.date(2026, 10, 21), dt.date(2026, 11, 5))
>>> d.due.isoformat(), d.passed, d.sentence_ru()
('2026-10-31', True, '10 дней с 21 октября — до 31 октября, срок истёк')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..text import morph
from ..text import stems as stem_words
from .calendar import add_working_days

# the lemmas of Russian cardinal numerals, for terms a law writes in words («сорока пяти дней»)
_NUMERALS = {w: i for i, w in enumerate(
    "ноль один два три четыре пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать четырнадцать "
    "пятнадцать шестнадцать семнадцать восемнадцать девятнадцать".split())}
_NUMERALS.update({w: 10 * i for i, w in enumerate("двадцать тридцать сорок пятьдесят шестьдесят семьдесят "
                                                   "восемьдесят девяносто".split(), start=2)})
_NUMERALS.update({"сто": 100, "неделя": 7, "one": 1, "two": 2, "three": 3, "five": 5, "seven": 7, "ten": 10,
                  "fourteen": 14, "fifteen": 15, "thirty": 30})
_LIMIT = re.compile(
    r"(?:в течение|не позднее(?: чем)?(?: через)?|в срок(?: не более| до)?|не может превышать|within|no later than)\s+"
    r"(\d{1,3}|[а-яёa-z]+(?:\s+(?!календарн|рабоч)[а-яё]+)?)(?:\s*\([^)]*\))?\s+"
    r"(календарн\w+\s+|рабоч\w+\s+|calendar\s+|working\s+|business\s+)?"
    r"(дн\w*|ден\w*|days?|час\w*|hours?|месяц\w*|months?)\b", re.I)


def number(words: str) -> int | None:
    """The value of a number written in digits or in Russian or English words, in any case; None otherwise.

    >>> [number(w) for w in ("45", "сорока пяти", "двадцати четырех", "трёх", "seven", "календарных")]
    [45, 45, 24, 3, 7, None]
    """
    if words.isdigit():
        return int(words)
    values = [_NUMERALS.get(morph().parse(w)[0].normal_form.replace("ё", "е") if w.isalpha() else w)
              for w in words.lower().replace("ё", "е").split()]
    if not values or None in values or (len(values) > 1 and values[0] < 20):
        return None
    return sum(values)


_MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
               "ноября", "декабря"]


_AFTER = re.compile(r"\s*(?:с|со|после|от|from|after|of)\s+((?:[\w-]+\s+)?[\w-]+)", re.I)
_GENERIC = {"дата", "день", "момент", "этот", "такой", "указанный", "следующий", "настоящий", "date", "the", "this",
            "that", "receipt"}
MIN_WORD = 5    # shorter words (prepositions, «дня», «срок») name no event
MIN_STEM = 3    # Snowball cuts «отмена» to «отм»: a stem this short still counts when the other extends it
MAX_EXTRA = 3   # … by at most this many letters («отм» ~ «отмен»)


def stems(text: str, defined_terms: bool = True) -> frozenset[str]:
    """Snowball stems (PyStemmer) of the lemmas (pymorphy3) of the content words: enough to see that two
    phrases name one event («с даты отмены» and «отменил заказ»).

    ``defined_terms=False`` leaves out capitalised words inside a sentence — a rules document's defined
    terms (Отправление, Заказ, Продавец), which every event of the document shares.
    """
    found = re.findall(r"\w+", text)
    if not defined_terms:
        found = [w for i, w in enumerate(found) if i == 0 or not w[:1].isupper()]
    lemmas = [morph().parse(w.lower())[0].normal_form for w in found if len(w) >= MIN_WORD]
    return frozenset(stem_words(" ".join(lemma for lemma in lemmas if lemma not in _GENERIC)))


# Nouns of events and the verbs people use for them that share no stem («с даты приёмки» ↔ «приняли»).
_EVENT_WORDS = {"приемк": ("прин", "приех", "поступ"), "прием": ("прин",), "доставк": ("привез",),
                # «со дня предъявления требования» (the laws' start for refunds, replacements, repairs) is the day the
                # person «написала заявление», «подала претензию», «потребовала вернуть»
                "предъявлен": ("заявлен", "претенз", "потребова", "требован"), "предъяв": ("заявлен", "претенз"),
                "устранен": ("ремонт", "почин")}   # «срок устранения недостатков» runs from the day it went to repair


def same_event(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of stems share a word: equal stems, or one a short extension of the other."""
    a = a.union(*(_EVENT_WORDS[x] for x in a if x in _EVENT_WORDS))
    b = b.union(*(_EVENT_WORDS[x] for x in b if x in _EVENT_WORDS))
    return any(x == y or (min(len(x), len(y)) >= MIN_STEM and (x.startswith(y) or y.startswith(x))
                          and abs(len(x) - len(y)) <= MAX_EXTRA) for x in a for y in b)


@dataclass(frozen=True)
class Limit:
    days: int          # how many days, or months when ``months``
    working: bool
    text: str          # the words of the clause that set it
    event: frozenset[str] = frozenset()   # stems of the event it runs from («с даты отмены» → {"отмен"})
    months: bool = False

    def words_ru(self) -> str:
        """«10 дней», «3 рабочих дня», «3 месяца»."""
        if self.months:
            return f"{self.days} {morph().parse('месяц')[0].make_agree_with_number(self.days).word}"
        return f"{self.days} {_days_ru(self.days, self.working)}"

    def words_en(self) -> str:
        unit = "month" if self.months else "working day" if self.working else "day"
        return f"{self.days} {unit}{'s' if self.days != 1 else ''}"


@dataclass(frozen=True)
class Deadline:
    limit: Limit
    start: dt.date
    due: dt.date
    passed: bool

    def sentence_ru(self) -> str:
        tail = "срок истёк" if self.passed else "срок ещё не истёк"
        return f"{self.limit.words_ru()} с {_ru(self.start)} — до {_ru(self.due)}, {tail}"

    def sentence_en(self) -> str:
        tail = "the deadline has passed" if self.passed else "the deadline has not passed yet"
        return f"{self.limit.words_en()} from {self.start:%d %B} — until {self.due:%d %B}, {tail}"

    def to_dict(self) -> dict:
        return {"days": self.limit.days, "months": self.limit.months, "working": self.limit.working,
                "clause_words": self.limit.text, "start": self.start.isoformat(), "due": self.due.isoformat(),
                "passed": self.passed, "text": self.sentence_ru()}


def _ru(d: dt.date) -> str:
    return f"{d.day} {_MONTHS_GEN[d.month - 1]}"


def _days_ru(n: int, working: bool = False) -> str:
    """The words after the number, agreed with it by pymorphy3: «1 рабочий день», «3 рабочих дня», «10 дней».

    >>> [_days_ru(n, working) for n, working in ((1, True), (3, True), (10, False), (21, False))]
    ['рабочий день', 'рабочих дня', 'дней', 'день']
    """
    day = morph().parse("день")[0].make_agree_with_number(n).word
    if not working:
        return day
    # an adjective after 2–4 takes the genitive plural («3 рабочих дня»), which make_agree_with_number misses
    adjective = morph().parse("рабочий")[0]
    one = n % 10 == 1 and n % 100 != 11
    return f"{adjective.word if one else adjective.inflect({'gent', 'plur'}).word} {day}"


def find_limits(clause_text: str) -> list[Limit]:
    out = []
    for m in _LIMIT.finditer(clause_text):
        n = number(m.group(1))
        if not n or m.group(3).lower().startswith(("час", "hour")):
            continue
        working = bool(m.group(2)) and m.group(2).lower().startswith(("рабоч", "working", "business"))
        months = m.group(3).lower().startswith(("месяц", "month"))
        out.append(Limit(n, working, m.group(0), _event(clause_text, m), months))
    return out


def _event(clause_text: str, m: re.Match) -> frozenset[str]:
    """What the limit counts from: the words after «с/после/от»; for «после этой даты», or a limit with no
    start («рассматривает спор в течение 10 дней»), the words of its sentence before it. Empty when none."""
    after = _AFTER.match(clause_text, m.end())
    named = stems(after.group(1), defined_terms=False) if after else frozenset()
    if named:
        return named
    sentence_start = max(clause_text.rfind(".", 0, m.start()), clause_text.rfind(";", 0, m.start())) + 1
    return stems(clause_text[sentence_start:m.start()], defined_terms=False)


def add_days(start: dt.date, days: int, working: bool) -> dt.date:
    return add_working_days(start, days) if working else start + dt.timedelta(days=days)


def add_months(start: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day (31 января + 1 → 28 февраля)."""
    import calendar

    year, month = divmod(start.month - 1 + months, 12)
    year, month = start.year + year, month + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


def due(limit: Limit, start: dt.date, today: dt.date) -> Deadline:
    end = add_months(start, limit.days) if limit.months else add_days(start, limit.days, limit.working)
    return Deadline(limit, start, end, today > end)


EVENT_CHARS = 40   # how far around a date the person's words say what happened on it
_ELAPSED = re.compile(r"(?:прошл\w*|уже|жд\w*|назад|ago|for|since)\W*$", re.I)


def _bounds(text: str, start: int, end: int, marks: str) -> tuple[int, int]:
    """Where the stretch of ``text`` around ``start``–``end`` begins and ends: after the last of ``marks`` before it,
    at the first after it."""
    left = max(text.rfind(mark, 0, start) for mark in marks) + 1
    right = min((i for i in (text.find(mark, end) for mark in marks) if i >= 0), default=len(text))
    return left, right


def near(text: str, fact) -> frozenset[str]:
    """The stems of the words around a fact, within its sentence: what the person says happened then."""
    if fact.start < 0:
        return frozenset()
    left, right = _bounds(text, fact.start, fact.start, ".!?")
    return stems(text[max(left, fact.start - EVENT_CHARS):min(right, fact.start + len(fact.text) + EVENT_CHARS)])


def _distance(text: str, fact, event: frozenset[str]) -> tuple[int, int]:
    """How close a date is to a word naming the event: (0, characters) when one is in the date's own part of the
    sentence (between commas: «купила 3 марта, а 14 марта написала заявление»), (1, characters) when only
    elsewhere in the sentence, (2, 0) when nowhere in it; (0, 0) when the clause names no event."""
    if not event or fact.start < 0:
        return 0, 0
    end = fact.start + len(fact.text)
    for marks, rank in ((".!?,;:—–", 0), (".!?", 1)):
        left, right = _bounds(text, fact.start, end, marks)
        gaps = [max(fact.start - (left + m.end()), left + m.start() - end, 0)
                for m in re.finditer(r"\w+", text[left:right])
                if not fact.start <= left + m.start() < end and same_event(event, stems(m.group(0)))]
        if gaps:
            return rank, min(gaps)
    return 2, 0


def start_date(limit: Limit, facts: list, everything: list, today: dt.date, text: str) -> dt.date | None:
    """The date a time limit runs from: a date the person gave (theirs in this point first), else «прошло
    5 дней» counted back from today (a duration counts only when it is time already gone).

    When the clause names its event («с даты отмены»), only a date the person ties to that event counts
    («покупатель 12 октября отменил заказ»): a deadline from the wrong date is worse than none.
    """
    def fits(f) -> bool:
        return not limit.event or same_event(limit.event, near(text, f))

    for pool in (facts, everything):
        dates = [(_distance(text, f, limit.event), dt.date.fromisoformat(f.value)) for f in pool
                 if f.kind == "date" and fits(f)]
        if dates:   # the date told nearest the event's words («купила 3 марта, а 14 марта написала заявление»)
            return min(dates)[1]
    for pool in (facts, everything):
        spans = [int(f.value.split()[0]) for f in pool if f.kind == "duration" and f.value.endswith(" days")
                 and (_ELAPSED.search(text[max(0, f.start - 12):f.start]) or "назад" in text[f.start:f.start + 30])
                 and fits(f)]
        if spans:
            return today - dt.timedelta(days=max(spans))
    return None

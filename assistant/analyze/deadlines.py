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

from .facts import NUMBER_WORDS

_WORDS = {**NUMBER_WORDS, "семи": 7, "десяти": 10, "пятнадцати": 15, "тридцати": 30, "трех": 3, "трёх": 3,
          "пяти": 5, "двадцати": 20, "четырнадцати": 14, "сорока": 40, "шестидесяти": 60, "двух": 2}
_LIMIT = re.compile(
    r"(?:в течение|не позднее(?: чем)?(?: через)?|в срок(?: не более| до)?|within|no later than)\s+"
    r"(\d{1,3}|" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")(?:\s*\([^)]*\))?\s+"
    r"(календарн\w+\s+|рабоч\w+\s+|calendar\s+|working\s+|business\s+)?(дн\w*|ден\w*|days?|час\w*|hours?)",
    re.I)
_MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
               "ноября", "декабря"]


_AFTER = re.compile(r"\s*(?:с|со|после|от|from|after|of)\s+((?:[\w-]+\s+)?[\w-]+)", re.I)
_GENERIC = {"даты", "дата", "дате", "днем", "днём", "момента", "этой", "этого", "такой", "такого", "указанной",
            "указанного", "следующего", "настоящих", "date", "the", "this", "that", "receipt"}
STEM = 5   # «отмены» and «отменил», «плановой» and «Плановая» share their first five letters


def stems(text: str, defined_terms: bool = True) -> frozenset[str]:
    """Crude Russian/English stems of the content words: enough to see that two phrases name one event.

    ``defined_terms=False`` leaves out capitalised words inside a sentence — a rules document's defined
    terms (Отправление, Заказ, Продавец), which every event of the document shares.
    """
    words = re.findall(r"\w+", text)
    if not defined_terms:
        words = [w for i, w in enumerate(words) if i == 0 or not w[:1].isupper()]
    return frozenset(w.lower()[:STEM] for w in words if len(w) >= STEM and w.lower() not in _GENERIC)


@dataclass(frozen=True)
class Limit:
    days: int
    working: bool
    text: str          # the words of the clause that set it
    event: frozenset[str] = frozenset()   # stems of the event it runs from («с даты отмены» → {"отмен"})


@dataclass(frozen=True)
class Deadline:
    limit: Limit
    start: dt.date
    due: dt.date
    passed: bool

    def sentence_ru(self) -> str:
        tail = "срок истёк" if self.passed else "срок ещё не истёк"
        return f"{self.limit.days} {_days_ru(self.limit.days, self.limit.working)} с {_ru(self.start)} — до {_ru(self.due)}, {tail}"

    def sentence_en(self) -> str:
        kind = " working" if self.limit.working else ""
        tail = "the deadline has passed" if self.passed else "the deadline has not passed yet"
        return f"{self.limit.days}{kind} days from {self.start:%d %B} — until {self.due:%d %B}, {tail}"

    def to_dict(self) -> dict:
        return {"days": self.limit.days, "working": self.limit.working, "clause_words": self.limit.text,
                "start": self.start.isoformat(), "due": self.due.isoformat(), "passed": self.passed,
                "text": self.sentence_ru()}


def _ru(d: dt.date) -> str:
    return f"{d.day} {_MONTHS_GEN[d.month - 1]}"


def _days_ru(n: int, working: bool = False) -> str:
    """«1 рабочий день», «3 рабочих дня», «10 дней»."""
    if n % 10 == 1 and n % 100 != 11:
        return "рабочий день" if working else "день"
    word = "дня" if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else "дней"
    return f"рабочих {word}" if working else word


def find_limits(clause_text: str) -> list[Limit]:
    out = []
    for m in _LIMIT.finditer(clause_text):
        raw = m.group(1).lower()
        n = int(raw) if raw.isdigit() else _WORDS.get(raw, 0)
        if not n or m.group(3).lower().startswith(("час", "hour")):
            continue
        working = bool(m.group(2)) and m.group(2).lower().startswith(("рабоч", "working", "business"))
        out.append(Limit(n, working, m.group(0), _event(clause_text, m)))
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
    if not working:
        return start + dt.timedelta(days=days)
    d, left = start, days
    while left:
        d += dt.timedelta(days=1)
        if d.weekday() < 5:
            left -= 1
    return d


def due(limit: Limit, start: dt.date, today: dt.date) -> Deadline:
    end = add_days(start, limit.days, limit.working)
    return Deadline(limit, start, end, today > end)

"""Facts a reply must use: order and shipment numbers, dates, durations, sums, products, names, requests.

Rules, not a model: every fact keeps the exact words it came from (``text``) and where
(``start``), so a draft can repeat them verbatim and a check can find them.

>>> import datetime
>>> facts = extract_facts("Заказ № 48213-0917 от 21 октября, прошло 5 дней, верните 4 590 ₽", datetime.date(2026, 11, 1))
>>> [(f.kind, f.value) for f in facts]
[('order', '48213-0917'), ('date', '2026-10-21'), ('duration', '5 days'), ('request', 'refund'), ('sum', '4590 RUB')]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

MONTHS = {m: i + 1 for i, m in enumerate(
    ["январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр"])}
EN_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
NUMBER_WORDS = {"один": 1, "одна": 1, "одну": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5, "шесть": 6,
                "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "пятнадцать": 15, "двадцать": 20,
                "тридцать": 30, "неделю": 7, "месяц": 30, "one": 1, "two": 2, "three": 3, "five": 5, "ten": 10}
UNITS = {"дн": 1, "ден": 1, "day": 1, "недел": 7, "week": 7, "месяц": 30, "month": 30, "час": 0, "hour": 0}

# «заказ № 58-20417», «заказ № CS-20871», «договор № 4471», «бронь 7781203», «contract AF-3309», «receipt 7741209»
_ORDER = re.compile(r"(?:заказ\w*|order|№|#|номер\w*|договор\w*|contract|брон[ьи]\w*|booking|квитанци\w*|receipt)"
                    r"\s*(?:№|#|no\.?|номер)?\s*([A-ZА-ЯЁ]{1,4}-[0-9]{3,}|[0-9]{2,}(?:-[0-9]{2,})+|[0-9]{4,})\b", re.I)
_SHIPMENT = re.compile(r"(?:отправлени\w*|посылк\w*|трек\w*|shipment|parcel|tracking)\s*(?:№|#|номер)?\s*"
                       r"([A-ZА-Я]{0,3}[0-9]{6,}[A-ZА-Я]{0,3}(?:-[0-9]+)*)", re.I)
_DATE_NUM = re.compile(r"\b(\d{1,2})[./](\d{1,2})(?:[./](\d{2,4}))?\b")
_DATE_ISO = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})\b")
_DATE_WORDS = re.compile(r"\b(\d{1,2})\s+(январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-я]*"
                         r"(?:\s+(20\d{2}))?", re.I)
_DATE_EN = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?"
                      r"(?:,?\s+(20\d{2}))?", re.I)
_DURATION = re.compile(r"\b(\d{1,3}|" + "|".join(NUMBER_WORDS) + r")\s*(?:-?х\s+)?(календарн\w+\s+|рабоч\w+\s+)?"
                       r"(дн\w*|ден\w*|days?|недел\w*|weeks?|месяц\w*|months?|час\w*|hours?)\b", re.I)
_SUM = re.compile(r"(?<![\d-])(\d{1,3}(?:[  \u202f,]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s*(₽|руб(?:\w+|\.)?|р\.|rub\w*|€|eur|\$|usd)", re.I)
_SUM_PREFIX = re.compile(r"(\$|€)\s?(\d+(?:[.,]\d{1,2})?)")
_NAME = re.compile(r"(?i:меня зовут|с уважением,?|my name is|regards,?|thanks,?|this is|\bпишет|\bэто|\bя)\s+"
                   r"([A-ZА-ЯЁ][a-zа-яё]+(?:\s+[A-ZА-ЯЁ][a-zа-яё]+)?)(?=\s*(?:[,.!—–]|$)|\s+из\b)")
_SIGNATURE = re.compile(r"[—–]\s*([A-ZА-ЯЁ][a-zа-яё]+)\s*$|^(?i:hi|hello|hey)[,!]?\s+([A-Z][a-z]+)\s+here\b")
# a first name alone after the last sentence: «… это как-то долго. Артём», «Сегодня 3 декабря. Игорь»
_SIGNED = re.compile(r"(?:[.!?)]\s+|\n\s*)([А-ЯЁ][а-яё]+(?:\s+и\s+[А-ЯЁ][а-яё]+)?)[.!]?\s*$")
_PRODUCT = re.compile(r"(?:товар\w*|карточк\w*|модел\w*|заказал\w*|купил\w*|ordered|bought|item|product)\s+"
                      r"[«\"“]([^»\"”]{2,60})[»\"”]", re.I)
# a quoted name after a noun: «наушники «Зайка»», «магазин «Тёплый дом»»; not a status or someone's words
_TITLE = re.compile(r"\b([а-яёa-z]+)\s+[«\"“]([A-ZА-ЯЁ0-9][^»\"”]{1,40})[»\"”]")
_NOT_TITLE = re.compile(r"статус|фраз|надпис|отзыв|пометк|ответ|сообщени|замечани|формулировк|раздел|отч[её]т|кнопк|"
                        r"слов|(?:ли|ла|ло|ал|ил|ел|ет|ит|ут|ют|ат|ят)$", re.I)
_QUANTITY = re.compile(r"\b(\d{1,3}(?:[  \u202f]\d{3})+|\d+)\s+(единиц\w*|штук\w*|шт\b|заказ\w*|балл\w*|позици\w*|"
                       r"units?|items?|pieces|points)", re.I)
_TIME = re.compile(r"\b([01]?\d|2[0-3]):([0-5]\d)\b")
REQUESTS = {
    "refund": r"верн\w*\s+(?:деньг|средств|оплат)|возврат\w*\s+(?:деньг|средств)|refund|money back|верните\s+\d",
    "exchange": r"обмен|заменит|замену|exchange|replace",
    "compensation": r"компенсац|возмест|compensat|reimburs",
    "explanation": r"объясн|почему|на каком основании|разъясн|why|explain",
    "escalation": r"старш\w+ специалист|руководител|escalat|manager|supervisor",
    "return": r"вернуть товар|оформить возврат|сдать обратно|return (?:the|it|an?)",
}


@dataclass(frozen=True)
class Fact:
    kind: str      # order, shipment, date, time, duration, sum, quantity, product, title, name, request
    value: str     # normalised: ISO date, "5 days", "4590 RUB", request type
    text: str      # the words as the person wrote them
    start: int

    def to_dict(self) -> dict:
        return asdict(self)


def _year(text_year: str | None, today: dt.date) -> int:
    if not text_year:
        return today.year
    y = int(text_year)
    return y + 2000 if y < 100 else y


def _date(day: int, month: int, year: int, today: dt.date) -> dt.date | None:
    """A date without a year that would lie in the future is last year's."""
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return None
    if d > today and year == today.year:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:   # 29 February
            return d - dt.timedelta(days=365)
    return d


def _first_name(word: str) -> bool:
    from ..text import morph

    return any("Name" in p.tag for p in morph().parse(word)[:2])


def extract_facts(text: str, today: dt.date | None = None) -> list[Fact]:
    """All facts in order of appearance (a span is used by one fact at most)."""
    today = today or dt.date.today()
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def add(kind, value, m, group=0):
        span = m.span(group)
        if any(a < span[1] and span[0] < b for a, b in taken):
            return
        taken.append(span)
        facts.append(Fact(kind, value, m.group(group), span[0]))

    for m in _SHIPMENT.finditer(text):
        add("shipment", m.group(1), m, 1)
    for m in _ORDER.finditer(text):
        add("order", m.group(1), m, 1)
    for m in _DATE_ISO.finditer(text):
        d = _date(int(m.group(3)), int(m.group(2)), int(m.group(1)), today)
        if d:
            add("date", d.isoformat(), m)
    for m in _DATE_WORDS.finditer(text):
        d = _date(int(m.group(1)), MONTHS[m.group(2).lower()], _year(m.group(3), today), today)
        if d:
            add("date", d.isoformat(), m)
    for m in _DATE_EN.finditer(text):
        d = _date(int(m.group(2)), EN_MONTHS[m.group(1).lower()[:3]], _year(m.group(3), today), today)
        if d:
            add("date", d.isoformat(), m)
    for m in _DATE_NUM.finditer(text):
        day, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            d = _date(day, month, _year(m.group(3), today), today)
            if d:
                add("date", d.isoformat(), m)
    for m in _SUM.finditer(text):
        whole = re.sub(r"\D", "", m.group(1))
        currency = m.group(3).lower()
        code = "RUB" if currency.startswith(("₽", "руб", "р.", "rub")) else "EUR" if currency in ("€", "eur") else "USD"
        add("sum", f"{whole}{'.' + m.group(2) if m.group(2) else ''} {code}", m)
    for m in _SUM_PREFIX.finditer(text):
        add("sum", f"{m.group(2).replace(',', '.')} {'USD' if m.group(1) == '$' else 'EUR'}", m)
    for m in _DURATION.finditer(text):
        raw = m.group(1).lower()
        n = int(raw) if raw.isdigit() else NUMBER_WORDS.get(raw, 0)
        unit = next((v for k, v in UNITS.items() if m.group(3).lower().startswith(k)), 1)
        if unit == 0:
            add("duration", f"{n} hours", m)
        elif n:
            kind = " working" if m.group(2) and m.group(2).lower().startswith("рабоч") else ""
            add("duration", f"{n * unit}{kind} days", m)
    for m in _TIME.finditer(text):
        add("time", f"{int(m.group(1)):02d}:{m.group(2)}", m)
    for m in _QUANTITY.finditer(text):
        add("quantity", re.sub(r"\D", "", m.group(1)) + " " + m.group(2).lower(), m)
    for m in [*_NAME.finditer(text), *_SIGNATURE.finditer(text)]:   # «Hi, Daniel here» names him too
        group = 1 if m.group(1) else 2
        add("name", m.group(group), m, group)
    signed = _SIGNED.search(text)
    if signed and all(_first_name(w) for w in signed.group(1).split(" и ")):
        add("name", signed.group(1), signed, 1)
    for m in _PRODUCT.finditer(text):
        add("product", m.group(1), m, 1)
    for m in _TITLE.finditer(text):
        if len(m.group(2).split()) <= 4 and not _NOT_TITLE.search(m.group(1)):
            add("title", m.group(2), m, 2)
    lowered = text.lower()
    for kind, pattern in REQUESTS.items():
        m = re.search(pattern, lowered)
        if m:
            facts.append(Fact("request", kind, text[m.start():m.end()], m.start()))
    return sorted(facts, key=lambda f: (f.start, f.kind))

"""Answers derived from a clause, by rules (razdel, pymorphy3), never by a language model.

For a point of a given kind and a clause, the answer is what the person needs to hear:

- a **date** from a time limit and the person's own date («бесплатное хранение — 60 дней с 2 сентября,
  то есть до 1 ноября»), or the **term** when no date of the event is known;
- a **sum** from a rate or a base and the person's amounts, with the arithmetic shown and marked as an
  estimate («0,5 % × 34 990 ₽ × 9 дней = 1 574,55 ₽»);
- **yes or no** from «вправе / обязан / не вправе / запрещено / не допускается / не взимается», with the
  condition that goes with it;
- a short **list** of a clause's sub-points that apply;
- the **rule** itself when the clause decides the point without a number or a yes/no.

Each answer keeps the clause id and the exact words it rests on (``span``), so the checks can
verify it, and the words that state it (``key``), so coverage can find it in an edited text.

>>> from assistant.schema import Clause
>>> clause = Clause("r:7.1", "r", "1", ("7", "7.1"), "Правила, п. 7.1",
...                 "Хранение товаров бесплатно в течение 60 календарных дней с даты приёмки.")
>>> a = derive(PointKind.WHEN, clause, "Поставку приняли на склад 2 сентября. С какого числа платить за хранение?",
...            today=dt.date(2026, 11, 20))
>>> a.kind, a.value, a.detail
(<AnswerKind.DATE: 'date'>, '1 ноября', '60 дней с 2 сентября')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from ..analyze.deadlines import Limit, due, find_limits, number, start_date
from ..analyze.facts import Fact, extract_facts
from ..analyze.kinds import PointKind
from ..checks.injection import find_injections
from ..schema import Clause
from ..text import clause_sentences, lemmatizer

QUOTE_WORDS = 25   # a quote is at most this many words: a whole sentence, or a whole part that keeps its condition


class AnswerKind(str, Enum):
    DATE = "date"      # a concrete date: «до 22 октября»
    TERM = "term"      # a term without a date: «10 рабочих дней с даты признания утраты»
    SUM = "sum"        # a computed or stated amount
    YES = "yes"
    NO = "no"
    LIST = "list"      # sub-points that apply
    RULE = "rule"      # what the clause says about the point, in the reader's terms


@dataclass(frozen=True)
class Answer:
    kind: AnswerKind
    clause_id: str
    span: str                        # the exact words of the clause it rests on
    value: str = ""                  # «22 октября», «4 590 ₽», «10 рабочих дней»
    detail: str = ""                 # the start of a term, or the arithmetic of a sum
    passed: bool | None = None       # a date: whether it has passed
    items: tuple[str, ...] = ()      # a list's items, as the clause words them
    estimate: bool = False           # a computed sum: the person's figures, not a decision
    key: tuple[str, ...] = field(default=())   # the words that state the answer, for coverage

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "clause_id": self.clause_id, "span": self.span, "value": self.value,
                "detail": self.detail, "passed": self.passed, "items": list(self.items), "estimate": self.estimate}


# --- the parts of a clause -----------------------------------------------------------------------------

_DENY = re.compile(r"\b(?:не вправе|не может|не могут|не допуска\w+|запрещ\w+|не взима\w+|не удержива\w+|"
                   r"не выплачива\w+|не рассматрива\w+|не возмеща\w+|не учитыва\w+|не начисля\w+|не принима\w+|"
                   r"не подлеж\w+|не является|не являются|не несёт|не несет|недопустим\w+|недействительн\w+|"
                   r"не требуется|освобожда\w+|не обязан\w*)\b", re.I)
_GRANT = re.compile(r"\b(?:вправе|имеет право|имеют право|может|могут|допуска\w+|обязан\w*|обязуется|выплачива\w+|"
                    r"уплачива\w+|возвраща\w+|возмеща\w+|компенсир\w+|начисля\w+|снима\w+|переносится|исключа\w+|"
                    r"предоставля\w+|принима\w+|закрепля\w+|передаётся|передается|подлеж\w+|отвечает|несёт|несет|"
                    r"должен|должны|производится|производятся|бесплатн\w+)\b", re.I)
_CONDITION = re.compile(r"^\s*(?:если|в случае|при условии|when|if)\b", re.I)
_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s?(?:%|процент\w*)")
# a law writes its rates in words: «одного процента», «трех процентов», «половины процента»
_WORD_PERCENT = re.compile(r"((?:[а-яё]+\s+)?[а-яё]+)\s+процент\w*", re.I)
# what a sum of the person's is, by the words just before it: the price the rate is of, or a prepayment
_PRICE_WORDS = re.compile(r"(?:стои\w*|стоимост\w*|цен\w*|за|price|cost\w*)\W*$", re.I)
_PAID_WORDS = re.compile(r"(?:оплати\w*|заплати\w*|предоплат\w*|аванс\w*|внес\w*|внёс|paid)\b[^.]{0,40}$", re.I)
# the day a term ran out, as the person writes it («до 9 сентября», «не позднее 10 июня»), and today
_DUE_WORDS = re.compile(r"(?:\bдо|не позднее|срок\w*|by|no later than|due)\s*$", re.I)
_TODAY_WORDS = re.compile(r"(?:сегодня|на сегодня|сейчас|today(?: is)?|now)[\s,—–-]*$", re.I)
_CAP = re.compile(r"не может превышать (?:цену|сумму|стоимость)", re.I)
_MONEY = re.compile(r"(\d{1,3}(?:[  ]\d{3})+|\d+)(?:[.,](\d{1,2}))?\s?(?:₽|руб\w*)")
_PER_DAY = re.compile(r"за каждый (?:день|календарный день)|в (?:сутки|день)|ежедневно", re.I)
_PRICE_BASE = re.compile(r"в размере (?:цены|стоимости|полной стоимости|уплаченной)|полная стоимость|цен[аы] товара",
                         re.I)
_PAYDAY = re.compile(r"с (\d{1,2})-?го по (\d{1,2}|последнее)-?[еоя]? число[^—–-]*[—–-]\s*не позднее (\d{1,2})-?го "
                     r"числа (того же|следующего) месяца", re.I)
_HALF_MONTH = re.compile(r"(перв|втор)\w* половин\w* (января|февраля|марта|апреля|мая|июня|июля|августа|сентября|"
                         r"октября|ноября|декабря)", re.I)
_MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
               "ноября", "декабря"]
_DURATION = re.compile(r"\b(\d{1,3})\s+(?:(?:календарн|рабоч)\w*\s+)?(?:дн(?:я|ей)|день|час(?:а|ов)?|суток|сутки|"
                       r"месяц(?:а|ев)?|недел[иья]|недель)\b", re.I)
_ITEM = re.compile(r"(?:^|[;:]\s*)(?:\d{1,2}\)|[а-яa-z]\))\s*([^;]+)", re.I)


def ru_date(d: dt.date) -> str:
    return f"{d.day} {_MONTHS_GEN[d.month - 1]}"


def money(value: float) -> str:
    """«4 590 ₽», «1 574,55 ₽»: a thin space between thousands, a comma before kopecks."""
    whole, cents = divmod(round(value * 100), 100)
    text = f"{whole:,}".replace(",", "\u00a0")
    return f"{text},{cents:02d} ₽" if cents else f"{text} ₽"


def parts(clause: Clause) -> list[str]:
    """The clause's statements: sentences, with «;»-separated parts that start anew as their own. A sentence
    that instructs the assistant (a poisoned rules file) is no statement of the rule and is left out."""
    found = clause_sentences(clause.text) or [clause.text]
    return [s for s in found if not find_injections(s)]


def polarity(text: str) -> int:
    """-1 when the statement denies (не вправе, не взимается), +1 when it grants or obliges, 0 otherwise."""
    if _DENY.search(text):
        return -1
    return 1 if _GRANT.search(text) else 0


_GENERIC = {"продавец", "покупатель", "маркетлайн", "площадка", "заказ", "товар", "правило", "пункт", "настоящий",
            "потребитель", "seller", "buyer", "order"}
PREFIX = 6   # «компенсирует» and «компенсация» share «компенс»: one word for the overlap


def shared_words(text: str, wanted: set[str]) -> int:
    """How many of ``wanted``'s lemmas ``text`` has, a shared first six letters counting as one
    («компенсировать» ~ «компенсация»); the parties and «заказ», «товар» that every rule names do not count."""
    got = set(lemmatizer().tokens(text)) - _GENERIC
    wanted = wanted - _GENERIC
    exact = got & wanted
    fuzzy = {w for w in wanted - exact if len(w) >= PREFIX and any(g[:PREFIX] == w[:PREFIX] for g in got)}
    return len(exact) + len(fuzzy)


def _overlap(text: str, wanted: set[str]) -> float:
    got = set(lemmatizer().tokens(text))
    return shared_words(text, wanted) / (len(got) ** 0.5 or 1.0)


class Fit(Protocol):
    """How well each of a clause's sentences answers a question (higher is better), and how much a sentence
    that says yes or no («вправе», «не допускается») gains when the question asks whether."""

    prefer: float

    def __call__(self, question: str, texts: list[str]) -> list[float]: ...


class WordFit:
    """Words shared with the question, over the square root of the sentence's length."""

    prefer = 0.5   # hand-set, round 5: a sentence with a yes or no wins over one sharing a word more

    def __call__(self, question: str, texts: list[str]) -> list[float]:
        wanted = set(lemmatizer().tokens(question))
        return [_overlap(t, wanted) for t in texts]


SHARED_WORD = 0.02   # the cosine a word shared with the question adds: chosen on eval/drafts.jsonl (see MeaningFit)


class MeaningFit:
    """The embedding model's cosine between the question and the sentence, plus ``SHARED_WORD`` per word they
    share. On the dev drafts' points whose labelled clause has one sentence holding the answer key and one
    not, it picks the sentence with the key for 38 of 49, against 30 for ``WordFit`` and 35 for the cosine
    alone (``benchmarks/bench_drafts.py`` measures the drafts)."""

    prefer = 0.02   # chosen on eval/drafts.jsonl: 0, 0.02, 0.05 and 0.5 answer 0.48, 0.49, 0.48 and 0.47 of points

    def __init__(self, vectors) -> None:
        self.vectors = vectors   # ``retrieval.sentences.SentenceVectors``

    def __call__(self, question: str, texts: list[str]) -> list[float]:
        wanted = set(lemmatizer().tokens(question))
        return [float(c) + SHARED_WORD * shared_words(t, wanted)
                for c, t in zip(self.vectors.similarity(question, texts), texts)]


BY_WORDS = WordFit()


def fit_for(searcher, lang: str) -> Fit:
    """``MeaningFit`` over the searcher's sentence vectors for a message in the rules' language; ``BY_WORDS``
    across languages, where a small model's cosines pick worse than the clause's own order (English dev
    drafts answered 0.33 against 0.42)."""
    return MeaningFit(searcher.sentences) if lang == searcher.corpus.lang else BY_WORDS


def best_part(clause: Clause, question: str, prefer=None, fit: Fit = BY_WORDS) -> str:
    """The statement of the clause that answers the question best (``prefer`` breaks near ties toward
    statements with a yes/no, a number …)."""
    candidates = parts(clause)
    fits = fit(question, candidates) if len(candidates) > 1 else [0.0]
    scored = [(f + (fit.prefer if prefer and prefer(p) else 0.0), -i, p)
              for i, (f, p) in enumerate(zip(fits, candidates))]
    return max(scored)[2]


def quotable(text: str, question: str = "", limit: int = QUOTE_WORDS) -> str:  # noqa: C901
    """``text`` if it is at most ``limit`` words, else the whole part of it (split at «;» or before
    «, а» / «, но») that best matches ``question`` and keeps a condition with its consequence; "" when
    no part fits. A part never starts with the conjunction that joined it.

    >>> quotable("Если товар не забран, плата удваивается.")
    'Если товар не забран, плата удваивается.'
    >>> quotable("Продавец вправе вернуть товар в течение семи дней, а деньги возвращаются ему в течение десяти "
    ...          "дней со дня предъявления требования, если иное не предусмотрено договором между сторонами сделки.",
    ...          "когда придут деньги")
    'деньги возвращаются ему в течение десяти дней со дня предъявления требования, если иное не предусмотрено договором между сторонами сделки'
    >>> quotable("Цена работы, возвращаемая потребителю при отказе от исполнения договора, а также учитываемая при "
    ...          "уменьшении цены работы, определяется в соответствии с пунктами 3, 4 и 5 статьи 24 настоящего Закона.")
    ''
    """
    text = " ".join(text.split())
    if len(text.split()) <= limit:
        return text
    pieces = [re.sub(r"^(?:а|но|причём|причем|при этом)\s+", "", p.strip(" ,;.")) for p in
              re.split(r";\s+|,\s+(?=(?:а(?!\s+также)|но|причём|причем|при этом)\s)", text) if p.strip(" ,;.")]
    fitting = [p for p in pieces if len(p.split()) <= limit and not (_CONDITION.match(p) and "," not in p)]
    if _CONDITION.match(text):   # «Если …, то …, а …»: every part hangs on the condition; only the first keeps it
        fitting = [p for p in fitting if p is pieces[0]]
    if not fitting:
        return ""
    wanted = set(lemmatizer().tokens(question))
    return max(fitting, key=lambda p: (_overlap(p, wanted), -pieces.index(p)))


# --- derivations -----------------------------------------------------------------------------------------

def derive(kind: PointKind, clause: Clause, question: str, facts: list[Fact] | None = None, *,
           message: str = "", today: dt.date | None = None, items: list[Clause] = (), fit: Fit = BY_WORDS,
           known: list[Fact] | None = None) -> Answer | None:
    """The answer ``clause`` gives to a point of ``kind`` asked in ``question``, or None when it gives none.

    ``facts`` are the person's facts for this point (default: those in ``question``); ``message`` is the
    whole message, whose dates may belong to the clause's event, and ``known`` its facts when the caller has
    them (default: read from ``message``); ``items`` are the clause's sub-points (a clause that ends in «в
    следующих случаях:» is answered by those that apply); ``fit`` chooses which of the clause's sentences
    answers the question.
    """
    today = today or dt.date.today()
    message = message or question
    facts = facts if facts is not None else extract_facts(question, today)
    if kind in (PointKind.WHEN, PointKind.HOW_MUCH):
        known = known if known is not None else extract_facts(message, today)
        derivation = _when if kind is PointKind.WHEN else _how_much
        return derivation(clause, question, facts, known, message, today, fit)
    if kind is PointKind.DOCUMENTS or (items and clause.text.rstrip().endswith(":")):
        return _items(clause, question, items)
    if kind in (PointKind.WHETHER, PointKind.WHY, PointKind.WHO, PointKind.REQUEST, PointKind.SERVICE,
                PointKind.CLAIM, PointKind.HOW):
        return _statement(clause, question, kind, fit)
    return None


def _best(fit: Fit, question: str, options: list, sentence_of) -> object:
    """The option whose sentence fits the question best; the first on a tie."""
    if len(options) == 1:
        return options[0]
    fits = fit(question, [sentence_of(o) for o in options])
    return options[max(range(len(options)), key=lambda i: (fits[i], -i))]


BOTH_TERMS_WORDS = 40   # a clause this short with terms in two sentences is answered with both (dev: 40 and 60 alike)


def _when(clause: Clause, question: str, facts: list[Fact], known: list[Fact], message: str, today: dt.date,
          fit: Fit = BY_WORDS) -> Answer | None:
    payday = _PAYDAY.search(clause.text)
    dates = [dt.date.fromisoformat(f.value) for f in facts if f.kind == "date"] or \
        [dt.date.fromisoformat(f.value) for f in known if f.kind == "date"]
    if payday:   # the schedule itself when the person names no day («когда придут деньги за проданное?»)
        half = _HALF_MONTH.search(message or question)
        if half and not dates:
            month = _MONTHS_GEN.index(half.group(2).lower()) + 1
            year = today.year if month <= today.month else today.year - 1
            dates = [dt.date(year, month, 15 if half.group(1).lower().startswith("перв") else 28)]
        return _payday(clause, payday, dates, today) if dates else \
            Answer(AnswerKind.TERM, clause.id, _sentence_of(clause.text, payday.group(0)), value=payday.group(0))
    limits = find_limits(clause.text)
    if not limits:   # a term in hours, or one with no «в течение» («хранится 7 календарных дней»): stated as written
        terms = list(_DURATION.finditer(clause.text))
        if not terms:
            return None
        best = _best(fit, question, terms, lambda m: _sentence_of(clause.text, m.group(0)))
        short = len(clause.text.split()) <= QUOTE_WORDS   # a short clause is answered whole: all its terms
        return Answer(AnswerKind.TERM, clause.id, clause.text if short else _sentence_of(clause.text, best.group(0)),
                      value=best.group(0), key=tuple(m.group(1) for m in terms) if short else (best.group(1),))
    limit = _best(fit, question, limits, lambda lim: _sentence_of(clause.text, lim.text))
    span = _sentence_of(clause.text, limit.text)
    start = start_date(limit, facts, known, today, message)
    term = _term(limit)
    if start is None:
        spans = list(dict.fromkeys(_sentence_of(clause.text, lim.text) for lim in limits))
        # «обжаловать в течение 10 календарных дней … Рассматривает обжалование в течение 5 рабочих дней»: a question
        # about one term is usually about the other («до какого числа … и сколько будете рассматривать»)
        if len(spans) > 1 and len(clause.text.split()) <= BOTH_TERMS_WORDS:
            return Answer(AnswerKind.TERM, clause.id, " ".join(spans), value=term,
                          key=tuple(str(lim.days) for lim in limits))
        return Answer(AnswerKind.TERM, clause.id, span, value=term, detail=_event_words(clause.text, limit),
                      key=(str(limit.days),))
    deadline = due(limit, start, today)
    return Answer(AnswerKind.DATE, clause.id, span, value=ru_date(deadline.due), detail=f"{term} с {ru_date(start)}",
                  passed=deadline.passed, key=(str(deadline.due.day), str(limit.days)))


def _payday(clause: Clause, m: re.Match, dates: list[dt.date], today: dt.date) -> Answer:
    """«за товары, вручённые с 1-го по 15-е число, — не позднее 20-го числа того же месяца» and the person's date."""
    first = int(m.group(1))
    last = 31 if m.group(2) == "последнее" else int(m.group(2))
    day = max(d for d in dates)
    windows = [(first, last, int(m.group(3)), m.group(4).startswith("след"))]
    second = _PAYDAY.search(clause.text, m.end())
    if second:
        windows.append((int(second.group(1)), 31 if second.group(2) == "последнее" else int(second.group(2)),
                        int(second.group(3)), second.group(4).startswith("след")))
    for lo, hi, pay, next_month in windows:
        if lo <= day.day <= hi:
            year, month = (day.year + (day.month // 12), day.month % 12 + 1) if next_month else (day.year, day.month)
            payout = dt.date(year, month, min(pay, 28))
            span = _sentence_of(clause.text, m.group(0))
            last = min(hi, (dt.date(day.year + day.month // 12, day.month % 12 + 1, 1) - dt.timedelta(days=1)).day)
            return Answer(AnswerKind.DATE, clause.id, span, value=ru_date(payout),
                          detail=f"за товары, вручённые с {lo} по {last} {_MONTHS_GEN[day.month - 1]}",
                          passed=today > payout, key=(str(payout.day),))
    return Answer(AnswerKind.TERM, clause.id, _sentence_of(clause.text, m.group(0)), value=m.group(0))


def _how_much(clause: Clause, question: str, facts: list[Fact], known: list[Fact], message: str, today: dt.date,
              fit: Fit = BY_WORDS) -> Answer | None:
    late = _days_late(known, message, today)   # a price or a date said earlier in the message counts
    # a law's rate in words answers only a sum it computes: a per-day penalty when a term the person names ran out
    numeric = [p for p in parts(clause) if _PERCENT.search(p) or _MONEY.search(p) or _PRICE_BASE.search(p)
               or (late and _PER_DAY.search(p) and _word_rate(p) is not None)]
    if not numeric:
        return None
    span = _best(fit, question, numeric, lambda p: p)
    sums = [float(f.value.split()[0]) for f in facts if f.kind == "sum" and f.value.endswith("RUB")]
    days = [int(f.value.split()[0]) for f in facts if f.kind == "duration" and f.value.endswith("days")]
    quantity = [int(f.value.split()[0]) for f in facts if f.kind == "quantity"]
    percent = _PERCENT.search(span)
    rate = float(percent.group(1).replace(",", ".")) if percent else _word_rate(span)
    priced = [float(f.value.split()[0]) for f in known if f.kind == "sum" and f.value.endswith("RUB")]
    if rate is not None and (sums or priced):
        base = _base(span, known, message) or max(sums or priced)
        late = late if _PER_DAY.search(span) and not days else None
        if _PER_DAY.search(span) and (days or late):
            n = days[0] if days else late[0]
            total = rate / 100 * base * n
            capped = bool(_CAP.search(clause.text)) and total > base
            total = min(total, base) if capped else total
            since = f" ({_span(late[1], late[2])})" if late else ""
            detail = (f"{_num(rate)} % × {money(base)} = {money(rate / 100 * base)} в день; × {n} {_day_word(n)}"
                      f"{since} = {money(total) if not capped else money(rate / 100 * base * n)}"
                      + (f", но не больше {money(base)}" if capped else ""))
        else:
            total = rate / 100 * base
            detail = f"{_num(rate)} % × {money(base)} = {money(total)}" + (" в день" if _PER_DAY.search(span) else "")
        return Answer(AnswerKind.SUM, clause.id, span, value=money(total), detail=detail, estimate=True,
                      key=(money(total).split(",")[0].replace("\u00a0", " ").split()[0],))
    amount = _MONEY.search(span)
    if amount and quantity and re.search(r"за (?:единицу|штуку|каждую|каждый|одну)", span):
        unit = float(amount.group(1).replace(" ", "").replace("\u00a0", "") + "." + (amount.group(2) or "0"))
        total = unit * quantity[0]
        return Answer(AnswerKind.SUM, clause.id, span, value=money(total),
                      detail=f"{money(unit)} × {quantity[0]} = {money(total)}", estimate=True,
                      key=(amount.group(1).split()[0],))
    if _PRICE_BASE.search(span) and sums:
        return Answer(AnswerKind.SUM, clause.id, span, value=money(max(sums)), detail="", estimate=True,
                      key=(money(max(sums)).split("\u00a0")[0],))
    shown = percent.group(0) if percent else amount.group(0) if amount else ""
    return Answer(AnswerKind.RULE, clause.id, span, value=shown, key=tuple(re.findall(r"\d+", shown))[:1])


def _span(first: dt.date, last: dt.date) -> str:
    """«с 10 по 19 сентября», «с 25 сентября по 3 октября»."""
    return f"с {first.day if (first.month, first.year) == (last.month, last.year) else ru_date(first)} по {ru_date(last)}"


def _word_rate(span: str) -> float | None:
    """A rate written in words, in percent: «одного процента» → 1, «половины процента» → 0.5.

    >>> _word_rate("неустойку в размере трех процентов цены"), _word_rate("половины процента суммы"), _word_rate("цены")
    (3.0, 0.5, None)
    """
    m = _WORD_PERCENT.search(span)
    if not m:
        return None
    words = m.group(1).lower().split()
    if words[-1].startswith("половин"):
        return 0.5
    for n in (2, 1):   # «двадцати пяти процентов», then «трех процентов»
        value = number(" ".join(words[-n:])) if len(words) >= n else None
        if value is not None:
            return float(value)
    return None


def _before(message: str, fact: Fact, width: int = 40) -> str:
    return message[max(0, fact.start - width):fact.start] if message[fact.start:fact.start + len(fact.text)] == fact.text \
        else ""


def _base(span: str, facts: list[Fact], message: str) -> float | None:
    """The person's sum a rate is of: a prepayment for a rule on prepaid goods, else the price; None when no sum
    says which it is."""
    words = _PAID_WORDS if re.search(r"предварительн\w* оплат", span, re.I) else _PRICE_WORDS
    found = [float(f.value.split()[0]) for f in facts
             if f.kind == "sum" and f.value.endswith("RUB") and words.search(_before(message, f))]
    return found[0] if found else None


def _days_late(facts: list[Fact], message: str, today: dt.date) -> tuple[int, dt.date, dt.date] | None:
    """Days since a term the person names ran out («до 9 сентября … Сегодня 19 сентября» → 10, from 10 September):
    the days a per-day penalty counts, with the first and the last of them."""
    dates = [(f, dt.date.fromisoformat(f.value)) for f in facts if f.kind == "date"]
    now = next((d for f, d in dates if _TODAY_WORDS.search(_before(message, f, 20))), today)
    due = [d for f, d in dates if _DUE_WORDS.search(_before(message, f, 25)) and d < now]
    if not due:
        return None
    end = max(due)
    return (now - end).days, end + dt.timedelta(days=1), now


LIST_ITEMS = 4   # a list answer names at most this many items: those that match the question best


def _items(clause: Clause, question: str, children: list[Clause] = ()) -> Answer | None:
    items = [" ".join(m.group(1).split()).rstrip(".;, ") for m in _ITEM.finditer(clause.text)]
    items = items or [" ".join(c.text.split()).rstrip(".;, ") for c in children if c.text]
    if len(items) < 2:
        return _statement(clause, question, PointKind.DOCUMENTS)
    wanted = set(lemmatizer().tokens(question))
    ranked = [it for it in items if _overlap(it, wanted) > 0] or items
    ranked = sorted(ranked, key=lambda it: -_overlap(it, wanted))[:LIST_ITEMS]
    ranked = [it for it in items if it in ranked]   # in the document's order
    lead = clause.text.strip()
    return Answer(AnswerKind.LIST, clause.id, lead, items=tuple(ranked), value=lead.rstrip(":"),
                  key=tuple(lemmatizer().tokens(ranked[0])[:1]))


LONGEST = 60   # words a statement answer may run to (chosen on eval/drafts.jsonl: 40 answers fewer points)
STATEMENT_WORDS = 35   # a statement answer may run on into the clause's next sentences up to this many words





_ANAPHOR = re.compile(r"^(?:С этого (?:момента|дня)|С этой даты|В (?:этом|таком|указанном) случае|В этих случаях|"
                      r"После этого|Для этого|При этом|(?:Так|Указанн|Данн)\w+ |(?:Этот|Эта|Это|Эти|Он|Она|Они) )")


def _with_antecedent(clause: Clause, span: str, limit: int = STATEMENT_WORDS) -> str:
    """A statement that opens by pointing back («С этого момента ответственность … несёт Маркетлайн») said
    with the statement it points to, when both fit: alone it names no moment, no case, no thing."""
    statements = parts(clause)
    if not _ANAPHOR.match(span) or span not in statements or not statements.index(span):
        return span
    before = statements[statements.index(span) - 1]
    return f"{before} {span}" if len(f"{before} {span}".split()) <= limit else span


def _with_next(clause: Clause, span: str, limit: int = STATEMENT_WORDS, question: str = "") -> str:
    """``span`` and the clause's statements right after it while they fit: the second sentence of a rule
    often holds its term or its condition («… закрепляет обращение на срок до 10 рабочих дней»). A sentence
    with neither a number nor a word of the question is another rule, and ends the answer."""
    statements = parts(clause)
    if span not in statements:
        return span
    out = [span]
    wanted = set(lemmatizer().tokens(question))
    for nxt in statements[statements.index(span) + 1:]:
        if question and not re.search(r"\d", nxt) and not shared_words(nxt, wanted):
            break
        room = limit - len(" ".join(out).split())
        if len(nxt.split()) > room:
            part = quotable(nxt, span, room)   # a whole part of it that fits, condition and consequence kept
            if part:
                out.append(part.rstrip(".;, ") + ".")
            break
        out.append(nxt)
    return " ".join(out)


_SIGNPOST = re.compile(r"(?:в (?:случаях|порядке)|в соответствии с)[^.]*пункт\w* \d[\d.]*\s*[–-]\s*\d|"
                       # a law's «… установлены положениями, предусмотренными статьями 18 — 24 настоящего Закона»
                       r"(?:установлен|определя|регулиру)\w*[^.]*стать\w+ \d[\d.]*\s*[—–-]\s*\d", re.I)


def _statement(clause: Clause, question: str, kind: PointKind, fit: Fit = BY_WORDS) -> Answer | None:
    wanted = set(lemmatizer().tokens(question))
    span = best_part(clause, question, prefer=lambda p: polarity(p) != 0, fit=fit)
    if _SIGNPOST.search(span):
        return None   # «… признаётся утраченным в случаях, установленных пунктами 5.2.1–5.2.4»: its sub-points answer
    sign = polarity(span)
    span = _with_next(clause, _with_antecedent(clause, span), question=question)
    if len(span.split()) > LONGEST:   # a law's enumeration run into one sentence: its part that answers, or nothing
        span = quotable(span, question, LONGEST)
        if not span:
            return None
    if kind is PointKind.WHETHER and sign:
        return Answer(AnswerKind.YES if sign > 0 else AnswerKind.NO, clause.id, span,
                      key=_key_words(span, wanted))
    return Answer(AnswerKind.RULE, clause.id, span, key=_key_words(span, wanted))


# --- the core of a statement --------------------------------------------------------------------------------

_CORE_STOP = re.compile(r",|\s(?:если|в течение|не позднее|после|с даты|со дня|в срок|в размере|до|по истечении)\s", re.I)
CORE_WORDS = 4   # a core names who does what in at most this many words


def core(span: str) -> str:
    """Who does what, in at most four words: the subject, the predicate and its object or complement —
    what a date or a term is about, with the rule's detail left to the citation.

    >>> core("Отправление также признаётся утраченным, если Покупатель отменил Заказ из-за задержки.")
    'Отправление признаётся утраченным'
    >>> core("Продавец направляет претензию через раздел «Претензии» в течение 20 календарных дней.")
    'Продавец направляет претензию'
    >>> core("Хранение товаров на складах Маркетлайн бесплатно в течение 60 календарных дней с даты приёмки.")
    'Хранение бесплатно'
    >>> core("Продавец вправе оспорить штраф в течение 10 рабочих дней с даты его начисления.")
    'Продавец вправе оспорить штраф'
    >>> core("По модели FBO Маркетлайн проверяет возвращённый товар в течение 3 рабочих дней с даты поступления.")
    'Маркетлайн проверяет возвращённый товар'
    >>> core("Размер компенсации за утраченные товары определяется в соответствии с пунктами 5.3.1–5.3.4.")
    'Размер определяется'
    >>> core("В случае, если информация о сроках возврата не была предоставлена, потребитель вправе отказаться от "
    ...      "товара в течение трех месяцев.")
    'потребитель вправе отказаться'
    >>> core("Исполнитель не вправе требовать увеличения твёрдой сметы.")
    'Исполнитель не вправе требовать увеличения'
    >>> core("Сумма займа должна быть возвращена заемщиком в течение тридцати дней со дня предъявления требования.")
    'Сумма должна быть возвращена'
    """
    from ..text import morph

    text = span.strip()
    m = re.match(r"^\s*(?:в случа(?:е|ях),?\s+(?:если|когда)\b[^,]*|если\b[^,]*|в случа(?:е|ях)\b[^,]*),\s*", text, re.I)
    if m:
        text = text[m.end():]   # «Если …, то X делает Y»: the consequence is the statement
    text = _CORE_STOP.split(text, maxsplit=1)[0]
    words = re.findall(r"[\w«»-]+", text)
    parses = [morph().parse(w.lower())[0] for w in words]
    predicate = next((i for i, p in enumerate(parses) if p.tag.POS in ("VERB", "PRTS", "ADJS", "PRED")
                      or (p.tag.POS == "ADVB" and i and parses[i - 1].tag.POS != "ADVB" and i == len(parses) - 1)
                      or (p.tag.POS == "ADVB" and words[i].lower() in ("бесплатно", "обязательно"))), None)
    if not predicate:
        return ""
    nouns = [i for i, p in enumerate(parses[:predicate]) if p.tag.POS in ("NOUN", "NPRO")]
    number = parses[predicate].tag.number

    def may_be_subject(i: int) -> bool:
        # no preposition governs it («По модели FBO Маркетлайн проверяет»: not «модели»), and it may be nominative
        # in the predicate's number («редакции … доступны», not «редакция»)
        before = next((q for q in reversed(parses[:i]) if q.tag.POS not in ("ADJF", "PRTF", "NUMR")
                       and "LATN" not in q.tag and "NUMB" not in q.tag), None)
        return (before is None or before.tag.POS != "PREP") and any(
            q.tag.case == "nomn" and (number is None or q.tag.number in (None, number))
            for q in morph().parse(words[i].lower()) if q.tag.POS in ("NOUN", "NPRO"))

    subject = next((i for i in nouns if may_be_subject(i)), nouns[0] if nouns else None)
    if subject is None:
        return ""
    negated = predicate and words[predicate - 1].lower() == "не"   # «не вправе», «не была»: the «не» is the rule
    out = [words[subject], f"не {words[predicate]}" if negated else words[predicate]]
    following = parses[predicate + 1] if predicate + 1 < len(parses) else None
    if following is not None and following.tag.POS in ("NOUN", "PRTF", "ADJF", "INFN"):
        out.append(words[predicate + 1])
        after = parses[predicate + 2] if predicate + 2 < len(parses) else None
        if following.tag.POS in ("INFN", "PRTF", "ADJF") and after is not None and after.tag.POS == "NOUN":
            out.append(words[predicate + 2])   # «вправе оспорить штраф», «проверяет возвращённый товар»
        elif following.normal_form == "быть" and after is not None and after.tag.POS == "PRTS":
            out.append(words[predicate + 2])   # «должна быть возвращена»
    return " ".join(out[:CORE_WORDS])


# --- helpers ------------------------------------------------------------------------------------------------

def _key_words(span: str, wanted: set[str]) -> tuple[str, ...]:
    """The statement's own decisive words: the modal phrase and the first number it states; without a modal
    phrase, its first lemmas the question lacks."""
    m = _DENY.search(span) or _GRANT.search(span)
    number = re.search(r"\b\d+\b", re.sub(r"(?:под)?пункт\w*\s+«?\w?»?\s*[\d.]+(?:\s*[–-]\s*[\d.]+)?", " ", span))
    if m:
        return (m.group(0).lower(),) + ((number.group(0),) if number else ())
    return tuple(t for t in lemmatizer().tokens(span) if t not in wanted)[:2]


def _sentence_of(text: str, fragment: str) -> str:
    for sentence in clause_sentences(text):
        if fragment in sentence:
            return sentence
    return fragment


def _term(limit: Limit) -> str:
    return limit.words_ru()


def _event_words(text: str, limit: Limit) -> str:
    """What the term runs from, as the clause words it: «с даты признания Отправления утраченным»."""
    after = re.search(re.escape(limit.text) + r"\s*((?:с|со|после|от)\s[^.;,]{3,80})", text)
    return after.group(1).strip() if after else ""


def _num(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def _day_word(n: int) -> str:
    from ..analyze.deadlines import _days_ru

    return _days_ru(n)

"""The default back end: a deterministic reply built from the points, the person's facts and the clauses.

No language model: sentence plans are chosen by a hash of the message, so replies vary
between people but the same message always gets the same draft. Every rule statement
carries an exact quote, so the checks can verify it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ..analyze import Analysis, Point
from ..checks.guardrails import load_rules

QUOTE_CHARS = 220
CUT_AT_COMMA = 0.6       # a long quote ends at its last comma when that keeps at least this share of it
ALSO_QUOTE_CHARS = 120   # a second clause supports the first: its opening words are enough to find it
SECOND_CLAUSE = 0.75  # a point's second clause is quoted too when it is of the same unit and scored at least
                      # this share of the first,
NEAR_TIE = 0.9        # or, from another unit, when retrieval could not tell the two apart
_GENERIC_SUBJECTS = ("your question", "the next point")
_RECAP_KINDS = ("date", "time", "duration", "sum", "quantity", "product", "title", "shipment", "order")


@dataclass(frozen=True)
class Citation:
    doc: str
    id: str
    citation: str
    path: list[str]
    quote: str

    def to_dict(self) -> dict:
        return {"doc": self.doc, "id": self.id, "citation": self.citation, "path": self.path, "quote": self.quote}


_PLANS = {
    "ru": {
        "greet": ["{name}, здравствуйте.", "Здравствуйте, {name}."],
        "greet_anon": ["Здравствуйте."],
        "about_first": ["По {subject}", "Про {subject_nom}", "Касательно {subject_gen}"],
        "about": ["По {subject}", "Про {subject_nom}", "Теперь по {subject}", "Дальше, по {subject}"],
        "rule": [" действует правило ({citation}): «{quote}».", " правило такое ({citation}): «{quote}».",
                 " действует норма ({citation}): «{quote}»."],
        "deadline": ["Срок: {text}.", "По срокам: {text}."],
        "sum": ["Сумму {sum} проверим по этому пункту и сообщим расчёт.", "Расчёт с суммой {sum} сверим с этим пунктом."],
        "norule": ["Вы пишете: «{said}»{recap}. Правила площадки этот вопрос не регулируют, поэтому {action}.",
                   "«{said}»{recap} — на это в правилах площадки отдельного пункта нет, поэтому {action}."],
        "norule_quiet": "На часть вашего сообщения{recap} в правилах площадки отдельного пункта нет, поэтому {action}.",
        "action_escalation": "передаю обращение старшему специалисту",
        "action_default": "уточните, пожалуйста, детали, и мы разберём ситуацию по существу",
        "escalate": "Обращение передаю старшему специалисту, как вы просите.",
        "also": "Сюда же относится правило ({citation}): «{quote}».",
        "more": "Кроме того{recap}, здесь применяется правило ({citation}): «{quote}».",
        "close": ["Если нужны документы по какому-то пункту, пришлите их в ответ на это сообщение.",
                  "Если что-то из перечисленного не так, ответьте на это сообщение с подробностями."],
    },
    "en": {
        "greet": ["Hello {name},", "Hi {name},"],
        "greet_anon": ["Hello,"],
        "about_first": ["Regarding {subject}", "About {subject}"],
        "about": ["Regarding {subject}", "About {subject}", "As for {subject}"],
        "rule": [", the rule is ({citation}): «{quote}».", ", this rule applies ({citation}): «{quote}»."],
        "deadline": ["Deadline: {text}."],
        "sum": ["We will check the amount of {sum} against this clause and send you the calculation."],
        "norule": ["You wrote: «{said}»{recap}. Our rules do not cover this, so {action}."],
        "norule_quiet": "Part of your message{recap} is not covered by our rules, so {action}.",
        "action_escalation": "I am passing your request to a senior specialist",
        "action_default": "please send us the details and we will look into it",
        "escalate": "I am passing your request to a senior specialist, as you asked.",
        "also": "Also relevant ({citation}): «{quote}».",
        "more": "Also{recap}, this rule applies here ({citation}): «{quote}».",
        "close": ["If any of this does not match your situation, reply to this message with the details."],
    },
}


def _pick(options: list[str], seed: int, slot: int | str) -> str:
    """One of ``options``, fixed for this message and slot, independent between slots."""
    return options[int(hashlib.sha256(f"{seed}:{slot}".encode()).hexdigest()[:8], 16) % len(options)]


def _quote(sentence: str, limit: int = QUOTE_CHARS) -> str:
    """An exact, contiguous piece of the clause: the best sentence, cut at a word if it is long.

    Inner «» become “” so the quote's own brackets stay unambiguous (the checks treat them alike).
    """
    sentence = " ".join(sentence.split()).rstrip(".;,: ").replace("«", "“").replace("»", "”")
    if len(sentence) <= limit:
        return sentence
    head = sentence[:limit]
    comma = max(head.rfind(", "), head.rfind("; "))
    if comma > CUT_AT_COMMA * limit:   # a whole part of the sentence reads better than a cut one
        return head[:comma]
    words = head.rsplit(" ", 1)[0].split(" ")
    while len(words) > 1 and len(words[-1]) <= 2:   # never end on «не», «по», «и»: it reads as the opposite
        words.pop()
    return " ".join(words).rstrip(".;,: ")


def _subject(point: Point, lang: str, first: bool = True) -> tuple[str, str, str]:
    """What the point is about in the person's own terms: «заказу № 48213-0917» (dative, after «по»),
    nominative and genitive; the clause's heading when the person named nothing."""
    for kind, forms, en in (("order", ("заказу № {}", "заказ № {}", "заказа № {}"), "order {}"),
                            ("shipment", ("отправлению № {}", "отправление № {}", "отправления № {}"), "shipment {}"),
                            ("product", ("товару «{}»", "товар «{}»", "товара «{}»"), "«{}»")):
        fact = next((f for f in point.facts if f.kind == kind), None)
        if fact:
            return tuple(f.format(fact.text) for f in forms) if lang == "ru" else (en.format(fact.text),) * 3
    if lang != "ru":   # the rules' headings are in Russian: name the point in the reply's language
        return (_GENERIC_SUBJECTS[0 if first else 1],) * 3
    hit = point.clauses[0]
    title = next((p.split(". ", 1)[-1] for p in hit.parents if p), "") or hit.title
    title = title.rstrip(".").lower() or "вашему вопросу"
    return f"вопросу «{title}»", f"вопрос «{title}»", f"вопроса «{title}»"


def _recap(point: Point, subject: str) -> str:
    """The person's own facts of this point not yet named in the subject: « (3 октября, 4 590 ₽)»."""
    said = [f.text for f in point.facts if f.kind in _RECAP_KINDS and f.text not in subject]
    said = list(dict.fromkeys(said))
    return f" ({', '.join(said)})" if said else ""


def compose(analysis: Analysis) -> tuple[str, list[Citation]]:
    """The reply text and the citations it contains, in order."""
    lang = analysis.lang if analysis.lang in _PLANS else "ru"
    plans = _PLANS[lang]
    seed = int(hashlib.sha256(analysis.text.encode("utf-8")).hexdigest()[:8], 16)
    name = next((f.text.split()[0] for f in analysis.facts if f.kind == "name"), None)
    parts = [_pick(plans["greet"], seed, 0).format(name=name) if name else plans["greet_anon"][0]]
    citations: list[Citation] = []
    subject = ""
    for i, point in enumerate(analysis.points, start=1):
        if point.declined or not point.clauses:
            wants_escalation = any(f.kind == "request" and f.value == "escalation" for f in point.facts)
            said = _quote(point.sentences[0])
            action = plans["action_escalation"] if wants_escalation else plans["action_default"]
            if any(p.search(said) for rule in load_rules() for p in rule.patterns):
                # never repeat words a reply must not contain, even as the person's own
                parts.append(plans["norule_quiet"].format(action=action, recap=_recap(point, "")))
            else:
                parts.append(_pick(plans["norule"], seed, i).format(said=said, action=action,
                                                                    recap=_recap(point, said)))
            continue
        cited = {c.id for c in citations}
        fresh = [h for h in point.clauses[:2] if h.id not in cited]
        if fresh:   # a clause already quoted for an earlier point is not quoted twice
            hit = fresh[0]
            quote = _quote(hit.best_sentence or hit.text)
            dative, nominative, genitive = _subject(point, lang, first=not citations)
            if dative == subject and dative not in _GENERIC_SUBJECTS:   # the same matter: no second heading
                sentence = plans["more"].format(citation=hit.citation, quote=quote, recap=_recap(point, dative))
            else:
                about = _pick(plans["about" if citations else "about_first"], seed, f"about{i}")
                about = about.format(subject=dative, subject_nom=nominative, subject_gen=genitive)
                sentence = about + _recap(point, dative) + _pick(plans["rule"], seed, f"rule{i}").format(
                    citation=hit.citation, quote=quote)
            subject = dative
            parts.append(sentence[0].upper() + sentence[1:])
            citations.append(Citation(hit.doc, hit.id, hit.citation, list(hit.path), quote))
        second = next((h for h in point.clauses[1:2] if fresh and h.id not in cited and h is not hit), None)
        if second is not None and second.score >= (SECOND_CLAUSE if second.unit == hit.unit else NEAR_TIE) * hit.score:
            quote2 = _quote(second.best_sentence or second.text, ALSO_QUOTE_CHARS)
            parts.append(plans["also"].format(citation=second.citation, quote=quote2))
            citations.append(Citation(second.doc, second.id, second.citation, list(second.path), quote2))
        for deadline in point.deadlines[:1]:
            text = deadline.sentence_ru() if lang == "ru" else deadline.sentence_en()
            parts.append(_pick(plans["deadline"], seed, i).format(text=text))
        sums = [f.text for f in point.facts if f.kind == "sum"]
        if sums:
            parts.append(_pick(plans["sum"], seed, i).format(sum=sums[0]))
        if any(f.kind == "request" and f.value == "escalation" for f in point.facts):
            parts.append(plans["escalate"])
    parts.append(_pick(plans["close"], seed, 7))
    return " ".join(parts), citations

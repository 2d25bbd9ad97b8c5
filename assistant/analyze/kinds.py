"""What kind of point a person raises: the question behind it decides what counts as an answer.

«С какого числа начнут брать деньги за хранение?» wants a date; «Сколько мне компенсируют?» a sum;
«Можно закрепить обращение за одним специалистом?» a yes or no with its condition.

>>> point_kinds(["С какого числа начнут брать деньги за хранение?"])
[<PointKind.WHEN: 'when'>]
>>> point_kinds(["Сколько мне компенсируют?"]), point_kinds(["Можно закрепить обращение за одним специалистом?"])[0]
([<PointKind.HOW_MUCH: 'how_much'>], <PointKind.WHETHER: 'whether'>)
>>> point_kinds(["Добрый день.", "Я продавец, работаю по FBO."])
[<PointKind.CONTEXT: 'context'>]
"""

from __future__ import annotations

import re
from enum import Enum


class PointKind(str, Enum):
    WHEN = "when"              # a date or a term
    HOW_MUCH = "how_much"      # a sum, a rate
    WHETHER = "whether"        # yes or no, with its condition
    DOCUMENTS = "documents"    # what to send or attach
    WHO = "who"                # who pays, who is responsible
    HOW = "how"                # what to do, in which order
    WHY = "why"                # on what grounds
    REQUEST = "request"        # the person asks for something to be done
    SERVICE = "service"        # a complaint about support itself
    CLAIM = "claim"            # a statement of what happened
    EMOTION = "emotion"        # feelings only, nothing to decide
    CONTEXT = "context"        # a greeting or an introduction


_I = re.I
_PATTERNS: list[tuple[PointKind, re.Pattern]] = [
    (PointKind.DOCUMENTS, re.compile(
        r"\bкак(?:ие|ой|ую) (?:документ|фото|бумаг|доказательств|сведени)\w*|\bчто (?:нужно |надо |мне )?"
        r"(?:приложить|прикрепить|предоставить|отправить|прислать|загрузить)\b|\bwhat (?:documents|papers|proof)\b", _I)),
    (PointKind.WHEN, re.compile(
        r"\bкогда\b|\bв какой срок|\bкакой срок|\bсколько\b[^?]{0,20}\b(?:дней|времени|ждать|рабочих|календарных|суток)|"
        r"\bдо какого (?:числа|срока|дня)|\bс какого (?:числа|дня|момента)|\bкак долго\b|\bсрок[иа]?\b.*\?|"
        r"\bгде (?:мо[йяиё]|наш)\w*|\bhow long\b|\bwhen\b|\bby when\b|\bwhat date\b|\bdeadline\b|"
        r"\bwhere is (?:my|our)\b", _I)),
    (PointKind.HOW_MUCH, re.compile(
        r"\bсколько\b(?![^?]{0,20}\b(?:дней|времени|ждать|рабочих|календарных|суток|часов))|"
        r"\bкак(?:ая|ой|ую) (?:сумм|размер|процент|ставк|тариф|комисси|штраф)\w*|\bна какую сумму|"
        r"\bвсе \d|\bза вычетом\b|\bhow much\b|\bwhat (?:fee|amount|percentage|rate)\b", _I)),
    (PointKind.WHETHER, re.compile(
        r"\bможно ли\b|\bмогу ли\b|\bможем ли\b|\bимею ли (?:я )?право|\bвправе ли\b|\bзаконно\b|\bправомерн\w*|"
        r"\bдопустим\w*|\bобязан[аы]? ли\b|\bдолж(?:ен|на|ны) ли\b|\bнормально\b|\bположен[аоы]? ли\b|\bбудет ли\b|"
        r"\bвлия\w+ ли\b|\bучитыва\w+ ли\b|\bвернут ли\b|\bвернёте ли\b|\bвернете ли\b|\bэто так\b|\bверно ли\b|"
        r"^(?:можно|могу|можете|получится|разрешено)\b|\bнужно ли\b|\bнадо ли\b|"
        r"\bcan i\b|\bcan we\b|\bis it (?:legal|allowed|ok|fair)\b|\bam i (?:entitled|allowed)\b|\bdo i have to\b|"
        r"\bshould i\b|\bare you allowed\b|\bis that (?:legal|right)\b", _I)),
    (PointKind.WHO, re.compile(r"\bкто\b|\bза чей счёт|\bза чей счет|\bwho\b", _I)),
    (PointKind.WHY, re.compile(r"\bпочему\b|\bна каком основании|\bза что\b|\bс какой стати|\bwhy\b", _I)),
    (PointKind.HOW, re.compile(
        r"\bкак (?:мне |нам )?(?:\w+ть|быть|добиться|получить|оспорить|вернуть|подать)\b|\bкаким образом|\bчто (?:мне |нам )?"
        r"делать|\bкуда\b|\bчто нужно сделать|\bhow (?:do|can|should) (?:i|we)\b|\bwhat should i do\b", _I)),
]
# whether someone else acted rightly («Они правы?», «Это законно?», «Могут ли вычесть?»): the rule that answers it
# often grants the reader a right («вы вправе отказаться …»), and its «да» would answer the other side's question
_OTHERS_RIGHT = re.compile(
    r"\b(?:они|он|она|магазин|продавец|фабрика|исполнитель|банк|служба)\b[^?]{0,40}\bправ[аы]?\b|\bзаконн\w*|"
    r"\bправомерн\w*|\bдопустим\w*|\b(?:могут|может|имеют|имеет)\b|"
    r"\bis (?:that|this|it) (?:legal|allowed|ok|okay|right|fair)\b|\bcan (?:they|he|she|the \w+)\b|"
    r"\bare they (?:allowed|right)\b|\ballowed to\b", _I)
_SERVICE = re.compile(r"шаблон\w*|ответ предоставлен|поддержк\w*|специалист\w*|оператор\w*|обращени\w*|"
                      r"template|canned|support|agent", _I)
_GREETING = re.compile(
    r"^(?:здравствуйте|добрый (?:день|вечер|утро)|доброе утро|привет|hello|hi|good (?:morning|afternoon|evening)|"
    r"dear \w+)[\s,!.]*$|^(?:меня зовут|я продав\w+|я покупател\w+|я селлер\w*|это [А-ЯЁA-Z]\w+|пишет \w+|"
    r"работа(?:ю|ем) (?:по|на) (?:fbo|fbs|rfbs|площадке|маркетплейсе)|у меня (?:магазин|ип)|магазин «[^»]+»|"
    r"(?:ип|ооо) «?[А-ЯЁ]\w+»?|мой (?:телефон|номер|e-?mail|имейл)|моя почта|звоните|пишите на|my (?:phone|e-?mail)|"
    r"пиш(?:у|ем)(?: \w+){0,4} раз|"   # «пишу в чат уже третий раз»: how they came, not what they ask
    r"my name is|this is \w+|i am a seller|i'm a seller|i sell)(?!\w)[^?]*$", _I)
_CONTENT = re.compile(r"[а-яёa-z]{4,}", re.I)
_EMOTION = re.compile(r"\b(?:безобрази\w+|ужас\w*|позор\w*|достали|надоело|сколько можно|возмутительн\w+|идиот\w*|клоун\w*|"
                      r"издевательств\w*|бесит|кошмар\w*|отвратительн\w+|хамств\w*|terrible|awful|disgusting|"
                      r"ridiculous|fed up)\b", _I)
_QUESTION_MARK = re.compile(r"\?")
# a question opened by «что», «какие» … (or ending «что тогда?») asks what, not whether: a «да» or «нет» cannot answer it
_OPEN_QUESTION = re.compile(r"^\W*(?:(?:и|а|но|так)\s+)?(?:что|чего|чем|как(?:ие|ой|ая|ое|им|их))\b(?!\s+ли\b)|"
                            r"\bчто\s+(?:тогда|дальше|теперь|делать)\W*$|^\W*(?:what|which)\b", _I)


def point_kinds(sentences: list[str], requests: int = 0) -> list[PointKind]:
    """The kinds of the point, most specific first (a question's kinds before the sentence's tone).

    ``requests`` is the number of requests the person made in these sentences («верните деньги»).
    """
    kinds: list[PointKind] = []
    for sentence in sentences:
        text = sentence.strip()
        if _EMOTION.search(text) and len(_CONTENT.findall(text)) < 4:
            continue   # «ИДИОТЫ, сколько можно?!!» asks nothing
        if not asks(text):   # «узнал, только когда пришло письмо» is a statement, not a «когда» question
            continue
        for kind, pattern in _PATTERNS:
            if pattern.search(text) and kind not in kinds:
                kinds.append(kind)
        if _QUESTION_MARK.search(text) and not any(k for k in kinds) and PointKind.WHETHER not in kinds:
            kinds.append(PointKind.WHETHER)   # «Можно закрепить обращение?»: a bare question wants yes or no
    if requests and PointKind.REQUEST not in kinds:
        kinds.append(PointKind.REQUEST)
    joined = " ".join(sentences)
    if _SERVICE.search(joined) and PointKind.SERVICE not in kinds:
        kinds.append(PointKind.SERVICE)
    if not kinds:
        if all(is_context(s) for s in sentences):
            return [PointKind.CONTEXT]
        kinds.append(PointKind.EMOTION if _EMOTION.search(joined) and len(joined.split()) < 12 else PointKind.CLAIM)
    return kinds


_ASKING = re.compile(r"\?|^(?:подскажите|скажите|объясните|уточните|поясните|расскажите|tell me|please explain|"
                     r"(?:и |а )?(?:когда|сколько|как|почему|зачем|где|куда|можно ли|могу ли|что делать|кто|when|how|"
                     r"why|where|can i|who))\b", re.I)


def asks(sentence: str) -> bool:
    """A question, or a request to be told («Подскажите, …»)."""
    return bool(_ASKING.search(sentence))


def is_context(sentence: str) -> bool:
    """A greeting or an introduction («Добрый день.», «Я продавец, работаю по FBO.»): context, not a point."""
    parts = [p.strip() for p in re.split(r"(?<=[.!])\s+|,\s+", sentence.strip()) if p.strip()]
    return bool(parts) and all(_GREETING.search(p) for p in parts)


def wants_yes_or_no(sentences: list[str]) -> bool:
    """Whether a «да» or «нет» taken from a rule answers the person's question. Not when they ask what («Что я
    теперь могу требовать?», «… что тогда?»), nor when they ask if someone else may do what they did («Они
    правы?», «Это законно?», «Могут ли они удержать?»): the rule that answers often grants the reader a right,
    and its «да» would answer the other side's question. Those are answered by the rule itself.

    >>> wants_yes_or_no(["Могу ли я вернуть?"]), wants_yes_or_no(["Магазин пишет, что возврата не будет. Они правы?"])
    (True, False)
    >>> wants_yes_or_no(["He says I have to pay more. Is that allowed?"]), wants_yes_or_no(["Что я могу требовать?"])
    (False, False)
    """
    asked = [s for s in sentences if asks(s)]
    return not any(_OTHERS_RIGHT.search(s) or _OPEN_QUESTION.search(s.strip()) for s in asked)

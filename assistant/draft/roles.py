"""Rules speak of parties; a reply speaks to a person. «Продавцу выплачивается компенсация» becomes
«вам выплачивается компенсация», «Маркетлайн уведомляет Продавца» becomes «мы уведомляем вас».

Each document declares its parties in ``manifest.toml`` (``we``, ``readers``: ``assistant.schema.Roles``).
Case and agreement come from pymorphy3: the role's case picks the pronoun, and a verb or short
adjective it governs is put into the pronoun's person and number.

>>> seller = Roles(we=("Маркетлайн",), readers=("Продавец",))
>>> to_reader("Продавцу выплачивается компенсация в размере цены товара.", seller)
'Вам выплачивается компенсация в размере цены товара.'
>>> to_reader("Маркетлайн уведомляет Продавца в Личном кабинете.", seller)
'Мы уведомляем вас в Личном кабинете.'
>>> to_reader("Продавец обязан забрать товары.", seller)
'Вы обязаны забрать товары.'
>>> to_reader("Покупатели вправе вернуть товар.", Roles(readers=("Покупатель",)))
'Вы вправе вернуть товар.'
>>> to_reader("Наниматель жилого помещения вправе с согласия граждан, проживающих с ним, расторгнуть договор.",
...           Roles(readers=("Наниматель",)))
'Вы вправе с согласия граждан, проживающих с вами, расторгнуть договор.'
>>> to_reader("Потребитель вправе отказаться от договора, если им обнаружены существенные недостатки.",
...           Roles(readers=("Потребитель",)))
'Вы вправе отказаться от договора, если вами обнаружены существенные недостатки.'
>>> to_reader("Продавец самостоятельно определяет цену и своевременно обновляет остатки.", seller)
'Вы самостоятельно определяете цену и своевременно обновляете остатки.'
>>> to_reader("Продавец вправе попросить. Маркетлайн закрепляет обращение.", seller)
'Вы вправе попросить. Мы закрепляем обращение.'
>>> to_reader("По выбору Продавца сумма зачисляется в Личном кабинете Продавца.", seller)
'По вашему выбору сумма зачисляется в вашем Личном кабинете.'
>>> to_reader("Маркетлайн закрепляет обращение, если специалист работает, а в ином случае передаёт его другому "
...           "специалисту и сообщает Продавцу имя.", seller)
'Мы закрепляем обращение, если специалист работает, а в ином случае передаём его другому специалисту и сообщаем вам имя.'
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..schema import Roles
from ..text import morph

_YOU = {"nomn": "вы", "gent": "вас", "datv": "вам", "accs": "вас", "ablt": "вами", "loct": "вас"}
_WE = {"nomn": "мы", "gent": "нас", "datv": "нам", "accs": "нас", "ablt": "нами", "loct": "нас"}
_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")
_CLAUSE_END = {".", ";", ":", "!", "?", ","}


@lru_cache(maxsize=64)
def _lemmas(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(morph().parse(n.lower())[0].normal_form for n in names)


def _role_case(word: str, lemmas: frozenset[str]) -> str | None:
    """The case of ``word`` when it is one of the roles (as a noun), else None."""
    for parse in morph().parse(word.lower()):
        if parse.normal_form in lemmas and parse.tag.POS == "NOUN" and parse.tag.case in _YOU:
            return parse.tag.case
    return None


def _plural_role(word: str, lemmas: frozenset[str]) -> bool:
    return all(p.tag.number == "plur" for p in morph().parse(word.lower())
               if p.normal_form in lemmas and p.tag.POS == "NOUN")


def _agree(word: str, person: str) -> str:
    """A verb or short adjective the pronoun governs, in its person and number («уведомляет» → «уведомляем»)."""
    for parse in morph().parse(word.lower()):
        if parse.tag.POS == "VERB" and "indc" in parse.tag:
            grams = {"plur"} | ({person} if "past" not in parse.tag else set())
            form = parse.inflect(grams)
            if form:
                return form.word
        if parse.tag.POS == "ADJS":
            form = parse.inflect({"plur"})
            if form:
                return form.word
    return word


def _is_agreeable(word: str) -> bool:
    return any(p.tag.POS in ("VERB", "ADJS") and ("indc" in p.tag or p.tag.POS == "ADJS")
               for p in morph().parse(word.lower()))


def to_reader(sentence: str, roles: Roles) -> str:
    """``sentence`` with the readers' role words as «вы» and the writer's side as «мы», agreed."""
    readers = _lemmas(tuple(roles.readers))
    ours_plain = {w.lower() for w in roles.we}
    tokens = _TOKEN.findall(sentence)
    out: list[str] = []
    pending: str | None = None     # the person a following verb must take: "2per" after «вы», "1per" after «мы»
    waited = 0                     # content words since the pronoun: only the predicate right after it agrees
    subject: str | None = None     # the sentence's pronoun subject, for a predicate after «, а …» («…, а в ином
    resumed = 0                    # случае передаём»): words left in which it may resume
    previous_word = ""
    reader_said = False            # the sentence has named the reader as a subject: its «он вправе» is the reader too
    skip_to = 0                    # the role's own genitive after it, dropped with it: «Наниматель жилого помещения»
    for at, token in enumerate(tokens):
        if at < skip_to:
            continue
        if not token.strip() or not token[0].isalnum():
            if token.strip() and token.strip()[0] in _CLAUSE_END:
                pending = None
                subject = subject if token.strip()[0] == "," else None
                if token.strip()[0] in ".!?":
                    previous_word = ""   # a new sentence: «… акт. Маркетлайн проводит …» opens with its subject
                    reader_said = False
            out.append(token)
            continue
        if reader_said and token.lower() in ("ему", "ей"):   # «… вправе обменять с момента передачи ему товара»
            out.append("вам")
            previous_word = token
            continue
        if reader_said and token.lower() == "ним" and previous_word.lower() == "с":   # «граждан, проживающих с ним»
            out.append("вами")
            previous_word = token
            continue
        if reader_said and token.lower() == "им" and _passive_follows(tokens, at):   # «…, если им обнаружены …»
            out.append("вами")
            previous_word = token
            continue
        if reader_said and token.lower() in ("он", "она") and _person_modal_follows(tokens, at):
            out.append("вы")   # «Если Продавец не согласен …, он вправе …»: not a thing («он утилизируется»)
            pending, waited, subject = "2per", 0, "2per"
            previous_word = token
            continue
        if subject and token.lower() in ("а", "но") and next((t for t in reversed(out) if t.strip()), "") == ",":
            resumed = 4
        elif resumed:
            resumed -= 1
            if _is_nominative_noun(token):
                resumed = 0
            elif _is_agreeable(token) and _third_person(token):
                out.append(_agree(token, subject))
                pending, waited, resumed = subject, 1, 0
                previous_word = token
                continue
        case = _role_case(token, readers) if readers else None
        if case and _possessive(previous_word, case) and _plural_role(token, readers):
            case = None   # «объединения потребителей», «права покупателей»: the readers as a class, not this reader
        if case and _possessive(previous_word, case) and _put_your(out):   # «по выбору Продавца» → «по вашему выбору»
            continue
        if case and not _possessive(previous_word, case):
            out.append(_YOU[case])
            skip_to = _genitive_after(tokens, at) if case == "nomn" else at   # not «взысканной вами неустойки»
            reader_said = reader_said or case == "nomn"
            pending, waited = ("2per" if case == "nomn" else None), 0
            subject = pending or subject
        elif token.lower() in ours_plain and not _after_preposition(previous_word) and (
                not _is_noun(previous_word) or _verb_follows(tokens, at)):   # «О блокировке Маркетлайн уведомляет»
            # «удалены Маркетлайн»: the doer of a passive; but «… признании утраченным Маркетлайн уведомляет»: a subject
            if _is_participle(previous_word) and not _verb_follows(tokens, at):
                out.append(_WE["ablt"])
            else:
                if _is_agreeable(previous_word) and out:   # «за которые отвечает Маркетлайн»: the verb came first
                    index = max(i for i, t in enumerate(out) if t == previous_word)
                    out[index] = _agree(previous_word, "1per")
                out.append(_WE["nomn"])
                pending, waited, subject = "1per", 0, "1per"
        elif pending and _is_adverb(token):   # «вы самостоятельно определяете»: passed over, as if absent
            out.append(token)
            continue
        elif pending and _is_agreeable(token) and (waited == 0 or previous_word.lower() == "и"):
            out.append(_agree(token, pending))   # «рассматриваем … и принимаем»: a verb joined by «и» too
            waited = 1
        else:
            out.append(token)
            if pending and token.lower() not in ("и", "не", "также", "вправе", "обязан", "обязана", "должен"):
                waited += 1
        previous_word = token
    text = _SENTENCE_PRONOUN.sub(lambda m: m.group(1) + m.group(2).capitalize(), "".join(out))
    return text[:1].upper() + text[1:] if sentence[:1].isupper() else text


def _genitive_after(tokens: list[str], at: int) -> int:
    """The index after the genitive noun phrase right after ``tokens[at]`` («жилого помещения» after «Наниматель»),
    or ``at`` when none follows: a role said as «вы» takes no complement («Вы жилого помещения вправе»).

    >>> tokens = _TOKEN.findall("Наниматель жилого помещения вправе")
    >>> "".join(tokens[_genitive_after(tokens, 0):])
    ' вправе'
    """
    i = at + 1
    while i + 1 < len(tokens) and not tokens[i].strip() and _first_parse(tokens[i + 1], "ADJF", "gent"):
        i += 2
    if i + 1 < len(tokens) and not tokens[i].strip() and _first_parse(tokens[i + 1], "NOUN", "gent"):
        return i + 2
    return at


def _first_parse(word: str, pos: str, case: str) -> bool:
    parse = morph().parse(word)[0] if word[:1].isalpha() and word[:1].islower() else None   # not «Маркетлайн»
    return parse is not None and parse.tag.POS == pos and parse.tag.case == case


def _verb_follows(tokens: list[str], at: int) -> bool:
    """Whether the word right after ``tokens[at]`` is a singular verb in the third person, or «вправе»: the party
    before it is its subject («О блокировке Маркетлайн уведомляет»), not a genitive («Товары на складах
    Маркетлайн хранятся»: the verb agrees with «товары»).

    >>> [_verb_follows(t.split(), 2) for t in ("О блокировке Маркетлайн уведомляет", "Товары на Маркетлайн хранятся",
    ...                                         "Товар на Маркетлайн хранится", "Затем по Маркетлайн вправе")]
    [True, False, False, True]
    """
    following = next((t for t in tokens[at + 1:] if t.strip()), "").lower()
    if following == "вправе":
        return True
    parse = morph().parse(following)[0] if following[:1].isalpha() else None
    # a reflexive verb («на складе Маркетлайн хранится») has the thing, not the party, for its subject
    return (parse is not None and parse.tag.POS == "VERB" and "3per" in parse.tag and "sing" in parse.tag
            and not following.endswith(("ся", "сь")))


_PERSON_MODAL = {"вправе", "обязан", "обязана", "должен", "должна", "может"}


def _person_modal_follows(tokens: list[str], at: int) -> bool:
    """Whether «вправе», «обязан», «должен» or «может» (after an optional «не») follows ``tokens[at]``: what a
    person, not a thing, is said to be."""
    following = [t.lower() for t in tokens[at + 1:at + 6] if t.strip() and t[0].isalpha()][:2]
    if following[:1] == ["не"]:
        following = following[1:]
    return bool(following) and following[0] in _PERSON_MODAL


def _passive_follows(tokens: list[str], at: int) -> bool:
    """Whether a short passive participle follows ``tokens[at]`` («им обнаружены»): the pronoun before it is the
    doer, in the instrumental, not «им» as «to them»."""
    following = next((t for t in tokens[at + 1:at + 4] if t.strip() and t[0].isalpha()), "")
    return bool(following) and any(p.tag.POS == "PRTS" for p in morph().parse(following.lower())[:2])


# «… по вашему выбору. мы закрепляем …»: a pronoun put where a capitalised role opened a sentence
_SENTENCE_PRONOUN = re.compile(r"([.!?]\s+)([мв]ы|[мв]ам|[нв]ас)\b")


def _put_your(out: list[str]) -> bool:
    """«ваш», agreed, before the noun phrase ending ``out`` (the noun and the adjectives agreeing with it):
    «Личном кабинете» → «вашем Личном кабинете». False, and ``out`` untouched, when the agreement is ambiguous
    («права»: «вашего» or «ваши») or the phrase opens the sentence."""
    end = len(out) - 1
    while end >= 0 and not out[end].strip():
        end -= 1
    nouns = [p for p in morph().parse(out[end].lower()) if p.tag.POS == "NOUN"] if end > 0 else []
    forms = {_your_form(p.tag) for p in nouns}
    if len(forms) != 1 or None in forms:
        return False
    case = nouns[0].tag.case
    start = end
    while start >= 2 and not out[start - 1].strip() and any(
            p.tag.POS == "ADJF" and p.tag.case == case for p in morph().parse(out[start - 2].lower())[:1]):
        start -= 2
    if start == 0:
        return False
    del out[end + 1:]
    out.insert(start, forms.pop() + " ")
    return True


def _your_form(tag) -> str | None:
    grams = {tag.case, "plur" if tag.number == "plur" else tag.gender, tag.animacy if tag.case == "accs" else None}
    form = morph().parse("ваш")[0].inflect({g for g in grams if g}) if tag.case else None
    return form.word if form else None


def _is_nominative_noun(word: str) -> bool:
    """A noun that may be nominative, by any of its parses: «документы» reads first as accusative, but before
    its verb («, а загруженные документы удаляются») it is the verb's own subject."""
    parses = morph().parse(word.lower())
    return parses[0].tag.POS in ("NOUN", "NPRO") and any(p.tag.POS == parses[0].tag.POS and p.tag.case == "nomn"
                                                         for p in parses)


def _third_person(word: str) -> bool:
    return any(p.tag.POS == "VERB" and "3per" in p.tag for p in morph().parse(word.lower())[:1])


def _is_adverb(word: str) -> bool:
    """«дополнительно», «своевременно»: read as adverbs (their likeliest parse), never as short adjectives."""
    return morph().parse(word.lower())[0].tag.POS == "ADVB"


def _possessive(previous: str, case: str) -> bool:
    """«кабинете Продавца»: a genitive right after a noun belongs to it; it is left as written."""
    return case == "gent" and bool(previous) and any(p.tag.POS == "NOUN" for p in morph().parse(previous.lower())[:1])


def _is_noun(word: str) -> bool:
    """«ошибкой Маркетлайн», «в логистике Маркетлайн»: a name after a noun belongs to it, as written."""
    return bool(word) and any(p.tag.POS == "NOUN" for p in morph().parse(word.lower())[:1])


def _is_participle(word: str) -> bool:
    return bool(word) and any(p.tag.POS in ("PRTS", "PRTF") for p in morph().parse(word.lower())[:1])


def _after_preposition(previous: str) -> bool:
    """«у Маркетлайн», «с Маркетлайн»: the name is not the subject here, and its case is unknown."""
    return bool(previous) and any(p.tag.POS == "PREP" for p in morph().parse(previous.lower())[:1])


_SWAP = {"я": "вы", "меня": "вас", "мне": "вам", "мной": "вами", "мною": "вами", "мы": "вы", "нас": "вас",
         "нам": "вам", "нами": "вами",
         "вы": "мы", "вас": "нас", "вам": "нам", "вами": "нами"}
_MY = {"мой": "ваш", "моя": "ваша", "моё": "ваше", "мое": "ваше", "мои": "ваши", "моего": "вашего", "моей": "вашей",
       "моему": "вашему", "моим": "вашим", "моих": "ваших", "моими": "вашими", "мою": "вашу", "моём": "вашем",
       "моем": "вашем"}
_OUR = {"наш": "ваш", "наша": "ваша", "наше": "ваше", "наши": "ваши", "нашего": "вашего", "нашей": "вашей",
        "нашему": "вашему", "нашим": "вашим", "наших": "ваших", "нашими": "вашими", "нашу": "вашу", "нашем": "вашем"}
_SWAP.update(_MY)
_SWAP.update(_OUR)
_SWAP.update({v: k for k, v in _OUR.items()})   # «ваш» (the company's) said back is «наш»


def to_you(words: str) -> str:
    """The person's own words, said back to them: «я», «мой» become «вы», «ваш», and «вы», «ваш» (the company
    they write to) become «мы», «наш», with the verbs of those subjects in the matching person.

    >>> to_you("Могу я потребовать деньги назад")
    'Можете вы потребовать деньги назад'
    >>> to_you("сколько у меня дней, чтобы открыть спор по моему заказу")
    'сколько у вас дней, чтобы открыть спор по вашему заказу'
    >>> to_you("я купил чайник, а мне не вернули деньги")
    'вы купили чайник, а вам не вернули деньги'
    >>> to_you("когда вы вернёте деньги и появится ли у вас тёмная тема")
    'когда мы вернём деньги и появится ли у нас тёмная тема'
    """
    out, subject = [], ""
    for token in _TOKEN.findall(words):
        lower = token.lower()
        swap = _SWAP.get(lower)
        if swap:
            if lower in ("я", "мы", "вы"):
                subject = "2per" if lower in ("я", "мы") else "1per"
            out.append(swap.capitalize() if token[:1].isupper() else swap)
            continue
        if token[:1].isalpha():
            form = _other_person(token, subject)
            out.append(form.capitalize() if token[:1].isupper() and form != token else form)
        else:
            out.append(token)
            if token.strip()[:1] in _CLAUSE_END:
                subject = ""
    return "".join(out)


def _other_person(word: str, subject: str) -> str:
    """A verb in the person the swap gives it: «могу» → «можете», «вернёте» → «вернём», «купил» (after «я») →
    «купили»."""
    parse = morph().parse(word.lower())[0]
    tag = parse.tag
    if tag.POS != "VERB" or "indc" not in tag:
        return word
    person = "2per" if "1per" in tag else "1per" if "2per" in tag else ""
    if person:
        form = parse.inflect({person, "plur"})
        return form.word if form else word
    if "past" in tag and subject and "sing" in tag:
        form = parse.inflect({"plur"})
        return form.word if form else word
    return word


# --- English ---------------------------------------------------------------------------------------------------

_EN_BE = {"is": "are", "was": "were", "has": "have", "does": "do"}


def _en_plain(verb: str) -> str:
    """A verb in the third person singular put in the form «you» and «we» take: «pays» → «pay», «is» → «are»."""
    low = verb.lower()
    if low in _EN_BE:
        return _EN_BE[low]
    if low.endswith("ies") and len(low) > 4:
        return verb[:-3] + "y"
    if re.search(r"(?:ss|sh|ch|x|z|o)es$", low):
        return verb[:-2]
    return verb[:-1] if low.endswith("s") and not low.endswith("ss") else verb


# where a party's name is the subject of the verb after it: a sentence's start, or after a comma or a conjunction
# («…, the Seller pays», «if Marketline cancels»); after a preposition it is an object («paid to the Seller as …»)
_EN_SUBJECT = r"(^|[.;:,]\s+|\b(?:that|and|or|if|when|unless|where|then|which|who)\s+)"


def to_reader_en(sentence: str, roles: Roles) -> str:
    """An English rule in the reader's terms: the party the reply speaks to becomes «you», ours «we».

    >>> sellers = Roles(we=("Marketline",), readers=("Seller",))
    >>> to_reader_en("For a Shipment lost through the fault of Marketline, the Seller is paid compensation.", sellers)
    'For a Shipment lost through our fault, you are paid compensation.'
    >>> to_reader_en("Marketline notifies the Seller in the Seller Account. The Seller pays the fee.", sellers)
    'We notify you in your Seller Account. You pay the fee.'
    >>> to_reader_en("No fee is charged to the Seller as a penalty; the Seller's payout is made by Marketline.", sellers)
    'No fee is charged to you as a penalty; your payout is made by us.'
    >>> to_reader_en("An Order may be paid for using Marketline points.", Roles(we=("Marketline",), readers=("Buyer",)))
    'An Order may be paid for using Marketline points.'
    """
    out = sentence
    for reader in roles.readers:
        r = re.escape(reader)
        out = re.sub(rf"\b[Tt]he {r}(?:'s|’s)\s", "your ", out)
        out = re.sub(rf"\b[Tt]he ({r} [A-Z]\w+)", r"your \1", out)                          # the Seller Account
        out = re.sub(rf"{_EN_SUBJECT}[Tt]he {r} ((?:not |also |then )?)([a-z]+)\b",
                     lambda m: f"{m.group(1)}you {m.group(2)}{_en_plain(m.group(3))}", out)   # the Seller pays
        out = re.sub(rf"\b[Tt]he {r}\b(?!s)", "you", out)
    for we in roles.we:
        w = re.escape(we)
        out = re.sub(rf"\bthe (\w+) of {w}\b", r"our \1", out)                                # the fault of Marketline
        out = re.sub(rf"\b{w}(?:'s|’s)\s", "our ", out)
        out = re.sub(rf"\b(by|to|from|with|for) {w}\b(?! [A-Z])", r"\1 us", out)
        out = re.sub(rf"{_EN_SUBJECT}{w} ((?:not |also |then )?)([a-z]+)\b",
                     lambda m: f"{m.group(1)}we {m.group(2)}{_en_plain(m.group(3))}", out)
    return re.sub(r"(^|[.!?]\s+)(you|your|we|our)\b", lambda m: m.group(1) + m.group(2).capitalize(), out)

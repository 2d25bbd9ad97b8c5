"""Stable clause ids and human citations from a clause's path.

>>> cite("ЗоЗПП", ["Статья 26.1", "4"], "ru")
'ЗоЗПП, ст. 26.1, п. 4'
>>> cite("Правила площадки", ["3", "3.2", "3.2.1"], "ru")
'Правила площадки, п. 3.2.1'
>>> clause_id("zozpp", ["Статья 4", "4", "4.1"])
'zozpp:ст4/4.1'
"""

from __future__ import annotations

import re

_NAMED = {
    "Статья": ("ст", "ст.", "Art."), "Article": ("ст", "ст.", "Art."),
    "Глава": ("гл", "гл.", "Ch."), "Chapter": ("гл", "гл.", "Ch."),
    "Раздел": ("разд", "разд.", "Sec."), "Section": ("разд", "разд.", "Sec."),
    "Часть": ("ч", "ч.", "Part"), "Part": ("ч", "ч.", "Part"),
    "§": ("§", "§", "§"),
}


def _collapse(path: list[str]) -> list[str]:
    """Drop decimal levels implied by the next one: ["3", "3.2", "3.2.1"] → ["3.2.1"]."""
    out = []
    for i, label in enumerate(path):
        nxt = path[i + 1] if i + 1 < len(path) else ""
        if nxt.startswith(label + ".") and label[:1].isdigit():
            continue
        out.append(label)
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.lower()).strip("-")[:40] or "section"


def clause_id(doc: str, path: list[str]) -> str:
    """``doc:`` + the collapsed path with short unit words, e.g. ``rules:5.3/а)``."""
    parts = []
    for label in _collapse(list(path)):
        word, _, num = label.partition(" ")
        if word in _NAMED and num:
            parts.append(_NAMED[word][0] + num)
        elif label[:1].isdigit() or re.match(r"^[а-яёa-z]\)", label):
            parts.append(label)
        else:
            parts.append(_slug(label))
    return f"{doc}:{'/'.join(parts)}"


def unit_of(doc: str, path: list[str] | tuple[str, ...]) -> str:
    """The unit a clause is argued at, as an id: a law's article, an offer's second-level section.

    >>> unit_of("zozpp", ["Статья 26.1", "4"]), unit_of("rules", ["5", "5.3", "5.3.1"]), unit_of("rules", ["5"])
    ('zozpp:ст26.1', 'rules:5.3', 'rules:5')
    """
    path = list(path)
    if path and path[0].startswith(("Статья", "Article")):
        return clause_id(doc, path[:1])
    return clause_id(doc, path[:2])


_CHAPTER = re.compile(r"^(?:Глава|Раздел|Chapter|Part)\b", re.I)


def chapter_of(doc: str, parents: tuple[str, ...]) -> str:
    """The chapter a clause sits in («Глава 44. БАНКОВСКИЙ ВКЛАД» of ГК ч.2), as ``doc:heading``; a document
    without chapters is one chapter, named by its id.

    >>> chapter_of("gk2", ("Глава 44. БАНКОВСКИЙ ВКЛАД", "Статья 837. Виды вкладов")), chapter_of("zozpp", ("Статья 18",))
    ('gk2:Глава 44. БАНКОВСКИЙ ВКЛАД', 'zozpp')
    """
    top = next((p for p in parents if _CHAPTER.match(p)), "")
    return f"{doc}:{top}" if top else doc


def cite(short: str, path: list[str], lang: str = "ru") -> str:
    """A citation a person would write: document short name, then each unit in its usual abbreviation."""
    en = lang == "en"
    parts = []
    for label in _collapse(list(path)):
        base = label.split("~")[0]
        word, _, num = base.partition(" ")
        if word in _NAMED and num:
            parts.append(f"{_NAMED[word][2 if en else 1]} {num}")
        elif re.match(r"^\d+\)$", base):
            parts.append(f"{'item' if en else 'подп.'} {base[:-1]}")
        elif re.match(r"^[а-яёa-z]\)$", base):
            parts.append(f"item ({base[0]})" if en else f"подп. «{base[0]}»")
        elif base[:1].isdigit():
            parts.append(f"{'cl.' if en else 'п.'} {base}")
        else:
            parts.append(f"«{base[:60]}»")
    return ", ".join([short] + parts)


def genitive(short: str) -> str:
    """A document's short name as it follows a clause number: «п. 5 Правил площадки», «ст. 22 ЗоЗПП».

    >>> genitive("Правила площадки"), genitive("Условия для покупателей"), genitive("ГК РФ")
    ('Правил площадки', 'Условий для покупателей', 'ГК РФ')
    """
    head, _, rest = short.partition(" ")
    if not head[:1].isupper() or head[1:2].isupper() or not head.isalpha():   # an abbreviation stays as it is
        return short
    from ..text import morph

    parse = next((p for p in morph().parse(head) if p.tag.POS == "NOUN" and "nomn" in p.tag), None)
    form = parse.inflect({"gent", parse.tag.number}) if parse and parse.tag.number else None
    if form is None:
        return short
    return " ".join(x for x in (form.word.capitalize(), rest) if x)


def compact(short: str, path: list[str] | tuple[str, ...], lang: str = "ru") -> str:
    """The short citation a reply carries: smallest unit first, then the document.

    >>> compact("ЗоЗПП", ["Статья 26.1", "4"]), compact("Правила площадки", ["5", "5.3", "5.3.1"])
    ('п. 4 ст. 26.1 ЗоЗПП', 'п. 5.3.1 Правил площадки')
    >>> compact("Правила площадки", ["5", "5.3", "а)"]), compact("ГК РФ", ["Статья 497", "4", "1)"])
    ('подп. «а» п. 5.3 Правил площадки', 'подп. 1 п. 4 ст. 497 ГК РФ')
    """
    parts = []
    for label in reversed(_collapse(list(path))):
        base = label.split("~")[0]
        word, _, num = base.partition(" ")
        if word in _NAMED and num:
            parts.append(f"{_NAMED[word][2 if lang == 'en' else 1]} {num}")
        elif re.match(r"^\d+\)$", base):
            parts.append(f"{'item' if lang == 'en' else 'подп.'} {base[:-1]}")
        elif re.match(r"^[а-яёa-z]\)$", base):
            parts.append(f"item ({base[0]})" if lang == "en" else f"подп. «{base[0]}»")
        elif base[:1].isdigit():
            parts.append(f"{'cl.' if lang == 'en' else 'п.'} {base}")
        else:
            parts.append(f"«{base[:60]}»")
    return " ".join(parts + [short if lang == "en" else genitive(short)])


def display_label(label: str, title: str, heading: bool) -> str:
    """How a unit reads as a parent heading: ``Глава 30. Купля-продажа``, ``5. Утрата отправлений``."""
    if heading:
        return title or label
    return f"{label}. {title}".strip() if title and not label.endswith(")") else (f"{label} {title}".strip())

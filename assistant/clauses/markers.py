"""Recognise the label that opens a numbered unit: «Раздел», «Глава», «Статья», ``3.2.1.``, ``1)``, ``а)``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum


class Kind(IntEnum):
    """Units from outermost to innermost; the value orders nesting."""

    HEADING = 0   # an unnumbered markup heading
    PART = 1      # Раздел, Часть, Part, Section
    CHAPTER = 2   # Глава, Chapter
    SUBCHAPTER = 3  # §, Параграф
    ARTICLE = 4   # Статья, Article
    DECIMAL = 5   # 1. / 1.1. / 1.1.1
    ENUM = 6      # 1)
    LETTER = 7    # а)


@dataclass(frozen=True)
class Marker:
    kind: Kind
    label: str          # as used in paths: "Статья 26.1", "3.2.1", "1)", "а)"
    number: tuple       # comparable numbering: (3, 2, 1) for decimals, (n,) for others
    rest: str           # the text after the label on the same line


#: The deepest decimal numbering read as a unit («1.2.3.4.5.6.7.8.9.10»); real documents stop at five or six. A
#: deeper label is text: without a limit, a number thousands of levels deep (a pasted or hostile file) builds
#: a tree whose paths grow with the square of the depth and exhausts memory.
MAX_LEVELS = 10

_UPPER_START = re.compile(r"^(?:$|[«\"“(\[A-ZА-ЯЁ0-9])")
_NAMED = [
    (Kind.PART, re.compile(r"^(Раздел|Часть|Part|Section)\s+([IVXLCDM]+|\d+)\b\.?\s*(.*)$")),
    (Kind.CHAPTER, re.compile(r"^(Глава|Chapter)\s+(\d+(?:\.\d+)*|[IVXLCDM]+)\b\.?\s*(.*)$")),
    (Kind.SUBCHAPTER, re.compile(r"^(§|Параграф)\s*(\d+(?:\.\d+)*)\b\.?\s*(.*)$")),
    (Kind.ARTICLE, re.compile(r"^(Статья|Article)\s+(\d+(?:\.\d+)*)(?:\.|\s|$)\s*(.*)$")),
]
_DECIMAL = re.compile(r"^(\d{1,4}(?:\.\d{1,4}){0,%d})(\.?)(?:\s+(.*)|$)" % (MAX_LEVELS - 1))
_ENUM = re.compile(r"^(\d{1,2})\)\s*(.*)$")
_LETTER = re.compile(r"^([а-яёa-z])\)\s*(.*)$")
_RU_LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"
_EN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


def _roman(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = _ROMAN[a]
        total += -v if b != " " and _ROMAN.get(b, 0) > v else v
    return total


def letter_index(ch: str) -> int:
    """Position of an enumeration letter: а→1, б→2 … (Russian lists skip й and ъ, ы, ь)."""
    for alphabet in (_RU_LETTERS, _EN_LETTERS):
        if ch in alphabet:
            return alphabet.index(ch) + 1
    return 0


def parse_marker(text: str) -> Marker | None:
    """Return the unit label that opens ``text``, if it looks like one.

    >>> parse_marker("Статья 26.1. Дистанционный способ продажи товара").label
    'Статья 26.1'
    >>> parse_marker("3.2.1. Продавец обязан …").number
    (3, 2, 1)
    >>> parse_marker("4.2 настоящих Правил применяется") is None   # a cross-reference, not a unit
    True
    >>> len(parse_marker("1.2.3.4.5.6.7.8.9.10. Текст").number), parse_marker("1.1.1.1.1.1.1.1.1.1.1. Текст")
    (10, None)
    """
    for kind, rx in _NAMED:
        m = rx.match(text)
        if m and _UPPER_START.match(m.group(3)):
            word, num, rest = m.groups()
            if kind is Kind.SUBCHAPTER:
                word = "§"
            number = tuple(int(x) for x in num.split(".")) if num[0].isdigit() else (_roman(num),)
            label = f"{word} {num}"
            return Marker(kind, label, number, rest.strip())
    m = _DECIMAL.match(text)
    if m:
        num, dot, rest = m.group(1), m.group(2), (m.group(3) or "").strip()
        if (dot or "." in num) and _UPPER_START.match(rest):
            return Marker(Kind.DECIMAL, num, tuple(int(x) for x in num.split(".")), rest)
        return None
    m = _ENUM.match(text)
    if m:
        return Marker(Kind.ENUM, f"{m.group(1)})", (int(m.group(1)),), m.group(2).strip())
    m = _LETTER.match(text)
    if m and letter_index(m.group(1)):
        return Marker(Kind.LETTER, f"{m.group(1)})", (letter_index(m.group(1)),), m.group(2).strip())
    return None


# A sub-point written inside the text of its parent point: «… закона. 2.1. Владелец агрегатора …».
INLINE_DECIMAL = re.compile(r"(?<=[.;:!?»)])\s+(\d{1,3}(?:\.\d{1,3}){1,%d})\.\s+(?=[«\"(A-ZА-ЯЁ])" % (MAX_LEVELS - 1))

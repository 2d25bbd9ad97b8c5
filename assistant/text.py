"""The one place for text handling: normalisation, sentences, language, lemmas and word n-grams.

Everything that reads a person's message or a document's words goes through here, so a
rule about text (ё is е, a Latin «a» inside a Russian word is a Cyrillic «а») holds everywhere.

>>> clean("вoзврaт\u200b денег")            # Latin o and a, a zero-width space
'возврат денег'
>>> sentences("Где заказ? Прошло 5 дней. См. п. 5.3.1 правил.")
['Где заказ?', 'Прошло 5 дней.', 'См. п. 5.3.1 правил.']
>>> detect_lang("Where is my parcel?"), detect_lang("Где посылка?")
('en', 'ru')
>>> sorted(word_ngrams("а б в г д", 4))
[('а', 'б', 'в', 'г'), ('б', 'в', 'г', 'д')]
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Latin and Greek letters that look like Cyrillic ones. A word written mostly in Cyrillic gets
# these replaced («вoзврaт» with Latin o, a → «возврат»); a Latin word gets the reverse map.
_TO_CYRILLIC = str.maketrans({
    "a": "а", "c": "с", "e": "е", "o": "о", "p": "р", "x": "х", "y": "у", "k": "к", "m": "м", "t": "т",
    "h": "н", "b": "в", "u": "и", "n": "п", "r": "г",
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р", "T": "Т",
    "X": "Х", "Y": "У", "ο": "о", "α": "а", "ε": "е", "ρ": "р", "κ": "к", "τ": "т", "υ": "у",
    "Ο": "О", "Α": "А", "Ε": "Е", "Ρ": "Р", "Κ": "К", "Τ": "Т", "Χ": "Х", "Η": "Н", "Β": "В", "Μ": "М",
})
_TO_LATIN = str.maketrans({
    "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y", "к": "k", "м": "m", "т": "t",
    "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O", "Р": "P", "Т": "T",
    "Х": "X", "У": "Y", "і": "i", "ј": "j", "ѕ": "s",
})
# Only the letters that really pass for Cyrillic in a Cyrillic word (u, n, r are too loose on their own).
_STRICT_LATIN = set("aceopxykmtbhACEHKMOPTXYB")
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[а-яё]", re.I)
_LATIN = re.compile(r"[a-z]", re.I)


def _fold_word(m: re.Match) -> str:
    word = m.group(0)
    cyr, lat = len(_CYRILLIC.findall(word)), len(_LATIN.findall(word))
    if not (cyr and lat) and not any(ch in "οαερκτυΟΑΕΡΚΤΧΗΒΜ" for ch in word):
        return word
    if cyr >= lat or all(ch in _STRICT_LATIN for ch in word if _LATIN.match(ch)):
        return word.translate(_TO_CYRILLIC)
    return word.translate(_TO_LATIN)


def fold_confusables(text: str) -> str:
    """A word mixing scripts is written in one: the script most of its letters are in.

    >>> fold_confusables("Хочу вoзврат, a refund plеase")
    'Хочу возврат, a refund please'
    """
    return _WORD.sub(_fold_word, text)


# Compatibility forms used to dodge word matching: full-width letters and digits, mathematical
# bold/italic letters, ligatures. Only these are NFKC-normalised: NFKC everywhere would also turn
# «№» into «No» and «…» into «...», which the fact extraction reads.
_COMPAT = re.compile("[\uff00-\uffef\ufb00-\ufb06\U0001d400-\U0001d7ff]")


def clean(text: str) -> str:
    """What every message and reply goes through first: canonical Unicode (NFC), full-width and
    mathematical letters made plain, invisible characters dropped, look-alike letters folded into one script.

    >>> clean("Ｖｅｒｎｉｔｅ № 5…")
    'Vernite № 5…'
    """
    text = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group(0)), unicodedata.normalize("NFC", text))
    return fold_confusables(_INVISIBLE.sub("", text))


_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "ё": "е", "Ё": "Е"})


def fold(text: str) -> str:
    """For comparing wordings: lower case, one kind of quotation mark, ё as е, single spaces.

    >>> fold("«Ответ  предоставлен»  Ёлка")
    '"ответ предоставлен" елка'
    """
    return " ".join(text.translate(_QUOTES).lower().split())


def detect_lang(text: str) -> str:
    """'ru' when Cyrillic letters are more than 30 % of the letters, else 'en'."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "ru"
    return "ru" if sum("а" <= c.lower() <= "я" or c in "ёЁ" for c in letters) / len(letters) > 0.3 else "en"


def sentences(text: str) -> list[str]:
    """Sentences by razdel, which knows that «п. 5.3.1» and «т. е.» do not end one."""
    from razdel import sentenize

    return [s.text.strip() for s in sentenize(" ".join(text.split())) if s.text.strip()]


def words(text: str) -> list[str]:
    """Lower-case words with ё as е (digits are words too)."""
    return _WORD.findall(text.lower().replace("ё", "е"))


def word_ngrams(text_or_words: str | list[str], n: int) -> set[tuple[str, ...]]:
    """The set of word n-grams of a text (or of an already split list of words)."""
    ws = words(text_or_words) if isinstance(text_or_words, str) else text_or_words
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


@lru_cache(maxsize=1)
def morph():
    """pymorphy3's analyser, loaded once per process (its dictionaries take about 0.2 s)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()

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


_PART = re.compile(r"(?<=[;:])\s+(?=[«\"(A-ZА-ЯЁ0-9])")


def clause_sentences(text: str) -> list[str]:
    """A rules text's sentences, with «;»- and «:»-separated parts that start anew counted as sentences:
    «…обязан: 1) …; 2) …» reads as separate statements.

    >>> clause_sentences("Продавец обязан: Отгрузить заказ; Передать его в срок. См. п. 5.3.1 Правил.")
    ['Продавец обязан:', 'Отгрузить заказ;', 'Передать его в срок.', 'См. п. 5.3.1 Правил.']
    """
    return [part.strip() for s in sentences(text) for part in _PART.split(s) if part.strip()]


def words(text: str) -> list[str]:
    """Lower-case words with ё as е (digits are words too)."""
    return _WORD.findall(text.lower().replace("ё", "е"))


def word_ngrams(text_or_words: str | list[str], n: int) -> set[tuple[str, ...]]:
    """The set of word n-grams of a text (or of an already split list of words)."""
    ws = words(text_or_words) if isinstance(text_or_words, str) else text_or_words
    return {tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)}


_CAPS = re.compile(r"(?<![\w-])[А-ЯЁ]{2,}(?![\w-])")
_PROPER = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"}


def unshout(text: str) -> str:
    """Words typed in capitals for emphasis, in ordinary case (the embedder and the lexical channel read
    «ГДЕ МОИ ДЕНЬГИ» worse than «где мои деньги»). Abbreviations (ИНН, ПВЗ, НДС) stay; names get a capital.
    A short word is lowered only in a sentence that shouts (most of its words in capitals).

    >>> unshout("ВЫ ВООБЩЕ ТАМ РАБОТАЕТЕ?!! ИНН и НДС в порядке, СЕГОДНЯ пишу ОЛЕГУ.")
    'Вы вообще там работаете?!! ИНН и НДС в порядке, сегодня пишу Олегу.'
    """
    out = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        words = re.findall(r"[А-Яа-яЁё]{2,}", sentence)
        caps = _CAPS.findall(sentence)
        shouting = len(caps) >= 2 and 2 * len(caps) >= len(words)

        def fix(m: re.Match, shouting: bool = shouting) -> str:
            word = m.group(0)
            parse = morph().parse(word.lower())[0]
            grammemes = set(parse.tag.grammemes)
            if not parse.is_known or "Abbr" in grammemes or (len(word) <= 3 and (not shouting or grammemes & _PROPER)):
                return word
            if grammemes & _PROPER:
                return word.capitalize()
            return word.capitalize() if m.start() == 0 else word.lower()

        out.append(_CAPS.sub(fix, sentence))
    return " ".join(out)



@lru_cache(maxsize=1)
def morph():
    """pymorphy3's analyser, loaded once per process (its dictionaries take about 0.2 s)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


_TOKEN = re.compile(r"[a-zа-яё]+|\d+(?:[.,]\d+)*", re.I)
# Function words (pymorphy3's parts of speech) and frequent words that say nothing about which rule applies.
_SKIP_POS = {"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED"}
_STOP = {
    "быть", "весь", "этот", "тот", "такой", "который", "мочь", "свой", "также", "если", "или", "при", "для",
    "как", "так", "уже", "ещё", "еще", "очень", "вот", "здравствуйте", "добрый", "день", "пожалуйста", "спасибо",
    "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "is", "are", "be", "it", "my", "i", "you", "with",
    "at", "by", "this", "that", "from", "was", "can", "do", "does", "have", "has", "not", "no", "me", "we", "what",
}
_NEGATIONS = {"не", "ни"}


def _is_cyrillic(word: str) -> bool:
    return "а" <= word[0] <= "я" or word[0] == "ё"


class Lemmatizer:
    """Content-word lemmas: pymorphy3 for Russian (ё→е, function and stop words dropped), Snowball stems for
    English. One instance per process is enough; lemmas are cached.

    >>> Lemmatizer().tokens("Посылку потеряли на складе, вернёте деньги?")
    ['посылка', 'потерять', 'склад', 'вернуть', 'деньга']
    """

    def __init__(self) -> None:
        import Stemmer

        self._morph = morph()
        self._stem = Stemmer.Stemmer("english")
        self.lemma = lru_cache(maxsize=200_000)(self._lemma)

    def _lemma(self, word: str) -> str | None:
        if word[0].isdigit():
            return word
        if _is_cyrillic(word):
            parse = self._morph.parse(word)[0]
            if parse.tag.POS in _SKIP_POS:
                return None
            lemma = parse.normal_form.replace("ё", "е")
        else:
            lemma = self._stem.stemWord(word)
        return None if lemma in _STOP or word in _STOP else lemma

    def words(self, text: str) -> list[tuple[str, str]]:
        """(surface word, lemma) pairs, for highlighting the words of a clause that matched."""
        out = []
        for m in _TOKEN.finditer(text):
            lemma = self.lemma(m.group(0).lower())
            if lemma:
                out.append((m.group(0), lemma))
        return out

    def negated(self, text: str) -> list[str]:
        """«не»/«ни» joined to the next word's lemma («не привезли» → «не_привезти»): «не привезли» and
        «привезли» mean opposite things, and ``tokens`` drops the particle."""
        out, pending = [], False
        for m in _TOKEN.finditer(text.lower()):
            word = m.group(0)
            if word in _NEGATIONS:
                pending = True
                continue
            if pending:
                lemma = self._morph.parse(word)[0].normal_form.replace("ё", "е") if _is_cyrillic(word) else word
                out.append(f"не_{lemma}")
            pending = False
        return out

    def tokens(self, text: str) -> list[str]:
        out = []
        for m in _TOKEN.finditer(text.lower()):
            lemma = self.lemma(m.group(0))
            if lemma:
                out.append(lemma)
        return out


@lru_cache(maxsize=1)
def lemmatizer() -> Lemmatizer:
    """The process's lemmatizer."""
    return Lemmatizer()


@lru_cache(maxsize=1)
def _russian_stemmer():
    import Stemmer

    return Stemmer.Stemmer("russian")


def stems(text: str) -> list[str]:
    """Snowball stems (PyStemmer's Russian stemmer) of the words.

    >>> stems("покупатель отменил заказ после отмены")
    ['покупател', 'отмен', 'заказ', 'посл', 'отм']
    """
    stemmer = _russian_stemmer()
    return [stemmer.stemWord(w) for w in words(text)]


_BREAK = re.compile(r"(?<=[.;:!?])\s+")


def breaks(text: str) -> list[str]:
    """``text`` cut after every . ; : ! ? — the places a passage too long for the encoder may be cut
    (finer than sentences on purpose: a long clause is a list of «;»-separated items)."""
    return _BREAK.split(text)


def pack(pieces, budget: int, cut_long: bool = True) -> list[str]:
    """Join consecutive pieces with spaces into chunks of at most ``budget`` characters.

    A piece longer than the budget is cut at a space first (or kept whole: ``cut_long=False``). Breaks fall only between
    pieces, so editing one piece changes only the chunk that holds it.

    >>> pack(["Первое.", "Второе.", "Третье предложение."], 20)
    ['Первое. Второе.', 'Третье предложение.']
    """
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        while cut_long and len(piece) > budget:
            cut = piece.rfind(" ", 0, budget)
            cut = cut if cut > budget // 2 else budget
            if current:
                chunks.append(current)
                current = ""
            chunks.append(piece[:cut].strip())
            piece = piece[cut:].strip()
        if current and len(current) + 1 + len(piece) > budget:
            chunks.append(current)
            current = piece
        else:
            current = f"{current} {piece}".strip()
    if current:
        chunks.append(current)
    return chunks


SEGMENT_CHARS = 220   # sentence windows of a long message are about this long
MAX_WINDOWS = 40      # a long message is searched through at most about this many windows
LONGEST_SENTENCE = 2000   # a "sentence" longer than this is cut at words (the encoder reads ~512 tokens)


def window_size(text: str, size: int = SEGMENT_CHARS) -> int:
    """``size``, or larger for a long message: however long it is, it is embedded through at most about
    ``MAX_WINDOWS`` windows (a 20,000-character thread costs what a 10,000-character one does)."""
    return max(size, -(-len(text) // MAX_WINDOWS))


def windows(text: str, size: int = 0) -> list[str]:
    """Sentence windows of about ``size`` characters (default ``SEGMENT_CHARS``, more for a long message);
    a short message is one window.

    >>> windows("Посылку потеряли. Кто заплатит? И когда?", 24)
    ['Посылку потеряли.', 'Кто заплатит? И когда?']
    """
    parts = sentences(text)
    window = window_size(text, size or SEGMENT_CHARS)
    out = pack(parts, window, cut_long=False)
    if any(len(w) > LONGEST_SENTENCE for w in out):   # a wall of text with no full stops
        out = pack(parts, window, cut_long=True)
    return out or [text]

"""Render automatic list numbers (DOCX numbering, HTML ``<ol>``) as the text a reader sees."""

from __future__ import annotations

_RU = "абвгдежзиклмнопрстуфхцчшщэюя"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def format_number(n: int, fmt: str) -> str:
    """Format ``n`` in a Word ``numFmt`` style (decimal, lowerLetter, russianLower, lowerRoman …).

    >>> format_number(3, "russianLower"), format_number(4, "upperRoman"), format_number(2, "lowerLetter")
    ('в', 'IV', 'b')
    >>> format_number(10**12, "upperRoman")   # Roman numerals stop at 3999; a hostile start would write 10⁹ «M»
    '1000000000000'
    """
    if fmt in ("lowerLetter", "upperLetter"):
        s = chr(ord("a") + (n - 1) % 26)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("russianLower", "russianUpper"):
        s = _RU[(n - 1) % len(_RU)]
        return s.upper() if fmt == "russianUpper" else s
    if fmt in ("lowerRoman", "upperRoman") and 0 < n < 4000:
        out, rest = "", n
        for value, sym in _ROMAN:
            while rest >= value:
                out, rest = out + sym, rest - value
        return out.upper() if fmt == "upperRoman" else out
    return str(n)


class ListCounter:
    """Counters for one numbered list; ``next(level)`` advances a level and resets deeper ones."""

    def __init__(self) -> None:
        self.counts: list[int] = []

    def next(self, level: int, start: int = 1) -> list[int]:
        del self.counts[level + 1:]
        while len(self.counts) <= level:
            self.counts.append(start - 1)
        self.counts[level] += 1
        return list(self.counts)

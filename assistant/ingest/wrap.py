"""Undo line wrapping from PDF and hard-wrapped text: words hyphenated across lines."""

from __future__ import annotations

import re

_HYPHENATED = re.compile(r"\b([A-Za-zА-Яа-яЁё]+-[A-Za-zА-Яа-яЁё]+)\b")
_SPLIT_END = re.compile(r"([A-Za-zА-Яа-яЁё]+)[-\u00ad]$")
_START = re.compile(r"^([a-zа-яё]+)")


def hyphen_vocabulary(text: str) -> set[str]:
    """Hyphenated words written mid-line, such as «купли-продажи»: a break at their hyphen keeps it."""
    return {m.group(1).lower() for line in text.splitlines() for m in _HYPHENATED.finditer(line.rstrip("-"))}


def dehyphenate(lines: list[str], vocabulary: set[str]) -> list[str]:
    """Join a line ending in ``слово-`` with the next line when that starts in lower case.

    The hyphen is dropped (a soft break) unless the document itself spells the
    joined word with a hyphen elsewhere.

    >>> dehyphenate(["в соответствии с насто-", "ящими Правилами"], set())
    ['в соответствии с настоящими Правилами']
    >>> dehyphenate(["договор купли-", "продажи"], {"купли-продажи"})
    ['договор купли-продажи']
    """
    return [text for _, text in merge_hyphenated(lines, vocabulary)]


def merge_hyphenated(lines: list[str], vocabulary: set[str]) -> list[tuple[int, str]]:
    """Like ``dehyphenate``, keeping for each output line the index of the input line it starts at."""
    out: list[tuple[int, str]] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if out:
            end = _SPLIT_END.search(out[-1][1].rstrip())
            start = _START.match(stripped)
            if end and start:
                head = out[-1][1].rstrip()[:-1]
                word = f"{end.group(1)}-{start.group(1)}".lower()
                out[-1] = (out[-1][0], (head + "-" if word in vocabulary else head) + stripped)
                continue
        out.append((i, line))
    return out

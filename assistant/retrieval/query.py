"""One text to search for, with its language detected once."""

from __future__ import annotations

from dataclasses import dataclass

from ..text import detect_lang


@dataclass(frozen=True)
class Query:
    text: str
    lang: str

    @classmethod
    def of(cls, text: str) -> "Query":
        return cls(text, detect_lang(text))

"""Typed records that cross module boundaries."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Block:
    """One paragraph (or, for PDF, one line) of a source document, in reading order.

    ``heading`` is the markup heading level (1–6) when the format says so; ``soft``
    marks a wrapped PDF/plain-text line that continues the previous one unless it
    opens a numbered unit.
    """

    text: str
    page: int | None = None
    heading: int | None = None
    soft: bool = False


@dataclass(frozen=True)
class SourceDocument:
    """A loaded rules file before segmentation."""

    path: str
    fmt: str
    blocks: list[Block]
    sha256: str
    title: str = ""


@dataclass(frozen=True)
class Clause:
    """A numbered unit of a rules document, citable on its own.

    ``id`` is stable across versions (document id + numbering), so versions can be
    compared clause by clause.
    """

    id: str
    doc: str
    version: str
    path: tuple[str, ...]
    citation: str
    text: str
    title: str = ""
    page: int | None = None
    parents: tuple[str, ...] = ()
    repealed: bool = False
    order: int = 0
    unit: str = ""        # the article or second-level section it belongs to (``clauses.citation.unit_of``)

    @property
    def label(self) -> str:
        """The heading line as a reader sees it, e.g. ``3.2.1.`` or ``Статья 26.1. Дистанционный …``."""
        last = self.path[-1] if self.path else ""
        head = last if last.endswith((")", ".")) or not last[:1].isdigit() else last + "."
        return f"{head} {self.title}".strip()

    def full_text(self) -> str:
        return " ".join(p for p in (self.title, self.text) if p and p != self.text) or self.text



@dataclass(frozen=True)
class Case:
    """A past support exchange: what was asked, what was answered, which clauses it cited."""

    id: str
    source: str
    message: str
    reply: str
    date: str = ""
    audience: str = ""
    channel: str = ""
    outcome: str = ""
    tags: tuple[str, ...] = ()
    cited: tuple[str, ...] = ()
    templated: bool = False
    version: str = ""


@dataclass(frozen=True)
class Roles:
    """Who a rules document's parties are, for replies in the reader's terms: ``we`` are the writer's side
    («Маркетлайн»), ``readers`` the people the reply speaks to («Продавец», «Покупатель», «Потребитель»).
    Declared per document in ``manifest.toml``."""

    we: tuple[str, ...] = ()
    readers: tuple[str, ...] = ()

    def to_json(self) -> str:
        return json.dumps({"we": list(self.we), "readers": list(self.readers)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | None) -> "Roles":
        data = json.loads(text or "{}")
        return cls(tuple(data.get("we", ())), tuple(data.get("readers", ())))


@dataclass(frozen=True)
class Translation:
    """A clause's text in another language, from a translation of its document (``[[translation]]`` in
    ``manifest.toml``). ``source`` is the clause's text the translation was recorded against: once the document
    changes that clause, the translation no longer speaks for it."""

    doc: str
    lang: str
    id: str
    text: str
    source: str
    short: str   # how the translation names the document in a citation: «Terms for Buyers»
    roles: Roles = Roles()   # the parties' names in the translation («Marketline», «Seller»)

    def speaks_for(self, text: str | None) -> bool:
        """Whether the translation still says what the clause, now reading ``text``, says."""
        return text == self.source


@dataclass(frozen=True)
class DocumentInfo:
    """One version of one document as recorded in the index."""

    doc: str
    version: str
    title: str
    short: str
    source: str
    fmt: str
    sha256: str
    created: str
    n_clauses: int
    published: bool
    audience: str = ""
    lang: str = "ru"
    roles: Roles = Roles()

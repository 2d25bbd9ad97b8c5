"""Every citation in a draft is checked against the indexed text.

A citation is the text ``<citation>: «<quote>»`` (the form drafts are written in, and
the form an agent keeps when editing). It must name a clause of the current version,
quote its words exactly (whitespace, case, ё and the kind of quotation marks aside), and be
among the clauses retrieved for the message. A clause changed since a past case cited it is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..retrieval import Corpus, Staleness
from ..text import fold
from .reasons import CitationProblem, describe

_CITED_PAREN = re.compile(r"\(([^()«»:\n]{3,140})\)\s*:\s*«([^»]{2,600})»")
_CITED = re.compile(r"([A-ZА-ЯЁ][^:«»\n]{1,80}?,\s*(?:ст\.|п\.|гл\.|подп\.|разд\.|Art\.|cl\.|Ch\.|item)[^:«»\n]{0,60}?)"
                    r"\s*[:—-]?\s*«([^»]{2,600})»")


@dataclass(frozen=True)
class Cited:
    citation: str
    quote: str
    clause_id: str | None


@dataclass
class CitationCheck:
    citation: str
    quote: str
    clause_id: str | None
    ok: bool
    problem: CitationProblem | None = None
    stale: Staleness | None = None

    def to_dict(self) -> dict:
        return {"citation": self.citation, "quote": self.quote, "clause_id": self.clause_id, "ok": self.ok,
                "reason": self.problem.value if self.problem else "",
                "reason_text": describe(self.problem) if self.problem else "",
                "stale": self.stale.to_dict() if self.stale else None}


def find_citations(text: str, corpus: Corpus) -> list[Cited]:
    """Citations written in the text, matched to clauses by their citation string.

    ``(<citation>): «<quote>»`` is the form drafts use; ``<citation>: «<quote>»`` is accepted
    too, for text an agent typed.
    """
    by_citation = corpus.citation_index
    found: list[tuple[int, str, str]] = []
    for m in _CITED_PAREN.finditer(text):
        found.append((m.start(), m.group(1), m.group(2)))
    rest = _CITED_PAREN.sub(lambda m: " " * len(m.group(0)), text)
    for m in _CITED.finditer(rest):
        found.append((m.start(), m.group(1), m.group(2)))
    out = []
    for _, raw, quote in sorted(found):
        citation = " ".join(raw.split()).strip(" .,;()")
        key = fold(citation)
        clause_id = by_citation.get(key)
        if clause_id is None:   # words before the document name: "действует Правила площадки, п. 5.3.1"
            clause_id = next((cid for k, cid in by_citation.items() if key.endswith(" " + k)), None)
        out.append(Cited(citation, quote.strip().rstrip("…").strip(), clause_id))
    return out


def check_citations(cited: list[Cited], analysis, corpus: Corpus) -> list[CitationCheck]:
    retrieved = {h.id for p in analysis.points for h in p.clauses}
    out = []
    for c in cited:
        clause = corpus.clause(c.clause_id) if c.clause_id else None
        if clause is None:
            out.append(CitationCheck(c.citation, c.quote, None, False, CitationProblem.UNKNOWN_CLAUSE))
        elif fold(c.quote) not in fold(clause.full_text()):
            out.append(CitationCheck(c.citation, c.quote, clause.id, False, CitationProblem.QUOTE_MISMATCH))
        elif clause.id not in retrieved:
            out.append(CitationCheck(c.citation, c.quote, clause.id, False, CitationProblem.NOT_RETRIEVED))
        else:
            out.append(CitationCheck(c.citation, c.quote, clause.id, True, stale=corpus.staleness(clause.id)))
    return out

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

_CITED_PAREN = re.compile(r"\(([^()«»:\n]{3,140})\)\s*:\s*«([^»]{2,600})»")          # (citation): «quote»
_QUOTE_CITED = re.compile(r"«([^»]{2,600})»\s*\(([^()\n]{3,140})\)")                  # «quote» (citation)
_PAREN = re.compile(r"\(([^()\n]{3,140})\)")                                             # (citation)
_CITED = re.compile(r"([A-ZА-ЯЁ][^:«»\n]{1,80}?,\s*(?:ст\.|п\.|гл\.|подп\.|разд\.|Art\.|cl\.|Ch\.|item)[^:«»\n]{0,60}?)"
                    r"\s*[:—-]?\s*«([^»]{2,600})»")                                        # Правила, п. 1: «quote»
_LOOKS_CITED = re.compile(r"^(?:подп\.|пп?\.|ст\.|пункт\w*|стать\w*|cl\.|clause|art\.)\s*(?:«\w»\s*)?\d", re.I)


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

    Drafts cite compactly, «(п. 5.3.1 Правил площадки)», with or without a quote before it
    («…» (п. 5.3.1 Правил площадки)); ``(<citation>): «<quote>»`` and ``<citation>: «<quote>»`` are
    accepted too, for text an agent typed. A parenthesis that is not a citation («(3 октября)») is text.
    """
    by_citation = corpus.citation_index
    found: list[tuple[int, str, str]] = []
    rest = text
    for pattern, cite, quote in ((_CITED_PAREN, 1, 2), (_QUOTE_CITED, 2, 1)):
        for m in pattern.finditer(rest):
            if pattern is _CITED_PAREN or _resolves(m.group(cite), by_citation) or _LOOKS_CITED.match(m.group(cite)):
                found.append((m.start(), m.group(cite), m.group(quote)))
                rest = rest[:m.start()] + " " * len(m.group(0)) + rest[m.end():]
    for m in _CITED.finditer(rest):
        found.append((m.start(), m.group(1), m.group(2)))
        rest = rest[:m.start()] + " " * len(m.group(0)) + rest[m.end():]
    for m in _PAREN.finditer(rest):
        if _resolves(m.group(1), by_citation) or _LOOKS_CITED.match(m.group(1).strip()):
            found.append((m.start(), m.group(1), ""))
    out = []
    for _, raw, quote in sorted(found):
        citation = " ".join(raw.split()).strip(" .,;()")
        key = fold(citation)
        clause_id = by_citation.get(key)
        if clause_id is None:   # words before the document name: "действует Правила площадки, п. 5.3.1"
            clause_id = next((cid for k, cid in by_citation.items() if key.endswith(" " + k)), None)
        out.append(Cited(citation, quote.strip().rstrip("…").strip(), clause_id))
    return out


def _resolves(raw: str, by_citation: dict[str, str]) -> bool:
    return fold(" ".join(raw.split()).strip(" .,;()")) in by_citation


def check_citations(cited: list[Cited], analysis, corpus: Corpus, plan=None) -> list[CitationCheck]:
    """Each citation checked: a clause of the current version, its quote verbatim, and found for the message (by
    retrieval, or chosen by ``plan`` from what retrieval found, such as an article's penalty clause)."""
    retrieved = {h.id for p in analysis.points for h in p.clauses}
    if plan is not None:
        retrieved |= {e.clause_id for p in plan.points for e in [p.evidence, *(s[1] for s in p.support)] if e}
    retrieved |= {c.id for cid in list(retrieved) for c in corpus.deferred_to(cid)}
    out = []
    for c in cited:
        clause = corpus.clause(c.clause_id) if c.clause_id else None
        if clause is None:
            out.append(CitationCheck(c.citation, c.quote, None, False, CitationProblem.UNKNOWN_CLAUSE))
        elif c.quote and not any(fold(c.quote) in fold(text) for text in corpus.wordings(clause.id)):
            out.append(CitationCheck(c.citation, c.quote, clause.id, False, CitationProblem.QUOTE_MISMATCH))
        elif clause.id not in retrieved:
            out.append(CitationCheck(c.citation, c.quote, clause.id, False, CitationProblem.NOT_RETRIEVED))
        else:
            out.append(CitationCheck(c.citation, c.quote, clause.id, True, stale=corpus.staleness(clause.id)))
    return out

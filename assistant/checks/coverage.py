"""Every point the person raised is answered, or listed as unanswered."""

from __future__ import annotations

from dataclasses import dataclass

from .citations import normalise

_MIN_SHARED = 0.34   # share of a point's content words a reply must repeat to count as answering it


@dataclass
class CoverageCheck:
    point: str        # the point's first sentence
    answered: bool
    how: str = ""     # "citation", "facts", "words"


def check_coverage(text: str, analysis, cited, searcher) -> list[CoverageCheck]:
    cited_ids = {c.clause_id for c in cited if c.clause_id}
    draft_lemmas = set(searcher.lemmas(text))
    low = normalise(text)
    out = []
    for point in analysis.points:
        first = point.sentences[0]
        if cited_ids & {h.id for h in point.clauses}:
            out.append(CoverageCheck(first, True, "citation"))
            continue
        facts = [f.text for f in point.facts if f.kind in ("order", "shipment", "sum", "date", "product")]
        if facts and any(normalise(f) in low for f in facts):
            out.append(CoverageCheck(first, True, "facts"))
            continue
        # a point no rule covers is answered in plain words: the reply must take up what the person said
        words = set(searcher.lemmas(" ".join(point.sentences)))
        answered = point.declined and len(words & draft_lemmas) / max(1, len(words)) >= _MIN_SHARED
        out.append(CoverageCheck(first, answered, "words" if answered else ""))
    return out

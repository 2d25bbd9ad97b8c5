"""Every point the person raised is answered, or listed as unanswered."""

from __future__ import annotations

from dataclasses import dataclass

from ..text import fold, lemmatizer

# Share of a point's content words a reply must repeat to count as answering it in plain words. Hand-set in
# round 4 so that a reply repeating about a third of the point's words counts; a training score on drafts.jsonl.
SHARED_WORDS = 0.34


@dataclass
class CoverageCheck:
    point: str        # the point's first sentence
    answered: bool
    how: str = ""     # "citation", "facts", "words"


def check_coverage(text: str, analysis, cited) -> list[CoverageCheck]:
    cited_ids = {c.clause_id for c in cited if c.clause_id}
    draft_lemmas = set(lemmatizer().tokens(text))
    low = fold(text)
    out = []
    for point in analysis.points:
        first = point.sentences[0]
        if cited_ids & {h.id for h in point.clauses}:
            out.append(CoverageCheck(first, True, "citation"))
            continue
        facts = [f.text for f in point.facts if f.kind in ("order", "shipment", "sum", "date", "product")]
        if facts and any(fold(f) in low for f in facts):
            out.append(CoverageCheck(first, True, "facts"))
            continue
        # a point no rule covers is answered in plain words: the reply must take up what the person said
        words = set(lemmatizer().tokens(" ".join(point.sentences)))
        answered = point.declined and len(words & draft_lemmas) / max(1, len(words)) >= SHARED_WORDS
        out.append(CoverageCheck(first, answered, "words" if answered else ""))
    return out

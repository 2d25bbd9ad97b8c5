"""What a search returns: typed clause and case hits, and the result of one message.

``to_dict`` gives the flat JSON the CLI prints (``assistant search --json``) and the API returns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Related:
    id: str
    citation: str


@dataclass(frozen=True)
class ClauseHit:
    doc: str
    version: str
    id: str
    citation: str
    path: list[str]
    text: str
    page: int | None
    score: float
    unit: str = ""                 # the article (law) or second-level section (offer) the clause belongs to
    title: str = ""
    parents: list[str] = field(default_factory=list)
    similarity: float | None = None
    best_sentence: str = ""        # the part of the clause that best matches the message
    matched_terms: list[str] = field(default_factory=list)   # the clause's words the message shares
    related: list[Related] = field(default_factory=list)     # clauses its text refers to
    segments: list[int] = field(default_factory=list)        # which windows of the message raised it
    reason: str = "retrieved"      # "retrieved", or "reference" when the message names the clause itself
    applies: float | None = None   # calibrated probability that the clause answers the message (the learned
                                   # ranker's applies model); None where the ranking carries none
    kind: str = "clause"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CaseHit:
    doc: str
    version: str
    id: str
    citation: str
    text: str                      # the person's message (personal data masked)
    score: float
    reply: str = ""
    outcome: str = ""
    cited: list[str] = field(default_factory=list)
    templated: bool = False
    date: str = ""
    audience: str = ""
    similarity: float | None = None
    path: list[str] = field(default_factory=list)
    page: int | None = None
    kind: str = "case"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class SearchResult:
    query: str
    clauses: list[ClauseHit] = field(default_factory=list)
    cases: list[CaseHit] = field(default_factory=list)
    declined: bool = False
    confidence: float = 0.0
    segments: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)   # clause ids the message names itself
    signals: tuple[float, float, float] = (0.0, 0.0, 0.0)   # best own, whole-unit and BM25 scores: the decline's input
    bridge: list[str] = field(default_factory=list)   # another language: the rules' terms the glossary found for it

    @property
    def hits(self) -> list[ClauseHit | CaseHit]:
        return sorted([*self.clauses, *self.cases], key=lambda h: -h.score)

    def to_dict(self) -> dict:
        return {"query": self.query, "declined": self.declined, "confidence": round(self.confidence, 3),
                "segments": self.segments, "references": self.references,
                "hits": [h.to_dict() for h in self.hits],
                "clauses": [h.to_dict() for h in self.clauses], "cases": [h.to_dict() for h in self.cases]}

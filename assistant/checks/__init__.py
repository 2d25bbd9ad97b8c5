"""Checks that run on every draft, edited or not, and on any reply a person wrote: citations, coverage,
boilerplate, guardrails, injection.

>>> checks = run_checks(text, analysis, plan, searcher.corpus)     # doctest: +SKIP
>>> checks.ok, [c.problem for c in checks.citations if not c.ok]   # doctest: +SKIP
(True, [])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..text import clean
from .citations import CitationCheck, check_citations, find_citations
from .coverage import Coverage, CoverageCheck, check_coverage
from .guardrails import Violation, check_guardrails
from .injection import find_injections
from .template import TemplateCheck, check_template


@dataclass
class Checks:
    citations: list[CitationCheck] = field(default_factory=list)
    coverage: list[CoverageCheck] = field(default_factory=list)
    template: TemplateCheck | None = None
    guardrails: list[Violation] = field(default_factory=list)
    injections: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (all(c.ok for c in self.citations) and all(c.answered for c in self.coverage)
                and not self.guardrails and (self.template is None or not self.template.phrases))

    @property
    def unanswered(self) -> list[CoverageCheck]:
        return [c for c in self.coverage if not c.answered]

    def failures(self) -> list[str]:
        """Short codes of what failed, for records and confirmations: «citation», «unanswered» …"""
        out = []
        if any(not c.ok for c in self.citations):
            out.append("citation")
        if self.unanswered:
            out.append("unanswered")
        if self.guardrails:
            out.append("guardrail")
        if self.template is not None and self.template.phrases:
            out.append("template")
        return out

    def to_dict(self) -> dict:
        return {"ok": self.ok,
                "citations": [c.to_dict() for c in self.citations],
                "coverage": [c.to_dict() for c in self.coverage],
                "unanswered": [{"point": c.point, "sentences": list(c.sentences), "status": c.status.value}
                               for c in self.unanswered],
                "template": asdict(self.template) if self.template else None,
                "guardrails": [asdict(v) for v in self.guardrails],
                "injections": self.injections}


def run_checks(text: str, analysis, plan, corpus, message: str = "") -> Checks:
    """Every check on ``text`` (a draft as it stands now, or a reply a person wrote) against what the
    message raised and what the plan answers; look-alike letters are folded first, so «вoзврат» with a
    Latin o cannot slip past the guardrails."""
    text = clean(text)
    cited = find_citations(text, corpus)
    return Checks(
        citations=check_citations(cited, analysis, corpus, plan),
        coverage=check_coverage(text, plan, {c.clause_id for c in cited if c.clause_id}),
        template=check_template(text, corpus),
        guardrails=check_guardrails(text, [c.clause_id for c in cited if c.clause_id], corpus),
        injections=find_injections(message or analysis.text),
    )


__all__ = ["Checks", "Coverage", "run_checks"]

"""Checks that run on every draft, edited or not: citations, coverage, boilerplate, guardrails, injection.

>>> checks = run_checks(text, analysis, searcher.corpus)        # doctest: +SKIP
>>> checks.ok, [c.problem for c in checks.citations if not c.ok]  # doctest: +SKIP
(True, [])
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..text import clean
from .citations import CitationCheck, check_citations, find_citations
from .coverage import CoverageCheck, check_coverage
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

    def to_dict(self) -> dict:
        return {"ok": self.ok,
                "citations": [c.to_dict() for c in self.citations],
                "coverage": [asdict(c) for c in self.coverage],
                "unanswered": [c.point for c in self.coverage if not c.answered],
                "template": asdict(self.template) if self.template else None,
                "guardrails": [asdict(v) for v in self.guardrails],
                "injections": self.injections}


def run_checks(text: str, analysis, corpus, message: str = "") -> Checks:
    """Every check on ``text`` (the draft as it stands now) against what the message raised; look-alike
    letters are folded first, so «вoзврат» with a Latin o cannot slip past the guardrails."""
    text = clean(text)
    cited = find_citations(text, corpus)
    return Checks(
        citations=check_citations(cited, analysis, corpus),
        coverage=check_coverage(text, analysis, cited),
        template=check_template(text, corpus),
        guardrails=check_guardrails(text, [c.clause_id for c in cited if c.clause_id], corpus),
        injections=find_injections(message or analysis.text),
    )


__all__ = ["Checks", "run_checks"]

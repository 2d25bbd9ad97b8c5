"""Why a check failed, as codes with parameters; each surface (CLI, page, API) words them itself.

>>> CitationProblem.QUOTE_MISMATCH.value, describe(CitationProblem.NOT_RETRIEVED)
('quote_mismatch', 'this clause was not retrieved for any point of the message')
"""

from __future__ import annotations

from enum import Enum


class CitationProblem(str, Enum):
    UNKNOWN_CLAUSE = "unknown_clause"      # no clause of the current rules has this citation
    QUOTE_MISMATCH = "quote_mismatch"      # the quoted words are not the clause's text
    NOT_RETRIEVED = "not_retrieved"        # the clause exists but was not found for any point of the message


_ENGLISH = {
    CitationProblem.UNKNOWN_CLAUSE: "no such clause in the current rules",
    CitationProblem.QUOTE_MISMATCH: "the quote is not the clause's text",
    CitationProblem.NOT_RETRIEVED: "this clause was not retrieved for any point of the message",
}


def describe(problem: CitationProblem) -> str:
    """The plain-English wording the CLI and the API use."""
    return _ENGLISH[problem]

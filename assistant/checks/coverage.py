"""Every point the person raised is answered — stated, not merely cited — or listed as not answered.

A point the plan has an answer for counts as answered only when that answer is stated in the text
(its key words or numbers are there, by lemma), so an edited draft or a reply a person wrote is judged
the same way. A point whose clause is cited but whose answer is missing is «процитировано, но не
отвечено». A point no clause answers is answered when the reply promises to check it (with a date)
or takes it up in its own words.

>>> [c.value for c in Coverage]
['answered', 'cited_only', 'checking', 'addressed', 'unanswered']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from ..analyze.kinds import PointKind
from ..text import lemmatizer, words

# Share of a point's content words a reply must repeat to count as taking it up in its own words. Hand-set in
# round 4 so that a reply repeating about a third of the point's words counts; a training score on drafts.jsonl.
SHARED_WORDS = 0.34
_CHECKING = re.compile(r"\b(?:провер\w*|уточн\w*|выясн\w*|разбер\w*|check\w*|look into|find out)\b", re.I)
_NOT_NEEDED = {PointKind.EMOTION, PointKind.CONTEXT}


class Coverage(str, Enum):
    ANSWERED = "answered"
    CITED_ONLY = "cited_only"      # the clause is cited, its answer is not said
    CHECKING = "checking"          # the reply says the point is being checked, and by when
    ADDRESSED = "addressed"        # no rule answers it; the reply takes it up in its own words
    UNANSWERED = "unanswered"


@dataclass
class CoverageCheck:
    point: str                 # the point's first sentence
    status: Coverage
    sentences: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return self.status in (Coverage.ANSWERED, Coverage.CHECKING, Coverage.ADDRESSED)

    def to_dict(self) -> dict:
        return {"point": self.point, "status": self.status.value, "answered": self.answered,
                "sentences": list(self.sentences)}


def states(text: str, key: tuple[str, ...]) -> bool:
    """Whether ``text`` says every key item: numbers as written, words by lemma, and a word the key says
    plainly not only under «не» («не закрепляем» does not say «закрепляет»).

    >>> states("Компенсация вам выплачивается до 22 октября.", ("22", "выплачивается"))
    True
    >>> states("Не закрепляем специалиста за обращением.", ("закрепляет",))
    False
    """
    if not key:
        return False
    found_words = set(words(text))
    plain = _plain_lemmas(text)
    lemmas = set(lemmatizer().tokens(text))
    for item in key:
        if item.isdigit():
            if item not in found_words:
                return False
            continue
        wanted = lemmatizer().tokens(item)
        negative = item.lower().startswith(("не ", "ни "))
        if wanted and not set(wanted) <= (lemmas if negative else plain):
            return False
    return True


def _plain_lemmas(text: str) -> set[str]:
    """Lemmas of the words not right after «не»/«ни»."""
    out, negated = set(), False
    for word in words(text):
        if word in ("не", "ни"):
            negated = True
            continue
        lemma = lemmatizer().lemma(word)
        if lemma and not negated:
            out.add(lemma)
        negated = False
    return out


def check_coverage(text: str, plan, cited_ids: set[str]) -> list[CoverageCheck]:
    lemmas = set(lemmatizer().tokens(text))
    out = []
    for point in plan.points:
        if point.kinds and point.kinds[0] in _NOT_NEEDED or point.answered_before:
            continue
        first, said = point.said[0], tuple(point.said)
        own = set(lemmatizer().tokens(" ".join(point.said)))
        overlap = len(own & lemmas) / max(1, len(own))
        if point.answer is not None:
            if states(text, point.answer.key):
                status = Coverage.ANSWERED
            elif point.answer.clause_id in cited_ids:
                status = Coverage.CITED_ONLY
            else:
                status = Coverage.UNANSWERED
        elif _CHECKING.search(text) and overlap >= SHARED_WORDS / 2:
            status = Coverage.CHECKING
        elif overlap >= SHARED_WORDS:
            status = Coverage.ADDRESSED
        else:
            status = Coverage.UNANSWERED
        out.append(CoverageCheck(first, status, said))
    return out

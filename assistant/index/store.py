"""Snapshots on disk: reading the serving one, writing a new one, and switching atomically."""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import json
import os
import secrets
import shutil
import sqlite3
from pathlib import Path

import numpy as np

from ..clauses.citation import unit_of
from ..errors import IndexUnavailable
from ..faults import fault_point
from ..schema import Case, Clause, DocumentInfo, Roles, Translation
from . import vectors as vector_index

FORMAT = 3   # 2: vectors have roles (clause passages, whole units, cases); 3: the whole-unit role is "whole"
ROLE_OWN, ROLE_WHOLE, ROLE_CASE = "self", "whole", "case"   # what a vector row embeds
ROLE_EXAMPLE = "example"   # a question the clause answers, in people's words (``index.questions``)
#: Beside an approximate ``vectors.faiss`` (hnsw, ivfpq): the float vectors of every row that is not a case, in row
#: order, so that clauses are always scored exactly (they are few; cases are what grows).
EXACT_FILE = "exact.npy"
SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (doc TEXT, version TEXT, title TEXT, short TEXT, source TEXT, fmt TEXT,
    sha256 TEXT, created TEXT, n_clauses INTEGER, published INTEGER, audience TEXT, lang TEXT,
    roles TEXT DEFAULT '{}', PRIMARY KEY (doc, version));
CREATE TABLE IF NOT EXISTS clauses (doc TEXT, version TEXT, id TEXT, path TEXT, citation TEXT, title TEXT,
    text TEXT, page INTEGER, parents TEXT, repealed INTEGER, ord INTEGER, PRIMARY KEY (doc, version, id));
CREATE TABLE IF NOT EXISTS case_sources (source TEXT PRIMARY KEY, sha256 TEXT, path TEXT, n INTEGER, version TEXT);
CREATE TABLE IF NOT EXISTS cases (id TEXT PRIMARY KEY, source TEXT, version TEXT, date TEXT, audience TEXT,
    channel TEXT, message TEXT, reply TEXT, outcome TEXT, tags TEXT, cited TEXT, templated INTEGER);
CREATE TABLE IF NOT EXISTS vectors (row INTEGER PRIMARY KEY, kind TEXT, doc TEXT, ref TEXT, role TEXT);
CREATE TABLE IF NOT EXISTS examples (ref TEXT, text TEXT);
CREATE TABLE IF NOT EXISTS translations (doc TEXT, lang TEXT, id TEXT, text TEXT, source TEXT, short TEXT,
    sha256 TEXT, roles TEXT DEFAULT '{}', PRIMARY KEY (doc, lang, id));
"""


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def build_lock(index_dir: Path):
    """One build at a time per index; a crashed build's lock is released by the kernel."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexUnavailable(f"another build is running on {index_dir}; wait for it to finish") from None
        yield


def current_name(index_dir: Path) -> str | None:
    try:
        return (index_dir / "CURRENT").read_text().strip() or None
    except FileNotFoundError:
        return None


class SnapshotWriter:
    """A new snapshot in ``snapshots/.tmp-<id>``; ``commit()`` makes it the serving one in one rename."""

    def __init__(self, index_dir: Path, base: Path | None) -> None:
        self.index_dir = index_dir
        # microseconds: names sort in build order even within one second, and `prune` keeps the newest by name
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        self.name = f"{stamp}-{secrets.token_hex(3)}"
        root = index_dir / "snapshots"
        root.mkdir(parents=True, exist_ok=True)
        for stale in root.glob(".tmp-*"):   # left by a build that was killed; we hold the lock
            shutil.rmtree(stale, ignore_errors=True)
        serving = current_name(index_dir)
        for orphan in root.iterdir():   # newer than the serving one: its build was killed before switching CURRENT
            if serving and not orphan.name.startswith(".") and orphan.name > serving:
                shutil.rmtree(orphan, ignore_errors=True)
        self.tmp = root / f".tmp-{self.name}"
        self.tmp.mkdir()
        self.db = sqlite3.connect(self.tmp / "meta.sqlite")
        if base is not None:
            src = sqlite3.connect(f"file:{base / 'meta.sqlite'}?mode=ro", uri=True)
            src.backup(self.db)
            src.close()
        self.db.executescript(SCHEMA)
        _migrate(self.db)

    def scratch(self, name: str) -> Path:
        """A work file inside the new snapshot (e.g. vectors streamed to disk); ``commit`` removes it."""
        return self.tmp / f"{name}.scratch"

    def commit(self, manifest: dict, vectors: np.ndarray) -> str:
        """Write the vector index (its kind chosen by size, once, here: ``vectors.plan``; recorded in the manifest
        with the reason) and switch ``CURRENT`` to this snapshot. ``vectors`` may be a memory map."""
        import faiss

        fault_point("meta")
        exact_rows = [r for (r,) in self.db.execute("SELECT row FROM vectors WHERE role != ? ORDER BY row",
                                                    (ROLE_CASE,))]
        self.db.commit()
        self.db.close()
        index, spec = build_vector_index(vectors, manifest["dim"])
        manifest = {**manifest, "vector_index": {"kind": spec.kind, "reason": spec.reason,
                                                 "parameters": spec.parameters}}
        faiss.write_index(index, str(self.tmp / "vectors.faiss"))
        if spec.kind != "flat":
            np.save(self.tmp / EXACT_FILE, np.ascontiguousarray(vectors[exact_rows], dtype=np.float32))
        del index
        for scratch in self.tmp.glob("*.scratch"):
            scratch.unlink()
        fault_point("faiss")
        (self.tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        for f in self.tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        final = self.index_dir / "snapshots" / self.name
        os.rename(self.tmp, final)
        _fsync_dir(final.parent)
        pointer = self.index_dir / f"CURRENT.tmp-{self.name}"
        pointer.write_text(self.name + "\n")
        with open(pointer, "rb") as fh:
            os.fsync(fh.fileno())
        fault_point("switch")
        os.replace(pointer, self.index_dir / "CURRENT")
        _fsync_dir(self.index_dir)
        return self.name

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.db.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def build_vector_index(vectors: np.ndarray, dim: int):
    """The FAISS index for a snapshot's vectors and the spec it was built from (``vectors.plan`` by size).

    >>> index, spec = build_vector_index(np.eye(4, dtype=np.float32), 4)
    >>> spec.kind, index.ntotal
    ('flat', 4)
    """
    spec = vector_index.plan(len(vectors), dim)
    # 8,192 rows normalised and added at a time (12 MiB at dim 384): ``vectors`` may map a file larger than memory
    return vector_index.build(vectors, spec, chunk=8_192), spec


def _migrate(db) -> None:
    """Columns added since a base snapshot was written (its rows get the default)."""
    for table in ("documents", "translations"):
        columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        if columns and "roles" not in columns:
            db.execute(f"ALTER TABLE {table} ADD COLUMN roles TEXT DEFAULT '{{}}'")


def prune(index_dir: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` snapshots; never the serving one."""
    current = current_name(index_dir)
    names = sorted(p.name for p in (index_dir / "snapshots").iterdir() if not p.name.startswith("."))
    for name in names[: max(0, len(names) - keep)]:
        if name != current:
            shutil.rmtree(index_dir / "snapshots" / name, ignore_errors=True)
    for stray in index_dir.glob("CURRENT.tmp-*"):
        stray.unlink(missing_ok=True)


class SnapshotGone(Exception):
    """The snapshot's files disappeared while it was being opened (a concurrent prune)."""


def _read_faiss(path: Path):
    import faiss

    if not path.exists():
        raise SnapshotGone(str(path))
    try:
        return faiss.read_index(str(path))
    except RuntimeError as exc:   # faiss reports a missing or truncated file this way
        raise SnapshotGone(str(path)) from exc


def _read_exact(path: Path, owners: list[tuple[str, str, str, str]]) -> tuple[np.ndarray, np.ndarray]:
    rows = np.array([i for i, (*_, role) in enumerate(owners) if role != ROLE_CASE], dtype=np.int64)
    try:
        matrix = np.load(path)
    except FileNotFoundError:
        raise SnapshotGone(str(path)) from None
    if len(matrix) != len(rows):
        raise IndexUnavailable(f"{path} holds {len(matrix)} vectors, the snapshot {len(rows)} clause rows; "
                               "run `assistant index` again to rebuild it")
    return rows, matrix


def _clause(row) -> Clause:
    doc, version, id_, path, citation, title, text, page, parents, repealed, order = row
    path = tuple(json.loads(path))
    return Clause(id=id_, doc=doc, version=version, path=path, citation=citation, text=text, title=title, page=page,
                  parents=tuple(json.loads(parents)), repealed=bool(repealed), order=order, unit=unit_of(doc, path))


def _case(row) -> Case:
    id_, source, version, date, audience, channel, message, reply, outcome, tags, cited, templated = row
    return Case(id=id_, source=source, version=version, date=date, audience=audience, channel=channel, message=message,
                reply=reply, outcome=outcome, tags=tuple(json.loads(tags)), cited=tuple(json.loads(cited)),
                templated=bool(templated))


_CLAUSE_COLS = "doc, version, id, path, citation, title, text, page, parents, repealed, ord"
_CASE_COLS = "id, source, version, date, audience, channel, message, reply, outcome, tags, cited, templated"


class Index:
    """The serving snapshot, read-only. Everything a reader needs is loaded or held open when it opens
    (the vectors in memory, the metadata database by an open handle), so a build that prunes this
    snapshot from disk afterwards cannot pull it from under a reader: the snapshot is pinned.

    >>> idx = Index.open(Path("data/index"))                 # doctest: +SKIP
    >>> [d.doc for d in idx.documents(published_only=True)]   # doctest: +SKIP
    ['marketplace-rules', 'buyer-terms']
    """

    def __init__(self, index_dir: Path, name: str, vectors: bool = True) -> None:
        self.index_dir, self.name = index_dir, name
        self.path = index_dir / "snapshots" / name
        self.manifest = json.loads((self.path / "manifest.json").read_text())
        self.db = sqlite3.connect(f"file:{self.path / 'meta.sqlite'}?mode=ro", uri=True, check_same_thread=False)
        self._owners, self._faiss, self._exact = [], None, None
        try:
            self.db.execute("SELECT 1 FROM documents LIMIT 1")
            if vectors and not self.outdated:
                self._owners = [tuple(r) for r in self.db.execute("SELECT kind, doc, ref, role FROM vectors ORDER BY row")]
                self._faiss = _read_faiss(self.path / "vectors.faiss")
                if self.vector_kind != "flat":
                    self._exact = _read_exact(self.path / EXACT_FILE, self._owners)
        except BaseException:
            self.db.close()
            raise

    @property
    def outdated(self) -> bool:
        return int(self.manifest.get("format", 1)) < FORMAT

    @classmethod
    def open(cls, index_dir: Path, model: str | None = None, allow_outdated: bool = False,
             vectors: bool = True) -> "Index":
        """Open the serving snapshot; refuse if ``model`` differs from the one it was built with.

        ``vectors=False`` opens only the metadata (documents, clauses, cases): for builds, diffs and listings.
        """
        for _ in range(3):   # CURRENT may move to a newer snapshot while we read it
            name = current_name(index_dir)
            if name is None:
                raise IndexUnavailable(f"no index at {index_dir}; build one with `assistant index PATH...`")
            try:
                index = cls(index_dir, name, vectors)
                break
            except (FileNotFoundError, sqlite3.OperationalError, SnapshotGone):
                continue   # pruned between reading CURRENT and opening it: read CURRENT again
        else:
            raise IndexUnavailable(f"the index at {index_dir} is being rewritten; try again")
        if model and model != index.model and not index.model.startswith(model + ":"):   # «use» for «use:multilingual-v3»
            raise IndexUnavailable(
                f"the index at {index_dir} was built with {index.model} ({index.dim}-d vectors), not {model}; "
                "search it with that model, or build a separate index with --index DIR"
            )
        if index.outdated and not allow_outdated:
            raise IndexUnavailable(
                f"the index at {index_dir} has an older format ({index.manifest.get('format', 1)}, now {FORMAT}); "
                "run `assistant index` on your documents again: it rebuilds from the embedding cache"
            )
        return index

    @property
    def model(self) -> str:
        return self.manifest["model"]

    @property
    def dim(self) -> int:
        return int(self.manifest["dim"])

    @property
    def faiss(self):
        return self._faiss

    @property
    def vector_kind(self) -> str:
        """``flat``, ``hnsw`` or ``ivfpq`` (``vectors.KINDS``); snapshots written before the kind was chosen by
        size are flat."""
        return self.manifest.get("vector_index", {}).get("kind", "flat")

    @property
    def exact(self) -> tuple[np.ndarray, np.ndarray] | None:
        """For an approximate vector index: (row ids, float vectors) of every row that is not a case; None when
        ``faiss`` itself is exact."""
        return self._exact

    @property
    def owners(self) -> list[tuple[str, str, str, str]]:
        """(kind, doc, ref, role) for every vector row, in row order."""
        return self._owners

    def documents(self, published_only: bool = False) -> list[DocumentInfo]:
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(documents)")}
        roles = "roles" if "roles" in columns else "'{}'"
        sql = ("SELECT doc, version, title, short, source, fmt, sha256, created, n_clauses, published, audience, lang, "
               f"{roles} FROM documents" + (" WHERE published = 1" if published_only else "")
               + " ORDER BY doc, created, version")
        return [DocumentInfo(*r[:9], published=bool(r[9]), audience=r[10] or "", lang=r[11] or "ru",
                             roles=Roles.from_json(r[12])) for r in self.db.execute(sql)]

    def published_version(self, doc: str) -> str | None:
        row = self.db.execute("SELECT version FROM documents WHERE doc = ? AND published = 1", (doc,)).fetchone()
        return row[0] if row else None

    def clauses(self, doc: str | None = None, version: str | None = None) -> list[Clause]:
        """Clauses in document order: of one version, or of every published document."""
        if doc and version:
            rows = self.db.execute(f"SELECT {_CLAUSE_COLS} FROM clauses WHERE doc = ? AND version = ? ORDER BY ord",
                                   (doc, version))
        else:
            rows = self.db.execute(
                f"SELECT {', '.join('c.' + c.strip() for c in _CLAUSE_COLS.split(','))} FROM clauses c "
                "JOIN documents d ON d.doc = c.doc AND d.version = c.version AND d.published = 1"
                + (" WHERE c.doc = ?" if doc else "") + " ORDER BY c.doc, c.ord", (doc,) if doc else ())
        return [_clause(r) for r in rows]

    def clause(self, clause_id: str, version: str | None = None) -> Clause | None:
        doc = clause_id.split(":", 1)[0]
        version = version or self.published_version(doc)
        row = self.db.execute(f"SELECT {_CLAUSE_COLS} FROM clauses WHERE doc = ? AND version = ? AND id = ?",
                              (doc, version, clause_id)).fetchone()
        return _clause(row) if row else None

    def cases(self) -> list[Case]:
        return [_case(r) for r in self.db.execute(f"SELECT {_CASE_COLS} FROM cases ORDER BY id")]

    def examples(self) -> dict[str, list[str]]:
        """Clause id → the example questions embedded beside it (``index.questions``); none in an older snapshot."""
        out: dict[str, list[str]] = {}
        try:
            for ref, text in self.db.execute("SELECT ref, text FROM examples ORDER BY rowid"):
                out.setdefault(ref, []).append(text)
        except sqlite3.OperationalError:   # a snapshot written before example questions
            pass
        return out

    def translations(self) -> list[Translation]:
        """Every clause's text in another language (``[[translation]]`` in ``manifest.toml``); none in an older
        snapshot."""
        try:
            columns = {row[1] for row in self.db.execute("PRAGMA table_info(translations)")}
            roles = "roles" if "roles" in columns else "'{}'"
            rows = self.db.execute(f"SELECT doc, lang, id, text, source, short, {roles} FROM translations "
                                   "ORDER BY rowid").fetchall()
        except sqlite3.OperationalError:   # a snapshot written before translations
            return []
        return [Translation(*r[:6], roles=Roles.from_json(r[6])) for r in rows]

    def case(self, case_id: str) -> Case | None:
        row = self.db.execute(f"SELECT {_CASE_COLS} FROM cases WHERE id = ?", (case_id,)).fetchone()
        return _case(row) if row else None

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

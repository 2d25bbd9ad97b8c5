"""The maintainer's reindex: read new files, record new versions, embed only what changed, publish atomically.

>>> from assistant.config import Settings
>>> from assistant.index import index_paths
>>> report = index_paths(["corpus"], Settings.resolve(index="/tmp/idx"))   # doctest: +SKIP
>>> report.embedded, report.reused                                          # doctest: +SKIP
(412, 0)
"""

from __future__ import annotations

import contextlib
import errno
import json
import shutil
import sqlite3
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..clauses import segment
from ..config import Settings
from ..embed import Embedder, make_embedder
from ..errors import AssistantError, IndexUnavailable, IngestError
from ..faults import before_each, fault_point
from ..ingest import CASE_SUFFIXES, RULE_SUFFIXES, load_document
from ..ingest.cases import BadRow
from ..privacy import mask
from ..schema import Case, Clause, Roles
from ..text import detect_lang
from .bulk import CaseFile, record_case_file, stream_vectors
from .cache import EmbeddingCache
from .passages import case_passages, clause_passages, rule_sentences, whole_passages
from .questions import fingerprint, load_questions
from .store import FORMAT, ROLE_CASE, ROLE_EXAMPLE, ROLE_OWN, ROLE_WHOLE, Index, SnapshotWriter, build_lock, current_name, now, prune

MANIFEST_NAME = "manifest.toml"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DocSpec:
    """How one file enters the index; defaults come from the file, overrides from ``manifest.toml`` or the CLI."""

    path: Path
    doc: str = ""
    version: str = ""
    title: str = ""
    short: str = ""
    audience: str = ""
    we: str = ""          # comma-separated: who «мы» are in this document («Маркетлайн»)
    readers: str = ""     # comma-separated: who the replies speak to («Продавец»)

    @property
    def is_cases(self) -> bool:
        return self.path.suffix.lower() in CASE_SUFFIXES


@dataclass
class BuildReport:
    snapshot: str | None
    published: list[tuple[str, str]] = field(default_factory=list)   # (doc, version) newly published
    unchanged: list[str] = field(default_factory=list)
    case_sources: list[tuple[str, int]] = field(default_factory=list)
    bad_rows: dict[str, list[BadRow]] = field(default_factory=dict)
    warnings: dict[str, list[str]] = field(default_factory=dict)   # file → lines that broke the numbering
    embedded: int = 0
    reused: int = 0
    seconds: float = 0.0
    cases: int = 0               # past cases whose passages went through the embedding cache in this build
    case_seconds: float = 0.0    # the time they took (look-ups, embedding the misses, writing)
    sentences: int = 0           # clause sentences embedded in this build (``retrieval.sentences``)
    examples: int = 0            # example questions embedded beside their clauses (``index.questions``)

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.case_seconds if self.case_seconds > 0 else 0.0

    def to_dict(self) -> dict:
        return {
            "snapshot": self.snapshot, "published": [{"doc": d, "version": v} for d, v in self.published],
            "unchanged": self.unchanged, "cases": [{"source": s, "count": n} for s, n in self.case_sources],
            "bad_rows": {k: [{"line": b.line, "problem": b.problem} for b in v] for k, v in self.bad_rows.items()},
            "warnings": self.warnings,
            "embedded": self.embedded, "reused": self.reused, "seconds": round(self.seconds, 3),
            "cases_embedded": self.cases, "cases_per_second": round(self.cases_per_second, 1),
            "sentences_embedded": self.sentences, "example_questions": self.examples,
        }


@dataclass(frozen=True)
class TranslationSpec:
    """A rules document in another language, clause for clause: English replies quote it instead of the original.

    ``manifest.toml``::

        [[translation]]
        path = "buyer-terms.en.md"
        doc = "buyer-terms"          # the document it translates, indexed from the same folder or before
        lang = "en"
        short = "Terms for Buyers"   # how an English reply names the document in a citation
    """

    path: Path
    doc: str
    lang: str
    short: str = ""
    we: str = ""        # who «we» are in the translation («Marketline»): replies say «we» for them
    readers: str = ""   # the parties replies speak to («Seller»): replies say «you»


_MANIFEST_TOP = {"exclude", "document", "translation"}
_MANIFEST_DOC = {f for f in DocSpec.__dataclass_fields__}
_MANIFEST_TRANSLATION = {f for f in TranslationSpec.__dataclass_fields__}


def _read_manifest(manifest: Path) -> dict:
    """A folder's manifest, checked: unknown keys and documents without a path are errors, not surprises."""
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IngestError(manifest, f"is not valid TOML ({exc})", "fix the syntax") from None
    unknown = set(data) - _MANIFEST_TOP
    if unknown:
        raise IngestError(manifest, f"has unknown key(s) {', '.join(sorted(unknown))}",
                          f"the top level may hold: {', '.join(sorted(_MANIFEST_TOP))}")
    documents = data.get("document", [])
    if not isinstance(documents, list) or not all(isinstance(d, dict) for d in documents):
        raise IngestError(manifest, "has a `document` that is not a [[document]] table", "write each as [[document]]")
    for n, entry in enumerate(documents, start=1):
        bad = set(entry) - _MANIFEST_DOC
        if bad:
            raise IngestError(manifest, f"document {n} has unknown key(s) {', '.join(sorted(bad))}",
                              f"valid keys: {', '.join(sorted(_MANIFEST_DOC))}")
        if not isinstance(entry.get("path"), str) or not entry["path"].strip():
            raise IngestError(manifest, f"document {n} has no `path`", "name the file, e.g. path = \"rules.md\"")
        if not all(isinstance(v, str) for v in entry.values()):
            raise IngestError(manifest, f"document {n} has a value that is not text", "quote every value")
    translations = data.get("translation", [])
    if not isinstance(translations, list) or not all(isinstance(t, dict) for t in translations):
        raise IngestError(manifest, "has a `translation` that is not a [[translation]] table",
                          "write each as [[translation]]")
    for n, entry in enumerate(translations, start=1):
        bad = set(entry) - _MANIFEST_TRANSLATION
        if bad:
            raise IngestError(manifest, f"translation {n} has unknown key(s) {', '.join(sorted(bad))}",
                              f"valid keys: {', '.join(sorted(_MANIFEST_TRANSLATION))}")
        missing = [k for k in ("path", "doc", "lang") if not isinstance(entry.get(k), str) or not entry[k].strip()]
        if missing:
            raise IngestError(manifest, f"translation {n} has no {', '.join(missing)}",
                              'e.g. path = "rules.en.md", doc = "rules", lang = "en"')
    if not all(isinstance(x, str) for x in data.get("exclude", [])):
        raise IngestError(manifest, "`exclude` must be a list of file names", 'e.g. exclude = ["notes.txt"]')
    return data


def _inside(folder: Path, name: str, manifest: Path) -> Path:
    """A manifest names files of its own folder only: ``../`` and absolute paths are refused."""
    if not (folder / name).resolve().is_relative_to(folder.resolve()):
        raise IngestError(manifest, f"names {name!r}, which is outside its folder",
                          "move the file into the folder, or index it by its own path")
    return folder / name


def specs_for(paths: list[str | Path], overrides: dict | None = None) -> list[DocSpec]:
    """Files and folders → specs. A folder's ``manifest.toml`` orders its files and names them.

    ``manifest.toml``::

        [[document]]
        path = "marketplace-rules-v1.md"
        doc = "marketplace-rules"
        short = "Правила площадки"
        version = "2026-09-01"

    ``exclude = ["phrase-bank.txt"]`` at the top keeps other files of the folder out.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    specs: list[DocSpec] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            listed: list[DocSpec] = []
            data: dict = {}
            manifest = path / MANIFEST_NAME
            if manifest.exists():
                data = _read_manifest(manifest)
                for entry in data.get("document", []):
                    entry = dict(entry)
                    listed.append(DocSpec(path=_inside(path, entry.pop("path"), manifest), **entry))
            named = ({s.path.resolve() for s in listed} | {(path / name).resolve() for name in data.get("exclude", [])}
                     | {(path / t["path"]).resolve() for t in data.get("translation", [])})
            extra = sorted(p for p in path.rglob("*") if p.is_file() and p.resolve() not in named
                           and p.suffix.lower() in {**RULE_SUFFIXES, **CASE_SUFFIXES})
            specs.extend(listed + [DocSpec(path=p) for p in extra])
        elif path.exists():
            specs.append(DocSpec(path=path))
        else:
            raise IngestError(path, "does not exist", "check the path")
    if overrides:
        if len([s for s in specs if not s.is_cases]) > 1 and ("doc" in overrides or "version" in overrides):
            raise AssistantError("--doc and --version name one document; give a single rules file with them")
        specs = [DocSpec(**{**s.__dict__, **overrides}) if not s.is_cases else s for s in specs]
    return specs


def translation_specs(paths: list[str | Path]) -> list[TranslationSpec]:
    """The translations the manifests of the folders in ``paths`` declare."""
    out = []
    for raw in paths:
        manifest = Path(raw) / MANIFEST_NAME
        if Path(raw).is_dir() and manifest.exists():
            for entry in _read_manifest(manifest).get("translation", []):
                entry = dict(entry)
                out.append(TranslationSpec(path=_inside(Path(raw), entry.pop("path"), manifest), **entry))
    return out


@dataclass(frozen=True)
class _Loaded:
    spec: DocSpec
    doc: str
    sha256: str
    fmt: str
    title: str
    clauses: list[Clause]
    warnings: list[str] = field(default_factory=list)


def _load_rules(spec: DocSpec, settings: Settings, encoding: str | None) -> _Loaded:
    source = load_document(spec.path, max_bytes=settings.max_file_bytes, max_pages=settings.max_pdf_pages,
                           encoding=encoding, max_unpacked=settings.max_unpacked_bytes)
    doc = spec.doc or spec.path.stem
    warnings: list[str] = []
    clauses = segment(source, doc=doc, version="", short=spec.short or doc, title=spec.title, warnings=warnings)
    check_clause_count(spec.path, clauses, settings)
    title = spec.title or source.title or doc
    return _Loaded(spec, doc, source.sha256, source.fmt, title, clauses, warnings)


def check_clause_count(path, clauses: list[Clause], settings: Settings) -> None:
    """Embedding is the slow step (about 10 passages a second per core): a document with more clauses than
    ``max_clauses`` is refused before any of it is embedded, rather than running for hours."""
    if len(clauses) > settings.max_clauses:
        raise IngestError(path, f"has {len(clauses)} clauses, over the limit of {settings.max_clauses}",
                          "check that it is one rules document, split it, or raise ASSISTANT_MAX_CLAUSES")


def _next_version(db, doc: str) -> str:
    existing = [r[0] for r in db.execute("SELECT version FROM documents WHERE doc = ?", (doc,))]
    numbers = [int(v) for v in existing if v.isdigit()]
    return str(max(numbers, default=len(existing)) + 1)


@dataclass(frozen=True)
class CaseBatch:
    """Past cases from one source (a file, or the accepted replies), replacing that source's earlier ones."""

    source: str
    cases: list[Case]
    sha256: str
    origin: str = ""
    bad: list[BadRow] = field(default_factory=list)


def index_paths(paths: list[str | Path], settings: Settings, *, embedder: Embedder | None = None,
                progress: Progress | None = None, skip_bad_rows: bool = False, encoding: str | None = None,
                overrides: dict | None = None, case_batches: list[CaseBatch] = ()) -> BuildReport:
    """Index rules files and past-reply files (and ``case_batches`` given directly). Any bad file aborts
    the run before the index is touched."""
    specs = specs_for(paths, overrides)
    if not specs and not case_batches:
        raise AssistantError("no files to index: give rules (.pdf .docx .html .md .txt) or past replies (.jsonl .csv)")
    loaded: list[_Loaded] = []
    case_files: list[CaseBatch] = list(case_batches)
    streamed: list[CaseFile] = []   # past-reply files are read row by row inside the build, never whole
    for i, spec in enumerate(specs):
        if progress:
            progress("read", i, len(specs))
        if spec.is_cases:
            streamed.append(CaseFile(spec.path, spec.doc or spec.path.stem, encoding))
        else:
            loaded.append(_load_rules(spec, settings, encoding))
    translated = [(t, _load_rules(DocSpec(path=t.path, doc=t.doc, short=t.short), settings, encoding))
                  for t in translation_specs(paths)]
    report = BuildReport(snapshot=None)
    report.warnings = {str(item.spec.path): item.warnings for item in loaded if item.warnings}
    with new_snapshot(settings, report) as snap:
        changed = _record_documents(snap.db, loaded, report)
        changed |= _record_translations(snap.db, translated, report)
        changed |= _record_cases(snap.db, case_files, report, settings.keep_personal_data)
        changed |= _record_case_files(snap.db, streamed, report, settings.keep_personal_data, skip_bad_rows)
        changed |= snap.base is not None and (snap.base.outdated or snap.base.manifest.get("questions", "")
                                               != fingerprint(snap.questions))
        if not changed and snap.base is not None:
            # an index built before sentence vectors were cached gets them now, without a new snapshot
            base = snap.base
            cache = EmbeddingCache(settings.index_dir / "cache.sqlite", base.model, base.dim)
            try:
                report.sentences = _sentences(snap.db, cache, lambda: embedder or make_embedder(base.model))
            finally:
                cache.close()
            snap.discard()
            return report
        embedder = embedder or make_embedder(settings.model or (snap.base.model if snap.base else None))
        if snap.base is not None and embedder.id != snap.base.model:
            raise AssistantError(f"the index was built with {snap.base.model}; cannot add vectors from {embedder.id}")
        _resolve_citations(snap.db)
        snap.publish(embedder, progress)
    return report


def rollback(settings: Settings, doc: str, version: str, *, embedder: Embedder | None = None,
             progress: Progress | None = None) -> BuildReport:
    """Publish an earlier version of ``doc`` again, as a new snapshot (vectors come from the cache)."""
    report = BuildReport(snapshot=None)
    with new_snapshot(settings, report) as snap:
        if snap.base is None:
            raise IndexUnavailable(f"no index at {settings.index_dir}; build one with `assistant index PATH...`")
        versions = [r[0] for r in snap.db.execute("SELECT version FROM documents WHERE doc = ?", (doc,))]
        if not versions:
            docs = sorted({d.doc for d in snap.base.documents()})
            raise AssistantError(f"no document {doc!r} in the index; known documents: {', '.join(docs)}")
        if version not in versions:
            raise AssistantError(f"{doc} has no version {version!r}; versions: {', '.join(versions)}")
        snap.db.execute("UPDATE documents SET published = (version = ?) WHERE doc = ?", (version, doc))
        fault_point("rollback")
        report.published.append((doc, version))
        snap.publish(embedder or make_embedder(snap.base.model), progress)
    return report


class NewSnapshot:
    """A snapshot being written from the serving one (``base``): change ``db``, then ``publish`` or ``discard``."""

    def __init__(self, settings: Settings, report: BuildReport, base: Index | None) -> None:
        self.settings, self.report, self.base = settings, report, base
        self.questions = load_questions(settings.questions_dir)   # example questions for the clauses it will hold
        self.writer = SnapshotWriter(settings.index_dir, base.path if base else None)
        self.db = self.writer.db
        self.published = False

    def publish(self, embedder: Embedder, progress: Progress | None) -> None:
        """Embed what the cache lacks, write the vectors and switch ``CURRENT`` to this snapshot, which also
        carries the learned ranker shipped for this embedding model, if there is one."""
        from ..retrieval.ranker import shipped_ranker

        vectors = _vectors(self.db, embedder, self.settings.index_dir, self.report, progress,
                           self.writer.scratch("vectors"), self.questions)
        ranker = shipped_ranker(embedder.id)
        if ranker is not None:
            shutil.copyfile(ranker, self.writer.tmp / ranker.name)
        manifest = _manifest(self.db, embedder, len(vectors))
        manifest["questions"] = fingerprint(self.questions)
        self.report.snapshot = self.writer.commit(manifest, vectors)
        self.published = True

    def discard(self) -> None:
        """Nothing changed: the serving snapshot stays."""
        self.writer.abort()
        self.report.snapshot = self.base.name if self.base else None


@contextlib.contextmanager
def new_snapshot(settings: Settings, report: BuildReport):
    """The frame every change of the index shares: one build at a time, a new snapshot written beside the
    serving one, nothing switched unless ``publish`` completes, old snapshots pruned after, the time taken.

    >>> with new_snapshot(settings, report) as snap:             # doctest: +SKIP
    ...     snap.db.execute("UPDATE documents SET …")
    ...     snap.publish(embedder, progress)
    """
    started = time.perf_counter()
    with storage_errors(settings.index_dir), build_lock(settings.index_dir):
        base = Index.open(settings.index_dir, settings.model, allow_outdated=True, vectors=False) \
            if current_name(settings.index_dir) else None
        snap = NewSnapshot(settings, report, base)
        try:
            yield snap
        except BaseException:
            snap.writer.abort()
            raise
        finally:
            if base is not None:
                base.close()
        if snap.published:
            prune(settings.index_dir, settings.keep_snapshots)
    report.seconds = time.perf_counter() - started


#: How SQLite words a failed write; its other operational errors (a bad statement) are bugs and stay tracebacks.
_SQLITE_STORAGE = ("disk is full", "readonly database", "unable to open database", "disk i/o error")


@contextlib.contextmanager
def storage_errors(index_dir: Path):
    """A full disk or a read-only index directory stops the build with one line that says so; the serving
    snapshot was never touched (``new_snapshot`` removes what it wrote).

    >>> with storage_errors(Path("idx")):
    ...     raise OSError(errno.ENOSPC, "No space left on device", "idx/cache.sqlite")   # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.errors.IndexUnavailable: cannot write the index at idx: no space left on device (idx/cache.sqlite) — ...
    """
    try:
        yield
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, errno.EDQUOT, errno.EFBIG,
                             errno.EIO):
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)
        raise _unwritable(index_dir, f"{(exc.strerror or str(exc)).lower()}{where}", full) from None
    except sqlite3.OperationalError as exc:
        if not any(s in str(exc).lower() for s in _SQLITE_STORAGE):
            raise
        raise _unwritable(index_dir, f"SQLite: {exc}", "readonly" not in str(exc)) from None
    except RuntimeError as exc:   # faiss: «… write error in PATH: 65491 != 1024000 (No space left on device)»
        if "write error" not in str(exc):
            raise
        reason = str(exc).rsplit("(", 1)[-1].rstrip(")").lower() if str(exc).endswith(")") else "write error"
        raise _unwritable(index_dir, f"{reason} (vectors.faiss)", True) from None


def _unwritable(index_dir: Path, why: str, full: bool) -> IndexUnavailable:
    fix = "free disk space" if full else "make the directory writable"
    return IndexUnavailable(f"cannot write the index at {index_dir}: {why} — {fix}, then run it again; "
                            "the serving snapshot is unchanged")


def _record_documents(db, loaded: list[_Loaded], report: BuildReport) -> bool:
    """Record every new version; per document the last file given is the one published. A file that is
    already the published version changes nothing (its parties may be renamed: metadata only)."""
    changed = False
    last = {item.doc: item for item in loaded}
    for item in loaded:
        rows = db.execute("SELECT version, sha256, published, roles FROM documents WHERE doc = ?", (item.doc,)).fetchall()
        same = next((r for r in rows if r[1] == item.sha256), None)
        roles = Roles(_names(item.spec.we), _names(item.spec.readers))
        if same:
            version = same[0]
            if (item.spec.we or item.spec.readers) and Roles.from_json(same[3]) != roles:
                db.execute("UPDATE documents SET roles = ? WHERE doc = ? AND version = ?", (roles.to_json(), item.doc,
                                                                                            version))
                changed = True
        else:
            version = item.spec.version or _next_version(db, item.doc)
            if any(r[0] == version for r in rows):
                raise AssistantError(f"{item.doc} already has a version {version!r} with different content; "
                                     "give the new file another version (--version or manifest.toml)")
            lang = detect_lang(" ".join(c.text for c in item.clauses[:50]))
            db.execute("INSERT INTO documents (doc, version, title, short, source, fmt, sha256, created, n_clauses, "
                       "published, audience, lang, roles) VALUES (?,?,?,?,?,?,?,?,?,0,?,?,?)",
                       (item.doc, version, item.title, item.spec.short or item.doc, str(item.spec.path), item.fmt,
                        item.sha256, now(), len(item.clauses), item.spec.audience, lang, roles.to_json()))
            db.executemany(
                "INSERT INTO clauses VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [(c.doc, version, c.id, json.dumps(list(c.path), ensure_ascii=False), c.citation, c.title, c.text,
                  c.page, json.dumps(list(c.parents), ensure_ascii=False), int(c.repealed), c.order)
                 for c in item.clauses])
            changed = True
        if last[item.doc] is not item:
            continue   # an earlier version listed before the one to publish: recorded, not published
        if same and same[2]:
            report.unchanged.append(item.doc)
            continue
        db.execute("UPDATE documents SET published = (version = ?) WHERE doc = ?", (version, item.doc))
        report.published.append((item.doc, version))
        changed = True
    return changed


def _record_translations(db, translated: list[tuple[TranslationSpec, _Loaded]], report: BuildReport) -> bool:
    """Record each translation against the published version of the document it translates: every clause keeps
    the original text it was recorded against, so that a clause changed by a later version is no longer spoken for
    by it. A translation already recorded from the same file changes nothing."""
    changed = False
    for spec, item in translated:
        roles_json = Roles(_names(spec.we), _names(spec.readers)).to_json()
        recorded = {tuple(r) for r in db.execute("SELECT DISTINCT sha256, roles FROM translations WHERE doc = ? AND "
                                                 "lang = ?", (spec.doc, spec.lang))}
        if recorded == {(item.sha256, roles_json)}:
            continue
        original = dict(db.execute("SELECT c.id, c.text FROM clauses c JOIN documents d ON d.doc = c.doc AND "
                                   "d.version = c.version AND d.published = 1 WHERE c.doc = ?", (spec.doc,)).fetchall())
        if not original:
            raise AssistantError(f"{spec.path} translates {spec.doc!r}, which the index does not hold; index that "
                                 "document first, or fix `doc` under [[translation]] in manifest.toml")
        rows = [(spec.doc, spec.lang, c.id, c.text, original[c.id], spec.short or spec.doc, item.sha256, roles_json)
                for c in item.clauses if c.id in original and c.text.strip() and original[c.id].strip()]
        translated = {r[2] for r in rows}
        untranslated = sorted(cid for cid, text in original.items() if text.strip() and cid not in translated)
        if untranslated:
            report.warnings.setdefault(str(spec.path), []).append(
                f"{len(untranslated)} clause(s) of {spec.doc} have no {spec.lang} text, e.g. {untranslated[0]}; "
                "replies quote the original there")
        db.execute("DELETE FROM translations WHERE doc = ? AND lang = ?", (spec.doc, spec.lang))
        db.executemany("INSERT INTO translations VALUES (?,?,?,?,?,?,?,?)", rows)
        changed = True
    return changed


def _names(text: str) -> tuple[str, ...]:
    return tuple(n.strip() for n in text.split(",") if n.strip())


def _record_cases(db, batches: list[CaseBatch], report: BuildReport, keep_personal_data: bool = False) -> bool:
    """Replace each batch's source in the cases table. Past cases are shown to every agent, so personal data
    in them is masked here whatever file they came from, unless the settings keep it."""
    changed = False
    hide = (lambda text: text) if keep_personal_data else mask
    for batch in batches:
        source, cases = batch.source, batch.cases
        if batch.bad:
            report.bad_rows[batch.origin or source] = batch.bad
        row = db.execute("SELECT sha256, version FROM case_sources WHERE source = ?", (source,)).fetchone()
        if row and row[0] == batch.sha256:
            report.unchanged.append(source)
            continue
        version = str(int(row[1]) + 1) if row and str(row[1]).isdigit() else "1"
        db.execute("DELETE FROM cases WHERE source = ?", (source,))
        db.execute("INSERT OR REPLACE INTO case_sources VALUES (?,?,?,?,?)",
                   (source, batch.sha256, batch.origin, len(cases), version))
        clash = [c.id for c in cases if db.execute("SELECT 1 FROM cases WHERE id = ?", (c.id,)).fetchone()]
        if clash:
            raise AssistantError(f"{batch.origin or source}: case ids already used by another source: "
                                 f"{', '.join(clash[:5])}")
        db.executemany("INSERT INTO cases VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                       [(c.id, source, version, c.date, c.audience, c.channel, hide(c.message), hide(c.reply),
                         hide(c.outcome),
                         json.dumps(list(c.tags), ensure_ascii=False), json.dumps(list(c.cited), ensure_ascii=False),
                         int(c.templated)) for c in cases])
        report.case_sources.append((source, len(cases)))
        changed = True
    return changed


def _record_case_files(db, files: list[CaseFile], report: BuildReport, keep_personal_data: bool,
                       keep_good: bool) -> bool:
    """``_record_cases`` for files, streamed (``bulk.record_case_file``); personal data masked the same way."""
    changed = False
    hide = (lambda text: text) if keep_personal_data else mask
    for case_file in files:
        stats = record_case_file(db, case_file, hide, keep_good)
        if stats.bad:
            report.bad_rows[str(case_file.path)] = stats.bad
        if not stats.changed:
            report.unchanged.append(case_file.source)
            continue
        report.case_sources.append((case_file.source, stats.cases))
        changed = True
    return changed


def _resolve_citations(db) -> None:
    """Past replies may cite by id (``doc:3.2.1``) or by citation text; store ids where they resolve."""
    by_citation = {cit.lower(): cid for cid, cit in db.execute(
        "SELECT c.id, c.citation FROM clauses c JOIN documents d ON d.doc = c.doc AND d.version = c.version "
        "WHERE d.published = 1")}
    last = ""
    while True:   # a page at a time: past cases may be millions
        page = db.execute("SELECT id, cited FROM cases WHERE id > ? ORDER BY id LIMIT 5000", (last,)).fetchall()
        if not page:
            return
        updates = []
        for case_id, cited in page:
            refs = json.loads(cited)
            resolved = [by_citation.get(r.lower(), r) for r in refs]
            if resolved != refs:
                updates.append((json.dumps(resolved, ensure_ascii=False), case_id))
        db.executemany("UPDATE cases SET cited = ? WHERE id = ?", updates)
        last = page[-1][0]


def _descendants(rows: list[tuple]) -> dict[str, list[str]]:
    """Clause id → the «label title text» of every unit below it (rows in document order)."""
    out: dict[str, list[str]] = {}
    stack: list[tuple[str, list, str]] = []   # (doc, path, id) of the open ancestors
    for doc, cid, path, title, text, _, repealed in rows:
        path = json.loads(path)
        while stack and (stack[-1][0] != doc or stack[-1][1] != path[: len(stack[-1][1])]
                         or len(stack[-1][1]) >= len(path)):
            stack.pop()
        if not repealed:
            line = " ".join(p for p in (path[-1] if path else "", title, text) if p)
            for _, _, ancestor in stack:
                out.setdefault(ancestor, []).append(line)
        stack.append((doc, path, cid))
    return out


def _vectors(db, embedder: Embedder, index_dir: Path, report: BuildReport, progress: Progress | None,
             scratch: Path, questions: dict[str, list[str]]) -> np.ndarray:
    """Rebuild the vector table for published clauses and all cases; embed only cache misses. The vectors are
    streamed to ``scratch`` (``bulk.stream_vectors``) and returned as a memory map of it.

    Roles: ``self`` (a clause with its headings), ``whole`` (a unit with children, as a
    whole), ``example`` (a question it answers, ``index.questions``), ``case`` (a past message).
    """
    cache = EmbeddingCache(index_dir / "cache.sqlite", embedder.id, embedder.dim)
    try:
        units = clause_units(db, embedder.max_chars, questions)
        examples = [(ref, text) for _, _, ref, role, text in units if role == ROLE_EXAMPLE]
        db.execute("DELETE FROM examples")
        db.executemany("INSERT INTO examples VALUES (?, ?)", examples)
        report.examples = len(examples)
        out = stream_vectors(db, units, embedder.max_chars, cache,
                             before_each(embedder.passages, "embed"), scratch,
                             batch=getattr(embedder, "batch_size", 32), progress=progress)
        report.sentences = _sentences(db, cache, lambda: embedder)
    finally:
        cache.close()
    report.embedded, report.reused = out.embedded, len(out.matrix) - out.embedded
    report.cases, report.case_seconds = out.cases, out.case_seconds
    return out.matrix


def _sentences(db, cache: EmbeddingCache, embedder: Callable[[], Embedder]) -> int:
    """Embed the sentences of published clauses with more than one that ``cache`` lacks, for the reply to state
    the one asked about (``retrieval.sentences``); they live in the cache, not in the vector index. The
    model is loaded (``embedder()``) only when one is missing. Returns how many were embedded."""
    sentences = list(dict.fromkeys(s for (text,) in db.execute(
        "SELECT c.text FROM clauses c JOIN documents d ON d.doc = c.doc AND d.version = c.version "
        "AND d.published = 1 WHERE c.repealed = 0 ORDER BY c.doc, c.ord") for s in rule_sentences(text)))
    if len(cache.lookup(sentences)) == len(sentences):
        return 0
    model = embedder()
    return cache.embed(sentences, model.passages, batch=getattr(model, "batch_size", 32))[1]


def passage_units(db, max_chars: int, questions: dict[str, list[str]] | None = None) -> list[tuple[str, str, str, str, str]]:
    """(kind, doc, ref, role, passage text) for every vector row, in row order (all in memory: builds stream
    the case rows instead, ``bulk.stream_vectors``)."""
    units = clause_units(db, max_chars, questions)
    for cid, source, message in db.execute("SELECT id, source, message FROM cases ORDER BY id"):
        units.extend(("case", source, cid, ROLE_CASE, p) for p in case_passages(message, max_chars))
    return units


def clause_units(db, max_chars: int, questions: dict[str, list[str]] | None = None) -> list[tuple[str, str, str, str, str]]:
    """(kind, doc, ref, role, passage text) of the published clauses' vector rows, in row order; ``questions``:
    example questions by clause id, each a row of its clause."""
    units: list[tuple[str, str, str, str, str]] = []
    docs = {d: (t, s) for d, t, s in db.execute("SELECT doc, title, short FROM documents WHERE published = 1")}
    clause_rows = db.execute(
        "SELECT c.doc, c.id, c.path, c.title, c.text, c.parents, c.repealed FROM clauses c JOIN documents d "
        "ON d.doc = c.doc AND d.version = c.version AND d.published = 1 ORDER BY c.doc, c.ord").fetchall()
    below = _descendants(clause_rows)
    for doc, cid, path, title, text, parents, repealed in clause_rows:
        if repealed:
            continue   # kept and shown, but never retrieved
        args = (docs[doc][0], json.loads(parents), json.loads(path), title)
        units.extend(("clause", doc, cid, ROLE_OWN, p) for p in clause_passages(*args, text, max_chars))
        if cid in below:
            parts = ([text] if text else []) + below[cid]
            units.extend(("clause", doc, cid, ROLE_WHOLE, p) for p in whole_passages(*args, parts, max_chars))
        units.extend(("clause", doc, cid, ROLE_EXAMPLE, q[:max_chars]) for q in (questions or {}).get(cid, ()))
    return units


def _manifest(db, embedder: Embedder, n_vectors: int) -> dict:
    published = dict(db.execute("SELECT doc, version FROM documents WHERE published = 1"))
    return {
        "format": FORMAT, "model": embedder.id, "dim": embedder.dim, "created": now(), "documents": published,
        "vectors": n_vectors,
        "clauses": db.execute("SELECT COUNT(*) FROM clauses c JOIN documents d ON d.doc = c.doc AND "
                              "d.version = c.version AND d.published = 1").fetchone()[0],
        "cases": db.execute("SELECT COUNT(*) FROM cases").fetchone()[0],
    }

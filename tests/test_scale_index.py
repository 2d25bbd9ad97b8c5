"""Issue #13, section 2: the snapshot's vector index is chosen by size (``vectors.plan``) and recorded in the
manifest; clauses are always scored exactly, an approximate index is asked for a bounded number of case rows.

Fast: indexes built with ``FakeEmbedder``; the approximate kinds are forced on small indexes by lowering the
size thresholds of ``assistant.index.vectors``."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.index import index_paths, vectors
from assistant.index import store
from assistant.index.store import EXACT_FILE, Index
from assistant.retrieval import Searcher
from assistant.retrieval import dense
from docs import CASES, LAW, LAW_OVERRIDES, RULES_OVERRIDES, RULES_V1, RULES_V2, write_cases, write_rules
from fakes import FakeEmbedder, fake_settings
from scale_data import write_synthetic

QUERIES = ["Посылка потерялась, кто заплатит компенсацию?", "Хочу вернуть товар надлежащего качества",
           "сколько стоит хранение на складе после 60 дней", "гарантийный срок не установлен",
           "Претензия о компенсации: в какой срок подать?", "погода в Казани"]


def _build(root, extra_cases=None, before_extra=lambda: None):
    """The same four builds as ``conftest.fake_rules_settings``, plus optional synthetic cases (``before_extra``
    is called just before that last build)."""
    settings = fake_settings(root / "index")
    e = FakeEmbedder()
    index_paths([write_rules(root / "v1", RULES_V1)], settings, embedder=e, overrides={**RULES_OVERRIDES, "version": "1"})
    index_paths([write_cases(root / "cases", CASES)], settings, embedder=e)
    index_paths([write_rules(root / "v2", RULES_V2)], settings, embedder=e, overrides={**RULES_OVERRIDES, "version": "2"})
    index_paths([write_rules(root / "law", LAW, name="law.md")], settings, embedder=e,
                overrides={**LAW_OVERRIDES, "version": "1"})
    if extra_cases:
        before_extra()
        index_paths([write_synthetic(root / "bulk" / "synthetic.jsonl", extra_cases)], settings, embedder=e)
    return settings


def _results(settings, queries=QUERIES, k=10):
    searcher = Searcher.open(settings, embedder=FakeEmbedder())
    try:
        return [searcher.search(q, k=k).to_dict() for q in queries]
    finally:
        searcher.index.close()


def _old_flat(vectors_, dim):
    """What ``SnapshotWriter.commit`` wrote before the kind was chosen by size."""
    import faiss

    index = faiss.IndexFlatIP(dim)
    if len(vectors_):
        index.add(np.ascontiguousarray(vectors_, dtype=np.float32))
    return index, vectors.plan(len(vectors_), dim)


def test_a_small_index_is_flat_records_why_and_searches_exactly_as_before(tmp_path, monkeypatch):
    new = _build(tmp_path / "new")
    with Index.open(new.index_dir) as idx:
        recorded = idx.manifest["vector_index"]
        assert idx.vector_kind == "flat" and idx.exact is None and not (idx.path / EXACT_FILE).exists()
        assert recorded["kind"] == "flat" and "exact search" in recorded["reason"] and recorded["parameters"] == {}
    with monkeypatch.context() as m:
        m.setattr(store, "build_vector_index", _old_flat)
        old = _build(tmp_path / "old")
    assert _results(new) == _results(old)


def test_a_snapshot_written_before_the_kind_was_recorded_still_opens_as_flat(tmp_path):
    settings = _build(tmp_path)
    before = _results(settings)
    with Index.open(settings.index_dir) as idx:
        manifest = idx.path / "manifest.json"
    data = json.loads(manifest.read_text())
    del data["vector_index"]
    manifest.write_text(json.dumps(data))
    with Index.open(settings.index_dir) as idx:
        assert idx.vector_kind == "flat" and idx.exact is None
    assert _results(settings) == before


def _clause_and_case_scores(settings, queries=QUERIES):
    """The dense channel's cosine per key for each query text (no glossary expansion: one embedding a text)."""
    searcher = Searcher.open(settings, embedder=FakeEmbedder())
    try:
        channel = next(c for c in searcher.channels if isinstance(c, dense.DenseChannel))
        per_key, _, _ = channel._cosines(list(queries))
        return searcher.corpus, per_key
    finally:
        searcher.index.close()


@pytest.fixture()
def forced(monkeypatch):
    """Lower the thresholds so that ``plan`` picks ``kind`` for a small index."""
    def force(kind):
        monkeypatch.setattr(vectors, "FLAT_MAX", 0 if kind != "flat" else vectors.FLAT_MAX)
        monkeypatch.setattr(vectors, "HNSW_MAX", 0 if kind == "ivfpq" else 10**9)
    return force


def test_an_hnsw_snapshot_scores_clauses_exactly_and_finds_the_same_cases(tmp_path, forced):
    flat = _build(tmp_path / "flat")
    forced("hnsw")
    hnsw = _build(tmp_path / "hnsw")
    with Index.open(hnsw.index_dir) as idx:
        assert idx.vector_kind == "hnsw" and idx.manifest["vector_index"]["parameters"]["M"] == vectors.HNSW_M
        rows, matrix = idx.exact
        assert len(rows) == sum(role != "case" for *_, role in idx.owners) == len(matrix)
        assert vectors.describe(idx.faiss)["kind"] == "hnsw"
    corpus, a = _clause_and_case_scores(flat)
    _, b = _clause_and_case_scores(hnsw)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x[corpus.is_clause], y[corpus.is_clause], atol=1e-5)   # exact, not approximate
        np.testing.assert_allclose(x[~corpus.is_clause], y[~corpus.is_clause], atol=1e-5)  # a few cases: all found
    for x, y in zip(_results(flat), _results(hnsw)):
        assert [h["id"] for h in x["clauses"]] == [h["id"] for h in y["clauses"]]
        assert [h["id"] for h in x["cases"]] == [h["id"] for h in y["cases"]]


def test_an_ivfpq_snapshot_asks_for_a_bounded_number_of_case_rows(tmp_path, forced, monkeypatch):
    flat = _build(tmp_path / "flat", extra_cases=600)
    ivf = _build(tmp_path / "ivf", extra_cases=600, before_extra=lambda: forced("ivfpq"))
    with Index.open(ivf.index_dir) as idx:
        assert idx.vector_kind == "ivfpq" and vectors.describe(idx.faiss)["kind"] == "ivfpq"
        assert "IVF-PQ" in idx.manifest["vector_index"]["reason"]
    monkeypatch.setattr(dense, "ANN_ROWS", 25)
    corpus, a = _clause_and_case_scores(flat)
    _, b = _clause_and_case_scores(ivf)
    for x, y in zip(a, b):
        np.testing.assert_allclose(x[corpus.is_clause], y[corpus.is_clause], atol=1e-5)
        found = y[~corpus.is_clause] > -1.0
        assert 0 < found.sum() <= 25          # at most ANN_ROWS case rows came back; the rest keep the floor
        assert np.all(y[~corpus.is_clause][~found] == -1.0)
        best = np.argmax(x[~corpus.is_clause])
        assert found[best]                     # the best case is among them

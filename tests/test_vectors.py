"""assistant.index.vectors: the index kind by size, exact results, recall of the approximate kinds,
and indexes that survive faiss.write_index / read_index. Small sizes: a few seconds in all."""

from __future__ import annotations

import dataclasses

import faiss
import numpy as np
import pytest

from assistant.index import vectors as V

DIM = 64


def clustered(n: int, nq: int, dim: int = DIM, clusters: int = 200, noise: float = 0.6, seed: int = 0):
    """Unit vectors around ``clusters`` centres (anisotropic noise), and held-out queries drawn the same way."""
    rng = np.random.default_rng(seed)
    spectrum = 1.0 / np.sqrt(np.arange(1, dim + 1))
    rot, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    shape = (spectrum[:, None] * rot.T / np.sqrt((spectrum ** 2).sum())).astype(np.float32)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32) @ shape
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    x = centres[rng.integers(0, clusters, n + nq)] + noise * (rng.standard_normal((n + nq, dim)).astype(np.float32) @ shape)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return np.ascontiguousarray(x[:n]), np.ascontiguousarray(x[n:])


def exact_ids(base: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    b = base / np.linalg.norm(base, axis=1, keepdims=True)
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True)
    return np.argsort(-(q @ b.T), axis=1, kind="stable")[:, :k]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    k = truth.shape[1]
    return float(np.mean([len(set(f) & set(t)) / k for f, t in zip(found, truth)]))


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One OpenMP thread: on a shared 2-core machine, threads spinning for a busy core made the
    small IVF-PQ builds here 30x slower; one thread builds them in well under a second."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(threads)


@pytest.fixture(scope="module")
def data():
    return clustered(8_000, 200)


@pytest.fixture(scope="module")
def indexes(data):
    """Each kind built once on ``data`` with :func:`small_spec` (read-only: tests must not change them)."""
    base, _ = data
    return {kind: V.build(base, small_spec(kind, len(base))) for kind in V.KINDS}


def small_spec(kind: str, n: int):
    """The planned parameters for ``kind``, shrunk so that building takes well under a second."""
    spec = V.plan(n, DIM, kind=kind)
    if kind == "hnsw":
        return dataclasses.replace(spec, M=16, ef_construction=40, ef_search=64)
    if kind == "ivfpq":
        return dataclasses.replace(spec, nlist=64, nprobe=16, pq_m=16, k_factor=8.0, train_size=n, kmeans_iter=10)
    return spec


# --- plan ---------------------------------------------------------------------------------------------------

def test_plan_picks_each_kind_at_the_thresholds():
    assert V.plan(0, 384).kind == "flat"
    assert V.plan(V.FLAT_MAX - 1, 384).kind == "flat"
    assert V.plan(V.FLAT_MAX, 384).kind == "hnsw"
    assert V.plan(V.HNSW_MAX - 1, 384).kind == "hnsw"
    assert V.plan(V.HNSW_MAX, 384).kind == "ivfpq"
    assert V.plan(1_000_000, 384).kind == "ivfpq"
    assert V.plan(50_000_000, 384).kind == "ivfpq"


def test_plan_caps_hnsw_by_its_memory():
    # at dim 384 the n threshold binds; wide vectors reach the byte ceiling first
    assert V.hnsw_bytes(V.HNSW_MAX - 1, 384) <= V.HNSW_MAX_BYTES
    wide = next(d for d in (768, 1024, 1536, 3072, 4096, 8192, 16384) if V.hnsw_bytes(V.FLAT_MAX, d) > V.HNSW_MAX_BYTES)
    assert V.hnsw_bytes(V.FLAT_MAX, wide) > V.HNSW_MAX_BYTES
    spec = V.plan(V.FLAT_MAX, wide)
    assert spec.kind == "ivfpq" and "HNSW would need" in spec.reason


def test_spec_parameters_and_reason():
    flat, hnsw, ivf = V.plan(1_000, 384), V.plan(V.FLAT_MAX, 384), V.plan(1_000_000, 384)
    assert flat.parameters == {}
    assert hnsw.parameters == {"M": V.HNSW_M, "ef_construction": V.HNSW_EF_CONSTRUCTION, "ef_search": V.HNSW_EF_SEARCH}
    assert ivf.nlist == 4096 and ivf.pq_m == 384 // V.PQ_DIMS_PER_CODE and ivf.pq_nbits == V.PQ_NBITS
    assert ivf.nprobe == V.IVF_NPROBE and ivf.k_factor == V.REFINE_K_FACTOR
    assert ivf.train_size == V.IVF_POINTS_PER_CELL * 4096
    assert ivf.factory == "IVF4096,PQ48x8,Refine(SQ8)"
    for spec in (flat, hnsw, ivf):
        assert spec.reason and "\n" not in spec.reason
    with pytest.raises(dataclasses.FrozenInstanceError):
        flat.kind = "hnsw"
    with pytest.raises(ValueError):
        V.plan(10, 384, kind="lsh")
    assert V.plan(10, 384, kind="hnsw").kind == "hnsw"


def test_pq_m_divides_odd_dimensions():
    for dim in (384, 768, 100, 97):
        spec = V.plan(1_000_000, dim)
        assert dim % spec.pq_m == 0


# --- build and search ---------------------------------------------------------------------------------------

def test_flat_returns_the_true_nearest_neighbours():
    rng = np.random.default_rng(3)
    base = rng.standard_normal((2_000, 32)).astype(np.float32) * rng.uniform(0.5, 3, (2_000, 1)).astype(np.float32)
    queries = rng.standard_normal((50, 32)).astype(np.float32)
    spec = V.plan(len(base), 32)
    index = V.build(base, spec)
    scores, ids = V.search(index, queries, 10)
    assert ids.shape == scores.shape == (50, 10)
    np.testing.assert_array_equal(ids, exact_ids(base, queries, 10))
    q = queries[0] / np.linalg.norm(queries[0])
    b = base[ids[0, 0]] / np.linalg.norm(base[ids[0, 0]])
    assert scores[0, 0] == pytest.approx(float(q @ b), abs=1e-5)   # cosine similarity
    assert base.dtype == np.float32 and not np.allclose(np.linalg.norm(base, axis=1), 1)   # input untouched


def test_fewer_vectors_than_k():
    base = np.eye(3, 8, dtype=np.float32)
    index = V.build(base, V.plan(3, 8))
    _, ids = V.search(index, base[:1], 5)
    assert ids[0, :3].tolist()[0] == 0 and ids[0, 3:].tolist() == [-1, -1]


@pytest.mark.parametrize("kind", ["hnsw", "ivfpq"])
def test_recall_of_the_approximate_kinds(data, indexes, kind):
    base, queries = data
    index = indexes[kind]
    assert V.describe(index)["kind"] == kind
    _, ids = V.search(index, queries, 10)
    assert recall(ids, exact_ids(base, queries, 10)) >= 0.9


def test_search_with_a_spec_overrides_without_changing_the_index(data, indexes):
    base, queries = data
    spec = small_spec("ivfpq", len(base))
    index = indexes["ivfpq"]
    truth = exact_ids(base, queries, 10)
    low = recall(V.search(index, queries, 10, dataclasses.replace(spec, nprobe=1, k_factor=1.0))[1], truth)
    stored = recall(V.search(index, queries, 10)[1], truth)
    assert low < stored
    assert V.describe(index)["nprobe"] == spec.nprobe and V.describe(index)["k_factor"] == spec.k_factor


def test_build_refuses_a_mismatched_dimension(data):
    base, _ = data
    with pytest.raises(ValueError):
        V.build(base, V.plan(len(base), DIM + 1))


# --- on disk ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivfpq"])
def test_written_and_read_back_gives_the_same_results(data, indexes, kind, tmp_path):
    base, queries = data
    spec = small_spec(kind, len(base))
    index = indexes[kind]
    scores, ids = V.search(index, queries, 10)
    path = tmp_path / "vectors.faiss"
    faiss.write_index(index, str(path))
    again = faiss.read_index(str(path))
    described = V.describe(again)
    assert described == V.describe(index)
    assert described["kind"] == kind and described["ntotal"] == len(base) and described["dim"] == DIM
    if kind == "hnsw":
        assert described["ef_search"] == spec.ef_search and described["M"] == spec.M
    if kind == "ivfpq":
        assert (described["nlist"], described["nprobe"], described["pq_m"], described["k_factor"]) == (
            spec.nlist, spec.nprobe, spec.pq_m, spec.k_factor)
    for found in (V.search(again, queries, 10), V.search(again, queries, 10, spec)):
        np.testing.assert_array_equal(found[1], ids)
        np.testing.assert_allclose(found[0], scores, rtol=1e-6, atol=1e-6)

"""Which FAISS index holds the vectors, chosen by size once, when an index is built.

Three kinds, all ranking by inner product on L2-normalised vectors (cosine similarity):

- ``flat``  (``IndexFlatIP``): exact search over every vector; no training, perfect recall.
  Latency grows linearly with the number of vectors.
- ``hnsw``  (``IndexHNSWFlat``, ``METRIC_INNER_PRODUCT``): a navigable small-world graph over the full
  float vectors. ``M`` links per node, ``efConstruction`` candidates while inserting, ``efSearch``
  candidates while searching. Fast and accurate, but it keeps every float plus the graph
  (about ``4·dim + 8·M`` bytes a vector) and builds slowly.
- ``ivfpq`` (``IndexIVFPQ`` inside ``IndexRefine`` with an 8-bit scalar quantizer): ``nlist`` k-means
  cells, each vector stored as ``pq_m`` one-byte product-quantizer codes (``pq_m`` bytes); a query
  scans the ``nprobe`` nearest cells with the PQ codes, takes the best ``k · k_factor`` candidates and
  re-ranks them with the 8-bit codes (``dim`` bytes a vector: a quarter of the floats, not a second
  float copy). About ``pq_m + dim + 8`` bytes a vector.

:func:`plan` picks the kind and its parameters from the number of vectors and their dimension;
:func:`build` trains (when the kind needs it) and adds the vectors; :func:`search` applies the
search-time parameters (``efSearch``, ``nprobe``, ``k_factor``); :func:`describe` says what an index is.
``build`` stores the search-time parameters in the index itself, and ``faiss.write_index`` keeps them,
so an index read back from disk searches the same way without its spec.

The thresholds and parameters come from ``benchmarks/bench_cases.py`` (synthetic clustered case
vectors, dim 384, 2-core machine; figures in ``benchmarks/README.md``). Those latencies are for one
query on one OpenMP thread: on the loaded 2-core machine one query over 20k vectors took 9-24 ms on
``IndexFlatIP`` spread over two threads and 1 ms on one (``faiss.omp_set_num_threads(1)`` in a server
that answers a request a thread).

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> vectors = rng.standard_normal((1000, 32)).astype(np.float32)
>>> spec = plan(len(vectors), 32)
>>> spec.kind, spec.reason.startswith("1,000 vectors")
('flat', True)
>>> index = build(vectors, spec)
>>> scores, ids = search(index, vectors[:2], k=3)
>>> ids[:, 0].tolist()                      # each vector is its own nearest neighbour
[0, 1]
>>> describe(index)["kind"], describe(index)["ntotal"]
('flat', 1000)
>>> plan(5_000_000, 384).kind
'ivfpq'
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

# --- thresholds ---------------------------------------------------------------------------------------------
#
# From benchmarks/bench_cases.py, 2026-12-01: synthetic clustered vectors, dim 384, 1,000 held-out
# queries, k=10, single queries on one thread, on a 2-core AMD EPYC shared with other jobs (load
# average 5-11); the table is in benchmarks/README.md, "bench_cases.py".
#
# FLAT_MAX: exact search reads every vector for every query. p50 / p95: 20k 1.0-1.2 / 5 ms,
#   50k 9-19 / 17-31 ms, 100k 13-31 / 18-42 ms, 1M 105 / 182 ms (FAIL of the 50 ms target). From 50k on
#   HNSW answers in 0.7-0.9 ms p50 at recall@10 >= 0.993, for +17% memory and a build of ~30 s, so
#   exact search stops at 50k.
# HNSW_MAX: HNSW keeps every float plus its graph, ~1.8 KB a vector at dim 384. At 1M it still met the
#   targets (recall@10 0.970, p95 5 ms) but held 1,727 MiB (the budget is 2 GiB, and a serving process
#   also holds the model and the metadata) and took 564 s to build, while IVF-PQ reached recall@10
#   0.974 in 428-492 MiB, built in 282 s. Below 500k HNSW stays under ~0.84 GiB (hnsw_bytes) and, by
#   the 1M figure, under ~5 min to build (estimates: 500k itself was not run).
# HNSW_MAX_BYTES: the same ceiling in bytes, so that wider vectors switch to IVF-PQ sooner: HNSW only
#   while its estimated size (hnsw_bytes) is at most 1 GiB (500k at dim 384 is ~0.84 GiB).
FLAT_MAX = 50_000
HNSW_MAX = 500_000
HNSW_MAX_BYTES = 1 << 30

# --- parameters ---------------------------------------------------------------------------------------------
#
# HNSW: M=32 (64 links at level 0), the usual choice for 100-1000-d embeddings. efConstruction=40
#   (faiss's default): at 100k, 80 built 1.4x slower (35 vs 25 CPU-s) with no better recall
#   (0.9947 vs 0.9955 at efSearch 128). efSearch=128: recall@10 0.993 at 50k, 0.996 at 100k, 0.970 at
#   1M (64: 0.987, 0.993, 0.943; 256: 0.995, 0.997, 0.985) for 0.5-0.9 ms p50.
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 40
HNSW_EF_SEARCH = 128
# IVF-PQ: nlist ~ 4·sqrt(n) cells (rounded to a power of two: 1M -> 4096), at most n/40; k-means on
#   IVF_POINTS_PER_CELL sampled vectors a cell (faiss warns below 39) for IVF_KMEANS_ITER rounds;
#   pq_m = dim/8 sub-quantizers of 8 bits (48 bytes a vector at dim 384). The PQ codes alone find only
#   51% (1M) to 77% (50k) of the true top 10, so the best k·k_factor are re-ranked with 8-bit scalar
#   codes (dim bytes a vector, a quarter of the floats). At 1M recall@10 is bounded by the re-rank depth:
#   k_factor 4 / 8 / 16 -> 0.887 / 0.957 / 0.974 at any nprobe >= 32; at 100k by the cells probed:
#   nprobe 32 / 64 / 128 -> 0.945 / 0.965 / 0.977 (k_factor 16). nprobe=64 with k_factor=16: recall@10
#   0.961 (50k), 0.965 (100k), 0.974 (1M), p50 0.4-1.7 ms.
IVF_CELLS_PER_SQRT_N = 4
IVF_MIN_NLIST, IVF_MAX_NLIST = 256, 65536
IVF_POINTS_PER_CELL = 40
IVF_KMEANS_ITER = 10
IVF_NPROBE = 64
PQ_DIMS_PER_CODE = 8
PQ_NBITS = 8
REFINE_K_FACTOR = 16.0

KINDS = ("flat", "hnsw", "ivfpq")


@dataclasses.dataclass(frozen=True)
class VectorIndexSpec:
    """What :func:`build` makes: the kind, its parameters (``None`` where a kind has no such
    parameter) and one line that says why this kind was chosen."""

    kind: str
    dim: int
    reason: str
    # hnsw
    M: int | None = None
    ef_construction: int | None = None
    ef_search: int | None = None
    # ivfpq
    nlist: int | None = None
    nprobe: int | None = None
    pq_m: int | None = None
    pq_nbits: int | None = None
    k_factor: float | None = None
    train_size: int | None = None
    kmeans_iter: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown vector index kind {self.kind!r}; expected one of {KINDS}")

    @property
    def parameters(self) -> dict:
        """The parameters this kind uses (build-time and search-time)."""
        skip = {"kind", "dim", "reason"}
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if f.name not in skip and getattr(self, f.name) is not None}

    @property
    def factory(self) -> str:
        """The ``faiss.index_factory`` string for this spec."""
        if self.kind == "flat":
            return "Flat"
        if self.kind == "hnsw":
            return f"HNSW{self.M},Flat"
        return f"IVF{self.nlist},PQ{self.pq_m}x{self.pq_nbits},Refine(SQ8)"


def hnsw_bytes(n: int, dim: int, M: int = HNSW_M) -> int:
    """Estimated resident size of an HNSW index: the floats, 2·M level-0 links and ~1/M upper levels."""
    return int(n * (4 * dim + 4 * 2 * M * (1 + 1 / M) + 8))


def ivfpq_bytes(n: int, dim: int, pq_m: int, nlist: int) -> int:
    """Estimated resident size of the IVF-PQ kind: PQ codes, 8-bit re-rank codes, ids, centroids."""
    return int(n * (pq_m + dim + 8) + nlist * dim * 4 + pq_m * 256 * (dim // max(pq_m, 1)) * 4)


def _pq_m(dim: int) -> int:
    """dim/PQ_DIMS_PER_CODE sub-quantizers, or the nearest divisor of dim below that."""
    target = max(1, dim // PQ_DIMS_PER_CODE)
    for m in range(target, 0, -1):
        if dim % m == 0:
            return m
    return 1


def plan(n: int, dim: int, kind: str | None = None) -> VectorIndexSpec:
    """The index kind and parameters for ``n`` vectors of dimension ``dim`` (see the thresholds above).

    ``kind`` forces a kind (for benchmarks and tests); its parameters are still sized for ``n``.
    """
    if n < 0 or dim <= 0:
        raise ValueError(f"need n >= 0 and dim > 0, got n={n}, dim={dim}")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown vector index kind {kind!r}; expected one of {KINDS}")
    est = hnsw_bytes(n, dim)
    if kind is None:
        if n < FLAT_MAX:
            kind, reason = "flat", f"{n:,} vectors < {FLAT_MAX:,}: exact search is fast enough and needs no training"
        elif n < HNSW_MAX and est <= HNSW_MAX_BYTES:
            kind, reason = "hnsw", (f"{n:,} vectors in [{FLAT_MAX:,}, {HNSW_MAX:,}): graph search over full "
                                    f"floats, ~{est / 2**20:,.0f} MiB")
        else:
            kind = "ivfpq"
            reason = (f" >= {HNSW_MAX:,}" if n >= HNSW_MAX
                      else f", HNSW would need ~{est / 2**20:,.0f} MiB > {HNSW_MAX_BYTES / 2**20:,.0f} MiB")
            reason = f"{n:,} vectors{reason}: compressed IVF-PQ with 8-bit re-rank"
    else:
        reason = f"{kind} requested for {n:,} vectors"
    if kind == "flat":
        return VectorIndexSpec("flat", dim, reason)
    if kind == "hnsw":
        return VectorIndexSpec("hnsw", dim, reason, M=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION,
                               ef_search=HNSW_EF_SEARCH)
    nlist = 2 ** round(math.log2(max(1.0, IVF_CELLS_PER_SQRT_N * math.sqrt(n))))
    nlist = max(1, min(IVF_MAX_NLIST, max(IVF_MIN_NLIST, nlist), n // IVF_POINTS_PER_CELL or 1))
    return VectorIndexSpec(
        "ivfpq", dim, reason, nlist=nlist, nprobe=min(IVF_NPROBE, nlist), pq_m=_pq_m(dim), pq_nbits=PQ_NBITS,
        k_factor=REFINE_K_FACTOR, train_size=min(n, IVF_POINTS_PER_CELL * nlist), kmeans_iter=IVF_KMEANS_ITER)


def _normalised(x: np.ndarray) -> np.ndarray:
    """A float32 copy of ``x`` with unit rows (zero rows stay zero). Rows already of unit length (the embedders
    return them so) are copied unchanged: dividing by a norm of 1 ± 1e-7 would move their last bits, and an
    index's vectors should be the cache's, bit for bit."""
    x = np.array(x, dtype=np.float32, copy=True, ndmin=2)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    np.divide(x, norms, out=x, where=(norms > 0) & (np.abs(norms - 1.0) > 1e-5))
    return x


def _apply_search_parameters(index, spec: VectorIndexSpec) -> None:
    import faiss

    if spec.kind == "hnsw":
        faiss.downcast_index(index).hnsw.efSearch = spec.ef_search
    elif spec.kind == "ivfpq":
        refine = faiss.downcast_index(index)
        refine.k_factor = float(spec.k_factor)
        faiss.extract_index_ivf(refine).nprobe = spec.nprobe


def build(vectors: np.ndarray, spec: VectorIndexSpec, chunk: int = 65_536, seed: int = 1234):
    """A FAISS index of ``vectors`` (row i gets id i) as ``spec`` says: trained when the kind needs it.

    Rows are L2-normalised a chunk at a time as they are added, so no second full copy of ``vectors``
    is made. The search-time parameters are stored in the index (and kept by ``faiss.write_index``).
    """
    import faiss

    n, dim = vectors.shape
    if dim != spec.dim:
        raise ValueError(f"vectors have dimension {dim}, the spec {spec.dim}")
    if spec.kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif spec.kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, spec.M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = spec.ef_construction
    else:
        index = faiss.index_factory(dim, spec.factory, faiss.METRIC_INNER_PRODUCT)
        ivf = faiss.extract_index_ivf(index)
        ivf.cp.niter = spec.kmeans_iter
        ivf.cp.max_points_per_centroid = max(1, spec.train_size // spec.nlist + 1)
        ivf.cp.seed = seed
        faiss.downcast_index(ivf).do_polysemous_training = False   # on by default in index_factory; 20x the training time, unused here
        if n < spec.nlist:
            raise ValueError(f"{n} vectors cannot train {spec.nlist} IVF cells; plan() for this size")
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(n, size=min(n, spec.train_size), replace=False))
        index.train(_normalised(vectors[sample]))
    _apply_search_parameters(index, spec)
    for start in range(0, n, chunk):
        index.add(_normalised(vectors[start:start + chunk]))
    return index


def _search_parameters(index, spec: VectorIndexSpec):
    import faiss

    if spec.kind == "hnsw":
        return faiss.SearchParametersHNSW(efSearch=spec.ef_search)
    if spec.kind == "ivfpq":
        base = faiss.SearchParametersIVF(nprobe=spec.nprobe)
        return faiss.IndexRefineSearchParameters(k_factor=float(spec.k_factor), base_index_params=base), base
    return None


def search(index, queries: np.ndarray, k: int, spec: VectorIndexSpec | None = None):
    """The ``k`` best rows for each query: ``(scores, ids)``, both ``(len(queries), k)``; scores are
    cosine similarities, ids -1 where the index has fewer than ``k`` vectors.

    The search-time parameters (``efSearch``; ``nprobe`` and ``k_factor``) are the ones :func:`build`
    stored in the index; pass ``spec`` to search with that spec's instead (without changing the index,
    so it is safe while other threads search the same index).
    """
    q = _normalised(queries)
    if spec is None or spec.kind == "flat":
        return index.search(q, k)
    params = _search_parameters(index, spec)
    # keep the nested IVF parameters referenced for the duration of the call
    main = params[0] if isinstance(params, tuple) else params
    return index.search(q, k, params=main)


def describe(index) -> dict:
    """What ``index`` is: its kind, size, metric and parameters, and an estimate of its resident bytes."""
    import faiss

    index = faiss.downcast_index(index)
    out = {"class": type(index).__name__, "ntotal": int(index.ntotal), "dim": int(index.d),
           "metric": "inner_product" if index.metric_type == faiss.METRIC_INNER_PRODUCT else "l2"}
    if isinstance(index, faiss.IndexFlat):
        out.update(kind="flat", approx_bytes=4 * index.d * index.ntotal)
    elif isinstance(index, faiss.IndexHNSW):
        out.update(kind="hnsw", M=int(index.hnsw.nb_neighbors(1)), ef_construction=int(index.hnsw.efConstruction),
                   ef_search=int(index.hnsw.efSearch), max_level=int(index.hnsw.max_level),
                   approx_bytes=hnsw_bytes(index.ntotal, index.d, int(index.hnsw.nb_neighbors(1))))
    else:
        refine = index if isinstance(index, faiss.IndexRefine) else None
        ivf = faiss.extract_index_ivf(index)
        base = faiss.downcast_index(refine.base_index) if refine is not None else faiss.downcast_index(ivf)
        out.update(kind="ivfpq" if isinstance(base, faiss.IndexIVFPQ) else "ivf", nlist=int(ivf.nlist),
                   nprobe=int(ivf.nprobe))
        if isinstance(base, faiss.IndexIVFPQ):
            out.update(pq_m=int(base.pq.M), pq_nbits=int(base.pq.nbits))
        if refine is not None:
            out.update(k_factor=float(refine.k_factor),
                       refine=type(faiss.downcast_index(refine.refine_index)).__name__)
        code = int(ivf.code_size) + 8 + (int(faiss.downcast_index(refine.refine_index).code_size) if refine else 0)
        out["approx_bytes"] = int(index.ntotal) * code + int(ivf.nlist) * int(index.d) * 4
    out["approx_bytes"] = int(out["approx_bytes"])
    return out

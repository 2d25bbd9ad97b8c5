"""Vector index kinds for many past replies: synthetic clustered case vectors, 100k and 1M by default.

    .venv/bin/python benchmarks/bench_cases.py [--sizes 100000,1000000] [--json OUT] [--quick]
                                               [--kinds flat,hnsw,ivfpq] [--queries 1000]

For each size it generates ``n`` case vectors plus held-out queries (dim 384; a few thousand cluster
centres with Zipf-like sizes, each point = normalised centre + anisotropic noise, the same way for
the queries), computes the exact top-10 of every query (``faiss.knn``, in batches), and then, for each
candidate index kind of ``assistant.index.vectors`` (as ``plan(n, 384, kind=...)`` sizes it), measures:

- build time (``vectors.build``: training when the kind needs it, then adding);
- resident memory: ``VmRSS`` of this process after the build minus before (big temporaries freed),
  the peak during the build (``VmHWM``, reset before it), and ``VmRSS`` of a fresh process that only
  reads the written index (what a server holding it pays);
- index size on disk (``faiss.write_index`` into a temporary directory);
- p50 / p95 latency of single queries (k=10, one query a call) and recall@10 against exact search;
- a sweep of the search-time parameters (efSearch; nprobe x k_factor, and the IVF-PQ codes alone
  without re-ranking) on the same queries.

Targets at 1M (2 cores): recall@10 >= 0.95, p95 < 50 ms, resident < 2 GiB; a PASS/FAIL line for
each kind at each size (the exit status stays 0), and each kind's latency over exact search's.
``--quick`` runs 20k vectors and 200 queries (a smoke run, about a minute).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

# OpenMP threads that wait for work sleep instead of spinning: on a 2-core machine shared with other
# jobs, spinning made IVF training 2-4x slower (set before faiss loads libgomp; an explicit value wins).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import faiss  # noqa: E402

from assistant.index import vectors as V  # noqa: E402

DIM, K = 384, 10
CLUSTERS = 4000          # "a few thousand" topics
NOISE = 0.6              # noise norm relative to the unit centre: nearest-neighbour cosine ~0.85-0.9
TARGET_RECALL, TARGET_P95_MS, TARGET_RSS_BYTES = 0.95, 50.0, 2 * 2**30
CHUNK = 50_000
# Single queries are timed on one OpenMP thread: a server answers concurrent requests a thread each,
# and on a loaded 2-core machine IndexFlat spread over 2 threads took 9-24 ms a query at 20k vectors
# against 1 ms on one (OpenMP threads wait for a core the other jobs hold). Builds use every core.
LATENCY_THREADS = 1


def rss() -> int:
    return _status("VmRSS")


def hwm() -> int:
    return _status("VmHWM")


def _status(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_hwm() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def mib(b: float) -> float:
    return round(b / 2**20, 1)


def generate(n: int, nq: int, dim: int = DIM, clusters: int = CLUSTERS, noise: float = NOISE,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` case vectors and ``nq`` held-out queries drawn the same way, unit rows, in chunks.

    A random rotation of a power-law spectrum (variance ~ 1/i: effective dimension ~25, like sentence
    embeddings) shapes both the centres and the noise; cluster sizes fall off as (rank + 20)^-0.7.
    The generator depends on the seed only, so every size draws from the same distribution.
    """
    rng = np.random.default_rng(seed)
    spectrum = 1.0 / np.sqrt(np.arange(1, dim + 1))
    rot, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
    shape = (spectrum[:, None] * rot.T / np.sqrt((spectrum ** 2).sum())).astype(np.float32)
    centres = rng.standard_normal((clusters, dim)).astype(np.float32) @ shape
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    weights = 1.0 / (np.arange(clusters) + 20) ** 0.7
    weights /= weights.sum()
    out = np.empty((n + nq, dim), np.float32)
    for start in range(0, n + nq, CHUNK):
        m = min(CHUNK, n + nq - start)
        x = centres[rng.choice(clusters, m, p=weights)]
        x += noise * (rng.standard_normal((m, dim), dtype=np.float32) @ shape)
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        out[start:start + m] = x
        del x
    queries = out[n:].copy()
    base = out[:n]            # a view; `out` stays alive through it, no second copy
    return base, queries


def exact_top(base: np.ndarray, queries: np.ndarray, k: int = K, batch: int = 250) -> tuple[np.ndarray, np.ndarray]:
    D, I = [], []
    for s in range(0, len(queries), batch):
        d, i = faiss.knn(queries[s:s + batch], base, k, metric=faiss.METRIC_INNER_PRODUCT)
        D.append(d)
        I.append(i)
    return np.vstack(D), np.vstack(I)


def recall(found: np.ndarray, truth: np.ndarray, k: int = K) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


def timed_search(index, queries: np.ndarray, spec, k: int = K, warm: int = 20):
    """Single-query latencies (ms) and the ids found, one query per call as a server would, on one
    OpenMP thread (see LATENCY_THREADS)."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(LATENCY_THREADS)
    try:
        return _timed_search(index, queries, spec, k, warm)
    finally:
        faiss.omp_set_num_threads(threads)


def _timed_search(index, queries, spec, k, warm):
    for q in queries[:warm]:
        V.search(index, q[None], k, spec)
    ids, times = np.empty((len(queries), k), np.int64), []
    for j, q in enumerate(queries):
        t0 = time.perf_counter()
        _, i = V.search(index, q[None], k, spec)
        times.append((time.perf_counter() - t0) * 1000)
        ids[j] = i[0]
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 3),
            "mean_ms": round(statistics.fmean(times), 3)}, ids


_LOAD = """
import sys, faiss
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1]) * 1024
before = rss(); index = faiss.read_index(sys.argv[1]); print(rss() - before)
"""


def loaded_rss(path: Path) -> int:
    """VmRSS a fresh process gains by reading the index file (faiss already imported)."""
    out = subprocess.run([sys.executable, "-c", _LOAD, str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1])


def sweep_points(spec) -> list[tuple[str, object]]:
    """Search-time settings tried besides the spec's own (label, spec or raw index choice)."""
    if spec.kind == "hnsw":
        return [(f"efSearch={ef}", dataclasses.replace(spec, ef_search=ef)) for ef in (32, 64, 128, 256)]
    if spec.kind == "ivfpq":
        pts = [(f"PQ only nprobe={p}", ("base", p)) for p in (16, 32, 64)]
        pts += [(f"nprobe={p} k_factor={kf:g}", dataclasses.replace(spec, nprobe=p, k_factor=kf))
                for p in (32, 64, 128, 256, 512) for kf in (4.0, 8.0, 16.0)]
        return pts
    return []


def run_kind(kind: str, base: np.ndarray, queries: np.ndarray, truth: np.ndarray, tmp: Path,
             sweep: bool) -> dict:
    n = len(base)
    spec = V.plan(n, DIM, kind=kind)
    gc.collect()
    before = rss()
    reset_hwm()
    t0 = time.perf_counter()
    c0 = time.process_time()
    index = V.build(base, spec)
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    gc.collect()
    after, peak = rss(), hwm()
    path = tmp / f"{kind}-{n}.faiss"
    faiss.write_index(index, str(path))
    disk = path.stat().st_size
    loaded = loaded_rss(path)
    lat, ids = timed_search(index, queries, None)
    row = {"kind": kind, "factory": spec.factory, "parameters": spec.parameters, "describe": V.describe(index),
           "build_s": round(build_s, 1), "build_cpu_s": round(build_cpu, 1),
           "rss_build_mib": mib(after - before), "rss_peak_build_mib": mib(peak - before),
           "rss_loaded_mib": mib(loaded), "disk_mib": mib(disk),
           "recall_at_10": round(recall(ids, truth), 4), **lat, "sweep": []}
    print(f"  {kind:6} built in {build_s:7.1f} s (cpu {build_cpu:.0f} s); rss +{row['rss_build_mib']:.0f} MiB "
          f"(peak +{row['rss_peak_build_mib']:.0f}, loaded {row['rss_loaded_mib']:.0f}); disk {row['disk_mib']:.0f} MiB; "
          f"recall@10 {row['recall_at_10']:.4f}; p50 {lat['p50_ms']:.2f} ms p95 {lat['p95_ms']:.2f} ms", flush=True)
    if sweep:
        for label, point in sweep_points(spec):
            if isinstance(point, tuple):   # the IVF-PQ codes alone, no 8-bit re-rank
                ivf = faiss.extract_index_ivf(index)
                old = ivf.nprobe
                ivf.nprobe = point[1]
                target = faiss.downcast_index(faiss.downcast_index(index).base_index)
                l, i = timed_search(target, queries, None)
                ivf.nprobe = old
            else:
                l, i = timed_search(index, queries, point)
            r = round(recall(i, truth), 4)
            row["sweep"].append({"setting": label, "recall_at_10": r, **l})
            print(f"      {label:28} recall@10 {r:.4f}  p50 {l['p50_ms']:6.2f} ms  p95 {l['p95_ms']:6.2f} ms", flush=True)
        if kind == "ivfpq":   # the IVF-PQ codes alone, as an index of their own
            alone = tmp / "ivfpq-alone.faiss"
            faiss.write_index(faiss.downcast_index(index).base_index, str(alone))
            row["pq_only_disk_mib"] = mib(alone.stat().st_size)
            alone.unlink()
    path.unlink()
    del index
    gc.collect()
    return row


def run_size(n: int, nq: int, kinds: list[str], sweep: bool) -> dict:
    print(f"\n== {n:,} vectors, dim {DIM}, {nq} held-out queries; planned kind: {V.plan(n, DIM).kind} "
          f"({V.plan(n, DIM).reason})", flush=True)
    t0 = time.perf_counter()
    base, queries = generate(n, nq)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    true_d, truth = exact_top(base, queries)
    gt_s = time.perf_counter() - t0
    data = {"n": n, "dim": DIM, "queries": nq, "clusters": CLUSTERS, "noise": NOISE,
            "generate_s": round(gen_s, 1), "ground_truth_s": round(gt_s, 1),
            "median_cos_top1": round(float(np.median(true_d[:, 0])), 3),
            "median_cos_top10": round(float(np.median(true_d[:, K - 1])), 3),
            "planned": dataclasses.asdict(V.plan(n, DIM))}
    print(f"  data in {gen_s:.1f} s, exact top-10 in {gt_s:.1f} s; median cosine to the 1st / 10th neighbour "
          f"{data['median_cos_top1']} / {data['median_cos_top10']}", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-cases-") as tmp:
        for kind in kinds:
            rows.append(run_kind(kind, base, queries, truth, Path(tmp), sweep))
    del base, queries
    gc.collect()
    exact = next((r for r in rows if r["kind"] == "flat"), None)
    for r in rows:
        if exact:
            r["p50_vs_exact"] = round(r["p50_ms"] / exact["p50_ms"], 3)
            r["p95_vs_exact"] = round(r["p95_ms"] / exact["p95_ms"], 3)
        resident = max(r["rss_build_mib"], r["rss_loaded_mib"]) * 2**20
        r["pass"] = {"recall": r["recall_at_10"] >= TARGET_RECALL, "p95": r["p95_ms"] < TARGET_P95_MS,
                     "memory": resident < TARGET_RSS_BYTES}
    return {"data": data, "kinds": rows}


def report(results: list[dict]) -> None:
    print(f"\n{'n':>9} {'kind':6} {'build s':>8} {'rss MiB':>8} {'loaded':>7} {'disk MiB':>8} {'recall@10':>9} "
          f"{'p50 ms':>7} {'p95 ms':>7} {'p50/ex':>7} {'p95/ex':>7}")
    for res in results:
        for r in res["kinds"]:
            print(f"{res['data']['n']:>9,} {r['kind']:6} {r['build_s']:>8.1f} {r['rss_build_mib']:>8.0f} "
                  f"{r['rss_loaded_mib']:>7.0f} {r['disk_mib']:>8.0f} {r['recall_at_10']:>9.4f} {r['p50_ms']:>7.2f} "
                  f"{r['p95_ms']:>7.2f} {r.get('p50_vs_exact', float('nan')):>7.3f} {r.get('p95_vs_exact', float('nan')):>7.3f}")
    print(f"\nTargets (meant for 1M on 2 cores): recall@10 >= {TARGET_RECALL}, p95 < {TARGET_P95_MS:g} ms, "
          f"resident < {TARGET_RSS_BYTES / 2**30:g} GiB (the larger of the build delta and the loaded index)")
    for res in results:
        n, planned = res["data"]["n"], res["data"]["planned"]["kind"]
        for r in res["kinds"]:
            ok = r["pass"]
            mark = " (planned kind)" if r["kind"] == planned else ""
            for name, value in (("recall", f"recall@10 {r['recall_at_10']:.4f}"), ("p95", f"p95 {r['p95_ms']:.2f} ms"),
                                ("memory", f"resident {max(r['rss_build_mib'], r['rss_loaded_mib']):.0f} MiB")):
                print(f"{'PASS' if ok[name] else 'FAIL'} {n:,} {r['kind']}{mark}: {value}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated numbers of vectors")
    ap.add_argument("--kinds", default=",".join(V.KINDS), help="comma-separated kinds: flat,hnsw,ivfpq")
    ap.add_argument("--queries", type=int, default=1000, help="held-out queries per size")
    ap.add_argument("--quick", action="store_true", help="20k vectors, 200 queries: a smoke run")
    ap.add_argument("--no-sweep", action="store_true", help="measure only each kind's planned parameters")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    sizes = [20_000] if args.quick else [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    nq = 200 if args.quick else args.queries
    kinds = [k for k in args.kinds.split(",") if k]
    started = _dt.datetime.now().astimezone()
    print(f"bench_cases: {os.cpu_count()} cores, faiss {faiss.__version__} ({faiss.get_compile_options().strip()}), "
          f"{faiss.omp_get_max_threads()} OpenMP threads to build, {LATENCY_THREADS} to search "
          f"(OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}); load average {os.getloadavg()[0]:.2f}; "
          f"{started:%Y-%m-%d %H:%M}", flush=True)
    results = [run_size(n, nq, kinds, not args.no_sweep) for n in sizes]
    report(results)
    print(f"load average at the end {os.getloadavg()[0]:.2f} (1 min), {os.getloadavg()[2]:.2f} (15 min)")
    if args.json:
        out = {"date": started.isoformat(timespec="seconds"), "cores": os.cpu_count(), "faiss": faiss.__version__,
               "load_average_end": os.getloadavg(), "targets": {"recall_at_10": TARGET_RECALL,
               "p95_ms": TARGET_P95_MS, "resident_bytes": TARGET_RSS_BYTES}, "sizes": results,
               "thresholds": {"FLAT_MAX": V.FLAT_MAX, "HNSW_MAX": V.HNSW_MAX, "HNSW_MAX_BYTES": V.HNSW_MAX_BYTES}}
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

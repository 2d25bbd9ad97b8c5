"""Bulk loading of past replies: cases per second and peak memory by file size, without a model.

    .venv/bin/python benchmarks/bench_bulk.py                        # 20k and 100k synthetic cases, ~3 min
    .venv/bin/python benchmarks/bench_bulk.py --sizes 10000,40000 --json benchmarks/results/bulk.json

Each size runs in a fresh process (so its peak resident memory, ``ru_maxrss``, is its own): a JSONL file of
synthetic cases (``tests/scale_data.py``) is indexed with ``tests/fakes.FakeEmbedder`` (hashed words, no
model), so the figures are the pipeline's — reading, masking, the cache, the vector index — not the model's
(``bench_embed.py`` measures that). The vector index kind follows ``vectors.plan`` (flat below 50k vectors,
HNSW above), and its own size is the one part of the memory that grows with the file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, resource, sys, time
sys.path[:0] = [{root!r}, {tests!r}]
from pathlib import Path
from fakes import FakeEmbedder, fake_settings
from scale_data import write_synthetic
from assistant.index import index_paths
from assistant.index.store import Index
tmp = Path({tmp!r})
path = write_synthetic(tmp / "cases.jsonl", {n})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
report = index_paths([path], fake_settings(tmp / "index"), embedder=FakeEmbedder())
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # the build's peak, before the index is read back
from assistant.index.vectors import describe
with Index.open(tmp / "index") as idx:
    kind, index_mb = idx.vector_kind, describe(idx.faiss)["approx_bytes"] / 2**20
print(json.dumps({{"cases": {n}, "file_mb": path.stat().st_size / 2**20, "seconds": seconds,
                  "cases_per_s": report.cases_per_second, "kind": kind, "index_mb": index_mb,
                  "rss_before_mb": before / 1024, "peak_rss_mb": peak / 1024}}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            code = CHILD.format(root=str(ROOT), tests=str(ROOT / "tests"), tmp=tmp, n=n)
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"{'cases':>8} {'file MB':>8} {'kind':>6} {'build s':>8} {'cases/s':>8} {'RSS before':>10} "
          f"{'peak RSS MB':>11} {'index MB':>8}")
    for r in rows:
        print(f"{r['cases']:>8} {r['file_mb']:>8.1f} {r['kind']:>6} {r['seconds']:>8.1f} {r['cases_per_s']:>8.0f} "
              f"{r['rss_before_mb']:>10.0f} {r['peak_rss_mb']:>11.0f} {r['index_mb']:>8.0f}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

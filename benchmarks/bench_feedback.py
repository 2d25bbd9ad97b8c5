"""Learning from accepted replies, as a simulation over the frozen law questions.

    .venv/bin/python benchmarks/bench_feedback.py [--batch 10] [--png benchmarks/results/feedback.png] [--json OUT]

The frozen law questions (``eval/frozen.jsonl``) are replayed in file order, as if each, once
answered, were accepted by an agent with its gold citation. The paraphrases of some of them
(``eval/paraphrases.jsonl``) arrive later, each at a seeded random distance after its original. An
acceptance goes the product's own way: an ``AcceptedReply`` in the record store, then «add accepted
replies» (``maintain.add_accepted``), which embeds it as a past case and publishes a snapshot. Every
``--batch`` questions the searcher is reopened on the new snapshot, so a question sees the replies
accepted before its batch, never its own.

Reported, each question scored *before* its own acceptance, beside the same question searched with
no accepted replies at all (same run, same index):

- article R@5 and MRR@10 overall, for «fresh» questions (no paraphrase of them accepted yet) and
  for «paraphrase» questions (their original was accepted earlier);
- the curve of R@5 per batch against the number of replies accepted so far, saved as a PNG.

It works on a copy of the evaluation index (``data/eval-index``, built by ``assistant eval``), so
nothing it accepts reaches a real index.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import REPO_ROOT, Settings  # noqa: E402
from assistant.evaluation import load_items, prepare_eval_index, rank_item  # noqa: E402
from assistant.maintain import add_accepted  # noqa: E402
from assistant.records import AcceptedReply, open_store  # noqa: E402
from assistant.retrieval import Searcher  # noqa: E402

SEED = 11
LATEST_GAP = 40   # a paraphrase arrives 1 … this many questions after its original


def replay_order(questions: list, paraphrases: list, seed: int = SEED) -> list[tuple[object, str | None]]:
    """The questions in file order, each paraphrase inserted at a random later position; a paraphrase
    carries the id of its original."""
    rng = random.Random(seed)
    order: list[tuple[object, str | None]] = [(q, None) for q in questions]
    position = {q.id: i for i, q in enumerate(questions)}
    for p, original in sorted(paraphrases, key=lambda pair: position[pair[1]]):
        at = next(i for i, (q, _) in enumerate(order) if q.id == original)
        order.insert(min(len(order), at + rng.randint(1, LATEST_GAP)), (p, original))
    return order


def cited_ids(item, clauses: dict) -> tuple[str, ...]:
    """The gold as clause ids of the index: the point when there is one, else the article."""
    out = []
    for g in item.gold:
        if "clause" in g:
            wanted = [f"{g['doc']}:{g['clause']}"]
        else:
            article = f"{g['doc']}:ст{g['article']}"
            wanted = [f"{article}/{g['point']}", article] if g.get("point") else [article]
        found = next((w for w in wanted if w in clauses), None)
        if found:
            out.append(found)
    return tuple(dict.fromkeys(out))


def accepted(item, cited: tuple[str, ...], citations: dict[str, str]) -> AcceptedReply:
    reply = "Ответ по вашему вопросу: " + "; ".join(citations[c] for c in cited) + "."
    return AcceptedReply(id=f"A-{uuid.uuid4().hex}", accepted_at="2026-11-30T12:00:00+00:00", message=item.text,
                         reply=reply, audience="buyer", channel="simulation", cited=cited,
                         key=f"sim-{item.id}", checks={"ok": True})


def summary(rows: list[dict], rank: str) -> dict:
    ranks = [r[rank] for r in rows]
    n = len(ranks) or 1
    return {"n": len(ranks), "recall@5": round(sum(1 for x in ranks if x and x <= 5) / n, 3),
            "mrr@10": round(sum(1 / x for x in ranks if x and x <= 10) / n, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--batch", type=int, default=10, help="questions between two publishes (default 10)")
    ap.add_argument("--png", default=str(REPO_ROOT / "benchmarks" / "results" / "feedback.png"))
    ap.add_argument("--json", help="write per-question results here")
    ap.add_argument("--limit", type=int, help="only the first N questions of the replay (a quick look)")
    ap.add_argument("--replot", help="draw the PNG again from a --json file of an earlier run, and stop")
    args = ap.parse_args()
    if args.replot:
        saved = json.loads(Path(args.replot).read_text(encoding="utf-8"))
        _plot(saved["curve"], saved["rows"], Path(args.png))
        return 0

    settings = Settings.resolve()
    source = prepare_eval_index(settings)
    questions = [i for i in load_items(REPO_ROOT / "eval" / "frozen.jsonl") if i.group == "law" and i.gold]
    by_id = {q.id: q for q in questions}
    paraphrases = []
    for line in (REPO_ROOT / "eval" / "paraphrases.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row.get("paraphrase_of") in by_id and row.get("gold"):
            item = load_items_row(row)
            paraphrases.append((item, row["paraphrase_of"]))
    order = replay_order(questions, paraphrases)[: args.limit]

    with tempfile.TemporaryDirectory(prefix="bench-feedback-") as tmp:
        index_dir = Path(tmp) / "index"
        shutil.copytree(source, index_dir, ignore=shutil.ignore_patterns("lock", "records.sqlite*", "uploads"))
        work = settings.with_(index_dir=index_dir)
        searcher = Searcher.open(work)
        clauses = searcher.corpus.clauses
        citations = {cid: searcher.corpus.compact_citation(cid) for cid in clauses}
        baseline = {q.id: rank_item(q, r)["article_rank"]
                    for q, r in zip([q for q, _ in order], searcher.search_many([q.text for q, _ in order], k=10))}
        rows, accepted_ids, done = [], set(), 0
        for start in range(0, len(order), args.batch):
            batch = order[start:start + args.batch]
            if start:
                searcher = Searcher.open(work)
            results = searcher.search_many([q.text for q, _ in batch], k=10)
            for (q, original), result in zip(batch, results):
                rows.append({"id": q.id, "accepted_before": done,
                             "kind": "paraphrase" if original in accepted_ids else "fresh",
                             "rank": rank_item(q, result)["article_rank"], "baseline": baseline[q.id]})
            store = open_store(work)
            try:
                for q, _ in batch:
                    cited = cited_ids(q, clauses)
                    if cited:
                        store.add(accepted(q, cited, citations))
                        accepted_ids.add(q.id)
                        done += 1
            finally:
                store.close()
            add_accepted(work)
            print(f"  {min(start + args.batch, len(order))}/{len(order)} questions, {done} accepted", file=sys.stderr)

    report = {"questions": len(rows), "batch": args.batch,
              "overall": {"with_feedback": summary(rows, "rank"), "without": summary(rows, "baseline")}}
    for kind in ("fresh", "paraphrase"):
        part = [r for r in rows if r["kind"] == kind]
        report[kind] = {"with_feedback": summary(part, "rank"), "without": summary(part, "baseline")}
    curve = []
    for start in range(0, len(rows), args.batch):
        part = rows[start:start + args.batch]
        curve.append({"accepted": part[0]["accepted_before"], "with_feedback": summary(part, "rank")["recall@5"],
                      "without": summary(part, "baseline")["recall@5"]})
    report["curve"] = curve
    print(json.dumps({k: v for k, v in report.items() if k != "curve"}, ensure_ascii=False, indent=1))
    _plot(curve, rows, Path(args.png))
    print(f"curve: {args.png}")
    if args.json:
        Path(args.json).write_text(json.dumps({**report, "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def load_items_row(row: dict):
    from assistant.evaluation.harness import Item

    return Item(row["id"], row["text"], tuple(row["gold"]), "law", "paraphrases")


def _plot(curve: list[dict], rows: list[dict], path: Path) -> None:
    """Top: R@5 per batch against the replies accepted so far, with and without them. Bottom: the running
    R@5 of the questions whose paraphrase was accepted earlier, with and without the accepted replies."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 7), sharex=True)
    x = [c["accepted"] for c in curve]
    top.plot(x, [c["with_feedback"] for c in curve], marker="o", label="with the replies accepted so far")
    top.plot(x, [c["without"] for c in curve], marker=".", linestyle="--", label="same questions, nothing accepted")
    top.set_ylabel("article R@5 of the batch")
    top.set_ylim(0, 1.05)
    top.legend(loc="lower right")
    top.set_title("Frozen law questions replayed, each accepted with its gold citation")
    para = [r for r in rows if r["kind"] == "paraphrase"]
    hit = lambda rank: 1.0 if rank and rank <= 5 else 0.0  # noqa: E731
    for key, style, label in (("rank", "-", "with the replies accepted so far"),
                              ("baseline", "--", "nothing accepted")):
        running = [statistics.mean(hit(r[key]) for r in para[:i + 1]) for i in range(len(para))]
        bottom.plot([r["accepted_before"] for r in para], running, linestyle=style, marker=".", label=label)
    bottom.set_ylabel("running R@5, paraphrases\nof accepted questions")
    bottom.set_xlabel("replies accepted before the question")
    bottom.set_ylim(0, 1.05)
    bottom.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())

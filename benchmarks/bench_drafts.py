"""Draft quality and speed over eval/drafts.jsonl (our own cases: multi-issue, short, emotional, English,
injection, and complaints answered by the real laws). Marketplace cases run on the demo corpus's
index (what an agent's deployment holds); ``law`` cases on the index of the laws plus the demo corpus.

    .venv/bin/python benchmarks/bench_drafts.py [--cases eval/drafts.jsonl] [--part tune|test] [--json OUT] [--by-case]

Reports, per kind and overall:

- ``answered``: the share of points whose answer key (``answer`` in the cases file: groups of
  alternatives, every group needed, any alternative, matched by lemmas in order) is stated;
- ``coverage``: points with a citation of the right article, ``exact``: of the labelled clause itself;
- ``precision``: the share of cited clauses inside a labelled unit;
- ``self_template``: the mean share of a draft's own word 4-grams (quotes and citations removed) that
  recur in at least 20 % of the other drafts of the set;
- ``quoted``: the share of words inside «quotes»; median words;
- facts repeated, citations verified, template score, guardrail and must-not violations, latency.
A law's points are what lawyers argue at the article level, so citing ст. 26.1, п. 1 for a
point labelled ст. 26.1, п. 4 is the right article but not the exact clause. Marketplace-rule
units are already narrow, so there both figures accept only the labelled clause or one of its
sub-clauses (5.3/а) or 5.3.1 for 5.3). The same run also scores a baseline that cites the single top search hit for
the whole message (what a plain "search and paste" assistant would do).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import REPO_ROOT, Settings  # noqa: E402
from assistant.draft import draft  # noqa: E402
from assistant.evaluation import prepare_eval_index  # noqa: E402
from assistant.index import index_paths  # noqa: E402
from assistant.retrieval import Searcher  # noqa: E402

TODAY = dt.date(2026, 11, 25)


def within(cited: str, gold: str) -> bool:
    """The labelled clause itself or one of its sub-clauses."""
    return cited == gold or cited.startswith((gold + "/", gold + "."))


def article(clause_id: str) -> str:
    """A law clause's article («zozpp:ст26.1/4» → «zozpp:ст26.1»); other ids are their own unit."""
    doc, _, rest = clause_id.partition(":")
    return f"{doc}:{rest.split('/')[0]}" if rest.startswith("ст") else clause_id


def unit(clause_id: str) -> str:
    """The unit a citation is judged at for precision: a law's article, a rules document's second level
    («marketplace-rules:5.2.3» → «marketplace-rules:5.2»)."""
    doc, _, rest = clause_id.partition(":")
    if rest.startswith("ст"):
        return article(clause_id)
    return f"{doc}:{'.'.join(rest.split('/')[0].split('.')[:2])}"


_LEMMA_WORD = re.compile(r"\w+")
_QUOTED = re.compile(r"«[^»]*»")
_CITATION = re.compile(r"\([^()]*(?:п\.|ст\.|подп\.|cl\.|Art\.)[^()]*\)")
SELF_TEMPLATE_SHARE = 0.2


def lemma_seq(text: str) -> list[str]:
    """Every word's lemma, function words kept («не учитывается» must not match «учитывается»)."""
    from assistant.text import morph

    out = []
    for w in _LEMMA_WORD.findall(text.lower().replace("ё", "е")):
        out.append(morph().parse(w)[0].normal_form.replace("ё", "е") if "а" <= w[0] <= "я" else w)
    return out


def says(text_lemmas: list[str], alternative: str) -> bool:
    wanted = lemma_seq(alternative)
    n = len(wanted)
    return bool(n) and any(text_lemmas[i:i + n] == wanted for i in range(len(text_lemmas) - n + 1))


def answered(case: dict, text: str) -> tuple[int, int]:
    """(points whose answer key is stated, points that have a key)."""
    lemmas = lemma_seq(text)
    keyed = [p["answer"] for p in case["points"] if p.get("answer")]
    return sum(all(any(says(lemmas, alt) for alt in group) for group in key) for key in keyed), len(keyed)


def own_words(text: str) -> str:
    """The draft without its quotes and citations: the words it says itself."""
    return _CITATION.sub(" ", _QUOTED.sub(" ", text))


def self_template(texts: list[str]) -> list[float]:
    """Per draft: the share of its own 4-grams found in at least 20 % of the other drafts."""
    from assistant.text import word_ngrams

    grams = [word_ngrams(own_words(t), 4) for t in texts]
    counts: dict = {}
    for g in grams:
        for gram in g:
            counts[gram] = counts.get(gram, 0) + 1
    others = max(1, len(texts) - 1)
    return [sum(1 for gram in g if (counts[gram] - 1) / others >= SELF_TEMPLATE_SHARE) / len(g) if g else 0.0
            for g in grams]


def score(case: dict, text: str, cited_ids: set[str], checks) -> dict:
    points = [p for p in case["points"] if p["clauses"]]
    gold_units = {unit(g) for p in points for g in p["clauses"]}
    exact = sum(1 for p in points if any(within(c, g) for c in cited_ids for g in p["clauses"]))
    covered = sum(1 for p in points if any(within(article(c), article(g)) for c in cited_ids for g in p["clauses"]))
    facts = sum(1 for f in case["facts"] if f in text)
    said, keyed = answered(case, text)
    quoted = sum(len(q.split()) for q in _QUOTED.findall(text))
    return {"id": case["id"], "kind": case["kind"], "points": len(points), "covered": covered, "exact": exact,
            "answered": said, "keyed": keyed, "quoted_words": quoted, "text": text,
            "facts": len(case["facts"]), "facts_found": facts, "words": len(text.split()),
            "cited": len(cited_ids), "cited_relevant": sum(1 for c in cited_ids if unit(c) in gold_units),
            "citations": len(checks.citations) if checks else 0,
            "citations_ok": sum(c.ok for c in checks.citations) if checks else 0,
            "template": checks.template.score if checks else 0.0,
            "guardrails": len(checks.guardrails) if checks else 0,
            "must_not": [m for m in case.get("must_not", []) if m.lower() in text.lower()]}


def summarise(rows: list[dict]) -> dict:
    points = sum(r["points"] for r in rows) or 1
    facts = sum(r["facts"] for r in rows) or 1
    cits = sum(r["citations"] for r in rows)
    words = sum(r.get("words", 0) for r in rows) or 1
    return {"cases": len(rows), "answered": round(sum(r["answered"] for r in rows) / (sum(r["keyed"] for r in rows) or 1), 3),
            "self_template": round(statistics.mean(r.get("self_template", 0.0) for r in rows), 3),
            "quoted": round(sum(r["quoted_words"] for r in rows) / words, 3),
            "median_words": statistics.median(r.get("words", 0) for r in rows),
            "median_points": statistics.median(r["points_said"] for r in rows) if "points_said" in rows[0] else None,
            "point_coverage": round(sum(r["covered"] for r in rows) / points, 3),
            "exact_coverage": round(sum(r["exact"] for r in rows) / points, 3),
            "facts_mentioned": round(sum(r["facts_found"] for r in rows) / facts, 3),
            "citation_precision": round(sum(r.get("cited_relevant", 0) for r in rows)
                                        / (sum(r.get("cited", 0) for r in rows) or 1), 3),
            "words": round(statistics.mean(r.get("words", 0) for r in rows)),
            "citations_verified": round(sum(r["citations_ok"] for r in rows) / cits, 3) if cits else None,
            "template_score": round(statistics.mean(r["template"] for r in rows), 3),
            "guardrail_violations": sum(r["guardrails"] for r in rows),
            "must_not_violations": sum(len(r["must_not"]) for r in rows)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    ap.add_argument("--by-case", action="store_true")
    ap.add_argument("--cases", type=Path, default=REPO_ROOT / "eval" / "drafts.jsonl",
                    help="a drafts file in the format of eval/drafts.jsonl")
    ap.add_argument("--part", choices=("tune", "test"), help="only the lines of this part (eval/drafts-law.jsonl)")
    args = ap.parse_args()
    settings = Settings.resolve()
    if not (settings.shared_dir / "corpora").is_dir():
        print(f"SKIP: shared laws not found at {settings.shared_dir} (set ASSISTANT_SHARED)")
        return 0
    law_searcher = Searcher.open(settings.with_(index_dir=prepare_eval_index(settings)))
    demo_dir = settings.index_dir.parent / "bench-demo-index"
    index_paths([REPO_ROOT / "corpus"], settings.with_(index_dir=demo_dir))
    demo_searcher = Searcher.open(settings.with_(index_dir=demo_dir))
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    cases = [c for c in cases if args.part in (None, c.get("part"))]
    if not cases:
        raise SystemExit(f"no cases in {args.cases} (part {args.part})")
    rows, baseline, times = [], [], []
    for case in cases:
        searcher = law_searcher if case["kind"] == "law" else demo_searcher
        started = time.perf_counter()
        d = draft(searcher, case["message"], today=TODAY)
        times.append((time.perf_counter() - started) * 1000)
        rows.append(score(case, d.text, {c.id for c in d.citations}, d.checks))
        rows[-1]["points_said"] = len(case["points"])
        top = searcher.search(case["message"], k=1).clauses
        baseline.append(score(case, top[0].text if top else "", {top[0].id} if top else set(), None))
        baseline[-1]["points_said"] = len(case["points"])
    for group in (rows, baseline):
        for row, share in zip(group, self_template([r["text"] for r in group])):
            row["self_template"] = share
    if args.by_case:
        for row in rows:
            print(json.dumps({k: v for k, v in row.items()}, ensure_ascii=False))
    times.sort()
    figures = {"overall": summarise(rows), "by_kind": {k: summarise([r for r in rows if r["kind"] == k])
                                                        for k in dict.fromkeys(r["kind"] for r in rows)},
               "baseline_top_hit": summarise(baseline),
               "latency_ms": {"p50": round(statistics.median(times), 1),
                              "p95": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1)}}
    head = (f"{'':18} {'cases':>5} {'answrd':>6} {'cover':>6} {'exact':>6} {'precis':>6} {'self-t':>6} {'quoted':>6} "
            f"{'med.w':>5} {'facts':>6} {'cit.ok':>6} {'templ':>6} {'guard':>5} {'mustnot':>7}")
    print(head)
    for name, s in [("overall", figures["overall"]), *figures["by_kind"].items(),
                    ("baseline top hit", figures["baseline_top_hit"])]:
        cit = "n/a" if s["citations_verified"] is None else f"{s['citations_verified']:.2f}"
        print(f"{name:18} {s['cases']:>5} {s['answered']:>6.2f} {s['point_coverage']:>6.2f} {s['exact_coverage']:>6.2f} "
              f"{s['citation_precision']:>6.2f} {s['self_template']:>6.2f} {s['quoted']:>6.2f} {s['median_words']:>5.0f} "
              f"{s['facts_mentioned']:>6.2f} {cit:>6} {s['template_score']:>6.2f} {s['guardrail_violations']:>5} "
              f"{s['must_not_violations']:>7}")
    o = figures["overall"]
    budget = 40 * o["median_points"] + 25 if o["median_points"] else None
    print(f"targets: answered ≥ 0.85 ({o['answered']:.2f}), self_template ≤ 0.05 ({o['self_template']:.2f}), "
          f"quoted ≤ 0.25 ({o['quoted']:.2f}), median words ≤ 40 per point + 25 ({o['median_words']:.0f} ≤ {budget}), "
          f"precision ≥ 0.8 ({o['citation_precision']:.2f})")
    print(f"composer latency p50 {figures['latency_ms']['p50']} ms, p95 {figures['latency_ms']['p95']} ms "
          f"(target p95 < 1500 ms)")
    if args.json:
        figures["drafts"] = [{"id": r["id"], "text": r["text"]} for r in rows]
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Retrieval quality as numbers: Recall@1/5/10 and MRR@10 at clause and article level, declines, latency.

Items are JSONL lines ``{"id", "text", "gold": [{"doc", "article"|"clause", "point"}]}``; an
empty ``gold`` means nothing should apply. The same run scores every ``Mode`` of the
searcher over the same index, so baselines and the system are compared like for like.

>>> from assistant.evaluation import load_items, evaluate
>>> report = evaluate(searcher, load_items("eval/dev.jsonl"))     # doctest: +SKIP
>>> report.article["recall@5"]                                    # doctest: +SKIP
0.61
"""

from __future__ import annotations

import json
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AssistantError
from ..retrieval import ClauseHit

CUTOFFS = (1, 5, 10)
SHOWN = 5     # clauses per message whose shown score is checked against the labels
SURE = 0.5    # a shown score from which a clause is read as more likely to apply than not


@dataclass(frozen=True)
class Item:
    id: str | int
    text: str
    gold: tuple[dict, ...]
    group: str = ""   # "law", "demo", "offtopic" …: reported separately
    part: str = ""    # "tune" (fitted on), "test" (held out of dev.jsonl), "frozen" (never looked at): apart


_LAW_DOCS = {"zozpp", "gk2"}


def _group(row: dict) -> str:
    if row.get("kind"):
        return str(row["kind"])
    gold = row.get("gold") or []
    if not gold:
        return "offtopic"
    return "law" if all(g.get("doc") in _LAW_DOCS for g in gold) else "other"


def load_items(path: str | Path) -> list[Item]:
    """JSONL lines with ``text`` (or ``question``), an optional ``id`` (default: the line number), ``gold``, and
    an optional ``part`` (default: the file's name, so ``frozen.jsonl`` is the part «frozen»)."""
    items = []
    for no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AssistantError(f"{path}: line {no} is not JSON ({exc.msg})") from None
        text = row.get("text") or row.get("question")
        if not text:
            raise AssistantError(f"{path}: line {no} has no \"text\"")
        items.append(Item(row.get("id", no), text, tuple(row.get("gold") or ()), _group(row),
                          str(row.get("part") or Path(path).stem)))
    return items


def article_of(hit: ClauseHit) -> str:
    """The top unit of a hit: «26.1» for «Статья 26.1», «5» for clause 5.4.1 of an offer."""
    top = hit.path[0] if hit.path else ""
    return top.split(" ", 1)[1] if " " in top else top.split(".")[0]


def _clause_key(hit: ClauseHit) -> str:
    """The gold spelling of a hit: «26.1/4» for a law point, «5.4.1» for an offer clause."""
    if hit.path and hit.path[0].startswith(("Статья", "Article")):
        points = [p for p in hit.path[1:] if p[:1].isdigit() and not p.endswith(")")]
        return article_of(hit) + (f"/{points[0]}" if points else "")
    return hit.path[-1] if hit.path else ""


def grade(clause, gold: tuple[dict, ...]) -> int:
    """How well one clause (a ``Clause`` or a ``ClauseHit``) answers labelled ``gold``, as the metrics
    judge it: 2 when it is the labelled clause (or a labelled article with no point), 1 when it is in a
    labelled article, 0 otherwise. The learned ranker is trained on these grades."""
    best = 0
    for doc, article, wanted in map(_gold_keys, gold):
        if clause.doc != doc or article_of(clause) != article:
            continue
        if _clause_key(clause) == wanted or wanted == article:
            return 2
        best = 1
    return best


def _gold_keys(gold: dict) -> tuple[str, str, str]:
    """(doc, article, clause); a gold without a point is answered by any clause of its article."""
    doc = gold["doc"]
    if "clause" in gold:
        clause = str(gold["clause"])
        return doc, clause.split(".")[0], clause
    article, point = str(gold["article"]), gold.get("point")
    return doc, article, f"{article}/{point}" if point else article


@dataclass
class Report:
    mode: str
    n: int = 0
    clause: dict = field(default_factory=dict)
    article: dict = field(default_factory=dict)
    declined_offtopic: float | None = None
    declined_answerable: float | None = None
    calibration: dict = field(default_factory=dict)
    latency_ms: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)   # group name → {"n", "clause", "article", declines}
    per_item: list[dict] = field(default_factory=list)

    def to_dict(self, items: bool = False) -> dict:
        d = {"mode": self.mode, "n": self.n, "clause": self.clause, "article": self.article,
             "declined_offtopic": self.declined_offtopic, "declined_answerable": self.declined_answerable,
             "calibration": self.calibration, "latency_ms": self.latency_ms, "groups": self.groups}
        if items:
            d["items"] = self.per_item
        return d


def _metrics(ranks: list[int | None]) -> dict:
    n = len(ranks) or 1
    out = {f"recall@{k}": round(sum(1 for r in ranks if r and r <= k) / n, 3) for k in CUTOFFS}
    out["mrr@10"] = round(sum(1 / r for r in ranks if r and r <= 10) / n, 3)
    return out


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 3) if flags else None


def _calibration(rows: list[dict]) -> dict:
    """How far a clause's calibrated probability (``ClauseHit.applies``) can be read as such: the precision of
    the clauses at ``SURE`` or more, the share of answerable messages that get one, and the Brier score."""
    shown = [(score, hit) for r in rows for score, hit in r.get("shown", [])]
    if not shown:
        return {"sure_precision": None, "sure_share": None, "brier": None}
    sure = [hit for score, hit in shown if score >= SURE]
    answerable = [r for r in rows if r["gold"]]
    return {"sure_precision": _share(sure),
            "sure_share": _share([any(score >= SURE for score, _ in r.get("shown", [])) for r in answerable]),
            "brier": round(sum((score - hit) ** 2 for score, hit in shown) / len(shown), 3)}


def _summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["gold"]]
    return {"n": len(rows), "clause": _metrics([r["clause_rank"] for r in answerable]),
            "article": _metrics([r["article_rank"] for r in answerable]),
            "declined_offtopic": _share([r["declined"] for r in rows if not r["gold"]]),
            "declined_answerable": _share([r["declined"] for r in answerable]),
            "calibration": _calibration(rows)}


def rank_item(item: Item, result) -> dict:
    """Where the gold clause and article first appear among the clause hits (None past 10)."""
    golds = [_gold_keys(g) for g in item.gold]
    c_rank = a_rank = None
    seen_articles: list[tuple[str, str]] = []
    for rank, hit in enumerate(result.clauses[:10], start=1):
        key = (hit.doc, article_of(hit))
        if key not in seen_articles:
            seen_articles.append(key)
        if c_rank is None and any(hit.doc == d and (_clause_key(hit) == c or (c == a and article_of(hit) == a))
                                  for d, a, c in golds):
            c_rank = rank
        if a_rank is None and any(key == (d, a) for d, a, _ in golds):
            a_rank = seen_articles.index(key) + 1
    return {"id": item.id, "group": item.group, "part": item.part, "gold": bool(golds), "clause_rank": c_rank,
            "article_rank": a_rank,
            "declined": bool(getattr(result, "declined", False)),
            "confidence": round(float(getattr(result, "confidence", 0.0)), 3),
            "top": [h.citation for h in result.clauses[:3]],
            # the best five clauses' calibrated probabilities, and whether each lies in a labelled article
            "shown": [[round(float(h.applies), 4), any(h.doc == d and article_of(h) == a for d, a, _ in golds)]
                      for h in result.clauses[:SHOWN] if getattr(h, "applies", None) is not None]}


def evaluate(searcher, items: list[Item], mode: str = "") -> Report:
    """Score one searcher over the items (clause hits only; cases are not gold)."""
    report = Report(mode=str(mode or getattr(getattr(searcher, "mode", ""), "value", "")))
    latencies = []
    for item in items:
        started = time.perf_counter()
        result = searcher.search(item.text, k=10)
        latencies.append((time.perf_counter() - started) * 1000)
        report.per_item.append(rank_item(item, result))
    overall = _summarise(report.per_item)
    report.n, report.clause, report.article = overall["n"], overall["clause"], overall["article"]
    report.declined_offtopic, report.declined_answerable = overall["declined_offtopic"], overall["declined_answerable"]
    report.calibration = overall["calibration"]
    for part in dict.fromkeys(r["part"] for r in report.per_item):
        rows = [r for r in report.per_item if r["part"] == part]
        report.groups[f"{part}/all"] = _summarise(rows)
        for group in dict.fromkeys(r["group"] for r in rows):
            report.groups[f"{part}/{group}"] = _summarise([r for r in rows if r["group"] == group])
    if latencies:
        ordered = sorted(latencies)
        report.latency_ms = {"median": round(statistics.median(ordered), 1),
                             "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1)}
    return report

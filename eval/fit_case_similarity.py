"""Fit ``CASE_SIMILARITY`` and ``MIN_SHARED_WORDS`` of assistant/retrieval/similar.py: when a past case is shown.

    .venv/bin/python eval/fit_case_similarity.py --index DIR [--items eval/dev.jsonl] [--kinds demo,offtopic]

Only the part «tune» of the items is read (never «test»). Each message is analysed as the agent page analyses
it; every past case a point gets (templated ones left out, as the page leaves them out) is labelled relevant when
it cites a clause in one of the message's gold articles (``assistant.evaluation.harness.grade`` ≥ 1). Law
questions are left out by default: the past cases cite only the marketplace's documents, so their cases could
never be labelled relevant, however useful. The pair printed maximises F0.5 of the cases shown against all
relevant cases: precision weighs twice recall, because an unrelated case beside a complaint is the failure
these thresholds exist to prevent.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.analyze import analyze  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation import load_items  # noqa: E402
from assistant.evaluation.harness import grade  # noqa: E402
from assistant.retrieval import Searcher  # noqa: E402
from assistant.retrieval.similar import shared_words  # noqa: E402

MIN_WORDS = (1, 2, 3, 4, 10**6)   # 10**6: words alone are never a reason


@dataclass(frozen=True)
class Labelled:
    similarity: float
    relevant: bool
    shares_clause: bool   # cites a clause found for the point
    words: int            # content words shared with what was searched for the point


@dataclass(frozen=True)
class Fit:
    threshold: float
    min_words: int
    shown: int
    relevant: int
    total: int            # relevant cases among all

    @property
    def precision(self) -> float:
        return self.relevant / self.shown if self.shown else 0.0

    @property
    def recall(self) -> float:
        return self.relevant / self.total if self.total else 0.0

    @property
    def f05(self) -> float:
        p, r = self.precision, self.recall
        return 1.25 * p * r / (0.25 * p + r) if p + r else 0.0


def labelled_cases(searcher: Searcher, items) -> list[Labelled]:
    """Every non-templated past case of every point of every item, labelled."""
    out = []
    for item in items:
        for point in analyze(searcher, item.text).points:
            found = {c.id for c in point.clauses}
            for case in point.cases:
                if case.templated or case.similarity is None:
                    continue
                cited = [searcher.corpus.clause(cid) for cid in case.cited]
                relevant = any(c is not None and grade(c, item.gold) >= 1 for c in cited)
                words = len(shared_words(point.query or " ".join(point.sentences), case.text))
                out.append(Labelled(case.similarity, relevant, bool(found & set(case.cited)), words))
    return out


def fits(rows: list[Labelled]) -> list[Fit]:
    """One ``Fit`` per similarity threshold (3 decimals, never above a case's) and minimum of shared words.

    >>> rows = [Labelled(0.9, True, True, 0), Labelled(0.8, False, False, 1), Labelled(0.85, True, False, 3)]
    >>> best = max(fits(rows), key=lambda f: f.f05)
    >>> best.threshold, best.min_words, best.shown, best.relevant
    (0.8, 2, 2, 2)
    """
    total = sum(r.relevant for r in rows)
    out = []
    for threshold in sorted({math.floor(r.similarity * 1000) / 1000 for r in rows}):
        for min_words in MIN_WORDS:
            shown = [r for r in rows if r.similarity >= threshold and (r.shares_clause or r.words >= min_words)]
            out.append(Fit(threshold, min_words, len(shown), sum(r.relevant for r in shown), total))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", required=True)
    parser.add_argument("--items", default=str(Path(__file__).with_name("dev.jsonl")))
    parser.add_argument("--kinds", default="demo,offtopic")
    args = parser.parse_args(argv)
    kinds = set(args.kinds.split(","))
    items = [i for i in load_items(args.items) if i.part == "tune" and i.group in kinds]
    searcher = Searcher.open(Settings.resolve(index=args.index))
    rows = labelled_cases(searcher, items)
    total = sum(r.relevant for r in rows)
    print(f"{len(items)} tune messages ({args.kinds}); {len(rows)} past cases, {total} relevant "
          f"(precision {total / max(len(rows), 1):.2f} when all are shown)")
    clause = [r for r in rows if r.shares_clause]
    print(f"  citing a clause found: {len(clause)} cases, {sum(r.relevant for r in clause)} relevant")
    for n in range(5):
        some = [r for r in rows if not r.shares_clause and min(r.words, 4) == n]
        print(f"  otherwise, {n}{'+' if n == 4 else ''} shared words: {len(some)} cases, "
              f"{sum(r.relevant for r in some)} relevant")
    every = fits(rows)
    for min_words in MIN_WORDS:
        best = max((f for f in every if f.min_words == min_words), key=lambda f: f.f05)
        print(f"  words ≥ {min_words}: best similarity ≥ {best.threshold:.3f}, shown {best.shown}, relevant "
              f"{best.relevant}, precision {best.precision:.2f}, recall {best.recall:.2f}, F0.5 {best.f05:.3f}")
    best = max(every, key=lambda f: f.f05)
    print(f"CASE_SIMILARITY = {best.threshold:.3f}; MIN_SHARED_WORDS = {best.min_words}  # shown {best.shown} of "
          f"{len(rows)}, {best.relevant} relevant: precision {best.precision:.2f}, recall {best.recall:.2f}, "
          f"F0.5 {best.f05:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

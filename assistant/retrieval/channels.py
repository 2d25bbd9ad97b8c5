"""What every retrieval channel promises, so the searcher composes them without knowing which they are.

A *plan* is one message as searched: the message itself first, then its sentence windows when it
is long. A channel scores every query of a plan over the corpus's keys, and reports the
plan-level signals the decline model reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .query import Query

Plan = list[Query]


@dataclass
class PlanScores:
    per_query: list[np.ndarray]                       # one score per key, for each query of the plan
    signals: dict[str, float] = field(default_factory=dict)   # e.g. {"own": 0.83, "whole": 0.86}
    parts: dict[str, np.ndarray] = field(default_factory=dict)   # message-level scores the ranker reads, by name


class Channel(Protocol):
    name: str

    def scores(self, plans: list[Plan]) -> list[PlanScores]: ...

"""Past cases as evidence for clauses: what similar messages were answered with.

Real support questions repeat. A message close to a past case (or to a reply an agent accepted)
is likely answered by the clauses that case cited, even when the message shares no words with
them. This turns the dense channel's case similarities into a score per clause: the similarity of
the most similar past case, among the ``VOTERS`` nearest with similarity at least
``MIN_SIMILARITY``, that cited it. The fusion ranks it as one more channel («cases»); templated
replies, which cite by habit, do not vote.

>>> import numpy as np
>>> from types import SimpleNamespace as NS
>>> corpus = NS(keys=[("clause", "r:1"), ("clause", "r:2"), ("case", "c1")],
...             is_clause=np.array([True, True, False]),
...             cases={"c1": NS(cited=("r:2",), templated=False)})
>>> evidence = Precedents(corpus)
>>> [round(float(s), 2) for s in evidence.scores(np.array([0.2, 0.3, 0.93]))]
[0.0, 0.93, 0.0]
"""

from __future__ import annotations

import numpy as np

from .corpus import CASE, CLAUSE

VOTERS = 5             # the nearest past cases that may vote
# The dense cosine (e5) from which a past case counts as the same question. e5's cosines are high for
# any two Russian texts: on the tune part of eval/dev.jsonl, of the 5 nearest cases per question, those
# at ≥ 0.85 cited a right clause 12 % of the time (515 hits), at ≥ 0.90 50 % (30), at ≥ 0.91 73 % (11).
MIN_SIMILARITY = 0.91


class Precedents:
    def __init__(self, corpus, voters: int = VOTERS, min_similarity: float = MIN_SIMILARITY) -> None:
        self.voters, self.min_similarity = voters, min_similarity
        self.n = len(corpus.keys)
        key_of = {ref: k for k, (kind, ref) in enumerate(corpus.keys) if kind == CLAUSE}
        self.case_keys = np.array([k for k, (kind, _) in enumerate(corpus.keys) if kind == CASE], dtype=np.int64)
        self.cited: dict[int, list[int]] = {}
        for k in self.case_keys.tolist():
            case = corpus.cases[corpus.keys[k][1]]
            if not case.templated:
                self.cited[k] = [key_of[c] for c in case.cited if c in key_of]

    def scores(self, dense: np.ndarray) -> np.ndarray:
        """One score per key: for a clause, the similarity of the nearest voting case that cited it."""
        out = np.zeros(self.n, dtype=np.float32)
        if not len(self.case_keys):
            return out
        similar = self.case_keys[np.argsort(-dense[self.case_keys], kind="stable")[:self.voters]]
        for key in similar.tolist():
            if dense[key] < self.min_similarity:
                break
            for clause in self.cited.get(key, ()):
                out[clause] = max(out[clause], dense[key])
        return out

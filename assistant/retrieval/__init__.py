"""Retrieval: from a message to the clauses and past cases that apply, with reasons and a confidence.

Layout, one job per module:

- ``corpus``: a read-only view of one published snapshot (clauses, cases, related clauses, staleness);
- ``query``: a text with its language, detected once;
- ``channels``: the protocol every channel implements; ``dense`` (FAISS) and ``lexical`` (BM25 over lemmas);
- ``glossary``: lay words → legal terms, for the lexical query and a second embedding;
- ``fusion``: weighted reciprocal-rank fusion, each weight with where it came from;
- ``decline``: the calibrated "no clause applies" model;
- ``references``: «п. 5.3.1», «статьи 19» written in text;
- ``explain``: the best sentence of a clause and the words it shares with the message;
- ``hits``: the typed results; ``searcher``: composition only.

>>> searcher = Searcher.open(Settings.resolve())            # doctest: +SKIP
>>> searcher.search("посылку потеряли", k=3).clauses[0].id   # doctest: +SKIP
'marketplace-rules:5.3.1'
"""

from .corpus import Corpus, Staleness
from .hits import CaseHit, ClauseHit, Related, SearchResult
from .searcher import Mode, Searcher

__all__ = ["CaseHit", "ClauseHit", "Corpus", "Mode", "Related", "SearchResult", "Searcher", "Staleness"]

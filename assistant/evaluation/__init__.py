"""Evaluation code, not used when serving: the retrieval harness, its baselines, and the shared laws
turned into documents for it. The CLI's ``assistant eval``, the maintainer page's evaluation button,
the benchmarks and ``eval/calibrate.py`` use it.

>>> report = evaluate(searcher, load_items("eval/dev.jsonl"))     # doctest: +SKIP
"""

from .baselines import ChunkBaseline
from .harness import Item, Report, evaluate, grade, load_items, rank_item
from .laws import Law, load_law, prepare_eval_index

__all__ = ["ChunkBaseline", "Item", "Law", "Report", "evaluate", "grade", "load_items", "load_law", "prepare_eval_index",
           "rank_item"]

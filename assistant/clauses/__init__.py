"""Cut a loaded document into numbered clauses with stable ids and human citations.

>>> from assistant.ingest import load_document
>>> from assistant.clauses import segment
>>> clauses = segment(load_document("corpus/marketplace-rules-v2.md"), doc="marketplace-rules",
...                   version="2", short="Правила площадки")          # doctest: +SKIP
>>> clauses[5].citation                                                # doctest: +SKIP
'Правила площадки, п. 1.5'
"""

from .segment import segment

__all__ = ["segment"]

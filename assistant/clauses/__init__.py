"""Cut a loaded document into numbered clauses with stable ids and human citations.

>>> from assistant.config import REPO_ROOT
>>> from assistant.ingest import load_document
>>> from assistant.clauses import segment
>>> clauses = segment(load_document(REPO_ROOT / "corpus" / "marketplace-rules-v2.md"), doc="marketplace-rules",
...                   version="2", short="Правила площадки")
>>> lost = next(c for c in clauses if c.id == "marketplace-rules:5.3.1")
>>> lost.citation, lost.path
('Правила площадки, п. 5.3.1', ('5', '5.3', '5.3.1'))
"""

from .segment import segment

__all__ = ["segment"]

"""Read a message: the facts it states, the points it raises, and the deadlines that follow.

>>> from assistant.analyze import analyze                         # doctest: +SKIP
>>> a = analyze(searcher, "Заказ № 48213-0917 потерялся, прошло 12 дней. Верните 4 590 ₽.")   # doctest: +SKIP
>>> [f.kind for f in a.facts]                                      # doctest: +SKIP
['order', 'duration', 'request', 'sum']
"""

from .facts import Fact, extract_facts
from .points import Analysis, Point, analyze

__all__ = ["Analysis", "Fact", "Point", "analyze", "extract_facts"]

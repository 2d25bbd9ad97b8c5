"""Mask personal data before any text leaves the machine (and before anything is logged).

>>> mask("Звоните +7 (912) 345-67-89 или пишите ivan@mail.ru, карта 4276 1234 5678 9012")
'Звоните [телефон] или пишите [e-mail], карта [карта]'
"""

from __future__ import annotations

import re

_PATTERNS = [
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[карта]"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[e-mail]"),
    (re.compile(r"(?:\+7|\b8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}\b|\+\d{1,3}[\s(-]*\d{2,4}[\s)-]*\d{3}[\s-]*\d{2,4}[\s-]*\d{0,4}"), "[телефон]"),
]


def mask(text: str) -> str:
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text

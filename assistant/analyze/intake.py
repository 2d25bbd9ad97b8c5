"""The first step for every message: cleaned, bounded, and refused with a reason when it cannot be read.

>>> intake("Где  заказ?\u200b", limit=100)
'Где заказ?'
>>> intake("x" * 101, limit=100)
Traceback (most recent call last):
...
assistant.errors.MessageTooLong: the message is 101 characters long; the limit is 100 (ASSISTANT_MAX_MESSAGE_CHARS) — paste only the part that needs an answer
"""

from __future__ import annotations

from ..errors import MessageRejected, MessageTooLong
from ..text import clean, unshout

DEFAULT_LIMIT = 20_000   # Settings.max_message_chars


def intake(text: str, limit: int = DEFAULT_LIMIT) -> str:
    """``text`` cleaned (look-alike letters, invisible characters) with single spaces; ``MessageRejected`` when
    it is empty or longer than ``limit`` characters."""
    if len(text) > limit:
        raise MessageTooLong(len(text), limit)
    cleaned = unshout(" ".join(clean(text).split()))
    if not cleaned:
        raise MessageRejected("the message is empty; paste the customer's or seller's text")
    return cleaned

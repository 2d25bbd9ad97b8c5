"""Personal data masked wherever text leaves a person's own ticket: stored replies, past cases shown to
other people, language-model prompts and log lines.

Masked: bank card numbers, e-mail addresses, phone numbers, passport series and number, ИНН and
СНИЛС. Order and shipment numbers are not personal data and stay: a reply needs them.

>>> mask("Звоните +7 (912) 345-67-89 или пишите ivan@mail.ru, карта 4276 1234 5678 9012")
'Звоните [телефон] или пишите [e-mail], карта [карта]'
>>> mask("паспорт 45 10 123456, ИНН 7707083893, СНИЛС 112-233-445 95, заказ № 48213-0917")
'паспорт [паспорт], ИНН [ИНН], СНИЛС [СНИЛС], заказ № 48213-0917'
>>> has_personal_data("карта 4276-1234-5678-9012"), has_personal_data("заказ 48213-0917")
(True, False)
"""

from __future__ import annotations

import logging
import re

_CARD = re.compile(r"(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])")
_CARD_WORD = re.compile(r"(?i)(?:карт|card|visa|mastercard|мир\b)")
_PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"(?i)(?<=паспорт)(?:[а-я]*)?[\s:№-]*(?:сери[яи]\s*)?\d{2}\s?\d{2}[\s№-]*(?:номер\s*)?\d{6}\b"),
     " [паспорт]"),
    (re.compile(r"(?i)(?<=инн)[\s:№-]*\d{10}(?:\d{2})?\b"), " [ИНН]"),
    (re.compile(r"(?i)(?<=снилс)[\s:№-]*\d{3}[ -]?\d{3}[ -]?\d{3}[ -]?\d{2}\b"), " [СНИЛС]"),
    (re.compile(r"(?:\+7|(?<![\d-])8|(?<![\d-])7)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?![\d-])"
                r"|\+\d[\d\s()-]{7,16}\d(?!\d)"), "[телефон]"),
]
_PLACEHOLDER_SPACE = re.compile(r"(инн|снилс|паспорт\w*)\s+(\[(?:ИНН|СНИЛС|паспорт)\])", re.I)


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _card(m: re.Match) -> str:
    """A card number passes the Luhn check, or follows the word «карта»; a long shipment number does neither."""
    digits = re.sub(r"\D", "", m.group(0))
    named = _CARD_WORD.search(m.string, max(0, m.start() - 25), m.start())
    return "[карта]" if _luhn(digits) or named else m.group(0)


def mask(text: str) -> str:
    """``text`` with every personal-data pattern replaced by a bracketed placeholder."""
    text = _CARD.sub(_card, text)
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return _PLACEHOLDER_SPACE.sub(r"\1 \2", text)


def has_personal_data(text: str) -> bool:
    return mask(text) != text


def mask_record(value):
    """Every string inside a JSON-like value (dicts, lists) masked; other values as they are."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_record(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(mask_record(v) for v in value)
    return value


class MaskingFilter(logging.Filter):
    """A log filter that masks the formatted message and any exception text of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True


def install_log_masking(logger: logging.Logger | None = None) -> None:
    """Put ``MaskingFilter`` on every handler of ``logger`` (default: the root logger), once."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())

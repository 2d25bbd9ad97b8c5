"""Logging for the app: one stderr handler at ``ASSISTANT_LOG_LEVEL``, every line masked for personal data.

The app's own loggers (``assistant.*``) log error types and stacks, never message text; the masking filter
(``privacy.MaskingFilter``) is the second line of defence for anything that slips into a line anyway, from
our code or a library's, and covers every handler there is, Streamlit's too (its loggers do not propagate to the root).

>>> configure_logging("DEBUG")   # doctest: +SKIP
>>> configure_logging("LOUD")
Traceback (most recent call last):
SystemExit: ASSISTANT_LOG_LEVEL='LOUD' must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL
"""

from __future__ import annotations

import logging
import os
import sys

from .privacy import install_log_masking

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: str | None = None) -> None:
    """Set the root logger to ``level`` (default ``ASSISTANT_LOG_LEVEL``, else WARNING) with one stderr handler,
    and mask personal data on every handler. Idempotent: Streamlit runs the page script on every interaction."""
    level = (level or os.environ.get("ASSISTANT_LOG_LEVEL") or "WARNING").strip().upper()
    if level not in LEVELS:
        raise SystemExit(f"ASSISTANT_LOG_LEVEL={level!r} must be one of {', '.join(LEVELS)}")
    root = logging.getLogger()
    if not any(getattr(h, "assistant", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.assistant = True
        root.addHandler(handler)
    root.setLevel(level)
    for logger in [root, *logging.root.manager.loggerDict.values()]:
        if isinstance(logger, logging.Logger):   # Streamlit's loggers each have a handler and do not propagate
            install_log_masking(logger)

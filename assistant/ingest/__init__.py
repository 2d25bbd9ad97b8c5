"""Read rules files into blocks of text, refusing bad input with an actionable message.

>>> from assistant.config import REPO_ROOT
>>> from assistant.ingest import load_document
>>> doc = load_document(REPO_ROOT / "corpus" / "marketplace-rules-v2.md")
>>> doc.blocks[0].text
'Правила размещения и продажи товаров на площадке Маркетлайн'
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import IngestError
from ..schema import SourceDocument
from . import docx as _docx
from . import html as _html
from . import pdf as _pdf
from . import text as _text

RULE_SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}
CASE_SUFFIXES = {".jsonl": "jsonl", ".csv": "csv"}


def read_limited(path: Path, max_bytes: int) -> bytes:
    """Read a whole file after checking it is not empty and not over the size limit."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(path, f"cannot be read ({exc.strerror})", "check the path and permissions") from None
    if size > max_bytes:
        raise IngestError(
            path,
            f"is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit",   # as ASSISTANT_MAX_FILE_MB counts
            "split the document, or raise ASSISTANT_MAX_FILE_MB if it really is one document",
        )
    data = path.read_bytes()
    if not data.strip():
        raise IngestError(path, "is empty", "export the document again; nothing was indexed from it")
    return data


def load_document(path: str | Path, *, max_bytes: int = 50 * 1024 * 1024, max_pages: int = 2000,
                  encoding: str | None = None, max_unpacked: int = 64 * 1024 * 1024) -> SourceDocument:
    """Load one rules file (.pdf, .docx, .html, .md, .txt) into blocks; raise ``IngestError`` on bad input."""
    path = Path(path)
    fmt = RULE_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise IngestError(path, f"has an unsupported type {path.suffix or '(no suffix)'}",
                          "rules must be one of " + ", ".join(sorted(RULE_SUFFIXES)))
    data = read_limited(path, max_bytes)
    if fmt == "pdf":
        blocks, title = _pdf.blocks_from_pdf(data, path, max_pages)
    elif fmt == "docx":
        blocks, title = _docx.blocks_from_docx(data, path, max_unpacked)
    elif fmt == "html":
        blocks, title = _html.blocks_from_html(_text.decode(data, path, encoding), path)
    else:
        blocks, title = _text.blocks_from_text(_text.decode(data, path, encoding), markdown=fmt == "markdown")
    if not any(b.text.strip() for b in blocks):
        raise IngestError(path, "contains no text", "if it is a scan, run OCR first (e.g. ocrmypdf) and index the result")
    return SourceDocument(path=str(path), fmt=fmt, blocks=blocks, sha256=hashlib.sha256(data).hexdigest(), title=title)

"""PDF via pypdf: text per page, running headers, footers and page numbers dropped, hyphenation undone."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

from ..errors import IngestError
from ..schema import Block
from .wrap import hyphen_vocabulary, merge_hyphenated

_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:стр\.?|страница|page|с\.)\s*)?\d{1,4}(?:\s*(?:из|of|/)\s*\d{1,4})?(?:\s*[-–—])?$", re.I
)
_EDGE = 2  # lines at the top and bottom of a page that may be running headers or footers


def _signature(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _open(data: bytes, path: Path):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:
                ok = 0
            if not ok:
                raise IngestError(path, "is encrypted with a password",
                                  "save an unprotected copy (e.g. `qpdf --decrypt in.pdf out.pdf`) and index that")
        return reader, len(reader.pages)
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(path, f"is not a readable PDF ({exc.__class__.__name__}: {exc})",
                          "export it to PDF again, or index the DOCX/HTML source instead") from None


def blocks_from_pdf(data: bytes, path: Path, max_pages: int) -> tuple[list[Block], str]:
    """Extract one soft block per text line, with its page number (1-based)."""
    reader, n_pages = _open(data, path)
    if n_pages > max_pages:
        raise IngestError(path, f"has {n_pages} pages, over the {max_pages}-page limit",
                          "split it, or raise ASSISTANT_MAX_PDF_PAGES")
    pages: list[list[str]] = []
    for i in range(n_pages):
        try:
            text = reader.pages[i].extract_text() or ""
        except Exception as exc:  # pypdf raises many types on damaged content streams
            raise IngestError(path, f"page {i + 1} cannot be read ({exc.__class__.__name__})",
                              "export the PDF again") from None
        pages.append([ln.strip() for ln in text.splitlines() if ln.strip()])
    if not any(pages):
        raise IngestError(path, "has no text layer (a scan or images only)",
                          "run OCR first, e.g. `ocrmypdf in.pdf out.pdf`, and index the result")
    pages = _drop_running_lines(pages)
    vocab = hyphen_vocabulary("\n".join(ln for p in pages for ln in p))
    flat = [(no, ln) for no, lines in enumerate(pages, start=1) for ln in lines]
    # across page breaks too: a word split at the foot of one page ends at the top of the next
    blocks = [Block(text, page=flat[i][0], soft=True) for i, text in merge_hyphenated([ln for _, ln in flat], vocab)]
    return blocks, _title(reader) or (blocks[0].text if blocks else "")


def _title(reader) -> str:
    """The title in the document information dictionary; "" when there is none or it cannot be read (a
    damaged trailer must not refuse a PDF whose pages are readable: the first line names it instead)."""
    try:
        meta = reader.metadata
        return str(meta.title) if meta and meta.title else ""
    except Exception:  # pypdf raises many types on a damaged trailer or info dictionary
        return ""


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers, and lines repeated at the edge of most pages (headers and footers)."""
    edge = Counter()
    for lines in pages:
        edge.update({_signature(ln) for ln in lines[:_EDGE] + lines[-_EDGE:]})
    threshold = max(2, (len(pages) + 1) // 2)
    running = {sig for sig, n in edge.items() if n >= threshold} if len(pages) >= 2 else set()
    cleaned = []
    for lines in pages:
        keep = []
        for j, ln in enumerate(lines):
            at_edge = j < _EDGE or j >= len(lines) - _EDGE
            if at_edge and (_PAGE_NUMBER.match(ln) or _signature(ln) in running):
                continue
            keep.append(ln)
        cleaned.append(keep)
    return cleaned

"""DOCX via python-docx: heading styles become heading levels, automatic numbering becomes visible labels."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from ..errors import IngestError
from ..schema import Block
from .numbering import ListCounter, format_number

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|заголовок)\s*(\d)$", re.I)
_MAX_LEVEL = 8          # Word's list levels are 0–8
_MAX_START = 32767      # and a list starts at most there


def _int(value, default: int, high: int) -> int:
    """A number from the XML, clamped to 0…``high``: a damaged or hostile file may say «x», «-5» or 10⁹ (a level of
    10⁹ grew a counter list until memory ran out; a start of 10¹² took hours to write in Roman numerals)."""
    try:
        return min(max(int(value), 0), high)
    except (TypeError, ValueError):
        return default


def _numbering_formats(document) -> dict[tuple[str, int], tuple[str, str, int]]:
    """Map (numId, ilvl) → (numFmt, lvlText, start) from the numbering part, if any."""
    try:
        part = document.part.numbering_part
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    root = part.element
    abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
    for an in root.findall(f"{_W}abstractNum"):
        levels = {}
        for lvl in an.findall(f"{_W}lvl"):
            fmt = lvl.find(f"{_W}numFmt")
            text = lvl.find(f"{_W}lvlText")
            start = lvl.find(f"{_W}start")
            levels[_int(lvl.get(f"{_W}ilvl"), 0, _MAX_LEVEL)] = (
                fmt.get(f"{_W}val") if fmt is not None else "decimal",
                text.get(f"{_W}val") if text is not None else "%1.",
                _int(start.get(f"{_W}val"), 1, _MAX_START) if start is not None else 1,
            )
        abstract[an.get(f"{_W}abstractNumId")] = levels
    out = {}
    for num in root.findall(f"{_W}num"):
        ref = num.find(f"{_W}abstractNumId")
        if ref is None:
            continue
        for ilvl, spec in abstract.get(ref.get(f"{_W}val"), {}).items():
            out[(num.get(f"{_W}numId"), ilvl)] = spec
    return out


def _num_pr(paragraph, style):
    """The paragraph's (numId, ilvl), from its own properties or its style's."""
    for holder in (paragraph._p.pPr, style.element.pPr if style is not None else None):
        if holder is None:
            continue
        num_pr = holder.find(f"{_W}numPr")
        if num_pr is not None:
            num_id = num_pr.find(f"{_W}numId")
            ilvl = num_pr.find(f"{_W}ilvl")
            if num_id is not None:
                return num_id.get(f"{_W}val"), _int(ilvl.get(f"{_W}val"), 0, _MAX_LEVEL) if ilvl is not None else 0
    return None


def _style(document, paragraph, cache: dict):
    """The paragraph's style, looked up once per style id (python-docx resolves it on every access)."""
    ppr = paragraph._p.pPr
    style_id = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
    if style_id not in cache:
        cache[style_id] = paragraph.style
    return cache[style_id]


def _label(formats, counters, num_id: str, ilvl: int) -> str:
    fmt, text, start = formats.get((num_id, ilvl), ("decimal", "%1.", 1))
    if fmt in ("bullet", "none"):
        return ""
    counts = counters.setdefault(num_id, ListCounter()).next(ilvl, start)
    label = text
    for lvl, n in enumerate(counts):
        lvl_fmt = formats.get((num_id, lvl), ("decimal", "", 1))[0]
        label = label.replace(f"%{lvl + 1}", format_number(n, lvl_fmt))
    return label.strip()


def _check_unpacked(data: bytes, path: Path, max_unpacked: int) -> None:
    """A DOCX is a zip: what it expands to is what costs time and memory, so that is what is limited."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:   # a zip version 6.4
        raise IngestError(path, f"is not a readable DOCX ({exc.__class__.__name__})",
                          "open it in Word or LibreOffice and save it as .docx again") from None
    if unpacked > max_unpacked:
        raise IngestError(path, f"expands to {unpacked / 1e6:.0f} MB of XML, over the {max_unpacked / 1e6:.0f} MB limit",
                          "save it again without embedded objects, split it, or raise ASSISTANT_MAX_UNPACKED_MB")


def blocks_from_docx(data: bytes, path: Path, max_unpacked: int = 64 * 1024 * 1024) -> tuple[list[Block], str]:
    """Paragraphs and table rows in document order; page numbers are not known in DOCX."""
    import docx
    from docx.opc.exceptions import OpcError
    from docx.oxml.exceptions import InvalidXmlError
    from lxml.etree import LxmlError

    _check_unpacked(data, path, max_unpacked)
    try:
        return _read(docx.Document(io.BytesIO(data)))
    # a damaged archive fails in zlib or mid-member (EOFError), an encrypted member or an unknown compression
    # method in zipfile (RuntimeError, NotImplementedError); damaged XML anywhere in the walk below
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, KeyError, ValueError, TypeError,
            IndexError, AttributeError, LxmlError, OpcError, InvalidXmlError) as exc:
        why = "damaged compressed data" if isinstance(exc, (zlib.error, EOFError)) else exc.__class__.__name__
        raise IngestError(path, f"is not a readable DOCX ({why})",
                          "open it in Word or LibreOffice and save it as .docx again") from None


def _read(document) -> tuple[list[Block], str]:
    """The opened document's blocks and title."""
    formats = _numbering_formats(document)
    counters: dict[str, ListCounter] = {}
    styles: dict = {}
    blocks: list[Block] = []
    body = document.element.body
    paragraph_by_element = {p._p: p for p in document.paragraphs}
    for child in body.iterchildren():
        if child.tag == f"{_W}p":
            para = paragraph_by_element.get(child)
            if para is None:
                continue
            text = para.text.strip()
            if not text:
                continue
            style = _style(document, para, styles)
            name = style.name if style is not None else ""
            m = _HEADING_STYLE.match(name or "")
            level = int(m.group(1)) if m else (1 if name == "Title" else None)
            num = _num_pr(para, style)
            if num:
                label = _label(formats, counters, *num)
                if label and not text.startswith(label):
                    text = f"{label} {text}"
            blocks.append(Block(text, heading=level))
        elif child.tag == f"{_W}tbl":
            for row in child.iter(f"{_W}tr"):
                cells = ["".join(t.text or "" for t in cell.iter(f"{_W}t")).strip() for cell in row.iter(f"{_W}tc")]
                row_text = " | ".join(c for c in cells if c)
                if row_text:
                    blocks.append(Block(row_text))
    title = document.core_properties.title or next((b.text for b in blocks if b.heading == 1), "")
    return blocks, title

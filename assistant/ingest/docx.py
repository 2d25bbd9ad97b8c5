"""DOCX via python-docx: heading styles become heading levels, automatic numbering becomes visible labels."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..errors import IngestError
from ..schema import Block
from .numbering import ListCounter, format_number

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_STYLE = re.compile(r"^(?:heading|заголовок)\s*(\d)$", re.I)


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
            levels[int(lvl.get(f"{_W}ilvl"))] = (
                fmt.get(f"{_W}val") if fmt is not None else "decimal",
                text.get(f"{_W}val") if text is not None else "%1.",
                int(start.get(f"{_W}val")) if start is not None else 1,
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
                return num_id.get(f"{_W}val"), int(ilvl.get(f"{_W}val")) if ilvl is not None else 0
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
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise IngestError(path, f"is not a readable DOCX ({exc.__class__.__name__})",
                          "open it in Word or LibreOffice and save it as .docx again") from None
    if unpacked > max_unpacked:
        raise IngestError(path, f"expands to {unpacked / 1e6:.0f} MB of XML, over the {max_unpacked / 1e6:.0f} MB limit",
                          "save it again without embedded objects, split it, or raise ASSISTANT_MAX_UNPACKED_MB")


def blocks_from_docx(data: bytes, path: Path, max_unpacked: int = 64 * 1024 * 1024) -> tuple[list[Block], str]:
    """Paragraphs and table rows in document order; page numbers are not known in DOCX."""
    import docx
    from lxml.etree import LxmlError

    _check_unpacked(data, path, max_unpacked)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, LxmlError) as exc:
        raise IngestError(path, f"is not a readable DOCX ({exc.__class__.__name__})",
                          "open it in Word or LibreOffice and save it as .docx again") from None
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

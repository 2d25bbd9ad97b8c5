"""Markdown and plain text: headings, blank-line paragraphs, and lines that open a numbered unit."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import IngestError
from ..schema import Block
from .wrap import dehyphenate, hyphen_vocabulary

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# A line that starts a new unit even without a blank line before it: list bullets,
# decimal numbers, "1)", "а)", and law units. The segmenter decides whether it really is one.
_OPENER = re.compile(r"^(?:[-*+]\s|\d+(?:\.\d+)*[.)]\s|[а-яa-z]\)\s|(?:Статья|Глава|Раздел|Article|Chapter|Section)\s+\d|§\s*\d)")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|`)")


def decode(data: bytes, path: Path, encoding: str | None) -> str:
    """Decode UTF-8 (BOM allowed), or the encoding the user named; refuse anything else clearly."""
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise IngestError(path, f"cannot be decoded as {encoding} ({exc})", "check the --encoding value") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        guess = "Windows-1251" if _looks_cp1251(data) else "an unknown encoding"
        raise IngestError(
            path,
            f"is not UTF-8 text (byte {exc.start} looks like {guess})",
            "convert it with `iconv -f cp1251 -t utf-8 FILE > FILE.utf8` or pass --encoding cp1251",
        ) from None


def _looks_cp1251(data: bytes) -> bool:
    high = [b for b in data[:4000] if b >= 0x80]
    return bool(high) and sum(0xC0 <= b <= 0xFF for b in high) / len(high) > 0.6


def _clean_md(line: str) -> str:
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_EMPH.sub("", line)
    return line.replace("\\.", ".").replace("\\)", ")").strip()


def blocks_from_text(text: str, *, markdown: bool) -> tuple[list[Block], str]:
    """Split text into paragraph blocks. Markdown headings keep their level; the first H1 is the title."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = dehyphenate(lines, hyphen_vocabulary(text))
    blocks: list[Block] = []
    para: list[str] = []
    title = ""

    def flush():
        if para:
            blocks.append(Block(" ".join(para)))
            para.clear()

    in_front_matter = False
    for i, raw in enumerate(lines):
        line = raw.strip()
        if markdown and i == 0 and line == "---":
            in_front_matter = True
            continue
        if in_front_matter:
            in_front_matter = line != "---"
            continue
        if not line:
            flush()
            continue
        m = _HEADING.match(line) if markdown else None
        if m:
            flush()
            level, heading = len(m.group(1)), _clean_md(m.group(2))
            if level == 1 and not title:
                title = heading
            blocks.append(Block(heading, heading=level))
            continue
        if markdown:
            line = _clean_md(re.sub(r"^>\s?", "", line))
        if _OPENER.match(line):
            flush()
            line = re.sub(r"^[-*+]\s+", "", line)
        para.append(line)
    flush()
    if not title and blocks:
        title = blocks[0].text[:200]
    return blocks, title

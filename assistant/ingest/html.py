"""HTML via BeautifulSoup: headings keep their level, ``<ol>`` items get their visible numbers.

The markup is only read for structure; its text is treated as untrusted data and
never rendered.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..clauses.markers import MAX_LEVELS
from ..schema import Block
from .numbering import format_number

_BLOCK_TAGS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "pre", "blockquote", "div", "section", "article"}
_SKIP = {"script", "style", "noscript", "template", "head", "nav", "footer"}
_HAS_LABEL = re.compile(r"^(?:\d+(?:\.\d+)*[.)]|[а-яa-z]\))\s")
_OL_TYPES = {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman", "1": "decimal"}


def blocks_from_html(markup: str, path: Path) -> tuple[list[Block], str]:
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(markup, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_SKIP):
        tag.decompose()
    blocks: list[Block] = []

    def own_text(tag: Tag) -> str:
        """Text of the tag itself and its inline children, joined as written (no spaces added)."""
        parts = []
        for node in tag.children:
            if isinstance(node, NavigableString):
                parts.append(str(node))
            elif isinstance(node, Tag) and node.name == "br":
                parts.append(" ")
            elif isinstance(node, Tag) and node.name not in _BLOCK_TAGS and node.name not in ("ol", "ul", "table"):
                parts.append(node.get_text(""))
        return " ".join("".join(parts).split())

    def frame(tag: Tag, ol_prefix: list[str]) -> dict:
        """One open element: its children still to read, and the numbering of the list it is (if one)."""
        is_ol = tag.name == "ol"
        start = str(tag.get("start", "1")) if is_ol else "1"
        return {"children": iter(list(tag.children)), "prefix": ol_prefix, "counter": 0,
                "type": _OL_TYPES.get(tag.get("type", "1"), "decimal") if is_ol else None,
                "start": int(start) if start.isdigit() and len(start) <= 6 else 1}   # not 10⁵⁰⁰⁰: int() refuses it

    # An explicit stack, not recursion: markup nested thousands deep is read like any other.
    stack = [frame(soup.body or soup, [])]
    while stack:
        top = stack[-1]
        node = next(top["children"], None)
        if node is None:
            stack.pop()
            continue
        if not isinstance(node, Tag):
            continue
        name, ol_prefix, ol_type = node.name, top["prefix"], top["type"]
        if name in ("ol", "ul"):
            stack.append(frame(node, ol_prefix))
        elif name == "li" and ol_type:
            n = top["start"] + top["counter"]
            top["counter"] += 1
            number = format_number(n, ol_type)
            decimal = ol_type == "decimal"
            # lists nested deeper than any numbering a clause can have: their items are text of the deepest unit
            too_deep = decimal and len(ol_prefix) >= MAX_LEVELS
            label = (".".join(ol_prefix + [number]) + ".") if decimal else f"{number})"
            text = own_text(node)
            if text and not too_deep and not _HAS_LABEL.match(text):
                text = f"{label} {text}"
            if text:
                blocks.append(Block(text))
            stack.append(frame(node, ol_prefix + [number] if decimal and not too_deep else ol_prefix))
        elif name in _BLOCK_TAGS:
            text = own_text(node)
            if text:
                level = int(name[1]) if name[0] == "h" and name[1:].isdigit() else None
                blocks.append(Block(text, heading=level))
            stack.append(frame(node, ol_prefix))
        else:
            stack.append(frame(node, ol_prefix))

    if not title:
        title = next((b.text for b in blocks if b.heading == 1), "")
    return blocks, title

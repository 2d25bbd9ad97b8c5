"""Build the unit tree of a document from its blocks, then flatten it into clauses.

Numbering is trusted only when it is plausible where it stands: ``4.2`` after
``4.1`` opens a unit, ``4.2`` after ``7.3`` is a cross-reference that happens to
start a line. Markup headings (Markdown ``#``, HTML ``<h2>``, DOCX heading styles)
are trusted as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import IngestError
from ..schema import Block, Clause, SourceDocument
from ..text import detect_lang
from .citation import cite, clause_id, display_label, unit_of
from .markers import INLINE_DECIMAL, Kind, Marker, parse_marker

_REPEALED = re.compile(r"^\s*(утратил[аио]?\s+силу|исключ[её]н[аоы]?|repealed|deleted)\b", re.I)
_MAX_GAP = 3          # tolerated jump in sibling numbers (real documents skip numbers)
_TITLE_MAX = 120      # a short unpunctuated line after a label is a title, not clause text


@dataclass
class _Node:
    kind: Kind
    label: str
    number: tuple
    title: str = ""
    page: int | None = None
    paragraphs: list[str] = field(default_factory=list)
    parent: "_Node | None" = None
    level: int = 0            # markup heading level, for unnumbered headings
    soft_open: bool = False   # the last paragraph may continue on the next soft line
    title_open: bool = False  # a wrapped title may continue on the next soft line

    @property
    def text(self) -> str:
        return "\n".join(p for p in self.paragraphs if p)


class _Builder:
    def __init__(self) -> None:
        self.root = _Node(Kind.HEADING, "", (), level=0)
        self.stack: list[_Node] = [self.root]
        self.nodes: list[_Node] = []
        self.last_decimal: dict[int, tuple] = {}   # id(container) → last decimal number in it
        self.last_enum: dict[tuple[int, Kind], int] = {}
        self.warnings: list[str] = []

    # --- plausibility -------------------------------------------------------------
    def _container(self) -> _Node:
        for node in reversed(self.stack):
            if node.kind < Kind.DECIMAL:
                return node
        return self.root

    def _decimal_ok(self, number: tuple, strict: bool) -> bool:
        cur = self.last_decimal.get(id(self._container()))
        gap = 1 if strict else _MAX_GAP
        if cur is None:
            return number[-1] <= (1 if strict else _MAX_GAP) and all(n <= _MAX_GAP for n in number[:-1])
        n = len(number)
        if n <= len(cur) and number[:-1] == cur[: n - 1]:
            step = number[-1] - cur[n - 1]
            if 1 <= step <= gap or (not strict and _superscript(number, cur)):
                return True
        return n == len(cur) + 1 and number[:-1] == cur and number[-1] <= (1 if strict else 2)

    def _enum_ok(self, marker: Marker) -> bool:
        parent = self._enum_parent(marker.kind)
        prev = self.last_enum.get((id(parent), marker.kind))
        n = marker.number[0]
        return n == 1 if prev is None else n == prev + 1 or n == 1

    def _enum_parent(self, kind: Kind) -> _Node:
        for node in reversed(self.stack):
            if node.kind < kind:
                return node
        return self.root

    # --- tree building --------------------------------------------------------------
    def _open(self, marker: Marker, page, heading_level: int | None, soft: bool = False) -> _Node:
        if marker.kind is Kind.DECIMAL:
            while self.stack[-1].kind > Kind.DECIMAL or (
                self.stack[-1].kind is Kind.DECIMAL and marker.number[: len(self.stack[-1].number)] != self.stack[-1].number
            ):
                self.stack.pop()
            cur = self.last_decimal.get(id(self._container()))
            if not (cur and _superscript(marker.number, cur)):
                self.last_decimal[id(self._container())] = marker.number
        else:
            while self.stack[-1] is not self.root and self.stack[-1].kind >= marker.kind:
                self.stack.pop()
            if marker.kind in (Kind.ENUM, Kind.LETTER):
                self.last_enum[(id(self.stack[-1]), marker.kind)] = marker.number[0]
        node = _Node(marker.kind, marker.label, marker.number, page=page, parent=self.stack[-1])
        rest = marker.rest
        # Headings and named units carry a title; a decimal unit's first line is text until
        # children show it was a heading ("3. Логистика" followed by "3.1. …"): see _promote_titles.
        if rest and (heading_level is not None or marker.kind < Kind.DECIMAL):
            node.title = rest
            node.title_open = soft
        elif rest:
            node.paragraphs.append(rest)
        node.soft_open = soft
        self.stack.append(node)
        self.nodes.append(node)
        return node

    def _open_heading(self, text: str, level: int, page) -> None:
        while self.stack[-1] is not self.root and (self.stack[-1].kind is not Kind.HEADING or self.stack[-1].level >= level):
            self.stack.pop()
        node = _Node(Kind.HEADING, text, (), title=text, page=page, parent=self.stack[-1], level=level)
        self.stack.append(node)
        self.nodes.append(node)

    def _append(self, text: str, soft: bool) -> None:
        top = self.stack[-1]
        if top.title_open and soft and not top.paragraphs and (text[:1].islower() or text[:1] in "(«\""):
            top.title = f"{top.title} {text}"   # the title wrapped onto the next line
            return
        top.title_open = False
        if top.kind in (Kind.ENUM, Kind.LETTER) and top.text.rstrip().endswith(".") and (not soft or text[:1].isupper()):
            # the list ended with a full stop: this paragraph belongs to the unit that introduced it
            while top.kind in (Kind.ENUM, Kind.LETTER) and top.parent is not None:
                self.stack.pop()
                top = self.stack[-1]
        if soft and top.soft_open and top.paragraphs:
            top.paragraphs[-1] = f"{top.paragraphs[-1]} {text}"
        else:
            top.paragraphs.append(text)
        top.soft_open = soft

    def feed(self, block: Block, title_skipped: bool) -> None:
        text = " ".join(block.text.split())
        if not text:
            return
        marker = parse_marker(text)
        if marker is not None and not self._accept(marker, block):
            if marker.kind is Kind.DECIMAL and (not block.soft or not self.stack[-1].soft_open):
                self._warn_joined(marker, text, block.page)
            marker = None
        if marker is None and block.heading is not None and not block.soft:
            self._open_heading(text, block.heading, block.page)
            return
        if marker is None:
            self._feed_text(text, block.soft)
            return
        node = self._open(marker, block.page, block.heading, block.soft)
        if node.paragraphs:
            # the label's own line may carry inline sub-points: re-feed the text after the first one
            first, *more = self._split_inline(node.paragraphs[0])
            node.paragraphs[0] = first
            for piece in more:
                self.feed(Block(piece, page=block.page), title_skipped)

    def _warn_joined(self, marker: Marker, text: str, page) -> None:
        last = self.last_decimal.get(id(self._container()))
        where = f" (page {page})" if page else ""
        after = ".".join(map(str, last)) if last else "the start"
        self.warnings.append(
            f"«{text[:60]}»{where} does not continue the numbering after {after}, so it was joined to the text of "
            f"{self.stack[-1].label or 'the preamble'}; check it for a repeated or skipped number")

    def _feed_text(self, text: str, soft: bool) -> None:
        first, *more = self._split_inline(text)
        self._append(first, soft)
        for piece in more:
            m = parse_marker(piece)
            self._open(m, self.stack[-1].page, None) if m else self._append(piece, False)
            if m and self.stack[-1].paragraphs:
                rest = self._split_inline(self.stack[-1].paragraphs[0])
                self.stack[-1].paragraphs[0] = rest[0]
                for p in rest[1:]:
                    self._feed_text(p, False)

    def _split_inline(self, text: str) -> list[str]:
        """Split off sub-points written inside a point's text, when their numbers fit here."""
        top = next((n for n in reversed(self.stack) if n.kind is Kind.DECIMAL), None)
        if top is None:
            return [text]
        for m in INLINE_DECIMAL.finditer(text):
            number = tuple(int(x) for x in m.group(1).split("."))
            if number[: len(top.number)] == top.number and self._decimal_ok(number, strict=True):
                return [text[: m.start()].strip(), text[m.start(1):].strip()]
        return [text]

    def _accept(self, marker: Marker, block: Block) -> bool:
        if block.heading is not None and not block.soft:
            return True
        top = self.stack[-1]
        if block.soft and marker.kind >= Kind.DECIMAL and top.paragraphs and top.soft_open:
            first_child_of_heading = (
                marker.kind is Kind.DECIMAL and top.kind is Kind.DECIMAL and marker.number == top.number + (1,)
                and len(top.paragraphs) == 1 and len(top.paragraphs[0]) <= _TITLE_MAX)
            if not first_child_of_heading and not top.paragraphs[-1].rstrip().endswith((".", ":", ";", "!", "?", "»", ")")):
                return False   # a wrapped line that happens to start with a number
        if marker.kind is Kind.DECIMAL:
            return self._decimal_ok(marker.number, strict=False)
        if marker.kind in (Kind.ENUM, Kind.LETTER):
            return self._enum_ok(marker)
        return True


def _superscript(number: tuple, cur: tuple) -> bool:
    """"11." right after "1." is point 1¹ whose superscript the source flattened; "2." still follows it."""
    n = len(number)
    return n <= len(cur) and number[-1] > 9 and str(number[-1])[:-1] == str(cur[n - 1]) and number[:-1] == cur[: n - 1]


def _lead(text: str, limit: int = 160) -> str:
    """The start of a parent's own text, e.g. the sentence that introduces a list of items."""
    text = text.split("\n", 1)[0]
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _path(node: _Node) -> list[str]:
    chain = []
    n = node
    while n is not None and n.parent is not None:
        chain.append(n)
        n = n.parent
    chain.reverse()
    if node.kind >= Kind.ARTICLE:
        chain = [c for c in chain if c.kind >= Kind.ARTICLE]
    elif node.kind is not Kind.HEADING:
        chain = [c for c in chain if c.kind is not Kind.HEADING]
    else:
        chain = [node]
    return [c.label for c in chain]


def segment(source: SourceDocument, *, doc: str, version: str, short: str = "", title: str = "",
            warnings: list[str] | None = None) -> list[Clause]:
    """Cut ``source`` into clauses; raise ``IngestError`` when it has no recognisable numbering.

    Lines that look like numbered units but break the numbering are joined to the unit before them;
    each is described in ``warnings`` when a list is given.
    """
    builder = _Builder()
    blocks = list(source.blocks)
    doc_title = title or source.title
    # The first H1 (or the first line of a PDF) names the document; it is not a unit of it.
    if blocks and blocks[0].heading == 1 and parse_marker(blocks[0].text) is None:
        doc_title = doc_title or blocks[0].text
        blocks = blocks[1:]
    for block in blocks:
        builder.feed(block, True)
    nodes = builder.nodes
    if warnings is not None:
        warnings.extend(builder.warnings)
    _promote_titles(nodes)
    if not nodes:
        raise IngestError(
            source.path, "has no recognisable numbering (no «Статья N», «1.», «1.1.», «а)» or headings found)",
            "number the clauses (e.g. «1.1. Текст») or add headings, then index it again",
        )
    lang = detect_lang(" ".join(b.text for b in blocks[:200]))
    short = short or doc
    paths = [_path(n) for n in nodes]
    _dedupe(nodes, paths)
    preamble = builder.root.text.strip()
    ids = _unique_ids(doc, paths, taken={f"{doc}:preamble"} if preamble else set())
    clauses: list[Clause] = []
    if preamble:
        clauses.append(Clause(id=f"{doc}:preamble", doc=doc, version=version, path=("Преамбула" if lang == "ru" else "Preamble",),
                              citation=f"{short}, {'преамбула' if lang == 'ru' else 'preamble'}", text=preamble,
                              page=blocks[0].page if blocks else None, order=0))
    for order, (node, path, cid) in enumerate(zip(nodes, paths, ids), start=1):
        parents = []
        p = node.parent
        while p is not None and p.parent is not None:
            # an item «а)» needs the sentence that introduced its list; other units need only headings,
            # so editing a point does not re-embed everything under it
            lead = _lead(p.text) if node.kind in (Kind.ENUM, Kind.LETTER) and p is node.parent else ""
            parents.append(display_label(p.label, p.title or lead, p.kind is Kind.HEADING))
            p = p.parent
        text = node.text
        repealed = bool(_REPEALED.match(node.title or "") or _REPEALED.match(text or ""))
        clauses.append(Clause(
            id=cid, doc=doc, version=version, path=tuple(path),
            citation=cite(short, path, lang), text=text, title=node.title, page=node.page,
            parents=tuple(reversed(parents)), repealed=repealed, order=order, unit=unit_of(doc, path),
        ))
    return clauses


def _promote_titles(nodes: list[_Node]) -> None:
    """A top-level decimal unit whose only text is one short unpunctuated line, and which has
    children, is a section heading: «3. Логистика FBO и FBS» followed by «3.1. …»."""
    parents = {id(n.parent) for n in nodes}
    for node in nodes:
        if (node.kind is Kind.DECIMAL and not node.title and len(node.paragraphs) == 1 and id(node) in parents
                and len(node.paragraphs[0]) <= _TITLE_MAX and not node.paragraphs[0].rstrip().endswith((".", ";", ":"))):
            node.title, node.paragraphs = node.paragraphs[0], []


def _dedupe(nodes: list[_Node], paths: list[list[str]]) -> None:
    """Make paths unique: prefix the nearest enclosing heading or chapter, then number repeats."""
    seen: dict[tuple, int] = {}
    for path in paths:
        seen[tuple(path)] = seen.get(tuple(path), 0) + 1
    dupes = {p for p, n in seen.items() if n > 1}
    if not dupes:
        return
    for node, path in zip(nodes, paths):
        if tuple(path) in dupes:
            p = node.parent
            while p is not None and p.parent is not None and not (p.kind < Kind.ARTICLE):
                p = p.parent
            if p is not None and p.parent is not None and p.label not in path:
                path.insert(0, p.label)
    counts: dict[tuple, int] = {}
    for path in paths:
        key = tuple(path)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > 1:
            path[-1] = f"{path[-1]}~{counts[key]}"


def _unique_ids(doc: str, paths: list[list[str]], taken: set[str]) -> list[str]:
    """Each path's clause id. Distinct paths can still share one: two headings whose slugs agree («Общие
    положения» and «Общие положения!», or the same first 40 letters), «3.2» under a heading and «3.2» under «3».
    Repeats are numbered as ``_dedupe`` numbers paths, so that every clause can be stored and cited on its own."""
    ids = []
    for path in paths:
        base = new = clause_id(doc, path)
        n = 1
        while new in taken:
            n += 1
            new = f"{base}~{n}"
        taken.add(new)
        ids.append(new)
    return ids

"""Render a law (or any list of paragraphs) into real Markdown, HTML, DOCX and PDF files.

Used by the tests and the benchmarks to feed ``assistant.ingest.load_document`` the
formats users really bring. The input is the simple Markdown that
``assistant.lawjson.load_law`` produces (``#``/``##``/``###`` heading lines and
paragraphs separated by blank lines), or a list of ``(heading_level | None, text)``
paragraphs written by hand.

>>> paragraphs("# Правила\\n\\n## 1. Общие положения\\n\\n1.1. Текст\\nпункта.")
[(1, 'Правила'), (2, '1. Общие положения'), (None, '1.1. Текст пункта.')]
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

Paragraph = tuple[int | None, str]

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")
DEFAULT_HEADER = "Закон РФ «О защите прав потребителей» — тестовая редакция"

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


# --- input ----------------------------------------------------------------------------------

def paragraphs(source) -> list[Paragraph]:
    """``(heading_level | None, text)`` paragraphs from a ``Law``, a Markdown string or a list."""
    if isinstance(source, (list, tuple)):
        return [(level, text) for level, text in source]
    markdown = getattr(source, "markdown", source)
    out: list[Paragraph] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append((None, " ".join(para)))
            para.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        m = _MD_HEADING.match(line)
        if m:
            flush()
            out.append((len(m.group(1)), m.group(2)))
        elif line:
            para.append(line)
        else:
            flush()
    flush()
    return out


# --- Markdown, plain text, HTML -------------------------------------------------------------------

def to_markdown(source, path) -> Path:
    path = Path(path)
    lines = []
    for level, text in paragraphs(source):
        lines.extend([f"{'#' * level} {text}" if level else text, ""])
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def to_text(source, path) -> Path:
    """Plain text: headings and paragraphs as lines separated by blank lines."""
    path = Path(path)
    path.write_text("\n\n".join(text for _, text in paragraphs(source)) + "\n", encoding="utf-8")
    return path


def to_html(source, path, title: str | None = None) -> Path:
    path = Path(path)
    paras = paragraphs(source)
    if title is None:
        title = next((text for level, text in paras if level == 1), "")
    body = []
    for level, text in paras:
        tag = f"h{min(level, 6)}" if level else "p"
        body.append(f"<{tag}>{html.escape(text)}</{tag}>")
    path.write_text(
        "<!DOCTYPE html>\n<html lang=\"ru\">\n<head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n",
        encoding="utf-8",
    )
    return path


# --- DOCX -----------------------------------------------------------------------------------------

_POINT = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){0,2})\.\s+(?=\S)")
_ITEM = re.compile(r"^(\d{1,2})\)\s+(?=\S)")
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@dataclass
class DocxNumbering:
    """What ``to_docx(auto_numbering=True)`` did: which labels came from numbering definitions."""

    auto: list[str] = field(default_factory=list)     # labels written as automatic numbers
    literal: list[str] = field(default_factory=list)  # labels left in the text (they break the sequence)
    num_ids: int = 0                                  # w:num instances added


class _WordNumbering:
    """Add decimal numbering definitions to a document's numbering part and number paragraphs with them."""

    def __init__(self, document) -> None:
        from docx.oxml import parse_xml

        self._parse = parse_xml
        self.root = document.part.numbering_part.element
        w = f"{{{_W_NS}}}"
        self._w = w
        self.next_abstract = 1 + max((int(a.get(f"{w}abstractNumId")) for a in self.root.findall(f"{w}abstractNum")), default=-1)
        self.next_num = 1 + max((int(n.get(f"{w}numId")) for n in self.root.findall(f"{w}num")), default=0)
        self._abstract: dict[tuple[str, int], str] = {}

    def abstract(self, style: str, start: int) -> str:
        """An abstractNum for points (``%1.``, ``%1.%2.`` …) or items (``%1)``) whose first level starts at ``start``."""
        key = (style, start)
        if key in self._abstract:
            return self._abstract[key]
        aid = str(self.next_abstract)
        self.next_abstract += 1
        levels = []
        for ilvl in range(3 if style == "point" else 1):
            text = ".".join(f"%{i + 1}" for i in range(ilvl + 1)) + "." if style == "point" else "%1)"
            levels.append(
                f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start if ilvl == 0 else 1}"/><w:numFmt w:val="decimal"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{360 * (ilvl + 1)}" w:hanging="360"/></w:pPr></w:lvl>'
            )
        el = self._parse(
            f'<w:abstractNum xmlns:w="{_W_NS}" w:abstractNumId="{aid}">'
            f'<w:multiLevelType w:val="{"multilevel" if style == "point" else "singleLevel"}"/>' + "".join(levels) + "</w:abstractNum>"
        )
        first_num = self.root.find(f"{self._w}num")   # the schema wants every abstractNum before the first num
        if first_num is not None:
            first_num.addprevious(el)
        else:
            self.root.append(el)
        self._abstract[key] = aid
        return aid

    def new_num(self, style: str, start: int) -> str:
        """A fresh list instance; ``startOverride`` makes Word restart it as the loader does."""
        nid = str(self.next_num)
        self.next_num += 1
        self.root.append(self._parse(
            f'<w:num xmlns:w="{_W_NS}" w:numId="{nid}"><w:abstractNumId w:val="{self.abstract(style, start)}"/>'
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
        ))
        return nid

    def apply(self, paragraph, num_id: str, ilvl: int) -> None:
        p_pr = paragraph._p.get_or_add_pPr()
        p_pr.insert(0, self._parse(
            f'<w:numPr xmlns:w="{_W_NS}"><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'
        ))


class _ListState:
    """The counters Word keeps for one list instance, to know which label the next number renders as."""

    def __init__(self, num_id: str, style: str, start: int) -> None:
        self.num_id, self.style, self.start = num_id, style, start
        self.counts: list[int] = []

    def predict(self, ilvl: int) -> list[int]:
        counts = self.counts[: ilvl + 1]
        while len(counts) <= ilvl:
            counts.append((self.start if len(counts) == 0 else 1) - 1)
        counts[ilvl] += 1
        return counts

    def take(self, ilvl: int) -> None:
        self.counts = self.predict(ilvl)


def to_docx(source, path, *, auto_numbering: bool = False, title: str | None = None):
    """Write a DOCX with ``Heading N`` styles; with ``auto_numbering`` the point numbers come from Word numbering.

    Points ``N.``/``N.M.``/``N.M.K.`` (and items ``N)``) lose their number from the text
    and get a ``w:numPr`` instead. A heading without a number (``Статья 5. …``) ends the
    list, so the next point starts a new ``w:num`` and numbering restarts per article; a
    numbered heading (``2. Размещение товаров``) is numbered too and continues its list,
    as Word's outline numbering does. A number that does not continue its list (uneven
    numbering in the source) starts a new list at that number; a deeper number that does
    not fit stays typed. Returns ``(path, DocxNumbering)``.
    """
    import docx

    path = Path(path)
    document = docx.Document()
    paras = paragraphs(source)
    if title is None:
        title = next((text for level, text in paras if level == 1), "")
    document.core_properties.title = title
    numbering = _WordNumbering(document) if auto_numbering else None
    report = DocxNumbering()
    points: _ListState | None = None
    items: _ListState | None = None

    def add(text: str, level: int | None):
        return document.add_paragraph(text, style=f"Heading {min(level, 9)}" if level else None)

    for level, text in paras:
        if numbering is None or level == 1:
            add(text, level)
            continue
        m = _POINT.match(text)
        e = _ITEM.match(text) if not (m or level) else None
        if m:
            number = [int(x) for x in m.group(1).split(".")]
            ilvl = len(number) - 1
            if points is None or points.predict(ilvl) != number:
                if ilvl == 0:
                    points = _ListState(numbering.new_num("point", number[0]), "point", number[0])
                    report.num_ids += 1
                else:
                    add(text, level)
                    report.literal.append(m.group(1))
                    items = None
                    continue
            numbering.apply(add(text[m.end():], level), points.num_id, ilvl)
            points.take(ilvl)
            report.auto.append(m.group(1) + ".")
            items = None
        elif e:
            n = int(e.group(1))
            if items is None or items.predict(0) != [n]:
                items = _ListState(numbering.new_num("item", n), "item", n)
                report.num_ids += 1
            numbering.apply(add(text[e.end():], level), items.num_id, 0)
            items.take(0)
            report.auto.append(f"{n})")
        else:
            add(text, level)
            items = None
            if level:
                points = None
    document.save(path)
    return path, report


# --- PDF ------------------------------------------------------------------------------------------

def find_font(name: str = "DejaVuSans.ttf") -> Path | None:
    """The first ``name`` under the usual font folders, or None."""
    for folder in FONT_DIRS:
        root = Path(folder)
        if root.is_dir():
            for found in sorted(root.rglob(name)):
                return found
    return None


_LETTERS = "A-Za-zА-Яа-яЁё"
_WORD_CORE = re.compile(rf"^([^{_LETTERS}]*)([{_LETTERS}-]+)(.*)$")


def _hyphen_split(word: str, room: int, min_letters: int = 9) -> tuple[str, str] | None:
    """Split ``word`` as ``head-`` + ``tail`` with ``len(head) + 1 <= room``, or None.

    Only letter runs of at least ``min_letters`` are split, never next to a hyphen the
    word already has, and only where the tail starts in lower case (as a reader would
    continue the word on the next line).
    """
    m = _WORD_CORE.match(word)
    if not m:
        return None
    lead, core, _ = m.groups()
    best = None
    offset = len(lead)
    for run in re.finditer(rf"[{_LETTERS}]+", core):
        if len(run.group()) < min_letters:
            continue
        # at least three letters on each side of the cut, so never next to a hyphen of the word
        for cut in range(run.start() + 3, run.end() - 2):
            at = offset + cut
            head, tail = word[:at], word[at:]
            if len(head) + 1 > room:
                break
            if tail[:1].islower():
                best = (head, tail)
    return best


@dataclass(frozen=True)
class Split:
    """A word hyphenated at a line end: ``word`` as it reads joined, ``head``- on one line, ``tail`` on the next."""

    word: str
    head: str
    tail: str

    @property
    def broken(self) -> str:
        """How the word reads when the loader failed to join the lines: «насто- ящими»."""
        return f"{self.head}- {self.tail}"


def wrap(text: str, width: int = 95, *, hyphenate: bool = True) -> tuple[list[str], list[Split | None]]:
    """Wrap at ``width`` characters; a long word that does not fit is hyphenated when it can be.

    Returns the lines and, for each line, the ``Split`` when the line ends with a hyphen
    inserted here, else None.

    >>> lines, splits = wrap("в соответствии с настоящими Правилами", 24)
    >>> lines, splits[0].word, splits[0].broken
    (['в соответствии с настоя-', 'щими Правилами'], 'настоящими', 'настоя- щими')
    >>> wrap("Покупатель вправе отказаться от товара", 20)
    (['Покупатель вправе', 'отказаться от товара'], [None, None])
    """
    lines: list[str] = []
    splits: list[Split | None] = []
    line = ""
    words = [(w, w) for w in text.split()]   # (what is left to write, the whole word)
    i = 0
    while i < len(words):
        word, whole = words[i]
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width:
            line = candidate
            i += 1
            continue
        room = width - len(line) - (1 if line else 0)
        split = _hyphen_split(word, room) if hyphenate and room >= 4 else None
        if split:
            head, tail = split
            lines.append(f"{line} {head}-" if line else f"{head}-")
            splits.append(Split(
                word=re.sub(rf"[^{_LETTERS}-]", "", whole),
                head=re.search(rf"[{_LETTERS}-]*$", head).group(),
                tail=re.match(rf"[{_LETTERS}]*", tail).group(),
            ))
            words[i] = (tail, whole)
            line = ""
            continue
        if line:
            lines.append(line)
            splits.append(None)
            line = ""
        else:   # a single word longer than the line: cut it hard
            lines.append(word[:width])
            splits.append(None)
            words[i] = (word[width:], whole)
    if line:
        lines.append(line)
        splits.append(None)
    return lines, splits


@dataclass
class PdfLayout:
    """Where things landed in a rendered PDF, for tests to check."""

    pages: int = 0
    heading_pages: dict[str, int] = field(default_factory=dict)   # «Статья 26.1» → page it was drawn on
    hyphenated: list[tuple[Split, int]] = field(default_factory=list)   # (split, page) within one page
    page_break_hyphenated: list[Split] = field(default_factory=list)    # split across a page break
    header: str | None = None
    footer: bool | str = True


_ARTICLE_LABEL = re.compile(r"^((?:Статья|Article|Глава|Chapter)\s+\d+(?:\.\d+)*)")


def to_pdf(source, path, *, header: str | None = DEFAULT_HEADER, footer: bool | str = True, width: int = 95,
           font: str | Path | None = None, font_size: float = 8.0, hyphenate: bool = True,
           title: str | None = None) -> PdfLayout:
    """Write a PDF line by line with our own wrapping and hyphenation, a running header and a page footer.

    ``footer``: True for «Страница N из M», ``"number"`` for the bare page number, False for none.
    Headings are written like any other line (PDF has no markup headings), with a little
    space above them. Returns a ``PdfLayout`` with the page of every ``Статья N``/``Глава N``
    heading and the words hyphenated across lines.
    """
    from fpdf import FPDF

    font = Path(font) if font else find_font()
    if font is None:
        raise FileNotFoundError("DejaVuSans.ttf not found under " + ", ".join(FONT_DIRS))
    paras = paragraphs(source)
    layout = PdfLayout(header=header, footer=footer)

    class _Pdf(FPDF):
        def header(self) -> None:
            if header:
                self.set_font("body", size=font_size)
                self.text(self.l_margin, 12, header)

        def footer(self) -> None:
            if footer:
                self.set_font("body", size=font_size)
                label = str(self.page_no()) if footer == "number" else f"Страница {self.page_no()} из {{nb}}"
                self.text(self.w / 2 - self.get_string_width(label) / 2, self.h - 10, label)

    pdf = _Pdf(format="A4", unit="mm")
    pdf.set_margins(15, 18, 15)
    pdf.set_auto_page_break(False)
    pdf.add_font("body", fname=str(font))
    pdf.alias_nb_pages()
    pdf.set_title(title if title is not None else next((t for lvl, t in paras if lvl == 1), ""))
    line_h = font_size * 0.3528 * 1.35
    top, bottom = 20.0, pdf.h - 18.0
    pdf.add_page()
    y = top
    pending: Split | None = None   # the word the previous line hyphenated

    def put(line: str) -> None:
        nonlocal y, pending
        if y + line_h > bottom:
            pdf.add_page()
            y = top
            if pending:
                layout.page_break_hyphenated.append(pending)
        elif pending:
            layout.hyphenated.append((pending, pdf.page_no()))
        pending = None
        y += line_h
        pdf.text(pdf.l_margin, y, line)

    pdf.set_font("body", size=font_size)
    for level, text in paras:
        if level and y > top:
            y += line_h * 0.6   # a little space above a heading
        lines, splits = wrap(text, width, hyphenate=hyphenate)
        m = _ARTICLE_LABEL.match(text)
        if m and (level or m.group(1).startswith(("Статья", "Article"))):
            if y + line_h > bottom:
                pdf.add_page()
                y = top
            layout.heading_pages.setdefault(m.group(1), pdf.page_no())
        for line, split in zip(lines, splits):
            put(line)
            pending = split
        pending = None
    pdf.output(str(path))
    layout.pages = pdf.page_no()
    return layout

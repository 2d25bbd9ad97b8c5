"""Real laws rendered into every format users bring must segment into exactly their articles and points.

Each law from ``shared/corpora`` is rendered by ``tests/render.py`` into Markdown, HTML,
DOCX (numbers typed in the text, and numbers from Word automatic numbering) and PDF
(own wrapping with hyphenation, a running header, a page footer), loaded with
``load_document`` and cut with ``segment``.

What every unit must come out as is read here from the law's JSON itself, not from the
product: articles' ``number``/``title`` and points' labels (ЗоЗПП), chapter and article
titles and the «1.» / «2)» that open each clause (ГК РФ). Sub-points such as «2.1.» that the
JSON writes inside a point's text are found by a literal search (:func:`sub_points`), a method
deliberately unlike the segmenter's regular expression, so a bug there shows as a missing or an
unexpected clause.

The whole of ГК РФ ч.2 (~2,200 units, ~120 pages) is rendered to PDF: it takes about
two seconds, far under the 60 s budget, so no chapters are left out.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pytest

from render import DocxNumbering, PdfLayout, find_font, to_docx, to_html, to_markdown, to_pdf

from assistant.clauses import segment
from assistant.ingest import load_document
from assistant.evaluation.laws import Law
from assistant.schema import Clause, SourceDocument

FORMATS = ("md", "html", "docx", "docx-autonum", "pdf")
LAWS = ("zozpp", "gk2")
HEAD = 40   # how many characters of a unit's own text (or an article's title) are compared

Expected = dict[tuple[str, ...], str]   # path → the first words of the unit's own text (an article: its title)


def norm(text: str) -> str:
    """NFC and collapsed whitespace: how the tests compare texts (hyphens are kept, so must be undone)."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


# --- what the JSON says the law holds -------------------------------------------------------------------

def sub_points(point: str, text: str) -> list[tuple[str, str]]:
    """A point's text cut at the sub-points written inside it: «… описанию. 4.1. При продаже …».

    Sub-point ``n`` of point ``4`` is the literal `` 4.n. `` followed by a capital letter (or «),
    looked for after sub-point ``n - 1``; the first one missing ends the search.

    >>> sub_points("4", "Текст пункта. 4.1. Первый. 4.2. «Второй» по пункту 4.3. настоящей статьи.")
    [('4', 'Текст пункта.'), ('4.1', 'Первый.'), ('4.2', '«Второй» по пункту 4.3. настоящей статьи.')]
    """
    starts: list[tuple[str, int, int]] = []   # (label, where the label starts, where its text starts)
    n, pos = 1, 0
    while True:
        needle = f" {point}.{n}. "
        at = text.find(needle, pos)
        while at >= 0 and not _opens_sentence(text[at + len(needle):]):
            at = text.find(needle, at + 1)
        if at < 0:
            break
        starts.append((f"{point}.{n}", at, at + len(needle)))
        n, pos = n + 1, at + len(needle)
    pieces, label, begin = [], point, 0
    for sub, label_at, text_at in starts:
        pieces.append((label, text[begin:label_at].strip()))
        label, begin = sub, text_at
    pieces.append((label, text[begin:].strip()))
    return pieces


def _opens_sentence(rest: str) -> bool:
    return bool(rest) and (rest[0].isupper() or rest[0] in "«\"")


def _number_and_title(heading: str) -> tuple[str, str]:
    """«Статья 454. Договор купли-продажи» → ("454", "Договор купли-продажи"); ("", …) when it names no article."""
    word, _, rest = heading.strip().partition(" ")
    number, _, title = rest.partition(" ")
    number = number.rstrip(".")
    if word != "Статья" or not number.replace(".", "").isdigit():
        return "", heading.strip()
    return number, title.strip()


def _opening(clause: str) -> tuple[str, str, str]:
    """("point", "2", text) for «2. …», ("item", "2)", text) for «2) …», ("", "", clause) otherwise."""
    head, _, rest = clause.partition(" ")
    if head.endswith(".") and head[:-1].replace(".", "").isdigit() and head[0].isdigit():
        return "point", head[:-1], rest
    if head.endswith(")") and head[:-1].isdigit():
        return "item", head, rest
    return "", "", clause


def expected_units(data: dict) -> Expected:
    """Every article, point, sub-point and item the law's JSON holds, with the first words of its own text."""
    expected: Expected = {}
    if "articles" in data:   # ЗоЗПП: articles with labelled points
        for art in data["articles"]:
            article = (f"Статья {art['number']}",)
            expected[article] = (art.get("title") or "")[:HEAD]
            for label, text in art.get("points") or []:
                point = label.replace("п.", "").strip()
                for sub, body in sub_points(point, text):
                    path = article + ((point,) if sub != point else ()) + (sub,)
                    expected[path] = body[:HEAD]
        return expected
    for chapter in data["chapters"]:   # ГК РФ: chapters of articles, each a list of clauses
        for art in chapter["articles"]:
            number, title = _number_and_title(art.get("title") or "")
            if not number:
                continue   # a blemish of the source: an article without a title
            article = (f"Статья {number}",)
            expected[article] = title[:HEAD]
            point = None
            for clause in art["clauses"]:
                kind, label, text = _opening(clause)
                if kind == "point":
                    point = label
                    expected[article + (point,)] = text[:HEAD]
                elif kind == "item":
                    expected[article + ((point,) if point else ()) + (label,)] = text[:HEAD]
    return expected


def chapter_count(data: dict) -> int:
    return sum(chapter["title"].startswith("Глава ") for chapter in data.get("chapters", []))


@pytest.fixture(scope="module")
def law_json(shared_dir):
    """``law_json(name)`` → the law's JSON as the shared folder holds it."""
    def get(name: str) -> dict:
        path = shared_dir / "corpora" / f"{name}.json"
        if not path.is_file():
            pytest.skip(f"{path} is missing from the shared folder")
        return json.loads(path.read_text(encoding="utf-8"))
    return get


def test_the_expectations_see_the_sub_points_written_inside_points(law_json):
    """The expectations themselves: ЗоЗПП's JSON writes «4.1.», «1.1.»–«1.3.» and «2.1.»–«2.3.» inside points."""
    expected = expected_units(law_json("zozpp"))
    assert ("Статья 4", "4", "4.1") in expected and expected[("Статья 4", "4", "4.1")].startswith("При продаже")
    assert {("Статья 9", "1", f"1.{n}") for n in (1, 2, 3)} <= set(expected)
    assert {("Статья 12", "2", f"2.{n}") for n in (1, 2, 3)} <= set(expected)
    article_4 = next(a for a in law_json("zozpp")["articles"] if a["number"] == "4")
    point_4 = dict(sub_points("4", dict(article_4["points"])["п. 4"]))
    assert point_4["4"].startswith("При продаже товара по образцу")
    assert point_4["4.1"].startswith("При продаже отдельных видов")
    assert " 4.1. " not in point_4["4"] and point_4["4"].endswith("."), "a point's own text stops before its sub-point"
    assert expected[("Статья 26",)].startswith("Утратила силу")
    gk2 = expected_units(law_json("gk2"))
    assert gk2[("Статья 454",)] == "Договор купли-продажи"
    assert ("Статья 575", "1", "2)") in gk2


@dataclass
class Rendered:
    law: Law = field(repr=False)
    expected: Expected = field(repr=False)
    chapters: int
    fmt: str
    path: Path
    source: SourceDocument = field(repr=False)
    clauses: list[Clause] = field(repr=False)
    by_path: dict[tuple[str, ...], Clause] = field(repr=False)
    layout: PdfLayout | None = field(default=None, repr=False)
    numbering: DocxNumbering | None = field(default=None, repr=False)

    def own_text(self, path: tuple[str, ...]) -> str:
        """An article's title, or a point's own text, as ``expected`` describes it."""
        c = self.by_path[path]
        return c.title if len(path) == 1 else c.text


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, request, law_json):
    """``rendered(law_name, fmt)`` → the law rendered, loaded and segmented (cached for the module)."""
    cache: dict[tuple[str, str], Rendered] = {}

    def get(name: str, fmt: str) -> Rendered:
        if (name, fmt) in cache:
            return cache[(name, fmt)]
        if fmt == "pdf" and find_font() is None:
            pytest.skip("PDF tests need DejaVuSans.ttf (e.g. apt-get install fonts-dejavu-core); none found under /usr/share/fonts")
        law = request.getfixturevalue(f"{name}_law")
        out = tmp_path_factory.mktemp(f"{name}-{fmt}")
        layout = numbering = None
        if fmt == "md":
            path = to_markdown(law, out / f"{name}.md")
        elif fmt == "html":
            path = to_html(law, out / f"{name}.html")
        elif fmt in ("docx", "docx-autonum"):
            path, numbering = to_docx(law, out / f"{name}.docx", auto_numbering=fmt == "docx-autonum")
        else:
            path = out / f"{name}.pdf"
            # ЗоЗПП gets «Страница N из M» footers, ГК a bare page number: both shapes must be dropped
            layout = to_pdf(law, path, header=f"{law.title} — тестовая редакция",
                            footer=True if name == "zozpp" else "number")
        source = load_document(path)
        clauses = segment(source, doc=law.doc, version="test", short=law.short)
        data = law_json(name)
        result = Rendered(law, expected_units(data), chapter_count(data), fmt, path, source, clauses,
                          {c.path: c for c in clauses}, layout, numbering)
        cache[(name, fmt)] = result
        return result

    return get


def _params(laws=LAWS, formats=FORMATS):
    return [pytest.param(name, fmt, id=f"{name}-{fmt}") for name in laws for fmt in formats]


# --- every format -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, fmt", _params())
def test_every_expected_path_is_a_clause(rendered, name, fmt):
    r = rendered(name, fmt)
    missing = sorted(set(r.expected) - set(r.by_path))
    assert not missing, f"{len(missing)} of {len(r.expected)} units missing, e.g. {missing[:8]}"
    assert len(r.clauses) == len(r.by_path), "two clauses share a path"


@pytest.mark.parametrize("name, fmt", _params())
def test_units_start_with_their_own_words(rendered, name, fmt):
    """An article's title, a point's text: compared after collapsing whitespace (PDF: hyphenation undone)."""
    r = rendered(name, fmt)
    wrong = [
        (path, expected, norm(r.own_text(path))[:50])
        for path, expected in r.expected.items()
        if path in r.by_path and not norm(r.own_text(path)).startswith(norm(expected))
    ]
    assert not wrong, f"{len(wrong)} units begin with other words, e.g. {wrong[:4]}"


@pytest.mark.parametrize("name, fmt", _params())
def test_no_unexpected_paths(rendered, name, fmt):
    r = rendered(name, fmt)
    extra = [p for p in r.by_path if p not in r.expected
             and not (len(p) == 1 and p[0].startswith("Глава "))
             and p != ("Преамбула",)]
    assert not extra, f"{len(extra)} unexpected clauses, e.g. {extra[:8]}"
    chapters = [p for p in r.by_path if p[0].startswith("Глава ")]
    if name == "gk2":
        assert len(chapters) == r.chapters
    else:
        assert not chapters


@pytest.mark.parametrize("fmt", FORMATS)
def test_repealed_articles_are_marked(rendered, fmt):
    r = rendered("zozpp", fmt)
    repealed = {p for p, c in r.by_path.items() if c.repealed and len(p) == 1}
    assert {("Статья 26",), ("Статья 38",), ("Статья 42",)} <= repealed
    assert all(norm(r.expected[p]).startswith("Утратила силу") for p in repealed), repealed
    assert not r.by_path[("Статья 26.1",)].repealed
    # «Абзац утратил силу.» at the end of a point does not repeal the point
    assert not r.by_path[("Статья 1", "2")].repealed


@pytest.mark.parametrize("fmt", FORMATS)
def test_citations_and_ids(rendered, fmt):
    r = rendered("zozpp", fmt)
    assert r.by_path[("Статья 26.1", "4")].citation == "ЗоЗПП, ст. 26.1, п. 4"
    assert r.by_path[("Статья 4", "4", "4.1")].citation == "ЗоЗПП, ст. 4, п. 4.1"
    assert r.by_path[("Статья 26.1",)].citation == "ЗоЗПП, ст. 26.1"
    assert r.by_path[("Статья 4", "4", "4.1")].id == "zozpp:ст4/4.1"
    ids = [c.id for c in r.clauses]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("fmt", FORMATS)
def test_gk2_items_are_children_of_their_point(rendered, fmt):
    r = rendered("gk2", fmt)
    item = r.by_path[("Статья 575", "1", "2)")]
    assert item.citation == "ГК РФ ч.2, ст. 575, п. 1, подп. 2"
    assert any(p.startswith("Статья 575") for p in item.parents)
    assert r.by_path[("Статья 567",)].parents == ("Глава 31. МЕНА",)


# --- DOCX with Word automatic numbering -----------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _numbered_paragraphs(path: Path) -> list[str]:
    """The text of every paragraph of ``word/document.xml`` that carries Word numbering (``w:numPr``)."""
    with zipfile.ZipFile(path) as z:
        body = ElementTree.fromstring(z.read("word/document.xml"))
    return ["".join(t.text or "" for t in p.iter(f"{_W}t"))
            for p in body.iter(f"{_W}p") if p.find(f"{_W}pPr/{_W}numPr") is not None]


@pytest.mark.parametrize("name", LAWS)
def test_docx_points_really_use_automatic_numbering(rendered, name):
    r = rendered(name, "docx-autonum")
    articles_with_points = {p[0] for p in r.expected if len(p) > 1}
    assert len(r.numbering.auto) > 150 and r.numbering.num_ids >= len(articles_with_points)
    numbered = _numbered_paragraphs(r.path)
    assert len(numbered) == len(r.numbering.auto)
    # the numbers live only in the numbering definitions, not in the paragraph text
    assert not [text for text in numbered if re.match(r"^\d+(\.\d+)*[.)]\s", text)]
    # the loader still produces the same clauses as the DOCX with typed numbers
    typed = rendered(name, "docx")
    assert [c.path for c in r.clauses] == [c.path for c in typed.clauses]
    assert [norm(c.text) for c in r.clauses] == [norm(c.text) for c in typed.clauses]


# --- PDF: running lines, hyphenation, pages ---------------------------------------------------------------

@pytest.mark.parametrize("name", LAWS)
def test_pdf_header_footer_and_page_numbers_never_reach_clauses(rendered, name):
    r = rendered(name, "pdf")
    assert r.layout.pages > 10
    header = norm(r.layout.header)
    # the loader drops them as lines …
    lines = [norm(b.text) for b in r.source.blocks]
    assert header not in lines
    assert not [ln for ln in lines if re.fullmatch(r"(Страница )?\d{1,4}( из \d{1,4})?", ln)]
    # … so they reach no clause, not even glued to a line wrapped across a page break
    for c in r.clauses:
        for text in (c.title, c.text):
            assert header not in norm(text), c.path
            assert "тестовая редакция" not in text, c.path
            assert "Страница" not in text, c.path


def _all_text(r: Rendered) -> str:
    return norm(" ".join(f"{c.title} {c.text}" for c in r.clauses))


@pytest.mark.parametrize("name", LAWS)
def test_pdf_hyphenated_words_are_joined(rendered, name):
    r = rendered(name, "pdf")
    assert len(r.layout.hyphenated) > 50, "the renderer should hyphenate some long words"
    text = _all_text(r)
    across_pages = {s.broken for s in r.layout.page_break_hyphenated}   # tested (and failing) below
    broken = [s.broken for s, _ in r.layout.hyphenated
              if s.broken not in across_pages and (s.broken in text or f"{s.head}-{s.tail}" in text)]
    assert not broken, broken[:10]
    # one of them, followed into the clause that holds it: joined, on the page where it was split
    split, page = r.layout.hyphenated[len(r.layout.hyphenated) // 2]
    line_end = split.head + split.tail
    holders = [c for c in r.clauses if line_end in norm(f"{c.title} {c.text}")]
    assert holders, f"{split.word!r} (split as {split.broken!r} on page {page}) is in no clause"
    assert split.word in norm(f"{holders[0].title} {holders[0].text}")
    assert any(c.page is not None and c.page <= page for c in holders)


@pytest.mark.parametrize("name", LAWS)
def test_pdf_words_hyphenated_across_a_page_break_are_joined(rendered, name):
    r = rendered(name, "pdf")
    assert r.layout.page_break_hyphenated, "the renderer should hyphenate a word at a page end"
    text = _all_text(r)
    broken = [s.broken for s in r.layout.page_break_hyphenated if s.broken in text or f"{s.head}-{s.tail}" in text]
    assert not broken, broken


@pytest.mark.parametrize("name", LAWS)
def test_pdf_clause_page_is_where_the_article_was_drawn(rendered, name):
    r = rendered(name, "pdf")
    drawn = {label: page for label, page in r.layout.heading_pages.items() if label.startswith("Статья")}
    assert len(drawn) == sum(len(p) == 1 and p[0].startswith("Статья") for p in r.expected)
    assert max(drawn.values()) > 10
    compared = 0
    for label, page in drawn.items():
        if (label,) in r.by_path:
            assert r.by_path[(label,)].page == page, label
            compared += 1
    assert compared >= 0.95 * len(drawn)
    # the points of an article are on its page or later
    for path, c in r.by_path.items():
        if len(path) > 1 and (path[0],) in r.by_path:
            assert c.page >= r.by_path[(path[0],)].page, path

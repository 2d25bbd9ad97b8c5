"""Fuzzing the loaders (``assistant.ingest.load_document``) and the clause segmenter (``assistant.clauses.segment``).

Every input ends in one of two outcomes: a parsed document whose clauses can each be stored and cited on their own
(unique ids), or an ``AssistantError`` (``IngestError``) whose one-line message names the file. Never another
exception, never a hang, and always within the time and memory the test asserts.

Inputs: random bytes named .pdf, .docx, .html, .md and .txt (some behind the right magic bytes); real PDFs
(fpdf2, DejaVu) and DOCX (python-docx) truncated anywhere or with bytes flipped, DOCX whose XML parts are damaged
inside a valid zip, and DOCX numbering with absurd levels and starts; random tag soup; numbering that loops or
jumps (1.1, 1.1, 1.0, 99.99, labels 11 levels deep); HTML nested 10,000 deep; 50 MB of HTML against the size
limit and 5 MB of it under a raised one; one 1 MB clause; 100,000 one-line clauses.

Bounds, and where they come from (measured on this 2-core machine while other jobs ran; each bound leaves about
ten times the headroom, because the machine is shared and slow):

- small inputs (up to a few kB, in-process, ``tracemalloc``): every example took under 0.1 s and traced under
  5 MB; bound 5 s and 200 MB per example. ``tracemalloc`` sees Python's allocations, not libxml2's, so the big
  cases run in a child process instead and are measured by its peak resident size (``ru_maxrss``), under an
  address-space cap so a blow-up fails the test instead of taking the machine's memory;
- 10,000-deep ``<div>`` 0.4 s / +9 MB; 10,000-deep ``<ol>`` 1.4 s / +25 MB (before the fix: over 23 GB, killed
  by the kernel) → 20 s / 400 MB; the fast tier's 1,500-deep ``<ol>`` runs in-process under the small-input bounds
  (before the fix 1,000 deep took 15 s and 740 MB);
- 5 MB of HTML 4 s / +80 MB → 60 s / 800 MB; one 1 MB clause 0.7 s / +77 MB → 20 s / 600 MB;
  100,000 one-line clauses 11 s / +168 MB → 120 s / 1,500 MB;
- 50 MB of HTML over the limit: refused from the file's size before it is read (a few ms, nothing allocated)
  → 2 s / 5 MB.

Bugs these found, fixed in ``assistant/ingest`` and ``assistant/clauses``: ``<ol>`` nested thousands deep (and a
line numbered «1.1.1.…» thousands of levels deep) exhausted memory in the segmenter — decimal numbering is now read
to 10 levels (``markers.MAX_LEVELS``); two headings with the same slug («Общие положения» and «Общие положения!»)
got one clause id and the index build died on a UNIQUE constraint; a DOCX list level of 10⁸ ran for minutes (10⁹:
out of memory), a level or start of «x» or «-5» raised ValueError/IndexError, and a damaged or encrypted zip member
raised zlib.error, EOFError or NotImplementedError (so did a central directory asking for zip version 6.4, found
by a longer run, FUZZ_EXAMPLES=300); an HTML ``<ol type="I" start="9999999999999">`` hung writing Roman
numerals, and a start of 5,000 digits raised ValueError; a PDF with a damaged information dictionary raised
PdfReadError after its pages had been read.

The hypothesis example counts are kept small so the fast tier stays fast (``FUZZ_EXAMPLES``, 15 per test by
default, raises them for a longer hunt: ``FUZZ_EXAMPLES=500 pytest tests/test_fuzz.py``); the big inputs are
marked slow.
"""

from __future__ import annotations

import functools
import io
import json
import os
import random
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.clauses import segment
from assistant.errors import AssistantError
from assistant.ingest import load_document
from assistant.schema import Block, SourceDocument

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
REPO = Path(__file__).resolve().parent.parent

SMALL_SECONDS = 5.0   # per small example; measured < 0.1 s
SMALL_MB = 200        # traced per small example; measured < 5 MB

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))   # per test; FUZZ_EXAMPLES=500 for a longer hunt
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

RULES_TEXT = "\n".join(["Правила площадки", "1. Общие положения", "1.1. Продавец обязан отгрузить заказ в срок.",
                        "1.2. Покупатель вправе вернуть товар надлежащего качества в течение 7 дней.",
                        "2. Утрата отправлений", "2.1. Отправление считается утраченным через 10 дней.",
                        "2.2. За утраченное Отправление выплачивается компенсация."])


# --- the outcome every input must have ------------------------------------------------------------------------

def outcome(path: Path, **limits) -> tuple[str, object]:
    """("doc", clauses) or ("error", message); any other exception propagates and fails the test."""
    try:
        clauses = segment(load_document(path, **limits), doc="fuzz", version="1")
    except AssistantError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message, f"an error is one line that says something: {message!r}"
        assert str(path) in message, f"the error names the file: {message!r}"
        return "error", message
    ids = [c.id for c in clauses]
    assert clauses and len(ids) == len(set(ids)), "every clause has its own id (the index stores them by id)"
    assert all(c.citation for c in clauses)
    return "doc", clauses


def bounded(fn, seconds: float = SMALL_SECONDS, mb: float = SMALL_MB):
    """Run ``fn`` and assert it took at most ``seconds`` and allocated (traced) at most ``mb`` at its peak."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = fn()
    finally:
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    assert took <= seconds, f"took {took:.1f} s, over the {seconds} s bound"
    assert peak <= mb, f"allocated {peak:.0f} MB at the peak, over the {mb} MB bound"
    return result


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """One folder for the module, written over by each example; the parsers imported and warmed up in it, so
    the bounds measure reading a file, not a library's first import under ``tracemalloc``."""
    folder = tmp_path_factory.mktemp("fuzz")
    for name, data in (("warm.html", b"<p>1.1. \xd0\xa2</p>"), ("warm.md", b"1.1. X"), ("warm.pdf", b"%PDF-1.4"),
                       ("warm.docx", b"PK\x03\x04")):
        try:
            segment(load_document(_write(folder, name, data)), doc="warm", version="1")
        except AssistantError:
            pass
    import docx  # noqa: F401
    import pypdf  # noqa: F401
    return folder


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- real documents to damage ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def real_pdf() -> bytes:
    fpdf = pytest.importorskip("fpdf")
    if not os.path.exists(FONT):
        pytest.skip(f"no Cyrillic TTF font at {FONT} (install fonts-dejavu-core)")
    pdf = fpdf.FPDF()
    pdf.set_title("Правила площадки")
    pdf.add_font("DejaVu", fname=FONT)
    for text in (RULES_TEXT, "3. Хранение\n3.1. Первые 60 дней хранения бесплатны.\n3.2. Далее плата 5 рублей в сутки."):
        pdf.add_page()
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


@functools.lru_cache(maxsize=None)
def real_docx() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.core_properties.title = "Правила площадки"
    document.add_heading("Правила площадки", 1)
    for line in RULES_TEXT.splitlines()[1:]:
        document.add_paragraph(line)
    for text in ("Первый пункт списка.", "Второй пункт списка."):
        document.add_paragraph(text, style="List Number")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "3.1. Тариф", "5 рублей"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _docx_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(real_docx())) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("name", ["rules.pdf", "rules.docx"])
def test_the_undamaged_documents_are_read(tmp_path, name):
    """The baseline the damaged ones are cut from: both read, clause 2.2 found."""
    data = real_pdf() if name.endswith(".pdf") else real_docx()
    kind, clauses = outcome(_write(tmp_path, name, data))
    assert kind == "doc" and "fuzz:2.2" in {c.id for c in clauses}


# --- random bytes ----------------------------------------------------------------------------------------------

MAGIC = {".pdf": b"%PDF-1.7\n", ".docx": b"PK\x03\x04", ".html": b"<!doctype html><html><body>", ".md": b"# ",
         ".txt": b"1.1. "}


@pytest.mark.parametrize("suffix", sorted(MAGIC))
@FUZZ
@given(data=st.binary(max_size=4096), magic=st.booleans())
def test_random_bytes_are_read_or_refused(scratch, suffix, data, magic):
    path = _write(scratch, f"random{suffix}", (MAGIC[suffix] if magic else b"") + data)
    bounded(lambda: outcome(path))


HTML_TOKENS = ["<html>", "<body>", "<div>", "</div>", "<p>", "</p>", "<ol>", "</ol>", "<ol start='x'>",
               "<ol type='I' start='9999999999999'>", "<ol start='" + "9" * 5000 + "'>", "<ul>", "<li>", "</li>", "<h1>", "<h2>", "</h2>", "<table><tr><td>",
               "<br>", "<script>", "</script>", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#x110000;",
               "1.1. ", "1.1 ", "99.99. ", "Статья 5. ", "а) ", "Продавец обязан вернуть ", "\x00", "\u202e", "🙂"]


@FUZZ
@given(tokens=st.lists(st.sampled_from(HTML_TOKENS), max_size=200))
def test_random_tag_soup_is_read_or_refused(scratch, tokens):
    path = _write(scratch, "soup.html", "".join(tokens).encode("utf-8", "surrogatepass"))
    bounded(lambda: outcome(path))


@pytest.mark.parametrize("start", ["9999999999999", "9" * 5000, "-4", "x"])
def test_absurd_ordered_list_starts_in_html_are_read_quickly(scratch, start):
    """``<ol type="I" start="9999999999999">`` wrote 10⁹ «M» for its first label (a hang); a start of 5,000 digits
    raised ValueError (Python's int() refuses so many)."""
    html = f"<html><body><ol type='I' start='{start}'><li>1.1. Продавец обязан отгрузить заказ.</li></ol></body></html>"
    kind, clauses = bounded(lambda: outcome(_write(scratch, "start.html", html.encode())))
    assert kind == "doc" and "Продавец обязан" in clauses[0].text


# --- real documents, damaged ----------------------------------------------------------------------------------

@FUZZ
@given(cut=st.floats(0.0, 1.0))
def test_a_truncated_pdf_is_read_or_refused(scratch, cut):
    data = real_pdf()
    path = _write(scratch, "cut.pdf", data[: int(len(data) * cut)])
    bounded(lambda: outcome(path))


@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=20))
def test_a_pdf_with_flipped_bytes_is_read_or_refused(scratch, flips):
    data = bytearray(real_pdf())
    for where, value in flips:
        data[int(len(data) * where)] = value
    path = _write(scratch, "flipped.pdf", bytes(data))
    bounded(lambda: outcome(path))


@FUZZ
@given(cut=st.floats(0.0, 1.0))
def test_a_truncated_docx_is_read_or_refused(scratch, cut):
    data = real_docx()
    path = _write(scratch, "cut.docx", data[: int(len(data) * cut)])
    bounded(lambda: outcome(path))


@FUZZ
@given(flips=st.lists(st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=20))
def test_a_docx_with_flipped_bytes_is_read_or_refused(scratch, flips):
    data = bytearray(real_docx())
    for where, value in flips:
        data[int(len(data) * where)] = value
    path = _write(scratch, "flipped.docx", bytes(data))
    bounded(lambda: outcome(path))


def test_a_docx_whose_zip_needs_a_newer_version_is_refused(scratch):
    """Found by a longer run (FUZZ_EXAMPLES=300): one flipped byte in the central directory asks for zip version 6.4,
    and zipfile raised NotImplementedError while the archive was being opened."""
    data = bytearray(real_docx())
    central = data.index(b"PK\x01\x02")
    data[central + 6] = 64   # «version needed to extract» of the first member
    kind, message = bounded(lambda: outcome(_write(scratch, "version.docx", bytes(data))))
    assert kind == "error" and "not a readable DOCX" in message


DOCX_PARTS = ["word/document.xml", "word/numbering.xml", "word/styles.xml", "docProps/core.xml",
              "[Content_Types].xml", "word/_rels/document.xml.rels", "_rels/.rels"]


@FUZZ
@given(part=st.sampled_from(DOCX_PARTS), seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 8))
def test_a_docx_with_damaged_xml_inside_a_good_zip_is_read_or_refused(scratch, part, seed, edits):
    rng = random.Random(seed)
    parts = _docx_parts()
    xml = bytearray(parts[part])
    for _ in range(edits):
        at = rng.randrange(len(xml))
        choice = rng.randrange(3)
        if choice == 0:
            xml[at] = rng.choice(b'<>"/=x-09 \x00\xff')
        elif choice == 1:
            del xml[at: at + rng.randrange(1, 40)]
        else:
            xml[at:at] = xml[rng.randrange(len(xml)):][: rng.randrange(1, 60)]
    parts[part] = bytes(xml)
    path = _write(scratch, "damaged.docx", _rezip(parts))
    bounded(lambda: outcome(path))


def _numbered_docx(ilvl: str, start: str) -> bytes:
    """The real DOCX with its list paragraphs given this level, and its numbering definitions this start."""
    parts = _docx_parts()
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b'<w:pStyle w:val="ListNumber"/>',
        b'<w:pStyle w:val="ListNumber"/><w:numPr><w:ilvl w:val="%s"/><w:numId w:val="1"/></w:numPr>' % ilvl.encode())
    numbering = parts["word/numbering.xml"]
    for value in (b'<w:start w:val="1"/>', b'<w:start w:val="0"/>'):
        numbering = numbering.replace(value, b'<w:start w:val="%s"/>' % start.encode())
    parts["word/numbering.xml"] = numbering.replace(b'<w:numFmt w:val="decimal"/>', b'<w:numFmt w:val="upperRoman"/>')
    return _rezip(parts)


@pytest.mark.parametrize("ilvl, start", [("99999999", "1"), ("-5", "1"), ("x", "1"), ("0", "x"), ("0", "-3"),
                                         ("0", "999999999999"), ("8", "32767")])
def test_absurd_list_levels_and_starts_in_a_docx_are_read_quickly(scratch, ilvl, start):
    """A level of 10⁸ used to build a counter list for minutes (10⁹: out of memory); «x» and «-5» raised
    ValueError and IndexError; a start of 10¹² in Roman numerals would take hours to write."""
    path = _write(scratch, "numbering.docx", _numbered_docx(ilvl, start))
    kind, result = bounded(lambda: outcome(path), seconds=SMALL_SECONDS)
    assert kind == "doc", result
    assert any("Второй пункт списка." in c.text for c in result), "the list items are kept"


def test_a_pdf_whose_information_dictionary_is_damaged_is_still_read(scratch):
    """pypdf raised PdfReadError reading the title after every page had been read; the first line names it now."""
    import re

    data = real_pdf()
    info = re.search(rb"/Info (\d+) 0 R", data).group(1)
    damaged = data.replace(info + b" 0 obj\n<<", info + b" 0 obj\xd4<<")   # same length: the offsets still hold
    assert damaged != data
    kind, clauses = outcome(_write(scratch, "info.pdf", damaged))
    assert kind == "doc" and "fuzz:2.2" in {c.id for c in clauses}


# --- the segmenter ------------------------------------------------------------------------------------------------

LABELS = ["1.", "1.1.", "1.1", "1.0.", "99.99.", "2.", "2.1.", "1.1.1.", "0.", "9999.9999.", "10.", "Статья 1.",
          "Статья 26.1.", "Глава 1.", "Раздел I.", "а)", "б)", "1)", "2)", "§ 1.", "", "",
          "1.1.1.1.1.1.1.1.1.1.1.", "Общие положения"]
TEXTS = ["Продавец обязан отгрузить заказ.", "Покупатель вправе вернуть товар", "Утратил силу.",
         "см. пункт 4.2 настоящих Правил; 2.1. Площадка вправе.", "Общие положения", "Общие положения!", "X"]
BLOCKS = st.lists(st.builds(lambda label, text, heading, soft: Block(f"{label} {text}".strip(), heading=heading,
                                                                      soft=soft),
                            st.sampled_from(LABELS), st.sampled_from(TEXTS), st.sampled_from([None, None, 1, 2, 3]),
                            st.booleans()), max_size=40)


@settings(max_examples=EXAMPLES * 3, deadline=None, database=None)
@given(blocks=BLOCKS)
def test_numbering_that_loops_or_jumps_loses_no_text_and_gives_unique_ids(blocks):
    import re

    source = SourceDocument("fuzz.md", "markdown", blocks, "0")
    try:
        clauses = bounded(lambda: segment(source, doc="fuzz", version="1"))
    except AssistantError as exc:
        assert "no recognisable numbering" in str(exc)
        return
    ids = [c.id for c in clauses]
    assert len(ids) == len(set(ids)), ids
    word = re.compile(r"[А-Яа-яA-Za-z]{3,}")
    kept = " ".join(" ".join([c.title, c.text, *c.path]) for c in clauses) + " " + blocks[0].text
    lost = {w for b in blocks for w in word.findall(b.text)} - set(word.findall(kept))
    assert not lost, f"words of the document found in no clause: {lost}"


def test_repeated_and_jumping_numbers_are_joined_and_reported(scratch):
    text = "\n\n".join(["1. Общие положения", "1.1. Первый пункт.", "1.1. Повтор первого пункта.", "1.0. Нулевой пункт.",
                        "99.99. Далёкий пункт.", "1.2. Второй пункт."])
    warnings: list[str] = []
    clauses = segment(load_document(_write(scratch, "loops.md", text.encode())), doc="fuzz", version="1",
                      warnings=warnings)
    assert [c.id for c in clauses] == ["fuzz:1", "fuzz:1.1", "fuzz:1.2"]
    first = next(c for c in clauses if c.id == "fuzz:1.1").text
    assert "Повтор первого пункта" in first and "Нулевой пункт" in first and "Далёкий пункт" in first
    assert len(warnings) == 3 and all("does not continue the numbering" in w for w in warnings), warnings


def test_numbering_deeper_than_ten_levels_is_text(scratch):
    """A line numbered thousands of levels deep built paths that grow with the square of the depth (MemoryError);
    labels past ten levels are now text of the unit before them."""
    chain = "1. Общие положения. " + " ".join(".".join(["1"] * depth) + ". Пункт." for depth in range(2, 300))
    kind, clauses = bounded(lambda: outcome(_write(scratch, "deep.md", chain.encode())), seconds=10)
    assert kind == "doc" and max(len(c.path) for c in clauses) <= 10


def test_headings_with_the_same_slug_get_their_own_ids_and_are_indexed(tmp_path):
    """«Общие положения» and «Общие положения!» (or two headings with the same first 40 letters) shared a clause id,
    and the index build died on a UNIQUE constraint with a traceback."""
    from assistant.index import index_paths
    from assistant.index.store import Index
    from fakes import FakeEmbedder, fake_settings

    long = "Очень длинный заголовок раздела правил площадки"
    path = _write(tmp_path, "rules.md", "\n\n".join([
        "# Правила", "## Общие положения", "Текст первого раздела.", "## Общие положения!", "Текст второго раздела.",
        f"## {long} номер один", "Первый.", f"## {long} номер два", "Второй."]).encode())
    settings_ = fake_settings(tmp_path / "index")
    index_paths([path], settings_, embedder=FakeEmbedder(), overrides={"doc": "rules"})
    clauses = Index.open(settings_.index_dir).clauses("rules")
    assert len({c.id for c in clauses}) == len(clauses) == 4
    assert {c.text for c in clauses} == {"Текст первого раздела.", "Текст второго раздела.", "Первый.", "Второй."}


# --- size: the limit refuses before reading ------------------------------------------------------------------

def test_50_mb_of_html_is_refused_by_the_size_limit_before_it_is_read(scratch):
    path = scratch / "huge.html"
    chunk = ("<p>1.1. Продавец обязан отгрузить заказ в срок.</p>" * 2000).encode()
    with path.open("wb") as out:
        out.write(b"<html><body>")
        while out.tell() <= 50 * 2**20:
            out.write(chunk)
    kind, message = bounded(lambda: outcome(path), seconds=2, mb=5)   # the default limit is ASSISTANT_MAX_FILE_MB=50
    assert kind == "error" and "over the 50 MB limit" in message and "ASSISTANT_MAX_FILE_MB" in message
    path.unlink()


# --- big inputs, each in a child process: its time and peak memory, under a cap ------------------------------

CHILD = textwrap.dedent("""
    import json, os, resource, sys, time
    import bs4, docx, lxml.html, pypdf
    from assistant.clauses import segment
    from assistant.errors import AssistantError
    from assistant.ingest import load_document
    path, max_bytes, cap_mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    warm = path + ".warm.md"
    open(warm, "w", encoding="utf-8").write("1.1. Продавец обязан.")
    segment(load_document(warm), doc="warm", version="1")   # imports and first-call costs are not measured
    pages = os.sysconf("SC_PAGE_SIZE")
    mapped = int(open("/proc/self/statm").read().split()[0]) * pages
    resource.setrlimit(resource.RLIMIT_AS, (mapped + cap_mb * 2**20, resource.RLIM_INFINITY))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        clauses = segment(load_document(path, max_bytes=max_bytes), doc="fuzz", version="1")
        result = {"outcome": "doc", "clauses": len(clauses), "unique_ids": len({c.id for c in clauses}) == len(clauses),
                  "longest": max(len(c.text) for c in clauses), "depth": max(len(c.path) for c in clauses)}
    except AssistantError as exc:
        result = {"outcome": "error", "message": str(exc)}
    except BaseException as exc:   # MemoryError under the cap included
        result = {"outcome": "crash", "message": f"{type(exc).__name__}: {exc}"[:500]}
    result["seconds"] = time.perf_counter() - started
    result["grew_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps(result))
""")


def isolated(path: Path, seconds: float, mb: float, max_bytes: int = 50 * 2**20) -> dict:
    """Load and segment ``path`` in a child process; assert it finished within ``seconds`` and grew its peak resident
    memory by at most ``mb``. The child's address space is capped a little above that, so a blow-up is a
    MemoryError reported here rather than the kernel killing whatever else runs on the machine."""
    if not Path("/proc/self/statm").exists():
        pytest.skip("needs /proc to cap the child's memory")
    try:
        done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(max_bytes), str(int(mb * 2))],
                              capture_output=True, text=True, timeout=seconds * 2 + 30, cwd=REPO)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: no outcome within {seconds * 2 + 30:.0f} s (a hang)")
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"] != "crash", result["message"]
    assert result["seconds"] <= seconds, f"{path.name}: took {result['seconds']:.1f} s, over the {seconds} s bound"
    assert result["grew_mb"] <= mb, f"{path.name}: grew by {result['grew_mb']:.0f} MB, over the {mb} MB bound"
    return result


def test_ordered_lists_nested_1500_deep_in_process(scratch):
    """The fast tier's share of the next test: before the fix, 1,000 levels took 15 s and 740 MB (the cost grows with
    the cube of the depth); now the labels stop at ten levels and the rest is text."""
    html = "<html><body>" + "<ol><li>Пункт списка" * 1500 + "</li></ol>" * 1500 + "</body></html>"
    kind, clauses = bounded(lambda: outcome(_write(scratch, "nested-ol.html", html.encode())))
    assert kind == "doc" and max(len(c.path) for c in clauses) <= 10
    assert sum(f"{c.title} {c.text}".count("Пункт списка") for c in clauses) == 1500, "the deeper items are text"


@pytest.mark.slow   # a child process parsing 10,000 levels of markup
def test_ordered_lists_nested_10000_deep(tmp_path):
    """Before the fix: labels «1.1.1.…» 10,000 levels deep, paths quadratic in the depth, 23 GB and the OOM killer."""
    html = "<html><body>" + "<ol><li>Пункт списка" * 10_000 + "</li></ol>" * 10_000 + "</body></html>"
    result = isolated(_write(tmp_path, "nested-ol.html", html.encode()), seconds=20, mb=400)
    assert result["outcome"] == "doc" and result["unique_ids"] and result["depth"] <= 10


@pytest.mark.slow   # a child process parsing 10,000 levels of markup
def test_divs_nested_10000_deep(tmp_path):
    html = ("<html><body>" + "<div>" * 10_000 + "<p>1.1. Продавец обязан отгрузить заказ.</p>" + "</div>" * 10_000
            + "</body></html>")
    result = isolated(_write(tmp_path, "nested-div.html", html.encode()), seconds=20, mb=400)
    assert result["outcome"] == "doc" and result["clauses"] == 1


@pytest.mark.slow   # 5 MB of markup: several seconds
def test_5_mb_of_html_under_a_raised_limit_is_parsed_within_bounds(tmp_path):
    rows = "".join(f"<h2>{a}. Раздел {a}</h2><ol>" + "".join(
        f"<li>Продавец исполняет обязанность номер {b} в срок, установленный Правилами площадки.</li>"
        for b in range(1, 400)) + "</ol>" for a in range(1, 100))
    html = ("<html><head><title>Правила</title></head><body>" + rows + "</body></html>").encode()
    assert 4 * 2**20 < len(html) < 8 * 2**20
    result = isolated(_write(tmp_path, "big.html", html), seconds=60, mb=800, max_bytes=8 * 2**20)
    assert result["outcome"] == "doc" and result["unique_ids"] and result["clauses"] > 30_000


@pytest.mark.slow   # a megabyte of text in one clause
def test_one_1_mb_clause(tmp_path):
    text = "1.1. " + "Продавец обязан отгрузить заказ в срок, установленный Правилами. " * 16_000
    result = isolated(_write(tmp_path, "one.md", text.encode()), seconds=20, mb=600)
    assert result["outcome"] == "doc" and result["clauses"] == 1 and result["longest"] > 1_000_000


@pytest.mark.slow   # 100,000 clauses: about ten seconds
def test_100000_one_line_clauses(tmp_path):
    lines = []
    for a in range(1, 101):
        lines.append(f"{a}. Раздел {a}")
        lines += [f"{a}.{b}. Продавец исполняет обязанность {b}." for b in range(1, 1000)]
    result = isolated(_write(tmp_path, "many.txt", "\n".join(lines).encode()), seconds=120, mb=1500)
    assert result["outcome"] == "doc" and result["clauses"] == 100_000 and result["unique_ids"]

"""Rules uploads are identified by their content, stored under a name made from it, and never under a path the
uploader chose."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest

from assistant.errors import AssistantError, IngestError
from assistant.index.store import Index
from assistant.maintain import check_upload, detect_type, publish, stage_upload
from docs import RULES_V1, RULES_V2
from fakes import FakeEmbedder

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
MARKDOWN = RULES_V2.encode()
HTML = ("<html><head><title>Правила</title></head><body><h2>1. Общие положения</h2><ol>"
        "<li>Настоящие Правила регулируют отношения Площадки и Продавца.</li>"
        "<li>Площадка вправе изменять Правила.</li></ol></body></html>").encode()


def pdf_bytes() -> bytes:
    fpdf = pytest.importorskip("fpdf")
    if not os.path.exists(FONT):
        pytest.skip(f"no Cyrillic TTF font at {FONT} (install fonts-dejavu-core)")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=FONT)
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 6, "1. Общие положения\n1.1. Продавец обязан отгрузить заказ.\n1.2. Площадка вправе изменять Правила.")
    return bytes(pdf.output())


def docx_bytes() -> bytes:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in ("1. Общие положения", "1.1. Продавец обязан отгрузить заказ.", "1.2. Площадка вправе изменять Правила."):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rules.md", MARKDOWN)
    return buffer.getvalue()


def _uploads(settings) -> list[str]:
    return sorted(p.name for p in settings.uploads_dir.glob("*")) if settings.uploads_dir.exists() else []


# --- the type comes from the content --------------------------------------------------------------------------

MISMATCHED = {
    "PDF named .md": ("rules.md", pdf_bytes, "is a PDF by its content, but its name says text"),
    "zip named .pdf": ("rules.pdf", zip_bytes, "is a ZIP archive that is not a Word document by its content, "
                                               "but its name says a PDF"),
    "DOCX named .pdf": ("rules.pdf", docx_bytes, "is a Word document (DOCX) by its content, but its name says a PDF"),
    "zip named .docx": ("rules.docx", zip_bytes, "is a ZIP archive that is not a Word document"),
    "text named .pdf": ("rules.pdf", lambda: MARKDOWN, "is text by its content, but its name says a PDF"),
    "text named .docx": ("rules.docx", lambda: MARKDOWN, "is text by its content, but its name says a Word document"),
    "Windows-1251 text": ("rules.txt", lambda: RULES_V1.encode("cp1251"), "neither a PDF, a Word document (DOCX) nor "
                                                                          "UTF-8 text"),
    "binary named .html": ("rules.html", lambda: bytes(range(256)) * 4, "neither a PDF"),
}


@pytest.mark.parametrize("case", sorted(MISMATCHED))
def test_a_file_whose_content_is_not_what_its_name_says_is_refused_and_not_kept(fake_rules_copy, case):
    name, make, says = MISMATCHED[case]
    with pytest.raises(IngestError) as refused:
        stage_upload(fake_rules_copy, name, make(), doc="rules", version="3")
    assert says in str(refused.value), str(refused.value)
    assert "\n" not in str(refused.value)
    assert _uploads(fake_rules_copy) == [], "a refused upload is not kept"


ACCEPTED = {
    "rules.pdf": (pdf_bytes, ".pdf"),
    "rules.docx": (docx_bytes, ".docx"),
    "rules.md": (lambda: MARKDOWN, ".md"),
    "rules.markdown": (lambda: MARKDOWN, ".md"),
    "rules.txt": (lambda: MARKDOWN, ".txt"),
    "rules.htm": (lambda: HTML, ".html"),
    "Правила площадки (новые).html": (lambda: HTML, ".html"),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_a_file_is_stored_under_the_hash_of_its_content_and_the_suffix_of_its_type(fake_rules_copy, name):
    make, suffix = ACCEPTED[name]
    data = make()
    staged = stage_upload(fake_rules_copy, name, data, doc="uploaded", version="1")
    assert staged.path == fake_rules_copy.uploads_dir / f"{hashlib.sha256(data).hexdigest()}{suffix}"
    assert staged.path.read_bytes() == data
    assert _uploads(fake_rules_copy) == [staged.path.name], "the uploader's name is not used"
    assert staged.diff.added, "the file was read and segmented"


def test_a_staged_upload_publishes_from_its_stored_file(fake_rules_copy):
    staged = stage_upload(fake_rules_copy, "новая версия.md", RULES_V1.replace("30 календарных", "45 календарных")
                          .encode(), doc="rules", version="3")
    publish(fake_rules_copy, staged, embedder=FakeEmbedder())
    index = Index.open(fake_rules_copy.index_dir, vectors=False)
    assert index.published_version("rules") == "3"
    assert "45 календарных" in index.clause("rules:2.3").text


def test_uploading_the_published_file_again_is_refused_without_removing_it(fake_rules_copy):
    data = RULES_V1.replace("30 календарных", "45 календарных").encode()
    staged = stage_upload(fake_rules_copy, "v3.md", data, doc="rules", version="3")
    publish(fake_rules_copy, staged, embedder=FakeEmbedder())
    with pytest.raises(AssistantError, match="already the published version 3"):
        stage_upload(fake_rules_copy, "v3-again.md", data, doc="rules", version="4")
    assert staged.path.exists(), "the published version's file stays: it traces the version to its source"


@pytest.mark.parametrize("name", ["../rules.md", "../../etc/cron.d/rules.md", "/tmp/rules.md", "sub/rules.md",
                                  "..\\rules.md", "C:rules.md", "C:\\Temp\\rules.md", "..", "", "rules\x00.md"])
def test_a_name_with_a_path_in_it_is_refused_before_anything_is_written(fake_rules_copy, tmp_path, name):
    with pytest.raises(IngestError, match="not a plain file name"):
        stage_upload(fake_rules_copy, name, MARKDOWN, doc="rules", version="3")
    assert _uploads(fake_rules_copy) == []
    assert not (fake_rules_copy.index_dir / "rules.md").exists()
    assert not (fake_rules_copy.index_dir.parent / "rules.md").exists()


def test_the_size_limit_is_checked_before_the_type(fake_rules_copy):
    small = fake_rules_copy.with_(max_file_bytes=2**20)
    with pytest.raises(IngestError, match=r"is 2\.0 MB, over the 1 MB limit"):
        check_upload("rules.pdf", 2 * 2**20, small, b"%PDF-1.7" + b"\0" * (2 * 2**20 - 8))


@pytest.mark.parametrize("data, kind", [(b"%PDF-1.4\n%\xe2\xe3", "pdf"), (b"\xef\xbb\xbf%PDF-1.7", "pdf"),
                                        ("# Правила\n\n1.1. Текст".encode(), "text"),
                                        ("\ufeff1.1. Текст".encode(), "text"), (b"PK\x03\x04broken", "zip"),
                                        (b"\x00\x01\x02", None), ("Текст".encode("cp1251"), None)])
def test_the_type_is_read_from_the_first_bytes(data, kind):
    assert detect_type(data) == kind

"""Bad input: a clear message naming the file, exit code 2, and the serving index untouched."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from assistant.index import index_paths
from assistant.index.store import Index, current_name
from docs import run_cli, write_rules
from fakes import FakeEmbedder, fake_settings

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    """The index a bad file must leave alone (vectors from the fake embedder: a refused file embeds nothing)."""
    root = tmp_path_factory.mktemp("serving")
    settings = fake_settings(root / "index")
    index_paths([write_rules(root)], settings, embedder=FakeEmbedder(), overrides={"doc": "rules"})
    return settings


def _pdf_bytes(text: str | None, password: str | None = None) -> bytes:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    if text is None:
        pdf.rect(20, 20, 100, 60, style="F")   # an image-only page: no text layer
    else:
        if not shutil.os.path.exists(FONT):
            pytest.skip(f"no Cyrillic TTF font at {FONT} (install fonts-dejavu-core)")
        pdf.add_font("DejaVu", fname=FONT)
        pdf.set_font("DejaVu", size=11)
        pdf.multi_cell(0, 6, text)
    data = bytes(pdf.output())
    if password:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt(password)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    return data


CASES = {
    "corrupt.pdf": (lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage" + b"\x00" * 100, "not a readable PDF"),
    "locked.pdf": (lambda: _pdf_bytes("1.1. Текст правила.", password="secret"), "encrypted with a password"),
    "scan.pdf": (lambda: _pdf_bytes(None), "no text layer"),
    "empty.md": (lambda: b"", "is empty"),
    "blank.txt": (lambda: b"   \n\n  ", "is empty"),
    "prose.md": (lambda: "Просто текст без нумерации.\n\nИ ещё абзац.".encode(), "no recognisable numbering"),
    "cp1251.txt": (lambda: "1.1. Продавец обязан отгрузить заказ.".encode("cp1251"), "not UTF-8"),
    "broken.docx": (lambda: b"PK\x03\x04 not really a zip", "not a readable DOCX"),
    "rules.rtf": (lambda: b"{\\rtf1 1.1. Text}", "unsupported type"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_rules_file_is_refused_and_index_unchanged(serving, tmp_path, capsys, name):
    make, expected = CASES[name]
    path = tmp_path / name
    path.write_bytes(make())
    before = current_name(serving.index_dir)
    code, out, err = run_cli(capsys, "index", str(path), "--index", str(serving.index_dir))
    assert code == 2
    assert str(path) in err and expected in err, err
    assert err.count("\n") == 1, "one line, no traceback"
    assert current_name(serving.index_dir) == before
    assert len(Index.open(serving.index_dir).clauses()) > 5


@pytest.mark.slow   # the CLI builds a new index with the real model
def test_cp1251_is_accepted_when_the_encoding_is_named(tmp_path, capsys):
    path = tmp_path / "old.txt"
    path.write_bytes("1. Общие положения\n1.1. Продавец обязан отгрузить заказ.\n".encode("cp1251"))
    code, out, err = run_cli(capsys, "index", str(path), "--encoding", "cp1251", "--index", str(tmp_path / "i"))
    assert code == 0, err
    assert "Продавец обязан" in Index.open(tmp_path / "i").clause("old:1.1").text


def test_a_bad_file_among_good_ones_aborts_the_whole_run(serving, tmp_path, capsys):
    good = write_rules(tmp_path / "good", name="other.md")
    (tmp_path / "good" / "empty.md").write_text("")
    before = current_name(serving.index_dir)
    code, _, err = run_cli(capsys, "index", str(tmp_path / "good"), "--index", str(serving.index_dir))
    assert code == 2 and "empty.md: is empty" in err
    assert current_name(serving.index_dir) == before
    assert not any(d.doc == good.stem for d in Index.open(serving.index_dir).documents())


def test_file_over_the_size_limit(serving, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_FILE_MB", "1")
    big = tmp_path / "huge.md"
    big.write_text("1.1. Пункт.\n\n" * 120_000, encoding="utf-8")
    code, _, err = run_cli(capsys, "index", str(big), "--index", str(serving.index_dir))
    assert code == 2 and "over the 1 MB limit" in err and "ASSISTANT_MAX_FILE_MB" in err


BAD_ROWS = [
    json.dumps({"id": "R-1", "message": "Где мой заказ?", "reply": "Заказ в пути."}, ensure_ascii=False),
    "{not json",
    json.dumps({"id": "R-3", "message": "Без ответа"}, ensure_ascii=False),
    json.dumps({"id": "R-4", "message": "Вернули не тот товар", "reply": "Проверим возврат."}, ensure_ascii=False),
]


def test_malformed_case_rows_are_listed_by_line(serving, tmp_path, capsys):
    path = tmp_path / "replies.jsonl"
    path.write_text("\n".join(BAD_ROWS) + "\n", encoding="utf-8")
    before = current_name(serving.index_dir)
    code, _, err = run_cli(capsys, "index", str(path), "--index", str(serving.index_dir))
    assert code == 2 and "line 2: invalid JSON" in err and "line 3: missing reply" in err and "--skip-bad-rows" in err
    assert current_name(serving.index_dir) == before


@pytest.mark.slow   # the CLI embeds the good rows with the real model
def test_the_good_rows_are_kept_when_asked(tmp_path, capsys):
    path = tmp_path / "replies.jsonl"
    path.write_text("\n".join(BAD_ROWS) + "\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "index", str(path), "--skip-bad-rows", "--index", str(tmp_path / "i"))
    assert code == 0 and "skipped 2 malformed row(s)" in out and "lines 2, 3" in out
    assert {c.id for c in Index.open(tmp_path / "i").cases()} == {"R-1", "R-4"}


def test_csv_cases_need_message_and_reply(tmp_path, capsys):
    path = tmp_path / "old.csv"
    path.write_text("id,message,reply,outcome,cited\nX-1,Где посылка?,В пути,ok,rules:2.1\n", encoding="utf-8")
    settings = fake_settings(tmp_path / "i")
    index_paths([write_rules(tmp_path), path], settings, embedder=FakeEmbedder(), overrides={"doc": "rules"})
    assert Index.open(settings.index_dir).case("X-1").cited == ("rules:2.1",)


def test_missing_index_is_explained(tmp_path, capsys):
    code, _, err = run_cli(capsys, "search", "возврат", "--index", str(tmp_path / "nothing"))
    assert code == 2 and "no index at" in err and "assistant index" in err


# --- hostile files: each is a one-line error, never a traceback ------------------------------------------------


def _docx_bytes(document_xml: bytes | None = None, padding: int = 0) -> bytes:
    """A real DOCX written by python-docx, with its document part replaced or padded if asked."""
    import docx
    import zipfile

    buffer = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("1.1. Продавец обязан отгрузить заказ.")
    d.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = document_xml if document_xml is not None else data.replace(
                    b"</w:body>", b"<w:p/>" * 0 + b" " * padding + b"</w:body>")
            dst.writestr(item, data)
    return out.getvalue()


HOSTILE = {
    "nested.html": (lambda: ("<html><body>" + "<div>" * 10_000 + "<p>1.1. Продавец обязан отгрузить заказ.</p>"
                             + "</div>" * 10_000 + "</body></html>").encode(), None),
    "brokenxml.docx": (lambda: _docx_bytes(b"<w:document><w:body><w:p>unclosed"), "not a readable DOCX"),
    "bomb.docx": (lambda: _docx_bytes(padding=80 * 1024 * 1024), "expands to"),
}


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.slow) if HOSTILE[name][1] is None else name
                                  for name in sorted(HOSTILE)])   # a file that is read gets embedded: slow
def test_hostile_files_are_read_or_refused_in_one_line(serving, tmp_path, capsys, name):
    make, expected = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(make())
    code, out, err = run_cli(capsys, "index", str(path), "--index", str(tmp_path / "own"))
    if expected is None:   # deep nesting is just structure: the document is read
        assert code == 0, err
        assert "Продавец обязан" in Index.open(tmp_path / "own").clause("nested:1.1").text
    else:
        assert code == 2 and expected in err and err.count("\n") == 1, err


MANIFESTS = {
    "unknown key": ('[[document]]\npath = "rules.md"\nversoin = "2"\n', "unknown key(s) versoin"),
    "no path": ('[[document]]\ndoc = "rules"\n', "has no `path`"),
    "outside": ('[[document]]\npath = "../secret.md"\n', "outside its folder"),
    "top-level typo": ('excludes = ["x"]\n', "unknown key(s) excludes"),
    "translation of nothing": ('[[translation]]\npath = "rules.en.md"\nlang = "en"\n', "translation 1 has no doc"),
}


@pytest.mark.parametrize("case", sorted(MANIFESTS))
def test_a_bad_manifest_is_a_clear_error(tmp_path, capsys, case):
    text, expected = MANIFESTS[case]
    folder = tmp_path / "corpus"
    write_rules(folder)
    (tmp_path / "secret.md").write_text("1.1. Секрет.", encoding="utf-8")
    (folder / "manifest.toml").write_text(text, encoding="utf-8")
    code, _, err = run_cli(capsys, "index", str(folder), "--index", str(tmp_path / "i"))
    assert code == 2 and "manifest.toml" in err and expected in err and err.count("\n") == 1, err


def test_too_many_clauses_are_refused_before_embedding(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("ASSISTANT_MAX_CLAUSES", "50")
    path = tmp_path / "long.md"
    path.write_text("\n\n".join(f"1.{i}. Пункт номер {i}." for i in range(1, 80)), encoding="utf-8")
    code, _, err = run_cli(capsys, "index", str(path), "--index", str(tmp_path / "i"))
    assert code == 2 and "79 clauses, over the limit of 50" in err and "ASSISTANT_MAX_CLAUSES" in err
    assert not (tmp_path / "i" / "CURRENT").exists()


@pytest.mark.slow   # the CLI embeds 1,003 clauses with the real model
def test_numbering_that_repeats_or_passes_999_is_reported_not_merged_silently(tmp_path, capsys):
    lines = [f"1.{i}. Пункт номер {i}." for i in range(1, 1003)]
    lines.insert(5, "1.5. Этот номер повторяется.")
    path = tmp_path / "numbers.md"
    path.write_text("\n\n".join(lines), encoding="utf-8")
    code, out, err = run_cli(capsys, "index", str(path), "--index", str(tmp_path / "i"))
    assert code == 0, err
    index = Index.open(tmp_path / "i")
    assert "Пункт номер 1000" in index.clause("numbers:1.1000").text, "four-digit numbers are clauses"
    assert "warning:" in err and "1.5. Этот номер повторяется" in err and "after 1.5" in err

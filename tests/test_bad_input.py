"""Bad input: a clear message naming the file, exit code 2, and the serving index untouched."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from assistant.config import Settings
from assistant.index import index_paths
from assistant.index.store import Index, current_name
from docs import run_cli, write_rules

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    root = tmp_path_factory.mktemp("serving")
    settings = Settings.resolve(index=root / "index")
    index_paths([write_rules(root)], settings, overrides={"doc": "rules"})
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


def test_malformed_case_rows_are_listed_by_line_and_kept_only_when_asked(serving, tmp_path, capsys):
    path = tmp_path / "replies.jsonl"
    rows = [
        json.dumps({"id": "R-1", "message": "Где мой заказ?", "reply": "Заказ в пути."}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "R-3", "message": "Без ответа"}, ensure_ascii=False),
        json.dumps({"id": "R-4", "message": "Вернули не тот товар", "reply": "Проверим возврат."}, ensure_ascii=False),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = current_name(serving.index_dir)
    code, _, err = run_cli(capsys, "index", str(path), "--index", str(serving.index_dir))
    assert code == 2 and "line 2: invalid JSON" in err and "line 3: missing reply" in err and "--skip-bad-rows" in err
    assert current_name(serving.index_dir) == before
    code, out, err = run_cli(capsys, "index", str(path), "--skip-bad-rows", "--index", str(serving.index_dir))
    assert code == 0 and "skipped 2 malformed row(s)" in out and "lines 2, 3" in out
    assert {c.id for c in Index.open(serving.index_dir).cases()} >= {"R-1", "R-4"}


def test_csv_cases_need_message_and_reply(tmp_path, capsys):
    path = tmp_path / "old.csv"
    path.write_text("id,message,reply,outcome,cited\nX-1,Где посылка?,В пути,ok,rules:2.1\n", encoding="utf-8")
    settings = Settings.resolve(index=tmp_path / "i")
    index_paths([write_rules(tmp_path), path], settings, overrides={"doc": "rules"})
    assert Index.open(settings.index_dir).case("X-1").cited == ("rules:2.1",)


def test_missing_index_is_explained(tmp_path, capsys):
    code, _, err = run_cli(capsys, "search", "возврат", "--index", str(tmp_path / "nothing"))
    assert code == 2 and "no index at" in err and "assistant index" in err

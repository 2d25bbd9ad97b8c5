"""Past support replies from ``.jsonl`` or ``.csv``: message and reply required, the rest optional.

>>> from assistant.config import REPO_ROOT
>>> from assistant.ingest.cases import load_cases
>>> cases, bad = load_cases(REPO_ROOT / "corpus" / "cases.jsonl")
>>> cases[0].id, bool(cases[0].message and cases[0].reply), bad
('C-0001', True, [])
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import IngestError
from ..schema import Case
from . import read_limited
from .text import decode

_ALIASES = {
    "message": ("message", "question", "text", "request"),
    "reply": ("reply", "answer", "response"),
    "cited": ("cited", "cited_clauses", "citations", "clauses"),
}


@dataclass(frozen=True)
class BadRow:
    line: int
    problem: str


def _get(row: dict, field: str):
    for key in _ALIASES.get(field, (field,)):
        if row.get(key) not in (None, ""):
            return row[key]
    return None


def _as_list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        if isinstance(value, str):
            return tuple(v.strip() for v in value.replace(";", ",").split(",") if v.strip())
    return tuple(str(v).strip() for v in value if str(v).strip())


def _as_bool(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "да")
    return bool(value)


def _case(row: dict, line: int, source: str) -> Case:
    if not isinstance(row, dict):
        raise ValueError("is not an object")
    message, reply = _get(row, "message"), _get(row, "reply")
    missing = [name for name, v in (("message", message), ("reply", reply)) if not (isinstance(v, str) and v.strip())]
    if missing:
        raise ValueError("missing " + " and ".join(missing))
    return Case(
        id=str(row.get("id") or f"{source}-{line}"),
        source=source,
        message=message.strip(),
        reply=reply.strip(),
        date=str(row.get("date") or ""),
        audience=str(row.get("audience") or ""),
        channel=str(row.get("channel") or ""),
        outcome=str(row.get("outcome") or ""),
        tags=_as_list(row.get("tags")),
        cited=_as_list(_get(row, "cited")),
        templated=_as_bool(row.get("templated", False)),
    )


def iter_cases(path: str | Path, encoding: str | None = None) -> Iterator[tuple[int, Case | BadRow]]:
    """Stream a past-replies file row by row (memory does not grow with the file): (line, ``Case``) per good
    row, (line, ``BadRow``) per malformed one. Duplicate ids are the caller's to find (the index's key finds them).

    >>> from assistant.config import REPO_ROOT
    >>> line, case = next(iter_cases(REPO_ROOT / "corpus" / "cases.jsonl"))
    >>> line, case.id
    (1, 'C-0001')
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".csv"):
        raise IngestError(path, f"has an unsupported type {path.suffix}", "past replies must be .jsonl or .csv")
    source = path.stem
    try:
        fh = open(path, encoding=encoding or "utf-8-sig", newline="")
    except LookupError:
        raise IngestError(path, f"cannot be decoded as {encoding} (unknown encoding)", "check the --encoding value") \
            from None
    except OSError as exc:
        raise IngestError(path, f"cannot be read ({exc.strerror})", "check the path and permissions") from None
    with fh:
        try:
            if suffix == ".jsonl":
                for no, line in enumerate(fh, start=1):
                    if not line.strip():
                        continue
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        yield no, BadRow(no, f"invalid JSON ({exc.msg})")
                        continue
                    yield no, _case_or_bad(row, no, source)
            else:
                reader = csv.DictReader(fh)
                if not reader.fieldnames or not any(f in reader.fieldnames for f in _ALIASES["message"]):
                    raise IngestError(path, "has no 'message' column",
                                      "the header needs at least message and reply columns")
                for row in reader:
                    yield reader.line_num, _case_or_bad(row, reader.line_num, source)
        except UnicodeDecodeError as exc:
            what = f"cannot be decoded as {encoding} ({exc})" if encoding else "is not UTF-8 text"
            raise IngestError(path, what, "check the --encoding value" if encoding else
                              "convert it with `iconv -f cp1251 -t utf-8 FILE > FILE.utf8` or pass --encoding cp1251") \
                from None


def _case_or_bad(row, no: int, source: str) -> Case | BadRow:
    try:
        return _case(row, no, source)
    except ValueError as exc:
        return BadRow(no, str(exc))


def load_cases(path: str | Path, *, max_bytes: int = 50 * 1024 * 1024, keep_good: bool = False,
               encoding: str | None = None) -> tuple[list[Case], list[BadRow]]:
    """Read cases; malformed rows raise ``IngestError`` listing their line numbers unless ``keep_good``."""
    path = Path(path)
    text = decode(read_limited(path, max_bytes), path, encoding)
    source = path.stem
    rows: list[tuple[int, object]] = []
    bad: list[BadRow] = []
    if path.suffix.lower() == ".jsonl":
        for no, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rows.append((no, json.loads(line)))
            except json.JSONDecodeError as exc:
                bad.append(BadRow(no, f"invalid JSON ({exc.msg})"))
    elif path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not any(f in reader.fieldnames for f in _ALIASES["message"]):
            raise IngestError(path, "has no 'message' column", "the header needs at least message and reply columns")
        for row in reader:
            rows.append((reader.line_num, row))
    else:
        raise IngestError(path, f"has an unsupported type {path.suffix}", "past replies must be .jsonl or .csv")
    cases: list[Case] = []
    seen: set[str] = set()
    for no, row in rows:
        try:
            case = _case(row, no, source)
        except ValueError as exc:
            bad.append(BadRow(no, str(exc)))
            continue
        if case.id in seen:
            bad.append(BadRow(no, f"duplicate id {case.id}"))
            continue
        seen.add(case.id)
        cases.append(case)
    bad.sort(key=lambda b: b.line)
    if bad and not keep_good:
        listed = "; ".join(f"line {b.line}: {b.problem}" for b in bad[:10]) + (" …" if len(bad) > 10 else "")
        raise IngestError(path, f"has {len(bad)} malformed row(s) ({listed})",
                          "fix those lines, or pass --skip-bad-rows to index only the good rows")
    if not cases:
        raise IngestError(path, "has no usable rows", "each row needs a message and a reply")
    return cases, bad

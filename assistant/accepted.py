"""Replies an agent accepted: stored at once, durably, with everything needed to learn from them.

The rule: an accepted reply is written to ``<index>/accepted.jsonl`` the moment the agent
presses «Принять» (one line, fsync'd, so closing the browser loses nothing). It becomes a
past case — found by search and used by the drafter — at the next reindex of that file:
the maintainer page's «Добавить принятые ответы» button, or
``assistant index <index>/accepted.jsonl``. Only the new replies are embedded then.

>>> from assistant.accepted import accept, load_accepted
>>> record = accept(settings, draft_, final_text, channel="chat")   # doctest: +SKIP
>>> record["id"], load_accepted(settings)[-1]["id"] == record["id"]  # doctest: +SKIP
('A-20261201-3f9c2a', True)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from pathlib import Path

from .checks import Checks
from .config import Settings
from .diff import word_diff
from .errors import AssistantError


def accept(settings: Settings, draft_, final_text: str, checks: Checks, *, channel: str = "", order: str = "",
           now: dt.datetime | None = None) -> dict:
    """Append the accepted reply as a past case (the format ``load_cases`` reads), plus how it came about."""
    final_text = final_text.strip()
    if not final_text:
        raise AssistantError("the reply is empty; write or keep a draft before accepting it")
    now = now or dt.datetime.now(dt.timezone.utc)
    record = {
        "id": f"A-{now:%Y%m%d}-{secrets.token_hex(3)}",
        "date": now.date().isoformat(),
        "accepted_at": now.isoformat(timespec="seconds"),
        "audience": draft_.analysis.audience or "",
        "channel": channel,
        "order": order,
        "message": draft_.analysis.text,
        "reply": final_text,
        "outcome": "",
        "cited": list(dict.fromkeys(c.clause_id for c in checks.citations if c.ok and c.clause_id)),
        "templated": bool(checks.template and checks.template.phrases),
        "draft": draft_.text,
        "backend": draft_.backend,
        "edited": final_text != draft_.text.strip(),
        "edits": [{"op": op, "text": t} for op, t in word_diff(draft_.text, final_text) if op != "="],
        "points": [{"sentences": p.sentences, "clause_ids": p.clause_ids} for p in draft_.analysis.points],
        "citations": [c.to_dict() for c in draft_.citations],
        "checks": {"ok": checks.ok, "template": checks.template.score if checks.template else 0.0,
                   "unanswered": [c.point for c in checks.coverage if not c.answered]},
    }
    _append_line(settings.accepted_file, json.dumps(record, ensure_ascii=False))
    return record


def _append_line(path: Path, line: str) -> None:
    """One write of a whole line, then fsync: a crash leaves the earlier lines intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def load_accepted(settings: Settings) -> list[dict]:
    """Every accepted reply, oldest first; a torn last line (a crash mid-write) is skipped."""
    try:
        lines = settings.accepted_file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out

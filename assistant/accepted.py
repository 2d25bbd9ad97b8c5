"""Replies an agent accepted: stored at once, masked, and later turned into past cases.

The rule: a reply is stored in the record store (``assistant.records``) the moment the agent
presses «Принять» — one transaction, durable when this returns, so closing the browser loses
nothing. Phones, e-mails, card numbers and other personal data are masked before anything is
written (``ASSISTANT_KEEP_PERSONAL_DATA=1`` keeps them). A reply whose checks failed is stored
for review and becomes a past case only after a maintainer approves it. Ready replies become
past cases — found by search and used by the drafter — at the next «Добавить принятые ответы»
(``add_accepted`` in ``assistant.maintain``, or ``assistant add-accepted``); only new ones are
embedded then.

>>> saved, created = accept(settings, draft_, final_text, checks, channel="chat")   # doctest: +SKIP
>>> saved.id, saved.status, created                                                 # doctest: +SKIP
('A-0192f3c4e5b67d8e9fa0b1c2d3e4f5a6', 'ready', True)
"""

from __future__ import annotations

import datetime as dt
import uuid

from .checks import Checks
from .config import Settings
from .diff import word_diff
from .errors import AssistantError
from .privacy import mask, mask_record
from .records import AcceptedReply, open_store
from .records.model import READY, REVIEW, reply_key, subjects_of


def accept(settings: Settings, draft_, final_text: str, checks: Checks, *, channel: str = "", order: str = "",
           now: dt.datetime | None = None) -> tuple[AcceptedReply, bool]:
    """Store the accepted reply; returns it and whether it is new (the same text twice is stored once)."""
    final_text = final_text.strip()
    if not final_text:
        raise AssistantError("the reply is empty; write or keep a draft before accepting it")
    now = now or dt.datetime.now(dt.timezone.utc)
    message = draft_.analysis.text
    orders = [order] + [f.value for f in draft_.analysis.facts if f.kind == "order"]
    keep = settings.keep_personal_data
    hide = (lambda v: v) if keep else mask_record
    record = AcceptedReply(
        id=f"A-{uuid.uuid4().hex}",
        accepted_at=now.isoformat(timespec="seconds"),
        message=message if keep else mask(message),
        reply=final_text if keep else mask(final_text),
        draft=draft_.text if keep else mask(draft_.text),
        audience=draft_.analysis.audience or "",
        channel=channel,
        order=order,
        cited=tuple(dict.fromkeys(c.clause_id for c in checks.citations if c.ok and c.clause_id)),
        templated=bool(checks.template and checks.template.phrases),
        backend=draft_.backend,
        edits=tuple(hide([{"op": op, "text": t} for op, t in word_diff(draft_.text, final_text) if op != "="])),
        points=tuple(hide([{"sentences": p.sentences, "clause_ids": p.clause_ids} for p in draft_.analysis.points])),
        citations=tuple(c.to_dict() for c in draft_.citations),
        checks={"ok": checks.ok, "template": checks.template.score if checks.template else 0.0,
                "unanswered": hide([c.point for c in checks.coverage if not c.answered])},
        status=READY if checks.ok else REVIEW,
        key=reply_key(message, final_text),
        subjects=subjects_of(f"{message}\n{final_text}", orders),
    )
    store = open_store(settings)
    try:
        return store.add(record)
    finally:
        store.close()


def load_accepted(settings: Settings, status: str | None = None) -> list[AcceptedReply]:
    """Every accepted reply (or those with ``status``), oldest first."""
    store = open_store(settings)
    try:
        return store.accepted(status)
    finally:
        store.close()

"""What the system of record holds, and the interface every back end implements."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from typing import Protocol

from ..schema import Case

READY = "ready"      # becomes a past case at the next «add accepted replies»
REVIEW = "review"    # its checks failed: a maintainer decides before it can become a case
STATUSES = (READY, REVIEW)
SOURCE = "accepted"  # the case source accepted replies are indexed under


@dataclass(frozen=True)
class AcceptedReply:
    """One reply an agent accepted, personal data already masked (unless the settings keep it)."""

    id: str
    accepted_at: str
    message: str
    reply: str
    draft: str = ""
    audience: str = ""
    channel: str = ""
    order: str = ""
    cited: tuple[str, ...] = ()
    templated: bool = False
    backend: str = ""
    edits: tuple[dict, ...] = ()
    points: tuple[dict, ...] = ()
    citations: tuple[dict, ...] = ()
    checks: dict = field(default_factory=dict)
    status: str = READY
    key: str = ""                       # the same message and reply accepted twice share it
    subjects: tuple[str, ...] = ()      # hashed identifiers of the person, for deletion on request

    @property
    def edited(self) -> bool:
        return bool(self.edits)

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("subjects")
        d["edited"] = self.edited
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "AcceptedReply":
        known = {f for f in cls.__dataclass_fields__}
        d = {k: v for k, v in d.items() if k in known}
        for name in ("cited", "edits", "points", "citations", "subjects"):
            d[name] = tuple(d.get(name) or ())
        return cls(**d)

    def to_case(self) -> Case:
        return Case(id=self.id, source=SOURCE, message=self.message, reply=self.reply, date=self.accepted_at[:10],
                    audience=self.audience, channel=self.channel, cited=self.cited, templated=self.templated)


def reply_key(message: str, reply: str) -> str:
    """Accepting the same reply to the same message twice (a double click) stores it once."""
    return hashlib.sha256(f"{' '.join(message.split())}\n{' '.join(reply.split())}".encode("utf-8")).hexdigest()


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+?\d[\s()-]*){10,14}\d")


def subject_key(kind: str, value: str) -> str:
    """A one-way key for an identifier: the store can find a person's records without keeping the value.

    >>> subject_key("phone", "+7 (912) 345-67-89") == subject_key("phone", "89123456789")
    True
    """
    if kind == "email":
        value = value.strip().lower()
    elif kind == "phone":
        value = re.sub(r"\D", "", value)[-10:]
    else:
        value = re.sub(r"\s+", "", value).upper()
    return hashlib.sha256(f"{kind}:{value}".encode("utf-8")).hexdigest()


def subjects_of(text: str, orders: list[str] = ()) -> tuple[str, ...]:
    """Keys for the e-mails, phone numbers and order numbers that identify the person in ``text``."""
    keys = [subject_key("email", m.group(0)) for m in _EMAIL.finditer(text)]
    keys += [subject_key("phone", m.group(0)) for m in _PHONE.finditer(text)
             if 10 <= len(re.sub(r"\D", "", m.group(0))) <= 12]
    keys += [subject_key("order", o) for o in orders if o]
    return tuple(dict.fromkeys(keys))


class RecordStore(Protocol):
    """Accepted replies, durable and shared by every process that serves the same index."""

    def add(self, reply: AcceptedReply) -> tuple[AcceptedReply, bool]:
        """Store ``reply``; when one with the same key exists, return that one and False."""

    def accepted(self, status: str | None = None) -> list[AcceptedReply]:
        """Every accepted reply (or those with ``status``), oldest first."""

    def set_status(self, ids: list[str], status: str) -> int:
        """Change the status of these replies; returns how many changed."""

    def forget(self, keys: list[str]) -> list[str]:
        """Delete the replies of the person these subject keys identify; returns their ids."""

    def close(self) -> None: ...

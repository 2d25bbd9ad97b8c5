"""Example questions: how people ask about a clause, embedded beside it.

A lay question rarely shares words or even phrasing with the statute that answers it («чайник перестал греть,
хочу деньги назад» against «потребитель … вправе … потребовать возврата уплаченной за товар суммы»). Writing,
ahead of time, a few questions each clause answers, in people's words, and embedding them as extra vectors of
that clause moves the clause towards the way it is asked about (document expansion, as in doc2query). They are
the clause's own rows in the vector index (role ``example``), scored apart by the dense channel: a clause's
example cosine is a signal of its own, never mixed into the cosine of its text.

Files are JSONL, one question a line, naming its clause by id or by article and point:

    {"clause": "marketplace-rules:5.3.1", "text": "Потеряли посылку, сколько мне вернут?"}
    {"doc": "zozpp", "article": "18", "point": "1", "text": "Чайник сломался через месяц, что делать?"}

The package ships questions for documents it knows (``Settings.questions_dir``, ``ASSISTANT_QUESTIONS``); a
question whose clause is not in the index is skipped. Accepted replies do the same job as they accumulate: they are past cases, which vote.

>>> rows = ['{"doc": "zozpp", "article": "18", "point": "1", "text": "Сломался чайник"}',
...         '{"clause": "rules:2.3", "text": "Сколько проверяют документы?"}']
>>> parse_lines(rows, "q.jsonl")
{'zozpp:ст18/1': ['Сломался чайник'], 'rules:2.3': ['Сколько проверяют документы?']}
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from ..errors import AssistantError

def clause_id(row: dict) -> str:
    """The clause a line names: ``clause`` as written, or a law's ``doc:ст<article>[/<point>]``."""
    if row.get("clause"):
        return str(row["clause"])
    article, point = str(row["article"]).removeprefix("ст").rstrip("."), row.get("point")
    return f"{row['doc']}:ст{article}" + (f"/{point}" if point not in (None, "") else "")


def parse_lines(lines, origin: str) -> dict[str, list[str]]:
    """Clause id → its questions, in file order, each once."""
    out: dict[str, list[str]] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = " ".join(str(row["text"]).split())
            cid = clause_id(row)
        except (ValueError, KeyError, TypeError) as e:
            raise AssistantError(f"{origin}:{number}: not an example question ({e}); each line is "
                                 '{"clause": ID, "text": ...} or {"doc", "article", "point", "text"}') from None
        if text and text not in out.setdefault(cid, []):
            out[cid].append(text)
    return out


def load_questions(folder: Path) -> dict[str, list[str]]:
    """Every ``*.jsonl`` of ``folder`` (none, or no folder: no questions)."""
    out: dict[str, list[str]] = {}
    for path in sorted(Path(folder).glob("*.jsonl")) if Path(folder).is_dir() else []:
        with path.open(encoding="utf-8") as f:
            for cid, texts in parse_lines(f, str(path)).items():
                out.setdefault(cid, []).extend(t for t in texts if t not in out.get(cid, []))
    return out


def fingerprint(questions: dict[str, list[str]]) -> str:
    """Changes when any question does: an index built with other questions is rebuilt."""
    blob = json.dumps(sorted(questions.items()), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]

"""Turn the law JSON used in ``../shared/corpora`` (ЗоЗПП, ГК РФ) into a Markdown document.

It lets the evaluation and the benchmarks index official law texts exactly as a
maintainer would index a document, and it tells the tests which path every
article and point must come out with.

>>> from assistant.evaluation.laws import law_markdown
>>> md, expected = law_markdown("../shared/corpora/zozpp.json")     # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..clauses.markers import INLINE_DECIMAL

_POINT = re.compile(r"^(\d+(?:\.\d+)*)\.(?:\s|$)")
_ENUM = re.compile(r"^(\d{1,2})\)\s")


@dataclass(frozen=True)
class Law:
    doc: str
    title: str
    short: str
    markdown: str
    expected: dict[tuple[str, ...], str]   # path → first words of the unit's own text (or title)


def _article_number(title: str) -> tuple[str, str]:
    m = re.match(r"^Статья\s+(\d+(?:\.\d+)*)\.?\s*(.*)$", title.strip())
    return (m.group(1), m.group(2)) if m else ("", title.strip())


def load_law(path: str | Path) -> Law:
    """Read a law JSON (``articles`` with ``points``, or ``chapters`` with ``clauses``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    doc, title = data.get("id") or Path(path).stem, data.get("title", "")
    short = data.get("short_title") or doc
    lines = [f"# {title}", ""]
    expected: dict[tuple[str, ...], str] = {}

    def add_point(article: str, num: str, text: str) -> None:
        pieces = _split_inline(num, text)
        for i, (label, body) in enumerate(pieces):
            lines.extend([f"{label}. {body}" if i else f"{num}. {body}", ""])
            parent = (f"Статья {article}",) + (() if i == 0 else (num,))
            expected[parent + (label,)] = body[:40]

    if "articles" in data:
        for art in data["articles"]:
            number, atitle = art["number"], art.get("title") or ""
            lines.extend([f"## Статья {number}. {atitle}".rstrip(), ""])
            expected[(f"Статья {number}",)] = atitle[:40]
            if art.get("points"):
                for label, text in art["points"]:
                    add_point(number, label.replace("п.", "").strip(), text)
            elif art.get("text"):
                lines.extend([art["text"], ""])
    else:
        for chapter in data["chapters"]:
            lines.extend([f"## {chapter['title']}", ""])
            for art in chapter["articles"]:
                number, atitle = _article_number(art.get("title") or "")
                if not number:
                    continue   # a blemish of the source: an article without a title
                lines.extend([f"### Статья {number}. {atitle}".rstrip(), ""])
                expected[(f"Статья {number}",)] = atitle[:40]
                point = None
                for clause in art["clauses"]:
                    m = _POINT.match(clause)
                    e = _ENUM.match(clause)
                    if m:
                        point = m.group(1)
                        expected[(f"Статья {number}", point)] = clause[m.end():][:40]
                    elif e:
                        parent = (f"Статья {number}",) + ((point,) if point else ())
                        expected[parent + (f"{e.group(1)})",)] = clause[e.end():][:40]
                    lines.extend([clause, ""])
    return Law(doc=doc, title=title, short=short, markdown="\n".join(lines), expected=expected)


def _split_inline(num: str, text: str) -> list[tuple[str, str]]:
    """Sub-points such as «2.1.» written inside point 2 of ЗоЗПП."""
    out, rest, label = [], text, num
    while True:
        m = next((m for m in INLINE_DECIMAL.finditer(rest) if m.group(1).startswith(num + ".")), None)
        if not m:
            out.append((label, rest.strip()))
            return out
        out.append((label, rest[: m.start()].strip()))
        label, rest = m.group(1), rest[m.end():]


def prepare_eval_index(settings, progress=None) -> Path:
    """Index the shared laws (converted to Markdown) beside the demo corpus, in ``<index>/../eval-index``.

    Re-running is cheap: unchanged documents are skipped and vectors come from the cache.
    """
    from ..config import REPO_ROOT
    from ..errors import AssistantError
    from ..index import index_paths

    corpora = settings.shared_dir / "corpora"
    if not corpora.is_dir():
        raise AssistantError(f"shared laws not found at {corpora}; set ASSISTANT_SHARED to the shared/ folder")
    target = settings.index_dir.parent / "eval-index"
    docs = target.parent / "eval-docs"
    docs.mkdir(parents=True, exist_ok=True)
    eval_settings = settings.with_(index_dir=target)
    for name in ("zozpp", "gk2"):
        law = load_law(corpora / f"{name}.json")
        md = docs / f"{law.doc}.md"
        if not md.exists() or md.read_text(encoding="utf-8") != law.markdown:
            md.write_text(law.markdown, encoding="utf-8")
        index_paths([md], eval_settings, overrides={"doc": law.doc, "short": law.short, "title": law.title},
                    progress=progress)
    index_paths([REPO_ROOT / "corpus"], eval_settings, progress=progress)
    return target

"""Turn the law JSON used in ``../shared/corpora`` (ЗоЗПП, ГК РФ) into a Markdown document.

It lets the evaluation, the benchmarks and the tests index official law texts exactly as a
maintainer would index a document. Sub-points that the JSON writes inside a point's text
(«… описанию. 4.1. При продаже …») get lines of their own, as in the published law.

>>> import json, tempfile
>>> path = Path(tempfile.mkdtemp()) / "mini.json"
>>> _ = path.write_text(json.dumps({"id": "mini", "title": "Мини-закон", "short_title": "МЗ", "articles": [
...     {"number": "1", "title": "Понятия", "points": [["п. 1", "Первый пункт."],
...                                                    ["п. 2", "Второй пункт. 2.1. Подпункт внутри."]]},
...     {"number": "2", "title": "Утратила силу."}]}, ensure_ascii=False), encoding="utf-8")
>>> law = load_law(path)
>>> law.doc, law.short
('mini', 'МЗ')
>>> print(law.markdown)
# Мини-закон
<BLANKLINE>
## Статья 1. Понятия
<BLANKLINE>
1. Первый пункт.
<BLANKLINE>
2. Второй пункт.
<BLANKLINE>
2.1. Подпункт внутри.
<BLANKLINE>
## Статья 2. Утратила силу.
<BLANKLINE>
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..clauses.markers import INLINE_DECIMAL


@dataclass(frozen=True)
class Law:
    doc: str
    title: str
    short: str
    markdown: str


def _article_number(title: str) -> tuple[str, str]:
    m = re.match(r"^Статья\s+(\d+(?:\.\d+)*)\.?\s*(.*)$", title.strip())
    return (m.group(1), m.group(2)) if m else ("", title.strip())


def load_law(path: str | Path) -> Law:
    """Read a law JSON (``articles`` with ``points``, or ``chapters`` with ``clauses``)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    doc, title = data.get("id") or Path(path).stem, data.get("title", "")
    short = data.get("short_title") or doc
    lines = [f"# {title}", ""]

    if "articles" in data:
        for art in data["articles"]:
            number, atitle = art["number"], art.get("title") or ""
            lines.extend([f"## Статья {number}. {atitle}".rstrip(), ""])
            if art.get("points"):
                for label, text in art["points"]:
                    num = label.replace("п.", "").strip()
                    for i, (sub, body) in enumerate(_split_inline(num, text)):
                        lines.extend([f"{sub if i else num}. {body}", ""])
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
                for clause in art["clauses"]:
                    lines.extend([clause, ""])
    return Law(doc=doc, title=title, short=short, markdown="\n".join(lines))


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


# Whom a reply answered from these laws speaks to: the person is the consumer, the buyer, the customer …
READERS = {
    "zozpp": "Потребитель, Покупатель, Заказчик",
    "gk2": "Покупатель, Заказчик, Потребитель, Поклажедатель, Пассажир, Грузоотправитель, Страхователь, Заемщик, "
           "Вкладчик, Клиент, Комитент, Доверитель, Принципал, Наниматель, Арендатор, Получатель",
}


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
        index_paths([md], eval_settings, overrides={"doc": law.doc, "short": law.short, "title": law.title,
                                                    "readers": READERS[name]}, progress=progress)
    index_paths([REPO_ROOT / "corpus"], eval_settings, progress=progress)
    return target

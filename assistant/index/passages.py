"""What gets embedded for a clause or a case: text with its context, cut to the embedder's length."""

from __future__ import annotations

from ..text import breaks, clause_sentences, pack


def _split(text: str, budget: int) -> list[str]:
    """Sentences of ``text`` packed into pieces of at most ``budget`` characters."""
    return pack(breaks(text), budget) or [""]


def clause_passages(doc_title: str, parents: list[str], path: list[str], title: str, text: str,
                    max_chars: int) -> list[str]:
    """Parent headings travel with every passage, because «п. 4» alone means nothing.

    >>> clause_passages("ЗоЗПП", ["Статья 26.1. Дистанционный способ продажи товара"], ["Статья 26.1", "4"],
    ...                 "", "Потребитель вправе отказаться от товара.", 1000)[0]
    'ЗоЗПП. Статья 26.1. Дистанционный способ продажи товара. 4. Потребитель вправе отказаться от товара.'
    """
    label = path[-1] if path else ""
    head = ". ".join(p.rstrip(". ") for p in [doc_title, *parents] if p)
    own = " ".join(p for p in (f"{label}." if label[:1].isdigit() and not label.endswith(")") else label, title) if p)
    prefix = ". ".join(x for x in (head, own) if x)
    body = " ".join(text.split())
    budget = max(200, max_chars - len(prefix) - 2)
    return [f"{prefix} {piece}".strip() for piece in _split(body, budget)] if body else [prefix]


def whole_passages(doc_title: str, parents: list[str], path: list[str], title: str, parts: list[str],
                   max_chars: int) -> list[str]:
    """An article (or section) as a whole: its heading, then its points packed into passages.

    Lay questions often match an article's overall subject better than any one point, so
    units with children also get these vectors. Passages break only between points, so
    editing one point re-embeds only the passage that holds it.
    """
    prefix = clause_passages(doc_title, parents, path, title, "", max_chars)[0]
    budget = max(200, max_chars - len(prefix) - 2)
    parts = [" ".join(part.split()) for part in parts]
    pieces = [piece for part in parts for piece in (_split(part, budget) if len(part) > budget else [part])]
    return [f"{prefix} {chunk}" for chunk in pack(pieces, budget)]


def case_passages(message: str, max_chars: int) -> list[str]:
    return _split(" ".join(message.split()), max_chars)


def rule_sentences(text: str) -> list[str]:
    """The sentences of a clause a reply chooses between (``retrieval.sentences``): none for a clause of one.

    >>> rule_sentences("Хранение бесплатно 60 дней. Далее плата 0,55 ₽ в сутки."), rule_sentences("Одно правило.")
    (['Хранение бесплатно 60 дней.', 'Далее плата 0,55 ₽ в сутки.'], [])
    """
    found = clause_sentences(text)
    return found if len(found) > 1 else []

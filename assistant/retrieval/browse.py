"""Reading the rules rather than searching them: a clause's place in its document, the sentence that opens
a sub-point's list, and the rules tree filtered by words (the lexical channel's lemmas, not substrings).

>>> rules = [Clause("r:2", "r", "1", ("2",), "Правила, п. 2", "", title="Регистрация и доступ"),
...          Clause("r:2.8", "r", "1", ("2", "2.8"), "Правила, п. 2.8", "Блокировка кабинета возможна в случаях:"),
...          Clause("r:2.8/д)", "r", "1", ("2", "2.8", "д)"), "Правила, п. 2.8, подп. «д»", "признаки взлома.")]
>>> lead_in(rules, rules[2])
'Блокировка кабинета возможна в случаях:'
>>> [c.label for c in ancestors(rules, rules[2])]
['2. Регистрация и доступ', '2.8.']
>>> [(s.title, [r.clause.id for r in s.rows]) for s in tree(rules, "блокировк кабинета")]
[('2. Регистрация и доступ', ['r:2.8'])]
"""

from __future__ import annotations

from dataclasses import dataclass

from ..schema import Clause
from ..text import _TOKEN, lemmatizer, sentences   # _TOKEN: the words the lexical channel lemmatises

PREFIX = 4   # a query word this long or longer also matches the words it starts («блокировк» → «блокировка»)


@dataclass(frozen=True)
class TreeRow:
    """One clause of the tree: how deep it sits, and the character spans of its text that match the search."""

    clause: Clause
    depth: int
    text: str
    marks: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class TreeSection:
    """A top-level section («2. Регистрация и доступ») and its rows; ``title`` is never a bare number."""

    head: str
    title: str
    rows: tuple[TreeRow, ...]


def ancestors(clauses: list[Clause], clause: Clause) -> list[Clause]:
    """The clauses above ``clause`` in its document, outermost first (those the document has).

    >>> top = Clause("r:5", "r", "1", ("5",), "Правила, п. 5", "", title="Утрата")
    >>> [c.id for c in ancestors([top], Clause("r:5.3", "r", "1", ("5", "5.3"), "Правила, п. 5.3", "…"))]
    ['r:5']
    """
    by_path = {c.path: c for c in clauses if c.doc == clause.doc}
    return [by_path[clause.path[:n]] for n in range(1, len(clause.path)) if clause.path[:n] in by_path]


def lead_in(clauses: list[Clause], clause: Clause) -> str:
    """The words of the parent clause that open the list ``clause`` belongs to («…в следующих случаях:»): its
    text up to the colon. An item («а)», «1)») whose parent has no colon gets the parent's first sentence;
    other clauses, which read on their own, get ``""``.

    >>> lead_in([], Clause("r:1.1", "r", "1", ("1", "1.1"), "Правила, п. 1.1", "…"))
    ''
    """
    parent = ancestors(clauses, clause)[-1:] or [None]
    text = (parent[0].text if parent[0] else "").strip().split("\n", 1)[0]
    head, colon, _ = text.partition(":")
    if colon:
        return head.strip() + colon
    if text and clause.path[-1].endswith(")"):
        return (sentences(text) or [text])[0]
    return ""


def query_lemmas(query: str) -> list[str]:
    """The lemmas a tree search looks for, as the lexical channel lemmatises the message.

    >>> query_lemmas("блокировк карточки")
    ['блокировк', 'карточка']
    """
    return list(dict.fromkeys(lemmatizer().tokens(query)))


def _matches(word_lemma: str, wanted: str) -> bool:
    return word_lemma == wanted or (len(wanted) >= PREFIX and word_lemma.startswith(wanted))


def match_spans(text: str, wanted: list[str]) -> tuple[tuple[int, int], ...] | None:
    """Where ``text``'s words match each of the ``wanted`` lemmas; None unless every one of them matches.

    >>> text = "Карточку блокируют; блокировка снимается."
    >>> [text[a:b] for a, b in match_spans(text, ["блокировк", "карточка"])]
    ['Карточку', 'блокировка']
    >>> match_spans(text, ["возврат"]) is None
    True
    """
    lemma = lemmatizer().lemma
    spans, found = [], set()
    for m in _TOKEN.finditer(text):
        word = lemma(m.group(0).lower())
        hits = {w for w in wanted if word and _matches(word, w)}
        if hits:
            spans.append(m.span())
            found |= hits
    return tuple(spans) if found >= set(wanted) else None


def display_text(clause: Clause) -> str:
    """A clause as a reader sees it in the document: its number (and title), then its text.

    >>> display_text(Clause("r:2.8/д)", "r", "1", ("2", "2.8", "д)"), "Правила, п. 2.8, подп. «д»", "признаки взлома."))
    'д) признаки взлома.'
    """
    own = clause.text if clause.text != clause.title else ""
    return f"{clause.label} {own}".strip()


def _section_title(head: str, top: Clause | None, limit: int = 80) -> str:
    if top is None:
        return head or "—"
    if top.title or not top.label[:1].isdigit():
        return top.label
    first = top.text.split("\n", 1)[0]
    first = first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + " …"
    return f"{top.label} {first}".strip()


def tree(clauses: list[Clause], query: str = "") -> list[TreeSection]:
    """The document's clauses grouped by top-level section, in document order; with a ``query``, only those
    whose words match every word of it (by lemma, or by its start for a word typed in part), with the matches
    marked. A query with no content words (only numbers' punctuation, stop words) is matched as a substring.

    >>> rules = [Clause("r:4", "r", "1", ("4",), "Правила, п. 4", "", title="Хранение"),
    ...          Clause("r:4.2", "r", "1", ("4", "4.2"), "Правила, п. 4.2", "Плата 5 рублей за литр.")]
    >>> [s.title for s in tree(rules)], [r.text for r in tree(rules, "литров")[0].rows]
    (['4. Хранение'], ['4.2. Плата 5 рублей за литр.'])
    """
    tops = {c.path[0]: c for c in clauses if len(c.path) == 1}
    wanted = query_lemmas(query) if query.strip() else []
    needle = query.strip().lower()
    sections: dict[str, list[TreeRow]] = {}
    for c in clauses:
        text = display_text(c)
        if wanted:
            marks = match_spans(text, wanted)
            if marks is None:
                continue
        elif needle:
            start = text.lower().find(needle)
            if start < 0:
                continue
            marks = ((start, start + len(needle)),)
        else:
            marks = ()
        head = c.path[0] if c.path else ""
        sections.setdefault(head, []).append(TreeRow(c, max(len(c.path) - 1, 0), text, marks))
    return [TreeSection(head, _section_title(head, tops.get(head)), tuple(rows)) for head, rows in sections.items()]

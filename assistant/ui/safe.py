"""Untrusted text (messages, documents, past replies) made safe for ``st.markdown``.

Streamlit never renders raw HTML in Markdown unless asked to; escaping every ASCII
punctuation mark on top of that makes ``<script>``, ``**``, ``[link](…)``, ``$x$`` and
``:red[...]`` show as the characters they are. Only the markup added here (highlights,
strike-through) is interpreted.

>>> escape("<b>5*3</b>")
'\\\\<b\\\\>5\\\\*3\\\\<\\\\/b\\\\>'
>>> highlight("Срок 10 дней. Иначе штраф.", ["Иначе штраф"])
'Срок 10 дней\\\\. :orange-background[Иначе штраф]\\\\.'
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote, urlsplit

_PUNCT = re.compile("([" + re.escape(string.punctuation) + "])")
_INLINE = re.compile(r"([\\`*_~\[\]()<>!#$:&|{}])")


def escape(text: str) -> str:
    """Every ASCII punctuation mark backslash-escaped; line breaks kept as hard breaks."""
    lines = [_PUNCT.sub(r"\\\1", line) for line in text.splitlines() or [""]]
    return "  \n".join(lines)


def escape_inline(text: str) -> str:
    """For a value set after the page's own words on one line (a widget's label): only the marks Markdown and
    Streamlit read inside a line (emphasis, code, links, HTML, ``$math$``, ``:red[…]``) are escaped, so that
    «C-0038 · 2026-09-22» stays as written.

    >>> escape_inline("C-1 · 2026-09-22 [x](javascript:y) :red[z] $m$ <b>")
    'C-1 · 2026-09-22 \\\\[x\\\\]\\\\(javascript\\\\:y\\\\) \\\\:red\\\\[z\\\\] \\\\$m\\\\$ \\\\<b\\\\>'
    """
    return _INLINE.sub(r"\\\1", " ".join(text.split()))


def highlight(text: str, pieces: list[str], style: str = "orange-background") -> str:
    """``text`` escaped, with each occurrence of ``pieces`` (case-insensitive) marked in ``style``."""
    pieces = [p for p in pieces if p and p.strip()]
    if not pieces:
        return escape(text)
    pattern = re.compile("|".join(re.escape(p) for p in sorted(pieces, key=len, reverse=True)), re.I)
    out, pos = [], 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos:m.start()]))
        out.append(f":{style}[{escape(m.group(0))}]")
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def render_word_diff(words: list[tuple[str, str]]) -> str:
    """A word-level diff as Markdown: removed words struck through in red, added words bold green."""
    marks = {"=": "{}", "-": ":red[~~{}~~]", "+": ":green[**{}**]"}
    return " ".join(marks[op].format(escape(text)) for op, text in words if text)


def bold_spans(text: str, spans) -> str:
    """``text`` escaped, with the character ``spans`` (start, end) in bold.

    >>> bold_spans("Блокировка карточки.", [(0, 10)])
    '**Блокировка** карточки\\\\.'
    """
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos or start >= end:
            continue
        out.append(escape(text[pos:start]) + f"**{escape(text[start:end])}**")
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def link(text: str, url: str) -> str:
    """A Markdown link with ``text`` escaped; ``url`` must be ours (http, https or relative) and is
    percent-encoded wherever Markdown could read it as markup. Anything else is shown as plain text.

    >>> link("п. 2.8", "?page=seller&clause=r%3A2.8")
    '[п\\\\. 2\\\\.8](?page=seller&clause=r%3A2.8)'
    >>> link("x", "javascript:alert(1)")
    'x'
    """
    if urlsplit(url).scheme not in ("", "http", "https"):
        return escape(text)
    return f"[{escape(text)}]({quote(url, safe=':/?&=%#')})"

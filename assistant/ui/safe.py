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

_PUNCT = re.compile("([" + re.escape(string.punctuation) + "])")


def escape(text: str) -> str:
    """Every ASCII punctuation mark backslash-escaped; line breaks kept as hard breaks."""
    lines = [_PUNCT.sub(r"\\\1", line) for line in text.splitlines() or [""]]
    return "  \n".join(lines)


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

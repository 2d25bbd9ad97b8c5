"""A whole conversation pasted as one text, cut into turns: who said what.

The rule, in order, for each block (a paragraph, or a line when the text has no blank lines):

1. a label at its start names the role: «Поддержка:», «Оператор:», «Support:», «Агент:» for the
   agent; «Клиент:», «Покупатель:», «Продавец:», «Я:», «Customer:» for the person;
2. otherwise it is the agent's when it speaks as support, with no first-person singular sign («я»,
   «мне», «заплатил»): a canned support phrase (``corpus/phrase-bank.txt``), or at least two
   first-person plural signs («направим», «не закрепляем», «мы») together with a word of support work
   («обращение», «специалист», «коллеги»). A seller's «мы привезли поставку» is not support's voice;
3. a block right after an agent's block, with at least one sign of the company's voice and none of a
   personal one, continues the agent's turn (support replies run over several paragraphs);
4. otherwise it is the person's.

Consecutive blocks of one role are one turn. With no agent turn found, the text is one message.

>>> [t.role for t in split_turns("Посылку потеряли, я заплатил.\\n\\nЗдравствуйте! Ценим обратную связь, "
...                               "передали коллегам, ожидайте.\\n\\nВы мне не ответили.")]
['customer', 'agent', 'customer']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import morph

AGENT, CUSTOMER = "agent", "customer"
ROLES = (CUSTOMER, "seller", AGENT)   # the roles a ``--turns`` file may give
_LABEL = re.compile(r"^\s*(?P<label>поддержка|служба поддержки|оператор|агент|специалист|support|agent|маркетлайн|"
                    r"клиент|покупатель|продавец|селлер|я|customer|seller|buyer|me)\s*[:—-]\s*", re.I)
_AGENT_LABELS = {"поддержка", "служба поддержки", "оператор", "агент", "специалист", "support", "agent", "маркетлайн"}
_WORD = re.compile(r"[а-яёa-z]+", re.I)
_WE = {"мы", "нас", "нам", "нами", "наш", "наша", "наше", "наши", "нашей", "нашего", "нашу", "нашим", "we", "our", "us"}
_I = {"я", "мне", "меня", "мной", "мой", "моя", "моё", "мое", "мои", "моего", "моей", "моим", "i", "my", "me", "mine"}


@dataclass(frozen=True)
class Turn:
    role: str      # "customer" (the person: a buyer or a seller) or "agent"
    text: str


def _blocks(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").strip()
    parts = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.split("\n")
    return [" ".join(p.split()) for p in parts if p.strip()]


_SUPPORT_WORDS = re.compile(r"обращени\w*|поддержк\w*|специалист\w*|коллег\w*|ваш\w* (?:заказ|вопрос|ситуаци)\w*|"
                            r"к сожалению|благодар\w*|request|ticket|support|colleague", re.I)


def _voice(block: str) -> tuple[int, int, int]:
    """(first-person plural signs, canned phrases, first-person singular signs)."""
    from ..checks.template import load_phrase_bank

    lowered = re.sub(r"«[^»]*»", " ", block).lower().replace("ё", "е")   # a quoted template is the person's quote
    we = personal = 0
    for m in _WORD.finditer(lowered):
        word = m.group(0)
        if word in _WE:
            we += 1
        elif word in _I:
            personal += 1
        elif len(word) >= 3 and "а" <= word[0] <= "я":
            tag = morph().parse(word)[0].tag
            if tag.POS == "VERB" and tag.person == "1per":
                we, personal = (we + 1, personal) if tag.number == "plur" else (we, personal + 1)
            elif tag.POS == "VERB" and "past" in tag and tag.number == "sing" and personal:
                personal += 1   # «я заплатил»: a past verb after «я» keeps the personal voice
    canned = sum(1 for phrase in load_phrase_bank() if phrase.replace("ё", "е") in lowered)
    return we, canned, personal


def _role(block: str, after_agent: bool = False) -> tuple[str, str]:
    m = _LABEL.match(block)
    if m:
        label = m.group("label").lower()
        return (AGENT if label in _AGENT_LABELS else CUSTOMER), block[m.end():].strip()
    we, canned, personal = _voice(block)
    support = canned or (we >= 2 and _SUPPORT_WORDS.search(block))
    agent = not personal and (support or (after_agent and we + canned >= 1))
    return (AGENT if agent else CUSTOMER), block


def split_turns(text: str) -> list[Turn]:
    """The conversation's turns in order; a text with no agent turn is one customer turn."""
    turns: list[Turn] = []
    for block in _blocks(text):
        role, body = _role(block, bool(turns) and turns[-1].role == AGENT)
        if not body:
            continue
        if turns and turns[-1].role == role:
            turns[-1] = Turn(role, f"{turns[-1].text} {body}")
        else:
            turns.append(Turn(role, body))
    if not any(t.role == AGENT for t in turns):
        return [Turn(CUSTOMER, " ".join(text.split()))] if text.strip() else []
    return turns


def turns_from(items: list[dict]) -> list[Turn]:
    """Turns given explicitly (``assistant draft --turns F.json``): ``[{"role", "text"}, …]``."""
    from ..errors import MessageRejected

    turns = []
    for n, item in enumerate(items, start=1):
        role = str(item.get("role", "")).lower() if isinstance(item, dict) else ""
        text = item.get("text", "") if isinstance(item, dict) else ""
        if role not in ROLES or not isinstance(text, str):
            raise MessageRejected(f"turn {n} needs a role ({', '.join(ROLES)}) and a text")
        if text.strip():
            turns.append(Turn(AGENT if role == AGENT else CUSTOMER, " ".join(text.split())))
    return turns

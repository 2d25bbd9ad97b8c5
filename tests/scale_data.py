"""Synthetic past replies for the scale tests: many distinct cases, cheap to embed with ``FakeEmbedder``.

>>> rows = synthetic_cases(3)
>>> [r["id"] for r in rows], all(r["message"] and r["reply"] for r in rows)
(['S-000000', 'S-000001', 'S-000002'], True)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

_TOPICS = ["посылка", "возврат", "компенсация", "склад", "хранение", "карточка", "блокировка", "выплата", "претензия",
           "доставка", "курьер", "отмена", "оплата", "брак", "гарантия", "обмен", "рейтинг", "отзыв", "штраф",
           "маркировка", "приёмка", "поставка", "тариф", "комиссия", "налог", "договор", "акция", "скидка"]
_WORDS = ["где", "когда", "почему", "сколько", "вернуть", "получить", "заказ", "товар", "деньги", "срок", "дней",
          "продавец", "покупатель", "площадка", "правила", "пункт", "ответ", "помогите", "срочно", "опять"]


def synthetic_cases(n: int, seed: int = 7, start: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(start, start + n):
        words = rng.sample(_TOPICS, 3) + rng.sample(_WORDS, 5) + [f"заказ{i}"]
        rng.shuffle(words)
        rows.append({"id": f"S-{i:06d}", "message": " ".join(words).capitalize() + "?",
                     "reply": f"Проверили обращение {i}: {rng.choice(_TOPICS)} по правилам.",
                     "audience": rng.choice(["buyer", "seller"])})
    return rows


def write_synthetic(path: Path, n: int, seed: int = 7) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for row in synthetic_cases(n, seed):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path

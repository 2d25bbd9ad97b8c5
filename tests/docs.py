"""Small rules documents written for the tests, and a helper to run the CLI in-process."""

from __future__ import annotations

import json
from pathlib import Path

RULES_V1 = """# Правила тестовой площадки

## 1. Общие положения

1.1. Настоящие Правила регулируют отношения Площадки и Продавца.

1.2. Площадка вправе изменять Правила, уведомив Продавца не позднее чем за 15 календарных дней.

## 2. Утрата отправлений

2.1. Отправление считается утраченным, если оно не доставлено в течение 10 календарных дней после плановой даты.

2.2. За утраченное Отправление Площадка выплачивает Продавцу компенсацию в размере цены товара.

2.3. Претензия о компенсации подаётся в течение 30 календарных дней с даты признания Отправления утраченным.

## 3. Возвраты

3.1. Покупатель вправе вернуть товар надлежащего качества в течение 7 дней после получения.

3.2. Деньги за возвращённый товар перечисляются Покупателю в течение 10 дней.

## 4. Хранение

4.1. Первые 60 дней хранения товара на складе бесплатны.

4.2. После 60 дней взимается плата 5 рублей за литр в сутки.
"""

# The seed thread's complaint (../shared/seed/support-thread.txt), retold against the demo corpus.
SEED_COMPLAINT = (
    "Здравствуйте. Отправление № 48213-0917 с подарком для дочери покупателя потерялось на вашем складе, "
    "покупатель отменил заказ через две недели ожидания. При этом с меня удержали плату за логистику и "
    "комиссию, как будто я виноват. Когда вы выплатите компенсацию за утерянный товар? "
    "И ещё: поддержка трижды прислала мне шаблонный ответ и закрыла обращение со статусом «Ответ предоставлен», "
    "хотя на вопрос никто не ответил. Прошу передать обращение старшему специалисту."
)

RULES_V2 = RULES_V1.replace("в течение 30 календарных дней", "в течение 20 календарных дней")

CASES = [
    {"id": "T-1", "message": "Мою посылку потеряли, кто заплатит?", "reply": "Компенсация по п. 2.2.",
     "outcome": "Компенсация выплачена", "cited": ["rules:2.2", "rules:2.3"]},
    {"id": "T-2", "message": "Как вернуть кроссовки, не подошёл размер?", "reply": "Вернуть можно за 7 дней.",
     "outcome": "Возврат", "cited": ["Правила, п. 3.1"]},
]


def write_rules(folder: Path, text: str = RULES_V1, name: str = "rules.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def write_cases(folder: Path, rows=CASES, name: str = "cases.jsonl") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    from assistant.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err

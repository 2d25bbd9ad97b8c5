"""Interface strings, Russian first, English available. One table, so a missing translation is one grep away.

>>> t("ru", "make_draft")
'Подготовить ответ'
>>> t("en", "accepted", id="A-1")
'Saved as A-1.'
"""

from __future__ import annotations

import re

LANGS = {"ru": "Русский", "en": "English"}

_T: dict[str, tuple[str, str]] = {
    "title": ("Ассистент поддержки", "Support assistant"),
    "lang": ("Язык интерфейса", "Interface language"),
    "page": ("Раздел", "Page"),
    "page_agent": ("Ответ клиенту", "Reply to a customer"),
    "page_seller": ("Какой пункт применяется", "Which clause applies"),
    "page_maintainer": ("Сопровождение правил", "Rules maintenance"),
    "no_index": ("Индекс не найден в {path}. Соберите его: `assistant index corpus/`.",
                 "No index in {path}. Build one: `assistant index corpus/`."),
    "loading": ("Загружаю индекс и модель…", "Loading the index and the model…"),
    "failed": ("Не получилось: {error}", "That did not work: {error}"),
    "internal": ("Внутренняя ошибка ({kind}). Подробности в журнале сервера.",
                 "Internal error ({kind}). Details are in the server log."),
    # agent page
    "message": ("Сообщение клиента или продавца", "Message from the customer or seller"),
    "message_limit": ("До {limit} знаков; из длинной переписки вставьте то, на что нужно ответить.",
                      "Up to {limit} characters; from a long thread paste what needs an answer."),
    "channel": ("Канал", "Channel"),
    "channels": ("чат|почта|телефон|отзыв", "chat|e-mail|phone|review"),
    "order": ("Номер заказа (если его нет в сообщении)", "Order number (if the message lacks it)"),
    "backend": ("Кто пишет черновик", "Who writes the draft"),
    "backend_composer": ("Композитор (без модели)", "Composer (no model)"),
    "backend_llm": ("Языковая модель", "Language model"),
    "llm_off": ("не настроена: ASSISTANT_LLM_URL", "not configured: ASSISTANT_LLM_URL"),
    "make_draft": ("Подготовить ответ", "Draft a reply"),
    "working": ("Разбираю сообщение и ищу пункты правил…", "Reading the message and finding the clauses…"),
    "empty_message": ("Вставьте текст сообщения.", "Paste the message first."),
    "drafted": ("Черновик готов за {seconds:.2f} с · {backend}", "Drafted in {seconds:.2f} s · {backend}"),
    "fallback": ("Языковая модель не дала годного черновика ({why}). Показан черновик композитора.",
                 "The language model gave no usable draft ({why}). The composer's draft is shown."),
    "draft": ("Черновик ответа", "Draft reply"),
    "edit": ("Текст ответа (можно править, проверки обновятся)", "Reply text (edit it; the checks follow)"),
    "copy": ("Скопировать ответ (значок справа вверху)", "Copy the reply (icon at the top right)"),
    "accept": ("Принять ответ", "Accept the reply"),
    "accepted": ("Сохранено как {id}.", "Saved as {id}."),
    "accepted_again": ("Этот ответ уже сохранён как {id}; второй раз не сохраняется.",
                       "This reply is already saved as {id}; it is not stored twice."),
    "accepted_rule": ("Ответ станет прошлым случаем после «Добавить принятые ответы» на странице сопровождения.",
                      "It becomes a past case after «Add accepted replies» on the maintenance page."),
    "accepted_review": ("Проверки не пройдены: ответ станет прошлым случаем только после проверки сопровождающим.",
                        "Its checks failed: it becomes a past case only after a maintainer reviews it."),
    "points": ("Вопросы в сообщении", "Points in the message"),
    "no_clause": ("Подходящего пункта правил нет — ответьте своими словами.",
                  "No clause applies — answer it in your own words."),
    "full_text": ("Полный текст пункта", "Full text of the clause"),
    "related": ("См. также: {items}", "See also: {items}"),
    "deadline": ("Срок: {text}", "Deadline: {text}"),
    "similar": ("Похожее обращение {id} · {date}", "Similar case {id} · {date}"),
    "case_message": ("Сообщение:", "Message:"),
    "case_reply": ("Ответ:", "Reply:"),
    "case_outcome": ("Чем закончилось: {text}", "Outcome: {text}"),
    "checks": ("Проверки", "Checks"),
    "checks_ok": ("Все цитаты подтверждены, все вопросы отвечены, шаблонных фраз нет.",
                  "Every citation is verified, every point answered, no canned phrases."),
    "cit_ok": ("✓ {citation}", "✓ {citation}"),
    "cit_bad": ("✗ {citation} — {reason}", "✗ {citation} — {reason}"),
    "stale": ("устарело: {why}", "stale: {why}"),
    "coverage": ("Отвечено вопросов: {done} из {total}", "Points answered: {done} of {total}"),
    "unanswered": ("✗ Нет ответа на: {point}", "✗ Not answered: {point}"),
    "template": ("Шаблонность: {score:.2f}", "Boilerplate score: {score:.2f}"),
    "canned": ("✗ Шаблонная фраза: {phrase}", "✗ Canned phrase: {phrase}"),
    "near_copy": ("✗ Почти копия ответа {case}: {sentence}", "✗ Near-copy of reply {case}: {sentence}"),
    "canned_where": ("Где шаблонные фразы:", "Where the canned phrases are:"),
    "guardrail": ("✗ {says}: {sentence}", "✗ {says}: {sentence}"),
    "injection": ("! Проигнорирована инструкция в сообщении: {text}", "! Ignored an instruction in the message: {text}"),
    # seller page
    "situation": ("Опишите ситуацию", "Describe the situation"),
    "find": ("Какой пункт применяется", "Which clause applies"),
    "results": ("Сколько пунктов показать", "How many clauses to show"),
    "declined": ("Ни один пункт не подходит уверенно (уверенность {confidence:.2f}). Ближайшие — только для справки.",
                 "No clause applies with confidence ({confidence:.2f}). The nearest are for reference only."),
    "confidence": ("Уверенность: {confidence:.2f}", "Confidence: {confidence:.2f}"),
    "doc_version": ("{doc} · версия {version}", "{doc} · version {version}"),
    "why_terms": ("Совпали слова: {terms}", "Matched terms: {terms}"),
    "permalink": ("Постоянная ссылка на пункт", "Permanent link to the clause"),
    "opened": ("Открыт по ссылке", "Opened from a link"),
    "unknown_clause": ("Пункта {id} нет в опубликованных правилах.", "There is no clause {id} in the published rules."),
    "cases_for": ("Похожие обращения", "Similar cases"),
    "tree": ("Правила целиком", "The rules as a tree"),
    "tree_doc": ("Документ", "Document"),
    "tree_filter": ("Найти в правилах", "Search in the rules"),
    "tree_none": ("Ничего не найдено.", "Nothing found."),
    "tree_more": ("Показаны первые {shown} из {total}; уточните поиск.", "Showing {shown} of {total}; narrow the search."),
    # maintainer page
    "closed": ("Раздел закрыт: токен сопровождения не задан (ASSISTANT_MAINTAINER_TOKEN или maintainer_token в "
               "secrets.toml).", "This page is closed: no maintainer token is set (ASSISTANT_MAINTAINER_TOKEN or "
               "maintainer_token in secrets.toml)."),
    "token": ("Токен сопровождения", "Maintainer token"),
    "token_bad": ("Неверный токен. Ничего не показано и ничего не изменено.",
                  "Wrong token. Nothing is shown and nothing can be changed."),
    "token_locked": ("Слишком много неверных токенов. Попробуйте снова через {minutes} мин.",
                     "Too many wrong tokens. Try again in {minutes} min."),
    "upload_head": ("Новая версия документа", "A new version of a document"),
    "upload_doc": ("Чья это версия", "Which document it is a version of"),
    "upload_new_doc": ("Новый документ: id", "A new document: id"),
    "upload_version": ("Версия (по умолчанию — сегодняшняя дата)", "Version (default: today's date)"),
    "upload_file": ("Файл правил", "Rules file"),
    "upload_limits": ("Форматы: {types}. До {mb} МБ, PDF до {pages} страниц.",
                      "Types: {types}. Up to {mb} MB, PDF up to {pages} pages."),
    "stage": ("Проверить файл и показать изменения", "Check the file and show the changes"),
    "reading": ("Читаю и разбираю файл…", "Reading and segmenting the file…"),
    "diff_head": ("{doc}: {old} → {new}", "{doc}: {old} → {new}"),
    "diff_counts": ("Добавлено {added}, удалено {removed}, изменено {changed}, без изменений {unchanged}.",
                    "Added {added}, removed {removed}, changed {changed}, unchanged {unchanged}."),
    "diff_added": ("Добавлен: {citation}", "Added: {citation}"),
    "diff_removed": ("Удалён: {citation}", "Removed: {citation}"),
    "diff_changed": ("Изменён: {citation}", "Changed: {citation}"),
    "affected": ("Прошлые ответы, ссылающиеся на изменённые пункты", "Past replies citing changed clauses"),
    "affected_row": ("{case}: {clauses}", "{case}: {clauses}"),
    "publish": ("Опубликовать", "Publish"),
    "embedding": ("Встраиваю изменённые пункты…", "Embedding the changed clauses…"),
    "published": ("Опубликовано: {items}. Встроено {embedded}, взято из кэша {reused}, {seconds:.1f} с.",
                  "Published: {items}. Embedded {embedded}, reused {reused}, {seconds:.1f} s."),
    "nothing_new": ("Индекс не изменился: такой файл уже опубликован.", "The index did not change: this file is already published."),
    "rollback_head": ("Откат", "Roll back"),
    "rollback_doc": ("Документ", "Document"),
    "rollback_version": ("Вернуть версию", "Version to publish again"),
    "rollback": ("Опубликовать эту версию снова", "Publish this version again"),
    "accepted_head": ("Принятые ответы", "Accepted replies"),
    "accepted_count": ("Принято ответов: {n}, из них ждут проверки: {review}. Ответ становится прошлым случаем "
                       "после добавления в индекс.",
                       "Accepted replies: {n}, awaiting review: {review}. A reply becomes a past case once added "
                       "to the index."),
    "accepted_held": ("Не добавлено {n}: проверки этих ответов не пройдены, нужен просмотр ({ids}).",
                      "Not added, {n}: their checks failed and they need a review ({ids})."),
    "add_accepted": ("Добавить принятые ответы", "Add accepted replies"),
    "stats_head": ("Индекс", "The index"),
    "stats_clauses": ("Пунктов", "Clauses"),
    "stats_cases": ("Прошлых случаев", "Past cases"),
    "stats_vectors": ("Векторов", "Vectors"),
    "stats_size": ("Размер, МБ", "Size, MB"),
    "stats_snapshot": ("Снимок {name}, модель {model}, собран {created}", "Snapshot {name}, model {model}, built {created}"),
    "eval_head": ("Качество поиска", "Retrieval quality"),
    "eval_run": ("Оценить на размеченных вопросах", "Evaluate on the labelled questions"),
    "eval_last": ("Последняя оценка {at}: {n} вопросов, recall@5 по документам", "Last evaluation {at}: {n} questions, recall@5 by document"),
    "eval_none": ("Оценка ещё не запускалась.", "No evaluation has been run yet."),
    "template_trend": ("Шаблонность принятых ответов по дням", "Boilerplate score of accepted replies by day"),
}


# What the checks report (in English, as the CLI prints it), said in Russian on a Russian page.
_REASONS_RU = (
    (re.compile(r"no such clause in the current rules"), "такого пункта нет в действующей редакции"),
    (re.compile(r"the quote is not the clause's text"), "цитата не совпадает с текстом пункта"),
    (re.compile(r"this clause was not retrieved for any point of the message"),
     "этот пункт не найден ни для одного вопроса сообщения"),
    (re.compile(r"changed in version (\S+); past cases (.+) cited the earlier text"),
     r"изменён в редакции \1; прошлые ответы \2 ссылались на прежний текст"),
)


def reason(lang: str, text: str) -> str:
    """A check's reason in the page's language.

    >>> reason("ru", "changed in version 2; past cases C-1 cited the earlier text")
    'изменён в редакции 2; прошлые ответы C-1 ссылались на прежний текст'
    """
    if lang == "en":
        return text
    for pattern, ru in _REASONS_RU:
        if pattern.fullmatch(text):
            return pattern.sub(ru, text)
    return text


def t(lang: str, key: str, **values) -> str:
    """The string ``key`` in ``lang`` (``ru`` or ``en``), formatted with ``values``."""
    ru, en = _T[key]
    text = en if lang == "en" else ru
    return text.format(**values) if values else text

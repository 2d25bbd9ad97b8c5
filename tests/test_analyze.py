"""Reading a message: its facts, its points with their clauses, and the deadlines they imply."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assistant.analyze import analyze, extract_facts
from assistant.analyze.deadlines import add_days, due, find_limits
from docs import SEED_COMPLAINT, run_cli

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize("text, kind, value, words", [
    ("Заказ № 48213-0917 не пришёл", "order", "48213-0917", "48213-0917"),
    ("order #55302-0929 never arrived", "order", "55302-0929", "55302-0929"),
    ("посылка 80012345678 на складе", "shipment", "80012345678", "80012345678"),
    ("заказ № 58-20417, смартфон", "order", "58-20417", "58-20417"),
    ("в онлайн-школе, заказ № CS-20871, оплатил", "order", "CS-20871", "CS-20871"),
    ("договор № 4471 от 18 мая", "order", "4471", "4471"),
    ("номер 412, бронь 7781203.", "order", "7781203", "7781203"),
    ("(contract AF-3309). Since", "order", "AF-3309", "AF-3309"),
    ("холодильник Atlant ХМ-4626, куплен", "order", None, None),
    ("оформлен 21 октября", "date", "2026-10-21", "21 октября"),
    ("оформлен 03.10.2026", "date", "2026-10-03", "03.10.2026"),
    ("ordered on Oct 3", "date", "2026-10-03", "Oct 3"),
    ("прошло 5 дней", "duration", "5 days", "5 дней"),
    ("жду уже две недели", "duration", "14 days", "две недели"),
    ("удержали 4 590 ₽", "sum", "4590 RUB", "4 590 ₽"),
    ("a refund of $45", "sum", "45 USD", "$45"),
    ("С уважением, Игорь Петров", "name", "Игорь Петров", "Игорь Петров"),
    ("купила «Кукольный домик Лесной» для дочки", "product", "Кукольный домик Лесной", "Кукольный домик Лесной"),
    ("это детские наушники «Зайка» за 4 590 ₽", "title", "Зайка", "Зайка"),
    ("статус «Ответ предоставлен» и «в пути»", "title", None, None),
    ("заплатила 2 390 руб. за чайник", "sum", "2390 RUB", "2 390 руб."),
    ("a coffee table for 4,150 rubles", "sum", "4150 RUB", "4,150 rubles"),
    ("привезли 120 единиц, приняли 112", "quantity", "120 единиц", "120 единиц"),
    ("Добрый день, это Марина, магазин посуды", "name", "Марина", "Марина"),
    ("Hi, this is Daniel, I sell via FBS", "name", "Daniel", "Daniel"),
    ("what does it cost? — Priya", "name", "Priya", "Priya"),
    ("Сколько ждать денег? Артём", "name", "Артём", "Артём"),
    ("И не поздно ли мы заявили? Андрей и Лена", "name", "Андрей и Лена", "Андрей и Лена"),
    ("Очень жду ответа. Москва", "name", None, None),
    ("Верните деньги за заказ", "request", "refund", None),
    ("Прошу компенсацию", "request", "compensation", None),
    ("передайте старшему специалисту", "request", "escalation", None),
])
def test_facts_keep_the_persons_own_words(text, kind, value, words):
    facts = [f for f in extract_facts(text, TODAY) if f.kind == kind]
    if value is None:
        assert not facts, "a status or someone's words in quotes is not a fact of the person's own"
        return
    assert facts and facts[0].value == value
    if words:
        assert facts[0].text == words and text[facts[0].start:].startswith(words)


def test_a_date_without_a_year_is_never_in_the_future():
    (fact,) = [f for f in extract_facts("заказал 20 декабря", TODAY) if f.kind == "date"]
    assert fact.value == "2025-12-20"


def test_limits_and_due_dates_count_calendar_and_working_days():
    (limit,) = find_limits("Маркетлайн рассматривает претензию в течение 10 рабочих дней с даты её получения.")
    assert limit.working and limit.days == 10
    assert add_days(dt.date(2026, 11, 20), 3, working=True) == dt.date(2026, 11, 25)   # Fri → Wed
    (words,) = find_limits("не позднее чем через десять дней со дня предъявления требования")
    d = due(words, dt.date(2026, 10, 21), dt.date(2026, 11, 5))
    assert d.sentence_ru() == "10 дней с 21 октября — до 31 октября, срок истёк"
    assert due(words, dt.date(2026, 11, 20), TODAY).sentence_ru().endswith("срок ещё не истёк")


def test_the_seed_complaint_splits_into_points_each_with_its_rule(demo_searcher):
    analysis = analyze(demo_searcher, SEED_COMPLAINT, today=TODAY)
    assert analysis.lang == "ru" and len(analysis.points) >= 3
    topics = [{h.path[0] for h in p.clauses} for p in analysis.points]
    assert any("5" in t for t in topics) and any("11" in t for t in topics)
    escalation = next(p for p in analysis.points if any("старшему" in s for s in p.sentences))
    assert escalation.kind == "request" and "11" in {h.path[0] for h in escalation.clauses}
    assert {f.kind for f in analysis.facts} >= {"order", "duration", "request"}


def test_an_off_topic_sentence_is_a_point_without_a_clause(demo_searcher):
    analysis = analyze(demo_searcher, "Какая завтра погода в Казани? Не могу войти в приложение, пишет ошибку 500.",
                       today=TODAY)
    assert analysis.points and all(p.declined and not p.clauses for p in analysis.points)


def test_a_statement_no_rule_covers_is_context_for_the_next_point(demo_searcher):
    text = ("Я сейчас в командировке в Казани, уехала 20 ноября. "
            "Сколько дней заказ № 60231-4417 пролежит в пункте выдачи и можно ли продлить хранение?")
    analysis = analyze(demo_searcher, text, today=TODAY)
    assert len(analysis.points) == 1 and analysis.points[0].clauses
    assert {f.text for f in analysis.points[0].facts} >= {"60231-4417", "20 ноября"}


def test_deadline_from_the_message_date_and_the_clause_limit(demo_searcher):
    text = ("Покупатель вернул товар 1 ноября, деньги мне так и не вернули, хотя прошло много времени. "
            "В какой срок вы рассматриваете спор о состоянии возврата?")
    analysis = analyze(demo_searcher, text, today=TODAY)
    deadlines = [d for p in analysis.points for d in p.deadlines]
    assert deadlines and all(d.start == dt.date(2026, 11, 1) for d in deadlines)


def test_cli_analyze_json(demo_settings, tmp_path, capsys):
    path = tmp_path / "message.txt"
    path.write_text(SEED_COMPLAINT, encoding="utf-8")
    code, out, _ = run_cli(capsys, "analyze", "--file", str(path), "--index", str(demo_settings.index_dir), "--json")
    data = json.loads(out)
    assert code == 0 and data["points"] and data["facts"]
    assert all({"sentences", "clause_ids", "deadlines", "kind"} <= set(p) for p in data["points"])


def test_who_is_writing_is_guessed_from_their_words(demo_searcher):
    assert analyze(demo_searcher, "Продаю на площадке, поставку FBO не приняли на склад", today=TODAY).audience == "seller"
    assert analyze(demo_searcher, "Заказала платье, курьер не привёз", today=TODAY).audience == "buyer"


def test_a_terse_sentence_is_answered_when_the_whole_message_agrees(demo_searcher, shared_dir):
    """The seed's own words name no parcel: «ОЗОН потерял клиента, я как селлер за это заплатил». The whole
    message is clearly about a lost shipment and the support carousel, so that sentence gets section 5."""
    seed = (shared_dir / "seed" / "support-thread.txt").read_text(encoding="utf-8").split("\nЗдравствуйте!")[0]
    a = analyze(demo_searcher, seed)
    first = a.points[0]
    assert "заплатил" in first.sentences[0] and not first.declined
    assert first.clauses[0].id.startswith("marketplace-rules:5.")
    assert any(h.id.startswith("marketplace-rules:11.") for p in a.points for h in p.clauses)


def test_clauses_cited_by_similar_past_replies_come_first():
    from assistant.analyze.points import _by_precedent
    from assistant.retrieval import CaseHit, ClauseHit

    def clause(cid):
        return ClauseHit("rules", "1", cid, cid, [], "", None, 1.0)

    def case(cid, cited, templated=False):
        return CaseHit("cases", "1", cid, cid, "", 1.0, cited=cited, templated=templated)

    clauses = [clause("rules:2.1"), clause("rules:2.2"), clause("rules:2.3"), clause("rules:4.1")]
    cases = [case("C-1", ["rules:4.1"]), case("C-2", ["rules:2.3"]), case("C-3", ["rules:2.2"], templated=True)]
    ordered = [h.id for h in _by_precedent(clauses, cases)]
    assert ordered == ["rules:2.3", "rules:2.1", "rules:2.2", "rules:4.1"], "a templated reply is no precedent"


def test_a_sentence_never_takes_a_clause_from_a_chapter_the_whole_message_is_not_about():
    from assistant.analyze.points import _in_context
    from assistant.retrieval import ClauseHit, SearchResult

    def hit(cid, chapter, score):
        return ClauseHit("gk2", "1", cid, cid, [], "", None, score, parents=[chapter, f"Статья {cid}"])

    sale, deposit = "Глава 30. КУПЛЯ-ПРОДАЖА", "Глава 44. БАНКОВСКИЙ ВКЛАД"
    whole = SearchResult("чайник сломался через три недели, хочу вернуть деньги",
                         clauses=[hit("gk2:ст503/1", sale, 0.6), hit("gk2:ст475/1", sale, 0.4)])
    # «Я хочу просто вернуть деньги» alone: a deposit's return reads much like a refund
    sentence = SearchResult("Я хочу просто вернуть деньги.", clauses=[
        hit("gk2:ст837/5", deposit, 0.9), hit("gk2:ст503/1", sale, 0.5), hit("gk2:ст835/2", deposit, 0.4)])
    kept = _in_context(sentence, whole, k=3)
    assert [h.id for h in kept.clauses] == ["gk2:ст503/1"]
    whole.declined = True   # a message the rules do not cover says nothing about which chapters apply
    sentence.clauses = [hit("gk2:ст837/5", deposit, 0.9)]
    assert [h.id for h in _in_context(sentence, whole, k=3).clauses] == ["gk2:ст837/5"]


def test_a_deadline_runs_from_the_date_the_person_ties_to_the_clauses_event():
    from assistant.analyze.deadlines import start_date as _start_for

    text = ("Отправление сдал 3 октября. Плановая дата доставки была 9 октября. "
            "Покупатель 12 октября отменил заказ.")
    facts = extract_facts(text, TODAY)
    (cancel,) = find_limits("Отправление признаётся утраченным, если не обнаружено в течение 10 календарных дней "
                            "с даты отмены.")
    (search,) = find_limits("Если Отправление не доставлено к плановой дате, Маркетлайн не позднее 2 рабочих дней "
                            "после этой даты начинает его розыск.")
    (claim,) = find_limits("Претензия подаётся в течение 20 календарных дней с даты признания Отправления утраченным.")
    assert _start_for(cancel, facts, facts, TODAY, text) == dt.date(2026, 10, 12)
    assert _start_for(search, facts, facts, TODAY, text) == dt.date(2026, 10, 9)
    assert _start_for(claim, facts, facts, TODAY, text) is None, "no date of that event: no deadline"


def test_a_terse_question_that_names_something_new_is_a_point_of_its_own(demo_searcher):
    text = "Склад Маркетлайн повредил мой товар при приёмке. Выплатят ли компенсацию? А за упаковку? Это законно?"
    said = [p.sentences for p in analyze(demo_searcher, text, today=TODAY).points]
    # «А за упаковку?» asks about something else; «Это законно?» only judges the question before it
    assert ["Выплатят ли компенсацию?"] in said
    assert ["А за упаковку?", "Это законно?"] in said


def test_a_law_term_in_words_or_in_months_is_a_deadline():
    # laws write terms in words and in months: «сорока пяти дней», «трех месяцев» (a month is a calendar month)
    (words,) = find_limits("Срок устранения недостатков не может превышать сорок пять дней.")
    assert words.days == 45 and words.words_ru() == "45 дней"
    (months,) = find_limits("потребитель вправе отказаться от товара в течение трех месяцев с момента передачи товара")
    assert months.months and due(months, dt.date(2026, 10, 10), TODAY).sentence_ru() == \
        "3 месяца с 10 октября — до 10 января, срок ещё не истёк"
    assert due(months, dt.date(2026, 11, 30), TODAY).due == dt.date(2027, 2, 28)


@pytest.mark.parametrize("sentence, context", [
    ("Добрый день. Я продавец, работаю по FBO.", True),
    ("Добрый день, пишу в чат уже третий раз.", True),
    ("Пишу уже третий раз по заказу № 48213-0917, покупатель брал их дочке.", False),   # the order is a fact
    ("Пишу по поводу проживания в гостинице «Волна», номер 412.", False),
])
def test_greetings_and_how_the_person_came_are_context_not_points(sentence, context):
    from assistant.analyze.kinds import is_context

    assert is_context(sentence) is context

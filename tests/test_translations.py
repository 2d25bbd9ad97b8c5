"""Our rules in English: a translation declared in manifest.toml is quoted by English replies, checked like the
original, and stops speaking for a clause once a new version changes it."""

from __future__ import annotations

import datetime as dt

import pytest
from docs import RULES_V1, RULES_V2, run_cli, write_rules
from fakes import FakeEmbedder, fake_settings

from assistant.analyze import Analysis, Point
from assistant.analyze.kinds import PointKind
from assistant.checks import run_checks
from assistant.draft.composer import compose
from assistant.draft.plan import build_plan
from assistant.errors import AssistantError
from assistant.index import index_paths
from assistant.maintain import stats
from assistant.retrieval import ClauseHit, Searcher

TODAY = dt.date(2026, 11, 25)
ENGLISH = """# Test Marketplace Rules

## 1. General Provisions

1.1. These Rules govern relations between the Platform and the Seller.

1.2. The Platform may amend the Rules by notifying the Seller at least 15 calendar days in advance.

## 2. Lost Shipments

2.1. A Shipment is deemed lost if it is not delivered within 10 calendar days after the planned date.

2.2. For a lost Shipment the Platform pays the Seller compensation equal to the price of the goods.

2.3. A compensation claim is filed within 30 calendar days from the date the Shipment is declared lost.
"""
MANIFEST = """[[document]]
path = "rules.md"
doc = "rules"
short = "Правила"
version = "1"
readers = "Продавец"
we = "Площадка"

[[translation]]
path = "rules.en.md"
doc = "rules"
lang = "en"
short = "Test Rules"
readers = "Seller"
"""


@pytest.fixture()
def english(tmp_path):
    folder = write_rules(tmp_path / "corpus", RULES_V1).parent
    (folder / "rules.en.md").write_text(ENGLISH, encoding="utf-8")
    (folder / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    settings = fake_settings(tmp_path / "index")
    report = index_paths([folder], settings, embedder=FakeEmbedder())
    return settings, report


def _plan_for(corpus, clause_id: str, question: str, lang: str = "en"):
    c = corpus.clause(clause_id)
    hit = ClauseHit(c.doc, c.version, c.id, c.citation, list(c.path), c.text, None, 1.0, unit=c.unit, applies=0.9)
    point = Point([question], "question", clauses=[hit], confidence=0.9, kinds=[PointKind.WHETHER], query=question)
    analysis = Analysis(question, lang, [point], [])
    return analysis, build_plan(analysis, corpus, today=TODAY)


def test_an_english_reply_quotes_our_english_rules_and_the_check_verifies_them(english):
    settings, report = english
    corpus = Searcher.open(settings, embedder=FakeEmbedder()).corpus
    assert "rules.en" not in {d.doc for d in corpus.documents}, "a translation is no document of its own"
    # 3.1–4.2 have no English text: the build says so, and those clauses keep their original
    assert any("have no en text" in w for ws in report.warnings.values() for w in ws)
    question = "Do I get compensation for a lost shipment?"
    analysis, plan = _plan_for(corpus, "rules:2.2", question)
    text, citations = compose(plan, corpus)
    # said in the reader's terms («the Seller» is «you»), with an English citation, no Russian in the reply
    assert "the Platform pays you compensation equal to the price of the goods (cl. 2.2 Test Rules)" in text, text
    assert not any("а" <= ch <= "я" for ch in text.lower()), text
    # the panel and citations[] keep the original wording
    assert citations[0].quote.startswith("За утраченное Отправление")
    assert all(c.ok for c in run_checks(text, analysis, plan, corpus, question).citations)
    # an agent who quotes the English rule is checked against it; a quote it does not hold is caught
    quoted = "«For a lost Shipment the Platform pays the Seller compensation equal to the price of the goods.» " \
             "(cl. 2.2 Test Rules)"
    assert all(c.ok for c in run_checks(quoted, analysis, plan, corpus, question).citations)
    forged = quoted.replace("equal to the price of the goods", "plus a bonus of 5,000 RUB")
    assert not any(c.ok for c in run_checks(forged, analysis, plan, corpus, question).citations)
    # a clause with no English text is quoted in the original
    assert corpus.translation("rules:3.1", "en") is None
    _, untranslated = _plan_for(corpus, "rules:3.1", "Can the buyer return goods of proper quality?")
    assert "«Покупатель вправе вернуть товар" in compose(untranslated, corpus)[0]


def test_a_clause_a_new_version_changes_is_no_longer_spoken_for_by_the_old_translation(english, tmp_path):
    settings, _ = english
    changed = RULES_V2.replace("в размере цены товара", "в размере цены товара и стоимости доставки")
    assert changed != RULES_V2
    index_paths([write_rules(tmp_path / "v2", changed)], settings, embedder=FakeEmbedder(),
                overrides={"doc": "rules", "short": "Правила", "version": "2"})
    corpus = Searcher.open(settings, embedder=FakeEmbedder()).corpus
    assert corpus.translation("rules:2.2", "en") is None, "2.2 changed: the English text is stale"
    assert corpus.translation("rules:2.1", "en")[0].startswith("A Shipment is deemed lost")
    _, plan = _plan_for(corpus, "rules:2.2", "Do I get compensation for a lost shipment?")
    text, _ = compose(plan, corpus)
    assert "стоимости доставки" in text and "(Правила, п. 2.2)" in text, text
    # the maintainer's overview says which clauses the translation no longer speaks for
    (status,) = stats(settings)["translations"]
    # (version 2 also shortened 2.3's term: 30 → 20 days)
    assert (status["short"], status["current"], status["recorded"], status["changed"]) == (
        "Test Rules", 3, 5, ["rules:2.2", "rules:2.3"])


def test_a_translation_of_a_document_the_index_lacks_is_refused_before_anything_changes(tmp_path, capsys):
    folder = write_rules(tmp_path / "corpus", RULES_V1).parent
    (folder / "rules.en.md").write_text(ENGLISH, encoding="utf-8")
    (folder / "manifest.toml").write_text(MANIFEST.replace('lang = "en"', 'lang = "en"').replace(
        'doc = "rules"\nlang', 'doc = "ruels"\nlang'), encoding="utf-8")
    with pytest.raises(AssistantError, match="ruels"):
        index_paths([folder], fake_settings(tmp_path / "index"), embedder=FakeEmbedder())
    code, _, err = run_cli(capsys, "index", str(folder), "--index", str(tmp_path / "cli"))
    assert code == 2 and "ruels" in err and "manifest.toml" in err, err
    assert not (tmp_path / "index").exists() or not list((tmp_path / "index").glob("snapshots/2*"))

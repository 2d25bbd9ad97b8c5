"""The evaluation harness counts ranks correctly, and its CLI prints every mode side by side."""

from __future__ import annotations

import json

from assistant.config import REPO_ROOT
from assistant.evaluation import Item, evaluate, load_items, rank_item
from assistant.retrieval import ClauseHit, SearchResult
from docs import run_cli


def _hit(doc, path):
    return ClauseHit(doc, "1", f"{doc}:{'/'.join(path)}", "", list(path), "", None, 0.0)


def test_ranks_at_clause_and_article_level():
    result = SearchResult("q", clauses=[_hit("zozpp", ["Статья 18", "1"]), _hit("zozpp", ["Статья 26.1", "2"]),
                                        _hit("zozpp", ["Статья 26.1", "4"])])
    row = rank_item(Item("a", "q", ({"doc": "zozpp", "article": "26.1", "point": "4"},)), result)
    assert (row["clause_rank"], row["article_rank"]) == (3, 2)
    whole_article = rank_item(Item("b", "q", ({"doc": "zozpp", "article": "26.1"},)), result)
    assert (whole_article["clause_rank"], whole_article["article_rank"]) == (2, 2)
    offer = SearchResult("q", clauses=[_hit("rules", ["5", "5.4", "5.4.1"])])
    row = rank_item(Item("c", "q", ({"doc": "rules", "clause": "5.4.1"},)), offer)
    assert (row["clause_rank"], row["article_rank"]) == (1, 1)


class _Fixed:
    """A searcher that always answers the same, declining when told to."""

    def __init__(self, result):
        self.result = result

    def search(self, text, k=10):
        self.result.declined = "погода" in text
        return self.result


def test_report_counts_recall_mrr_and_declines_by_group():
    result = SearchResult("q", clauses=[_hit("zozpp", ["Статья 18", "1"]), _hit("zozpp", ["Статья 25", "1"])])
    items = [Item("1", "брак", ({"doc": "zozpp", "article": "18", "point": "1"},), "law"),
             Item("2", "обмен", ({"doc": "zozpp", "article": "25", "point": "1"},), "law"),
             Item("3", "погода", (), "offtopic"), Item("4", "пароль", (), "offtopic", "frozen")]
    report = evaluate(_Fixed(result), items, "fixed")
    assert report.clause == {"recall@1": 0.5, "recall@5": 1.0, "recall@10": 1.0, "mrr@10": 0.75}
    assert report.declined_offtopic == 0.5 and report.declined_answerable == 0.0
    # parts apart (an item's part defaults to "", its file's name when loaded), groups within each part
    assert set(report.groups) == {"/all", "/law", "/offtopic", "frozen/all", "frozen/offtopic"}
    assert report.groups["/offtopic"]["declined_offtopic"] == 1.0 and report.groups["/law"]["article"]["recall@1"] == 0.5
    assert report.groups["frozen/offtopic"]["declined_offtopic"] == 0.0


def test_grade_follows_the_metrics():
    from assistant.evaluation import grade

    gold = ({"doc": "zozpp", "article": "18", "point": "1"},)
    assert grade(_hit("zozpp", ["Статья 18", "1"]), gold) == 2
    assert grade(_hit("zozpp", ["Статья 18", "2"]), gold) == 1
    assert grade(_hit("zozpp", ["Статья 25", "1"]), gold) == 0
    assert grade(_hit("gk2", ["Статья 18", "1"]), gold) == 0
    assert grade(_hit("zozpp", ["Статья 25", "3"]), ({"doc": "zozpp", "article": "25"},)) == 2


def test_items_accept_question_as_text(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "Какая статья?", "gold": [{"doc": "gk2", "article": "454"}]},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    (item,) = load_items(path)
    assert item.text == "Какая статья?" and item.group == "law"


def test_eval_cli_prints_the_system_and_its_baselines(demo_settings, tmp_path, capsys):
    path = tmp_path / "dev.jsonl"
    rows = [{"id": "a", "text": "посылку потеряли на складе, кто заплатит?", "gold": [{"doc": "marketplace-rules",
                                                                                        "clause": "5.3.1"}]},
            {"id": "b", "text": "какая завтра погода", "gold": []}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "eval", str(path), "--index", str(demo_settings.index_dir), "--json")
    modes = [r["mode"] for r in json.loads(out)["results"]]
    assert code == 0 and modes == ["hybrid", "rrf", "previous", "lexical", "chunks500", "dense"]


def test_shipped_example_questions_are_no_copies_of_evaluation_questions():
    # the example questions embedded beside the laws' clauses were written from the laws alone; any too close to a
    # question we measure on would turn that measurement into a training score
    from assistant.config import Settings
    from assistant.index.questions import load_questions
    from assistant.text import lemmatizer

    lemmas = lemmatizer().tokens
    measured = []
    for name in ("frozen.jsonl", "dev.jsonl", "drafts.jsonl", "drafts-heldout.jsonl", "drafts-law.jsonl",
                 "paraphrases.jsonl"):
        for line in (REPO_ROOT / "eval" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            words = set(lemmas(row.get("text") or row.get("message") or ""))
            if words:
                measured.append(words)
    questions = load_questions(Settings.resolve().questions_dir)
    assert sum(map(len, questions.values())) > 1500
    for clause, texts in questions.items():
        for text in texts:
            words = set(lemmas(text))
            closest = max(len(words & m) / len(words | m) for m in measured)
            assert closest < 0.3, f"{clause}: «{text}» is close to an evaluation question ({closest:.2f})"

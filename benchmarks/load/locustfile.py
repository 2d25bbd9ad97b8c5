"""Simulated support agents for ``benchmarks/bench_load.py``: each one searches and drafts, over and over,
through the service API (``assistant serve``) on loopback — the same functions the app and the CLI call.

    LOAD_API_KEY=… .venv/bin/locust -f benchmarks/load/locustfile.py --headless -u 5 -r 5 -t 60s \\
        --host http://127.0.0.1:8000

Three searches to one draft (an agent looks up clauses more often than it asks for a whole reply). Search
texts are the lay questions of ``eval/dev.jsonl``; draft messages the complaints of ``eval/drafts.jsonl``
(19 to 300 words). ``LOAD_THINK_S`` (default 0) seconds pass between one agent's requests: 0 measures what the
server can do, not what a team of people would ask of it. Any answer but 200 counts as an error.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

from locust import HttpUser, constant, task

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT_S = 120


def _texts(name: str, field: str) -> list[str]:
    rows = [json.loads(line) for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines() if line]
    return [r[field] for r in rows if r.get(field)]


SEARCHES, DRAFTS = _texts("dev.jsonl", "text"), _texts("drafts.jsonl", "message")


class Agent(HttpUser):
    """One agent: a closed loop of search, search, search, draft (in random order), each as a JSON POST."""

    wait_time = constant(float(os.environ.get("LOAD_THINK_S", "0")))

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {os.environ['LOAD_API_KEY']}"
        self.rng = random.Random()

    @task(3)
    def search(self) -> None:
        self.client.post("/v1/search", json={"text": self.rng.choice(SEARCHES), "k": 5}, name="search",
                         timeout=TIMEOUT_S)

    @task(1)
    def draft(self) -> None:
        self.client.post("/v1/draft", json={"message": self.rng.choice(DRAFTS)}, name="draft", timeout=TIMEOUT_S)

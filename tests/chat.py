"""A chat-completions endpoint on loopback whose answers each test scripts: the LLM back end's real peer."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from assistant.draft.llm import LLM


class Scripted(BaseHTTPRequestHandler):
    """A chat-completions endpoint on loopback whose answers the test scripts."""

    answers: list = []
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Scripted.seen.append(body)
        kind, payload = Scripted.answers.pop(0)
        if kind == "sleep":
            time.sleep(payload)
            payload = {"choices": [{"message": {"content": "late"}}]}
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args):
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass   # the client gave up on a slow answer on purpose; nothing to report


@contextlib.contextmanager
def serving():
    server = QuietServer(("127.0.0.1", 0), Scripted)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Scripted.answers, Scripted.seen = [], []
    try:
        yield LLM(f"http://127.0.0.1:{server.server_address[1]}/v1", "test-model", "secret", timeout=2)
    finally:
        server.shutdown()


def reply(content: str) -> dict:
    return {"choices": [{"message": {"role": "assistant", "content": content}}]}

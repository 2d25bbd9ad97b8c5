"""Chatwoot → the assistant's API → a private note: a checked draft beside every incoming message.

Chatwoot calls this receiver with its ``message_created`` webhook; for a customer's message (not an agent's
reply, not a note — so our own note does not call us again) it asks ``POST /v1/draft`` for a draft and posts it
back to the conversation as a private note, which only agents see. Standard library only: copy the file.

    ASSISTANT_API_URL=http://127.0.0.1:8000 ASSISTANT_API_KEY=... \\
    CHATWOOT_URL=https://chat.example.com CHATWOOT_API_TOKEN=... BRIDGE_TOKEN=a-long-random-string \\
    python examples/helpdesk/chatwoot_bridge.py --port 8700

Then in Chatwoot: Settings → Integrations → Webhooks → ``http://BRIDGE-HOST:8700/chatwoot?token=BRIDGE_TOKEN``,
event «Message created». The note is posted as the user whose access token is ``CHATWOOT_API_TOKEN`` (a bot
or an agent's profile token).

>>> ticket_from({"event": "message_created", "message_type": "incoming", "private": False, "id": 7,
...              "content": "Где заказ?", "account": {"id": 1}, "conversation": {"id": 42}})
Ticket(account=1, conversation=42, request={'message': 'Где заказ?'})
>>> ticket_from({"event": "message_created", "message_type": "outgoing", "private": True, "content": "note"}) is None
True
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("chatwoot_bridge")

MAX_BODY = 1024 * 1024
INCOMING, OUTGOING = ("incoming", 0), ("outgoing", 1)   # Chatwoot sends names in webhooks, numbers in its API


@dataclass(frozen=True)
class Config:
    api_url: str              # the assistant's API, e.g. http://127.0.0.1:8000
    api_key: str              # one of its ASSISTANT_API_KEYS
    helpdesk_url: str         # Chatwoot, e.g. https://chat.example.com
    helpdesk_token: str       # a Chatwoot access token (api_access_token)
    webhook_token: str = ""   # when set, the webhook URL must carry ?token=… (Chatwoot does not sign webhooks)
    timeout: float = 30.0

    @classmethod
    def from_env(cls) -> "Config":
        missing = [n for n in ("ASSISTANT_API_URL", "ASSISTANT_API_KEY", "CHATWOOT_URL", "CHATWOOT_API_TOKEN")
                   if not os.environ.get(n)]
        if missing:
            raise SystemExit(f"set {', '.join(missing)} (see the top of {os.path.basename(__file__)})")
        return cls(os.environ["ASSISTANT_API_URL"].rstrip("/"), os.environ["ASSISTANT_API_KEY"],
                   os.environ["CHATWOOT_URL"].rstrip("/"), os.environ["CHATWOOT_API_TOKEN"],
                   os.environ.get("BRIDGE_TOKEN", ""))


@dataclass(frozen=True)
class Ticket:
    account: int
    conversation: int
    request: dict   # the body for POST /v1/draft


def ticket_from(payload: dict) -> Ticket | None:
    """What to draft for a webhook payload; None for anything but a customer's new public message."""
    if payload.get("event") != "message_created" or payload.get("private"):
        return None
    if payload.get("message_type") not in INCOMING or not str(payload.get("content") or "").strip():
        return None
    conversation, account = payload.get("conversation") or {}, payload.get("account") or {}
    if not isinstance(conversation.get("id"), int) or not isinstance(account.get("id"), int):
        return None
    return Ticket(account["id"], conversation["id"], _draft_request(payload, conversation))


def _draft_request(payload: dict, conversation: dict) -> dict:
    """The message alone, or the thread as turns when the payload carries earlier public messages."""
    turns = []
    for m in conversation.get("messages") or []:
        if not isinstance(m, dict) or m.get("private") or m.get("id") == payload.get("id"):
            continue
        role = "customer" if m.get("message_type") in INCOMING else "agent" if m.get("message_type") in OUTGOING else ""
        if role and str(m.get("content") or "").strip():
            turns.append({"role": role, "text": m["content"]})
    if not turns:
        return {"message": payload["content"]}
    return {"turns": turns + [{"role": "customer", "text": payload["content"]}]}


def note_for(draft: dict) -> str:
    """The private note: the draft, then one line on its checks, so the agent sees what is still open."""
    checks = draft.get("checks") or {}
    unanswered = [u.get("point", "") for u in checks.get("unanswered") or []]
    cited = [c.get("citation", "") for c in checks.get("citations") or [] if c.get("ok")]
    lines = ["Черновик ассистента (проверьте перед отправкой):", "", draft.get("text", ""), ""]
    lines.append("Цитаты проверены: " + (", ".join(cited) if cited else "нет"))
    if unanswered:
        lines.append("Без ответа: " + "; ".join(unanswered))
    if checks.get("guardrails"):
        lines.append("Внимание: " + "; ".join(g.get("says", "") for g in checks["guardrails"]))
    return "\n".join(lines)


def _post(url: str, body: dict, headers: dict, timeout: float) -> tuple[int, dict]:
    request = urllib.request.Request(url, json.dumps(body, ensure_ascii=False).encode("utf-8"), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:   # the API's errors are JSON too: {"error": {"code", "message"}}
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}


def handle(payload: dict, config: Config) -> dict:
    """Draft and post the note; returns what was done, for the webhook's answer and for tests."""
    ticket = ticket_from(payload)
    if ticket is None:
        return {"skipped": "not a customer's new public message"}
    status, draft = _post(f"{config.api_url}/v1/draft", ticket.request,
                          {"Authorization": f"Bearer {config.api_key}"}, config.timeout)
    if status == 200:
        note = note_for(draft)
    else:
        error = draft.get("error") or {}
        note = f"Черновик не подготовлен ({error.get('code', status)}): {error.get('message', '')}"
    url = (f"{config.helpdesk_url}/api/v1/accounts/{ticket.account}/conversations/{ticket.conversation}"
           "/messages")
    posted, answer = _post(url, {"content": note, "message_type": "outgoing", "private": True},
                           {"api_access_token": config.helpdesk_token}, config.timeout)
    if posted >= 300:
        log.warning("the helpdesk refused the note for conversation %s: HTTP %s", ticket.conversation, posted)
        return {"error": f"helpdesk answered {posted}"}
    return {"note": answer.get("id"), "conversation": ticket.conversation, "drafted": status == 200}


class Receiver(BaseHTTPRequestHandler):
    """POST /chatwoot[?token=…]: one webhook call. Logs never hold message text."""

    config: Config

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if self.config.webhook_token and not hmac.compare_digest(
                query.get("token", [""])[0].encode(), self.config.webhook_token.encode()):
            self._answer(401, {"error": "wrong or missing ?token="})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._answer(413, {"error": "payload too large"})
            return
        try:
            payload = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._answer(400, {"error": "not JSON"})
            return
        try:
            self._answer(200, handle(payload if isinstance(payload, dict) else {}, self.config))
        except (OSError, ValueError) as exc:   # the API or the helpdesk unreachable, or not answering JSON
            log.warning("webhook failed: %s", type(exc).__name__)
            self._answer(502, {"error": type(exc).__name__})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args) -> None:  # noqa: A002 - the signature http.server gives
        log.info("%s %s", self.command, urllib.parse.urlsplit(self.path).path)   # never the query (the token)


def make_server(config: Config, host: str = "127.0.0.1", port: int = 8700) -> ThreadingHTTPServer:
    """The receiver, not yet serving: ``make_server(config).serve_forever()``."""
    handler = type("ConfiguredReceiver", (Receiver,), {"config": config})
    return ThreadingHTTPServer((host, port), handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    server = make_server(Config.from_env(), args.host, args.port)
    log.info("listening on http://%s:%s/chatwoot", args.host, args.port)
    server.serve_forever()


if __name__ == "__main__":
    main()

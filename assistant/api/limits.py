"""The body cap: a request body over ``Settings.api_max_body_bytes`` is refused with 413 before any of it is parsed.

A declared ``Content-Length`` over the cap is refused at once; a chunked body is read up to the cap and refused
the moment it passes it. The body is buffered (it is at most the cap) and handed to the endpoint unchanged.

    app.add_middleware(BodyLimit, max_bytes=1024 * 1024)
"""

from __future__ import annotations

from .problems import problem


class BodyLimit:
    """ASGI middleware; one job: no body larger than ``max_bytes`` reaches an endpoint."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _refuse(self):
        kb = self.max_bytes // 1024
        return problem(413, "body_too_large", f"the request body is larger than {kb} KB",
                       "send one message or thread per request; the limit is ASSISTANT_API_MAX_BODY_KB")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse()(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":   # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse()(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body, delivered = b"".join(chunks), False

        async def replay():
            nonlocal delivered
            if delivered:
                return await receive()   # after the body: wait for the disconnect, as the server would say it
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

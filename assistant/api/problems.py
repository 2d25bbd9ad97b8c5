"""Every failure as JSON with a stable code: ``{"error": {"code", "message", "hint"}}``; never HTML, never a traceback.

=====================  ======  ========================================================================
code                   status  when
=====================  ======  ========================================================================
unauthorized           401     no ``Authorization: Bearer KEY``, or a key that is not configured
not_found              404     no such document, version or clause (the message names the ones there are)
no_such_endpoint       404     a path the API does not have (the hint lists the endpoints)
method_not_allowed     405     e.g. GET on /v1/search
body_too_large         413     a body over ``ASSISTANT_API_MAX_BODY_KB`` (``limits.py``)
message_too_long       413     a message or reply over ``ASSISTANT_MAX_MESSAGE_CHARS``
invalid_body           400     the body cannot be read at all (not UTF-8, a form)
invalid_json           422     the body is not JSON
invalid_request        422     a field missing, unknown, of the wrong type or out of range (``fields`` says which)
message_rejected       422     empty, or nothing but instructions to the assistant
invalid_input          422     any other refusal of the package (an unknown document filter, an empty reply)
index_unavailable      503     no index yet, or one built with another model
internal_error         500     a bug: the log gets its type and stack, never the request's text
=====================  ======  ========================================================================

>>> problem(413, "message_too_long", "the message is 25000 characters long", "send at most 20000").body
b'{"error":{"code":"message_too_long","message":"the message is 25000 characters long","hint":"send at most 20000"}}'
"""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ..errors import AssistantError, IndexUnavailable, IngestError, MessageRejected, MessageTooLong, NotFound

log = logging.getLogger("assistant.api")

#: The package's errors, most specific first: (class, status, code, hint).
MAPPING: list[tuple[type[AssistantError], int, str, str]] = [
    (MessageTooLong, 413, "message_too_long", "send only the part of the thread that needs an answer"),
    (MessageRejected, 422, "message_rejected", "send the customer's or seller's own words"),
    (NotFound, 404, "not_found", ""),
    (IndexUnavailable, 503, "index_unavailable",
     "build or publish an index (`assistant index corpus/`); the service picks it up without a restart"),
    (IngestError, 422, "ingest_failed", ""),
    (AssistantError, 422, "invalid_input", ""),
]


class ApiError(Exception):
    """A refusal decided at the API's own boundary (authentication, body size)."""

    def __init__(self, status: int, code: str, message: str, hint: str = "", headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.hint = status, code, message, hint
        self.headers = headers or ({"WWW-Authenticate": "Bearer"} if status == 401 else None)


def problem(status: int, code: str, message: str, hint: str = "", fields: list | None = None,
            headers: dict | None = None) -> JSONResponse:
    body = {"code": code, "message": message, "hint": hint}
    if fields is not None:
        body["fields"] = fields
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return problem(exc.status, exc.code, exc.message, exc.hint, headers=exc.headers)


def _assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
    for cls, status, code, hint in MAPPING:
        if isinstance(exc, cls):
            return problem(status, code, str(exc), hint)
    raise AssertionError("AssistantError is the last row of MAPPING")   # pragma: no cover


def _body_fields(request: Request) -> list[str]:
    """The fields the endpoint's body accepts, for a hint that names the valid choices."""
    field = getattr(request.scope.get("route"), "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    return list(getattr(model, "model_fields", {}))


def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return problem(422, "invalid_json", "the request body is not valid JSON",
                       'send a JSON object with "Content-Type: application/json"')
    # the input itself is left out: it may hold personal data, and the client has it anyway
    fields = [{"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or "body", "problem": e.get("msg", "")}
              for e in errors]
    names = _body_fields(request)
    return problem(422, "invalid_request", "; ".join(f"{f['field']}: {f['problem']}" for f in fields),
                   f"valid fields: {', '.join(names)}" if names else "see /openapi.json", fields)


def _http(request: Request, exc: HTTPException) -> JSONResponse:
    if exc.status_code == 404:
        paths = sorted(request.app.openapi()["paths"])
        return problem(404, "no_such_endpoint", f"no endpoint {request.method} {request.url.path}",
                       f"endpoints: {', '.join(paths)}; the schema is at /openapi.json")
    if exc.status_code == 400:   # FastAPI could not read the body at all (bytes that are not UTF-8, a form)
        return problem(400, "invalid_body", "the request body could not be read",
                       'send a UTF-8 JSON object with "Content-Type: application/json"')
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow", "")
        return problem(405, "method_not_allowed", f"{request.method} is not allowed on {request.url.path}",
                       f"allowed: {allowed}" if allowed else "", headers=exc.headers)
    return problem(exc.status_code, f"http_{exc.status_code}", str(exc.detail), headers=exc.headers)


def install(app: FastAPI) -> None:
    """Register the handlers and the last-resort guard on ``app``."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(AssistantError, _assistant_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(HTTPException, _http)
    app.add_middleware(LastResort)


class LastResort:
    """ASGI middleware: an unexpected exception becomes a JSON 500. The log gets the type and the stack, never the
    exception's message (it may quote a customer's text), and the exception does not reach the server's own
    handler, which would log it whole."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:  # noqa: BLE001 - the one place every other exception ends
            log.error("%s in %s %s:\n%s", type(exc).__name__, scope.get("method"), scope.get("path"),
                      "".join(traceback.format_tb(exc.__traceback__)))
            if not started:
                response = problem(500, "internal_error", f"an internal error ({type(exc).__name__})",
                                   "the server log has the stack; report it with the time of the request")
                await response(scope, receive, send)

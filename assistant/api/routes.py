"""The endpoints: each one calls the same functions as the matching CLI command, and answers its ``--json``.

=========================  ==========================================  ===================================
endpoint                   body                                        answers as
=========================  ==========================================  ===================================
POST /v1/search            {"text", "k", "doc", "audience"}            assistant search --json
POST /v1/analyze           {"message"}                                 assistant analyze --json
POST /v1/draft             {"message"} or {"turns"}, "backend"         assistant draft --json [--turns]
POST /v1/check             {"message", "reply"}                        assistant check --json
POST /v1/feedback          {"message"|"turns", "reply", "draft"…}      the agents' page's «Принять»
GET  /v1/clauses/{id}      ?version=V                                  one clause of assistant show --json
GET  /v1/health            (no key needed)                             snapshot, model, counts
=========================  ==========================================  ===================================

>>> [r.path for r in router.routes][:2]
['/v1/search', '/v1/analyze']
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from ..analyze import analyze as analyze_message
from ..analyze.turns import turns_from
from ..draft import audit, draft as draft_reply
from ..draft.llm import LLM
from ..errors import MessageTooLong
from ..retrieval import Searcher
from ..surfaces import accept_reply, clause_detail, health as health_of
from .auth import require_key
from .models import (AnalyzeRequest, CheckRequest, ClauseResponse, DraftRequest, ErrorResponse, FeedbackRequest,
                     FeedbackResponse, HealthResponse, Passthrough, SearchRequest)

_ERRORS = {status: {"model": ErrorResponse, "description": what} for status, what in (
    (401, "no key, or a wrong one (unauthorized)"), (413, "body_too_large, message_too_long"),
    (422, "invalid_json, invalid_request, message_rejected, invalid_input"), (503, "index_unavailable"))}
_KEYED = {"dependencies": [Depends(require_key)], "responses": _ERRORS}

router = APIRouter()


def _searcher(request: Request) -> Searcher:
    return request.app.state.live.get()


def _limit(request: Request) -> int:
    return request.app.state.settings.max_message_chars


def _bounded(text: str | None, limit: int, what: str) -> None:
    """Texts that do not pass through ``intake`` (a search text, a reply) get the same length limit."""
    if text is not None and len(text) > limit:
        raise MessageTooLong(len(text), limit, what)


@router.post("/v1/search", response_model=Passthrough, **_KEYED,
             summary="Clauses and past cases for a message (assistant search --json)")
def search(body: SearchRequest, request: Request) -> dict:
    _bounded(body.text, _limit(request), "text")
    return _searcher(request).search(body.text, k=body.k, doc=body.doc, audience=body.audience).to_dict()


@router.post("/v1/analyze", response_model=Passthrough, **_KEYED,
             summary="Points, their kinds, facts and deadlines (assistant analyze --json)")
def analyze(body: AnalyzeRequest, request: Request) -> dict:
    return analyze_message(_searcher(request), body.message, limit=_limit(request)).to_dict()


@router.post("/v1/draft", response_model=Passthrough, **_KEYED,
             summary="A checked draft reply with citations (assistant draft --json)")
def draft(body: DraftRequest, request: Request) -> dict:
    turns = turns_from(body.turn_dicts()) if body.turns is not None else None
    result = draft_reply(_searcher(request), "" if turns else body.message or "", backend=body.backend,
                         llm=LLM.from_env() if body.backend == "llm" else None, limit=_limit(request), turns=turns,
                         order=body.order)
    return result.to_dict()


@router.post("/v1/check", response_model=Passthrough, **_KEYED,
             summary="Audit a reply someone wrote against the message (assistant check --json)")
def check(body: CheckRequest, request: Request) -> dict:
    _bounded(body.reply, _limit(request), "reply")
    return audit(_searcher(request), body.message, body.reply, limit=_limit(request)).checks.to_dict()


@router.post("/v1/feedback", response_model=FeedbackResponse, status_code=201, dependencies=_KEYED["dependencies"],
             responses={**_ERRORS, 200: {"model": FeedbackResponse, "description": "accepted before: nothing stored"}},
             summary="Store an accepted or edited reply (masked; once per text; for review when checks fail)")
def feedback(body: FeedbackRequest, request: Request, response: Response) -> dict:
    limit = _limit(request)
    _bounded(body.reply, limit, "reply")
    _bounded(body.draft, limit, "draft")
    turns = turns_from(body.turn_dicts()) if body.turns is not None else None
    saved = accept_reply(request.app.state.settings, _searcher(request), body.reply,
                         message="" if turns else body.message or "", turns=turns, draft_text=body.draft,
                         backend=body.backend, channel=body.channel, order=body.order)
    if not saved["created"]:
        response.status_code = 200
    return saved


@router.get("/v1/clauses/{clause_id:path}", response_model=ClauseResponse,
            dependencies=_KEYED["dependencies"], responses={**_ERRORS, 404: {"model": ErrorResponse,
                                                                               "description": "not_found"}},
            summary="One clause with its citation, path, text and version (as assistant show)")
def clause(clause_id: str, request: Request,
           version: str | None = Query(None, description="a version label (default: the published one)")) -> dict:
    return clause_detail(_searcher(request).index, clause_id, version)


@router.get("/v1/health", response_model=HealthResponse, responses={503: _ERRORS[503]},
            summary="The serving snapshot, its model and counts (no key needed)")
def health(request: Request) -> dict:
    return health_of(_searcher(request))

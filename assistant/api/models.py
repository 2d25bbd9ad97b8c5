"""Request and response bodies of the service API, as pydantic models (the OpenAPI schema is built from them).

Requests refuse fields they do not know (a typo is a 422 naming the valid fields, not a silent default).
The answers of search, analyze, draft and check are the CLI's ``--json`` objects, passed through as they are.

>>> SearchRequest(text="посылку потеряли", k=3).k
3
>>> DraftRequest(turns=[{"role": "customer", "text": "Где заказ?"}]).turns[0].role
'customer'
>>> from pydantic import ValidationError
>>> try:
...     DraftRequest()
... except ValidationError as exc:
...     print(exc.errors()[0]["msg"])
Value error, give either "message" (a message or a pasted thread) or "turns" (a list of {"role", "text"})
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

MAX_K = 50   # results per list; the CLI's default is 5


def _unicode(value: str) -> str:
    """JSON allows lone surrogates (``"\\ud800"``) that no UTF-8 text holds; refuse them here, not at the answer."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text holds a lone surrogate (\\ud800–\\udfff), which is not valid Unicode text") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("the text is empty; give the words to search for")
    return value


Text = Annotated[str, AfterValidator(_unicode)]
Role = Literal["customer", "seller", "agent"]
Backend = Literal["composer", "llm"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchRequest(_Body):
    text: Annotated[Text, AfterValidator(_not_blank)] = Field(
        description="the message or question; at most ASSISTANT_MAX_MESSAGE_CHARS characters",
        examples=["посылку потеряли, кто компенсирует?"])
    k: int = Field(5, ge=1, le=MAX_K, description="results per list (clauses, past cases)")
    doc: str | None = Field(None, description="only clauses of this published document, e.g. marketplace-rules")
    audience: Literal["buyer", "seller"] | None = Field(None, description="only documents for this audience")


class AnalyzeRequest(_Body):
    message: Text = Field(description="a message or a pasted conversation",
                          examples=["Заказ № 48213-0917 потерялся, прошло 12 дней. Когда компенсация?"])


class Turn(_Body):
    role: Role = Field(description="who wrote it; «seller» counts as the person, like «customer»")
    text: Text


class _Conversation(_Body):
    # exactly one of the two: said in the schema too, so generated clients and schemathesis know it
    model_config = ConfigDict(extra="forbid", json_schema_extra={"oneOf": [{"required": ["message"]},
                                                                            {"required": ["turns"]}]})

    message: Text = Field(None, description="a message, or a whole pasted thread (cut into turns by guess)")
    turns: list[Turn] = Field(None, description="the thread's turns given explicitly, instead of message")

    @model_validator(mode="after")
    def _one_of(self):
        if (self.message is None) == (self.turns is None):
            raise ValueError('give either "message" (a message or a pasted thread) or "turns" (a list of '
                             '{"role", "text"})')
        return self

    def turn_dicts(self) -> list[dict] | None:
        return None if self.turns is None else [t.model_dump() for t in self.turns]


class DraftRequest(_Conversation):
    backend: Backend = Field("composer", description="composer (no model) or llm (ASSISTANT_LLM_URL, _MODEL)")
    order: str = Field("", max_length=64, description="the order number typed beside the message, if any")


class CheckRequest(_Body):
    message: Text = Field(description="the customer's or seller's message")
    reply: Text = Field(description="the reply someone wrote, to audit")


class FeedbackRequest(_Conversation):
    reply: Text = Field(description="the reply the agent accepted, as sent (edited or not)")
    draft: Text | None = Field(None, description="the draft the agent edited (default: the composer's draft, made "
                                                 "again from the message)")
    backend: Backend = Field("composer", description="who wrote that draft")
    channel: str = Field("", max_length=64, description="e.g. chat, email")
    order: str = Field("", max_length=64, description="the order number typed beside the message, if any")


class FeedbackResponse(BaseModel):
    id: str = Field(description="the stored reply's id (the same text again gives the same id)")
    status: Literal["ready", "review"] = Field(description="ready: becomes a past case at the next add-accepted; "
                                                           "review: its checks failed, a maintainer looks first")
    created: bool = Field(description="false when this text was accepted before and nothing new was stored")
    failed: list[str] = Field(description="the checks that failed: citation, unanswered, guardrail, template")


class ClauseResponse(BaseModel):
    doc: str
    version: str
    published: bool = Field(description="whether this version is the published one")
    id: str
    path: list[str]
    citation: str
    page: int | None
    title: str
    text: str
    repealed: bool
    parents: list[str] = Field(description="the headings above the clause, outermost first")


class HealthResponse(BaseModel):
    status: Literal["ok"]
    snapshot: str = Field(description="the serving snapshot (CURRENT)")
    model: str = Field(description="the embedding model the snapshot was built with")
    created: str
    documents: dict[str, str] = Field(description="published document → its published version")
    clauses: int
    cases: int


class Problem(BaseModel):
    code: str = Field(description="stable, machine-readable: see the README's «Service API»")
    message: str
    hint: str = ""
    fields: list[dict[str, Any]] | None = Field(None, description="for invalid_request: each field and its problem")


class ErrorResponse(BaseModel):
    error: Problem


#: The CLI's ``--json`` objects, documented by the command that prints them.
Passthrough = dict[str, Any]

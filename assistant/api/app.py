"""The FastAPI application: routes, errors, the body cap and the live searcher, put together.

>>> from assistant.config import Settings
>>> app = create_app(Settings.resolve(index="/tmp/none"))
>>> app.openapi()["info"]["title"], app.openapi_url
('Support reply assistant', '/openapi.json')
"""

from __future__ import annotations

import contextlib
import logging

from fastapi import FastAPI

from ..config import Settings
from ..errors import IndexUnavailable
from . import problems
from .limits import BodyLimit
from .live import LiveSearcher
from .routes import router

log = logging.getLogger("assistant.api")

DESCRIPTION = """Rule clauses, analyses, checked drafts and reply audits as JSON: the same answers as the
`assistant` command's `--json`. Every endpoint but `/v1/health` needs `Authorization: Bearer KEY`. Errors are
`{"error": {"code", "message", "hint"}}`. A newly published index snapshot is used from the next request on."""


def create_app(settings: Settings, embedder=None, preload: bool = False) -> FastAPI:
    """The API over ``settings.index_dir``. ``embedder``: a model already loaded (tests pass ``FakeEmbedder``).
    ``preload``: open the index at start-up, so the first request does not wait for the model.

    >>> client = TestClient(create_app(Settings.resolve().with_(api_keys=("k" * 32,))))   # doctest: +SKIP
    >>> client.get("/v1/health").json()["snapshot"]                                        # doctest: +SKIP
    '20261201T172927123456-a1b2c3'
    """
    live = LiveSearcher(settings, embedder)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if preload:
            try:
                live.get()
            except IndexUnavailable as exc:
                log.warning("no index to serve yet (%s); requests get 503 until one is published", exc)
        yield

    app = FastAPI(title="Support reply assistant", version="1", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)   # their pages load scripts from a CDN; the schema is enough
    app.state.settings, app.state.live = settings, live
    app.include_router(router)
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.api_max_body_bytes)   # outermost: nothing oversized goes in
    return app


def app_from_env() -> FastAPI:
    """The factory ``uvicorn`` imports in each worker (``assistant serve`` passes its options as ASSISTANT_*)."""
    return create_app(Settings.resolve(), preload=True)

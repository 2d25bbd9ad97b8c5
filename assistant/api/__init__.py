"""The service API: the CLI's questions as JSON over HTTP (FastAPI, served by uvicorn).

    assistant serve --port 8000                      # ASSISTANT_API_KEYS=key1,key2 must be set
    curl -s localhost:8000/v1/search -H "Authorization: Bearer $KEY" \\
         -H 'Content-Type: application/json' -d '{"text": "посылку потеряли", "k": 3}'

>>> from assistant.config import Settings
>>> app = create_app(Settings.resolve(index="/tmp/none").with_(api_keys=("k" * 32,)))
>>> sorted(app.openapi()["paths"])
['/v1/analyze', '/v1/check', '/v1/clauses/{clause_id}', '/v1/draft', '/v1/feedback', '/v1/health', '/v1/search']

Modules: ``app.py`` (assembly), ``routes.py`` (the endpoints), ``models.py`` (request and response bodies),
``auth.py`` (bearer keys), ``problems.py`` (errors as JSON with stable codes), ``limits.py`` (the body cap),
``live.py`` (the published snapshot, swapped without a restart), ``serve.py`` (uvicorn).
"""

from .app import create_app

__all__ = ["create_app"]

"""``assistant serve``: the API under uvicorn, with one or several worker processes.

    ASSISTANT_API_KEYS=$(python -c "import secrets; print(secrets.token_urlsafe(32))") assistant serve --port 8000

Each worker builds the app from the environment (``app.app_from_env``), so ``--index`` and ``--model`` are passed
on as ``ASSISTANT_INDEX`` and ``ASSISTANT_MODEL``. Each worker loads the model and the index once and picks up
a published snapshot by itself.
"""

from __future__ import annotations

import os

from ..config import Settings
from ..errors import AssistantError

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8000


def serve(settings: Settings, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, workers: int = 1) -> None:
    """Run until interrupted; refuses to start without API keys (every endpoint but health would answer 401)."""
    import uvicorn

    if not settings.api_keys:
        raise AssistantError("no API keys: set ASSISTANT_API_KEYS=key1,key2 or ASSISTANT_API_KEYS_FILE=FILE (one key "
                             "per line); make one with: python -c \"import secrets; print(secrets.token_urlsafe(32))\"")
    if workers < 1:
        raise AssistantError(f"--workers must be 1 or more, not {workers}")
    os.environ["ASSISTANT_INDEX"] = str(settings.index_dir)
    if settings.model:
        os.environ["ASSISTANT_MODEL"] = settings.model
    # access lines name the method, path and status only: bodies (and the keys in headers) are never logged
    uvicorn.run("assistant.api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                proxy_headers=False, server_header=False)

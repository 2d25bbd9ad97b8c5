"""API keys: ``Authorization: Bearer KEY``, checked in constant time against ``Settings.api_keys``.

Keys come from ``ASSISTANT_API_KEYS`` (comma-separated) and ``ASSISTANT_API_KEYS_FILE`` (one per line). Neither
the key sent nor the keys held are ever logged or echoed back.

>>> key_matches("s3cret-" * 4, ("other", "s3cret-" * 4))
True
>>> key_matches("guess", ("s3cret-" * 4,)), key_matches("", ())
(False, False)
"""

from __future__ import annotations

import hmac

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .problems import ApiError

bearer = HTTPBearer(auto_error=False, description="an API key from ASSISTANT_API_KEYS or ASSISTANT_API_KEYS_FILE")


def key_matches(given: str, keys: tuple[str, ...]) -> bool:
    """Whether ``given`` is one of ``keys``; every key is compared, each in constant time, so the answer's timing
    says nothing about which key came close."""
    sent = given.encode("utf-8", "surrogatepass")
    found = False
    for key in keys:
        found |= hmac.compare_digest(sent, key.encode("utf-8", "surrogatepass"))
    return found and bool(given)


def require_key(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
    """A FastAPI dependency: 401 unless the request carries one of the configured keys."""
    keys = request.app.state.settings.api_keys
    if credentials is None:
        raise ApiError(401, "unauthorized", "this endpoint needs an API key",
                       'send the header "Authorization: Bearer KEY" with a key from ASSISTANT_API_KEYS')
    if not keys:
        raise ApiError(401, "unauthorized", "no API keys are configured on this server",
                       "set ASSISTANT_API_KEYS (comma-separated) or ASSISTANT_API_KEYS_FILE and restart the service")
    if not key_matches(credentials.credentials, keys):
        raise ApiError(401, "unauthorized", "the API key is not valid",
                       "check the key against ASSISTANT_API_KEYS; keys are case-sensitive")

"""Key authentication as Azure does it: an `api-key` header or `Authorization: Bearer <token>`.

A missing or wrong key is 401 in the error envelope, with the service's wording. Keys are compared in
constant time and never echoed or logged.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from respcheck.server.config import ServerConfig
from respcheck.server.errors import ApiError

_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
    "for an active subscription and use a correct regional API endpoint for your resource."
)


def presented_key(headers: Mapping[str, str], cfg: ServerConfig, query: Mapping[str, str] | None = None) -> str | None:
    """The key of the documented channels only: the `api-key` header or `Authorization: Bearer` (the Azure
    spec's two security schemes, both `in: header`). A key in the query string (`?api-key=`), under another
    header name or as a bare Authorization value is no key (faults auth.query_key_accepted,
    auth.wrong_header_accepted accept them)."""
    key = headers.get("api-key")
    if key is None and query is not None and cfg.has("auth.query_key_accepted"):
        key = query.get("api-key")
    if key is None and cfg.has("auth.wrong_header_accepted"):
        bare = headers.get("authorization", "")
        key = headers.get("x-api-key") or (bare if bare and not bare[:7].lower() == "bearer " else None)
    if key is None:
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            if cfg.has("auth.bearer_rejected"):
                return None
            key = auth[7:].strip()
    return key


def check(headers: Mapping[str, str], cfg: ServerConfig, query: Mapping[str, str] | None = None) -> str:
    """The caller's key when it is the configured one; otherwise raise 401."""
    key = presented_key(headers, cfg, query)
    if key is None:
        if cfg.has("auth.missing_key_accepted"):
            return "anonymous"
        raise ApiError(401, _DENIED, code="401", type="invalid_request_error")
    if not hmac.compare_digest(key.encode(), cfg.api_key.encode()):
        if cfg.has("auth.wrong_key_accepted"):
            return key
        raise ApiError(401, _DENIED, code="401", type="invalid_request_error")
    return key

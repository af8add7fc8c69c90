"""Opaque, verifiable `encrypted_content` for reasoning and compaction items.

The service returns reasoning state as an encrypted blob the client must carry back unchanged when it runs
stateless (store=false). We seal a small JSON state with Fernet (AES + HMAC, key derived from the server
secret), which gives the same `gAAAAA...` look as the real service and, more importantly, makes tampering
detectable: a modified blob is answered with 400 `invalid_encrypted_content`, as the service does.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from respcheck.server.errors import ApiError


def _fernet(secret: bytes, purpose: str):
    from cryptography.fernet import Fernet  # lazy: keeps `respcheck serve` start fast

    key = hashlib.sha256(purpose.encode() + b"\0" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: bytes, purpose: str, state: dict[str, Any]) -> str:
    return _fernet(secret, purpose).encrypt(json.dumps(state, sort_keys=True).encode()).decode()


def unseal(secret: bytes, purpose: str, token: object, *, item_id: str | None = None) -> dict[str, Any]:
    """The state inside `token`, or 400 invalid_encrypted_content when it was not sealed by this server."""
    from cryptography.fernet import InvalidToken

    if not isinstance(token, str):
        raise ApiError(400, "encrypted_content must be a string.", code="invalid_encrypted_content", param="input")
    try:
        data = _fernet(secret, purpose).decrypt(token.encode())
        state = json.loads(data)
    except (InvalidToken, ValueError) as exc:
        who = f" for item {item_id}" if item_id else ""
        raise ApiError(
            400,
            f"The encrypted content{who} could not be verified.",
            code="invalid_encrypted_content",
            param="input",
        ) from exc
    if not isinstance(state, dict):
        raise ApiError(400, "The encrypted content could not be verified.", code="invalid_encrypted_content")
    return state

"""Small helpers shared by the chaining suite (raw-wire text extraction, error-status checks). A 200 answer
is judged with `respcheck.expect.accepted` (the answer is the claim's evidence) or `prerequisite` (a step
towards it), never with a local copy."""

from __future__ import annotations

from typing import Any

import httpx
import openai

from respcheck.expect import fail_for

MISSING_RESPONSE_ID = "resp_" + "0" * 40 + "fffffff1"
"""A well-formed response id nobody created (placeholder-shaped, so cassettes keep it verbatim)."""


def raw_output_text(obj: dict[str, Any]) -> str:
    """All output_text of a raw response object's message items (what SDK `output_text` joins)."""
    texts: list[str] = []
    for item in obj.get("output") or []:
        if isinstance(item, dict) and item.get("type") == "message":
            for part in item.get("content") or []:
                if isinstance(part, dict) and part.get("type") == "output_text":
                    texts.append(str(part.get("text", "")))
    return "".join(texts)


def expect_error(resp: httpx.Response, statuses: tuple[int, ...], what: str, *claims: str) -> dict[str, Any]:
    """An error answer with one of `statuses` (its body, {} when it is not a JSON object); another status
    fails `claims` (the test's behaviours when none are named). The envelope's shape is
    `errors.envelope.shape`'s, judged on every error answer by the ambient checks (`respcheck.attribution`),
    so a malformed envelope does not hide whether the status was right."""
    if resp.status_code not in statuses:
        message = f"{what}: expected HTTP {' or '.join(map(str, statuses))}, got {resp.status_code}: {resp.text[:300]}"
        if claims:
            fail_for(claims, message)
        raise AssertionError(message)
    try:
        body = resp.json()
    except ValueError:
        body = None
    return body if isinstance(body, dict) else {}


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def expect_not_found(ex: Any, what: str, *claims: str) -> dict[str, Any]:
    """Both views of a 404: the raw answer carries the error envelope, the SDK raised `openai.NotFoundError`."""
    body = expect_error(ex.http, (404,), what, *claims)
    assert isinstance(ex.error, openai.NotFoundError), (
        f"SDK: {what}: expected openai.NotFoundError, got {type(ex.error).__name__ if ex.error else 'no error'}"
    )
    return body

"""Auth: the key counts only on the documented channels (issue 14's auth-channel probes).

The Azure spec declares two key schemes, both headers: ``api-key`` and ``Authorization`` (Bearer). The run's
*correct* key sent anywhere else (the query string ``?api-key=``, an ``x-api-key`` header, a bare
``Authorization`` value without ``Bearer``) must not authenticate: a service that accepts it invites keys
into URLs and logs. Each probe goes through ``client.with_credentials(None)`` (no credential of its own on
the raw channel), so what it wrongly creates is cleaned up with the run's key; the recorder scrubs the key
from the query and headers before anything is written.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from respcheck.findings import render
from respcheck.validators import check_gateway_error_envelope
from respcheck.verdicts import not_applicable

REJECTED = (401, 403)


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


@pytest.mark.behaviour("auth.api_key.documented_channels_only")
def test_key_outside_the_documented_headers_is_rejected(client, target, observe):
    """'ApiKeyAuth: type: apiKey in: header name: api-key'

    The right key in the query string, under x-api-key, or as a bare Authorization value (no Bearer) is
    answered 401 (403 tolerated) in the error envelope, without a model call."""
    if target.auth == "entra":
        not_applicable("this run authenticates with Microsoft Entra ID; there is no api key to misplace")
    if not target.api_key:
        not_applicable(f"this target has no api key to misplace (auth {target.auth!r}; --no-auth declares a keyless one)")
    key = str(target.api_key)
    body = client.body("Say hello in one word.", max_output_tokens=16, store=False)
    probes = {
        "?api-key= in the query": {"params": {"api-key": key}},
        "x-api-key header": {"headers": {"x-api-key": key}},
        "bare Authorization value": {"headers": {"authorization": key}},
    }
    statuses: dict[str, int] = {}
    with client.with_credentials(None) as anonymous:
        for what, kw in probes.items():
            r = anonymous.http_post("responses", body, retry=False, **kw)
            statuses[what] = r.status_code
            payload = _json(r)
            assert r.status_code in REJECTED, (
                f"the key as {what}: expected HTTP 401, saw {r.status_code} (the key was accepted off the documented headers)")
            findings = check_gateway_error_envelope(r.status_code, payload)
            assert not findings, f"the key as {what}: " + render(findings)
            assert not (isinstance(payload, dict) and ("output" in payload or "usage" in payload)), (
                f"the key as {what}: the rejection carries model output")
    observe("auth.api_key.misplaced_statuses", statuses)

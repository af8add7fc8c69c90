"""Auth: the api-key header, the plain OpenAI client (Authorization: Bearer <key>), wrong and missing keys,
and Microsoft Entra tokens for the two documented scopes.

Requests with a deliberately wrong or missing key go through ``client.with_credentials(...)``: the harness's
client with other credentials, so they are counted in the budget and anything a wrongly accepted key creates
is cleaned up with the run's own key (cassettes match on method/path/query/body, not headers).
The real key never appears in a message. Requests with the right key store nothing (a stored response costs
a DELETE) and are seen through both channels where the SDK sends them.
"""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest

from respcheck.expect import accepted
from respcheck.findings import render
from respcheck.validators import check_gateway_error_envelope
from respcheck.verdicts import not_applicable

WRONG_KEY = "respcheck-deliberately-wrong-key-00000000"
UNKNOWN_ID = "resp_does-not-exist-respcheck"
"""Not shaped like a real id on purpose: the recorder would renumber a real-looking one in the cassette."""
MISSING_ID = "resp_" + "0" * 40 + "fffffff3"
"""A well-formed response id nobody created (placeholder-shaped, so cassettes keep it verbatim)."""
ENTRA_PROBE_ID = "resp_68af0000000000000000000000000000000000000000dead"
REJECTED = (401, 403)


def _key_auth_or_na(target) -> str:
    """The target's api key; not-applicable when the run authenticates with Entra (no key to test)."""
    if target.auth == "entra":
        not_applicable("this run authenticates with Microsoft Entra ID; there is no api key to test")
    if not target.api_key:
        not_applicable("this target has no api key")
    return str(target.api_key)


def _keyed_or_na(target) -> None:
    """Not-applicable on a live target declared keyless (``--no-auth``, targets.yaml ``auth: none``): it said
    it takes no key, so there is no key to get wrong or leave out. (A replay also reads auth "none", but
    replays what a keyed target answered: it is judged.)"""
    if target.mode == "live" and target.auth == "none":
        not_applicable("the target was declared keyless (--no-auth / auth: none): it takes no key, so a wrong or "
                       "missing key cannot be rejected")


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


def _assert_rejected(r: httpx.Response, what: str, observe, key: str) -> None:
    observe(key, r.status_code)
    body = _json(r)
    assert r.status_code in REJECTED, (
        f"{what}: expected HTTP 401 (or 403) in an error envelope, saw HTTP {r.status_code}: {str(body)[:160]}")
    findings = check_gateway_error_envelope(r.status_code, body)
    assert not findings, f"{what}: " + render(findings)
    observe(key.replace(".status", ".error_keys"), sorted(body["error"]))
    assert not (isinstance(body, dict) and ("output" in body or "usage" in body)), (
        f"{what}: the rejection carries model output/usage (a model call was made)")


@pytest.mark.behaviour("auth.api_key.header")
def test_api_key_header_authenticates(client, target):
    """'-H "api-key: $AZURE_OPENAI_API_KEY"'

    A request carrying only the api-key header (no Authorization) is served on /openai/v1/responses, for
    create and for retrieve. The create is not stored (a stored one would cost a DELETE), so the retrieve
    asks for a well-formed id nobody created: authentication comes before the lookup (a wrong key is 401
    there, see below), so 404 in the error envelope shows the key was accepted on the retrieve path."""
    _key_auth_or_na(target)
    r = client.http_post("responses", client.body("Say hello in one word.", max_output_tokens=16, store=False))
    assert "api-key" in r.request.headers and "authorization" not in r.request.headers, (
        "the raw client did not send the key as the api-key header alone")
    accepted(r, "api-key header", "auth.api_key.header")  # served; the response's shape is its owner's (ambient)

    got = client.http_get(f"responses/{MISSING_ID}", retry=False)
    assert "api-key" in got.request.headers and "authorization" not in got.request.headers, (
        "the raw client did not send the key as the api-key header alone on the retrieve")
    assert got.status_code not in REJECTED, (
        f"retrieve with the api-key header: rejected with HTTP {got.status_code} (expected 404 for an unknown id)")
    assert got.status_code == 404, (
        f"retrieve with the api-key header: expected HTTP 404 for an unknown id, saw {got.status_code}: "
        f"{got.text[:200]}")


@pytest.mark.behaviour("auth.api_key.openai_client")
def test_openai_client_with_bearer_key_authenticates(client, target):
    """'OpenAI client support with minimal code changes to swap between OpenAI and Azure OpenAI when using
    key-based authentication.'

    The plain `openai.OpenAI(base_url=".../openai/v1/", api_key=KEY)` sends the key as `Authorization: Bearer`
    and is served: the SDK's typed Response and the raw answer to that one request (a request with only
    that header) are both judged."""
    _key_auth_or_na(target)
    ex = client.create_both(client.body("Say hello in one word.", max_output_tokens=16, store=False))
    sent = ex.http.request.headers
    assert sent.get("authorization", "").lower().startswith("bearer ") and "api-key" not in sent, (
        "the OpenAI client did not send the key as Authorization: Bearer alone")
    accepted(ex, "Authorization: Bearer <key>", "auth.api_key.openai_client")

    typed = ex.sdk
    # served is the claim: an answer cut by max_output_tokens (a model limit) is served too
    assert typed.status in ("completed", "incomplete"), f"OpenAI client (Bearer key): status {typed.status!r}"
    assert typed.output_text.strip(), "OpenAI client (Bearer key): empty output_text"


@pytest.mark.behaviour("auth.api_key.wrong_key_401")
def test_wrong_key_is_rejected_with_401(client, target, observe):
    """'If you use an API key, confirm you're using the correct key for the resource.' (401/403)

    A wrong key - in the api-key header or as a Bearer token through the OpenAI client - is answered 401
    (403 tolerated) in the error envelope, without a model call. The stream=true probe goes through the
    OpenAI client (wrong Bearer token): one request shows the SDK's error and the raw answer's framing."""
    _keyed_or_na(target)
    body = client.body("Say hello in one word.", max_output_tokens=16, store=False)
    with client.with_credentials(WRONG_KEY) as wrong:
        r = wrong.http_post("responses", body, retry=False)
        _assert_rejected(r, "wrong api-key on POST /responses", observe, "auth.wrong_key.status")
        g = wrong.http_get(f"responses/{UNKNOWN_ID}", retry=False)
        assert g.status_code in REJECTED, (
            f"wrong api-key on GET /responses/{{id}}: expected 401/403 before any lookup, saw {g.status_code}")
        st = wrong.stream_both(body, retry=False)  # the SDK sends the wrong key as Authorization: Bearer
    assert st.error is not None, f"SDK with a wrong key (Bearer), stream=true: the stream was opened (HTTP {st.status})"
    assert st.status in REJECTED, f"wrong Bearer key on a stream=true create: expected 401/403, saw {st.status}: {st.text[:160]}"
    assert not st.headers.get("content-type", "").startswith("text/event-stream"), (
        "wrong Bearer key on a stream=true create: the rejection was sent as an event stream")
    exc = st.error
    assert isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError), (
        f"SDK with a wrong key: raised {type(exc).__name__} for HTTP {exc.status_code}")
    assert isinstance(exc.body, dict) and str(exc.body.get("message") or "").strip(), (
        f"SDK: the {exc.status_code} carries no error message: {exc.body!r}")


@pytest.mark.behaviour("auth.api_key.wrong_key_401")
def test_missing_key_is_rejected_with_401(client, target, observe):
    """'If you use an API key, confirm you're using the correct key for the resource.' (401/403)

    A request without any credential (no api-key, no Authorization) is answered 401 in the error
    envelope."""
    _keyed_or_na(target)
    with client.with_credentials(None) as anonymous:
        r = anonymous.http_post("responses", client.body("Say hello in one word.", max_output_tokens=16), retry=False)
        _assert_rejected(r, "no key on POST /responses", observe, "auth.missing_key.status")
        g = anonymous.http_get(f"responses/{UNKNOWN_ID}", retry=False)
        assert g.status_code in REJECTED, f"no key on GET /responses/{{id}}: expected 401/403, saw {g.status_code}"


def _entra_probe(client, target, scope: str, observe, key: str) -> None:
    """GET /responses/{unknown id} with a token for `scope`: 404 means accepted, 401/403 rejected."""
    if target.auth != "entra":
        not_applicable("Entra ID is not used by this run (live: --entra); the token scope cannot be probed")
    try:
        from azure.identity import DefaultAzureCredential
    except ImportError:
        not_applicable("azure-identity is not installed (pip install 'respcheck[entra]')")
    token = DefaultAzureCredential().get_token(scope).token
    with client.with_credentials(token=token) as c:
        r = c.http_get(f"responses/{ENTRA_PROBE_ID}", retry=False)
    observe(key, r.status_code)
    assert r.status_code not in REJECTED, (
        f"a token for scope {scope} was rejected with HTTP {r.status_code} (expected 404 for the unknown id)")
    assert r.status_code == 404, f"a token for scope {scope}: expected 404 for an unknown id, saw {r.status_code}"


@pytest.mark.behaviour("auth.entra.scope_ai_azure")
def test_entra_token_for_ai_azure_scope(client, target, observe):
    """'401/403: If you use Microsoft Entra ID, verify your token is scoped for https://ai.azure.com/.default.'"""
    _entra_probe(client, target, "https://ai.azure.com/.default", observe, "auth.entra.scope_ai_azure.status")


@pytest.mark.behaviour("auth.entra.scope_cognitiveservices")
def test_entra_token_for_cognitiveservices_scope(client, target, observe):
    """'DefaultAzureCredential(), "https://cognitiveservices.azure.com/.default"'"""
    _entra_probe(client, target, "https://cognitiveservices.azure.com/.default", observe,
                 "auth.entra.scope_cognitiveservices.status")

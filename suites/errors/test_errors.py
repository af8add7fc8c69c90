"""Errors: rate-limit answers, malformed tool schemas, the api-version behaviour of the v1 path, and the
unsupported-region answer.

A 429 is provoked with the reference server's `x-respcheck-simulate: 429` request header. A live service
ignores that header and answers normally, so a live run does not send the probe (a paid request that can
only end not-applicable): the test is not-applicable there, never pass and never fail.

Every request is seen through both channels at once (the SDK sends it, the raw answer is kept beside the
SDK's reading), and the plain create without api-version is made once for the module: the v1 probe, the
api-version probe and the unsupported-region probe all judge that one request. Nothing is stored.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest

from respcheck.expect import fail_on
from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_gateway_error_envelope
from respcheck.verdicts import not_applicable

SIMULATE_429 = {"x-respcheck-simulate": "429"}



def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


def _retry_after_seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


# Headers a 429 names its wait in: the spec's Retry-After (seconds), and what Azure is reported to send
# instead or as well - retry-after-ms / x-ms-retry-after-ms (milliseconds), with Retry-After missing on the
# Responses API (openai/openai-dotnet#838, microsoft/kernel-memory#795; catalogue variants).
WAIT_HEADERS = (("retry-after", 1.0), ("retry-after-ms", 0.001), ("x-ms-retry-after-ms", 0.001))


def _wait_seconds(headers) -> tuple[float | None, dict[str, str]]:
    """The wait a 429 asks for, in seconds (from the first wait header carrying a number), and every wait
    header present (for the record)."""
    present = {name: headers.get(name) for name, _ in WAIT_HEADERS if headers.get(name) is not None}
    for name, scale in WAIT_HEADERS:
        value = _retry_after_seconds(present.get(name))
        if value is not None:
            return value * scale, present
    return None, present


@pytest.fixture(scope="module")
def plain(shared):
    """One plain create on /openai/v1/responses without api-version (the SDK sends none), not stored: what
    the v1 probe, the api-version probe ("none") and the unsupported-region probe observe."""
    return shared("plain", lambda c: c.create_both(c.body("Say hello in one word.", max_output_tokens=16, store=False)))


@pytest.mark.behaviour("errors.ratelimit.retry_after")
def test_429_carries_retry_after(client, target, observe):
    """'Retry-After: description: The minimum number of seconds to wait before retrying.'

    A 429 answer carries a Retry-After header with a positive number of seconds, and the error envelope;
    the SDK raises RateLimitError exposing the same header. Azure is reported to send retry-after-ms
    without Retry-After: accepted as the observed variant and recorded (errors.ratelimit.retry_after.variant).
    One request (one attempt: the 429 is the answer under test), seen raw and through the SDK."""
    if target.mode == "live":
        not_applicable("a live deployment cannot be made to answer 429 on demand (the probe header only works "
                       "on the reference server), so no request is sent")
    ex = client.create_both(client.body("Say hello in one word.", max_output_tokens=16, store=False),
                            retry="never", headers=SIMULATE_429)
    r, error = ex.http, ex.error
    if r.status_code != 429:
        not_applicable(f"could not provoke a 429 on this target (the request was answered HTTP {r.status_code})")
    seconds, present = _wait_seconds(r.headers)
    observe("errors.ratelimit.retry_after", r.headers.get("retry-after"))
    observe("errors.ratelimit.retry_after.variant",
            "holds: Retry-After" if "retry-after" in present else f"contradicted: {sorted(present) or 'no wait header'}")
    assert present, ("a 429 answer names no wait (no Retry-After, retry-after-ms or x-ms-retry-after-ms; headers: "
                     + ", ".join(sorted(r.headers.keys())) + ")")
    assert seconds is not None and seconds > 0, f"429 wait headers {present}, expected a positive number"
    findings = check_gateway_error_envelope(r.status_code, _json(r))
    assert not findings, render(findings)

    assert isinstance(error, openai.RateLimitError), (
        f"SDK: a 429 raised {type(error).__name__}, expected RateLimitError")
    sdk_seconds, sdk_present = _wait_seconds(error.response.headers)
    assert sdk_seconds is not None and sdk_seconds > 0, f"SDK: RateLimitError response has wait headers {sdk_present}"
    assert isinstance(error.body, dict) and str(error.body.get("message") or "").strip(), (
        f"SDK: RateLimitError carries no error message: {error.body!r}")


MALFORMED_TOOLS: list[tuple[str, Any]] = [
    ("function tool without a name", [{"type": "function", "parameters": {"type": "object", "properties": {}}}]),
    ("tool without a type", [{"name": "get_weather", "parameters": {"type": "object", "properties": {}}}]),
    ("tools is not an array", {"type": "function", "name": "get_weather"}),
]


def malformed_tools(target) -> list[tuple[str, Any]]:
    """The malformed tools the non-streamed probe sends: all three, but on a live target (billed per request)
    only the last, "tools is not an array" - the streamed probe sends the first, and the generated malformed
    tools of suites/contract/test_property_create.py (all inside an array) add the breadth."""
    return MALFORMED_TOOLS[-1:] if target.mode == "live" else MALFORMED_TOOLS


def _sdk_bad_request(error, what: str) -> None:
    """The SDK channel of a refused request: BadRequestError (400) with the service's message."""
    if not isinstance(error, openai.BadRequestError):
        status = getattr(error, "status_code", None)
        pytest.fail(f"SDK, {what}: expected BadRequestError (400), got {type(error).__name__} (HTTP {status})")
    assert isinstance(error.body, dict) and str(error.body.get("message") or "").strip(), (
        f"SDK, {what}: BadRequestError carries no error message: {error.body!r}")


@pytest.mark.behaviour("errors.tool_schema.status_400_500")
def test_malformed_tool_schema_is_a_client_error(client, target, observe):
    """'Tool call schema errors still show up as 400/500.'

    A malformed tool definition is rejected before any model call with a client error (400) in the error
    envelope - never a 5xx, which would tell the caller to retry a request that cannot succeed. The SDK
    raises BadRequestError (read from the same answer)."""
    statuses: dict[str, int] = {}
    for what, tools in malformed_tools(target):
        ex = client.create_both(client.body("What is the weather in Paris?", tools=tools, store=False), retry=False)
        statuses[what] = ex.status
        body = ex.json()
        assert ex.status != 200, f"{what}: the request was served (HTTP 200) instead of rejected"
        assert 400 <= ex.status < 500, (
            f"{what}: expected HTTP 400 for a malformed tool schema, saw {ex.status}: {str(body)[:160]}")
        # the status is this claim; the envelope's types are errors.envelope.shape's (ambient)
        fail_on(check_error_envelope(ex.status, body), what, "errors.tool_schema.status_400_500")
        _sdk_bad_request(ex.error, what)
    observe("errors.tool_schema.statuses", statuses)


@pytest.mark.behaviour("errors.tool_schema.status_400_500")
def test_malformed_tool_schema_with_stream_is_an_http_error(client, observe):
    """'Tool call schema errors still show up as 400/500.'

    With stream=true too: the request is refused before any event is sent, as an HTTP 400 with a JSON error
    envelope (not an event stream, not an in-stream error event after a 200). The SDK raises BadRequestError
    when the stream is opened."""
    what, tools = MALFORMED_TOOLS[0]
    ex = client.stream_both(client.body("What is the weather in Paris?", tools=tools, store=False), retry=False)
    status, headers, text, events = ex.wire
    observe("errors.tool_schema.stream_status", status)
    assert status != 200, f"{what} with stream=true: answered HTTP 200 (events: {[e.get('type') for e in events][:6]})"
    assert 400 <= status < 500, f"{what} with stream=true: expected HTTP 400, saw {status}: {text[:160]}"
    assert not headers.get("content-type", "").startswith("text/event-stream"), (
        f"{what} with stream=true: the {status} was sent as an event stream")
    try:
        payload = json.loads(text)
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        pytest.fail(f"{what} with stream=true: the HTTP {status} body is not a JSON object: {text[:160]}")
    fail_on(check_error_envelope(status, payload), f"{what} with stream=true", "errors.tool_schema.status_400_500")

    if ex.error is None:
        pytest.fail(f"SDK, {what} with stream=true: the stream was opened ({[e.type for e in ex.sdk_events][:4]})")
    _sdk_bad_request(ex.error, f"{what} with stream=true")


@pytest.mark.behaviour("errors.api_version.v1_no_param")
def test_v1_path_works_without_api_version(plain, observe):
    """'With the GA release, you no longer need to specify an api-version parameter.'

    POST /openai/v1/responses with no api-version query is served (the plain OpenAI SDK sends none; the raw
    answer and the SDK's typed Response are both judged)."""
    r = plain.http
    assert "api-version" not in r.request.url.params, "the probe must not send api-version"
    observe("errors.api_version.none", r.status_code)
    assert r.status_code == 200, f"/openai/v1/responses without api-version: expected HTTP 200, saw {r.status_code}: {r.text[:200]}"
    # the response's shape is chaining.response.object_shape's (ambient checks); served is this claim
    typed = plain.sdk
    assert typed is not None and typed.object == "response", f"SDK (no api-version): read {typed!r:.160}"


@pytest.mark.behaviour("errors.api_version.preview_required")
def test_api_version_probe_on_the_v1_path(client, plain, observe):
    """'You must hit the api-version=preview endpoint and use an SDK release dated May 2025 or later. Older
    clients will 404.'

    Settles the conflict with 'you no longer need to specify an api-version parameter' by measurement: the
    same request without api-version, with api-version=preview and with a dated preview version; the
    statuses are recorded. The preview endpoint the answer points to must be served (api-version=preview on
    the v1 path answers 200); whether omitting it 404s is what errors.api_version.v1_no_param checks. The
    request without api-version is the module's plain create."""
    probes = [
        ("preview", "preview", "Say: two"),
        ("2025-04-01-preview", "2025-04-01-preview", "Say: three"),
    ]
    answers: dict[str, Any] = {"none": plain.http}
    for label, version, prompt in probes:
        answers[label] = client.http_post("responses", client.body(prompt, max_output_tokens=16, store=False),
                                          params={"api-version": version}, retry=False)
    statuses: dict[str, int] = {}
    for label, r in answers.items():  # a refusal's envelope: errors.envelope.shape (ambient checks)
        statuses[label] = r.status_code
    observe("errors.api_version.statuses", statuses)
    assert statuses["preview"] == 200, (
        f"api-version=preview on /openai/v1/responses: expected HTTP 200, saw {statuses['preview']} (all: {statuses})")
    assert all(v < 500 for v in statuses.values()), f"a server error for an api-version probe: {statuses}"


@pytest.mark.behaviour("errors.region.operation_not_allowed")
def test_unsupported_region_answers_operation_not_allowed(plain, target, observe):
    """'404 or 409 "OperationNotAllowed" – ensure you're in a Responses-enabled region and your resource
    has the preview feature registered.'

    Only a resource without the Responses API can show this answer: when the create is served, the target
    is Responses-enabled and the behaviour cannot be provoked (not-applicable). Otherwise the answer must be
    404/409 with code OperationNotAllowed in the error envelope. The probe is the module's plain create."""
    r = plain.http
    observe("errors.region.create_status", r.status_code)
    if r.status_code == 200:
        not_applicable(f"this resource ({target.region or 'unknown region'}) serves the Responses API, so the "
                       "unsupported-region answer cannot be provoked here")
    body = _json(r)
    if r.status_code not in (404, 409):
        from respcheck.verdicts import inconclusive

        inconclusive(f"the create failed with HTTP {r.status_code}, neither served nor refused as unsupported")
    err = body.get("error") if isinstance(body, dict) else None  # its shape: errors.envelope.shape (ambient)
    code = err.get("code") if isinstance(err, dict) else None
    assert code == "OperationNotAllowed", f"HTTP {r.status_code} with error.code {code!r}, expected 'OperationNotAllowed'"

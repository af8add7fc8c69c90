"""Background mode: cancelling, its idempotence, synchronous responses, and the store=true requirement."""

from __future__ import annotations

import openai
import pytest
from _bg_helpers import TERMINAL, bg_body, pause, poll_http

from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_response
from respcheck.verdicts import inconclusive

# Long enough that a cancel arrives while the task runs (the reference server streams one token per 20 ms).
LONG_TASK = "Count to 300."
SETTLE_POLLS = 4
SETTLE_PAUSE_S = {"reference": 0.3, "live": 2.0}


@pytest.mark.behaviour("background.cancel.in_progress")
def test_cancel_in_progress_background_response(client, target, observe):
    """'You can cancel an in-progress background task using the cancel endpoint.'

    Wait until the task is in_progress, cancel it (SDK), and the answer is status `cancelled`; every later
    GET (raw) keeps saying `cancelled` - the task must not go on to complete. A task that finished before the
    cancel could be sent is inconclusive."""
    raw = client.http_post("responses", bg_body(client, LONG_TASK, max_output_tokens=200))
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    rid = raw.json()["id"]
    # short, fixed poll interval: catch the task while it runs (live tasks this size take a few seconds)
    started = poll_http(client, target, rid, raw.json().get("status"), until=("in_progress",) + TERMINAL,
                        interval=0.05 if target.mode == "reference" else 0.3)
    if started.last in TERMINAL:
        inconclusive(f"the background task ended ({started.last!r}) before it could be cancelled in progress")
    if started.last != "in_progress":
        inconclusive(f"the background task never reached in_progress ({started.last!r} after {started.polls} polls)")

    typed = client.sdk_call("POST /responses/{id}/cancel (sdk)", lambda: client.sdk.responses.cancel(rid))
    assert typed.id == rid, f"SDK cancel answered id {typed.id!r}, expected {rid!r}"
    assert typed.status == "cancelled", f"SDK cancel of an in-progress task answered status {typed.status!r}"

    seen = []
    for _ in range(SETTLE_POLLS):
        pause(target, SETTLE_PAUSE_S.get(target.mode, 2.0))
        r = client.http_get(f"responses/{rid}")
        assert r.status_code == 200, f"GET after cancel: HTTP {r.status_code}: {r.text[:200]}"
        seen.append(r.json().get("status"))
    observe("background.cancel.statuses_after_cancel", seen)
    assert all(s == "cancelled" for s in seen), (
        f"after the cancel answered 'cancelled', GET saw statuses {seen}: the task went on")
    findings = check_response(r.json())
    assert not findings, render(findings)


@pytest.mark.behaviour("background.cancel.idempotent", "background.cancel.in_progress")
def test_cancel_twice_returns_final_object(client, observe):
    """'Canceling is idempotent—subsequent calls will return the final response object.'
    (ja: 'キャンセルは、処理を繰り返しても結果が変わらない性質があります。続いて行われる呼び出しでは、最終的な応答オブジェクトが返されます。')

    Cancel a freshly queued task (raw), then cancel again (raw, then SDK): each later call answers 200 with
    the same response id and the same final status as the first cancel, never an error."""
    raw = client.http_post("responses", bg_body(client, LONG_TASK, max_output_tokens=200))
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    rid = raw.json()["id"]

    first = client.http_post(f"responses/{rid}/cancel")
    assert first.status_code == 200, f"first cancel: HTTP {first.status_code}: {first.text[:200]}"
    final_status = first.json().get("status")
    assert final_status in TERMINAL, f"first cancel answered non-final status {final_status!r}"
    findings = check_response(first.json())
    assert not findings, render(findings)

    second = client.http_post(f"responses/{rid}/cancel", retry=False)
    assert second.status_code == 200, (
        f"second cancel answered HTTP {second.status_code} ({second.text[:200]}); the docs say later calls "
        f"return the final response object")
    data = second.json()
    assert data.get("id") == rid and data.get("object") == "response", (
        f"second cancel answered {data.get('object')!r} {data.get('id')!r}, expected the response {rid!r}")
    assert data.get("status") == final_status, (
        f"second cancel answered status {data.get('status')!r}, the first answered {final_status!r}")

    try:
        third = client.sdk_call("POST /responses/{id}/cancel (sdk)", lambda: client.sdk.responses.cancel(rid),
                                retry=False)
    except openai.APIStatusError as exc:
        pytest.fail(f"SDK: third cancel raised HTTP {exc.status_code}: {str(exc)[:200]}")
    assert third.id == rid and third.status == final_status, (
        f"SDK: third cancel answered {third.id!r} status {third.status!r}, expected {rid!r} {final_status!r}")
    observe("background.cancel.final_status", final_status)


@pytest.mark.behaviour("background.cancel.sync_not_cancellable")
def test_synchronous_response_cannot_be_cancelled(client, observe):
    """'To cancel a synchronous response, terminate the connection directly.' (Limitations)

    The cancel endpoint is for background tasks: on a stored synchronous response it must answer a 4xx
    error envelope (raw) / raise an API error (SDK), not 200."""
    typed = client.create(client.body("Say hello in one word.", max_output_tokens=16))
    assert typed.status == "completed", f"synchronous create ended {typed.status!r}"
    rid = typed.id

    raw = client.http_post(f"responses/{rid}/cancel", retry=False)
    observe("background.cancel.sync_status_code", raw.status_code)
    assert 400 <= raw.status_code < 500, (
        f"cancel of a synchronous response answered HTTP {raw.status_code} ({raw.text[:160]}); expected a 4xx refusal")
    findings = check_error_envelope(raw.status_code, raw.json())
    assert not findings, render(findings)

    with pytest.raises(openai.APIStatusError) as info:
        client.sdk_call("POST /responses/{id}/cancel (sdk)", lambda: client.sdk.responses.cancel(rid), retry=False)
    assert 400 <= info.value.status_code < 500, f"SDK: cancel raised HTTP {info.value.status_code}"


@pytest.mark.behaviour("background.requires_store")
def test_background_requires_store_true(client, observe):
    """'Background mode requires store=true . Stateless requests are not supported.' (Limitations)

    background=true with store=false is refused with 400 and an error envelope (raw), BadRequestError (SDK)."""
    body = bg_body(client, "Say hello in one word.", store=False)
    raw = client.http_post("responses", body, retry=False)
    if raw.status_code == 200:
        client.cleanup.add_response(raw.json().get("id"), background=True)
    observe("background.requires_store.status_code", raw.status_code)
    assert raw.status_code == 400, (
        f"background=true with store=false answered HTTP {raw.status_code} ({raw.text[:160]}); expected 400")
    findings = check_error_envelope(raw.status_code, raw.json())
    assert not findings, render(findings)

    try:
        typed = client.create(body, retry=False)
    except openai.BadRequestError:
        return
    client.cleanup.add_response(typed.id, background=True)
    pytest.fail(f"SDK: background=true with store=false was accepted (status {typed.status!r})")

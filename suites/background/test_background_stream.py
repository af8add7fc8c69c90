"""Background mode with streaming: sequence numbers, resuming with starting_after, and its precondition."""

from __future__ import annotations

import json

import openai
import pytest
from _bg_helpers import bg_body, event_type, sse_sequence

from respcheck.findings import render
from respcheck.validators import check_error_envelope, check_stream

PROMPT = "Count to 12."
TERMINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed", "response.cancelled")


def _created_id(events) -> str:
    for ev in events:
        if event_type(ev) == "response.created":
            resp = ev.get("response") if isinstance(ev, dict) else getattr(ev, "response", None)
            return resp.get("id") if isinstance(resp, dict) else resp.id
    raise AssertionError(f"the stream has no response.created event (types {[event_type(e) for e in events][:8]})")


@pytest.mark.behaviour("background.stream.sequence_numbers", "background.create.queued")
def test_background_stream_has_sequence_numbers(client, observe):
    """'To stream a background response, set both background and stream to true. This pattern lets you
    resume streaming if the connection drops. Track your position with the sequence_number from each event.'

    Raw SSE and SDK: every event carries an integer sequence_number, from 0 rising by one; the stream opens
    with response.created (background, queued), announces response.queued, and ends with one terminal event."""
    body = bg_body(client, PROMPT, max_output_tokens=64)
    wire = client.http_stream("responses", body)
    status, _headers, text, events = wire
    assert status == 200, f"HTTP {status}: {text[:200]}"
    framing = wire.parsed().findings
    assert not framing, render(framing)
    findings = check_stream(events)
    assert not findings, render(findings)
    created = events[0].get("response") or {}
    assert created.get("background") is True, f"response.created snapshot has background={created.get('background')!r}"
    assert created.get("status") == "queued", f"background stream's response.created has status {created.get('status')!r}"
    assert "response.queued" in [e.get("type") for e in events], "background stream never sent response.queued"
    seq = sse_sequence(events)
    assert seq == list(range(len(events))), f"raw sequence numbers {seq}"
    observe("background.stream.event_count", len(events))

    typed = client.sdk_stream(body)
    tseq = sse_sequence(typed)
    assert tseq == list(range(len(typed))), f"SDK saw sequence numbers {tseq}"
    assert event_type(typed[-1]) in TERMINAL_EVENTS, f"SDK stream ended with {event_type(typed[-1])!r}"


@pytest.mark.behaviour("background.stream.resume_starting_after", "background.stream.sequence_numbers")
def test_resume_background_stream_starting_after(client, observe):
    """'If a streaming connection drops, you can resume from a known event by passing stream=true along with
    starting_after=<sequence_number> on a GET to the response. The service replays events emitted after that
    sequence number.'

    Stream a background response, take N = a sequence number in the middle (as if the connection dropped
    after it), GET ?stream=true&starting_after=N: the resumed stream (raw and SDK) starts at N+1 and carries
    exactly the events after N, in order, with the same types - prefix + resume = the whole stream."""
    status, _h, text, events = client.http_stream("responses", bg_body(client, PROMPT, max_output_tokens=64))
    assert status == 200, f"HTTP {status}: {text[:200]}"
    rid = _created_id(events)
    seq = sse_sequence(events)
    assert all(isinstance(s, int) for s in seq), f"events without sequence_number: {seq}"
    n = seq[len(seq) // 2]
    expected = [(s, event_type(e)) for s, e in zip(seq, events, strict=True) if s > n]

    wire = client.http_stream(f"responses/{rid}", method="GET", params={"stream": "true", "starting_after": str(n)})
    rstatus, _rh, rtext, resumed = wire
    assert rstatus == 200, f"resume GET ?stream=true&starting_after={n}: HTTP {rstatus}: {rtext[:200]}"
    got = [(s, event_type(e)) for s, e in zip(sse_sequence(resumed), resumed, strict=True)]
    observe("background.stream.resume", {"starting_after": n, "first_resumed": got[0][0] if got else None,
                                          "resumed_events": len(got), "expected_events": len(expected)})
    assert got, f"resume after {n} sent no events"
    assert got[0][0] == n + 1, f"resume after {n} started at sequence_number {got[0][0]}, expected {n + 1}"
    assert got == expected, (
        f"resume after {n}: got {len(got)} events {got[:4]}..., expected the original {len(expected)} "
        f"events after {n} {expected[:4]}...")
    findings = check_stream(resumed, starting_after=n)
    assert not findings, render(findings)

    def sdk_resume():
        stream = client.sdk.responses.retrieve(rid, stream=True, starting_after=n)
        try:
            return list(stream)
        finally:
            stream.close()

    typed = client.sdk_call("GET /responses/{id}?stream=true (sdk)", sdk_resume)
    tgot = [(s, event_type(e)) for s, e in zip(sse_sequence(typed), typed, strict=True)]
    assert tgot == expected, f"SDK resume after {n}: got {tgot[:4]}... ({len(tgot)}), expected {expected[:4]}... ({len(expected)})"


@pytest.mark.behaviour("background.stream.resume_requires_stream")
def test_resume_refused_without_original_stream(client, observe):
    """'You can only resume streaming if the original request included stream=true .' (Limitations)

    A background response created without stream=true: GET ?stream=true must be refused with a 4xx error
    (raw: error envelope, no event stream; SDK: an API error)."""
    raw = client.http_post("responses", bg_body(client, "Say hello in one word."))
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    rid = raw.json()["id"]

    status, _h, text, events = client.http_stream(f"responses/{rid}", method="GET", params={"stream": "true"},
                                                  retry=False)
    observe("background.stream.resume_without_stream_status", status)
    assert 400 <= status < 500, (
        f"GET ?stream=true on a background response created without stream answered HTTP {status} "
        f"with {len(events)} events; expected a 4xx refusal")
    try:
        envelope = json.loads(text)
    except ValueError:
        pytest.fail(f"the HTTP {status} refusal is not a JSON error envelope: {text[:160]!r}")
    findings = check_error_envelope(status, envelope)
    assert not findings, render(findings)

    def sdk_resume():
        stream = client.sdk.responses.retrieve(rid, stream=True)
        try:
            return list(stream)
        finally:
            stream.close()

    with pytest.raises(openai.APIStatusError) as info:
        client.sdk_call("GET /responses/{id}?stream=true (sdk)", sdk_resume, retry=False)
    assert 400 <= info.value.status_code < 500, f"SDK: resume raised HTTP {info.value.status_code}"

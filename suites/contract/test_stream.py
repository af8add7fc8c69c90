"""Example suite test: one streamed create, seen by the SDK (typed events) and on the wire (raw SSE)."""

from __future__ import annotations

import pytest

from respcheck.findings import render
from respcheck.validators import check_stream


@pytest.mark.behaviour("streaming.events.incremental", "streaming.sequence_number.monotonic")
def test_stream_events_in_order(client, observe):
    """'The service emits incremental events you can consume to render output token-by-token.'
    'Track your position with the sequence_number from each event.'"""
    body = client.body("Count from one to five.")

    wire = client.http_stream("responses", body)
    status, headers, text, events = wire
    assert status == 200, f"HTTP {status}: {text[:200]}"
    assert headers.get("content-type", "").startswith("text/event-stream")
    framing = wire.parsed().findings  # SSE framing: event names vs data.type, blank-line terminators
    assert not framing, render(framing)
    findings = check_stream(events)
    assert not findings, render(findings)
    observe("streaming.event_count", len(events))

    typed = client.sdk_stream(body)  # a second stream, through the SDK: every event must parse into its type
    assert typed and typed[-1].type == "response.completed", f"SDK stream ended with {typed[-1].type if typed else None!r}"
    seq = [e.sequence_number for e in typed]
    assert seq == list(range(seq[0], seq[0] + len(seq))), f"SDK saw sequence numbers {seq}"

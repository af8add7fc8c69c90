"""Example suite test: one streamed create, seen by the SDK (typed events) and on the wire (raw SSE)."""

from __future__ import annotations

import pytest

from respcheck.expect import fail_for, fail_on
from respcheck.validators import check_stream


@pytest.mark.behaviour("streaming.events.incremental", "streaming.sequence_number.monotonic")
def test_stream_events_in_order(client, observe):
    """'The service emits incremental events you can consume to render output token-by-token.'
    'Track your position with the sequence_number from each event.'"""
    # ONE stream, two views: the raw SSE bytes and the SDK's typed events decoded from them. Not stored:
    # nothing reads the response later.
    ex = client.stream_both(client.body("Count from one to five.", max_output_tokens=32, store=False))
    assert ex.status == 200, f"HTTP {ex.status}: {ex.text[:200]}"
    assert ex.headers.get("content-type", "").startswith("text/event-stream"), (
        f"content-type {ex.headers.get('content-type')!r}, expected text/event-stream")
    claims = ("streaming.events.incremental", "streaming.sequence_number.monotonic")
    # SSE framing (event names vs data.type, blank-line terminators) and the grammar: each finding fails its
    # owner (sequence numbers: monotonic; grammar: incremental); deltas and event schemas are their owners'
    fail_on(ex.parsed().findings + check_stream(ex.events), "stream", *claims)
    observe("streaming.event_count", len(ex.events))

    typed = ex.sdk_events  # every event must parse into its SDK type
    terminal = ("response.completed", "response.incomplete", "response.failed")  # a cut answer is still a stream
    if not typed or typed[-1].type not in terminal:
        fail_for("streaming.events.incremental", f"SDK stream ended with {typed[-1].type if typed else None!r}")
    if len(typed) != len(ex.events):
        fail_for("streaming.events.incremental", f"SDK decoded {len(typed)} events from a stream of {len(ex.events)}")
    seq = [getattr(e, "sequence_number", None) for e in typed]
    if None in seq or seq != list(range(seq[0], seq[0] + len(seq))):
        fail_for("streaming.sequence_number.monotonic", f"SDK saw sequence numbers {seq[:20]}")

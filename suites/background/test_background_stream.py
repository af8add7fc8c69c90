"""Background mode with streaming: sequence numbers, resuming with starting_after, time to the first event
against a synchronous stream, the synchronous response the cancel endpoint refuses, and the store=true
requirement.

One module-shared exchange makes every request here (a live run pays per request, and every stored
response costs a delete at cleanup, one still running a cancel first): the refused store=false create first
(it also opens the connection, so neither timed stream pays the set-up), a synchronous stream and a
background stream with the same prompt (both timed to their first body chunk by the client,
`client.last_stream_timing`), a resume of the background stream from its middle, and a cancel of the
synchronous response. Each request is seen through both channels: the raw answer and the SDK's typed reading
of the same bytes.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import openai
import pytest
from _bg_helpers import bg_body, event_type, retrieve_stream, sse_sequence

from respcheck.client import Exchange, StreamExchange
from respcheck.expect import TERMINAL_EVENTS, fail_for, fail_on, finished_stream, prerequisite
from respcheck.lag import Lag, after_write
from respcheck.validators import check_stream
from respcheck.verdicts import blocked, inconclusive, limit_of_model

PROMPT = "Count to 5."
CREATE = "background.create.queued"
SEQUENCE = "background.stream.sequence_numbers"


class Streams(NamedTuple):
    store_false: Exchange
    """background=true with store=false (must be refused)."""
    sync: StreamExchange
    sync_first_s: float | None
    background: StreamExchange
    background_first_s: float | None
    resumed: StreamExchange | None
    """GET ?stream=true&starting_after=N on the background stream's response (None: nothing to resume)."""
    starting_after: int | None
    cancel_sync: Exchange | None
    """POST /responses/{id}/cancel on the stored synchronous response (None: it announced no id)."""
    lags: dict[str, Lag]
    """Read-after-write lag met by the follow-ups (`respcheck.lag`), by name: "resume", "cancel_sync"."""


def _lag_or_inconclusive(streams: Streams, name: str, what: str) -> None:
    """Inconclusive when the follow-up `name` still met 'not found' after the bounded wait (live lag)."""
    lag = streams.lags.get(name)
    if lag is not None and lag.unresolved:
        inconclusive(lag.reason(what))


def _created_id(events: list[dict[str, Any]]) -> str | None:
    for ev in events:
        if event_type(ev) == "response.created":
            return (ev.get("response") or {}).get("id")
    return None


@pytest.fixture(scope="module")
def streams(shared):
    """The module's requests, in this order (see the module docstring). The synchronous stream is stored
    (store=true, like the background one) because the cancel test needs a stored synchronous response."""

    def make(c) -> Streams:
        store_false = c.create_both(bg_body(c, "Say hello in one word.", store=False), retry=False)
        if store_false.status == 200 and store_false.sdk is not None:
            c.cleanup.add_response(store_false.sdk.id, background=True)  # accepted against the docs: remove it
        sync = c.stream_both(c.body(PROMPT, max_output_tokens=32, store=True))
        sync_s = c.last_stream_timing[0]
        bg = c.stream_both(bg_body(c, PROMPT, store=True))
        bg_s = c.last_stream_timing[0]
        rid, seq = _created_id(bg.events), sse_sequence(bg.events)
        resumed = n = None
        mode, lags = c.target.mode, {}
        if rid and seq and all(isinstance(s, int) for s in seq):
            n = seq[len(seq) // 2]
            # both follow-ups name a response streamed a moment ago: resent while live says 'not found'
            resumed, lags["resume"] = after_write(lambda: retrieve_stream(
                c, "GET /responses/{id}?stream=true&starting_after=N (both)", rid, starting_after=n), mode=mode)
        sync_id = _created_id(sync.events)
        cancel_sync = None
        if sync_id:
            cancel_sync, lags["cancel_sync"] = after_write(lambda: c.call_both(
                "POST /responses/{id}/cancel (synchronous)",
                lambda sdk: sdk.responses.with_raw_response.cancel(sync_id), retry=False), mode=mode)
        return Streams(store_false, sync, sync_s, bg, bg_s, resumed, n, cancel_sync, lags)

    return shared("streams", make)


@pytest.mark.behaviour("background.stream.sequence_numbers", "background.create.queued")
def test_background_stream_has_sequence_numbers(streams, observe):
    """'To stream a background response, set both background and stream to true. This pattern lets you
    resume streaming if the connection drops. Track your position with the sequence_number from each event.'

    Raw SSE and SDK: every event carries an integer sequence_number, from 0 rising by one; the stream opens
    with response.created (background, queued), announces response.queued, and ends with one terminal event."""
    wire = streams.background
    prerequisite(wire, "background create with stream=true", by=CREATE)  # a refused background: its claim
    events = wire.events
    claims = (SEQUENCE, CREATE)
    # framing, grammar and event schemas are the streaming behaviours' (ambient checks): only ours fail here
    fail_on(wire.parsed().findings + check_stream(events), "background stream", *claims)
    seq = sse_sequence(events)
    if seq != list(range(len(events))):
        fail_for(SEQUENCE, f"raw sequence numbers {seq[:20]}")
    observe("background.stream.event_count", len(events))
    finished_stream(events, "background stream")  # no terminal event: the grammar's finding, blocked here
    typed = wire.sdk_events
    assert typed, "SDK: no typed events decoded from the background stream"
    tseq = sse_sequence(typed)
    if tseq != list(range(len(typed))):
        fail_for(SEQUENCE, f"SDK saw sequence numbers {tseq[:20]}")
    assert event_type(typed[-1]) in TERMINAL_EVENTS, f"SDK stream ended with {event_type(typed[-1])!r}"
    # the stream's opening snapshot is the background create's answer: queued (background.create.queued's)
    created = events[0].get("response") or {}
    if created.get("background") is not True or created.get("status") != "queued":
        fail_for(CREATE, f"background stream's response.created has background={created.get('background')!r}, "
                         f"status {created.get('status')!r}; the docs say a background create returns queued")
    if "response.queued" not in [e.get("type") for e in events]:
        fail_for(CREATE, "background stream never sent response.queued")


@pytest.mark.behaviour("background.stream.resume_starting_after", "background.stream.sequence_numbers")
def test_resume_background_stream_starting_after(streams, observe):
    """'If a streaming connection drops, you can resume from a known event by passing stream=true along with
    starting_after=<sequence_number> on a GET to the response. The service replays events emitted after that
    sequence number.'

    The module's background stream, N = a sequence number in its middle (as if the connection dropped after
    it), GET ?stream=true&starting_after=N: the resumed stream (raw and SDK, one request) starts at N+1 and
    carries exactly the events after N, in order, with the same types - prefix + resume = the whole stream."""
    bg = streams.background
    prerequisite(bg, "background create with stream=true", by=CREATE)
    if not _created_id(bg.events):
        blocked("streaming.events.incremental",
                f"the stream has no response.created event (types {[event_type(e) for e in bg.events][:8]})")
    seq = sse_sequence(bg.events)
    if not all(isinstance(s, int) for s in seq):
        blocked(SEQUENCE, f"events without sequence_number: {seq[:20]}")
    n = streams.starting_after
    expected = [(s, event_type(e)) for s, e in zip(seq, bg.events, strict=True) if s > n]

    _lag_or_inconclusive(streams, "resume", f"GET ?stream=true&starting_after={n} after the background stream")
    wire = streams.resumed
    assert wire.status == 200, f"resume GET ?stream=true&starting_after={n}: HTTP {wire.status}: {wire.text[:200]}"
    resumed = wire.events
    got = [(s, event_type(e)) for s, e in zip(sse_sequence(resumed), resumed, strict=True)]
    observe("background.stream.resume", {"starting_after": n, "first_resumed": got[0][0] if got else None,
                                          "resumed_events": len(got), "expected_events": len(expected)})
    assert got, f"resume after {n} sent no events"
    assert got[0][0] == n + 1, f"resume after {n} started at sequence_number {got[0][0]}, expected {n + 1}"
    assert got == expected, (
        f"resume after {n}: got {len(got)} events {got[:4]}..., expected the original {len(expected)} "
        f"events after {n} {expected[:4]}...")
    fail_on(check_stream(resumed, starting_after=n), f"resumed stream after {n}",
            "background.stream.resume_starting_after", SEQUENCE)

    typed = wire.sdk_events
    tgot = [(s, event_type(e)) for s, e in zip(sse_sequence(typed), typed, strict=True)]
    assert tgot == expected, f"SDK resume after {n}: got {tgot[:4]}... ({len(tgot)}), expected {expected[:4]}... ({len(expected)})"


@pytest.mark.behaviour("background.ttft.higher")
def test_background_time_to_first_event_measured(streams, target, observe):
    """'Background responses currently have a higher time-to-first-token latency than synchronous
    responses.'

    A measured figure, reported not asserted (the docs give no number): the time to the first byte of a
    synchronous and of a background stream with the same prompt, on a connection already open. What is
    asserted (raw and SDK): both streams open with response.created (queued for background, not queued for
    the synchronous one) and end with one terminal event."""
    # both streams are steps (their grammar and the queued snapshot are judged by their owners): what this
    # test asserts is that both opened, so that the two first-event times measure the same thing
    prerequisite(streams.sync, "synchronous stream", by="streaming.events.incremental")
    prerequisite(streams.background, "background stream", by=CREATE)
    for name, ex in (("synchronous", streams.sync), ("background", streams.background)):
        for channel, events in (("raw", ex.events), ("SDK", ex.sdk_events)):
            if not events or event_type(events[0]) != "response.created":
                blocked("streaming.events.incremental", f"{channel}: the {name} stream opened with "
                        f"{event_type(events[0]) if events else 'no event'!r}: no first event to time")
    sync_s, bg_s = streams.sync_first_s, streams.background_first_s
    if target.mode == "replay":
        observe("background.ttft.higher", {"measured": False, "why": "replay has no latency"})
    else:
        observe("background.ttft.higher", {
            "measured": True, "sync_first_event_s": round(sync_s or 0.0, 4),
            "background_first_event_s": round(bg_s or 0.0, 4),
            "background_higher": bool(bg_s is not None and sync_s is not None and bg_s > sync_s)})


@pytest.mark.behaviour("background.cancel.sync_not_cancellable")
def test_synchronous_response_cannot_be_cancelled(streams, observe):
    """'To cancel a synchronous response, terminate the connection directly.' (Limitations)

    The cancel endpoint is for background tasks: on the module's stored synchronous response (a completed
    stream) it must answer a 4xx error envelope (raw) / an API error (SDK, the same answer), not 200."""
    sync = streams.sync
    prerequisite(sync, "synchronous stream", by="streaming.events.incremental")
    terminal = [e for e in sync.events if event_type(e) in TERMINAL_EVENTS]
    final = (terminal[-1].get("response") or {}) if terminal else {}
    status = final.get("status")
    if status == "incomplete" and limit_of_model(final):
        pass  # cut by max_output_tokens: still a finished synchronous response, the one to try to cancel
    elif status != "completed":
        blocked("streaming.events.incremental", f"the synchronous stream ended {status!r}, not finished")
    ex = streams.cancel_sync
    assert ex is not None, "the synchronous stream announced no response id to cancel"
    _lag_or_inconclusive(streams, "cancel_sync", "POST /responses/{id}/cancel after the synchronous stream")
    observe("background.cancel.sync_status_code", ex.status)
    assert 400 <= ex.status < 500, (
        f"cancel of a synchronous response answered HTTP {ex.status} ({ex.http.text[:160]}); expected a 4xx refusal")
    assert isinstance(ex.error, openai.APIStatusError), f"SDK: cancel did not raise an API error (got {ex.sdk!r:.120})"
    assert 400 <= ex.error.status_code < 500, f"SDK: cancel raised HTTP {ex.error.status_code}"


@pytest.mark.behaviour("background.requires_store")
def test_background_requires_store_true(streams, observe):
    """'Background mode requires store=true . Stateless requests are not supported.' (Limitations)

    background=true with store=false is refused with 400 and an error envelope (raw), BadRequestError (SDK),
    one request seen through both channels."""
    ex = streams.store_false
    observe("background.requires_store.status_code", ex.status)
    assert ex.status == 400, (
        f"background=true with store=false answered HTTP {ex.status} ({ex.http.text[:160]}); expected 400")
    assert isinstance(ex.error, openai.BadRequestError), (
        f"SDK: background=true with store=false gave {type(ex.error).__name__ if ex.error else ex.sdk!r:.120}, "
        "expected BadRequestError")

"""Background mode: cancelling a task whose stream is open ends that stream, within a bound.

One exchange of its own (it cancels its task): a background create with stream=true, read as it arrives;
at the first output delta the cancel is sent while the stream is still open (`_cancel_tap`), and the
stream must then end within a bound - whatever it sends before the end - without reporting the task
finished (completed, or incomplete at its token cap). Every request is seen through both channels (the SSE bytes and the SDK's typed events decoded
from them; the cancel's raw answer and the SDK's typed `Response`).

No documented stream event says "cancelled" (the stream events end with response.completed, .incomplete or
.failed), so how the stream ends is recorded, not prescribed: a close, or a terminal event that does not say
the task ran to its end. The ambient grammar check's "one terminal event" rule is therefore waived for this one
stream (every other ambient check - framing, sequence numbers, event schemas - still judges it).
"""

from __future__ import annotations

from typing import Any

import pytest
from _bg_helpers import bg_body, event_type
from _cancel_tap import cancel_while_streaming, finding_of

from respcheck.expect import TERMINAL_EVENTS, prerequisite
from respcheck.lag import after_write
from respcheck.verdicts import inconclusive

LONG_TASK = "Count to 300."
"""Long enough that the cancel arrives while the task runs (the reference server streams a token per 20 ms:
about 4 s for this answer)."""
END_S = {"reference": 3.0, "live": 30.0}
"""How long after the cancel answered the stream may stay open: against the reference server (which ends it
at once) well under LONG_TASK's run, so a stream that goes on regardless is caught before it completes;
live, time for the events in flight (capped by the client's stream deadline, `respcheck.guard`)."""
FINISHED_EVENTS = ("response.completed", "response.incomplete")
FINISHED = ("completed", "incomplete")
"""What a stream must not report once the task was cancelled in progress: that it ran to its end."""
WAIVED = "exactly_one_terminal_event"


def _waive_terminal_rule(client: Any) -> None:
    """Drop the ambient "one terminal event" finding of this test's stream (see the module docstring): the
    test's only stream, so every stream-grammar observation of its traffic is that stream's (request-id
    headers are not needed, which an OpenAI-compatible server may not send)."""
    for obs in client.evidence.ambient:
        if obs.get("check") == "stream_lifecycle":
            kept = [f for f in obs.get("findings") or [] if not str(f).startswith(f"[{WAIVED}]")]
            if len(kept) != len(obs.get("findings") or []):
                obs["findings"], obs["ok"] = kept, not kept
                obs["waived"] = f"{WAIVED}: the stream was ended by the test's cancel"


@pytest.mark.behaviour("background.cancel.ends_stream")
def test_cancel_ends_the_attached_background_stream(client, target, observe):
    """'You can cancel an in-progress background task using the cancel endpoint.' and 'To stream a
    background response, set both background and stream to true.'

    A background task streamed as it runs is cancelled at its first output delta, the stream still open:
    the cancel answers `cancelled` (raw and SDK), and the stream then ends within END_S of that answer
    (never a hang: a stream still open, idling or streaming on, fails at the bound), without reporting the
    task finished - completed, or incomplete at its token cap - (raw events and the SDK's typed ones). A task that ended before the cancel could be sent
    is inconclusive."""
    body = bg_body(client, LONG_TASK, max_output_tokens=200, store=True)
    end_s = min(END_S.get(target.mode, 30.0), client.deadlines.stream_s)
    with cancel_while_streaming(client, end_s) as tap:
        try:
            ex = client.stream_both(body, retry="never")
        except Exception as exc:
            found = finding_of(exc)
            if found is None:
                raise
            observe("background.cancel.stream_end", {"ended": False, "finding": found.finding.check})
            pytest.fail(str(found.finding))
        tap.cancel_if_not_sent(next((
            (e.get("response") or {}).get("id") for e in ex.events if event_type(e) == "response.created"), None))
    prerequisite(ex, "background create with stream=true", by="background.create.queued")
    _waive_terminal_rule(client)
    if any(event_type(e) == "error" for e in ex.events):
        inconclusive("the stream carried an in-stream error event before the cancel could be judged")

    cancel = tap.answer
    assert cancel is not None, "the stream announced no response id: nothing to cancel"
    assert cancel.status == 200, f"cancel with the stream open: HTTP {cancel.status}: {cancel.http.text[:200]}"
    status = (cancel.json() or {}).get("status")
    if status in ("completed", "incomplete", "failed"):
        inconclusive(f"the task ended ({status!r}) before the cancel arrived; nothing was cancelled in progress")
    if target.mode != "replay" and not tap.sent_during_stream:
        inconclusive("the stream ended before its first output delta: the cancel could not be sent while it ran")
    assert status == "cancelled", f"cancel with the stream open answered status {status!r}, expected 'cancelled'"
    assert cancel.sdk is not None and cancel.sdk.status == "cancelled", (
        f"SDK: the cancel answered {getattr(cancel.sdk, 'status', None)!r} ({cancel.error!r:.120})")

    rid = tap.response_id
    later, lag = after_write(lambda: client.call_both(
        "GET /responses/{id} (after the stream ended)",
        lambda sdk: sdk.responses.with_raw_response.retrieve(rid)), mode=target.mode)
    terminal = [e for e in ex.events if event_type(e) in TERMINAL_EVENTS]
    ending = {"ended": True, "events": len(ex.events), "events_before_cancel": tap.events_before_cancel or None,
              "last_event": event_type(ex.events[-1]) if ex.events else None,
              "terminal": [(event_type(e), (e.get("response") or {}).get("status")) for e in terminal],
              "status_after": (later.json() or {}).get("status") if later.status == 200 else later.status,
              "lag": lag.record()}
    observe("background.cancel.stream_end", ending)
    finished = [t for t in ending["terminal"] if t[0] in FINISHED_EVENTS or t[1] in FINISHED]
    assert not finished, (
        f"after the cancel answered 'cancelled' the stream went on and reported the task finished: {finished}")
    typed = [(event_type(e), getattr(getattr(e, "response", None), "status", None)) for e in ex.sdk_events]
    assert not [t for t in typed if t[0] in FINISHED_EVENTS or t[1] in FINISHED], (
        f"SDK: the stream reported the cancelled task finished: {typed[-3:]}")
    assert len(typed) == len(ex.events), f"SDK decoded {len(typed)} events of the stream's {len(ex.events)}"

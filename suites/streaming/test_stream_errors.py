"""Streaming: failures during a stream (in-stream error event, what the SDK does with it, usage of a failure).

Seed 000 (how-to, v1): "During streaming, the Responses API might return an error event ( 500, 429, and
similar errors) if the service encounters an error, such as token limits or parsing problems. Applications
should detect this event and gracefully stop or restart streaming." and "You aren't charged for tokens
generated during failed streaming responses."

How a failure is provoked: the prompt carries the reference server's failure trigger (RESPCHECK_FAIL). A live
service ignores it and answers normally; then the test ends not-applicable ("could not provoke an in-stream
error on this target"), never pass and never fail.

One provoking stream (`failing`, not stored: the stream itself is judged) serves all three tests: its SSE
bytes, and the SDK's reading of the same bytes (`client.stream_both`) - the typed events it yields and the
`openai.APIError` it raises at the error event.
"""

from __future__ import annotations

from typing import Any

import openai
import pytest

from respcheck.attribution import own
from respcheck.findings import render
from respcheck.validators import check_stream
from respcheck.verdicts import not_applicable

FAIL_PROMPT = "RESPCHECK_FAIL Reply with OK."
TERMINAL = ("response.completed", "response.incomplete", "response.failed")
NOT_PROVOKED = "could not provoke an in-stream error on this target (the stream ended {how})"


@pytest.fixture(scope="module")
def failing(shared):
    """One stream of the failing prompt, tried once (retry='never': the error event is what it provokes).
    Both views of it (`client.stream_both`): the SSE events, and what the SDK's own `openai.Stream` does with
    the same bytes - the typed events it yields (``sdk_events``) and the exception it raises while iterating
    (``sdk_error``, None when it raises none)."""
    return shared("failing", lambda c: c.stream_both(c.body(FAIL_PROMPT, max_output_tokens=16, store=False),
                                                     retry="never"))


def _terminal(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((e for e in events if e.get("type") in TERMINAL), None)


def _provoked_or_na(events: list[dict[str, Any]]) -> None:
    """Not-applicable when the stream neither failed nor carried an error event."""
    kinds = [e.get("type") for e in events]
    if "error" not in kinds and "response.failed" not in kinds:
        term = _terminal(events)
        not_applicable(NOT_PROVOKED.format(how=f"with {term.get('type') if term else kinds[-1] if kinds else 'no events'}"))


def _answered_200_or_na(ex) -> None:
    if ex.status != 200:
        not_applicable(f"could not provoke an in-stream error on this target (the request was answered HTTP {ex.status})")


@pytest.mark.behaviour("streaming.error_event.in_stream")
def test_failure_arrives_as_error_event_in_the_stream(failing, observe):
    """'During streaming, the Responses API might return an error event ( 500, 429, and similar errors) if the
    service encounters an error, such as token limits or parsing problems.'

    The HTTP status stays 200 (the stream has started); the failure is an `error` event with a message and a
    code, followed at most by response.failed (status failed, error set) and nothing else."""
    _answered_200_or_na(failing)
    events = failing.events
    _provoked_or_na(events)
    kinds = [e.get("type") for e in events]
    observe("streaming.error_event.sequence", [k for k in kinds if k in ("error", *TERMINAL)])
    assert "error" in kinds, (
        f"the response failed in the stream (events end {kinds[-3:]}) but no `error` event was sent")
    # the error event's shape and what may follow it are this behaviour's; the rest of the grammar, the
    # sequence numbers and the failed response's shape are judged by their owners (ambient checks)
    findings = own(check_stream(events), "streaming.error_event.in_stream")
    assert not findings, render(findings)
    err = events[kinds.index("error")]
    body = err.get("error") if isinstance(err.get("error"), dict) else err
    observe("streaming.error_event.code", body.get("code"))
    term = _terminal(events)
    if term is not None:
        assert term.get("type") == "response.failed", f"after the error event the stream ended with {term.get('type')!r}"

    exc = failing.sdk_error
    if isinstance(exc, openai.APIError):  # the SDK turns the error event into an exception: surfaced
        observe("streaming.error_event.sdk", f"raises {type(exc).__name__} (openai {openai.__version__})")
        assert str(exc.message or "").strip(), "SDK: the APIError raised for the error event has no message"
        return
    assert exc is None, f"SDK: reading the stream raised {exc!r}, not an openai.APIError"
    sdk_kinds = [e.type for e in failing.sdk_events]
    observe("streaming.error_event.sdk", f"yields typed events {sdk_kinds[-2:]} (openai {openai.__version__})")
    assert "error" in sdk_kinds, f"SDK: the stream neither raised nor yielded an error event (ended {sdk_kinds[-3:]})"


@pytest.mark.behaviour("streaming.error_event.client_stops")
def test_sdk_surfaces_the_error_and_the_stream_ends(failing):
    """'Applications should detect this event and gracefully stop or restart streaming.'

    Through the SDK the in-stream error is visible (an `openai.APIError` raised while iterating, or a typed
    `error` event) and nothing but response.failed follows it, so the application can stop; on the wire
    the connection ends after it."""
    _answered_200_or_na(failing)
    _provoked_or_na(failing.events)
    kinds = [e.get("type") for e in failing.events]
    assert "error" in kinds, f"the stream failed without an error event for the client to detect: {kinds[-3:]}"
    after = [k for k in kinds[kinds.index("error") + 1:]]
    assert after in ([], ["response.failed"]), f"events after the error event: {after} (expected none or response.failed)"

    exc = failing.sdk_error
    if exc is not None:
        assert isinstance(exc, openai.APIError), f"SDK: reading the stream raised {exc!r}, not an openai.APIError"
        assert not isinstance(exc, openai.APIConnectionError), f"SDK: the stream broke instead of reporting the error: {exc!r}"
        assert str(exc.message or "").strip(), "SDK: APIError without a message"
        return
    sdk_kinds = [e.type for e in failing.sdk_events]
    assert "error" in sdk_kinds, f"SDK: no error surfaced for a failing stream (events end {sdk_kinds[-3:]})"
    i = sdk_kinds.index("error")
    err = failing.sdk_events[i]
    assert (getattr(err, "message", None) or "").strip(), f"SDK: the typed error event has no message: {err!r}"
    assert sdk_kinds[i + 1:] in ([], ["response.failed"]), f"SDK: events after the error: {sdk_kinds[i + 1:]}"


@pytest.mark.behaviour("streaming.failed.not_charged")
def test_failed_stream_reports_no_output_tokens(failing, observe):
    """'You aren't charged for tokens generated during failed streaming responses.'

    What is visible on the wire is the usage the service reports for the failed response (the basis of the
    bill): response.failed reports no output tokens - usage is null or its output_tokens is 0 - in the raw
    event and in the SDK's typed one (when the SDK reads that far)."""
    _answered_200_or_na(failing)
    term = _terminal(failing.events)
    if term is None or term.get("type") != "response.failed":
        not_applicable(NOT_PROVOKED.format(how=f"with {term.get('type') if term else 'no terminal event'}"))
    resp = term.get("response") or {}
    usage = resp.get("usage")
    observe("streaming.failed.usage", usage)
    out_tokens = (usage or {}).get("output_tokens") or 0
    assert out_tokens == 0, f"the failed response reports usage.output_tokens={out_tokens} (expected 0 or no usage)"

    if isinstance(failing.sdk_error, openai.APIError):
        return  # the SDK stops at the error event; the wire check above is the evidence
    last = failing.sdk_events[-1] if failing.sdk_events else None
    if last is not None and last.type == "response.failed" and last.response.usage is not None:
        assert not last.response.usage.output_tokens, (
            f"SDK: response.failed reports usage.output_tokens={last.response.usage.output_tokens}")

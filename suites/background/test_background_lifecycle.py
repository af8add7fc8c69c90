"""Background mode: create returns at once, polling reaches a terminal status, reasoning models, latency.

Polling is bounded (a maximum number of polls and a maximum wall time per target mode, see `_bg_helpers`).
"""

from __future__ import annotations

import time

import pytest
from _bg_helpers import (
    NON_TERMINAL,
    TERMINAL,
    bg_body,
    compress,
    event_type,
    lifecycle_findings,
    poll_http,
)

from respcheck.findings import render
from respcheck.validators import check_response
from respcheck.verdicts import inconclusive

PROMPT = "Say hello in one word."


@pytest.mark.behaviour("background.create.queued")
def test_background_create_returns_at_once_with_id_and_queued_status(client, observe):
    """'Set background=true on the request to queue the task. The service returns immediately with a
    response ID and a queued status — use that ID to poll, stream, or cancel the task.'

    Both channels: the create answers at once with an id and a non-terminal status (queued, or in_progress
    if the queue was empty), `background: true` echoed; the status seen is recorded."""
    body = bg_body(client, PROMPT)

    typed = client.create(body)  # SDK channel
    assert isinstance(typed.id, str) and typed.id, f"SDK: background create returned no id ({typed.id!r})"
    assert typed.status in NON_TERMINAL, (
        f"SDK: background create answered status {typed.status!r}; expected it to return at once with "
        f"'queued' (or 'in_progress'), not a terminal status")
    assert typed.background is True, f"SDK: background create echoed background={typed.background!r}"

    raw = client.http_post("responses", body)  # raw channel
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    data = raw.json()
    assert isinstance(data.get("id"), str) and data["id"].startswith("resp"), f"raw: id is {data.get('id')!r}"
    assert data.get("status") in NON_TERMINAL, (
        f"raw: background create answered status {data.get('status')!r}, expected 'queued' (or 'in_progress')")
    assert data.get("background") is True, f"raw: background echoed as {data.get('background')!r}"
    findings = check_response(data)
    assert not findings, render(findings)
    observe("background.create.initial_status", {"sdk": typed.status, "http": data.get("status")})


@pytest.mark.behaviour("background.poll.until_terminal", "background.create.queued")
def test_background_poll_moves_from_queued_to_terminal(client, target, observe):
    """'Continue polling while the status is queued or in_progress. Once the response reaches a terminal
    state, it's available for retrieval.' and 'The service returns immediately with a response ID and a
    queued status'.

    The statuses seen must follow queued -> in_progress -> terminal (never backwards), starting at queued,
    and the terminal response must carry its output (raw GET and SDK retrieve).

    Verdict at the deadline (8 s against the reference server, whose whole schedule is under a second; 5 min
    live, for a one-word answer): still `queued` is a FAIL - the docs say the task is queued to be
    processed, and a trivial task that never started in that time did not move through the documented
    lifecycle; still `in_progress` is INCONCLUSIVE - work is under way and the docs bound no duration
    ("tasks that can take several minutes")."""
    raw = client.http_post("responses", bg_body(client, PROMPT))
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    created = raw.json()
    rid = created["id"]
    assert created.get("status") == "queued", (
        f"background create answered status {created.get('status')!r}; the docs say it returns a queued status")

    polled = poll_http(client, target, rid, created.get("status"))
    observe("background.poll.statuses", {"seen": compress(polled.statuses), "polls": polled.polls})
    if polled.timed_out and polled.last == "queued":
        pytest.fail(f"background response {rid} still 'queued' after {polled.polls} polls over "
                    f"{polled.elapsed_s:.1f}s: it never left the queue (statuses {compress(polled.statuses)})")
    if polled.timed_out and polled.last == "in_progress":
        inconclusive(f"background response still 'in_progress' after {polled.polls} polls over "
                     f"{polled.elapsed_s:.1f}s; the docs give no bound on the run time")
    problems = lifecycle_findings(polled.statuses)
    assert not problems, f"status sequence {compress(polled.statuses)}: " + "; ".join(problems)
    assert polled.last in TERMINAL, f"polling ended on status {polled.last!r}, not a terminal one"
    final = polled.final or {}
    findings = check_response(final)
    assert not findings, render(findings)
    if polled.last == "completed":
        texts = [p.get("text", "") for it in final.get("output") or [] if it.get("type") == "message"
                 for p in it.get("content") or [] if isinstance(p, dict)]
        assert "".join(texts).strip(), "completed background response has no output text on GET"

    typed = client.sdk_call("GET /responses/{id} (sdk)", lambda: client.sdk.responses.retrieve(rid))
    assert typed.status == polled.last, f"SDK retrieve saw status {typed.status!r}, raw GET saw {polled.last!r}"
    if typed.status == "completed":
        assert typed.output_text.strip(), "SDK: completed background response has empty output_text"


@pytest.mark.behaviour("background.poll.until_terminal")
def test_background_sdk_polling_loop_as_documented(client, target, observe):
    """'Continue polling while the status is queued or in_progress. Once the response reaches a terminal
    state, it's available for retrieval.' (the docs' own loop: `while response.status in {"queued",
    "in_progress"}: ... response = client.responses.retrieve(response.id)`), through the SDK.

    Same deadline rule as the raw-channel test: still queued at the deadline fails, still in_progress is
    inconclusive."""
    from _bg_helpers import DEADLINE_S, MAX_POLLS, pause, poll_interval

    response = client.create(bg_body(client, PROMPT))
    statuses = [response.status]
    assert response.status == "queued", f"SDK: background create answered status {response.status!r}, not queued"
    start, polls = time.monotonic(), 0
    timed_out = False
    while response.status in NON_TERMINAL:
        if polls >= MAX_POLLS.get(target.mode, 60) or (
                target.mode != "replay" and time.monotonic() - start > DEADLINE_S.get(target.mode, 300.0)):
            timed_out = True
            break
        pause(target, poll_interval(target, polls))
        rid = response.id
        response = client.sdk_call("GET /responses/{id} (sdk)", lambda rid=rid: client.sdk.responses.retrieve(rid))
        polls += 1
        statuses.append(response.status)
    observe("background.poll.sdk_statuses", {"seen": compress(statuses), "polls": polls})
    if timed_out and response.status == "queued":
        pytest.fail(f"SDK: background response still 'queued' after {polls} polls: it never left the queue")
    if timed_out:
        inconclusive(f"SDK: background response still {response.status!r} after {polls} polls")
    problems = lifecycle_findings(statuses)
    assert not problems, f"SDK status sequence {compress(statuses)}: " + "; ".join(problems)
    assert response.status in TERMINAL, f"SDK polling ended on {response.status!r}"
    if response.status == "completed":
        assert response.output_text.strip(), "SDK: completed background response has empty output_text"


@pytest.mark.behaviour("background.models.reasoning")
def test_background_accepted_with_reasoning_model(client, target, observe):
    """'Background mode lets you run long-running tasks asynchronously with reasoning models such as o3
    and o1-pro.'

    The target's reasoning deployment accepts background=true (HTTP 200, non-terminal status) and the task
    reaches a terminal status that is not `failed`; a completed one has output text."""
    model = target.deployment_for("reasoning")
    body = bg_body(client, "What is 2 + 2? Answer with the number only.", model=model, max_output_tokens=200,
                   reasoning={"effort": "low"})
    raw = client.http_post("responses", body)
    assert raw.status_code == 200, f"background create on reasoning deployment {model!r}: HTTP {raw.status_code}: {raw.text[:200]}"
    created = raw.json()
    assert created.get("status") in NON_TERMINAL, f"background create answered status {created.get('status')!r}"
    polled = poll_http(client, target, created["id"], created.get("status"))
    observe("background.models.reasoning", {"model": model, "statuses": compress(polled.statuses)})
    if polled.timed_out:
        if polled.last == "queued":
            pytest.fail(f"reasoning background response still queued after {polled.polls} polls")
        inconclusive(f"reasoning background response still {polled.last!r} after {polled.polls} polls")
    final = polled.final or {}
    assert polled.last in ("completed", "incomplete"), (
        f"reasoning background response ended {polled.last!r}: {final.get('error') or final.get('incomplete_details')}")
    if polled.last == "incomplete":
        reason = (final.get("incomplete_details") or {}).get("reason")
        assert reason == "max_output_tokens", f"incomplete for reason {reason!r}"
    typed = client.sdk_call("GET /responses/{id} (sdk)", lambda: client.sdk.responses.retrieve(created["id"]))
    assert typed.status == polled.last, f"SDK retrieve saw {typed.status!r}, raw GET saw {polled.last!r}"
    if typed.status == "completed":
        assert typed.output_text.strip(), "completed reasoning background response has no output_text"


def _first_event_latency(client, body):
    """SDK stream: (seconds to the first event, all events). Under recording the body may be read whole
    before the first event is handed over, so the figure is an upper bound there."""
    kwargs = {k: v for k, v in client.tag(body).items()}

    def run():
        t0 = time.monotonic()
        first = None
        events = []
        stream = client.sdk.responses.create(stream=True, **kwargs)
        try:
            for ev in stream:
                if first is None:
                    first = time.monotonic() - t0
                events.append(ev)
        finally:
            stream.close()
        return first, events

    first, events = client.sdk_call("POST /responses stream (sdk, timed)", run)
    for ev in events:
        if event_type(ev) == "response.created":
            client.cleanup.add_response(ev.response.id, background=bool(body.get("background")))
    return first, events


@pytest.mark.behaviour("background.ttft.higher")
def test_background_time_to_first_event_measured(client, target, observe):
    """'Background responses currently have a higher time-to-first-token latency than synchronous
    responses.'

    A measured figure, reported not asserted (the docs give no number): the time to the first stream event
    of a synchronous and of a background stream with the same prompt. What is asserted: both streams open
    with response.created (queued for background, not queued for the synchronous one) and end with one
    terminal event."""
    sync_body = client.body(PROMPT, max_output_tokens=32)
    bg = bg_body(client, PROMPT)
    # warm the SDK's connection first, so neither measured stream pays the connection set-up
    client.sdk_call("GET /models (sdk, warm-up)", lambda: client.sdk.models.list())
    sync_s, sync_events = _first_event_latency(client, sync_body)
    bg_s, bg_events = _first_event_latency(client, bg)
    for name, events in (("synchronous", sync_events), ("background", bg_events)):
        assert events, f"{name} stream had no events"
        assert event_type(events[0]) == "response.created", f"{name} stream opened with {event_type(events[0])!r}"
        terminal = [event_type(e) for e in events if event_type(e) in (
            "response.completed", "response.failed", "response.incomplete", "response.cancelled")]
        assert len(terminal) == 1, f"{name} stream has terminal events {terminal}"
    assert bg_events[0].response.status == "queued", (
        f"background stream's response.created has status {bg_events[0].response.status!r}, expected queued")
    assert sync_events[0].response.status != "queued", "synchronous stream's response.created says queued"
    if target.mode == "replay":
        observe("background.ttft.higher", {"measured": False, "why": "replay has no latency"})
    else:
        observe("background.ttft.higher", {
            "measured": True, "sync_first_event_s": round(sync_s or 0.0, 4),
            "background_first_event_s": round(bg_s or 0.0, 4),
            "background_higher": bool(bg_s is not None and sync_s is not None and bg_s > sync_s)})

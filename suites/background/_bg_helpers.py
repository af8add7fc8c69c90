"""Shared helpers for the background suite: bounded polling, both views of SDK calls, small request bodies.

Polling is bounded twice: a maximum number of polls and a maximum wall time, both chosen per target mode.
In replay the recorded polls answer in recorded order without waiting (no sleep), and the loop stops on the
same condition it stopped on while recording (a terminal status), so replay sends exactly the recorded
requests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import openai

from respcheck.client import (
    TRANSIENT_CODES,
    Exchange,
    Retry,
    StreamExchange,
    TransientStreamError,
    stream_error_code,
)
from respcheck.validators.sse import parse_sse

NON_TERMINAL = ("queued", "in_progress")
TERMINAL = ("completed", "failed", "cancelled", "incomplete")

# How long (wall time) and how many polls before a poll loop gives up, per target mode. The reference
# server keeps a background response queued for 0.15 s and finishes a short answer in well under a second,
# so 8 s is over ten times its whole schedule; live, a one-sentence task capped at a few dozen tokens is
# given 5 minutes, more than the "several minutes" the docs quote for *complex* tasks.
DEADLINE_S = {"reference": 8.0, "live": 300.0, "replay": 3600.0}
MAX_POLLS = {"reference": 160, "live": 60, "replay": 1000}


def pause(target: Any, seconds: float) -> None:
    """Sleep only against a real server; replay answers from the cassette at once."""
    if target.mode != "replay" and seconds > 0:
        time.sleep(seconds)


def poll_interval(target: Any, n: int) -> float:
    """Delay before poll number `n` (0-based): against the reference server 0.2 s (its queue holds a task
    0.15 s and a short answer ends well under a second: two polls see in_progress, then the end), live a
    backoff from 1 s (a one-word task is often done by the first poll; every poll is a paid request)."""
    if target.mode == "reference":
        return 0.2
    return min(1.0 * (1.5**n), 10.0)


@dataclass
class PollResult:
    statuses: list[str] = field(default_factory=list)
    """Status at creation, then the status every poll saw (in order)."""
    final: dict[str, Any] | None = None
    """The last response object seen (raw JSON)."""
    typed: list[Any] = field(default_factory=list)
    """The SDK's typed `Response` of every poll (read from the same bytes as the raw one)."""
    polls: int = 0
    elapsed_s: float = 0.0
    timed_out: bool = False
    error: Exchange | None = None
    """The poll that answered an error status, if one did (polling stopped there)."""

    @property
    def last(self) -> str | None:
        return self.statuses[-1] if self.statuses else None


def poll_both(client: Any, response_id: str, first_status: str | None = None, *,
              until: tuple[str, ...] = TERMINAL, interval: float | None = None) -> PollResult:
    """GET /responses/{id} until the status is in `until`, within the mode's bounds; every poll is one
    request seen through both channels (`views`). Stops at the first status in `until`; a poll answering an
    error status ends the loop (``.error``), it is not asserted here (shared exchanges must not assert).

    `interval`: a fixed delay between polls against a real server (default: `poll_interval`'s backoff)."""
    target = client.target
    out = PollResult()
    if first_status is not None:
        out.statuses.append(first_status)
        if first_status in until:
            return out
    start = time.monotonic()
    deadline = DEADLINE_S.get(target.mode, 300.0)
    max_polls = MAX_POLLS.get(target.mode, 60)
    while out.polls < max_polls:
        pause(target, poll_interval(target, out.polls) if interval is None else interval)
        ex = views(client, "GET /responses/{id} (poll)",
                   lambda: client.sdk.responses.with_raw_response.retrieve(response_id))
        out.polls += 1
        if ex.status != 200 or ex.sdk is None:
            out.error = ex
            break
        out.final = ex.json()
        out.typed.append(ex.sdk)
        status = out.final.get("status")
        out.statuses.append(status)
        if status in until:
            break
        if status not in NON_TERMINAL:
            break  # an unknown status: the caller's assertions report it
        if target.mode != "replay" and time.monotonic() - start > deadline:
            out.timed_out = True
            break
    else:
        out.timed_out = True
    out.elapsed_s = time.monotonic() - start
    if out.last in TERMINAL and out.final:
        charge(client, out.final.get("usage"))  # a background response's tokens show once it has ended
    return out


def views(client: Any, what: str, call: Callable[[], Any], *, retry: Retry = True) -> Exchange:
    """One SDK call made `with_raw_response` (``call()``), seen through both channels like
    `client.create_both`: the raw answer and the SDK's typed object read from the same bytes. An error
    status is returned (``.error``, the SDK's `APIStatusError`), not raised."""

    def run() -> Exchange:
        try:
            raw = call()
        except openai.APIStatusError as exc:
            return Exchange(exc.response, None, exc)
        return Exchange(raw.http_response, raw.parse(), None)

    ex = client.sdk_call(what, run, retry=retry)
    client.evidence.channels.update(("sdk", "http"))
    return ex


def stream_views(client: Any, what: str, call: Callable[[], Any], *, register: dict[str, Any] | None = None,
                 retry: Retry = True) -> tuple[StreamExchange, float | None]:
    """One streamed SDK call made `with_raw_response` (``call()``), seen through both channels like
    `client.stream_both` (SSE text and events as dicts, the SDK's typed events decoded from the same bytes),
    plus the seconds from sending to the first body chunk, which `stream_both` does not measure.

    `register`: the create body; the response its `response.created` announces is registered for cleanup
    (unless store=false), as `stream_both` does."""
    first: list[float] = []

    def run() -> StreamExchange:
        first.clear()
        started = time.monotonic()
        try:
            raw = call()
        except openai.APIStatusError as exc:
            r = exc.response
            return StreamExchange(r.status_code, r.headers, r.text, [], [], exc)
        r = raw.http_response
        chunks = []
        for chunk in r.iter_bytes():
            if chunk and not first:
                first.append(time.monotonic() - started)
            chunks.append(chunk)
        r._content = b"".join(chunks)  # what r.read() keeps: the SDK decodes these same bytes below
        events = parse_sse(r.text).events
        if register is not None and register.get("store", True) is not False:
            for ev in events:
                if ev.get("type") == "response.created" and isinstance(ev.get("response"), dict):
                    client.cleanup.add_response(ev["response"].get("id"), background=bool(register.get("background")))
        typed: list[Any] = []
        try:
            typed.extend(raw.parse())
        except openai.APIError:
            pass  # the SDK raises an `error` event; the typed events before it are kept
        result = StreamExchange(r.status_code, r.headers, r.text, events, typed)
        code = stream_error_code(events)
        if retry != "never" and code in TRANSIENT_CODES:
            raise TransientStreamError(f"in-stream error event {code!r}", result)
        return result

    ex = client.sdk_call(what, run, retry=retry)
    client.evidence.channels.update(("sdk", "http"))
    for ev in ex.events:
        if isinstance(ev.get("response"), dict):
            charge(client, ev["response"].get("usage"))
    return ex, (first[0] if first else None)


def timed_stream(client: Any, body: dict[str, Any]) -> tuple[StreamExchange, float | None]:
    """``POST /responses`` with stream=true through `stream_views`: both views and the time to the first chunk."""
    tagged = client.tag({**body, "stream": True})
    return stream_views(client, "POST /responses stream (both, timed)",
                        lambda: client.sdk.responses.with_raw_response.create(**tagged), register=tagged)


def charge(client: Any, usage: Any) -> None:
    """Count a response's usage against the run's budget and this exchange's evidence (the harness does this
    for its own helpers; `views` and `stream_views` go through `client.sdk_call`, which does not)."""
    inp, out = client.budget.charge_usage(usage)
    client.evidence.input_tokens += inp
    client.evidence.output_tokens += out


def compress(statuses: list[str]) -> list[str]:
    """['queued', 'queued', 'in_progress', 'completed'] -> ['queued', 'in_progress', 'completed']."""
    out: list[str] = []
    for s in statuses:
        if not out or out[-1] != s:
            out.append(s)
    return out


def lifecycle_findings(statuses: list[str]) -> list[str]:
    """The documented order queued -> in_progress -> terminal, never backwards, one terminal at the end."""
    rank = {"queued": 0, "in_progress": 1}
    problems: list[str] = []
    seen = compress(statuses)
    for a, b in zip(seen, seen[1:], strict=False):
        if a in TERMINAL:
            problems.append(f"status changed after the terminal status {a!r} (to {b!r})")
        elif b in rank and rank[b] < rank[a]:
            problems.append(f"status went backwards from {a!r} to {b!r}")
    unknown = [s for s in seen if s not in NON_TERMINAL + TERMINAL]
    if unknown:
        problems.append(f"undocumented status value(s) {unknown}")
    return problems


def bg_body(client: Any, text: str, **fields: Any) -> dict[str, Any]:
    """A background create body for the target's deployment, output capped."""
    fields.setdefault("max_output_tokens", 32)
    return client.body(text, background=True, **fields)


def sse_sequence(events: list[Any]) -> list[int | None]:
    """sequence_number of each event (dicts from the raw channel or typed SDK events)."""
    out: list[int | None] = []
    for ev in events:
        seq = ev.get("sequence_number") if isinstance(ev, dict) else getattr(ev, "sequence_number", None)
        out.append(seq if isinstance(seq, int) and not isinstance(seq, bool) else None)
    return out


def event_type(ev: Any) -> str:
    return str(ev.get("type") if isinstance(ev, dict) else getattr(ev, "type", ""))

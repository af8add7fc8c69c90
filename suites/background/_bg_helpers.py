"""Shared helpers for the background suite: bounded polling, the streamed GET, small request bodies.

Every request is one exchange seen through both channels, made by the client (`client.create_both`,
`client.stream_both`, `client.call_both`, `client.call_stream_both`): the client charges what a model run bills (a background
response's tokens show on the poll that sees it ended: polls are `billed`), registers stored responses for
cleanup and learns from every answer (a response seen in a terminal status is deleted without a cancel).

Polling is bounded twice: a maximum number of polls and a maximum wall time, both chosen per target mode.
In replay the recorded polls answer in recorded order without waiting (no sleep), and the loop stops on the
same condition it stopped on while recording (a terminal status), so replay sends exactly the recorded
requests.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from respcheck.client import (
    Exchange,
    Retry,
    StreamExchange,
)
from respcheck.lag import Lag, after_write

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
    lag: Lag = field(default_factory=Lag)
    """Read-after-write lag the first poll met (`respcheck.lag`): resent while the new id answered 'not
    found' (live only); ``.unresolved`` when it never cleared (the caller ends inconclusive)."""

    @property
    def last(self) -> str | None:
        return self.statuses[-1] if self.statuses else None


def poll_both(client: Any, response_id: str, first_status: str | None = None, *,
              until: tuple[str, ...] = TERMINAL, interval: float | None = None,
              first_at_once: bool = False) -> PollResult:
    """GET /responses/{id} until the status is in `until`, within the mode's bounds; every poll is one
    request seen through both channels (`client.call_both`, billed: the usage a background response reports
    once it has ended is its create's bill, charged on the one poll that sees the end). Stops at the first
    status in `until`; a poll answering an error status ends the loop (``.error``), it is not asserted here
    (shared exchanges must not assert).

    `interval`: a fixed delay between polls against a real server (default: `poll_interval`'s backoff).
    `first_at_once`: the first poll is sent without a delay, right after the create answered, so that it
    lands inside the queued window (a server whose polls never show `queued`/`in_progress` cannot pass by
    being polled late)."""
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
        if not (first_at_once and out.polls == 0):
            pause(target, poll_interval(target, out.polls) if interval is None else interval)
        def send() -> Exchange:
            return client.call_both("GET /responses/{id} (poll)",
                                    lambda sdk: sdk.responses.with_raw_response.retrieve(response_id), billed=True)

        if out.polls == 0:  # the first GET names a response created a moment ago: live, it may not be visible yet
            ex, out.lag = after_write(send, mode=target.mode)
        else:
            ex = send()
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
    return out


def retrieve_stream(client: Any, what: str, response_id: str, *, retry: Retry = True,
                    **params: Any) -> StreamExchange:
    """GET /responses/{id}?stream=true (a resumed or a refused stream) once, seen through both channels like
    `client.stream_both` (`client.call_stream_both`: a transient in-stream `error` event is retried like a 5xx;
    the usage a resumed stream repeats is not charged again)."""
    return client.call_stream_both(
        what, lambda sdk: sdk.responses.with_raw_response.retrieve(response_id, stream=True, **params), retry=retry)


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

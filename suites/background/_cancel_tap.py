"""Cancel a background task while its stream is open, and bound how long the stream may go on afterwards.

Why a tap under the SDK's HTTP client: the test must send POST /responses/{id}/cancel *while* the stream of
that response is still being read, but every client call returns only once its answer was read whole (and
vcrpy, when recording, reads a stream to its end before handing it on). So the tap sits where the bytes
arrive, in the connection pool (above the client's guard, `respcheck.guard`, whose deadlines still apply):
it reads the events as they come, and at the first output delta it sends the cancel, synchronously, from
inside the read (a second connection of the same pool; vcrpy records it as its own interaction). From the
moment the cancel has answered, the stream has `end_s` seconds to end; a stream still open then - sending
keep-alives, more events or nothing at all (the idle deadline) - raises a `ServiceFinding`
(``stream_not_ended_after_cancel``), so a hang is a failure within a bound, never a stuck run.

In replay no pool is reached (the recorded stream is played back whole), so the tap never fires and the
caller sends the cancel after the stream (`StreamCancel.cancel_if_not_sent`); vcrpy matches it to the
recorded cancel whatever the order.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from respcheck.findings import Finding
from respcheck.guard import ServiceFinding, find_in_chain

TRIGGER = "response.output_text.delta"
"""The event at which the cancel is sent: the task is running and has produced output."""


class StreamCancel:
    """What the tap saw and did for one stream: the response id, when the cancel was sent and answered."""

    def __init__(self, cancel: Callable[[str], Any], end_s: float) -> None:
        self._cancel, self.end_s = cancel, end_s
        self.response_id: str | None = None
        self.answer: Any = None
        """The cancel's `Exchange` (None until it was sent)."""
        self.sent_during_stream = False
        self.events_before_cancel = 0
        """Events the stream had delivered when the cancel was sent."""
        self.answered_at: float | None = None
        self._buffer = b""
        self._events = 0

    # -- reading the stream as it arrives --------------------------------------------------------------
    def feed(self, chunk: bytes) -> None:
        """Parse whole SSE blocks out of the bytes so far; send the cancel at the first TRIGGER event."""
        self._buffer += chunk.replace(b"\r\n", b"\n")
        while b"\n\n" in self._buffer:
            block, self._buffer = self._buffer.split(b"\n\n", 1)
            data = b"\n".join(ln[5:].lstrip(b" ") for ln in block.split(b"\n") if ln.startswith(b"data:"))
            try:
                event = json.loads(data) if data else None
            except ValueError:
                continue  # not an event (the [DONE] sentinel, a broken block): framing is judged elsewhere
            if not isinstance(event, dict):
                continue
            self._events += 1
            snapshot = event.get("response")
            if self.response_id is None and isinstance(snapshot, dict) and isinstance(snapshot.get("id"), str):
                self.response_id = snapshot["id"]
            if event.get("type") == TRIGGER and self.answer is None and self.response_id:
                self.sent_during_stream = True
                self.events_before_cancel = self._events
                self._send()

    def _send(self) -> None:
        assert self.response_id is not None
        self.answer = self._cancel(self.response_id)
        self.answered_at = time.monotonic()

    def overdue(self) -> ServiceFinding | None:
        """The finding for a stream still open `end_s` after the cancel answered (None: not yet)."""
        if self.answered_at is None:
            return None
        late = time.monotonic() - self.answered_at
        if late <= self.end_s:
            return None
        return ServiceFinding(Finding(
            "stream_not_ended_after_cancel",
            f"the stream of background response {self.response_id} was still open {late:.1f} s after "
            f"POST /responses/{{id}}/cancel answered (bound {self.end_s:g} s)", extra={"late_s": round(late, 2)}))

    def cancel_if_not_sent(self, response_id: str | None) -> None:
        """Replay (no pool reached), or a stream that ended before any output: cancel now, after the stream."""
        if self.answer is None and response_id:
            self.response_id = response_id
            self._send()


class _TappedStream:
    def __init__(self, inner: Any, tap: StreamCancel, read_timeout: tuple[type[BaseException], ...]) -> None:
        self._inner, self._tap, self._read_timeout = inner, tap, read_timeout

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self._inner:
                yield chunk
                self._tap.feed(chunk)
                late = self._tap.overdue()
                if late is not None:
                    raise late
        except self._read_timeout as exc:  # silence after the cancel: the idle deadline ended the read
            if self._tap.answered_at is None:
                raise
            raise self._tap.overdue() or ServiceFinding(Finding(
                "stream_not_ended_after_cancel",
                f"the stream of background response {self._tap.response_id} fell silent after the cancel "
                f"but did not end (the idle deadline passed)")) from exc

    def close(self) -> None:
        if hasattr(self._inner, "close"):
            self._inner.close()


class _TapPool:
    """Wraps a connection pool: the first event-stream answer it returns is read through the tap."""

    def __init__(self, inner: Any, tap: StreamCancel) -> None:
        self._inner, self._tap, self._tapped = inner, tap, False

    def handle_request(self, request: Any) -> Any:
        response = self._inner.handle_request(request)
        ctype = next((v for k, v in response.headers if k.lower() == b"content-type"), b"")
        if not self._tapped and ctype.startswith(b"text/event-stream"):
            self._tapped = True
            response.stream = _TappedStream(response.stream, self._tap, _read_timeouts(self._inner))
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _read_timeouts(pool: Any) -> tuple[type[BaseException], ...]:
    """The ReadTimeout classes a pool (or the guard around it) may raise while a body is read."""
    import importlib

    inner = getattr(pool, "_inner", pool)
    found = []
    for obj in (pool, inner):
        module = importlib.import_module(type(obj).__module__.split(".")[0])
        cls = getattr(module, "ReadTimeout", None)
        if isinstance(cls, type) and cls not in found:
            found.append(cls)
    return tuple(found) or (TimeoutError,)


@contextmanager
def cancel_while_streaming(client: Any, end_s: float) -> Iterator[StreamCancel]:
    """Within the block, the next stream the SDK channel of `client` reads sends the cancel at its first
    output delta and must end within `end_s` of the cancel's answer (see the module docstring)."""

    def cancel(rid: str) -> Any:
        return client.call_both("POST /responses/{id}/cancel (stream open)",
                                lambda sdk: sdk.responses.with_raw_response.cancel(rid), retry=False)

    tap = StreamCancel(cancel, end_s)
    http = getattr(client.sdk, "_client", None)
    transports = [getattr(http, "_transport", None), *getattr(http, "_mounts", {}).values()]
    swapped = [(t, t._pool) for t in transports if t is not None and hasattr(t, "_pool")]
    for transport, pool in swapped:
        transport._pool = _TapPool(pool, tap)
    try:
        yield tap
    finally:
        for transport, pool in swapped:
            transport._pool = pool


def finding_of(exc: BaseException) -> ServiceFinding | None:
    """The tap's finding in an exception chain (the SDK wraps what its transport raised)."""
    found = find_in_chain(exc, ServiceFinding)
    return found if isinstance(found, ServiceFinding) else None

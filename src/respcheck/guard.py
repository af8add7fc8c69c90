"""Deadlines and a size cap under both HTTP channels, so no answer can hang a run or exhaust its memory.

Why below the clients (in the connection pool) and not around the calls: httpx's timeouts bound each read,
not the whole answer, so a stream that sends a keep-alive comment every few seconds never times out, and a
100 MB body is read whole before anyone looks at it. The guard wraps the httpcore pool of the raw channel
(httpx) and of the SDK's (httpx2), under vcrpy's recording stub (which patches the transport above it), so
recording is guarded too; a replay never reaches a pool.

What it enforces, per answer (an SSE answer is a *stream*, any other a *request*):

* a total deadline from the request's start (`Deadlines.request_s`, `Deadlines.stream_s`), checked on every
  chunk (keep-alive comments are chunks too, so they do not extend it), and no body read may wait past it;
* for a stream, an idle deadline (`Deadlines.idle_s`): the longest silence between two chunks (it ends as
  the HTTP library's read timeout, a transient error the client retries);
* a size cap (`Deadlines.max_body_bytes`): reading stops at the cap instead of buffering the rest.

A deadline or the cap raises a `ServiceFinding` (``stream_deadline``, ``request_deadline``,
``response_too_large``): the service's answer is judged a failure, with a message that says which limit and
the option that moves it. A total deadline is met within one idle interval at worst (the read that is
waiting when it passes is bounded by the idle deadline, not cut).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from respcheck.findings import Finding

MIB = 1024 * 1024


@dataclass(frozen=True)
class Deadlines:
    """The limits of one answer; `for_mode` gives the defaults, the run's options override them."""

    request_s: float
    """Total time for a non-streamed answer, first byte of the request to last byte of the body."""
    stream_s: float
    """Total time for a streamed (SSE) answer."""
    idle_s: float
    """Longest silence inside a stream."""
    connect_s: float = 10.0
    max_body_bytes: int = 32 * MIB

    def timeout_args(self) -> dict[str, float]:
        """Keyword arguments for ``httpx.Timeout`` / ``httpx2.Timeout``: no single read waits past the total."""
        return {"timeout": self.request_s, "connect": min(self.connect_s, self.request_s)}


LIVE = Deadlines(request_s=120.0, stream_s=120.0, idle_s=60.0)
"""A real deployment: a non-streamed answer of a reasoning model may think for a minute before its first byte."""
LOCAL = Deadlines(request_s=30.0, stream_s=20.0, idle_s=10.0)
"""The reference server (and replay): its answers take milliseconds, so a hang shows within seconds."""

_override: dict[str, float | int] = {}


def configure(**values: float | int | None) -> None:
    """Set the run's options (``request_s=``, ``stream_s=``, ``idle_s=``, ``max_body_bytes=``) for every client
    this process makes afterwards; None leaves the mode's default. Called once by the pytest plugin."""
    _override.clear()
    _override.update({k: v for k, v in values.items() if v is not None})


def for_mode(mode: str) -> Deadlines:
    """The deadlines a client of this target mode gets: the mode's defaults with the run's options applied."""
    base = LIVE if mode == "live" else LOCAL
    return Deadlines(**{**base.__dict__, **_override})  # type: ignore[arg-type]


class ServiceFinding(Exception):
    """The service's answer is itself the failure (it cannot be judged further); carries the `Finding`.

    The plugin turns it into a fail with the finding's message instead of a traceback."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding


class GuardTripped(ServiceFinding):
    """A deadline passed or the size cap was reached while reading an answer."""


def find_in_chain(exc: BaseException | None, kinds: type[BaseException] | tuple[type[BaseException], ...]) -> Any:
    """The first exception of ``kinds`` in ``exc``'s cause/context chain (the openai SDK wraps what its
    transport raised in an `openai.APIConnectionError`), or None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, kinds):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


class _GuardedStream:
    """An httpcore response body that stops at the total deadline or the size cap."""

    def __init__(self, inner: Any, *, started: float, total: float, cap: int, what: str, sse: bool,
                 read_timeout: type[BaseException]) -> None:
        self._inner, self._started, self._total, self._cap = inner, started, total, cap
        self._what, self._sse, self._read_timeout = what, sse, read_timeout

    def _deadline(self, read: int) -> GuardTripped:
        elapsed = time.monotonic() - self._started
        if self._sse:
            check, option, kind = "stream_deadline", "--stream-deadline", "the stream"
        else:
            check, option, kind = "request_deadline", "--request-deadline", "the answer"
        return GuardTripped(Finding(check, f"{self._what}: {kind} had not ended after {elapsed:.1f} s "
                                    f"(deadline {self._total:g} s, {option}; {read} bytes read)",
                                    extra={"elapsed_s": round(elapsed, 3), "bytes": read}))

    def __iter__(self) -> Iterator[bytes]:
        read = 0
        try:
            for chunk in self._inner:
                read += len(chunk)
                if read > self._cap:
                    raise GuardTripped(Finding(
                        "response_too_large",
                        f"{self._what}: the answer exceeded the {self._cap / MIB:g} MiB cap (--max-response-mb); "
                        "reading stopped there", extra={"cap_bytes": self._cap}))
                if time.monotonic() - self._started > self._total:
                    raise self._deadline(read)
                yield chunk
        except self._read_timeout as exc:
            if time.monotonic() - self._started >= self._total - 0.05:
                raise self._deadline(read) from exc
            raise  # the idle deadline: the HTTP library's read timeout, retried as transient

    def close(self) -> None:
        if hasattr(self._inner, "close"):
            self._inner.close()


class GuardedPool:
    """Wraps an httpcore(2) connection pool: every answer it returns is read under `Deadlines`."""

    def __init__(self, inner: Any, deadlines: Deadlines, read_timeout: type[BaseException]) -> None:
        self._inner, self.deadlines, self._read_timeout = inner, deadlines, read_timeout

    def handle_request(self, request: Any) -> Any:
        started = time.monotonic()
        response = self._inner.handle_request(request)
        d = self.deadlines
        sse = _header(response.headers, b"content-type").startswith("text/event-stream")
        total = d.stream_s if sse else d.request_s
        # httpcore reads the body's read timeout when the body is first iterated: cap it by what is left of
        # the total and, for a stream, by the idle deadline
        timeouts = dict(request.extensions.get("timeout") or {})
        left = max(total - (time.monotonic() - started), 0.01)
        bounds = [t for t in (timeouts.get("read"), left, d.idle_s if sse else None) if t is not None]
        timeouts["read"] = min(bounds)
        request.extensions["timeout"] = timeouts
        target = request.url.target.decode("latin-1", "replace").split("?")[0]
        what = f"{request.method.decode()} {target}"
        response.stream = _GuardedStream(response.stream, started=started, total=total, cap=d.max_body_bytes,
                                         what=what, sse=sse, read_timeout=self._read_timeout)
        return response

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> GuardedPool:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._inner.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def guard_client(client: Any, deadlines: Deadlines) -> int:
    """Put every transport of an ``httpx.Client`` or ``httpx2.Client`` (the default one and proxy mounts) under
    `GuardedPool`; returns how many it guarded (0 means this httpx has another layout: nothing is guarded)."""
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    guarded = 0
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if pool is None or isinstance(pool, GuardedPool) or not hasattr(pool, "handle_request"):
            continue
        transport._pool = GuardedPool(pool, deadlines, _read_timeout_of(pool))  # type: ignore[union-attr]
        guarded += 1
    return guarded


def _read_timeout_of(pool: Any) -> type[BaseException]:
    """The ReadTimeout class of the httpcore flavour behind ``pool`` (httpcore for httpx, httpcore2 for httpx2)."""
    import importlib

    module = importlib.import_module(type(pool).__module__.split(".")[0])
    return getattr(module, "ReadTimeout", TimeoutError)  # type: ignore[no-any-return]

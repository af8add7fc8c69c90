"""Background mode: queued -> in_progress -> terminal, driven by the clock rather than a worker thread.

A background record carries its whole event list from the start; what a poll or a stream sees is the prefix
that has "happened" by now: the `queued` events at once, `in_progress` after `queued_s`, then one event per
`step_s`. No threads means nothing to leak between tests, and the timing is deterministic enough to
observe every status while finishing in well under a second. Cancel freezes the prefix.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from respcheck.server.config import ServerConfig
from respcheck.server.store import Record
from respcheck.server.streaming import TERMINAL_TYPES, snapshot


def _queued_prefix(events: list[dict[str, Any]]) -> int:
    """How many events are visible at creation: created (+ queued)."""
    n = 0
    for e in events:
        if e.get("type") in ("response.created", "response.queued"):
            n += 1
        else:
            break
    return max(n, 1)


def visible_count(rec: Record, cfg: ServerConfig, now: float | None = None, *, ignore_cancel: bool = False) -> int:
    """How many of the record's events have happened by `now` (frozen at the cancel unless `ignore_cancel`)."""
    if rec.frozen_count is not None and not ignore_cancel:
        return rec.frozen_count
    head = _queued_prefix(rec.events)
    if cfg.has("background.done_before_first_poll") and getattr(rec, "create_answered", False):
        return len(rec.events)  # the fault: the task is over by the time anyone can ask (create said queued)
    if cfg.has("background.stuck_in_queued"):
        return head
    elapsed = (time.monotonic() if now is None else now) - rec.created_mono
    queued_s = 0.0 if cfg.has("background.skips_queued") else cfg.background_queued_s
    if elapsed < queued_s:
        return head
    steps = 1 + int((elapsed - queued_s) / max(cfg.background_step_s, 1e-6))
    return min(len(rec.events), head + steps)


def is_done(rec: Record, cfg: ServerConfig) -> bool:
    n = visible_count(rec, cfg)
    return rec.frozen_count is not None or any(e.get("type") in TERMINAL_TYPES for e in rec.events[:n])


def current(rec: Record, cfg: ServerConfig) -> dict[str, Any]:
    """The response object as a poll sees it now (the first call answers the create itself)."""
    try:
        return _current(rec, cfg)
    finally:
        rec.create_answered = True  # type: ignore[attr-defined]  # later calls are polls (a fault needs to know)


def _current(rec: Record, cfg: ServerConfig) -> dict[str, Any]:
    if rec.final_after_cancel is not None and rec.frozen_count is not None:
        return copy.deepcopy(rec.final_after_cancel)
    n = visible_count(rec, cfg)
    seen = rec.events[:n]
    if any(e.get("type") in TERMINAL_TYPES for e in seen):
        return copy.deepcopy(rec.response)
    status = "in_progress" if any(e.get("type") == "response.in_progress" for e in seen) else "queued"
    return snapshot(rec.response, status)


def cancel(rec: Record, cfg: ServerConfig) -> dict[str, Any]:
    """Cancel: freeze the schedule and mark the response cancelled; idempotent on a finished response."""
    rec.cancel_count += 1
    if is_done(rec, cfg) and rec.final_after_cancel is None:
        return copy.deepcopy(rec.response)
    if rec.final_after_cancel is None:
        n = visible_count(rec, cfg)
        final = snapshot(rec.response, "cancelled")
        rec.final_after_cancel = final
        if cfg.has("background.cancel_ignored"):
            return copy.deepcopy(final)
        rec.frozen_count = n
        rec.response = final
    return copy.deepcopy(rec.final_after_cancel)


def stream_cut_by_cancel(rec: Record, cfg: ServerConfig) -> bool:
    """A stream attached to this response ends now because it was cancelled (faults may keep it going)."""
    faulty = cfg.has("background.stream_outlives_cancel") or cfg.has("background.stream_completes_after_cancel")
    return rec.frozen_count is not None and not faulty


def stream_kept_alive(rec: Record, cfg: ServerConfig) -> bool:
    """The `background.stream_outlives_cancel` fault: after the cancel the stream stays open, idling."""
    return rec.frozen_count is not None and cfg.has("background.stream_outlives_cancel")


def stream_visible(rec: Record, cfg: ServerConfig) -> int:
    """How many events an attached stream may send now: the schedule's prefix (frozen by a cancel, unless the
    `background.stream_completes_after_cancel` fault streams on as if nothing had been cancelled)."""
    ignore = cfg.has("background.stream_completes_after_cancel")
    return visible_count(rec, cfg, ignore_cancel=ignore)

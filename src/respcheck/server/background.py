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


def visible_count(rec: Record, cfg: ServerConfig, now: float | None = None) -> int:
    if rec.frozen_count is not None:
        return rec.frozen_count
    head = _queued_prefix(rec.events)
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
    """The response object as a poll sees it now."""
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

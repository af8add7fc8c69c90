"""In-memory storage of responses: what `store=true` keeps for 30 days, and background schedules.

A `Record` holds the final response, the input items of its request, the conversation context the model saw
(so `previous_response_id` can carry it) and the event list (so a background stream can be resumed).
One lock guards the maps; records themselves are only mutated under it.

The store is bounded (`MAX_RECORDS` responses, `MAX_ITEMS` items, oldest evicted first), so a server that
runs for days, or a selftest that starts it for every fault, does not grow without end (a stored response
holds ~26 KB). Eviction spares a background response still running while anything else can go: a test
polling it must not see it vanish. An evicted response answers 404 like one past its retention.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

MAX_RECORDS = 2000
"""Responses kept (stored or not; about 52 MB at ~26 KB each): far more than one suite run makes (~300)."""
MAX_ITEMS = 40_000
"""Input/output items kept for lookup by id (items of a stored response; deleting one leaves its items)."""
RETENTION_S = 30 * 24 * 3600
"""Stored responses are retained for 30 days (Azure docs); older records are treated as absent."""


@dataclass
class Record:
    id: str
    response: dict[str, Any]
    input_items: list[dict[str, Any]]
    context: list[dict[str, Any]]
    events: list[dict[str, Any]]
    stored: bool
    raw_output: list[dict[str, Any]] | None = None
    """Output items with internal state (decrypted facts) that the wire copy leaves out."""
    deployment: str | None = None
    streamed: bool = False
    """Created with stream=true: only then may a background response be resumed by GET ?stream=true."""
    created_wall: float = field(default_factory=time.time)
    created_mono: float = field(default_factory=time.monotonic)
    # background schedule
    background: bool = False
    cancelled: bool = False
    frozen_count: int | None = None
    """Number of events visible when the schedule was frozen (cancel)."""
    cancel_count: int = 0
    final_after_cancel: dict[str, Any] | None = None


class ResponseStore:
    def __init__(self, *, max_records: int = MAX_RECORDS, max_items: int = MAX_ITEMS) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, Record] = {}
        self._items: dict[str, dict[str, Any]] = {}
        self.max_records, self.max_items = max_records, max_items
        self.evicted = 0
        """Responses evicted for room so far (``/respcheck/info`` may show it)."""

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def put(self, record: Record) -> None:
        with self._lock:
            self._records[record.id] = record
            if record.stored:
                for item in (*record.input_items, *(record.raw_output or record.response.get("output", []))):
                    if isinstance(item, dict) and item.get("id"):
                        self._items.pop(item["id"], None)  # re-inserted: the newest, evicted last
                        self._items[item["id"]] = item
            self._evict()

    def _evict(self) -> None:
        """Drop the oldest records and items beyond the bounds (under the lock); insertion order is age."""
        while len(self._records) > self.max_records:
            victim = next((rid for rid, rec in self._records.items() if not _running(rec)), None)
            self._records.pop(victim if victim is not None else next(iter(self._records)))
            self.evicted += 1
        while len(self._items) > self.max_items:
            self._items.pop(next(iter(self._items)))

    def get(self, response_id: str, *, include_unstored: bool = False) -> Record | None:
        with self._lock:
            rec = self._records.get(response_id)
        if rec is None:
            return None
        if not rec.stored and not include_unstored:
            return None
        if time.time() - rec.created_wall > RETENTION_S:
            return None
        return rec

    def delete(self, response_id: str) -> bool:
        with self._lock:
            rec = self._records.pop(response_id, None)
            return rec is not None and rec.stored

    def stored_records(self) -> list[Record]:
        """Every stored record not yet deleted: what a run left behind (``/respcheck/info`` counts them)."""
        with self._lock:
            return [r for r in self._records.values() if r.stored]

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def item(self, item_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get(item_id)


BACKGROUND_SPARE_S = 600.0
"""A background response younger than this and not cancelled may still be running (its schedule is the
server config's, which the store does not see): spared by eviction while anything else can go."""


def _running(rec: Record) -> bool:
    return rec.background and rec.frozen_count is None and time.monotonic() - rec.created_mono < BACKGROUND_SPARE_S

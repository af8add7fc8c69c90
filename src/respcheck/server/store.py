"""In-memory storage of responses: what `store=true` keeps for 30 days, and background schedules.

A `Record` holds the final response, the input items of its request, the conversation context the model saw
(so `previous_response_id` can carry it) and the event list (so a background stream can be resumed).
One lock guards the maps; records themselves are only mutated under it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

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
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, Record] = {}
        self._items: dict[str, dict[str, Any]] = {}

    @property
    def lock(self) -> threading.RLock:
        return self._lock

    def put(self, record: Record) -> None:
        with self._lock:
            self._records[record.id] = record
            if record.stored:
                for item in (*record.input_items, *(record.raw_output or record.response.get("output", []))):
                    if isinstance(item, dict) and item.get("id"):
                        self._items[item["id"]] = item

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

    def item(self, item_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get(item_id)

"""Stream faults as transformations of a correct event list (see `streaming.build_events`).

Keeping the deviations out of the builder means the correct grammar is written once and each fault is a
small, visible edit of it.
"""

from __future__ import annotations

import copy
from typing import Any

from respcheck.server.streaming import TERMINAL_TYPES


def _first(events: list[dict[str, Any]], type_: str) -> int | None:
    return next((i for i, e in enumerate(events) if e.get("type") == type_), None)


def apply(events: list[dict[str, Any]], faults: frozenset[str]) -> list[dict[str, Any]]:
    """A copy of `events` with every active stream fault applied (numbering faults last)."""
    if not any(f.startswith("stream.") for f in faults):
        return events
    ev = copy.deepcopy(events)
    term = next((i for i, e in enumerate(ev) if e.get("type") in TERMINAL_TYPES), None)
    if "stream.deltas_do_not_add_up" in faults:
        i = _first(ev, "response.output_text.delta")
        if i is not None:
            del ev[i]
    if "stream.done_text_mismatch" in faults:
        i = _first(ev, "response.output_text.done")
        if i is not None:
            ev[i]["text"] = ev[i]["text"] + " (extra)"
    if "stream.missing_output_item_done" in faults:
        ev = [e for e in ev if not (e.get("type") == "response.output_item.done" and e["item"].get("type") == "message")]
    if "stream.missing_content_part_done" in faults:
        ev = [e for e in ev if e.get("type") != "response.content_part.done"]
    if "stream.item_done_before_added" in faults:
        a, d = _first(ev, "response.output_item.added"), _first(ev, "response.output_item.done")
        if a is not None and d is not None:
            ev.insert(a, ev.pop(d))
    if "stream.no_created_event" in faults:
        ev = [e for e in ev if e.get("type") != "response.created"]
    term = next((i for i, e in enumerate(ev) if e.get("type") in TERMINAL_TYPES), None)
    if term is not None:
        final = ev[term]
        if "stream.completed_without_output" in faults and final["type"] == "response.completed":
            final["response"]["output"] = []
        if "stream.completed_without_usage" in faults:
            final["response"]["usage"] = None
        if "stream.incomplete_reported_completed" in faults and final["type"] == "response.incomplete":
            final["type"] = "response.completed"
            final["response"]["status"] = "completed"
            final["response"]["incomplete_details"] = None
        if "stream.two_terminal_events" in faults:
            ev.insert(term + 1, copy.deepcopy(ev[term]))
        if "stream.events_after_terminal" in faults:
            late = {"type": "response.output_text.delta", "item_id": "msg_late", "output_index": 0, "content_index": 0, "delta": "late", "logprobs": []}
            ev.append(late)
        if "stream.no_terminal_event" in faults:
            del ev[term]
    if "stream.no_error_event_on_failure" in faults:
        ev = [e for e in ev if e.get("type") != "error"]
    for n, e in enumerate(ev):
        e["sequence_number"] = n
    mid = len(ev) // 2
    if "stream.sequence_gap" in faults:
        for e in ev[mid:]:
            e["sequence_number"] += 1
    if "stream.repeated_sequence_number" in faults and mid > 0:
        for e in ev[mid:]:
            e["sequence_number"] -= 1
    if "stream.missing_sequence_number" in faults:
        ev[mid].pop("sequence_number", None)
    return ev


def event_name(event: dict[str, Any], faults: frozenset[str]) -> str | None:
    """The SSE `event:` name to send, or None for the correct one (data.type)."""
    if "stream.event_name_mismatch" in faults and event.get("type") == "response.in_progress":
        return "response.progress"
    return None

"""Small builders of valid Responses API streams, for the validator unit and mutation tests.

Built by hand from the event grammar (not copied from recordings), so the tests do not need ../shared.
"""

from __future__ import annotations

import copy
from typing import Any


def _response(status: str, output: list[dict] | None = None) -> dict[str, Any]:
    return {"id": "resp_1", "object": "response", "created_at": 1, "status": status, "error": None,
            "incomplete_details": None, "model": "gpt-4.1", "output": output or [], "usage": None}


def _renumber(events: list[dict], start: int = 0) -> list[dict]:
    for n, ev in enumerate(events):
        ev["sequence_number"] = start + n
    return events


def message_stream(pieces: tuple[str, ...] = ("Hel", "lo", "!"), *, background: bool = False) -> list[dict]:
    """created -> in_progress -> one assistant message streamed in `pieces` -> completed."""
    text = "".join(pieces)
    item0 = {"id": "msg_1", "type": "message", "role": "assistant", "status": "in_progress", "content": []}
    part_done = {"type": "output_text", "text": text, "annotations": []}
    item_done = {**item0, "status": "completed", "content": [part_done]}
    evs: list[dict] = [{"type": "response.created", "response": _response("queued" if background else "in_progress")}]
    if background:
        evs.append({"type": "response.queued", "response": _response("queued")})
    evs += [
        {"type": "response.in_progress", "response": _response("in_progress")},
        {"type": "response.output_item.added", "output_index": 0, "item": item0},
        {"type": "response.content_part.added", "item_id": "msg_1", "output_index": 0, "content_index": 0,
         "part": {"type": "output_text", "text": "", "annotations": []}},
    ]
    evs += [{"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0,
             "delta": p} for p in pieces]
    evs += [
        {"type": "response.output_text.done", "item_id": "msg_1", "output_index": 0, "content_index": 0,
         "text": text},
        {"type": "response.content_part.done", "item_id": "msg_1", "output_index": 0, "content_index": 0,
         "part": part_done},
        {"type": "response.output_item.done", "output_index": 0, "item": item_done},
        {"type": "response.completed", "response": _response("completed", [copy.deepcopy(item_done)])},
    ]
    return _renumber(evs)


def tool_stream() -> list[dict]:
    """A function call (argument deltas) then an MCP call (status events + argument deltas)."""
    fc0 = {"id": "fc_1", "type": "function_call", "call_id": "call_1", "name": "f", "arguments": "",
           "status": "in_progress"}
    fc1 = {**fc0, "arguments": '{"a":1}', "status": "completed"}
    mc0 = {"id": "mcp_1", "type": "mcp_call", "server_label": "s", "name": "t", "arguments": ""}
    mc1 = {**mc0, "arguments": "{}", "output": "ok", "error": None}
    evs = [
        {"type": "response.created", "response": _response("in_progress")},
        {"type": "response.in_progress", "response": _response("in_progress")},
        {"type": "response.output_item.added", "output_index": 0, "item": fc0},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": '{"a"'},
        {"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": ":1}"},
        {"type": "response.function_call_arguments.done", "item_id": "fc_1", "output_index": 0,
         "arguments": '{"a":1}'},
        {"type": "response.output_item.done", "output_index": 0, "item": fc1},
        {"type": "response.output_item.added", "output_index": 1, "item": mc0},
        {"type": "response.mcp_call.in_progress", "item_id": "mcp_1", "output_index": 1},
        {"type": "response.mcp_call_arguments.delta", "item_id": "mcp_1", "output_index": 1, "delta": "{}"},
        {"type": "response.mcp_call_arguments.done", "item_id": "mcp_1", "output_index": 1, "arguments": "{}"},
        {"type": "response.mcp_call.completed", "item_id": "mcp_1", "output_index": 1},
        {"type": "response.output_item.done", "output_index": 1, "item": mc1},
        {"type": "response.completed", "response": _response("completed", [copy.deepcopy(fc1),
                                                                           copy.deepcopy(mc1)])},
    ]
    return _renumber(evs)


def failed_stream() -> list[dict]:
    """An in-stream error (nested form seen in real traffic) followed by response.failed."""
    failed = _response("failed")
    failed["error"] = {"code": "insufficient_quota", "message": "quota"}
    evs = [
        {"type": "response.created", "response": _response("in_progress")},
        {"type": "response.in_progress", "response": _response("in_progress")},
        {"type": "error", "error": {"type": "insufficient_quota", "code": "insufficient_quota",
                                    "message": "quota", "param": None}},
        {"type": "response.failed", "response": failed},
    ]
    return _renumber(evs)


def filtered_stream() -> list[dict]:
    """Azure's content-filtered stream: response.failed with error null, then a trailing ``error`` event with
    the reason (maximhq/bifrost#6419, #6652: created -> failed(error null) -> error content_policy_violation)."""
    evs = [
        {"type": "response.created", "response": _response("in_progress")},
        {"type": "response.failed", "response": _response("failed")},
        {"type": "error", "error": {"type": "invalid_request_error", "code": "content_policy_violation",
                                    "message": "filtered", "param": None}},
    ]
    return _renumber(evs)


def to_sse(events: list[dict], *, crlf: bool = False) -> str:
    """Frame events as a text/event-stream body (event: + data: blocks)."""
    import json

    nl = "\r\n" if crlf else "\n"
    return "".join(f"event: {e['type']}{nl}data: {json.dumps(e)}{nl}{nl}" for e in events)

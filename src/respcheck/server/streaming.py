"""The stream event grammar, built from a finished response.

One builder produces the whole event list for a response (created, [queued], in_progress, per-item events,
terminal); foreground streams send it at once and background streams reveal it over time, so a resume with
`starting_after=N` replays exactly the same events the first connection saw. Stream faults are applied here
as transformations of the correct list, which keeps the correct grammar in one place.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from respcheck.server.model import chunks

TERMINAL_TYPES = frozenset({"response.completed", "response.incomplete", "response.failed"})


def snapshot(response: dict[str, Any], status: str) -> dict[str, Any]:
    """The response as events before the end carry it: no output yet, no usage, content filters pending."""
    snap = copy.deepcopy(response)
    snap.update(status=status, output=[], usage=None, error=None, incomplete_details=None, completed_at=None)
    if "content_filters" in snap:
        snap["content_filters"] = None
    return snap


def _in_progress_item(item: dict[str, Any]) -> dict[str, Any]:
    it = copy.deepcopy(item)
    t = it.get("type")
    if t == "message":
        it["content"] = []
        it["status"] = "in_progress"
    elif t == "function_call":
        it["arguments"] = ""
        it["status"] = "in_progress"
    elif t == "mcp_call":
        it["arguments"] = ""
        it["output"] = None
        it["error"] = None
        it["status"] = "in_progress"
    elif t == "mcp_list_tools":
        it["tools"] = []
    elif t == "file_search_call":
        it["status"] = "in_progress"
        it["results"] = None
    elif t == "reasoning":
        it["summary"] = []
    return it


def _stream_logprob(entry: dict[str, Any]) -> dict[str, Any]:
    """A stream event's logprob (`ResponseLogProb`: token, logprob, top_logprobs; no bytes)."""
    return {"token": entry.get("token"), "logprob": entry.get("logprob"),
            "top_logprobs": [{"token": t.get("token"), "logprob": t.get("logprob")} for t in entry.get("top_logprobs", [])]}


def item_events(index: int, item: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {"type": "response.output_item.added", "output_index": index, "item": _in_progress_item(item)}
    ]
    t = item.get("type")
    item_id = item.get("id")
    if t == "message":
        for ci, part in enumerate(item.get("content", [])):
            empty = {**copy.deepcopy(part), "text": ""}
            where = {"item_id": item_id, "output_index": index, "content_index": ci}
            events.append({"type": "response.content_part.added", **where, "part": empty})
            probs = part.get("logprobs") or []
            pieces = chunks(part.get("text", ""))
            aligned = len(probs) == len([p for p in pieces if p])
            for pi, piece in enumerate(pieces):
                delta_probs = [_stream_logprob(probs[pi])] if aligned and piece and pi < len(probs) else []
                events.append({"type": "response.output_text.delta", **where, "delta": piece, "logprobs": delta_probs})
            events.append({"type": "response.output_text.done", **where, "text": part.get("text", ""),
                           "logprobs": [_stream_logprob(p) for p in probs]})
            events.append({"type": "response.content_part.done", **where, "part": copy.deepcopy(part)})
    elif t == "function_call":
        args = item.get("arguments", "")
        for piece in chunks(args):
            events.append(
                {"type": "response.function_call_arguments.delta", "item_id": item_id, "output_index": index, "delta": piece}
            )
        events.append(
            {
                "type": "response.function_call_arguments.done",
                "item_id": item_id,
                "output_index": index,
                "name": item.get("name"),
                "arguments": args,
            }
        )
    elif t == "reasoning":
        for si, part in enumerate(item.get("summary") or []):
            where = {"item_id": item_id, "output_index": index, "summary_index": si}
            events.append({"type": "response.reasoning_summary_part.added", **where, "part": {**part, "text": ""}})
            for piece in chunks(part.get("text", "")):
                events.append({"type": "response.reasoning_summary_text.delta", **where, "delta": piece})
            events.append({"type": "response.reasoning_summary_text.done", **where, "text": part.get("text", "")})
            events.append({"type": "response.reasoning_summary_part.done", **where, "part": copy.deepcopy(part)})
    elif t == "file_search_call":
        for phase in ("in_progress", "searching", "completed"):
            events.append({"type": f"response.file_search_call.{phase}", "item_id": item_id, "output_index": index})
    elif t == "mcp_list_tools":
        events.append({"type": "response.mcp_list_tools.in_progress", "item_id": item_id, "output_index": index})
        events.append({"type": "response.mcp_list_tools.completed", "item_id": item_id, "output_index": index})
    elif t == "mcp_call":
        args = item.get("arguments", "")
        events.append({"type": "response.mcp_call.in_progress", "item_id": item_id, "output_index": index})
        events.append({"type": "response.mcp_call_arguments.delta", "item_id": item_id, "output_index": index, "delta": args})
        events.append({"type": "response.mcp_call_arguments.done", "item_id": item_id, "output_index": index, "arguments": args})
        ending = "response.mcp_call.failed" if item.get("error") else "response.mcp_call.completed"
        events.append({"type": ending, "item_id": item_id, "output_index": index})
    events.append({"type": "response.output_item.done", "output_index": index, "item": copy.deepcopy(item)})
    return events


def build_events(response: dict[str, Any]) -> list[dict[str, Any]]:
    """All events of a finished `response`, numbered from 0. Background responses start `queued`."""
    background = bool(response.get("background"))
    first = "queued" if background else "in_progress"
    events: list[dict[str, Any]] = [{"type": "response.created", "response": snapshot(response, first)}]
    if background:
        events.append({"type": "response.queued", "response": snapshot(response, "queued")})
    events.append({"type": "response.in_progress", "response": snapshot(response, "in_progress")})
    for i, item in enumerate(response.get("output", [])):
        events.extend(item_events(i, item))
    status = response.get("status")
    if status == "failed":
        err = response.get("error") or {"code": "server_error", "message": "The model failed to respond."}
        events.append(
            {
                "type": "error",
                "code": err.get("code"),
                "message": err.get("message"),
                "param": None,
                "error": {"type": "server_error", "code": err.get("code"), "message": err.get("message"), "param": None},
            }
        )
        events.append({"type": "response.failed", "response": copy.deepcopy(response)})
    elif status == "incomplete":
        events.append({"type": "response.incomplete", "response": copy.deepcopy(response)})
    else:
        events.append({"type": "response.completed", "response": copy.deepcopy(response)})
    for n, ev in enumerate(events):
        ev["sequence_number"] = n
    return events


def fail_midway(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A transient failure inside a stream: the events up to the first output delta, then an `error` event
    (500) and response.failed, numbered on. What "the Responses API might return an error event" looks like."""
    cut = next((i for i, e in enumerate(events) if e.get("type") == "response.output_text.delta"), min(len(events), 2))
    head = [copy.deepcopy(e) for e in events[:cut]]
    created: dict[str, Any] = next((e["response"] for e in events if e.get("type") == "response.created"), {})
    failed = {**snapshot(created, "failed"), "error": {"code": "server_error", "message": "The server had an error while processing your request."}}
    failed["usage"] = {"input_tokens": 0, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 0,
                       "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 0}
    err = {"type": "server_error", "code": "server_error", "message": failed["error"]["message"], "param": None}
    tail = [{"type": "error", "code": "server_error", "message": err["message"], "param": None, "error": err},
            {"type": "response.failed", "response": failed}]
    out = head + tail
    for n, ev in enumerate(out):
        ev["sequence_number"] = n
    return out


def encode(event: dict[str, Any], *, event_name: str | None = None) -> bytes:
    """One SSE block: `event:` line equal to data.type (unless a fault says otherwise) and one `data:` line."""
    name = event_name if event_name is not None else event.get("type", "message")
    return f"event: {name}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n".encode()


RETRY_BLOCK = b"retry: 3000\n\n"
"""A standalone SSE block that only sets the reconnection time (`ServerConfig.sse_retry_block`)."""
DONE_BLOCK = b"data: [DONE]\n\n"
"""The end-of-stream sentinel after the terminal event (`ServerConfig.sse_done_sentinel`)."""

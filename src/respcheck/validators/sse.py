"""Parse a text/event-stream body into Responses API events, reporting framing problems as findings.

Recorders keep SSE in three shapes (see ../shared/real-traffic/INDEX.md): a verbatim body
(``event:`` + ``data:`` blocks separated by blank lines), the Azure test-proxy's list of raw lines, and
vercel's JSON-lines of data payloads only. All three land in the same `ParsedStream` so the stream
grammar checks (`respcheck.validators.stream`) never care which recorder produced the events.

Framing is checked here, once, because only the raw text still knows about it: an ``event:`` name that
disagrees with ``data.type``, data that is not a JSON object, a final block with no blank-line terminator,
data after ``[DONE]``. The parser is total: garbage yields findings, never an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from respcheck.findings import Finding

DONE_SENTINEL = "[DONE]"


@dataclass
class ParsedStream:
    """Events decoded from one stream, with the framing findings met on the way.

    ``names[i]`` is the ``event:`` field of ``events[i]`` (None when the block had none, as in JSON-lines).
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    names: list[str | None] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    saw_done: bool = False


def _decode(body: bytes | str) -> str:
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body).decode("utf-8", errors="replace")
    return body


def _add_payload(out: ParsedStream, name: str | None, data_lines: list[str]) -> None:
    """Decode one block's data and append it, or record why it cannot be an event."""
    index = len(out.events)
    data = "\n".join(data_lines)
    if data.strip() == DONE_SENTINEL:
        out.saw_done = True
        return
    if out.saw_done:
        out.findings.append(Finding("sse_nothing_after_done", f"data after [DONE]: {data[:80]!r}", index=index))
    try:
        payload = json.loads(data)
    except ValueError as exc:  # JSONDecodeError, or e.g. an integer longer than Python's digit limit
        why = f"{exc.msg} at char {exc.pos}" if isinstance(exc, json.JSONDecodeError) else str(exc)[:120]
        out.findings.append(Finding("sse_data_is_json", f"data is not JSON ({why}): {data[:80]!r}", index=index))
        return
    if not isinstance(payload, dict):
        out.findings.append(
            Finding("sse_data_is_object", f"data is a JSON {type(payload).__name__}, not an object", index=index)
        )
        return
    if name is not None and name != payload.get("type"):
        out.findings.append(
            Finding(
                "sse_event_name_matches_type",
                f"event: {name!r} but data.type is {payload.get('type')!r}",
                index=index,
            )
        )
    out.events.append(payload)
    out.names.append(name)


def parse_sse(body: bytes | str) -> ParsedStream:
    """Split a raw event-stream body into events (WHATWG SSE rules: CRLF/CR/LF, comments, multi-line data)."""
    text = _decode(body)
    out = ParsedStream()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    name: str | None = None
    data_lines: list[str] = []
    has_field = False
    lines = text.split("\n")
    terminated = text.endswith("\n\n") or not text.strip()
    for line in lines:
        if not line:
            if data_lines:
                _add_payload(out, name, data_lines)
            elif has_field and name is not None:
                out.findings.append(
                    Finding("sse_block_has_data", f"event {name!r} has no data line", index=len(out.events))
                )
            name, data_lines, has_field = None, [], False
            continue
        if line.startswith(":"):
            continue  # comment / keep-alive
        fname, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        has_field = True
        if fname == "data":
            data_lines.append(value)
        elif fname == "event":
            name = value
        elif fname in ("id", "retry"):
            pass
        else:
            out.findings.append(
                Finding("sse_known_field", f"unknown SSE field {fname!r} (line {line[:60]!r})", index=len(out.events))
            )
    if data_lines:
        # The body ended inside a block: a conforming server always closes each event with a blank line.
        _add_payload(out, name, data_lines)
    if not terminated and out.events:
        out.findings.append(
            Finding(
                "sse_block_terminated",
                "the last event is not followed by a blank line (stream cut or badly framed)",
                index=len(out.events) - 1,
            )
        )
    return out


def parse_sse_lines(lines: list[str]) -> ParsedStream:
    """The test-proxy form: a list of raw lines, each keeping its own line ending."""
    if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
        return ParsedStream(findings=[Finding("sse_data_is_json", "SSE body is not a list of strings")])
    return parse_sse("".join(lines))


def parse_json_lines(text: bytes | str) -> ParsedStream:
    """The vercel form: one JSON data payload per line, no ``event:`` names, no framing to check."""
    out = ParsedStream()
    for line in _decode(text).splitlines():
        if line.strip():
            _add_payload(out, None, [line])
    return out


def event_blocks(body: bytes | str) -> str:
    """The stream with only its event blocks: what a per-event schema checker (schemathesis) should judge.

    Legal SSE carries blocks that are no Responses event: a standalone ``retry:`` (or ``id:``) block, comment
    lines, and OpenAI's ``data: [DONE]`` sentinel after the terminal event. `parse_sse` accepts all of them;
    a checker that decodes every block's data as a JSON event would fail them, wrongly. This drops every
    block without a data line and the sentinel block, keeps every other block verbatim (so a malformed event
    still reaches the checker), and closes each with a blank line. Framing is `parse_sse`'s job, not this."""
    text = _decode(body)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    kept: list[str] = []
    for block in text.split("\n\n"):
        lines = [ln for ln in block.split("\n") if ln and not ln.startswith(":")]
        data = [ln.partition(":")[2] for ln in lines if ln.partition(":")[0] == "data"]
        data = [d[1:] if d.startswith(" ") else d for d in data]
        if not data or "\n".join(data).strip() == DONE_SENTINEL:
            continue
        kept.append("\n".join(lines))
    return "".join(f"{b}\n\n" for b in kept)


def sdk_unreadable(body: bytes | str) -> str | None:
    """Legal blocks of this stream that the openai SDK's SSE decoder cannot read, described; None if none.

    A standalone ``retry:`` (or ``id:``) block, with no data line, is legal SSE (it only sets the reconnection
    time or the last event id); `parse_sse` skips it, but the SDK's decoder hands it on as an event with empty
    data, which it then fails to decode as JSON (openai 3.57: JSONDecodeError). Only a stream whose framing
    `parse_sse` accepts qualifies: a broken stream stays the service's fault."""
    if parse_sse(body).findings:
        return None
    text = _decode(body).replace("\r\n", "\n").replace("\r", "\n")
    found: list[str] = []
    for n, block in enumerate(text.split("\n\n")):
        fields = [ln.partition(":")[0] for ln in block.split("\n") if ln and not ln.startswith(":")]
        if fields and "data" not in fields and set(fields) <= {"retry", "id"}:
            found.append(f"a standalone SSE {'/'.join(sorted(set(fields)))}: block (block #{n})")
    return "; ".join(found) if found else None

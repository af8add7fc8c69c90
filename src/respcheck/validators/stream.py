"""The grammar of a Responses API event stream, as small named checks.

`check_stream(events)` runs every check below over a list of decoded events (see `validators.sse` for
getting them out of a body) and returns their findings. Each check is one function with one job and
one failure message, so a finding's name says which rule of the stream broke (the schemathesis style);
the pairing checks keep a per-item record of where each item was opened and closed (the vLLM
stream-checker style) rather than a deep state machine.

Every check is total: events that are not objects with a string ``type`` are reported once by
`event_is_typed_object` and ignored by the others, and no input makes a check raise.

Rules come from the Azure docs (../shared/seeds: "Track your position with the sequence_number from each
event"; resume with ``starting_after`` replays the events after that number) and from real traffic
(../shared/real-traffic/INDEX.md: background streams go created(status queued) -> response.queued ->
response.in_progress; an in-stream ``error`` event is followed by ``response.failed``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from respcheck.findings import Finding
from respcheck.validators import _contract

TERMINAL_STATUS = {
    "response.completed": "completed",
    "response.incomplete": "incomplete",
    "response.failed": "failed",
}
LIFECYCLE = {"response.created", "response.queued", "response.in_progress"}
SNAPSHOT_STATUS = {"response.queued": {"queued"}, "response.in_progress": {"in_progress"},
                   "response.created": {"queued", "in_progress"}}

# delta event -> (done event, field of the done event holding the whole value, key fields)
DELTA_FAMILIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "response.output_text.delta": ("response.output_text.done", "text", ("item_id", "content_index")),
    "response.refusal.delta": ("response.refusal.done", "refusal", ("item_id", "content_index")),
    "response.function_call_arguments.delta": ("response.function_call_arguments.done", "arguments", ("item_id",)),
    "response.mcp_call_arguments.delta": ("response.mcp_call_arguments.done", "arguments", ("item_id",)),
    "response.mcp_call.arguments_delta": ("response.mcp_call.arguments_done", "arguments", ("item_id",)),
    "response.code_interpreter_call_code.delta": ("response.code_interpreter_call_code.done", "code", ("item_id",)),
    "response.custom_tool_call_input.delta": ("response.custom_tool_call_input.done", "input", ("item_id",)),
    "response.reasoning_summary_text.delta": (
        "response.reasoning_summary_text.done", "text", ("item_id", "summary_index")),
    "response.reasoning_text.delta": ("response.reasoning_text.done", "text", ("item_id", "content_index")),
    "response.reasoning.delta": ("response.reasoning.done", "text", ("item_id", "content_index")),
}
DONE_OF = {done: (delta, fld, key) for delta, (done, fld, key) in DELTA_FAMILIES.items()}

# event-type prefix -> the output item types such an event may belong to (longest prefix first)
ITEM_TYPE_OF_PREFIX: list[tuple[str, frozenset[str]]] = sorted(
    [
        ("response.output_text.", frozenset({"message"})),
        ("response.refusal.", frozenset({"message"})),
        ("response.content_part.", frozenset({"message", "reasoning"})),
        ("response.function_call_arguments.", frozenset({"function_call"})),
        ("response.mcp_call_arguments.", frozenset({"mcp_call"})),
        ("response.mcp_call.", frozenset({"mcp_call"})),
        ("response.mcp_list_tools.", frozenset({"mcp_list_tools"})),
        ("response.code_interpreter_call", frozenset({"code_interpreter_call"})),
        ("response.image_generation_call.", frozenset({"image_generation_call"})),
        ("response.web_search_call.", frozenset({"web_search_call"})),
        ("response.file_search_call.", frozenset({"file_search_call"})),
        ("response.reasoning", frozenset({"reasoning"})),
        ("response.custom_tool_call_input.", frozenset({"custom_tool_call"})),
    ],
    key=lambda p: -len(p[0]),
)
# tool-call status events: family prefix -> suffixes allowed; the closing ones end the family
TOOL_STATUS_FAMILIES = (
    "response.web_search_call.", "response.file_search_call.", "response.code_interpreter_call.",
    "response.image_generation_call.", "response.mcp_call.", "response.mcp_list_tools.",
)
TOOL_STATUS_OPEN = "in_progress"
TOOL_STATUS_CLOSE = {"completed", "failed", "incomplete"}
TOOL_STATUS_MIDDLE = {"searching", "interpreting", "generating", "partial_image"}

PART_EVENTS = {
    "response.content_part.added": ("content_index", "part", "added"),
    "response.content_part.done": ("content_index", "part", "done"),
    "response.reasoning_summary_part.added": ("summary_index", "part", "added"),
    "response.reasoning_summary_part.done": ("summary_index", "part", "done"),
}


@dataclass
class ItemSpan:
    """Where one output item (by output_index) was opened and closed in the stream."""

    output_index: Any
    added_at: int | None = None
    done_at: int | None = None
    item_id: Any = None
    item_type: Any = None
    done_item: dict | None = None


@dataclass
class StreamContext:
    """The stream and the options every check reads; derived views are computed once and cached."""

    events: list[tuple[int, dict]]
    """(original index, event) for every event that is an object with a string ``type``."""
    expect_sequence_numbers: bool = True
    starting_after: int | None = None
    final_response: dict | None = None
    _spans: dict[Any, ItemSpan] | None = field(default=None, repr=False)

    @property
    def resumed(self) -> bool:
        return self.starting_after is not None

    def spans(self) -> dict[Any, ItemSpan]:
        """First output_item.added / first output_item.done per output_index (pairing errors are separate)."""
        if self._spans is None:
            spans: dict[Any, ItemSpan] = {}
            for i, ev in self.events:
                t = ev["type"]
                if t not in ("response.output_item.added", "response.output_item.done"):
                    continue
                oi = ev.get("output_index")
                if not _hashable(oi):
                    continue
                item = _member(ev, "item")
                span = spans.setdefault(oi, ItemSpan(oi))
                if t == "response.output_item.added" and span.added_at is None:
                    span.added_at, span.item_id, span.item_type = i, item.get("id"), item.get("type")
                elif t == "response.output_item.done" and span.done_at is None:
                    span.done_at, span.done_item = i, item
                    if span.added_at is None:
                        span.item_id, span.item_type = item.get("id"), item.get("type")
            self._spans = spans
        return self._spans

    def terminal(self) -> tuple[int, dict] | None:
        for i, ev in reversed(self.events):
            if ev["type"] in TERMINAL_STATUS:
                return i, ev
        return None


def _hashable(value: Any) -> bool:
    return isinstance(value, int | str) and not isinstance(value, bool)


def _member(ev: dict, key: str) -> dict:
    """``ev[key]`` when it is an object, else an empty one."""
    value = ev.get(key)
    return value if isinstance(value, dict) else {}


def _snapshot(ev: dict) -> dict:
    return _member(ev, "response")


def _item_family(etype: str) -> frozenset[str] | None:
    for prefix, types in ITEM_TYPE_OF_PREFIX:
        if etype.startswith(prefix):
            return types
    return None


# --------------------------------------------------------------------------------------------- checks


def event_schema(ctx: StreamContext) -> list[Finding]:
    """Every event validates against the contract schema of its ``type`` (either naming)."""
    missing = _contract.unavailable("event_schema")
    if missing is not None:
        return [missing]
    out: list[Finding] = []
    for i, ev in ctx.events:
        if not ctx.expect_sequence_numbers and "sequence_number" not in ev:
            ev = {**ev, "sequence_number": 0}  # legacy streams: the gap is reported (and justified) elsewhere
        out.extend(_contract.validate_event(ev, i))
    return out


def sequence_number_present(ctx: StreamContext) -> list[Finding]:
    """Each event carries an integer sequence_number (the docs' resume cursor)."""
    if not ctx.expect_sequence_numbers:
        return []
    return [
        Finding("sequence_number_present", f"{ev['type']} has no integer sequence_number", index=i)
        for i, ev in ctx.events
        if not _hashable(ev.get("sequence_number")) or not isinstance(ev.get("sequence_number"), int)
    ]


def sequence_numbers_start_at_zero_and_rise_by_one(ctx: StreamContext) -> list[Finding]:
    """sequence_number is 0 on the first event (starting_after+1 on a resume) and rises by exactly one."""
    if not ctx.expect_sequence_numbers:
        return []
    expected = 0 if ctx.starting_after is None else ctx.starting_after + 1
    for i, ev in ctx.events:
        seq = ev.get("sequence_number")
        if not isinstance(seq, int) or isinstance(seq, bool):
            continue
        if seq != expected:
            what = "first event" if expected == (0 if ctx.starting_after is None else ctx.starting_after + 1) \
                and i == ctx.events[0][0] else "previous + 1"
            return [Finding("sequence_numbers_start_at_zero_and_rise_by_one",
                            f"{ev['type']} has sequence_number {seq}, expected {expected} ({what})", index=i)]
        expected = seq + 1
    return []


def created_first(ctx: StreamContext) -> list[Finding]:
    """A fresh stream opens with response.created, exactly once; a resumed stream has none."""
    out: list[Finding] = []
    created = [i for i, ev in ctx.events if ev["type"] == "response.created"]
    if ctx.resumed:
        out += [Finding("created_first", "a resumed stream (starting_after) must not repeat response.created",
                        index=i) for i in created]
        return out
    if ctx.events and ctx.events[0][1]["type"] != "response.created":
        first_i, first = ctx.events[0]
        out.append(Finding("created_first", f"first event is {first['type']}, expected response.created",
                           index=first_i))
    out += [Finding("created_first", "response.created sent more than once", index=i) for i in created[1:]]
    return out


def lifecycle_order(ctx: StreamContext) -> list[Finding]:
    """created -> [queued] -> in_progress happen before any output, and never go backwards."""
    out: list[Finding] = []
    seen_output = seen_in_progress = False
    for i, ev in ctx.events:
        t = ev["type"]
        if t in ("response.queued", "response.in_progress", "response.created"):
            if seen_output:
                out.append(Finding("lifecycle_order", f"{t} after output events started", index=i))
            if t == "response.queued" and seen_in_progress:
                out.append(Finding("lifecycle_order", "response.queued after response.in_progress", index=i))
            seen_in_progress |= t == "response.in_progress"
        elif t.startswith("response.output_item."):
            seen_output = True
    return out


def background_lifecycle(ctx: StreamContext) -> list[Finding]:
    """A queued (background) response announces response.queued before response.in_progress."""
    if not ctx.events or ctx.events[0][1]["type"] != "response.created":
        return []
    if _snapshot(ctx.events[0][1]).get("status") != "queued":
        return []
    for i, ev in ctx.events[1:]:
        if ev["type"] == "response.queued":
            return []
        if ev["type"] == "response.in_progress" or ev["type"].startswith("response.output_item."):
            return [Finding("background_lifecycle",
                            f"response.created has status 'queued' but {ev['type']} came before response.queued",
                            index=i)]
    return []


def lifecycle_snapshot_status(ctx: StreamContext) -> list[Finding]:
    """The response snapshot in created/queued/in_progress carries the status the event names."""
    out = []
    for i, ev in ctx.events:
        allowed = SNAPSHOT_STATUS.get(ev["type"])
        if allowed is None:
            continue
        status = _snapshot(ev).get("status")
        if status not in allowed:
            out.append(Finding("lifecycle_snapshot_status",
                               f"{ev['type']}.response.status is {status!r}, expected one of {sorted(allowed)}",
                               index=i))
    return out


def response_id_consistent(ctx: StreamContext) -> list[Finding]:
    """Every response snapshot in the stream (and the retrieved final response) has the same id."""
    first_id: Any = None
    out = []
    for i, ev in ctx.events:
        if "response" not in ev:
            continue
        rid = _snapshot(ev).get("id")
        if first_id is None:
            first_id = rid
        elif rid != first_id:
            out.append(Finding("response_id_consistent", f"{ev['type']}.response.id is {rid!r}, "
                                                         f"earlier events said {first_id!r}", index=i))
    if ctx.final_response is not None and first_id is not None:
        fid = ctx.final_response.get("id") if isinstance(ctx.final_response, dict) else None
        if fid != first_id:
            out.append(Finding("response_id_consistent", f"final response id {fid!r} != stream id {first_id!r}"))
    return out


def exactly_one_terminal_event(ctx: StreamContext) -> list[Finding]:
    """One of response.completed / .incomplete / .failed, once, and as the last event - except Azure's
    content-filter ending, where one ``error`` event follows response.failed (`terminal_error_order`)."""
    terminals = [(i, ev) for i, ev in ctx.events if ev["type"] in TERMINAL_STATUS]
    if not terminals:
        last = ctx.events[-1][0] if ctx.events else None
        return [Finding("exactly_one_terminal_event",
                        "no terminal event (response.completed / incomplete / failed)", index=last)]
    out = [Finding("exactly_one_terminal_event", f"second terminal event {ev['type']}", index=i)
           for i, ev in terminals[1:]]
    ti, tev = terminals[0]
    if ctx.events[-1][0] != ti and len(terminals) == 1 and terminal_error_order(ev for _, ev in ctx.events) \
            != FAILED_THEN_ERROR:
        out.append(Finding("exactly_one_terminal_event",
                           f"{ctx.events[-1][1]['type']} sent after the terminal {tev['type']}",
                           index=ctx.events[-1][0]))
    return out


def terminal_matches_final_status(ctx: StreamContext) -> list[Finding]:
    """The terminal event's name agrees with its response.status and with the retrieved response."""
    term = ctx.terminal()
    if term is None:
        return []
    i, ev = term
    want = TERMINAL_STATUS[ev["type"]]
    status = _snapshot(ev).get("status")
    out = []
    if status != want:
        out.append(Finding("terminal_matches_final_status",
                           f"{ev['type']} carries response.status {status!r}, expected {want!r}", index=i))
    if isinstance(ctx.final_response, dict) and ctx.final_response.get("status") != want:
        out.append(Finding("terminal_matches_final_status",
                           f"stream ended with {ev['type']} but the final response has status "
                           f"{ctx.final_response.get('status')!r}", index=i))
    return out


def output_items_paired(ctx: StreamContext) -> list[Finding]:
    """output_item.added then output_item.done, once each, same id and type; all closed on completion."""
    out: list[Finding] = []
    added: dict[Any, dict] = {}
    done: set[Any] = set()
    for i, ev in ctx.events:
        t = ev["type"]
        if t not in ("response.output_item.added", "response.output_item.done"):
            continue
        oi = ev.get("output_index")
        item = ev.get("item")
        if not _hashable(oi) or not isinstance(item, dict):
            out.append(Finding("output_items_paired", f"{t} lacks an integer output_index or an item object",
                               index=i))
            continue
        if t == "response.output_item.added":
            if oi in added:
                out.append(Finding("output_items_paired", f"output_index {oi} added twice", index=i))
            else:
                added[oi] = item
            continue
        if oi in done:
            out.append(Finding("output_items_paired", f"output_index {oi} done twice", index=i))
        done.add(oi)
        first = added.get(oi)
        if first is None:
            if not ctx.resumed:
                out.append(Finding("output_items_paired", f"output_item.done for output_index {oi} "
                                                          "without an earlier output_item.added", index=i))
            continue
        for key in ("id", "type"):
            if first.get(key) != item.get(key):
                out.append(Finding("output_items_paired", f"output_index {oi}: done item {key} "
                                                          f"{item.get(key)!r} != added {first.get(key)!r}", index=i))
    term = ctx.terminal()
    if term is not None and term[1]["type"] == "response.completed":
        for oi in added.keys() - done:
            out.append(Finding("output_items_paired",
                               f"output_index {oi} ({added[oi].get('type')}) never got output_item.done "
                               "before response.completed", index=term[0]))
    return out


def output_index_sequential(ctx: StreamContext) -> list[Finding]:
    """Items are added at output_index 0, 1, 2, ... in order (a resume may start later)."""
    expected: int | None = None if ctx.resumed else 0
    for i, ev in ctx.events:
        if ev["type"] != "response.output_item.added":
            continue
        oi = ev.get("output_index")
        if not isinstance(oi, int) or isinstance(oi, bool):
            continue
        if expected is not None and oi != expected:
            return [Finding("output_index_sequential", f"output_item.added at output_index {oi}, "
                                                       f"expected {expected}", index=i)]
        expected = oi + 1
    return []


def _open_item(ctx: StreamContext, i: int, ev: dict) -> tuple[ItemSpan | None, str | None]:
    """The item an event points at, and why it is not a valid target (None when it is)."""
    oi = ev.get("output_index")
    span = ctx.spans().get(oi) if _hashable(oi) else None
    if span is None or span.added_at is None:
        if ctx.resumed and (span is None or span.added_at is None):
            return None, None
        return None, f"output_index {oi!r} has no output_item.added before it"
    if i < span.added_at:
        return span, f"sent before output_item.added of output_index {oi}"
    if span.done_at is not None and i > span.done_at:
        return span, f"sent after output_item.done of output_index {oi}"
    return span, None


def indices_consistent(ctx: StreamContext) -> list[Finding]:
    """item_id / output_index point at the same open item, of a type the event belongs to."""
    out: list[Finding] = []
    for i, ev in ctx.events:
        t = ev["type"]
        if t.startswith("response.output_item.") or ("output_index" not in ev and "item_id" not in ev):
            continue
        span, why = _open_item(ctx, i, ev)
        if why:
            out.append(Finding("indices_consistent", f"{t} {why}", index=i))
        if span is None:
            continue
        if "item_id" in ev and ev["item_id"] != span.item_id:
            out.append(Finding("indices_consistent", f"{t} item_id {ev['item_id']!r} but output_index "
                                                     f"{span.output_index} is item {span.item_id!r}", index=i))
        family = _item_family(t)
        if family is not None and span.item_type not in family:
            out.append(Finding("indices_consistent", f"{t} on a {span.item_type!r} item (expected "
                                                     f"{'/'.join(sorted(family))})", index=i))
    return out


def content_parts_paired(ctx: StreamContext) -> list[Finding]:
    """content_part / reasoning_summary_part: added (index 0, 1, ...) then done, inside their item,
    and text events only address a part that is open."""
    out: list[Finding] = []
    state: dict[tuple[str, Any, Any], str] = {}  # (index kind, item_id, index) -> "added" | "done"
    count: dict[tuple[str, Any], int] = {}
    for i, ev in ctx.events:
        t = ev["type"]
        spec = PART_EVENTS.get(t)
        if spec is not None:
            idx_name, _, phase = spec
            key = (idx_name, ev.get("item_id"), ev.get("output_index"))
            pidx = ev.get(idx_name)
            if not _hashable(pidx):
                out.append(Finding("content_parts_paired", f"{t} has no integer {idx_name}", index=i))
                continue
            pkey = (idx_name, ev.get("item_id"), pidx)
            cur = state.get(pkey)
            if phase == "added":
                if cur is not None:
                    out.append(Finding("content_parts_paired", f"{t}: {idx_name} {pidx} added twice", index=i))
                expected = count.get(key[:2], 0)
                if pidx != expected and not ctx.resumed:
                    out.append(Finding("content_parts_paired", f"{t}: {idx_name} {pidx}, expected {expected}",
                                       index=i))
                count[key[:2]] = max(expected, pidx + 1 if isinstance(pidx, int) else expected)
                state[pkey] = "added"
            else:
                if cur is None and not ctx.resumed:
                    out.append(Finding("content_parts_paired", f"{t}: {idx_name} {pidx} done without added",
                                       index=i))
                elif cur == "done":
                    out.append(Finding("content_parts_paired", f"{t}: {idx_name} {pidx} done twice", index=i))
                state[pkey] = "done"
            continue
        if t == "response.output_item.done":
            item = _member(ev, "item")
            for (kind, item_id, pidx), part_state in state.items():
                if item_id == item.get("id") and part_state == "added":
                    out.append(Finding("content_parts_paired", f"output_item.done while {kind} {pidx} "
                                                               "is still open", index=i))
            continue
        # text-level events address a part by content_index / summary_index
        for idx_name in ("content_index", "summary_index"):
            if idx_name in ev and (t in DELTA_FAMILIES or t in DONE_OF
                                   or t == "response.output_text.annotation.added"):
                if t.startswith("response.reasoning_text") or t.startswith("response.reasoning."):
                    continue  # reasoning text parts are not always announced by content_part events
                st = state.get((idx_name, ev.get("item_id"), ev.get(idx_name)))
                if st != "added" and not (ctx.resumed and st is None):
                    out.append(Finding("content_parts_paired", f"{t} addresses {idx_name} {ev.get(idx_name)!r} "
                                                               f"which is {st or 'not added'}", index=i))
    return out


def tool_call_events_ordered(ctx: StreamContext) -> list[Finding]:
    """Tool-call status events of one item: in_progress first, then progress, at most one closing event, nothing after."""
    out: list[Finding] = []
    state: dict[tuple[str, Any], str] = {}
    for i, ev in ctx.events:
        t = ev["type"]
        family = next((f for f in TOOL_STATUS_FAMILIES if t.startswith(f)), None)
        if family is None:
            continue
        suffix = t[len(family):]
        if suffix not in TOOL_STATUS_CLOSE | TOOL_STATUS_MIDDLE | {TOOL_STATUS_OPEN}:
            continue  # argument deltas etc. are checked by the delta checks
        key = (family, ev.get("item_id"))
        cur = state.get(key)
        if suffix == TOOL_STATUS_OPEN:
            # in_progress may repeat while the call runs (real traffic: mcp_call.in_progress is re-sent
            # after the argument deltas, vercel openai-mcp-tool-approval.4); only after closing is it wrong.
            if cur in TOOL_STATUS_CLOSE:
                out.append(Finding("tool_call_events_ordered", f"{t} after {family}{cur}", index=i))
            state[key] = suffix
            continue
        if cur is None and not ctx.resumed:
            out.append(Finding("tool_call_events_ordered", f"{t} before {family}in_progress", index=i))
        elif cur in TOOL_STATUS_CLOSE:
            out.append(Finding("tool_call_events_ordered", f"{t} after {family}{cur}", index=i))
        state[key] = suffix
    return out


def deltas_concatenate_to_done(ctx: StreamContext) -> list[Finding]:
    """The deltas of one text (or arguments / code) joined equal its .done value; one .done, no late delta."""
    out: list[Finding] = []
    acc: dict[tuple, list[str]] = {}
    closed: set[tuple] = set()
    for i, ev in ctx.events:
        t = ev["type"]
        fam = DELTA_FAMILIES.get(t)
        if fam is not None:
            key = (t, *(ev.get(k) for k in fam[2]))
            if key in closed:
                out.append(Finding("deltas_concatenate_to_done", f"{t} after its .done", index=i))
            delta = ev.get("delta")
            if isinstance(delta, str):
                acc.setdefault(key, []).append(delta)
            elif fam[1] in ("text", "arguments", "code", "input", "refusal") and t != "response.reasoning.delta":
                out.append(Finding("deltas_concatenate_to_done", f"{t}.delta is {type(delta).__name__}, "
                                                                 "expected a string", index=i))
            continue
        back = DONE_OF.get(t)
        if back is None:
            continue
        delta_type, fld, keys = back
        key = (delta_type, *(ev.get(k) for k in keys))
        if key in closed:
            out.append(Finding("deltas_concatenate_to_done", f"{t} sent twice for {key[1:]}", index=i))
        closed.add(key)
        pieces = acc.pop(key, None)
        if pieces is None or ctx.resumed:
            continue  # a done without deltas is legal (empty or one-shot value); a resume may miss deltas
        whole, joined = ev.get(fld), "".join(pieces)
        if whole != joined:
            out.append(Finding("deltas_concatenate_to_done",
                               f"{t}.{fld} ({_clip(whole)}) != concatenated deltas ({_clip(joined)})", index=i))
    term = ctx.terminal()
    if term is not None and term[1]["type"] == "response.completed":
        for key in acc:
            out.append(Finding("deltas_concatenate_to_done", f"{key[0]} for {key[1:]} never got its .done",
                               index=term[0]))
    return out


def done_events_agree(ctx: StreamContext) -> list[Finding]:
    """A .done value equals the same value in content_part.done and in output_item.done's item."""
    out: list[Finding] = []
    spans_by_id = {s.item_id: s for s in ctx.spans().values() if s.item_id is not None}
    part_text: dict[tuple, Any] = {}
    for _i, ev in ctx.events:
        t = ev["type"]
        if t == "response.content_part.done" and isinstance(ev.get("part"), dict):
            part_text[("content", ev.get("item_id"), ev.get("content_index"))] = ev["part"]
        elif t == "response.reasoning_summary_part.done" and isinstance(ev.get("part"), dict):
            part_text[("summary", ev.get("item_id"), ev.get("summary_index"))] = ev["part"]
    for i, ev in ctx.events:
        t = ev["type"]
        if t not in DONE_OF:
            continue
        _, fld, keys = DONE_OF[t]
        value = ev.get(fld)
        span = spans_by_id.get(ev.get("item_id"))
        item = span.done_item if span is not None else None
        if "content_index" in keys or "summary_index" in keys:
            kind = "summary" if "summary_index" in keys else "content"
            idx = ev.get(f"{kind}_index")
            part = part_text.get((kind, ev.get("item_id"), idx))
            if part is not None and fld in part and part[fld] != value:
                out.append(Finding("done_events_agree", f"{t}.{fld} ({_clip(value)}) != {kind} part "
                                                        f"{idx} {fld} ({_clip(part[fld])})", index=i))
            seq = item.get(kind) if isinstance(item, dict) else None
            if isinstance(seq, list) and isinstance(idx, int) and 0 <= idx < len(seq) \
                    and isinstance(seq[idx], dict) and fld in seq[idx] and seq[idx][fld] != value:
                out.append(Finding("done_events_agree", f"{t}.{fld} ({_clip(value)}) != output_item.done "
                                                        f"{kind}[{idx}].{fld} ({_clip(seq[idx][fld])})", index=i))
        elif isinstance(item, dict) and fld in item and item[fld] != value:
            out.append(Finding("done_events_agree", f"{t}.{fld} ({_clip(value)}) != output_item.done "
                                                    f"item.{fld} ({_clip(item[fld])})", index=i))
    return out


def done_text_matches_final_response(ctx: StreamContext) -> list[Finding]:
    """Items closed in the stream reappear, equal, in the terminal response's output (and the retrieved one)."""
    out: list[Finding] = []
    term = ctx.terminal()
    finals: list[tuple[str, int | None, Any]] = []
    if term is not None and term[1]["type"] == "response.completed":
        finals.append(("terminal response", term[0], _snapshot(term[1]).get("output")))
    if isinstance(ctx.final_response, dict):
        finals.append(("final response", None, ctx.final_response.get("output")))
    for label, at, output in finals:
        if not isinstance(output, list):
            out.append(Finding("done_text_matches_final_response", f"{label} has no output list", index=at))
            continue
        by_id = {o.get("id"): o for o in output if isinstance(o, dict)}
        for span in ctx.spans().values():
            item = span.done_item
            if not isinstance(item, dict):
                continue
            final = by_id.get(item.get("id"))
            if final is None:
                out.append(Finding("done_text_matches_final_response",
                                   f"item {item.get('id')!r} ({item.get('type')}) is missing from the {label} output",
                                   index=span.done_at))
                continue
            for a, b, where in _diff_texts(item, final):
                out.append(Finding("done_text_matches_final_response",
                                   f"{where} differs: stream {_clip(a)} vs {label} {_clip(b)}", index=span.done_at))
    return out


def error_event_shape(ctx: StreamContext) -> list[Finding]:
    """An in-stream ``error`` event says what went wrong (message, code, param), flat or nested in ``error``."""
    out: list[Finding] = []
    for i, ev in ctx.events:
        if ev["type"] != "error":
            continue
        nested = ev.get("error")
        body = nested if isinstance(nested, dict) else ev
        msg = body.get("message")
        if not isinstance(msg, str) or not msg:
            out.append(Finding("error_event_shape", "error event has no message string", index=i))
        for key in ("code", "param"):
            if key in body and body[key] is not None and not isinstance(body[key], str):
                out.append(Finding("error_event_shape", f"error event {key} is {type(body[key]).__name__}, "
                                                        "expected string or null", index=i))
        if "code" not in body:
            out.append(Finding("error_event_shape", "error event has no code (string or null)", index=i))
    return out


ERROR_THEN_FAILED = "error_then_failed"
FAILED_THEN_ERROR = "failed_then_error"


def terminal_error_order(events: Iterable[Any]) -> str | None:
    """Which of the two observed failure endings a stream has, or None when it has neither.

    ``error_then_failed``: an ``error`` event, then response.failed (OpenAI; INDEX.md of the real traffic).
    ``failed_then_error``: Azure's content-filtered stream, response.failed whose response.error is null and
    then one trailing ``error`` event carrying the reason (code content_policy_violation): reported by
    maximhq/bifrost#6419 and #6652 (2026-08). Both are accepted; tests record which one they met.
    """
    types = [ev.get("type") for ev in events if isinstance(ev, dict)]
    if len(types) >= 2 and types[-2:] == ["error", "response.failed"]:
        return ERROR_THEN_FAILED
    if len(types) >= 2 and types[-2:] == ["response.failed", "error"] and "error" not in types[:-1]:
        return FAILED_THEN_ERROR
    return None


def error_event_ends_stream(ctx: StreamContext) -> list[Finding]:
    """After an ``error`` event only response.failed may follow (INDEX.md: error then response.failed)."""
    seen = None
    out = []
    for i, ev in ctx.events:
        if seen is not None and ev["type"] not in ("response.failed",):
            out.append(Finding("error_event_ends_stream", f"{ev['type']} after the error event #{seen}", index=i))
        if ev["type"] == "error":
            seen = i
    return out


CHECKS: tuple[Callable[[StreamContext], list[Finding]], ...] = (
    sequence_number_present,
    sequence_numbers_start_at_zero_and_rise_by_one,
    created_first,
    lifecycle_order,
    background_lifecycle,
    lifecycle_snapshot_status,
    response_id_consistent,
    exactly_one_terminal_event,
    terminal_matches_final_status,
    output_items_paired,
    output_index_sequential,
    indices_consistent,
    content_parts_paired,
    tool_call_events_ordered,
    deltas_concatenate_to_done,
    done_events_agree,
    done_text_matches_final_response,
    error_event_shape,
    error_event_ends_stream,
)
CHECK_NAMES = frozenset({"event_is_typed_object", "event_schema", "check_crashed"} | {c.__name__ for c in CHECKS})


def check_stream(
    events: Any,
    *,
    expect_sequence_numbers: bool = True,
    starting_after: int | None = None,
    final_response: dict | None = None,
    schema: bool = True,
) -> list[Finding]:
    """All findings for one stream, ordered by event index. Never raises.

    ``starting_after``: the stream is a resume (GET ?stream=true&starting_after=N): it starts at N+1 and
    carries no response.created. ``expect_sequence_numbers=False`` is for legacy captures only.
    ``final_response``: the response retrieved after the stream, compared with what the stream said.
    ``schema=False`` skips the contract schema check (for callers that only want the grammar).
    """
    findings: list[Finding] = []
    if not isinstance(events, list):
        return [Finding("event_is_typed_object", f"events is a {type(events).__name__}, not a list")]
    good: list[tuple[int, dict]] = []
    for i, ev in enumerate(events):
        if isinstance(ev, dict) and isinstance(ev.get("type"), str):
            good.append((i, ev))
        else:
            findings.append(Finding("event_is_typed_object", "event is not an object with a string type", index=i))
    if not good:
        return findings + [Finding("exactly_one_terminal_event", "the stream has no events")]
    if not isinstance(starting_after, int) or isinstance(starting_after, bool):
        starting_after = None
    ctx = StreamContext(good, expect_sequence_numbers, starting_after,
                        final_response if isinstance(final_response, dict) else None)
    checks: tuple[Callable[[StreamContext], list[Finding]], ...] = ((event_schema,) if schema else ()) + CHECKS
    for check in checks:
        try:
            findings.extend(check(ctx))
        except Exception as exc:  # a bug in a check must surface as a finding, not crash a run
            findings.append(Finding("check_crashed", f"{check.__name__} raised {type(exc).__name__}: {exc}"))
    findings.sort(key=lambda f: (-1 if f.index is None else f.index))
    return findings


def _clip(value: Any, n: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= n else text[: n - 3] + "..."


def _diff_texts(a: dict, b: dict) -> Iterator[tuple[Any, Any, str]]:
    """The user-visible values of two versions of one item that differ (texts, arguments, code, type)."""
    if a.get("type") != b.get("type"):
        yield a.get("type"), b.get("type"), "type"
        return
    for fld in ("arguments", "code", "input", "output"):
        if fld in a and fld in b and a[fld] != b[fld]:
            yield a[fld], b[fld], fld
    for kind, fld in (("content", "text"), ("content", "refusal"), ("summary", "text")):
        xa, xb = a.get(kind), b.get(kind)
        if not isinstance(xa, list) or not isinstance(xb, list):
            continue
        if len(xa) != len(xb):
            yield len(xa), len(xb), f"number of {kind} parts"
            continue
        for n, (pa, pb) in enumerate(zip(xa, xb, strict=True)):
            if isinstance(pa, dict) and isinstance(pb, dict) and pa.get(fld) != pb.get(fld):
                yield pa.get(fld), pb.get(fld), f"{kind}[{n}].{fld}"

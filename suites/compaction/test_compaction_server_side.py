"""Server-side compaction: context_management.compact_threshold on responses.create, streamed, with store=false,
and continuing the conversation (input-array chaining, pruning, previous_response_id).

The threshold is the documented minimum (1000 tokens) and the first turn is a ~1,500-token history, so the
context is past the threshold whether the service counts the context or the output it is building.

One conversation crosses the threshold for the module and every test judges its part (a live run pays per
request): turn 1 (stored) crosses it; turn 2, streamed with store=false, passes only a new user message (more
notes and the question) with previous_response_id and crosses it again; and two stateless follow-ups of turn 1
send its input array with all output items, or only the items from its compaction item on.
"""

from __future__ import annotations

import pytest
from _compaction_helpers import (
    NAME,
    QUESTION,
    THRESHOLD,
    as_input,
    compaction_items,
    context_management,
    long_conversation,
    notes,
    ok_json,
    output_text,
    types,
    user,
)

from respcheck.findings import render
from respcheck.validators import check_response, check_stream


def _turn1_input() -> list[dict]:
    return [*long_conversation(), user("Keep my name in mind too, and reply with OK.")]


@pytest.fixture(scope="module")
def conversation(shared):
    """The module's conversation, in one cassette (turn 2 cites turn 1's id). Steps after a failed one are
    left out (None); the tests say so."""

    def make(c):
        cm = context_management()
        # 200: room for the answer even if the service counts the compaction pass against the output cap
        # stored (explicitly: the default is another test's subject): turn 2 chains from it by id
        first = c.create_both(c.body(_turn1_input(), context_management=cm, max_output_tokens=200, store=True))
        out = {"first": first, "second": None, "array": None, "pruned": None}
        if first.sdk is None:
            return out
        more = user(f"Here are my travel notes once more:\n{notes()}\n{QUESTION}")
        out["second"] = c.stream_both(c.body([more], previous_response_id=first.sdk.id, context_management=cm,
                                             max_output_tokens=200, store=False))
        out1 = first.json().get("output") or []
        kinds = types(out1)
        if "compaction" in kinds:
            out["array"] = c.create_both(c.body([*_turn1_input(), *out1, user(QUESTION)], context_management=cm,
                                                max_output_tokens=200, store=False))
            last = max(i for i, k in enumerate(kinds) if k == "compaction")
            out["pruned"] = c.create_both(c.body([*as_input(first.sdk.output[last:]), user(QUESTION)],
                                                 max_output_tokens=32, store=False))
        return out

    return shared("conversation", make)


def _completed_event(stream, what: str) -> tuple[dict, object]:
    """The final response of a stream: the raw response.completed snapshot and the SDK's typed one."""
    assert stream is not None, f"{what}: not sent (turn 1 failed)"
    assert stream.status == 200, f"{what}: HTTP {stream.status}: {stream.text[:200]}"
    last = stream.events[-1] if stream.events else {}
    assert last.get("type") == "response.completed", f"{what}: stream ended with {last.get('type')!r}"
    typed = stream.sdk_events
    assert typed and typed[-1].type == "response.completed", f"{what}: SDK stream ended with {typed[-1].type if typed else None!r}"
    return last.get("response") or {}, typed[-1].response


@pytest.mark.behaviour("compaction.server_side.context_management")
def test_create_accepts_context_management(client, observe):
    """'You can also use server-side compaction directly in Responses (POST /responses or
    client.responses.create) by setting context_management with a compact_threshold.'

    A short request with context_management [{type: compaction, compact_threshold: 1000}] is accepted
    (raw 200 + a valid response; SDK completed) and, far below the threshold, holds no compaction item."""
    ex = client.create_both(client.body("Say hello in one word.", context_management=context_management(),
                                        max_output_tokens=16, store=False))
    assert ex.status == 200, f"context_management refused: HTTP {ex.status}: {ex.http.text[:200]}"
    data = ex.json()
    findings = check_response(data)
    assert not findings, render(findings)
    assert data.get("status") == "completed", f"status {data.get('status')!r}"
    assert not compaction_items(data.get("output")), (
        f"a compaction item appeared far below the threshold ({types(data.get('output'))})")

    assert ex.sdk.status == "completed", f"SDK: status {ex.sdk.status!r}"
    assert ex.sdk.output_text.strip(), "SDK: empty output_text"
    assert not compaction_items(ex.sdk.output), f"SDK: compaction item far below the threshold ({types(ex.sdk.output)})"


@pytest.mark.behaviour("compaction.server_side.threshold_triggers", "compaction.server_side.context_management")
def test_threshold_crossing_adds_compaction_item(conversation, observe):
    """'When the output token count crosses the configured threshold, the Responses API automatically runs
    compaction.' 'In this mode, you do not need to call /responses/compact separately.' 'The response includes
    an encrypted compaction item.'

    A turn past compact_threshold=1000 (the module's turn 1): the response output (raw and SDK) holds a
    compaction item with encrypted_content, and a message answer follows it (inference went on after
    compaction)."""
    first = conversation["first"]
    data = ok_json(first, "turn 1 past the threshold")
    findings = check_response(data)
    assert not findings, render(findings)
    kinds = types(data.get("output"))
    observe("compaction.server_side.threshold_triggers", {
        "threshold": THRESHOLD, "input_tokens": (data.get("usage") or {}).get("input_tokens"), "output_types": kinds})
    assert "compaction" in kinds, (
        f"input of {(data.get('usage') or {}).get('input_tokens')} tokens with compact_threshold={THRESHOLD}: "
        f"output types {kinds}, no compaction item")
    item = compaction_items(data["output"])[-1]
    assert isinstance(item.get("encrypted_content"), str) and item["encrypted_content"], "compaction item without encrypted_content"
    assert "message" in kinds[kinds.index("compaction"):], f"no message after the compaction item: {kinds}"

    tkinds = types(first.sdk.output)
    assert "compaction" in tkinds, f"SDK: output types {tkinds}, no compaction item"
    assert first.sdk.output_text.strip(), "SDK: no answer text after compaction"


@pytest.mark.behaviour("compaction.server_side.stream_emits_item", "compaction.server_side.threshold_triggers")
def test_stream_emits_compaction_item_and_continues(conversation, observe):
    """'If the output crosses the threshold, the service triggers compaction, emits a compaction item in the
    output stream, and prunes the context before continuing inference.'

    Streaming a turn past the threshold (the module's turn 2): the stream (raw SSE and SDK) carries
    output_item.added/done for a compaction item, then a message item, and ends with response.completed; the
    stream grammar holds."""
    stream = conversation["second"]
    _completed_event(stream, "streamed turn past the threshold")
    findings = check_stream(stream.events)
    assert not findings, render(findings)
    kinds = [(e.get("item") or {}).get("type") for e in stream.events if e.get("type") == "response.output_item.done"]
    observe("compaction.server_side.stream_items", kinds)
    assert "compaction" in kinds, f"stream's output_item.done items are {kinds}: no compaction item emitted"
    assert "message" in kinds[kinds.index("compaction"):], f"no message item after the compaction item: {kinds}"
    added = [(e.get("item") or {}).get("type") for e in stream.events if e.get("type") == "response.output_item.added"]
    assert "compaction" in added, f"no output_item.added for the compaction item (added: {added})"

    tdone = [getattr(getattr(e, "item", None), "type", None) for e in stream.sdk_events if e.type == "response.output_item.done"]
    assert "compaction" in tdone, f"SDK stream's output_item.done items are {tdone}"


@pytest.mark.behaviour("compaction.server_side.store_false", "compaction.server_side.threshold_triggers")
def test_server_side_compaction_with_store_false(conversation, observe):
    """'Server-side compaction will work when you set store=false on your Responses create requests.'

    store=false past the threshold (the module's turn 2): the response (raw response.completed snapshot and
    the SDK's typed one) is not stored, still holds a compaction item and completes."""
    raw, typed = _completed_event(conversation["second"], "store=false turn past the threshold")
    assert raw.get("store") is False, f"store echoed as {raw.get('store')!r}"
    assert raw.get("status") == "completed", f"status {raw.get('status')!r}"
    assert "compaction" in types(raw.get("output")), f"store=false: output types {types(raw.get('output'))}"

    assert typed.status == "completed", f"SDK: status {typed.status!r}"
    assert typed.store is False, f"SDK: store {typed.store!r}"
    assert "compaction" in types(typed.output), f"SDK store=false: output types {types(typed.output)}"


def _knows_name(ex, what: str) -> str:
    data = ok_json(ex, what)
    assert data.get("status") == "completed", f"{what}: status {data.get('status')!r}"
    assert NAME.lower() in output_text(data).lower(), f"{what} lost the context: {output_text(data)[:120]!r}"
    assert NAME.lower() in ex.sdk.output_text.lower(), f"{what} (SDK) lost the context: {ex.sdk.output_text[:120]!r}"
    return output_text(data)


@pytest.mark.behaviour("compaction.chaining.input_array", "compaction.server_side.store_false")
def test_input_array_chaining_with_compaction_item(conversation, observe):
    """'Stateless input-array chaining: append output items, including compaction items, to the next input
    array.' ('If you are using stateless input-array chaining, append output items as usual.')

    Turn 1 crosses the threshold; the next turn (store=false, context_management) sends turn 1's input, all of
    its output items including the compaction item, and a new question: it completes and still knows the
    name (raw and SDK)."""
    out1 = ok_json(conversation["first"], "turn 1").get("output") or []
    assert "compaction" in types(out1), f"turn 1 output types {types(out1)}: no compaction item to carry"
    answer = _knows_name(conversation["array"], "input-array turn 2 with the compaction item")
    observe("compaction.chaining.input_array.answer", answer[:80])


@pytest.mark.behaviour("compaction.prune_before_latest", "compaction.chaining.input_array")
def test_items_before_latest_compaction_item_can_be_dropped(conversation, observe):
    """'After appending output items to the previous input items, you can drop items that came before the
    most recent compaction item to keep requests smaller and reduce long-tail latency. The latest compaction
    item carries the necessary context to continue the conversation.'

    The next turn sends only turn 1's items from its compaction item on (the SDK's typed items), plus a new
    question: it completes and knows the name stated in the dropped turns (raw and SDK). The input token
    counts are recorded, not asserted: "smaller" is about the request the client sends, and the docs give
    no figure."""
    first = ok_json(conversation["first"], "turn 1")
    assert "compaction" in types(first.get("output")), f"turn 1 output types {types(first.get('output'))}: no compaction item"
    _knows_name(conversation["pruned"], "pruned turn 2")
    t1 = (first.get("usage") or {}).get("input_tokens")
    t2 = (conversation["pruned"].json().get("usage") or {}).get("input_tokens")
    observe("compaction.prune_before_latest.input_tokens", {"turn1": t1, "pruned_turn2": t2})


@pytest.mark.behaviour("compaction.chaining.previous_response_id")
def test_previous_response_id_chaining_with_server_side_compaction(conversation, observe):
    """'previous_response_id chaining: pass only the new user message on each turn and carry the latest
    response ID forward.' ('If you are using previous_response_id, pass only the new user message on each
    turn. In both patterns, the compaction item carries the context needed for the next window.')

    Turn 1 (stored) crosses the threshold; turn 2 (streamed) sends only a new user message with
    previous_response_id and context_management: it echoes turn 1's id, completes and knows the name from
    turn 1 (raw response.completed snapshot and the SDK's typed one)."""
    first = ok_json(conversation["first"], "turn 1")
    assert "compaction" in types(first.get("output")), f"turn 1 output types {types(first.get('output'))}: no compaction item"
    raw, typed = _completed_event(conversation["second"], "turn 2 with previous_response_id")
    assert raw.get("previous_response_id") == first["id"], f"previous_response_id echoed {raw.get('previous_response_id')!r}"
    assert typed.previous_response_id == first["id"], f"SDK: previous_response_id {typed.previous_response_id!r}"
    observe("compaction.chaining.previous_response_id.answer", output_text(raw)[:60])
    assert raw.get("status") == "completed", f"turn 2 ended {raw.get('status')!r}"
    assert NAME.lower() in output_text(raw).lower(), f"turn 2 lost the context: {output_text(raw)[:120]!r}"
    assert NAME.lower() in typed.output_text.lower(), f"SDK: turn 2 lost the context: {typed.output_text[:120]!r}"

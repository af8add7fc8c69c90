"""Server-side compaction: context_management.compact_threshold on responses.create, streamed, with store=false,
and continuing the conversation (input-array chaining, pruning, previous_response_id).

The threshold is the documented minimum (1000 tokens) and the first turn is a ~1,300-token user message, so
the context is past the threshold whether the service counts the context or the output it is building.
"""

from __future__ import annotations

import pytest
from _compaction_helpers import (
    NAME,
    THRESHOLD,
    as_input,
    compaction_items,
    context_management,
    item_type,
    long_user_message,
    output_text,
    user,
)

from respcheck.findings import render
from respcheck.validators import check_response, check_stream

QUESTION = "What is my name? Answer with the name only."


def _turn1_body(client, **fields):
    # 200: room for the answer even if the service counts the compaction pass against the output cap
    return client.body([user(long_user_message())], context_management=context_management(),
                       max_output_tokens=200, **fields)


def _types(output) -> list[str | None]:
    return [item_type(i) for i in output or []]


@pytest.mark.behaviour("compaction.server_side.context_management")
def test_create_accepts_context_management(client, observe):
    """'You can also use server-side compaction directly in Responses (POST /responses or
    client.responses.create) by setting context_management with a compact_threshold.'

    A short request with context_management [{type: compaction, compact_threshold: 1000}] is accepted
    (raw 200 + a valid response; SDK completed) and, far below the threshold, holds no compaction item."""
    body = client.body("Say hello in one word.", context_management=context_management(), max_output_tokens=16)
    raw = client.http_post("responses", body)
    assert raw.status_code == 200, f"context_management refused: HTTP {raw.status_code}: {raw.text[:200]}"
    data = raw.json()
    findings = check_response(data)
    assert not findings, render(findings)
    assert data.get("status") == "completed", f"status {data.get('status')!r}"
    assert not compaction_items(data.get("output")), (
        f"a compaction item appeared far below the threshold ({_types(data.get('output'))})")

    typed = client.create(body)
    assert typed.status == "completed", f"SDK: status {typed.status!r}"
    assert typed.output_text.strip(), "SDK: empty output_text"


@pytest.mark.behaviour("compaction.server_side.threshold_triggers", "compaction.server_side.context_management")
def test_threshold_crossing_adds_compaction_item(client, observe):
    """'When the output token count crosses the configured threshold, the Responses API automatically runs
    compaction.' 'In this mode, you do not need to call /responses/compact separately.' 'The response includes
    an encrypted compaction item.'

    A turn past compact_threshold=1000: the response output (raw and SDK) holds a compaction item with
    encrypted_content, and a message answer follows it (inference went on after compaction)."""
    body = _turn1_body(client)
    raw = client.http_post("responses", body)
    assert raw.status_code == 200, f"HTTP {raw.status_code}: {raw.text[:200]}"
    data = raw.json()
    findings = check_response(data)
    assert not findings, render(findings)
    kinds = _types(data.get("output"))
    observe("compaction.server_side.threshold_triggers", {
        "threshold": THRESHOLD, "input_tokens": (data.get("usage") or {}).get("input_tokens"), "output_types": kinds})
    assert "compaction" in kinds, (
        f"input of {(data.get('usage') or {}).get('input_tokens')} tokens with compact_threshold={THRESHOLD}: "
        f"output types {kinds}, no compaction item")
    item = compaction_items(data["output"])[-1]
    assert isinstance(item.get("encrypted_content"), str) and item["encrypted_content"], "compaction item without encrypted_content"
    assert "message" in kinds[kinds.index("compaction"):], f"no message after the compaction item: {kinds}"

    typed = client.create(body)
    tkinds = _types(typed.output)
    assert "compaction" in tkinds, f"SDK: output types {tkinds}, no compaction item"
    assert typed.output_text.strip(), "SDK: no answer text after compaction"


@pytest.mark.behaviour("compaction.server_side.stream_emits_item", "compaction.server_side.threshold_triggers")
def test_stream_emits_compaction_item_and_continues(client, observe):
    """'If the output crosses the threshold, the service triggers compaction, emits a compaction item in the
    output stream, and prunes the context before continuing inference.'

    Streaming a turn past the threshold: the stream (raw SSE and SDK) carries output_item.added/done for a
    compaction item, then a message item, and ends with response.completed; the stream grammar holds."""
    body = _turn1_body(client)
    wire = client.http_stream("responses", body)
    status, _headers, text, events = wire
    assert status == 200, f"HTTP {status}: {text[:200]}"
    findings = check_stream(events)
    assert not findings, render(findings)
    done = [(e.get("output_index"), (e.get("item") or {}).get("type")) for e in events
            if e.get("type") == "response.output_item.done"]
    observe("compaction.server_side.stream_items", [t for _i, t in done])
    kinds = [t for _i, t in done]
    assert "compaction" in kinds, f"stream's output_item.done items are {kinds}: no compaction item emitted"
    assert "message" in kinds[kinds.index("compaction"):], f"no message item after the compaction item: {kinds}"
    assert events[-1].get("type") == "response.completed", f"stream ended with {events[-1].get('type')!r}"
    added = [(e.get("item") or {}).get("type") for e in events if e.get("type") == "response.output_item.added"]
    assert "compaction" in added, f"no output_item.added for the compaction item (added: {added})"

    typed = client.sdk_stream(body)
    tdone = [getattr(getattr(e, "item", None), "type", None) for e in typed if e.type == "response.output_item.done"]
    assert "compaction" in tdone, f"SDK stream's output_item.done items are {tdone}"
    assert typed[-1].type == "response.completed", f"SDK stream ended with {typed[-1].type!r}"


@pytest.mark.behaviour("compaction.server_side.store_false", "compaction.server_side.threshold_triggers")
def test_server_side_compaction_with_store_false(client, observe):
    """'Server-side compaction will work when you set store=false on your Responses create requests.'

    store=false past the threshold: the response (raw and SDK) still holds a compaction item and completes."""
    body = _turn1_body(client, store=False)
    raw = client.http_post("responses", body)
    assert raw.status_code == 200, f"store=false with context_management: HTTP {raw.status_code}: {raw.text[:200]}"
    data = raw.json()
    assert data.get("store") is False, f"store echoed as {data.get('store')!r}"
    assert data.get("status") == "completed", f"status {data.get('status')!r}"
    assert "compaction" in _types(data.get("output")), f"store=false: output types {_types(data.get('output'))}"

    typed = client.create(body)
    assert typed.status == "completed", f"SDK: status {typed.status!r}"
    assert "compaction" in _types(typed.output), f"SDK store=false: output types {_types(typed.output)}"


@pytest.mark.behaviour("compaction.chaining.input_array", "compaction.server_side.store_false")
def test_input_array_chaining_with_compaction_item(client, observe):
    """'Stateless input-array chaining: append output items, including compaction items, to the next input
    array.' ('If you are using stateless input-array chaining, append output items as usual.')

    Turn 1 (raw, store=false) crosses the threshold; turn 2 (SDK, store=false) sends turn 1's input, all of its
    output items including the compaction item, and a new question: it completes and still knows the name."""
    first_input = [user(long_user_message())]
    raw = client.http_post("responses", client.body(first_input, context_management=context_management(),
                                                    max_output_tokens=200, store=False))
    assert raw.status_code == 200, f"turn 1: HTTP {raw.status_code}: {raw.text[:200]}"
    out1 = raw.json().get("output") or []
    assert "compaction" in _types(out1), f"turn 1 output types {_types(out1)}: no compaction item to carry"

    second = client.create(client.body([*first_input, *out1, user(QUESTION)],
                                       context_management=context_management(), max_output_tokens=200, store=False))
    observe("compaction.chaining.input_array.answer", second.output_text[:80])
    assert second.status == "completed", f"turn 2 ended {second.status!r}"
    assert NAME.lower() in second.output_text.lower(), (
        f"turn 2 after input-array chaining with a compaction item lost the context: {second.output_text[:120]!r}")


@pytest.mark.behaviour("compaction.prune_before_latest", "compaction.chaining.input_array")
def test_items_before_latest_compaction_item_can_be_dropped(client, observe):
    """'After appending output items to the previous input items, you can drop items that came before the
    most recent compaction item to keep requests smaller and reduce long-tail latency. The latest compaction
    item carries the necessary context to continue the conversation.'

    Turn 2 sends only the items from turn 1's compaction item on, plus a new question: it completes and knows
    the name stated in the dropped turn (raw, then SDK). The input token counts are recorded, not asserted:
    "smaller" is about the request the client sends, and the docs give no figure."""
    raw = client.http_post("responses", _turn1_body(client, store=False))
    assert raw.status_code == 200, f"turn 1: HTTP {raw.status_code}: {raw.text[:200]}"
    first = raw.json()
    out1 = first.get("output") or []
    kinds = _types(out1)
    assert "compaction" in kinds, f"turn 1 output types {kinds}: no compaction item"
    last = max(i for i, k in enumerate(kinds) if k == "compaction")
    pruned = [*out1[last:], user(QUESTION)]

    raw2 = client.http_post("responses", client.body(pruned, max_output_tokens=32, store=False))
    assert raw2.status_code == 200, f"pruned turn 2: HTTP {raw2.status_code}: {raw2.text[:200]}"
    data = raw2.json()
    assert NAME.lower() in output_text(data).lower(), f"pruned turn 2 lost the context: {output_text(data)[:120]!r}"
    t1, t2 = (first.get("usage") or {}).get("input_tokens"), (data.get("usage") or {}).get("input_tokens")
    observe("compaction.prune_before_latest.input_tokens", {"turn1": t1, "pruned_turn2": t2})

    typed = client.create(client.body(as_input(out1[last:]) + [user(QUESTION)], max_output_tokens=32, store=False))
    assert NAME.lower() in typed.output_text.lower(), f"SDK pruned turn 2 lost the context: {typed.output_text[:120]!r}"


@pytest.mark.behaviour("compaction.chaining.previous_response_id")
def test_previous_response_id_chaining_with_server_side_compaction(client, observe):
    """'previous_response_id chaining: pass only the new user message on each turn and carry the latest
    response ID forward.' ('If you are using previous_response_id, pass only the new user message on each
    turn. In both patterns, the compaction item carries the context needed for the next window.')

    Turn 1 (SDK, stored) crosses the threshold; turn 2 (SDK) and turn 3 (raw) send only a new question with
    previous_response_id and context_management: both complete and know the name from turn 1."""
    first = client.create(_turn1_body(client))
    assert "compaction" in _types(first.output), f"turn 1 output types {_types(first.output)}: no compaction item"
    second = client.create(client.body(QUESTION, previous_response_id=first.id,
                                       context_management=context_management(), max_output_tokens=200))
    assert second.status == "completed", f"turn 2 ended {second.status!r}"
    assert NAME.lower() in second.output_text.lower(), f"turn 2 lost the context: {second.output_text[:120]!r}"

    raw = client.http_post("responses", client.body("What is my name again? Only the name, please.",
                                                    previous_response_id=second.id,
                                                    context_management=context_management(), max_output_tokens=200))
    assert raw.status_code == 200, f"turn 3: HTTP {raw.status_code}: {raw.text[:200]}"
    data = raw.json()
    assert data.get("previous_response_id") == second.id, f"previous_response_id echoed {data.get('previous_response_id')!r}"
    observe("compaction.chaining.previous_response_id.answers", [second.output_text[:60], output_text(data)[:60]])
    assert NAME.lower() in output_text(data).lower(), f"turn 3 lost the context: {output_text(data)[:120]!r}"

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

import httpx
import pytest
from _compaction_helpers import (
    QUESTION,
    THRESHOLD,
    as_input,
    compaction_items,
    context_exceeds,
    context_management,
    long_conversation,
    notes,
    output_text,
    recalls_name,
    served,
    types,
    user,
)

from respcheck.expect import accepted, fail_for, fail_on, finished_stream, prerequisite
from respcheck.validators import check_stream
from respcheck.verdicts import blocked, inconclusive, model_limit, truncated

CM, THRESH = "compaction.server_side.context_management", "compaction.server_side.threshold_triggers"
STREAM, STORE_FALSE = "compaction.server_side.stream_emits_item", "compaction.server_side.store_false"
INPUT_ARRAY, PRUNE = "compaction.chaining.input_array", "compaction.prune_before_latest"
CHAIN_PREV = "compaction.chaining.previous_response_id"
TURN_OUT = 200
"""max_output_tokens of the turns past the threshold: room for the answer after a compaction pass."""


def _turn1_input() -> list[dict]:
    return [*long_conversation(), user("Keep my name in mind too, and reply with OK.")]


@pytest.fixture(scope="module")
def conversation(shared, target):
    """The module's conversation, in one cassette (turn 2 cites turn 1's id). Steps after a failed one are
    left out (None); the tests say so. A deployment declaring a context window no larger than the threshold
    plus a turn's output can never cross the threshold: not-applicable, nothing sent."""
    context_exceeds(target, THRESHOLD + TURN_OUT, f"a turn past compact_threshold={THRESHOLD}")

    def make(c):
        cm = context_management()
        # 200: room for the answer even if the service counts the compaction pass against the output cap
        # stored (explicitly: the default is another test's subject): turn 2 chains from it by id
        first = c.create_both(c.body(_turn1_input(), context_management=cm, max_output_tokens=TURN_OUT, store=True))
        out = {"first": first, "second": None, "array": None, "pruned": None}
        if first.sdk is None:
            return out
        more = user(f"Here are my travel notes once more:\n{notes()}\n{QUESTION}")
        out["second"] = c.stream_both(c.body([more], previous_response_id=first.sdk.id, context_management=cm,
                                             max_output_tokens=TURN_OUT, store=False))
        out1 = first.json().get("output") or []
        kinds = types(out1)
        if "compaction" in kinds:
            out["array"] = c.create_both(c.body([*_turn1_input(), *out1, user(QUESTION)], context_management=cm,
                                                max_output_tokens=TURN_OUT, store=False))
            last = max(i for i, k in enumerate(kinds) if k == "compaction")
            out["pruned"] = c.create_both(c.body([*as_input(first.sdk.output[last:]), user(QUESTION)],
                                                 max_output_tokens=32, store=False))
        return out

    return shared("conversation", make)


def _turn1(conversation) -> dict:
    """Turn 1 as the step a later turn needs: its refusal, or an output without a compaction item (nothing to
    carry), blocks the claim on the threshold behaviour, whose own test fails on it; a context-length refusal
    is the model's limit."""
    data = prerequisite(conversation["first"], "turn 1 past the threshold", by=THRESH)
    if "compaction" not in types(data.get("output")):
        blocked(THRESH, f"turn 1 output types {types(data.get('output'))}: no compaction item to carry")
    return data


def _stream_turn(stream, what: str, *claims: str) -> tuple[dict, object]:
    """The final response of turn 2's stream: the raw terminal snapshot and the SDK's typed one. A refusal
    fails `claims` (a context-length refusal is the model's limit; turn 1's id not found - 404, or 400
    previous_response_not_found - is the store's, blocked on chaining.retrieve.by_id); a stream cut by
    max_output_tokens is served."""
    assert stream is not None, f"{what}: not sent (turn 1 was refused)"
    text = stream.text.lower()
    if (stream.status == 404 and "not found" in text) or (stream.status == 400 and "previous_response_not_found" in text):
        blocked("chaining.retrieve.by_id",
                f"{what}: HTTP {stream.status} for turn 1's id (the target did not keep the stored turn): {stream.text[:200]}")
    if stream.status != 200:
        accepted(httpx.Response(stream.status, text=stream.text), what, *claims)
    last = finished_stream(stream.events, what)  # no terminal event: the grammar's finding, blocked here
    raw = last.get("response") if isinstance(last.get("response"), dict) else {}
    if last.get("type") != "response.completed" and not truncated(raw):
        fail_for(claims, f"{what}: the stream ended with {last.get('type')!r} (status {raw.get('status')!r}), "
                         "expected response.completed")
    typed = stream.sdk_events
    assert typed and typed[-1].type == last.get("type"), (
        f"{what}: SDK stream ended with {typed[-1].type if typed else None!r}, the wire with {last.get('type')!r}")
    return raw, typed[-1].response


@pytest.mark.behaviour("compaction.server_side.context_management")
def test_create_accepts_context_management(client, observe):
    """'You can also use server-side compaction directly in Responses (POST /responses or
    client.responses.create) by setting context_management with a compact_threshold.'

    A short request with context_management [{type: compaction, compact_threshold: 1000}] is accepted
    (raw 200, completed or cut by max_output_tokens, the SDK agreeing) and, far below the threshold, holds no
    compaction item. The response object's shape is chaining.response.object_shape's (ambient)."""
    ex = client.create_both(client.body("Say hello in one word.", context_management=context_management(),
                                        max_output_tokens=16, store=False))
    what = "POST /responses with context_management"
    data = accepted(ex, what, CM)
    served(data, what, CM)
    assert not compaction_items(data.get("output")), (
        f"a compaction item appeared far below the threshold ({types(data.get('output'))})")

    assert ex.sdk.status == data.get("status"), f"SDK: status {ex.sdk.status!r}, the wire says {data.get('status')!r}"
    assert not compaction_items(ex.sdk.output), f"SDK: compaction item far below the threshold ({types(ex.sdk.output)})"


@pytest.mark.behaviour("compaction.server_side.threshold_triggers", "compaction.server_side.context_management")
def test_threshold_crossing_adds_compaction_item(conversation, observe):
    """'When the output token count crosses the configured threshold, the Responses API automatically runs
    compaction.' 'In this mode, you do not need to call /responses/compact separately.' 'The response includes
    an encrypted compaction item.'

    A turn past compact_threshold=1000 (the module's turn 1): the response output (raw and SDK) holds a
    compaction item with encrypted_content, and a message answer follows it (inference went on after
    compaction). A context-length refusal is the model's limit (a declared context too small for the
    threshold: not-applicable); a target that counts the input below the threshold: inconclusive."""
    first = conversation["first"]
    what = "turn 1 past the threshold"
    data = accepted(first, what, THRESH)  # refused past the threshold: the service did not compact
    kinds = types(data.get("output"))
    used = (data.get("usage") or {}).get("input_tokens")
    observe("compaction.server_side.threshold_triggers", {"threshold": THRESHOLD, "input_tokens": used, "output_types": kinds})
    if "compaction" not in kinds and isinstance(used, int) and used <= THRESHOLD:
        inconclusive(f"{what}: the target counts {used} input tokens, not past compact_threshold={THRESHOLD}")
    assert "compaction" in kinds, (
        f"input of {used} tokens with compact_threshold={THRESHOLD}: output types {kinds}, no compaction item")
    item = compaction_items(data["output"])[-1]
    assert isinstance(item.get("encrypted_content"), str) and item["encrypted_content"], "compaction item without encrypted_content"
    if "message" not in kinds[kinds.index("compaction"):]:
        if truncated(data):
            model_limit(f"{what}: no message after the compaction item ({kinds}): the answer was cut by max_output_tokens")
        raise AssertionError(f"{what}: no message after the compaction item: {kinds} (status {data.get('status')!r})")

    tkinds = types(first.sdk.output)
    assert "compaction" in tkinds, f"SDK: output types {tkinds}, no compaction item"


@pytest.mark.behaviour("compaction.server_side.stream_emits_item", "compaction.server_side.threshold_triggers")
def test_stream_emits_compaction_item_and_continues(conversation, observe):
    """'If the output crosses the threshold, the service triggers compaction, emits a compaction item in the
    output stream, and prunes the context before continuing inference.'

    Streaming a turn past the threshold (the module's turn 2): the stream (raw SSE and SDK) carries
    output_item.added/done for a compaction item, then a message item, and ends with response.completed (or
    is cut by max_output_tokens); the stream grammar is the ambient checks'. Turn 1 is a step: its refusal
    or a turn 1 without compaction blocks this claim."""
    _turn1(conversation)
    stream = conversation["second"]
    what = "streamed turn past the threshold"
    raw, _ = _stream_turn(stream, what, STREAM)
    fail_on(check_stream(stream.events), what, STREAM)  # framing and grammar: the ambient checks'
    kinds = [(e.get("item") or {}).get("type") for e in stream.events if e.get("type") == "response.output_item.done"]
    observe("compaction.server_side.stream_items", kinds)
    assert "compaction" in kinds, f"stream's output_item.done items are {kinds}: no compaction item emitted"
    if "message" not in kinds[kinds.index("compaction"):]:
        if truncated(raw):
            model_limit(f"{what}: no message item after the compaction item ({kinds}): cut by max_output_tokens")
        raise AssertionError(f"{what}: no message item after the compaction item: {kinds}")
    added = [(e.get("item") or {}).get("type") for e in stream.events if e.get("type") == "response.output_item.added"]
    assert "compaction" in added, f"no output_item.added for the compaction item (added: {added})"

    tdone = [getattr(getattr(e, "item", None), "type", None) for e in stream.sdk_events if e.type == "response.output_item.done"]
    assert "compaction" in tdone, f"SDK stream's output_item.done items are {tdone}"


@pytest.mark.behaviour("compaction.server_side.store_false", "compaction.server_side.threshold_triggers")
def test_server_side_compaction_with_store_false(conversation, observe):
    """'Server-side compaction will work when you set store=false on your Responses create requests.'

    store=false past the threshold (the module's turn 2): the response (raw response.completed snapshot and
    the SDK's typed one) is not stored, still holds a compaction item and completes (or is cut by
    max_output_tokens). Turn 1 is a step: its refusal or a turn 1 without compaction blocks this claim."""
    _turn1(conversation)
    raw, typed = _stream_turn(conversation["second"], "store=false turn past the threshold", STORE_FALSE)
    assert raw.get("store") is False, f"store echoed as {raw.get('store')!r}"
    assert "compaction" in types(raw.get("output")), f"store=false: output types {types(raw.get('output'))}"

    assert typed.status == raw.get("status"), f"SDK: status {typed.status!r}, the wire says {raw.get('status')!r}"
    assert typed.store is False, f"SDK: store {typed.store!r}"
    assert "compaction" in types(typed.output), f"SDK store=false: output types {types(typed.output)}"


def _knows_name(ex, what: str, *claims: str) -> str:
    """An accepted, finished turn (raw and SDK); not naming the user is a model limit."""
    data = accepted(ex, what, *claims)
    served(data, what, *claims)
    recalls_name(output_text(data), what)
    recalls_name(ex.sdk.output_text, f"{what} (SDK)")
    return output_text(data)


@pytest.mark.behaviour("compaction.chaining.input_array", "compaction.server_side.store_false")
def test_input_array_chaining_with_compaction_item(conversation, observe):
    """'Stateless input-array chaining: append output items, including compaction items, to the next input
    array.' ('If you are using stateless input-array chaining, append output items as usual.')

    Turn 1 crosses the threshold; the next turn (store=false, context_management) sends turn 1's input, all of
    its output items including the compaction item, and a new question: it completes and still knows the
    name (raw and SDK)."""
    _turn1(conversation)
    answer = _knows_name(conversation["array"], "input-array turn 2 with the compaction item", INPUT_ARRAY)
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
    first = _turn1(conversation)
    _knows_name(conversation["pruned"], "pruned turn 2", PRUNE)
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
    first = _turn1(conversation)
    raw, typed = _stream_turn(conversation["second"], "turn 2 with previous_response_id", CHAIN_PREV)
    assert raw.get("previous_response_id") == first["id"], f"previous_response_id echoed {raw.get('previous_response_id')!r}"
    assert typed.previous_response_id == first["id"], f"SDK: previous_response_id {typed.previous_response_id!r}"
    observe("compaction.chaining.previous_response_id.answer", output_text(raw)[:60])
    recalls_name(output_text(raw), "turn 2 with previous_response_id")
    recalls_name(typed.output_text, "turn 2 with previous_response_id (SDK)")
